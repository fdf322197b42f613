"""The common input mistakes, each with how to make it and what the build must say.

One list serves two readers: ``tests/test_build_errors.py`` feeds every case through the
command line and checks the message, the exit code and that no output changed;
``scripts/errors_table.py`` runs the same cases to write ``docs/errors.md``. The table in the
documentation is therefore the build's real output, never typed by hand.

Each case starts from :func:`make_base`, the synthetic project of ``conftest.py`` with a few
typographic characters added to its text, already built once.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import TEXT, make_project

ARTICLE = "synthetic-readout"
TEXT_FILE = f"raw/articles/{ARTICLE}.txt"
META = f"raw/articles/{ARTICLE}.yaml"
ANNOTATION = f"raw/annotations/{ARTICLE}.yaml"
EVENTS = "raw/events/events.yaml"
ACTORS = "raw/actors.yaml"

#: A sentence with the typography annotators most often copy wrongly: curly quotes, an en
#: dash, a non-breaking space and a precomposed accented letter.
TYPOGRAPHY = "It called the talks a “historic opportunity” for 2022–2023.\u00a0Talks resume in Café Europa.\n"
BASE_TEXT = TEXT + TYPOGRAPHY
#: Files and folders the build writes; a failed build must leave them byte-for-byte alone.
OUTPUTS = ("processed", "schemas", "datapackage.json")


def set_text(root: Path, data: bytes, *, update_hash: bool = True) -> None:
    """Replace the article text, recording its new SHA-256 in the metadata unless told not to."""
    path = root / TEXT_FILE
    old = hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(data)
    if update_hash:
        edit(root, META, old, hashlib.sha256(data).hexdigest())


def make_base(root: Path) -> Path:
    """The synthetic project with :data:`TYPOGRAPHY` appended to its text (not built)."""
    make_project(root)
    set_text(root, BASE_TEXT.encode("utf-8"))
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace the first ``old`` in a file by ``new`` (``old`` must be there)."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    """Add ``text`` at the end of a file."""
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def write(root: Path, rel: str, data: str | bytes) -> None:
    """Create or overwrite a file."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def mention(body: str) -> Callable[[Path], None]:
    """A case that adds a third mention (starting on line 9 of the annotation)."""
    return lambda root: append(root, ANNOTATION, body)


def event_edit(old: str, new: str) -> Callable[[Path], None]:
    """A case that changes the first ``old`` of the event registry into ``new``."""
    return lambda root: edit(root, EVENTS, old, new)


@dataclass(frozen=True)
class Case:
    """One mistake.

    Parameters
    ----------
    name : str
        Short identifier (the test's ID).
    group : str
        Section of the documentation table.
    mistake : str
        What the annotator did, in Markdown, for the table.
    apply : callable
        Makes the mistake in a copy of the built base project.
    expected : tuple of str
        One entry per problem the build must report, in the order reported: the start of the
        line (``path:line: field: ``, line omitted when unknown) and a fragment of the message,
        separated by ``" ... "``.
    """

    name: str
    group: str
    mistake: str
    apply: Callable[[Path], None]
    expected: tuple[str, ...]


def _yaml_syntax(root: Path) -> None:
    append(root, ANNOTATION, "  - event: E000001\n    quote: [unclosed\n")


def _billion_laughs(root: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)
    ]
    write(root, ANNOTATION, "\n".join(lines) + "\n")


def _too_large(root: Path) -> None:
    append(root, ANNOTATION, "# padding\n" * 220_000)


def _second_event_file(root: Path) -> None:
    write(
        root, "raw/events/extra.yaml", (root / EVENTS).read_text(encoding="utf-8").split("- id: E000002")[0]
    )


def _no_mention(root: Path) -> None:
    append(
        root,
        EVENTS,
        "- id: E000003\n  summary: Unreported.\n  type: CONSULT\n  mode: phone\n  contexts: [diplomatic]\n"
        '  cameo: "041"\n  source: [rur-minister]\n  target: [fre-president]\n'
        "  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  status: asserted\n  kind: act\n",
    )


def _retired_reused(root: Path) -> None:
    write(root, "raw/retired.yaml", "- id: E000002\n  reason: duplicate of E000001\n  replaced_by: E000001\n")


