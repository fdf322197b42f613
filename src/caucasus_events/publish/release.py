"""``caucasus-events release``: the deterministic data archive of a built package.

The archive ``dist/caucasus-events-data-X.Y.Z.zip`` holds the built package (processed/,
schemas/, datapackage.json), CITATION.cff, the licenses, a generated README.txt and
RELEASE_NOTES.md, and SHA256SUMS. It never holds raw/ or any source text. Its bytes depend only
on those files (see :mod:`caucasus_events.archive`), so the same commit rebuilds the same archive.

Version rules (the Data Package Version recipe, as CHANGELOG.md states them), checked against
``--previous``:

- major: a table or column removed or renamed, a column retyped or reordered, categories
  removed, a primary key changed;
- minor: a table, column, category or row added (any table);
- patch: values corrected and rows removed, nothing added; or metadata only.

A release whose number does not make exactly the step its changes need is refused. Before
1.0.0 (initial development, as in Semantic Versioning), a change that needs a major release may
step the minor number instead (0.1.0 -> 0.2.0), and its release notes say it breaks.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from caucasus_events import __version__, archive
from caucasus_events.diff import Package, PackageDiff, compare, open_package
from caucasus_events.problems import InputError, Problem, UsageError

LEVELS = ("patch", "minor", "major")
EXTRA_FILES = ("CITATION.cff", "LICENSE", "LICENSE-DATA.md", "docs/codebook.md")
REGISTRY = Path("src") / "caucasus_events" / "registry.json"
ZENODO = ".zenodo.json"
_PUBLISHED = re.compile(r"^(processed|schemas)/[A-Za-z0-9_.-]+$")
_HEADING = re.compile(r"^##\s+\[?(\d+\.\d+\.\d+)\]?")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2.3"`` as ``(1, 2, 3)``; UsageError for anything else."""
    if not archive.VERSION_PATTERN.match(text or ""):
        raise UsageError(f"version {text!r} is not MAJOR.MINOR.PATCH (expected e.g. 0.2.0)")
    major, minor, patch = (int(part) for part in text.split("."))
    return major, minor, patch


def next_versions(old: str) -> dict[str, str]:
    """The versions that may follow ``old``, by level."""
    major, minor, patch = parse_version(old)
    return {
        "patch": f"{major}.{minor}.{patch + 1}",
        "minor": f"{major}.{minor + 1}.0",
        "major": f"{major + 1}.0.0",
    }


def step(old: str, new: str) -> str:
    """The level of the step from ``old`` to ``new``; UsageError when it is no single step."""
    parse_version(new)
    for level, version in next_versions(old).items():
        if version == new:
            return level
    allowed = next_versions(old)
    raise UsageError(
        f"version {new} does not follow {old} (expected {allowed['patch']} for corrections, "
        f"{allowed['minor']} for additions or {allowed['major']} for breaking changes)"
    )


def needed(d: PackageDiff) -> tuple[str, list[str]]:
    """The level the changes in ``d`` need, and the changes that need it."""
    reasons: dict[str, list[str]] = {level: [] for level in LEVELS}
    reasons["major"] += [f"table {name} removed" for name in d.tables_removed]
    reasons["minor"] += [f"table {name} added" for name in d.tables_added]
    for name, t in d.tables.items():
        s = t.schema
        reasons["major"] += [f"{name}: column {c} removed or renamed" for c in s.removed]
        reasons["major"] += [f"{name}: column {c} retyped ({old} -> {new})" for c, old, new in s.retyped]
        reasons["major"] += [f"{name}: columns reordered"] if s.reordered else []
        reasons["major"] += [
            f"{name}: {c}: categories removed ({', '.join(v)})" for c, v in s.categories_removed.items()
        ]
        reasons["major"] += [f"{name}: primary key changed"] if s.key else []
        reasons["minor"] += [f"{name}: column {c} added" for c in s.added]
        reasons["minor"] += [
            f"{name}: {c}: categories added ({', '.join(v)})" for c, v in s.categories_added.items()
        ]
        if t.rows_a is not None and t.rows_b is not None:
            reasons["minor"] += [f"{name}: {len(t.added)} row(s) added"] if t.added else []
            reasons["patch"] += [f"{name}: {len(t.removed)} row(s) removed"] if t.removed else []
            reasons["patch"] += [f"{name}: {len(t.changed)} row(s) corrected"] if t.changed else []
    for level in reversed(LEVELS):
        if reasons[level]:
            return level, reasons[level]
    return "patch", ["no change to the tables (metadata only)"]


