"""The ten fault classes of issue 13, each reproduced, and property-based hunts for more.

Every case runs the command line in this process on a copy of the built synthetic project and
checks how it ends: exit 2, a message naming the path (and line and field where there is
one), and outputs byte-for-byte unchanged. Permission faults are simulated in-process (the
test suite runs as root in CI, where a chmod 000 file is still readable).
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, make_project
from error_cases import run_cli, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caucasus_events import archive
from caucasus_events.archive import ArchiveError
from caucasus_events.build import inventory, output, quotes, safefile
from caucasus_events.build.dates import WEEKDAYS, resolve_relative
from caucasus_events.build.quotes import QuoteError, resolve
from caucasus_events.build.validate import validate_package

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
ANN = "raw/annotations/synthetic-readout.yaml"
META = "raw/articles/synthetic-readout.yaml"
EVENTS = "raw/events/events.yaml"
TYPES = "raw/codebooks/plover_types.csv"
CAMEO = "raw/codebooks/cameo_codes.csv"
#: A problem line: ``path[:line]: field: message``.
PROBLEM = re.compile(r"^[^\s:]+(:\d+)?: .+?: .+")  # a field may hold spaces: a user's key


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(root: Path, *expected: str, argv: tuple[str, ...] = ("build",)) -> str:
    """Run ``argv`` on ``root``: exit 2, every expected fragment in stderr, outputs unchanged."""
    before = snapshot(root)
    code, _, err = run_cli([*argv, "--root", str(root), "--quiet", "--wait", "1"])
    assert code == 2, err
    for fragment in expected:
        assert fragment in err, err
    assert snapshot(root) == before
    return err


def next_version(root: Path) -> None:
    """A harmless change to raw/, so that a build has new outputs to commit."""
    edit(root, EVENTS, "The minister calls", "The minister phones")


# -- 1. Silent wrong output ------------------------------------------------------------------


def test_annotation_saved_under_another_name(built_copy: Path) -> None:
    os.rename(built_copy / ANN, built_copy / "raw/annotations/synthetic-readout.yml")
    refused(
        built_copy,
        "raw/annotations/synthetic-readout.yml: -: file is not read by the build",
        "did you mean raw/annotations/synthetic-readout.yaml?",
    )


@pytest.mark.parametrize(
    "rel", ["raw/codebooks/extra.csv", "raw/event/events.yaml", "raw/notes.txt", "raw/articles/x.txt"]
)
def test_unread_file_under_raw(built_copy: Path, rel: str) -> None:
    (built_copy / rel).parent.mkdir(exist_ok=True)
    (built_copy / rel).write_text("x\n", encoding="utf-8")
    refused(built_copy, f"{rel}: -: ")


def test_hidden_files_are_ignored_by_the_stated_rule(built_copy: Path) -> None:
    (built_copy / "raw/annotations/.gitkeep").write_text("", encoding="utf-8")
    (built_copy / "raw/.DS_Store").write_bytes(b"\0")
    assert run_cli(["build", "--check", "--root", str(built_copy)])[0] == 0


@pytest.mark.parametrize("written", ["False", "TRUE", "yes", "0", ""])
def test_codebook_boolean_strict(built_copy: Path, written: str) -> None:
    edit(
        built_copy, TYPES, "AGREE,1,verbal_cooperation,2.5,false", f"AGREE,1,verbal_cooperation,2.5,{written}"
    )
    refused(built_copy, f"{TYPES}:2: requires_recipient: ", "(expected true or false, in lower case)")


# -- 2. Derived values trusted blindly --------------------------------------------------------


def test_cameo_root_not_the_prefix(built_copy: Path) -> None:
    edit(built_copy, CAMEO, "011,Decline comment,-0.1,01", "011,Decline comment,-0.1,02")
    refused(built_copy, f"{CAMEO}:4: root: '02' (expected '01', the code's first two digits)")


def test_quad_name_contradicts_class(built_copy: Path) -> None:
    edit(built_copy, TYPES, "AGREE,1,verbal_cooperation", "AGREE,1,material_conflict")
    refused(built_copy, f"{TYPES}:2: quad_name: 'material_conflict' (expected 'verbal_cooperation'")


def test_codebook_value_outside_its_categories(built_copy: Path) -> None:
    edit(built_copy, "raw/codebooks/cameo_plover.csv", ",caucasus-events,", ",!aucasus-events,")
    refused(
        built_copy, "raw/codebooks/cameo_plover.csv:2: basis: '!aucasus-events' (expected one of: plover-2021"
    )


def test_mapping_names_an_unknown_mode(built_copy: Path) -> None:
    path = built_copy / "raw/codebooks/cameo_plover.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if ",CONSULT,phone," in line)
    lines[number] = lines[number].replace(",CONSULT,phone,", ",CONSULT,telepathy,")
    path.write_text("".join(lines), encoding="utf-8")
    refused(
        built_copy, f"raw/codebooks/cameo_plover.csv:{number + 1}: mode: 'telepathy' is not a mode of CONSULT"
    )


# -- 3. Atomic commit when an output cannot be replaced ----------------------------------------


def test_folder_where_an_output_goes(built_copy: Path) -> None:
    next_version(built_copy)
    (built_copy / "processed/events.csv").unlink()
    (built_copy / "processed/events.csv").mkdir()
    refused(built_copy, "processed/events.csv: -: a folder is where the build must write a file")
    # Once the folder is moved away, the build works again (no repair by hand of anything else).
    (built_copy / "processed/events.csv").rmdir()
    assert run_cli(["build", "--root", str(built_copy), "--quiet"])[0] == 0


def test_unwritable_output_folder(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    next_version(built_copy)
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and Path(dir).name == "processed":
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(output.tempfile, "mkstemp", mkstemp)
    refused(built_copy, "processed: -: folder is not writable")


def test_no_space_is_found_before_anything_is_written(
    built_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    next_version(built_copy)
    monkeypatch.setattr(output.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(10**9, 10**9, 10))
    refused(built_copy, "bytes free on the device (expected at least")


def test_no_space_while_staging(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    next_version(built_copy)
    real, count = output._fsync_write, [0]

    def full(path: Path, data: bytes) -> None:
        count[0] += 1
        if count[0] == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(output, "_fsync_write", full)
    refused(built_copy, "No space left on device (expected free space on the device for the outputs)")
    assert not (built_copy / output.STAGING).exists()


# -- 4. Deleting what it did not write ----------------------------------------------------------


def test_recovery_never_acts_outside_the_outputs(built_copy: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    staging = built_copy / output.STAGING
    staging.mkdir()
    plan = {"files": [], "remove": [os.path.relpath(victim, built_copy)]}
    (staging / output.MANIFEST).write_text(json.dumps(plan), encoding="utf-8")
    refused(built_copy, f"{output.STAGING}/{output.MANIFEST}: -: manifest names paths outside the outputs")
    assert victim.read_text(encoding="utf-8") == "keep me"


@pytest.mark.parametrize(
    "rel",
    [
        "datapackage.json",
        "processed/events.csv",
        "schemas/x.json",
        "raw/actors.yaml",
        "../x",
        "processed/../x",
    ],
)
def test_output_paths(rel: str) -> None:
    inside = rel in ("datapackage.json", "processed/events.csv", "schemas/x.json")
    assert output.is_output_path(rel) is inside


# -- 5. Input and environment faults: exit 2, never an internal error ------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            b"\xef\xbb\xbfcontext,description\n",
            "raw/codebooks/plover_contexts.csv:1: -: file starts with a byte-order mark",
        ),
        (
            "context,description\nasyl\u00fcm,x\n".encode("latin-1"),
            "raw/codebooks/plover_contexts.csv:2: -: not UTF-8",
        ),
        (
            b"context\nasylum\n",
            "raw/codebooks/plover_contexts.csv:1: -: header 'context' (expected 'context,description')",
        ),
        (b'context,description\n"asylum,x\n', "raw/codebooks/plover_contexts.csv"),
        (
            b"context,description\nasylum,x,y\n",
            "raw/codebooks/plover_contexts.csv:2: -: 3 cells (expected 2)",
        ),
    ],
)
def test_codebook_file_faults(built_copy: Path, data: bytes, expected: str) -> None:
    (built_copy / "raw/codebooks/plover_contexts.csv").write_bytes(data)
    refused(built_copy, expected)


def test_codebook_score_not_a_number(built_copy: Path) -> None:
    edit(built_copy, TYPES, "AGREE,1,verbal_cooperation,2.5", "AGREE,1,verbal_cooperation,high")
    refused(built_copy, f"{TYPES}:2: score: 'high' (expected a number such as -2.5)")


@pytest.mark.parametrize("rel", [EVENTS, ANN, "raw/articles/synthetic-readout.txt", "raw/actors.yaml", CAMEO])
def test_folder_where_a_file_is_expected(built_copy: Path, rel: str) -> None:
    (built_copy / rel).unlink()
    (built_copy / rel).mkdir()
    refused(built_copy, f"{rel}: -: ")


def test_unreadable_file(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def denied(path, flags, *args, **kwargs):
        if str(path).endswith("synthetic-readout.txt"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(safefile.os, "open", denied)
    refused(
        built_copy,
        "raw/articles/synthetic-readout.txt: -: cannot be opened: Permission denied",
        argv=("build", "--no-cache"),
    )


def test_oserror_anywhere_is_exit_2(built_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The one classification: any OSError reaching the command line is the machine's or the
    # user's fault, reported with its path; only other exceptions are internal errors.
    def broken(*_, **__):
        raise OSError(errno.EROFS, "Read-only file system", str(built_copy / "x"))

    monkeypatch.setattr(output, "commit", broken)
    next_version(built_copy)
    err = refused(built_copy)
    assert err.startswith(f"{built_copy / 'x'}: -: Read-only file system (expected a folder and files")


def test_root_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x", encoding="utf-8")
    code, _, err = run_cli(["build", "--root", str(tmp_path / "f")])
    assert code == 2 and "not a project folder (a file;" in err


def test_corrupt_staging_and_lock(built_copy: Path) -> None:
    (built_copy / output.STAGING).write_text("not a folder", encoding="utf-8")
    refused(built_copy, f"{output.STAGING}: -: not a folder")
    (built_copy / output.STAGING).unlink()
    (built_copy / output.STAGING).mkdir()
    (built_copy / output.STAGING / output.MANIFEST).write_bytes(b"\xff{")
    refused(built_copy, "unreadable manifest")
    shutil.rmtree(built_copy / output.STAGING)
    (built_copy / output.LOCK).unlink(missing_ok=True)
    (built_copy / output.LOCK).mkdir()
    refused(built_copy, f"{output.LOCK}: -: not a plain file (expected the build's lock file; remove it)")
    (built_copy / output.LOCK).rmdir()
    victim = built_copy / "raw" / "actors.yaml"
    kept = victim.read_bytes()
    (built_copy / output.LOCK).symlink_to(victim)
    refused(built_copy, f"{output.LOCK}: -: not a plain file")
    assert victim.read_bytes() == kept  # a link is never opened for writing


@pytest.mark.parametrize(
    "date",
    [
        "{start: 9999-12-01, end: 9999-12-31, precision: season}",
        "{start: 9999-12-31, end: 9999-12-31, precision: month}",
    ],
)
def test_dates_at_the_calendar_end(built_copy: Path, date: str) -> None:
    edit(built_copy, EVENTS, "date: {start: 2022-07-25, end: 2022-07-25, precision: day}", f"date: {date}")
    refused(built_copy, f"{EVENTS}:9: date.precision: ")


def test_place_without_its_optional_country_key(built_copy: Path) -> None:
    # Found by test_mutated_project_long: a place whose file ends before `country:` (an
    # optional key) ended in an internal error.
    edit(built_copy, "raw/places.yaml", "  country: ARM\n", "")
    code, _, err = run_cli(["build", "--check", "--root", str(built_copy)])
    assert code in (0, 1, 2) and "internal error" not in err, err


def test_bad_citation_file(built_copy: Path) -> None:
    (built_copy / "CITATION.cff").write_bytes(b"\xff\xfe")
    refused(built_copy, "CITATION.cff: -: unreadable")


# -- 6. Hangs --------------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("rel", [ANN, "raw/articles/synthetic-readout.txt", EVENTS, CAMEO])
def test_fifo_does_not_hang(built_copy: Path, rel: str) -> None:
    (built_copy / rel).unlink()
    os.mkfifo(built_copy / rel)
    proc = subprocess.run(
        [sys.executable, "-m", "caucasus_events.cli", "build", "--root", str(built_copy), "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails the test instead of the run
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{rel}: -: is a FIFO, socket or device (expected a regular file)" in proc.stderr


@pytest.mark.parametrize("value", ["-1", "nan", "-inf"])
def test_negative_wait_is_refused(built_copy: Path, value: str, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exc:
        run_cli(["build", "--root", str(built_copy), "--wait", value])
    assert exc.value.code == 2


# -- 7. Gaps in validate -----------------------------------------------------------------------


def test_edited_schema_file_fails_validate(built_copy: Path) -> None:
    path = built_copy / "schemas/places.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"required": true', '"required": false', 1), encoding="utf-8"
    )
    problems = validate_package(built_copy, frictionless=False)
    assert [str(p) for p in problems] == [
        "schemas/places.json: -: differs from the Table Schema the models give (expected it unedited)"
    ]


@pytest.mark.parametrize("key", ["name", "version", "licenses", "title", "profile"])
def test_required_descriptor_keys(built_copy: Path, key: str) -> None:
    path = built_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    del package[key]
    path.write_text(json.dumps(package), encoding="utf-8")
    problems = validate_package(built_copy, frictionless=False)
    assert f"datapackage.json: {key}: missing (expected the package's {key})" in [str(p) for p in problems]


def test_frictionless_exception_is_a_problem(built_copy: Path) -> None:
    path = built_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"][0]["dialect"] = "no-such-dialect.json"
    path.write_text(json.dumps(package), encoding="utf-8")
    code, _, err = run_cli(["validate", str(built_copy)])
    assert code == 2, err
    assert err.startswith("datapackage.json: -: frictionless: Dialect is not valid"), err


@pytest.mark.parametrize("where", ["schema", "path", "dialect"])
def test_descriptor_paths_outside_are_refused(built_copy: Path, tmp_path: Path, where: str) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("{}", encoding="utf-8")
    path = built_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    package["resources"][0][where] = str(outside)
    path.write_text(json.dumps(package), encoding="utf-8")
    code, _, err = run_cli(["validate", str(built_copy)])
    assert code == 2 and ("leaves the package" in err or "inside the package" in err), err


# -- 8. Resource limits -----------------------------------------------------------------------


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as out:
        for name, data in entries.items():
            out.writestr(name, data)
    return buffer.getvalue()


TOP = archive.folder_name("0.0.1")


def test_many_entries_under_a_per_entry_limit(tmp_path: Path) -> None:
    entries = {f"{TOP}/processed/z{i}.csv": b"\0" * archive.RATIO_FLOOR for i in range(40)}
    entries[f"{TOP}/SHA256SUMS"] = b""
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip(entries))
    with pytest.raises(ArchiveError, match=r"would unpack 41943040 bytes from \d+ \(more than 100 times"):
        archive.read(path)


def test_nearest_hint_is_bounded() -> None:
    text = "The minister spoke with the president about the talks. " * 20_000
    quote = "The ministre spoke with the presidnet about the talsk and more " * 4
    started = time.perf_counter()
    with pytest.raises(QuoteError, match="quote not found"):
        resolve(text, quote)
    assert time.perf_counter() - started < 5
    assert len(text) > quotes.MAX_HINT_TEXT  # the bound is what kept it short
    # Under the text bound, the fuzzy search is bounded by the product.
    text = text[: quotes.MAX_HINT_TEXT]
    started = time.perf_counter()
    assert quotes.nearest(text, quote) is None
    assert time.perf_counter() - started < 5
    assert len(text) * len(quote) > quotes.MAX_HINT_WORK


# -- 9. Messages at the right place --------------------------------------------------------------


def test_upper_case_sha256(built_copy: Path) -> None:
    path = built_copy / META
    text = path.read_text(encoding="utf-8")
    digest = re.search(r"sha256: ([0-9a-f]{64})", text).group(1)
    path.write_text(text.replace(digest, digest.upper()), encoding="utf-8")
    line = text[: text.index("sha256:")].count("\n") + 1
    refused(built_copy, f"{META}:{line}: sha256: {digest.upper()} is in upper case (expected lower-case hex")


def test_end_before_start_under_end(built_copy: Path) -> None:
    path = built_copy / ANN
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - event: E000001\n    quote: The Minister spoke today again\n"
        + "    date: {text: on 25 July, start: 2022-07-25, end: 2022-07-20, precision: range}\n",
        encoding="utf-8",
    )
    refused(built_copy, f"{ANN}:11: mentions[2].date.end: end 2022-07-20 is before start 2022-07-25")


def test_folder_without_raw(tmp_path: Path) -> None:
    code, _, err = run_cli(["build", "--root", str(tmp_path)])
    assert code == 2
    assert err.splitlines() == [
        f"{tmp_path}: not a project folder (a folder without raw/; expected the folder holding raw/, see docs/annotating.md)"
    ]


def test_check_quiet_says_why(built_copy: Path) -> None:
    # --quiet drops progress, never the reason the check failed (a bare exit 1 says nothing).
    next_version(built_copy)
    code, out, err = run_cli(["build", "--check", "--quiet", "--root", str(built_copy)])
    assert code == 1, err
    assert out.splitlines()[:2] == [
        "committed outputs are stale:",
        "datapackage.json: differs from what raw/ builds (run `caucasus-events build`)",
    ]


# -- 10. Strings that sneak past the checks ----------------------------------------------------------


@pytest.mark.parametrize("escape", ["\\0", "\\r", "\\e", "\\x7f", "\\x1b"])
def test_yaml_escape_control_characters(built_copy: Path, escape: str) -> None:
    edit(built_copy, ANN, "annotator: test", f'annotator: "te{escape}st"')
    refused(built_copy, f"{ANN}:2: -: text with control character")


@pytest.mark.parametrize(
    ("text", "quote"), [("Cafe\u0301 Europa", "Cafe"), ("Cafe\u0301 Europa", "\u0301 Europa")]
)
def test_quote_inside_a_combining_sequence(text: str, quote: str) -> None:
    with pytest.raises(QuoteError, match="inside a combining character sequence"):
        resolve(text, quote)
    assert resolve(text, "Cafe\u0301") == (0, 5)


# -- Property-based: whole projects mutated ------------------------------------------------------


def _flip(root: Path, rel: str, data: st.DataObject) -> None:
    raw = bytearray((root / rel).read_bytes())
    if raw:
        at = data.draw(st.integers(0, len(raw) - 1), label="offset")
        raw[at] = data.draw(st.integers(0, 255), label="byte")
    (root / rel).write_bytes(bytes(raw))


def _truncate(root: Path, rel: str, data: st.DataObject) -> None:
    raw = (root / rel).read_bytes()
    (root / rel).write_bytes(raw[: data.draw(st.integers(0, max(0, len(raw) - 1)), label="length")])


def _cell(root: Path, rel: str, data: st.DataObject) -> None:
    if not rel.endswith(".csv"):
        return _flip(root, rel, data)
    lines = (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)
    row = data.draw(st.integers(0, len(lines) - 1), label="row")
    cells = lines[row].rstrip("\n").split(",")
    column = data.draw(st.integers(0, len(cells) - 1), label="column")
    cells[column] = data.draw(
        st.one_of(
            st.sampled_from(["", "True", "1", "-11", "x", '"', "99", " 2", "ASSAULT", "01"]),
            st.text(max_size=6),
        ),
        label="cell",
    )
    lines[row] = ",".join(cells) + "\n"
    (root / rel).write_text("".join(lines), encoding="utf-8", errors="surrogatepass")


def _replace_by_folder(root: Path, rel: str, data: st.DataObject) -> None:
    (root / rel).unlink()
    (root / rel).mkdir()


def _replace_by_fifo(root: Path, rel: str, data: st.DataObject) -> None:
    (root / rel).unlink()
    os.mkfifo(root / rel)


def _rename(root: Path, rel: str, data: st.DataObject) -> None:
    suffix = data.draw(st.sampled_from([".yml", ".YAML", ".bak", ".yaml.txt", ""]), label="suffix")
    os.rename(root / rel, root / (rel.rsplit(".", 1)[0] + suffix))


def _remove(root: Path, rel: str, data: st.DataObject) -> None:
    (root / rel).unlink()


MUTATIONS = {
    "flip": _flip,
    "truncate": _truncate,
    "cell": _cell,
    "folder": _replace_by_folder,
    "rename": _rename,
    "remove": _remove,
    **({"fifo": _replace_by_fifo} if hasattr(os, "mkfifo") else {}),
}
RAW_FILES = [
    ANN,
    META,
    EVENTS,
    "raw/articles/synthetic-readout.txt",
    "raw/actors.yaml",
    "raw/places.yaml",
    "raw/retired.yaml",
    CAMEO,
    TYPES,
    "raw/codebooks/plover_modes.csv",
    "raw/codebooks/plover_contexts.csv",
    "raw/codebooks/cameo_plover.csv",
    "CITATION.cff",
]
#: Environment faults applied around the build: each makes an in-process system call fail.
ENVIRONMENT = ("none", "unwritable-processed", "no-space", "enospc-staging", "folder-at-output")


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("faultclasses") / "base")
    assert run_cli(["build", "--root", str(root), "--quiet"])[0] == 0
    return root


def _environment(kind: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if kind == "unwritable-processed":

        def mkstemp(*args, dir=None, **kwargs):
            raise PermissionError(errno.EACCES, "Permission denied", str(dir))

        monkeypatch.setattr(output.tempfile, "mkstemp", mkstemp)
    elif kind == "no-space":
        monkeypatch.setattr(output.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(1, 1, 0))
    elif kind == "enospc-staging":

        def full(path, data):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))

        monkeypatch.setattr(output, "_fsync_write", full)
    elif kind == "folder-at-output":
        (root / "schemas/places.json").unlink()
        (root / "schemas/places.json").mkdir()


def check_project_fault(base: Path, data: st.DataObject) -> None:
    """Mutate a copy of ``base`` (files and environment); build: exit 0 or 2, never 1."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as monkeypatch:
        root = Path(tmp) / "p"
        shutil.copytree(base, root, symlinks=True)
        for _ in range(data.draw(st.integers(1, 2), label="mutations")):
            name = data.draw(st.sampled_from(sorted(MUTATIONS)), label="mutation")
            rel = data.draw(st.sampled_from([r for r in RAW_FILES if (root / r).is_file()]), label="file")
            event(name)
            MUTATIONS[name](root, rel, data)
        environment = data.draw(st.sampled_from(ENVIRONMENT), label="environment")
        _environment(environment, root, monkeypatch)
        before = snapshot(root)
        code, _, err = run_cli(["build", "--root", str(root), "--quiet", "--no-cache", "--wait", "0"])
        event(f"exit {code}")
        assert code in (0, 2), err
        if code == 2:
            lines = [line for line in err.splitlines() if line]
            assert lines and (PROBLEM.match(lines[0]) or "not a project folder" in lines[0]), err
            assert snapshot(root) == before
        else:  # every environment fault stops a build that reached the commit
            assert environment == "none", err