def _retired_mentioned(root: Path) -> None:
    write(root, "raw/retired.yaml", "- id: E000009\n  reason: duplicate of E000001\n  replaced_by: E000001\n")
    append(root, ANNOTATION, "  - event: E000009\n    quote: The Minister spoke today again\n")


def _orphan_annotation(root: Path) -> None:
    write(
        root,
        "raw/annotations/no-such-article.yaml",
        "article: no-such-article\nannotator: test\nmentions: []\n",
    )


def _no_publication_date(root: Path) -> None:
    edit(root, META, "published: 2022-07-25", "published: null")


def _symlinked_text(root: Path) -> None:
    outside = root.parent / f"{root.name}-outside.txt"
    shutil.move(root / TEXT_FILE, outside)
    os.symlink(outside, root / TEXT_FILE)


def _bad_article_id(root: Path) -> None:
    for suffix in (".txt", ".yaml"):
        shutil.copy(root / f"raw/articles/{ARTICLE}{suffix}", root / f"raw/articles/my article{suffix}")


def _three_mistakes(root: Path) -> None:
    append(
        root,
        ANNOTATION,
        "  - event: E000001\n    qoute: spoke today again\n"
        "  - event: E000404\n    quote: The Minister spoke today again\n"
        "  - event: E000002\n    quote: release all prisoners\n",
    )


TYPES = "raw/codebooks/plover_types.csv"
CAMEO = "raw/codebooks/cameo_codes.csv"
CONTEXTS = "raw/codebooks/plover_contexts.csv"


def _upper_sha256(root: Path) -> None:
    digest = hashlib.sha256((root / TEXT_FILE).read_bytes()).hexdigest()
    edit(root, META, digest, digest.upper())


def _folder_for_file(root: Path) -> None:
    (root / EVENTS).unlink()
    (root / EVENTS).mkdir()


def _combining(root: Path) -> None:
    set_text(root, (BASE_TEXT + "They met at Cafe\u0301 Noir.\n").encode("utf-8"))
    append(root, ANNOTATION, "  - event: E000001\n    quote: They met at Cafe\n")


def _output_folder(root: Path) -> None:
    edit(root, EVENTS, "The minister calls", "The minister phones")
    (root / "processed" / "events.csv").unlink()
    (root / "processed" / "events.csv").mkdir()


