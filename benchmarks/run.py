"""Measure the seven figures of issue 6, each against its baseline measured in the same run.

Prints a table (figure, ours, baseline, ratio, target) and, with ``--markdown``, writes it with
the machine's description into BENCHMARKS.md (between its result markers, keeping the notes).
Every measured command runs in a fresh process; wall time is taken around the process and
peak RSS from the kernel's accounting of that process (``wait4``), except figure 8, which
times both loads inside one fresh process after the imports. All data is SYNTHETIC and
lives under ``--out`` (default ``benchmarks/out/``, git-ignored), never in raw/.

Usage::

    python benchmarks/run.py              # default sizes (about an hour on 2 cores)
    python benchmarks/run.py --quick      # small sizes, a minute or two
    python benchmarks/run.py --huge       # also the 100,000-article memory point
    python benchmarks/run.py --only load  # figure 8 alone
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
CLI = [PY, "-m", "caucasus_events.cli"]
START, END = "<!-- benchmark-results:start -->", "<!-- benchmark-results:end -->"
#: Children import the package from this folder (see snapshot()), set by main().
CODE: Path | None = None
OUTPUTS = ("processed", "schemas", "datapackage.json")


@dataclass
class Sizes:
    """How big each benchmark is."""

    articles: int = 10_000
    memory: tuple[int, ...] = (1_000, 10_000)
    #: Corpus sizes at which figure 9 runs every engine against the floor (``--huge``: 100,000).
    scale: tuple[int, ...] = ()
    events: int = 999_999
    mentions: int = 2_000_000
    table_articles: int = 200_000
    build_repeat: int = 2
    short_repeat: int = 5
    frictionless_timeout: float = 3600.0


QUICK = Sizes(
    articles=300,
    memory=(100, 300),
    scale=(200,),
    events=20_000,
    mentions=40_000,
    table_articles=4_000,
    build_repeat=1,
    short_repeat=3,
    frictionless_timeout=600.0,
)


@dataclass
class Measure:
    """One process: wall seconds, peak RSS in bytes, CPU seconds (with its children), exit code."""

    seconds: float
    rss: int
    cpu: float
    code: int
    out: str = ""
    err: str = ""
    timed_out: bool = False


@dataclass
class Row:
    """A line of the results table."""

    figure: str
    ours: float | None
    baseline: float | None
    unit: str
    target: str = ""
    limit: float | None = None
    note: str = ""
    met: bool | None = field(default=None)

    def __post_init__(self) -> None:
        if self.limit is not None and self.ratio is not None:
            self.met = self.ratio <= self.limit

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline


def run(argv: list[str], timeout: float | None = None, cwd: Path | None = None) -> Measure:
    """Run ``argv`` in a fresh process; measure it with the kernel's accounting."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        env = {**os.environ, "CI": "1"}  # no progress bars in the measured processes
        if CODE is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CODE), os.environ.get("PYTHONPATH")]))
        proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=cwd, env=env)
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measure(
            seconds=seconds,
            rss=usage.ru_maxrss * 1024,
            cpu=usage.ru_utime + usage.ru_stime,
            code=proc.returncode,
            out=out.read(),
            err=err.read(),
            timed_out=killed.is_set(),
        )


def checked(measure: Measure, what: str) -> Measure:
    if measure.code != 0:
        raise SystemExit(
            f"{what} failed with exit code {measure.code}:\n{measure.err[-3000:]}{measure.out[-2000:]}"
        )
    return measure