def check_version(d: PackageDiff, old: str, new: str) -> str:
    """Refuse a version whose step from ``old`` is not the one the changes need.

    Returns
    -------
    str
        A line saying which step was taken and why.
    """
    taken = step(old, new)
    level, reasons = needed(d)
    if level == "major" and parse_version(old)[0] == 0 and taken == "minor":
        level = "minor"
        reasons = ["breaking changes; before 1.0.0 they step the minor number", *reasons]
    if d.problems:
        raise UsageError(
            "release refused: the change from the previous release breaks the ID rules:\n  "
            + "\n  ".join(d.problems)
        )
    if taken != level:
        raise UsageError(
            f"release refused: {old} -> {new} is a {taken} release, but the changes need a {level} "
            f"release (expected version {next_versions(old)[level]}; rules in CHANGELOG.md):\n  "
            + "\n  ".join(reasons[:20])
        )
    return f"{old} -> {new}: a {taken} release ({'; '.join(reasons[:5])})"


def read_cff(root: Path) -> dict:
    """CITATION.cff of the project; UsageError when it is missing or not a mapping."""
    path = root / "CITATION.cff"
    if not path.is_file():
        raise UsageError(f"{path}: missing (expected the dataset's citation file)")
    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(cff, dict):
        raise UsageError(f"{path}: not a YAML mapping (expected CITATION.cff fields)")
    return cff