A = ANNOTATION
E = EVENTS
CASES: tuple[Case, ...] = (
    # -- YAML ------------------------------------------------------------------------------
    Case(
        "yaml-syntax",
        "YAML",
        "YAML syntax error (an unclosed `[`)",
        _yaml_syntax,
        (f"{A}:11: -: ... YAML syntax error",),
    ),
    Case(
        "duplicate-key",
        "YAML",
        "the same key twice in a mention",
        mention("  - event: E000001\n    quote: spoke today again\n    quote: The Minister\n"),
        (f"{A}:11: -: ... duplicate key 'quote' (first on line 10)",),
    ),
    Case(
        "unknown-key-event",
        "YAML",
        "a misspelt key in an event (`soruce:` for `source:`)",
        event_edit("  source: [rur-minister]", "  soruce: [rur-minister]"),
        (f"{E}:7: [0].soruce: ... unknown key (did you mean 'source'?",),
    ),
    Case(
        "unknown-key-mention",
        "YAML",
        "a misspelt key in a mention (`qoute:` for `quote:`)",
        mention("  - event: E000001\n    qoute: The Minister spoke today again\n"),
        (f"{A}:10: mentions[2].qoute: ... unknown key (did you mean 'quote'?",),
    ),
    Case(
        "missing-field",
        "YAML",
        "a required field left out (a mention without `quote:`)",
        mention("  - event: E000001\n    note: no quote\n"),
        (f"{A}:9: mentions[2].quote: ... missing (expected an exact passage of the text)",),
    ),
    Case(
        "missing-event-field",
        "YAML",
        "a required field left out (an event without `status:`)",
        event_edit("  status: asserted\n  mapping_departure", "  mapping_departure"),
        (f"{E}:1: [0].status: ... missing (expected asserted or background",),
    ),
    Case(
        "wrong-type-occurrence",
        "YAML",
        "a value of the wrong type (`occurrence: second`)",
        mention("  - event: E000001\n    quote: spoke today\n    occurrence: second\n"),
        (f"{A}:11: mentions[2].occurrence: ... str 'second' (expected a 1-based occurrence number)",),
    ),
    Case(
        "wrong-type-bool",
        "YAML",
        "`occurrence: true` (a yes/no where a number is expected)",
        mention("  - event: E000001\n    quote: spoke today\n    occurrence: true\n"),
        (f"{A}:11: mentions[2].occurrence: ... bool true (expected a 1-based occurrence number)",),
    ),
    Case(
        "unquoted-cameo",
        "YAML",
        "a CAMEO code written without quotes (`cameo: 041`, which YAML reads as a number)",
        event_edit('cameo: "041"', "cameo: 041"),
        (f'{E}:6: [0].cameo: ... int 041 (expected a quoted CAMEO code such as "041", or null for a state)',),
    ),
    Case(
        "string-for-list",
        "YAML",
        "a single value where a list is expected (`contexts: diplomatic`)",
        event_edit("contexts: [diplomatic]", "contexts: diplomatic"),
        (f"{E}:5: [0].contexts: ... str 'diplomatic' (expected a list of PLOVER contexts)",),
    ),
    Case(
        "list-for-string",
        "YAML",
        "a list where a single value is expected (`event: [E000001]`)",
        mention("  - event: [E000001]\n    quote: The Minister spoke today again\n"),
        (f"{A}:9: mentions[2].event: ... a list ['E000001'] (expected an event ID of raw/events)",),
    ),
    Case(
        "mapping-in-list",
        "YAML",
        "a mapping inside a list of IDs (`source: [{id: rur-minister}]`)",
        event_edit("source: [rur-minister]", "source: [{id: rur-minister}]"),
        (f"{E}:7: [0].source: ... item 1 is a mapping (expected a list of actor IDs)",),
    ),
    Case(
        "empty-string",
        "YAML",
        'an empty text (`summary: ""`)',
        event_edit("summary: The minister calls the president.", 'summary: ""'),
        (f"{E}:2: [0].summary: ... empty text (expected one sentence",),
    ),
    Case(
        "datetime",
        "YAML",
        "a date with a time of day (`published: 2022-07-25 10:00:00`)",
        lambda root: edit(root, META, "published: 2022-07-25", "published: 2022-07-25 10:00:00"),
        (f"{META}:4: published: ... datetime 2022-07-25 10:00:00 (expected a date YYYY-MM-DD or null)",),
    ),
    Case(
        "empty-file",
        "YAML",
        "an empty annotation file",
        lambda root: write(root, ANNOTATION, ""),
        (f"{A}: -: ... file is empty (expected a YAML document)",),
    ),
    Case(
        "aliases",
        "YAML",
        "YAML anchors and aliases (`&a`, `*a`; the “billion laughs”)",
        _billion_laughs,
        (f"{A}:1: -: ... YAML anchors and aliases are not allowed",),
    ),
    Case(
        "too-large",
        "YAML",
        "a file too large to be a real annotation (over 2 MiB)",
        _too_large,
        (f"{A}: -: ... bytes (expected at most 2,097,152)",),
    ),
    # -- Quotes ----------------------------------------------------------------------------
    Case(
        "yaml-escape-control",
        "YAML",
        "an escape that makes a control character (`\\0` in a double-quoted string)",
        lambda root: edit(root, ANNOTATION, "annotator: test", 'annotator: "te\\0st"'),
        (f"{A}:2: -: ... text with control character #x0000 from an escape",),
    ),
    Case(
        "quote-missing",
        "Quotes",
        "a quote that is not in the text",
        mention("  - event: E000001\n    quote: The Minister telephoned the President\n"),
        (f"{A}:10: mentions[2].quote: ... quote not found in the text",),
    ),
    Case(
        "quote-ambiguous",
        "Quotes",
        "a quote that occurs twice, with neither `prefix:` nor `occurrence:`",
        mention("  - event: E000001\n    quote: spoke today\n"),
        (
            f"{A}:10: mentions[2].quote: ... quote occurs 2 times (on lines 3, 3) (expected a prefix or an occurrence number)",
        ),
    ),
    Case(
        "quote-straight-quotes",
        "Quotes",
        'straight quotes `"` where the text has curly ones `“ ”`',
        mention("  - event: E000001\n    quote: 'a \"historic opportunity\"'\n"),
        (f"{A}:10: mentions[2].quote: ... differs only in quotation marks, dashes, spaces or Unicode form",),
    ),
    Case(
        "quote-hyphen",
        "Quotes",
        "a hyphen `-` where the text has an en dash `–`",
        mention("  - event: E000001\n    quote: for 2022-2023\n"),
        (f"{A}:10: mentions[2].quote: ... 'for 2022–2023'",),
    ),
    Case(
        "quote-nbsp",
        "Quotes",
        "a space where the text has a non-breaking space",
        mention("  - event: E000001\n    quote: 2023. Talks resume\n"),
        (f"{A}:10: mentions[2].quote: ... '2023.\\xa0Talks resume'",),
    ),
    Case(
        "quote-nfd",
        "Quotes",
        "a decomposed accent (`e` + U+0301, NFD) where the text has `é` (NFC)",
        mention('  - event: E000001\n    quote: "Cafe\\u0301 Europa"\n'),
        (f"{A}:10: mentions[2].quote: ... 'Café Europa'",),
    ),
    Case(
        "bad-prefix",
        "Quotes",
        "a `prefix:` that is not the text just before the quote",
        mention("  - event: E000001\n    quote: spoke today\n    prefix: 'The President '\n"),
        (f"{A}:10: mentions[2].quote: ... no occurrence of the quote follows prefix 'The President '",),
    ),
    Case(
        "occurrence-out-of-range",
        "Quotes",
        "`occurrence: 3` for a quote that occurs twice",
        mention("  - event: E000001\n    quote: spoke today\n    occurrence: 3\n"),
        (
            f"{A}:10: mentions[2].quote: ... occurrence 3 requested, the quote occurs 2 time(s) (expected 1..2)",
        ),
    ),
    # -- Registries and codebooks ----------------------------------------------------------
    Case(
        "quote-combining",
        "Quotes",
        "a quote that ends inside a letter with a combining accent (`Cafe` of `Cafe` + U+0301)",
        _combining,
        (f"{A}:10: mentions[2].quote: ... quote would end inside a combining character sequence",),
    ),
    Case(
        "unknown-actor",
        "Registries and codebooks",
        "an actor ID not in `raw/actors.yaml`",
        event_edit("source: [rur-minister]", "source: [rur-ministre]"),
        (f"{E}:7: source: ... unknown actor 'rur-ministre' (expected an ID of raw/actors.yaml)",),
    ),
    Case(
        "unknown-event",
        "Registries and codebooks",
        "a mention of an event that does not exist",
        mention("  - event: E000404\n    quote: The Minister spoke today again\n"),
        (f"{A}:9: mentions[2].event: ... unknown event 'E000404' (expected an ID defined in raw/events)",),
    ),
    Case(
        "unknown-article",
        "Registries and codebooks",
        "an annotation file with no article",
        _orphan_annotation,
        ("raw/annotations/no-such-article.yaml: -: ... annotation of unknown article 'no-such-article'",),
    ),
    Case(
        "unknown-cameo",
        "Registries and codebooks",
        "a CAMEO code not in the codebook",
        event_edit('cameo: "041"', 'cameo: "049"'),
        (f"{E}:6: cameo: ... unknown CAMEO code '049'",),
    ),
    Case(
        "unknown-type",
        "Registries and codebooks",
        "a PLOVER event type not in the codebook",
        event_edit("type: CONSULT", "type: CONSULTATION"),
        (f"{E}:3: type: ... unknown PLOVER type 'CONSULTATION' (expected one of: ",),
    ),
    Case(
        "unknown-mode",
        "Registries and codebooks",
        "a PLOVER mode not in the codebook",
        event_edit("mode: phone", "mode: telephone"),
        (f"{E}:4: mode: ... 'telephone' is not a mode of CONSULT (expected one of: ",),
    ),
    Case(
        "mode-of-other-type",
        "Registries and codebooks",
        "a mode of another type (`yield` is a mode of REQUEST, not CONSULT)",
        event_edit("mode: phone", "mode: yield"),
        (f"{E}:4: mode: ... 'yield' is not a mode of CONSULT",),
    ),
    Case(
        "unknown-context",
        "Registries and codebooks",
        "a PLOVER context not in the codebook",
        event_edit("contexts: [diplomatic]", "contexts: [diplomacy]"),
        (f"{E}:5: contexts: ... unknown PLOVER context 'diplomacy'",),
    ),
    Case(
        "country-xxx",
        "Registries and codebooks",
        "a country code that is no country (`XXX`)",
        lambda root: edit(root, ACTORS, "country: ARM", "country: XXX"),
        (f"{ACTORS}:4: country: ... 'XXX' is not an ISO 3166-1 alpha-3 country code",),
    ),
    Case(
        "country-alpha2",
        "Registries and codebooks",
        "a two-letter country code (`AM` for `ARM`)",
        lambda root: edit(root, ACTORS, "country: ARM", "country: AM"),
        (f"{ACTORS}:4: country: ... 'AM' is not an ISO 3166-1 alpha-3 country code",),
    ),
    # -- Dates -----------------------------------------------------------------------------
    Case(
        "impossible-date",
        "Dates",
        "a date that does not exist (`2022-02-30`)",
        event_edit("start: 2022-07-25, end: 2022-07-25", "start: 2022-02-30, end: 2022-07-25"),
        (f"{E}:9: date.start: ... '2022-02-30' is not a valid date: day is out of range for month",),
    ),
    Case(
        "end-before-start",
        "Dates",
        "an end before the start",
        event_edit("start: 2022-07-25, end: 2022-07-25", "start: 2022-07-25, end: 2022-07-24"),
        (f"{E}:9: date.end: ... end 2022-07-24 is before start 2022-07-25",),
    ),
    Case(
        "precision-mismatch",
        "Dates",
        "a precision that does not fit (`month` starting on the 15th)",
        event_edit(
            "start: 2022-07-25, end: 2022-07-25, precision: day",
            "start: 2022-07-15, end: 2022-08-14, precision: month",
        ),
        (f"{E}:9: date.precision: ... 2022-07-15..2022-08-14 does not fit precision 'month'",),
    ),
    Case(
        "relative-no-publication-date",
        "Dates",
        "a relative date (`today`) in a text whose publication date is unknown",
        _no_publication_date,
        (f"{A}:6: mentions[0].date.relative: ... a relative date cannot be resolved",),
    ),
    Case(
        "date-disagrees",
        "Dates",
        "a mention date that disagrees with its event, without a `disagreement:` note",
        mention(
            "  - event: E000001\n    quote: The Minister spoke today again\n"
            "    date: {text: yesterday, start: 2022-07-24, end: 2022-07-24}\n"
        ),
        (
            f"{A}:11: mentions[2].date: ... disagrees with event E000001 (2022-07-25..2022-07-25) (expected a disagreement with field: date",
        ),
    ),
    # -- Event IDs -------------------------------------------------------------------------
    Case(
        "mention-end-before-start",
        "Dates",
        "a mention date whose end is before its start",
        mention(
            "  - event: E000001\n    quote: The Minister spoke today again\n"
            "    date: {text: on 25 July, start: 2022-07-25, end: 2022-07-20, precision: range}\n"
        ),
        (f"{A}:11: mentions[2].date.end: ... end 2022-07-20 is before start 2022-07-25",),
    ),
    Case(
        "calendar-end",
        "Dates",
        "a season at the end of the calendar (`9999-12-01`)",
        event_edit(
            "start: 2022-07-25, end: 2022-07-25, precision: day",
            "start: 9999-12-01, end: 9999-12-31, precision: season",
        ),
        (f"{E}:9: date.precision: ... (expected a season that ends by 9999-12-31",),
    ),
    Case(
        "duplicate-event-id",
        "Event IDs",
        "two events with one ID (in two files)",
        _second_event_file,
        (
            "raw/events/extra.yaml:1: id: ... duplicate event ID 'E000001' (first defined in raw/events/events.yaml:1)",
        ),
    ),
    Case(
        "event-without-mention",
        "Event IDs",
        "an event that no text reports",
        _no_mention,
        (f"{E}:27: id: ... event E000003 has no mention",),
    ),
    Case(
        "retired-id-reused",
        "Event IDs",
        "a retired event ID used again for a new event",
        _retired_reused,
        (f"{E}:15: id: ... E000002 was retired (duplicate of E000001) and may not be reused",),
    ),
    Case(
        "retired-id-mentioned",
        "Event IDs",
        "a mention of a retired event ID",
        _retired_mentioned,
        (
            f"{A}:9: mentions[2].event: ... E000009 was retired (duplicate of E000001) (expected a current event ID)",
        ),
    ),
    # -- Texts -----------------------------------------------------------------------------
    Case(
        "text-changed",
        "Texts",
        "an article text edited after it was annotated",
        lambda root: set_text(root, BASE_TEXT.replace("today", "on Monday").encode(), update_hash=False),
        (f"{META}:14: sha256: ... (the text changed after it was annotated",),
    ),
    Case(
        "not-utf8",
        "Texts",
        "a text that is not UTF-8 (Latin-1 `é`)",
        lambda root: set_text(root, BASE_TEXT.encode("latin-1", errors="replace")),
        (f"{TEXT_FILE}:4: -: ... not UTF-8 at byte",),
    ),
    Case(
        "bom",
        "Texts",
        "a text starting with a byte-order mark",
        lambda root: set_text(root, b"\xef\xbb\xbf" + BASE_TEXT.encode()),
        (f"{TEXT_FILE}:1: -: ... text starts with a byte-order mark (expected UTF-8 without BOM)",),
    ),
    Case(
        "crlf",
        "Texts",
        "a text with Windows (CRLF) line endings",
        lambda root: set_text(root, BASE_TEXT.replace("\n", "\r\n").encode()),
        (f"{TEXT_FILE}:1: -: ... carriage return in text (expected LF line endings only)",),
    ),
    Case(
        "symlinked-text",
        "Texts",
        "a text that is a symbolic link to a file outside `raw/`",
        _symlinked_text,
        (f"{TEXT_FILE}: -: ... text is a link or lies outside raw/articles",),
    ),
    Case(
        "article-path-escape",
        "Texts",
        "an `article:` field pointing outside `raw/` (`../../etc/passwd`)",
        lambda root: edit(root, ANNOTATION, f"article: {ARTICLE}", "article: ../../etc/passwd"),
        (f"{A}:1: article: ... '../../etc/passwd' (expected '{ARTICLE}', the file's name)",),
    ),
    Case(
        "article-id-slash",
        "Texts",
        "an `article:` field with a folder in it",
        lambda root: edit(root, ANNOTATION, f"article: {ARTICLE}", f"article: other/{ARTICLE}"),
        (f"{A}:1: article: ... 'other/{ARTICLE}' (expected '{ARTICLE}', the file's name)",),
    ),
    Case(
        "article-id-space",
        "Texts",
        "an article file name with a space",
        _bad_article_id,
        ("raw/articles/my article.yaml: -: ... article ID 'my article' (expected only letters, digits",),
    ),
    # -- Several at once -------------------------------------------------------------------
    Case(
        "sha256-upper-case",
        "Texts",
        "the SHA-256 of a text written in upper case",
        _upper_sha256,
        (f"{META}:14: sha256: ... is in upper case (expected lower-case hex",),
    ),
    # -- Files under raw/ ---------------------------------------------------------------------
    Case(
        "annotation-yml",
        "Files under raw/",
        "an annotation saved as `.yml`",
        lambda root: (root / ANNOTATION).rename(root / ANNOTATION.replace(".yaml", ".yml")),
        (
            f"{ANNOTATION.replace('.yaml', '.yml')}: -: ... file is not read by the build",
            f"{META}: -: ... no annotation (expected {ANNOTATION}",
        ),
    ),
    Case(
        "text-without-metadata",
        "Files under raw/",
        "a text without its metadata file",
        lambda root: write(root, "raw/articles/other.txt", "Another text.\n"),
        (
            "raw/articles/other.txt: -: ... text without metadata (expected raw/articles/other.yaml beside it)",
        ),
    ),
    Case(
        "folder-for-file",
        "Files under raw/",
        "a folder where a file is expected",
        _folder_for_file,
        (f"{E}: -: ... is a folder (expected a regular file)",),
    ),
    # -- Codebooks ------------------------------------------------------------------------------
    Case(
        "codebook-boolean",
        "Codebooks",
        "a boolean written other than `true` or `false`",
        lambda root: edit(root, TYPES, "verbal_cooperation,2.5,false", "verbal_cooperation,2.5,False"),
        (f"{TYPES}:2: requires_recipient: ... 'False' (expected true or false, in lower case)",),
    ),
    Case(
        "codebook-number",
        "Codebooks",
        "a score that is not a number",
        lambda root: edit(root, TYPES, "AGREE,1,verbal_cooperation,2.5", "AGREE,1,verbal_cooperation,high"),
        (f"{TYPES}:2: score: ... 'high' (expected a number such as -2.5)",),
    ),
    Case(
        "codebook-root",
        "Codebooks",
        "a CAMEO root that is not the code's first two digits",
        lambda root: edit(root, CAMEO, "011,Decline comment,-0.1,01", "011,Decline comment,-0.1,02"),
        (f"{CAMEO}:4: root: ... '02' (expected '01', the code's first two digits)",),
    ),
    Case(
        "codebook-quad",
        "Codebooks",
        "a quad name that contradicts the quad class",
        lambda root: edit(root, TYPES, "AGREE,1,verbal_cooperation", "AGREE,1,material_conflict"),
        (f"{TYPES}:2: quad_name: ... (expected 'verbal_cooperation', the name of quad class 1)",),
    ),
    Case(
        "codebook-bom",
        "Codebooks",
        "a codebook saved with a byte-order mark",
        lambda root: write(root, CONTEXTS, b"\xef\xbb\xbf" + (root / CONTEXTS).read_bytes()),
        (f"{CONTEXTS}:1: -: ... file starts with a byte-order mark",),
    ),
    Case(
        "codebook-header",
        "Codebooks",
        "a codebook without one of its columns",
        lambda root: write(root, CONTEXTS, "context\nasylum\n"),
        (f"{CONTEXTS}:1: -: ... header 'context' (expected 'context,description')",),
    ),
    # -- Outputs --------------------------------------------------------------------------------
    Case(
        "output-folder",
        "Outputs",
        "a folder where the build must write an output file",
        _output_folder,
        ("processed/events.csv: -: ... a folder is where the build must write a file",),
    ),
    Case(
        "output-foreign",
        "Outputs",
        "a file of one's own in `processed/` (never deleted)",
        lambda root: write(root, "processed/my_notes.csv", "a\n"),
        ("processed/my_notes.csv: -: ... not written by the build",),
    ),
    Case(
        "three-mistakes",
        "Several mistakes",
        "three different mistakes in one file: all are reported at once",
        _three_mistakes,
        (
            f"{A}:10: mentions[2].qoute: ... unknown key (did you mean 'quote'?",
            f"{A}:11: mentions[3].event: ... unknown event 'E000404'",
            f"{A}:14: mentions[4].quote: ... quote not found in the text",
        ),
    ),
)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output file's bytes, by path relative to ``root``."""
    files = {}
    for name in OUTPUTS:
        path = root / name
        if path.is_file():
            files[name] = path.read_bytes()
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                # A folder is recorded too: a fault case may put one where a file belongs.
                files[item.relative_to(root).as_posix()] = (
                    item.read_bytes() if item.is_file() else b"<folder>"
                )
    return files


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run the command line in this process; return exit code, stdout and stderr."""
    from caucasus_events.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def problem_lines(stderr: str) -> list[str]:
    """The ``path:line: field: message`` lines of a failed build's error output."""
    return [line for line in stderr.splitlines() if line and not line.endswith("nothing was written")]


def matches(line: str, expected: str) -> bool:
    """Whether a reported line fits an expected ``"start ... fragment"``."""
    start, _, fragment = expected.partition(" ... ")
    return line.startswith(start) and fragment in line[len(start) :]