def snapshot(out: Path) -> dict[str, str]:
    """Copy the package's code for the children to import, and describe the version measured.

    Other people edit the working tree while a run lasts an hour; a copy keeps every figure
    measuring the same code (and keeps the build cache, keyed by the code, valid throughout).
    """
    global CODE
    CODE = out / "code"
    shutil.rmtree(CODE, ignore_errors=True)
    shutil.copytree(
        REPO / "src" / "caucasus_events",
        CODE / "caucasus_events",
        ignore=shutil.ignore_patterns("__pycache__", "data"),
    )
    git = ["git", "-C", str(REPO)]
    head = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--", "src"], capture_output=True, text=True
    ).stdout
    return {"code": f"commit {head or '?'}" + (" with uncommitted changes in src/" if dirty.strip() else "")}


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    info = {"cpus (nproc)": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()}
    with open("/proc/meminfo") as handle:
        total = next(line for line in handle if line.startswith("MemTotal"))
    info["memory"] = f"{int(total.split()[1]) / 1024 / 1024:.1f} GiB"
    with open("/proc/cpuinfo") as handle:
        model = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "?")
    info["cpu"] = model
    info["os"] = platform.platform()
    info["python"] = platform.python_version()
    for dist in ("pandas", "pyarrow", "numpy", "pandera", "PyYAML", "frictionless", "caucasus-events"):
        try:
            info[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            info[dist] = "missing"
    import yaml

    info["PyYAML parser"] = (
        "libyaml C parser (build and floor)"
        if yaml.__with_libyaml__
        else "pure Python (no libyaml: the floor cannot run)"
    )
    return info


BURN = "import sys\nn = int(sys.argv[1])\ns = 0\nfor i in range(n):\n    s += i * i\n"


def cpu_parallelism(n: int) -> float:
    """Wall time of two CPU-bound processes at once over one alone: this machine's best ratio."""
    one = run([PY, "-c", BURN, str(n)]).seconds
    started = time.perf_counter()
    procs = [subprocess.Popen([PY, "-c", BURN, str(n)]) for _ in range(2)]
    for proc in procs:
        proc.wait()
    # Two processes doing one process's work each: the ideal parallel build halves, i.e. this
    # ratio over two.
    return (time.perf_counter() - started) / one / 2


def digests(root: Path) -> dict[str, str]:
    import hashlib

    found = {}
    for name in OUTPUTS:
        path = root / name
        for item in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if item.is_file():
                # In chunks: a forked child's peak RSS starts at this process's RSS, so holding a
                # large output here would inflate every measurement that follows.
                with item.open("rb") as handle:
                    found[item.relative_to(root).as_posix()] = hashlib.file_digest(
                        handle, "sha256"
                    ).hexdigest()
    return found


def clean(root: Path, cache: bool = True) -> None:
    for name in OUTPUTS:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    if cache:
        shutil.rmtree(root / ".caucasus-events-cache", ignore_errors=True)


def corpus(out: Path, n: int) -> Path:
    root = out / f"corpus-{n}"
    if (root / "SYNTHETIC.md").is_file() and f"--articles {n} --seed 0 --actors 1000`" in (
        root / "SYNTHETIC.md"
    ).read_text():
        return root  # the generator is deterministic: same size and seed, same files
    shutil.rmtree(root, ignore_errors=True)
    say(f"generating a synthetic corpus of {n:,} articles")
    checked(run([PY, str(HERE / "synthetic.py"), str(root), "--articles", str(n)]), "generator")
    return root


def edit_annotation(root: Path, n: int, round_: int) -> Path:
    """Change the note of the first mention of one article's annotation."""
    path = root / "raw" / "annotations" / f"syn-{n // 2 + 1:06d}.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("  - event:"))
    end = next((i for i in range(first + 1, len(lines)) if lines[i].startswith("  - event:")), len(lines))
    note = f'    note: "edited for the incremental benchmark, round {round_}"'
    where = next((i for i in range(first, end) if lines[i].startswith("    note:")), None)
    if where is None:
        lines.insert(first + 2, note)
    else:
        lines[where] = note
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def build_figures(out: Path, sizes: Sizes, rows: list[Row], details: dict) -> None:
    n = sizes.articles
    root = corpus(out, n)
    build = [*CLI, "build", "--root", str(root), "--quiet"]

    say(f"figure 1: floor and full build of {n:,} articles")
    shutil.rmtree(out / f"floor-{n}", ignore_errors=True)
    floor = checked(run([PY, str(HERE / "floor.py"), str(root), str(out / f"floor-{n}")]), "floor")
    clean(root)
    full = checked(run(build), "full build")
    rows.append(
        Row(f"1 full build, {n:,} articles (s)", full.seconds, floor.seconds, "s", "<= 2.0x floor", 2.0)
    )
    rows.append(
        Row(
            "1 full build, CPU time (s)",
            full.cpu,
            floor.cpu,
            "s",
            "(context)",
            None,
            "user + system; steadier than wall time on a shared machine",
        )
    )
    rows.append(
        Row("1 articles per second", n / full.seconds, n / floor.seconds, "/s", "", None, "higher is better")
    )
    rows.append(
        Row(
            "1 peak RSS of the build (MB)",
            full.rss / 1e6,
            floor.rss / 1e6,
            "MB",
            "",
            None,
            "floor: same files, no checks",
        )
    )
    details["full build"] = asdict(full) | {"out": "", "err": full.err[-500:]}
    details["floor"] = asdict(floor) | {"out": "", "err": floor.err[-500:]}

    say("figure 2: incremental builds after one annotation changes")
    incremental = []
    for round_ in range(sizes.short_repeat):
        edit_annotation(root, n, round_)
        incremental.append(checked(run(build), "incremental build").seconds)
    incr_digests = digests(root)
    rows.append(
        Row(
            "2 incremental build, one annotation changed (s)",
            statistics.median(incremental),
            full.seconds,
            "s",
            "<= 0.10x full",
            0.10,
            f"median of {len(incremental)}; baseline: the full build of figure 1",
        )
    )

    say("figure 3: full builds without cache, 1 and 2 workers")
    times: dict[int, list[float]] = {1: [], 2: []}
    cpu: dict[int, list[float]] = {1: [], 2: []}
    same = True
    burn_n = 30_000_000 if sizes is not QUICK else 5_000_000
    burns = [cpu_parallelism(burn_n)]
    for _ in range(sizes.build_repeat):
        for workers in (1, 2):
            clean(root, cache=False)
            measure = checked(
                run([*build, "--no-cache", "--workers", str(workers)]), f"{workers}-worker build"
            )
            times[workers].append(measure.seconds)
            cpu[workers].append(measure.cpu)
            same = same and digests(root) == incr_digests
    details["identical outputs (incremental, 1 worker, 2 workers)"] = same
    if not same:
        raise SystemExit("outputs differ between the incremental, 1-worker and 2-worker builds")
    burns.append(cpu_parallelism(burn_n))
    burn = statistics.mean(burns)
    details["machine parallelism before and after"] = burns
    rows.append(
        Row(
            "3 full build, 2 workers (s)",
            min(times[2]),
            min(times[1]),
            "s",
            "<= 0.6x 1 worker",
            0.6,
            f"best of {len(times[2])}; outputs byte-identical to the incremental build: {same}",
        )
    )
    rows.append(
        Row(
            "3 full build, 2 workers, against the floor (s)",
            min(times[2]),
            floor.seconds,
            "s",
            "(context)",
            None,
            "baseline: the floor of figure 1 (one process)",
        )
    )
    dask_figure(root, build, floor, incr_digests, sizes, rows, details)
    rows.append(
        Row(
            "3 machine: 2 CPU-bound processes at once",
            burn,
            1.0,
            "",
            "(context)",
            None,
            "wall of 2 processes doing 1 unit each / 2 units alone; 0.5 = two real cores",
        )
    )
    details["parallel wall"] = times
    details["parallel cpu"] = cpu

    scaled = scale_figures(out, sizes, rows, details)

    say("figure 6: memory at each corpus size")
    # Every point from a build without the cache, as figure 9's are: a cached build (figure 1's)
    # also holds every article's cache entry until the end.
    rss = {size: measured["rss"] for size, measured in scaled.items()}
    for size in sizes.memory:
        if size not in rss:
            other = corpus(out, size)
            clean(other)
            rss[size] = checked(
                run([*CLI, "build", "--root", str(other), "--quiet", "--no-cache"]), "build"
            ).rss
    imports, modules = imports_of_a_build(out, min(rss))
    tables = {n: table_memory(root)} | {size: measured["tables"] for size, measured in scaled.items()}
    for size in sorted(rss):
        if size not in tables:
            rows.append(Row(f"6 peak RSS, {size:,} articles (MB)", rss[size] / 1e6, None, "MB"))
            continue
        rows.append(
            Row(
                f"6 peak RSS without imports, {size:,} articles (MB)",
                (rss[size] - imports) / 1e6,
                tables[size]["pandas"] / 1e6,
                "MB",
                "<= 3x tables",
                3.0,
                f"peak RSS {rss[size] / 1e6:,.0f} MB less the {imports / 1e6:.0f} MB of the imports "
                f"(the {modules} modules a build loads, imported alone); baseline: "
                f"in-memory size of the output tables (pandas, deep; Arrow {tables[size]['arrow'] / 1e6:.0f} MB)",
            )
        )
    ordered = sorted(rss)
    if len(ordered) >= 2:
        low, high = ordered[0], ordered[-1]
        per_article = (rss[high] - rss[low]) / (high - low)
        details["memory per article (bytes)"] = per_article
        details["memory curve (bytes)"] = rss
        details["memory of the imports alone (bytes)"] = imports


def imports_of_a_build(out: Path, articles: int) -> tuple[int, int]:
    """Peak RSS of a process that imports every module a build of ``articles`` articles loads
    (found by that build, run in a process of its own), with no data; and how many they are.

    Some modules a build loads only on the way (pandera imports dask.dataframe, when it is
    installed, the first time it makes a schema): importing the command's modules alone left
    them out, and their memory was counted as the build's data.
    """
    root = corpus(out, articles)
    clean(root)
    listed = out / "build-modules.json"
    checked(run([PY, str(HERE / "run.py"), "--task", "build-modules", str(root), str(listed)]), "modules")
    measure = checked(run([PY, str(HERE / "run.py"), "--task", "import-modules", str(listed)]), "imports")
    return measure.rss, len(json.loads(listed.read_text(encoding="utf-8")))


def task_build_modules(root: Path, listed: Path) -> None:
    """Build ``root`` in this process as the command line does; list the modules it loaded."""
    from caucasus_events import cli

    before = set(sys.modules)
    if cli.main(["build", "--root", str(root), "--quiet", "--no-cache"]) != 0:
        raise SystemExit("the build failed")
    loaded = sorted(name for name in set(sys.modules) - before if name != "__main__")
    listed.write_text(json.dumps(loaded), encoding="utf-8")


def task_import_modules(listed: Path) -> None:
    """Import every module of ``listed`` (those a build loaded), as the build's process has them."""
    import importlib

    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")  # as the command sets it
    for name in json.loads(listed.read_text(encoding="utf-8")):
        try:
            importlib.import_module(name)
        except ImportError:  # a module loaded only as a part of another one, such as a shim
            continue


def table_memory(root: Path) -> dict[str, int]:
    """In-memory size of a built project's tables: pandas (deep) and Arrow, in bytes."""
    return json.loads(
        checked(run([PY, str(HERE / "run.py"), "--task", "table-memory", str(root)]), "table memory").out
    )


def scale_figures(out: Path, sizes: Sizes, rows: list[Row], details: dict) -> dict[int, dict]:
    """Figure 9: at each size of ``sizes.scale``, the floor and every engine, outputs compared.

    Returns the peak RSS of the one-process build and the size of the tables, by corpus size,
    for figure 6.
    """
    measured = {}
    for n in sizes.scale:
        say(f"figure 9: floor and every engine at {n:,} articles")
        root = corpus(out, n)
        build = [*CLI, "build", "--root", str(root), "--quiet", "--no-cache"]
        shutil.rmtree(out / f"floor-{n}", ignore_errors=True)
        floor = checked(run([PY, str(HERE / "floor.py"), str(root), str(out / f"floor-{n}")]), "floor")
        shutil.rmtree(out / f"floor-{n}", ignore_errors=True)
        runs = {}
        expected = None
        for label, extra in (
            ("1 worker", []),
            ("2 workers", ["--workers", "2"]),
            ("Dask", ["--engine", "dask"]),
        ):
            if label == "Dask" and importlib.util.find_spec("dask") is None:
                say("figure 9: Dask skipped (the 'dask' extra is not installed)")
                continue
            clean(root, cache=False)
            runs[label] = checked(run([*build, *extra]), f"{label} build of {n:,} articles")
            found = digests(root)
            expected = expected or found
            if found != expected:
                raise SystemExit(f"outputs differ between engines at {n:,} articles ({label})")
        for label, measure in runs.items():
            rows.append(
                Row(
                    f"9 full build, {n:,} articles, {label} (s)",
                    measure.seconds,
                    floor.seconds,
                    "s",
                    "<= 2.0x floor" if label == "1 worker" else "(context)",
                    2.0 if label == "1 worker" else None,
                    f"CPU {measure.cpu:,.0f} s against the floor's {floor.cpu:,.0f} s; baseline: the floor; "
                    "outputs byte-identical across engines",
                )
            )
        rows.append(
            Row(
                f"9 full build, {n:,} articles, 2 workers against 1 (s)",
                runs["2 workers"].seconds,
                runs["1 worker"].seconds,
                "s",
                "<= 0.6x 1 worker",
                0.6,
                "once each",
            )
        )
        measured[n] = {"rss": runs["1 worker"].rss, "tables": table_memory(root)}
        details[f"scale {n}"] = {
            label: asdict(m) | {"out": "", "err": m.err[-300:]} for label, m in runs.items()
        }
        details[f"scale {n} floor"] = asdict(floor) | {"out": "", "err": floor.err[-300:]}
    return measured


def dask_figure(
    root: Path, build: list[str], floor: Measure, expected: dict, sizes: Sizes, rows: list[Row], details: dict
) -> None:
    """Figure 3c: the build on a Dask LocalCluster of two worker processes, against the floor."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        say("figure 3c skipped: Dask is not installed (the 'dask' extra)")
        return
    say("figure 3c: full build on a Dask LocalCluster of 2 workers")
    times = []
    for _ in range(sizes.build_repeat):
        clean(root, cache=False)
        times.append(checked(run([*build, "--no-cache", "--engine", "dask"]), "Dask build").seconds)
    same = digests(root) == expected
    if not same:
        raise SystemExit("outputs differ between the Dask and the local engine")
    rows.append(
        Row(
            "3c full build, Dask LocalCluster, 2 workers (s)",
            min(times),
            floor.seconds,
            "s",
            "(context)",
            None,
            f"best of {len(times)}, cluster start included; baseline: the floor; outputs byte-identical: {same}",
        )
    )
    details["dask wall"] = times


def synthetic_package(out: Path, sizes: Sizes) -> Path:
    """The synthetic built package of figures 4, 5, 7 and 8, written once per size."""
    package = out / f"package-{sizes.events}-{sizes.mentions}"
    if not (package / "SYNTHETIC.md").is_file():
        shutil.rmtree(package, ignore_errors=True)
        say(f"writing a synthetic package of {sizes.events:,} events and {sizes.mentions:,} mentions")
        checked(
            run(
                [
                    PY,
                    str(HERE / "tables.py"),
                    str(package),
                    "--events",
                    str(sizes.events),
                    "--mentions",
                    str(sizes.mentions),
                    "--articles",
                    str(sizes.table_articles),
                ],
            ),
            "package writer",
        )
    return package


def table_figures(out: Path, sizes: Sizes, rows: list[Row], details: dict) -> None:
    package = synthetic_package(out, sizes)
    say("figure 4: validation, ours (--fast) and hand-written pandas checks")
    ours, base = [], []
    for _ in range(max(1, sizes.build_repeat)):
        ours.append(checked(run([*CLI, "validate", "--fast", "--quiet", str(package)]), "validate --fast"))
        base.append(checked(run([PY, str(HERE / "pandas_checks.py"), str(package)]), "pandas checks"))
    best_ours = min(ours, key=lambda m: m.seconds)
    best_base = min(base, key=lambda m: m.seconds)
    rows.append(
        Row(
            f"4 validate --fast, {sizes.events:,} events + {sizes.mentions:,} mentions (s)",
            best_ours.seconds,
            best_base.seconds,
            "s",
            "<= 1.5x pandas",
            1.5,
            f"best of {len(ours)}; peak RSS {best_ours.rss / 1e6:.0f} MB vs {best_base.rss / 1e6:.0f} MB",
        )
    )

    say("figure 5: loading the events table in fresh processes")
    path = package / "processed" / "events.parquet"
    ours_code = (
        "import pathlib, caucasus_events as ce\n"
        "from caucasus_events import settings\n"
        f"settings.installed_data = lambda: pathlib.Path({str(package)!r})\n"
        "ce.load('events')\n"
    )
    base_code = f"import pandas as pd\npd.read_parquet({str(path)!r})\n"
    load_ours, load_base = [], []
    for _ in range(sizes.short_repeat):
        load_ours.append(checked(run([PY, "-c", ours_code]), "ce.load").seconds)
        load_base.append(checked(run([PY, "-c", base_code]), "pd.read_parquet").seconds)
    rows.append(
        Row(
            f"5 load events ({sizes.events:,} rows), fresh process (s)",
            statistics.median(load_ours),
            statistics.median(load_base),
            "s",
            "<= 1.15x pandas",
            1.15,
            f"median of {len(load_ours)}, import included",
        )
    )
    details["load ours"] = load_ours
    details["load pandas"] = load_base
    large_release_figure(package, sizes, rows, details)

    say("figure 7: Parquet codecs")
    codecs = json.loads(
        checked(run([PY, str(HERE / "run.py"), "--task", "codecs", str(package)]), "codecs").out
    )
    details["codecs"] = codecs
    current = next(c for c in codecs if c["current"])
    snappy = next(c for c in codecs if c["codec"] == "snappy")
    rows.append(
        Row(
            "7 Parquet bytes per event (zstd-9, ours)",
            current["bytes_per_row"],
            snappy["bytes_per_row"],
            "B",
            "(choice, see codecs)",
            None,
            "baseline: snappy, pyarrow's default",
        )
    )

    say(f"figure 4b: frictionless validate on the same CSVs (time limit {sizes.frictionless_timeout:g} s)")
    frictionless = shutil.which("frictionless", path=str(Path(PY).parent)) or "frictionless"
    fl = run(
        [frictionless, "validate", str(package / "datapackage.json")], timeout=sizes.frictionless_timeout
    )
    details["frictionless"] = {
        "seconds": fl.seconds,
        "code": fl.code,
        "timed_out": fl.timed_out,
        "tail": fl.out[-800:],
    }
    rows.append(
        Row(
            "4b frictionless validate, same CSVs (s)",
            None if fl.timed_out else fl.seconds,
            best_ours.seconds,
            "s",
            "(comparison)",
            None,
            (f"stopped after {fl.seconds:.0f} s" if fl.timed_out else f"exit code {fl.code}")
            + "; baseline: ours, validate --fast",
        )
    )


#: Figure 8's selection: one year of events, three columns.
YEAR, COLUMNS = 2022, ["event_id", "date_start", "cameo_code"]
FILTERS = [("date_start", ">=", dt.date(YEAR, 1, 1)), ("date_start", "<", dt.date(YEAR + 1, 1, 1))]


def large_release_figure(package: Path, sizes: Sizes, rows: list[Row], details: dict) -> None:
    """Figure 8: loading one year and three columns against loading the whole events table.

    Both loads run in one fresh process after the imports (see :func:`task_load_selection`):
    the interpreter start and the imports, which every load pays once whatever it reads, would
    otherwise hide what the selection saves. pyarrow's own push-down is timed the same way, as
    the reference.
    """
    say("figure 8: loading one year and three columns of the events table, in one process")
    measure = checked(
        run(
            [
                PY,
                str(HERE / "run.py"),
                "--task",
                "load-selection",
                "--repeat",
                str(sizes.short_repeat),
                str(package),
            ]
        ),
        "load selection",
    )
    times = json.loads(measure.out)
    median = {k: statistics.median(v) for k, v in times.items() if isinstance(v, list)}
    cpu = {k: statistics.median(v) for k, v in times["cpu"].items()}
    what = f"{YEAR} and {', '.join(COLUMNS)} ({times['rows']['selection']:,} rows)"
    rows.append(
        Row(
            f"8 load one year and three columns of {sizes.events:,} events, after import (s)",
            median["selection"],
            median["whole"],
            "s",
            "<= 0.2x whole table",
            0.2,
            f"median of {len(times['selection'])}, alternating with load('events') in one process; "
            f"{what}; baseline: load('events'); CPU time ratio {cpu['selection'] / cpu['whole']:.2f}",
        )
    )
    rows.append(
        Row(
            "8 import caucasus_events, pandas and pyarrow, paid once (s)",
            times["import"],
            None,
            "s",
            "(apart)",
            None,
            "the same fresh process, before the loads",
        )
    )
    rows.append(
        Row(
            "8 pyarrow: same selection, pushed down (s)",
            median["pyarrow selection"],
            median["pyarrow whole"],
            "s",
            "(reference)",
            None,
            f"median of {len(times['pyarrow selection'])}, same process; read_table + to_pandas; "
            f"baseline: whole table; CPU time ratio {cpu['pyarrow selection'] / cpu['pyarrow whole']:.2f}",
        )
    )
    details["figure 8 (s)"] = times


def task_load_selection(package: Path, repeat: int) -> None:
    """Print the import time, then alternating timings of whole-table and figure 8 loads.

    ``load`` reads the installed release, so ``package`` is made the installed one. Each result
    is dropped only after its time is taken: freeing a whole table is not the load's work.
    """
    started = time.perf_counter()
    import pyarrow.parquet as pq

    import caucasus_events as ce
    from caucasus_events import settings

    load = ce.load  # imports loading, with pandas and pyarrow, as a first load would
    imported = time.perf_counter() - started
    settings.installed_data = lambda: package
    path = package / "processed" / "events.parquet"
    calls = {
        "whole": lambda: load("events"),
        "selection": lambda: load("events", columns=COLUMNS, filters=FILTERS),
        "pyarrow whole": lambda: pq.read_table(path).to_pandas(),
        "pyarrow selection": lambda: pq.read_table(path, columns=COLUMNS, filters=FILTERS).to_pandas(),
    }
    times: dict = {"import": imported, "rows": {}, "cpu": {name: [] for name in calls}}
    times |= {name: [] for name in calls}
    for pair in (("whole", "selection"), ("pyarrow whole", "pyarrow selection")):
        for _ in range(repeat):
            for name in pair:
                started, cpu = time.perf_counter(), time.process_time()
                frame = calls[name]()
                times[name].append(time.perf_counter() - started)
                times["cpu"][name].append(time.process_time() - cpu)
                times["rows"][name] = len(frame)
                del frame
    print(json.dumps(times))


def task_table_memory(root: Path) -> None:
    """Print the in-memory size of the built tables (pandas deep, and Arrow)."""
    import pyarrow.parquet as pq

    from caucasus_events.frames import to_frame

    total = {"pandas": 0, "arrow": 0}
    for path in sorted((root / "processed").glob("*.parquet")):
        schema = json.loads((root / "schemas" / f"{path.stem}.json").read_text(encoding="utf-8"))
        table = pq.read_table(path)
        total["arrow"] += table.nbytes
        total["pandas"] += int(to_frame(table, schema).memory_usage(deep=True).sum())
    print(json.dumps(total))


def task_codecs(package: Path) -> None:
    """Print size and write/read time of the events and mentions tables under several codecs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from caucasus_events.build import serialize

    results = []
    choices = [
        ("zstd", 9),
        ("zstd", 3),
        ("snappy", None),
        ("gzip", 6),
        ("lz4", None),
        ("brotli", 5),
        ("none", None),
    ]
    for table_name in ("events", "mentions"):
        table = pq.read_table(package / "processed" / f"{table_name}.parquet")
        for codec, level in choices:
            options = {**serialize.PARQUET_OPTIONS, "compression": codec, "compression_level": level}
            if level is None:
                del options["compression_level"]
            started = time.perf_counter()
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, **options)
            data = sink.getvalue()
            write = time.perf_counter() - started
            reads = []
            for _ in range(3):
                started = time.perf_counter()
                pq.read_table(pa.BufferReader(data)).to_pandas()
                reads.append(time.perf_counter() - started)
            results.append(
                {
                    "table": table_name,
                    "codec": f"{codec}-{level}" if level is not None else codec,
                    "current": table_name == "events"
                    and codec == serialize.PARQUET_OPTIONS["compression"]
                    and level == serialize.PARQUET_OPTIONS["compression_level"],
                    "bytes": data.size,
                    "bytes_per_row": data.size / table.num_rows,
                    "write_s": write,
                    "read_s": min(reads),
                }
            )
    print(json.dumps(results))


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "/s" or value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def table(rows: list[Row]) -> list[str]:
    head = ["figure", "ours", "baseline", "ratio", "target", "met"]
    body = [
        [
            r.figure,
            fmt(r.ours, r.unit),
            fmt(r.baseline, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.target,
            {True: "yes", False: "NO", None: ""}[r.met],
        ]
        for r in rows
    ]
    return [head, *body]


def plain(rows: list[Row]) -> str:
    cells = table(rows)
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def markdown(rows: list[Row], info: dict, details: dict, command: str) -> str:
    cells = table(rows)
    lines = [
        f"Measured with `{command}` on {time.strftime('%Y-%m-%d')}.",
        "",
        "| " + " | ".join(cells[0]) + " | note |",
        "|" + "---|" * (len(cells[0]) + 1),
    ]
    lines += ["| " + " | ".join(row) + f" | {r.note} |" for row, r in zip(cells[1:], rows, strict=True)]
    lines += ["", "Machine:", ""]
    lines += [f"- {k}: {v}" for k, v in info.items()]
    if "codecs" in details:
        lines += [
            "",
            "Parquet codecs (figure 7; same rows, row groups and dictionaries; read = read_table + to_pandas, best of 3):",
            "",
        ]
        lines += ["| table | codec | bytes | bytes/row | write s | read s |", "|---|---|---|---|---|---|"]
        lines += [
            f"| {c['table']} | {c['codec']}{' (ours)' if c['current'] else ''} | {c['bytes']:,} | {c['bytes_per_row']:.1f} | {c['write_s']:.2f} | {c['read_s']:.3f} |"
            for c in details["codecs"]
        ]
    if "memory curve (bytes)" in details:
        curve = ", ".join(
            f"{k:,} articles: {v / 1e6:.0f} MB" for k, v in sorted(details["memory curve (bytes)"].items())
        )
        lines += [
            "",
            f"Memory curve (figure 6): {curve}; {details['memory per article (bytes)'] / 1e3:.1f} kB more per article; "
            f"the imports alone take {details['memory of the imports alone (bytes)'] / 1e6:.0f} MB.",
        ]
    if "parallel wall" in details:
        walls = {k: ", ".join(f"{t:.1f}" for t in v) for k, v in details["parallel wall"].items()}
        cpus = {k: ", ".join(f"{t:.1f}" for t in v) for k, v in details["parallel cpu"].items()}
        lines += ["", f"Parallel builds (figure 3): wall s {walls}; CPU s (all processes) {cpus}."]
    return "\n".join(lines)


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.is_file() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text or END not in text:
        text += f"\n{START}\n{END}\n"
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    path.write_text(f"{before}{START}\n{block}\n{END}{after}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    cli.add_argument("--quick", action="store_true", help="small sizes, to try the harness out")
    cli.add_argument(
        "--huge",
        action="store_true",
        help="also run every engine and the floor on 100,000 articles (figures 6 and 9)",
    )
    cli.add_argument("--out", type=Path, default=HERE / "out", help="work folder (default benchmarks/out)")
    cli.add_argument("--markdown", type=Path, help="write the results into this file (e.g. BENCHMARKS.md)")
    cli.add_argument(
        "--only",
        choices=["builds", "tables", "load"],
        help="measure only one group of figures (load: figure 8 alone)",
    )
    cli.add_argument("--articles", type=int, help="articles of the build figures (default 10,000)")
    cli.add_argument("--repeat", type=int, help="runs of each long figure, best kept (default 2)")
    cli.add_argument("--frictionless-timeout", type=float, help="seconds before frictionless is stopped")
    cli.add_argument("--task", help=argparse.SUPPRESS)
    cli.add_argument("target", nargs="?", type=Path, help=argparse.SUPPRESS)
    cli.add_argument("listed", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = cli.parse_args(argv)
    if args.task == "table-memory":
        task_table_memory(args.target)
        return 0
    if args.task == "build-modules":
        task_build_modules(args.target, args.listed)
        return 0
    if args.task == "import-modules":
        task_import_modules(args.target)
        return 0
    if args.task == "codecs":
        task_codecs(args.target)
        return 0
    if args.task == "load-selection":
        task_load_selection(args.target, args.repeat or Sizes.short_repeat)
        return 0

    sizes = QUICK if args.quick else Sizes()
    if args.huge:
        sizes.scale = (100_000,)
    if args.articles:
        sizes.articles = args.articles
        sizes.memory = tuple(sorted({*(m for m in sizes.memory if m < args.articles), args.articles}))
    if args.repeat:
        sizes.build_repeat = args.repeat
    if args.frictionless_timeout:
        sizes.frictionless_timeout = args.frictionless_timeout
    if (
        args.out.resolve() == (REPO / "raw").resolve()
        or (REPO / "raw").resolve() in args.out.resolve().parents
    ):
        raise SystemExit("--out must not be in raw/")
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    details: dict = {}
    info = machine() | snapshot(args.out)
    say("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    if args.only in (None, "builds"):
        build_figures(args.out, sizes, rows, details)
    if args.only in (None, "tables"):
        table_figures(args.out, sizes, rows, details)
    if args.only == "load":
        large_release_figure(synthetic_package(args.out, sizes), sizes, rows, details)
    rows.sort(key=lambda r: r.figure[:2])
    print(plain(rows))
    (args.out / "results.json").write_text(
        json.dumps(
            {"machine": info, "rows": [asdict(r) | {"ratio": r.ratio} for r in rows], "details": details},
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    if args.markdown:
        command = " ".join(["python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])])
        write_markdown(args.markdown, markdown(rows, info, details, command))
        say(f"wrote {args.markdown}")
    missed = [r.figure for r in rows if r.met is False]
    if missed:
        say("targets not met: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
