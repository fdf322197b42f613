"""Synthetic built projects and release archives, for the release, diff, download and cite tests.

Everything is generated here from the synthetic project of ``conftest.py``; nothing touches
the repository's raw/ or processed/.
"""

from __future__ import annotations

import io
import json
import shutil
import stat
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import REPO, make_project

from caucasus_events import __version__, archive
from caucasus_events.build.pipeline import build
from caucasus_events.publish.release import release

EVENTS = "raw/events/events.yaml"
ANNOTATION = "raw/annotations/synthetic-readout.yaml"
ACTORS = "raw/actors.yaml"
RETIRED = "raw/retired.yaml"
OLD_SUMMARY = "The minister calls the president."
NEW_SUMMARY = "The minister phones the president."


def quiet(*_: object) -> None:
    """A ``say`` that says nothing."""


def replace(root: Path, rel: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in a file of the project."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    """Append ``text`` to a file of the project."""
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def changelog(versions: list[str]) -> str:
    """A CHANGELOG.md with an entry for each version."""
    return "# Changelog\n\n" + "".join(f"## {v}\n\nSynthetic release {v}.\n\n" for v in reversed(versions))


def set_version(root: Path, version: str) -> None:
    """Relabel a built project as ``version`` (descriptor and CITATION.cff), for tests of steps."""
    path = root / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    replace(root, "CITATION.cff", f'version: "{package["version"]}"', f'version: "{version}"')
    package["version"] = version
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


#: Versions the synthetic changelog describes.
VERSIONS = ["0.0.1", "0.0.2", "0.1.0", "0.1.1", "0.2.0", "1.0.0"]


def built(root: Path, *, version: str = __version__, edit: Callable[[Path], None] | None = None) -> Path:
    """A synthetic project with licenses and a changelog, edited by ``edit``, built as ``version``."""
    make_project(root)
    for name in ("LICENSE", "LICENSE-DATA.md", "docs/codebook.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, root / name)
    versions = sorted(set([*VERSIONS, version]), key=lambda v: tuple(map(int, v.split("."))))
    (root / "CHANGELOG.md").write_text(changelog(versions), encoding="utf-8")
    if edit:
        edit(root)
    assert build(root, say=quiet) == 0
    if version != __version__:
        set_version(root, version)
    return root


def released(root: Path, *, version: str = __version__, edit=None, previous: Path | None = None) -> Path:
    """Build a synthetic project and write its release archive; return the archive's path."""
    built(root, version=version, edit=edit)
    return release(root, version=version, previous=previous, say=quiet)


def edit_summary(root: Path) -> None:
    """Change one field of one event: E000001's summary."""
    replace(root, EVENTS, OLD_SUMMARY, NEW_SUMMARY)


def add_actor(root: Path) -> None:
    """Add a row to the actors table (and nothing else)."""
    append(
        root,
        ACTORS,
        "- id: rur-envoy\n  name: Envoy of Ruritania (synthetic)\n  kind: person\n"
        "  country: ARM\n  sector: GOV\n  office: Envoy\n",
    )


def add_event(root: Path) -> None:
    """Add event E000003, reported by the text's last sentence."""
    append(
        root,
        EVENTS,
        "- id: E000003\n  summary: The minister speaks again.\n  type: CONSULT\n  mode: null\n"
        '  contexts: [diplomatic]\n  cameo: "040"\n  source: [rur-minister]\n  target: []\n'
        "  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  place: null\n"
        "  status: asserted\n  kind: act\n",
    )
    append(root, ANNOTATION, "  - event: E000003\n    quote: The Minister spoke today again.\n")


def remove_event_2(root: Path, *, tombstone: bool) -> None:
    """Remove event E000002 and its mention, with or without a tombstone."""
    text = (root / EVENTS).read_text(encoding="utf-8")
    (root / EVENTS).write_text(text[: text.index("- id: E000002")], encoding="utf-8")
    replace(
        root,
        ANNOTATION,
        "  - event: E000002\n    quote: urged the President to release all detainees\n",
        "",
    )
    if tombstone:
        (root / RETIRED).write_text(
            "- id: E000002\n  reason: duplicate of E000001\n  replaced_by: E000001\n", encoding="utf-8"
        )


def rezip(files: dict[str, bytes], folder: str, extra: list[tuple[zipfile.ZipInfo, bytes]] = ()) -> bytes:
    """A ZIP of ``files`` under ``folder`` plus raw ``extra`` entries (which may be unsafe)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which tests want
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
            for rel, data in sorted(files.items()):
                out.writestr(f"{folder}/{rel}", data)
            for info, data in extra:
                out.writestr(info, data)
    return buffer.getvalue()


def entry(name: str, *, mode: int = stat.S_IFREG | 0o644, deflate: bool = False) -> zipfile.ZipInfo:
    """A ZipInfo with chosen name and file type."""
    info = zipfile.ZipInfo(name, date_time=archive.EARLIEST)
    info.create_system = 3
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    return info


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """Patch the uncompressed size an entry declares (local header and central directory)."""
    out = bytearray(data)
    encoded = name.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    local = info.header_offset
    out[local + 22 : local + 26] = size.to_bytes(4, "little")
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        length = int.from_bytes(out[start + 28 : start + 30], "little")
        if bytes(out[start + 46 : start + 46 + length]) == encoded:
            out[start + 24 : start + 28] = size.to_bytes(4, "little")
        start += 4
    return bytes(out)


def files_in(folder: Path) -> list[str]:
    """Every file below ``folder`` (relative paths), for 'nothing was left behind' checks."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir())
