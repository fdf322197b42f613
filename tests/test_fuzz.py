"""Property-based tests: for generated and mutated input, the build succeeds or says why.

Whatever an annotator writes, :func:`caucasus_events.build.pipeline.make` either returns a build or
raises :class:`~caucasus_events.problems.InputError`; any other exception is a bug. The quote
resolver, given the right disambiguator, finds exactly the passage it was given.

The number of examples is bounded so that the file runs in well under a minute in CI; set
``FUZZ_SCALE`` (e.g. ``FUZZ_SCALE=50``) to multiply it for a longer hunt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import unicodedata
from pathlib import Path

import pytest
import yaml
from conftest import ANNOTATION, EVENTS
from error_cases import BASE_TEXT, META, TEXT_FILE, make_base
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caucasus_events.build.pipeline import make
from caucasus_events.build.quotes import QuoteError, resolve
from caucasus_events.problems import InputError

SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FAST = settings(max_examples=200 * SCALE, deadline=None)
# Examples that build completely serialize and validate every table (about 0.1 s each).
BUILDS = settings(max_examples=120 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ANNOTATION_FILE = "raw/annotations/synthetic-readout.yaml"
EVENTS_FILE = "raw/events/events.yaml"


EDITED = (ANNOTATION_FILE, EVENTS_FILE, TEXT_FILE, META, "raw/actors.yaml")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic project, shared by the examples (a module fixture, as Hypothesis needs)."""
    return make_base(tmp_path_factory.mktemp("fuzz") / "project")


@pytest.fixture(scope="module")
def pristine(base: Path) -> dict[str, bytes]:
    return {rel: (base / rel).read_bytes() for rel in EDITED}


def build_or_input_error(root: Path) -> None:
    """Run the build in memory: it must succeed or raise InputError, nothing else."""
    try:
        built = make(root)
    except InputError as exc:
        event("input error")
        assert exc.problems, "an InputError must carry its problems"
        for problem in exc.problems:
            assert problem.path and problem.field and problem.message
        return
    event("built")
    text = (root / TEXT_FILE).read_text(encoding="utf-8")
    for row in built.tables["mentions"]:
        assert text[row["start"] : row["end"]] == row["quote"]


def write(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def restore(root: Path, pristine: dict[str, bytes]) -> None:
    # Hypothesis runs many examples per test function: put back every file an example edits.
    for rel, data in pristine.items():
        write(root, rel, data)


# -- Quote resolver --------------------------------------------------------------------------

# Few distinct characters make repeated passages (and so ambiguity) common; the typographic
# ones exercise the hint; the rest of Unicode comes in too.
CHARS = st.one_of(
    st.sampled_from(list("ab ab \n.“”\"'–-\u00a0é\u0301")),
    st.characters(exclude_categories=("Cs",)),
)
TEXTS = st.text(alphabet=CHARS, min_size=1, max_size=200)


@FAST
@given(text=TEXTS, data=st.data())
def test_resolve_finds_the_slice(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1), label="start")
    end = data.draw(st.integers(start + 1, len(text)), label="end")
    quote = text[start:end]
    starts = [i for i in range(len(text)) if text.startswith(quote, i)]
    prefix = None
    if len(starts) > 1 and data.draw(st.booleans(), label="use prefix"):
        prefix = text[data.draw(st.integers(0, start), label="prefix start") : start]
        starts = [i for i in starts if text[:i].endswith(prefix)]
    if len(starts) > 1:
        occurrence = starts.index(start) + 1
    else:  # unique: no occurrence needed, and 1 is right too
        occurrence = data.draw(st.sampled_from([None, 1]), label="occurrence")
    cuts = any(0 < at < len(text) and unicodedata.category(text[at]).startswith("M") for at in (start, end))
    if cuts:  # the quote would split a letter from its accents: refused, and said why
        with pytest.raises(QuoteError, match="combining character sequence"):
            resolve(text, quote, prefix, occurrence)
    else:
        assert resolve(text, quote, prefix, occurrence) == (start, end)


@FAST
@given(
    text=st.text(alphabet=CHARS, max_size=200),
    quote=st.text(alphabet=CHARS, max_size=40),
    prefix=st.one_of(st.none(), st.text(alphabet=CHARS, max_size=10)),
    occurrence=st.one_of(st.none(), st.integers(-3, 10)),
)
def test_resolve_places_or_refuses(text: str, quote: str, prefix, occurrence) -> None:
    try:
        start, end = resolve(text, quote, prefix, occurrence)
    except QuoteError as exc:
        assert str(exc).endswith(")")  # every refusal says what was expected
        return
    assert text[start:end] == quote
    assert prefix is None or text[:start].endswith(prefix)