def zip_time(cff: dict) -> tuple[int, int, int, int, int, int]:
    """The timestamp of every archive entry: midnight of date-released, or 1980-01-01."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})$", str(cff.get("date-released", "")))
    if not match or int(match.group(1)) < 1980:
        return archive.EARLIEST
    year, month, day = (int(g) for g in match.groups())
    return (year, month, day, 0, 0, 0)


def zenodo_metadata(cff: dict) -> dict:
    """The ``.zenodo.json`` deposit metadata, all taken from CITATION.cff."""
    creators = []
    for author in cff.get("authors", []):
        if "name" in author:
            creator = {"name": author["name"]}
        else:
            creator = {"name": f"{author['family-names']}, {author.get('given-names', '')}".rstrip(", ")}
        if "affiliation" in author:
            creator["affiliation"] = author["affiliation"]
        if "orcid" in author:
            creator["orcid"] = str(author["orcid"]).rsplit("/", 1)[-1]
        creators.append(creator)
    metadata = {
        "title": cff["title"],
        "upload_type": "dataset",
        "description": cff["abstract"],
        "creators": creators,
        "version": str(cff["version"]),
        "license": str(cff["license"]).lower(),
        "keywords": list(cff.get("keywords", [])),
        "access_right": "open",
    }
    if "date-released" in cff:
        metadata["publication_date"] = str(cff["date-released"])
    if "repository-code" in cff:
        metadata["related_identifiers"] = [
            {"identifier": cff["repository-code"], "relation": "isSupplementTo", "scheme": "url"}
        ]
    return metadata


def zenodo_bytes(cff: dict) -> bytes:
    """``.zenodo.json`` as written to the repository."""
    return (json.dumps(zenodo_metadata(cff), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def changelog_section(root: Path, version: str) -> str:
    """The CHANGELOG.md entry of ``version``; UsageError when there is none."""
    path = root / "CHANGELOG.md"
    if not path.is_file():
        raise UsageError(f"{path}: missing (expected a changelog with a '## {version}' entry)")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(
        (i for i, line in enumerate(lines) if (m := _HEADING.match(line)) and m.group(1) == version), None
    )
    if start is None:
        raise UsageError(f"{path}: no entry for {version} (expected a heading '## {version}' describing it)")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start + 1 : end]).strip()


def package_files(root: Path, package: dict) -> dict[str, bytes]:
    """processed/*, schemas/* and datapackage.json, after checking they are one consistent build."""
    from caucasus_events.build.validate import validate_package

    if problems := validate_package(root, frictionless=False):
        raise InputError(problems)
    files = {"datapackage.json": (root / "datapackage.json").read_bytes()}
    outside = []
    for resource in package["resources"]:
        for rel in (resource["path"], resource["schema"]):
            # Only the build's own output folders: never raw/ or a source text.
            if not _PUBLISHED.match(rel):
                outside.append(
                    Problem(
                        "datapackage.json",
                        None,
                        resource["name"],
                        f"{rel!r} (expected a file in processed/ or schemas/)",
                    )
                )
                continue
            files[rel] = (root / rel).read_bytes()
    if outside:
        raise InputError(outside)
    extra = [
        p.relative_to(root).as_posix()
        for folder in ("processed", "schemas")
        for p in sorted((root / folder).iterdir())
        if p.relative_to(root).as_posix() not in files
    ]
    if extra:
        raise InputError(
            [
                Problem(
                    rel,
                    None,
                    "-",
                    "not named by datapackage.json (stale output? run `caucasus-events build`)",
                )
                for rel in extra
            ]
        )
    return files


def row_counts(files: dict[str, bytes], package: dict) -> dict[str, int]:
    """Rows per table, from the Parquet footers."""
    return {
        r["name"].removesuffix("-parquet"): pq.ParquetFile(
            pa.BufferReader(files[r["path"]])
        ).metadata.num_rows
        for r in package["resources"]
        if r["format"] == "parquet"
    }


def readme(package: dict, counts: dict[str, int]) -> bytes:
    """README.txt of the archive."""
    version = package["version"]
    width = max(map(len, counts))
    titles = {r["name"]: r["description"] for r in package["resources"] if r["format"] == "csv"}
    lines = [
        f"caucasus-events-data {version}",
        "",
        *textwrap.wrap(package["title"], 78),
        "",
        *textwrap.wrap(package["description"], 78),
        "",
        "Contents",
        "  datapackage.json    the Data Package descriptor: tables, columns, hashes, licenses",
        "  processed/          each table as CSV (UTF-8) and as Parquet",
        "  schemas/            the Table Schema of each table",
        "  docs/codebook.md    the codebook: coding rules and the meaning of every column",
        "  CITATION.cff        how to cite this release",
        "  LICENSE             MIT license of the code",
        "  LICENSE-DATA.md     licenses of the data, the codebooks and the source texts",
        "  RELEASE_NOTES.md    row counts and what changed since the previous release",
        "  SHA256SUMS          checksums; check them with `sha256sum -c SHA256SUMS` here",
        "",
        "Tables",
        *[
            textwrap.fill(
                f"  {t:<{width}}  {n:>6} rows  {titles.get(t, '')}", 78, subsequent_indent=" " * (width + 17)
            )
            for t, n in counts.items()
        ],
        "",
        "The source texts are not included; the articles table says where each was published",
        "and under which license.",
        "",
        "In Python (the download extra fetches and verifies this release by its SHA-256):",
        '  pip install "caucasus-events[download]"',
        f'  python -c \'import caucasus_events as ce; print(ce.load("events", version="{version}"))\'',
        "",
        f"Data: {package['licenses'][0]['title']} ({package['licenses'][0]['path']}), see LICENSE-DATA.md.",
        f"Home: {package.get('homepage', '')}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def release_notes(
    version: str,
    counts: dict[str, int],
    changes: str,
    d: PackageDiff | None,
    step_line: str | None,
    reliability: str = "",
) -> bytes:
    """RELEASE_NOTES.md of the archive (``reliability``: the agreement figures, in Markdown)."""
    lines = [f"# caucasus-events-data {version}", ""]
    if changes:
        lines += [changes, ""]
    if d is None:
        lines += ["## Tables", "", "| table | rows |", "|---|---:|"]
        lines += [f"| {t} | {n} |" for t, n in counts.items()]
        lines += ["", "No previous release was compared (first release)."]
    else:
        lines += [f"## Changes since {d.a['version']}", "", step_line or "", "", d.markdown().rstrip()]
    if reliability:
        lines += ["", "## Inter-annotator agreement", "", reliability.rstrip()]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _reliability(root: Path) -> str:
    """The agreement figures of the project's doubly coded texts, if it has any."""
    if not (root / "raw" / "agreement").is_dir():
        return ""
    from caucasus_events.build.agreement import compute, markdown

    return markdown(compute(root))


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _registry(root: Path) -> tuple[Path, dict]:
    path = root / REGISTRY
    return path, (json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {})


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def register(root: Path, version: str, url: str, sha256: str, files: dict[str, str]) -> Path:
    """Record a published archive in the project's registry.json (the package's list of releases).

    ``files`` maps each file of the archive to its SHA-256: loading a pinned release uses an
    installed copy only when its files have these hashes, and re-checks the cache against them.
    """
    path, registry = _registry(root)
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: missing (expected the package source, to record the release in)")
    registry[version] = {"url": url, "sha256": sha256, "files": dict(sorted(files.items()))}
    ordered = {v: registry[v] for v in sorted(registry, key=_version_key)}
    _atomic_write(path, (json.dumps(ordered, indent=2) + "\n").encode("utf-8"))
    return path


def release(
    root: Path,
    *,
    previous: Path | None = None,
    version: str = __version__,
    register_it: bool = False,
    dist: Path | None = None,
    with_site: bool = False,
    say=print,
) -> Path:
    """Write the release archive of the built package in ``root`` and return its path.

    Parameters
    ----------
    root : Path
        Project folder with a built package, CITATION.cff, CHANGELOG.md and the licenses.
    previous : Path, optional
        The previous release (archive or folder): the version step is checked against what
        changed, and the release notes list the changes.
    version : str
        The version being released (the package's, unless testing).
    register_it : bool
        Record the archive's URL and SHA-256 in ``src/caucasus_events/registry.json``.
    dist : Path, optional
        Output folder (default ``root / "dist"``).
    with_site : bool
        Also write the release's browsable site, ``caucasus-events-site-X.Y.Z.zip`` (see
        :mod:`caucasus_events.publish.site`; needs the ``site`` extra). The data archive is unchanged.

    Raises
    ------
    UsageError, InputError
        When the package, its metadata or the version step is wrong; nothing is written.
    """
    root = Path(root).resolve()
    if not (root / "datapackage.json").is_file():
        raise UsageError(f"{root}: no datapackage.json (run `caucasus-events build` first)")
    current = Package(str(root), root)
    if current.version != version:
        raise UsageError(
            f"datapackage.json says version {current.version}, the package is {version} (run `caucasus-events build`)"
        )
    cff = read_cff(root)
    for where, value in (
        ("version", cff.get("version")),
        ("preferred-citation.version", cff.get("preferred-citation", {}).get("version")),
    ):
        if value is not None and str(value) != version:
            raise UsageError(f"CITATION.cff: {where} is {value!r} (expected {version!r})")
    zenodo = root / ZENODO
    if zenodo.is_file() and zenodo.read_bytes() != zenodo_bytes(cff):
        raise UsageError(
            f"{zenodo}: differs from what CITATION.cff gives (run `python scripts/zenodo_json.py` to regenerate it)"
        )
    changes = changelog_section(root, version)
    files = package_files(root, current.descriptor)
    for name in EXTRA_FILES:
        if not (root / name).is_file():
            raise UsageError(f"{root / name}: missing (every release carries {', '.join(EXTRA_FILES)})")
        files[name] = (root / name).read_bytes()
    counts = row_counts(files, current.descriptor)
    d = step_line = None
    if previous is not None:
        before = open_package(previous)
        d = compare(before, current)
        d.a["label"], d.b["label"] = before.version, version
        step_line = check_version(d, before.version, version)
        say(step_line)
    else:
        say("no --previous release given: the version step was not checked")
    files["README.txt"] = readme(current.descriptor, counts)
    files["RELEASE_NOTES.md"] = release_notes(version, counts, changes, d, step_line, _reliability(root))
    data = archive.write_zip(files, version, zip_time(cff))
    digest = archive.sha256_hex(data)
    _, registry = _registry(root)
    published = (registry.get(version) or {}).get("sha256")
    if published and published != digest:
        raise UsageError(
            f"{version} was published with SHA-256 {published}; this archive has {digest}. "
            "A published release never changes: bump the version (and add a CHANGELOG.md entry)"
        )
    site = None
    if with_site:  # built before anything is written, so that a failure writes nothing
        from caucasus_events.publish.site import archive_name as site_archive_name
        from caucasus_events.publish.site import site_files

        site = archive.write_zip(
            site_files(root, previous=previous), version, zip_time(cff), top=site_archive_name(version)[:-4]
        )
    target = (dist or root / "dist") / archive.archive_name(version)
    _atomic_write(target, data)
    say(f"wrote {target} ({len(files) + 1} files, {len(data)} bytes, sha256 {digest})")
    if site is not None:
        site_target = target.with_name(site_archive_name(version))
        _atomic_write(site_target, site)
        say(f"wrote {site_target} ({len(site)} bytes, sha256 {archive.sha256_hex(site)})")
    if register_it:
        url = f"{str(cff.get('repository-code', '')).rstrip('/')}/releases/download/v{version}/{target.name}"
        hashes = {rel: archive.sha256_hex(data) for rel, data in files.items()}
        say(f"recorded {version} in {register(root, version, url, digest, hashes)}")
    return target