@settings(max_examples=25 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_project(built_base: Path, data: st.DataObject) -> None:
    check_project_fault(built_base, data)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_project_long(built_base: Path, data: st.DataObject) -> None:
    check_project_fault(built_base, data)


# -- Structure-aware fuzzing of archives -----------------------------------------------------------


def _release_zip(method: int) -> bytes:
    files = {"datapackage.json": b'{"name": "x"}\n', "processed/events.csv": b"event_id\nE000001\n" * 50}
    entries = {f"{TOP}/{rel}": data for rel, data in files.items()}
    entries[f"{TOP}/{archive.SUMS}"] = archive.sums_text(files)
    return _zip(entries, method)


def _fields(data: bytes) -> list[tuple[int, int]]:
    """(offset, width) of every header field of the local headers, central directory and end record."""
    layouts = {
        b"PK\x03\x04": [4, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2],
        b"PK\x01\x02": [4, 2, 2, 2, 2, 2, 2, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4],
        b"PK\x05\x06": [4, 2, 2, 2, 2, 4, 4, 2],
    }
    fields = []
    for signature, widths in layouts.items():
        start = 0
        while (start := data.find(signature, start)) != -1:
            at = start
            for width in widths:
                fields.append((at, width))
                at += width
            start += 4
    return fields


ZIPS = {"stored": _release_zip(zipfile.ZIP_STORED), "deflated": _release_zip(zipfile.ZIP_DEFLATED)}


def check_archive_fault(kind: str, data: st.DataObject, tmp: Path) -> None:
    raw = bytearray(ZIPS[kind])
    fields = _fields(bytes(raw))
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        if data.draw(st.booleans(), label="in a header field"):
            at, width = data.draw(st.sampled_from(fields), label="field")
            value = data.draw(
                st.one_of(
                    st.sampled_from([0, 1, 8, 12, 14, 99, 2 ** (8 * width) - 1]),
                    st.integers(0, 2 ** (8 * width) - 1),
                ),
                label="value",
            )
            raw[at : at + width] = value.to_bytes(width, "little")
        else:
            at = data.draw(st.integers(0, len(raw) - 1), label="offset")
            raw[at] ^= data.draw(st.integers(1, 255), label="xor")
    path = tmp / "fuzz.zip"
    path.write_bytes(bytes(raw))
    try:
        archive.read(path)
    except ArchiveError as exc:
        assert str(exc).startswith(str(path)), exc
        event("refused")
    else:
        event("read")


@settings(max_examples=150 * SCALE, deadline=None)
@given(kind=st.sampled_from(sorted(ZIPS)), data=st.data())
def test_damaged_archive_is_refused_with_a_message(kind: str, data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check_archive_fault(kind, data, Path(tmp))


def test_bad_zlib_stream_and_method(tmp_path: Path) -> None:
    raw = bytearray(ZIPS["deflated"])
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as zf:
        info = zf.getinfo(f"{TOP}/processed/events.csv")
    body = info.header_offset + 30 + len(info.filename.encode())
    raw[body : body + 4] = b"\xff\xff\xff\xff"  # not a deflate stream
    (tmp_path / "a.zip").write_bytes(bytes(raw))
    with pytest.raises(ArchiveError, match=r"processed/events\.csv' is damaged"):
        archive.read(tmp_path / "a.zip")
    raw = bytearray(ZIPS["deflated"])
    central = raw.find(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(info.filename)] != info.filename.encode():
        central = raw.find(b"PK\x01\x02", central + 4)
    raw[central + 10 : central + 12] = (99).to_bytes(2, "little")  # an unknown compression method
    (tmp_path / "b.zip").write_bytes(bytes(raw))
    with pytest.raises(ArchiveError, match="uses compression method 99"):
        archive.read(tmp_path / "b.zip")


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1, 1, 3), dt.date(9999, 12, 31)])
def test_relative_dates_at_the_calendar_edges(day: dt.date) -> None:
    # Every expression the resolver knows, at both ends of the calendar: a bound beyond it is
    # left open, never an overflow (which would end the build in an internal error).
    expressions = [
        *WEEKDAYS,
        *(f"last {d}" for d in WEEKDAYS),
        "today",
        "yesterday",
        "last night",
        "tomorrow",
    ]
    expressions += ["this week", "last week", "this month", "last month", "this year", "last year"]
    for expression in expressions:
        resolved = resolve_relative(expression, day, day)
        assert resolved is not None, expression
        assert all(bound is None or isinstance(bound, dt.date) for bound in (resolved.start, resolved.end))


def test_inventory_rules_are_the_documented_layout() -> None:
    # docs/annotating.md states what raw/ holds; the inventory may accept nothing else.
    layout = (REPO / "docs" / "annotating.md").read_text(encoding="utf-8").split("```")[1]
    for glob in inventory.READ_GLOBS:
        if glob.startswith("codebooks/"):
            glob = "codebooks/*.csv" if glob.endswith(".csv") else glob.removeprefix("codebooks/")
        pattern = re.escape(glob).replace(r"\*", r"(\*|<[a-z_]+>)")
        assert re.search(rf"(^|\s){pattern}(\s|$)", layout, re.M), glob