# -- Generated annotations -------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=CHARS, max_size=20),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(alphabet=CHARS, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
PASSAGES = st.builds(
    lambda i, n: BASE_TEXT[i : i + n], st.integers(0, len(BASE_TEXT) - 1), st.integers(0, 60)
)
DATES = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(st.just("today"), VALUES),
        "relative": st.one_of(st.booleans(), VALUES),
        "start": st.one_of(st.dates(dt.date(2022, 7, 20), dt.date(2022, 7, 30)), st.none(), VALUES),
        "end": st.one_of(st.dates(dt.date(2022, 7, 20), dt.date(2022, 7, 30)), st.none(), VALUES),
        "precision": st.one_of(st.sampled_from(["day", "month", "range", "unknown", "week"]), VALUES),
    },
)
MENTIONS = st.fixed_dictionaries(
    {},
    optional={
        "event": st.one_of(st.sampled_from(["E000001", "E000002", "E000404", "e1"]), VALUES),
        "quote": st.one_of(PASSAGES, VALUES),
        "prefix": st.one_of(PASSAGES, VALUES),
        "occurrence": st.one_of(st.integers(-1, 4), VALUES),
        "date": st.one_of(DATES, VALUES),
        "as_written": st.one_of(
            st.fixed_dictionaries({}, optional={"source": PASSAGES, "target": VALUES, "plave": VALUES}),
            VALUES,
        ),
        "disagreement": st.one_of(st.just("the text says Tuesday"), VALUES),
        "note": VALUES,
        "qoute": PASSAGES,
    },
)
# Mentions likely to be right, so that many examples get through to a full build.
PLAUSIBLE = st.fixed_dictionaries(
    {
        "event": st.sampled_from(["E000001", "E000002"]),
        "quote": st.sampled_from(["The Minister", "spoke today", "Café Europa", "2022–2023", "Freedonia"]),
    },
    optional={
        "prefix": st.sampled_from(["The ", "Minister ", "act. ", "", "in "]),
        "occurrence": st.integers(0, 3),
        "date": DATES,
        "disagreement": st.just("the text says Tuesday"),
        "as_written": st.fixed_dictionaries(
            {"place": st.sampled_from(["Café Europa", "Europa", "Atlantis"])}
        ),
    },
)
PRISTINE_MENTIONS = yaml.safe_load(ANNOTATION)["mentions"]
COMPLETE = st.fixed_dictionaries(
    {
        "article": st.just("synthetic-readout"),
        "annotator": st.just("fuzz"),
        "mentions": st.lists(st.one_of(PLAUSIBLE, PLAUSIBLE, MENTIONS), max_size=3).map(
            lambda extra: PRISTINE_MENTIONS + extra
        ),
    }
)
DOCUMENTS = st.one_of(
    COMPLETE,
    COMPLETE,
    st.fixed_dictionaries(
        {},
        optional={
            "article": st.one_of(st.just("synthetic-readout"), st.just("../x"), VALUES),
            "annotator": VALUES,
            "mentions": st.one_of(st.lists(MENTIONS, max_size=3), VALUES),
            "extra": VALUES,
        },
    ),
    VALUES,
)


@BUILDS
@given(document=DOCUMENTS, style=st.sampled_from(["block", "flow"]))
def test_generated_annotation(base: Path, pristine, document, style: str) -> None:
    restore(base, pristine)
    text = yaml.safe_dump(document, allow_unicode=True, default_flow_style=style == "flow", sort_keys=False)
    write(base, ANNOTATION_FILE, text)
    build_or_input_error(base)


# -- Mutated files ---------------------------------------------------------------------------

FILES = (ANNOTATION_FILE, EVENTS_FILE, META, "raw/actors.yaml")  # YAML files to mutate


def _mutate(source: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        kind = data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate line", "swap lines"]))
        at = data.draw(st.integers(0, len(source)), label="at")
        if kind == "delete":
            source = source[:at] + source[at + data.draw(st.integers(1, 20), label="length") :]
        elif kind == "insert":
            piece = data.draw(
                st.one_of(
                    st.sampled_from(
                        ["- ", ": ", "  ", "\n", "&a ", "*a", "!!binary ", '"', "'", "[", "{", "#", "\t"]
                    ),
                    st.text(alphabet=CHARS, max_size=10),
                ),
                label="insert",
            )
            source = source[:at] + piece + source[at:]
        elif kind == "replace":
            source = (
                source[:at] + data.draw(st.text(alphabet=CHARS, min_size=1, max_size=3)) + source[at + 1 :]
            )
        else:
            lines = source.splitlines(keepends=True)
            if len(lines) > 1:
                i = data.draw(st.integers(0, len(lines) - 2), label="line")
                if kind == "duplicate line":
                    lines.insert(i, lines[i])
                else:
                    lines[i], lines[i + 1] = lines[i + 1], lines[i]
            source = "".join(lines)
    return source


@BUILDS
@given(target=st.sampled_from(FILES), data=st.data())
def test_mutated_file(base: Path, pristine, target: str, data: st.DataObject) -> None:
    restore(base, pristine)
    source = pristine[target].decode("utf-8")
    write(base, target, _mutate(source, data))
    build_or_input_error(base)


@BUILDS
@given(data=st.data())
def test_mutated_text(base: Path, pristine, data: st.DataObject) -> None:
    # The article text itself changes, with or without a matching SHA-256 in its metadata.
    restore(base, pristine)
    raw = _mutate(BASE_TEXT, data).encode("utf-8")
    if data.draw(st.booleans(), label="raw bytes"):
        at = data.draw(st.integers(0, len(raw)), label="byte at")
        raw = raw[:at] + data.draw(st.binary(min_size=1, max_size=4), label="bytes") + raw[at:]
    write(base, TEXT_FILE, raw)
    if data.draw(st.booleans(), label="update sha256"):
        meta = (base / META).read_text(encoding="utf-8")
        old = hashlib.sha256(BASE_TEXT.encode()).hexdigest()
        write(base, META, meta.replace(old, hashlib.sha256(raw).hexdigest()))
    build_or_input_error(base)


def test_base_project_builds(base: Path, pristine) -> None:
    # Before mutation the fuzzed project is valid, so the examples can reach a full build.
    restore(base, pristine)
    assert (base / ANNOTATION_FILE).read_text(encoding="utf-8") == ANNOTATION
    assert (base / EVENTS_FILE).read_text(encoding="utf-8") == EVENTS
    assert len(make(base).tables["mentions"]) == 2
