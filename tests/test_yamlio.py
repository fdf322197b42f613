"""Strict YAML reading: what is refused, with which line, and how records are checked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caucasus_events.build import yamlio
from caucasus_events.build.yamlio import (
    DATE_T,
    MAX_BYTES,
    TEXT,
    TEXT_LIST,
    Invalid,
    Mapping,
    Sequence,
    check_record,
    load_yaml,
)


@pytest.fixture(autouse=True, params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test here runs with libyaml's C parser and with the pure-Python fallback."""
    if request.param == "libyaml" and yamlio._C_LOADER is None:
        pytest.skip("PyYAML was built without libyaml")
    if request.param == "pure-python":
        monkeypatch.setattr(yamlio, "_C_LOADER", None)
    return request.param


def load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_yaml(path, "f.yaml")


def one_problem(tmp_path: Path, text: str | bytes) -> str:
    doc, problems = load(tmp_path, text)
    assert doc is None
    assert len(problems) == 1
    return str(problems[0])


def test_lines_are_kept(tmp_path: Path) -> None:
    doc, problems = load(tmp_path, "a: 1\nitems:\n  - x\n  - {b: 2022-07-25}\n")
    assert problems == []
    assert isinstance(doc, Mapping) and isinstance(doc["items"], Sequence)
    assert doc.line == 1 and doc.lines == {"a": 1, "items": 2}
    assert doc["items"].lines == [3, 4]
    assert doc["items"][1] == {"b": dt.date(2022, 7, 25)}
    assert doc["items"][1].lines == {"b": 4}


def test_written_form_is_kept(tmp_path: Path) -> None:
    doc, _ = load(tmp_path, "cameo: 041\nflag: yes\n")
    assert doc == {"cameo": 33, "flag": True}
    assert doc.written == {"cameo": "041", "flag": "yes"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: [1,\n", "f.yaml:2: -: YAML syntax error: expected the node content, but found '<stream end>'"),
        ("a:\n\tb: 1\n", "f.yaml:2: -: YAML syntax error: found character '\\t' that cannot start any token"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2: -: YAML syntax error: but found another document"),
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3: -: duplicate key 'a' (first on line 1)"),
        ("a: &x 1\nb: *x\n", "f.yaml:1: -: YAML anchors and aliases are not allowed (write each value out)"),
        (
            "a: {x: 1}\nb:\n  <<: {y: 2}\n",
            "f.yaml:3: -: merge keys (<<) are not allowed (write each key out)",
        ),
        ("1: a\n", "f.yaml:1: -: key 1 is not text"),
        ("[a]: b\n", "f.yaml:1: -: key ['a'] is not text"),
        ("", "f.yaml: -: file is empty (expected a YAML document)"),
        ("# nothing but a comment\n", "f.yaml: -: file is empty (expected a YAML document)"),
        ("a: ok\nb: \x01\n", "f.yaml:2: -: control character #x0001 (expected printable text)"),
        ('a: "\\ud800"\n', "f.yaml:1: -: text with an unpaired surrogate escape such as \\ud800"),
        ("a: !!binary aGVsbG8=\n", "f.yaml:1: -: YAML tag tag:yaml.org,2002:binary is not allowed"),
        ("[" * 20000 + "]" * 20000, "f.yaml: -: nested too deeply (expected a plain annotation)"),
        (b"a: 1\nb: caf\xe9\n", "f.yaml:2: -: not UTF-8 at byte 11 (expected UTF-8 text)"),
    ],
    ids=[
        "syntax",
        "tab",
        "two-documents",
        "duplicate-key",
        "alias",
        "merge-key",
        "int-key",
        "list-key",
        "empty",
        "comment-only",
        "control-character",
        "surrogate",
        "tag",
        "deep-nesting",
        "latin-1",
    ],
)
def test_refused(tmp_path: Path, text: str | bytes, expected: str) -> None:
    assert one_problem(tmp_path, text).startswith(expected)


def test_python_tags_are_refused_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    message = one_problem(tmp_path, f"a: !!python/object/apply:os.system ['touch {marker}']\n")
    assert "YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed" in message
    assert not marker.exists()


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    # Ten levels of nine aliases each would expand to 9**10 items if aliases were followed.
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    message = one_problem(tmp_path, "\n".join(lines) + "\n")
    assert message == "f.yaml:1: -: YAML anchors and aliases are not allowed (write each value out)"


def test_size_limit(tmp_path: Path) -> None:
    message = one_problem(tmp_path, "a: 1\n" + "#" * MAX_BYTES)
    assert message == f"f.yaml: -: file is {MAX_BYTES + 5:,} bytes (expected at most {MAX_BYTES:,})"
    doc, problems = load(tmp_path, "a: 1\n" + "#" * (MAX_BYTES - 6) + "\n")
    assert problems == [] and doc == {"a": 1}


def test_impossible_date_is_kept_as_invalid(tmp_path: Path) -> None:
    # One bad date must not hide the file's other problems: it is read as an Invalid value.
    doc, problems = load(tmp_path, "a: 2022-02-30\nb: 2022-02-28\n")
    assert problems == []
    assert isinstance(doc["a"], Invalid) and doc["a"] == "2022-02-30"
    assert doc["a"].reason == "day is out of range for month"
    assert doc["b"] == dt.date(2022, 2, 28)


class _NotUsed(yaml.SafeLoader):
    def __init__(self, *_: object) -> None:
        raise AssertionError("the pure-Python parser read a file libyaml can read")


def test_libyaml_reads_plain_files(tmp_path: Path, parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if parser != "libyaml":
        pytest.skip("the fast path needs libyaml")
    monkeypatch.setattr(yamlio, "_StrictLoader", _NotUsed)
    # Markers in text (& * !) are scanned, not sent to the slow parser.
    doc, problems = load(tmp_path, 'a: 1\nb: "Smith & Sons * 2!"\nc: [x, {d: 2022-07-25}]\n')
    assert problems == []
    assert doc == {"a": 1, "b": "Smith & Sons * 2!", "c": ["x", {"d": dt.date(2022, 7, 25)}]}
    assert doc.lines == {"a": 1, "b": 2, "c": 3} and doc["c"].lines == [3, 3]


def shape(value: object) -> object:
    """A value with everything load_yaml records about it: types, lines, written forms, reasons."""
    if isinstance(value, Mapping):
        items = tuple((k, shape(v)) for k, v in value.items())
        return ("map", value.line, tuple(value.lines.items()), tuple(value.written.items()), items)
    if isinstance(value, Sequence):
        return ("seq", value.line, tuple(value.lines), tuple(shape(v) for v in value))
    if isinstance(value, Invalid):
        return ("invalid", str(value), value.reason)
    return (type(value).__name__, repr(value))


# Fragments that exercise the scanner: indentation, flow collections, quotes and escapes, block
# scalars, comments, markers, dates, numbers, odd line breaks and characters the reader refuses.
# fmt: off
FRAGMENTS = st.sampled_from(
    [
        "a", "b", "k", ": ", ":", "- ", "\n", "\n  ", "\n    ", "  ", "\t", "[", "]", "{", "}", ", ",
        '"', "'", "\\", "\\u00e9", "\\ud800", "|", ">", "# c", "&x ", "*x", "!!str ", "! ", "<<: ",
        "2022-07-25", "2022-02-30", "041", "0x1F", "1.5", "yes", "null", "~", "---", "...", "?",
        "\r\n", "\r", "\x85", "\u2028", "\ufeff", "\x01", "é", "%YAML 1.1\n", "@", "`",
    ]
)
# fmt: on


# The parser fixture only chooses the parser; sharing it between examples is fine.
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(FRAGMENTS, max_size=30))
def test_libyaml_and_pure_python_agree(
    tmp_path_factory: pytest.TempPathFactory, parser: str, parts: list[str]
) -> None:
    if parser != "libyaml":
        pytest.skip("compares libyaml with the pure-Python parser")
    text = "".join(parts)
    folder = tmp_path_factory.mktemp("agree")
    fast_doc, fast_problems = load(folder, text)
    saved = yamlio._C_LOADER
    yamlio._C_LOADER = None
    try:
        slow_doc, slow_problems = load(folder, text)
    finally:
        yamlio._C_LOADER = saved
    assert [str(p) for p in fast_problems] == [str(p) for p in slow_problems]
    assert shape(fast_doc) == shape(slow_doc)


SPEC = {
    "name": (True, TEXT, "a name"),
    "when": (False, DATE_T, "a date YYYY-MM-DD or null"),
    "count": (False, (int,), "a whole number"),
    "ids": (False, TEXT_LIST, "a list of IDs"),
    "quote": (False, TEXT, "a passage"),
}


def check(tmp_path: Path, text: str) -> list[str]:
    doc, problems = load(tmp_path, text)
    assert problems == []
    return [str(p) for p in check_record(doc, SPEC, "f.yaml", "rec", 1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nwhen: null\ncount: null\nids: []\n", []),
        ("name: x\nwhen: 2022-07-25\ncount: 3\nids: [a, b]\n", []),
        ("when: 2022-07-25\n", ["f.yaml:1: rec.name: missing (expected a name)"]),
        ("name: null\n", ["f.yaml:1: rec.name: empty value null (expected a name)"]),
        (
            "name: x\nnmae: y\n",
            ["f.yaml:2: rec.nmae: unknown key (expected one of: name, when, count, ids, quote)"],
        ),
        (
            "qoute: y\nname: x\n",
            [
                "f.yaml:1: rec.qoute: unknown key (did you mean 'quote'? expected one of: name, when, count, ids, quote)"
            ],
        ),
        (
            "nmae: y\n",
            [
                "f.yaml:1: rec.nmae: unknown key (did you mean 'name'? expected one of: name, when, count, ids, quote)"
            ],
        ),
        ("name: 12\n", ["f.yaml:1: rec.name: int 12 (expected a name)"]),
        ("name: 0x1F\n", ["f.yaml:1: rec.name: int 0x1F (expected a name)"]),
        ("name: x\ncount: true\n", ["f.yaml:2: rec.count: bool true (expected a whole number)"]),
        ("name: x\ncount: '3'\n", ["f.yaml:2: rec.count: str '3' (expected a whole number)"]),
        ("name: x\ncount: 3.0\n", ["f.yaml:2: rec.count: float 3.0 (expected a whole number)"]),
        (
            "name: x\nwhen: 2022-07-25 10:00:00\n",
            ["f.yaml:2: rec.when: datetime 2022-07-25 10:00:00 (expected a date YYYY-MM-DD or null)"],
        ),
        (
            "name: x\nwhen: '2022-07-25'\n",
            ["f.yaml:2: rec.when: str '2022-07-25' (expected a date YYYY-MM-DD or null)"],
        ),
        (
            "name: x\nwhen: 2022-7-25\n",
            ["f.yaml:2: rec.when: str '2022-7-25' (expected a date YYYY-MM-DD or null)"],
        ),
        (
            "name: x\nwhen: 2022-02-30\n",
            [
                "f.yaml:2: rec.when: '2022-02-30' is not a valid date: day is out of range for month (expected a date YYYY-MM-DD or null)"
            ],
        ),
        ("name: ''\n", ["f.yaml:1: rec.name: empty text (expected a name)"]),
        ("name: '  '\n", ["f.yaml:1: rec.name: empty text (expected a name)"]),
        ("name: x\nquote: ''\n", ["f.yaml:2: rec.quote: empty text (expected a passage)"]),
        ("name: [x]\n", ["f.yaml:1: rec.name: a list ['x'] (expected a name)"]),
        ("name: {x: 1}\n", ["f.yaml:1: rec.name: a mapping {'x': 1} (expected a name)"]),
        ("name: x\nids: a\n", ["f.yaml:2: rec.ids: str 'a' (expected a list of IDs)"]),
        ("name: x\nids: [a, 1]\n", ["f.yaml:2: rec.ids: item 2 is int 1 (expected a list of IDs)"]),
        ("name: x\nids: [a, '']\n", ["f.yaml:2: rec.ids: item 2 is empty text (expected a list of IDs)"]),
        ("name: x\nids: [[a]]\n", ["f.yaml:2: rec.ids: item 1 is a list (expected a list of IDs)"]),
        ("name: x\nids: [{a: 1}]\n", ["f.yaml:2: rec.ids: item 1 is a mapping (expected a list of IDs)"]),
        ("name: x\nids: [null]\n", ["f.yaml:2: rec.ids: item 1 is empty value (expected a list of IDs)"]),
        (
            "nmae: x\ncount: two\nids: [1]\n",
            [
                "f.yaml:1: rec.nmae: unknown key (did you mean 'name'? expected one of: name, when, count, ids, quote)",
                "f.yaml:2: rec.count: str 'two' (expected a whole number)",
                "f.yaml:3: rec.ids: item 1 is int 1 (expected a list of IDs)",
            ],
        ),
    ],
)
def test_check_record(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert sorted(check(tmp_path, text)) == sorted(expected)


@pytest.mark.parametrize("text", ["- a\n", "just text\n", "null\n"])
def test_check_record_needs_a_mapping(tmp_path: Path, text: str) -> None:
    doc, _ = load(tmp_path, text)
    (problem,) = check_record(doc, SPEC, "f.yaml", "rec", 4)
    assert problem.line == 4 and problem.field == "rec"
    assert problem.message.startswith("expected a mapping, got ")


def test_symbolic_link_is_refused(tmp_path):
    from caucasus_events.build.yamlio import load_yaml

    target = tmp_path / "elsewhere.yaml"
    target.write_text("a: 1\n", encoding="utf-8")
    link = tmp_path / "linked.yaml"
    link.symlink_to(target)
    doc, problems = load_yaml(link, "raw/annotations/linked.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "raw/annotations/linked.yaml: -: file is a symbolic link (expected a plain file inside raw/)"
    ]
