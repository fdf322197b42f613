"""Each linter rule fires on a project that breaks it, and only then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import PUBLISHERS, TEXT, article_meta

from caucasus_events.build.lint import RULES, rules_markdown
from caucasus_events.build.pipeline import make
from caucasus_events.cli import main
from caucasus_events.problems import InputError

EVENTS_FILE = "raw/events/events.yaml"
THIRD_ACTOR = """\
- id: rur-gov
  name: Government of Ruritania (synthetic)
  kind: government
  country: ARM
  sector: GOV
"""


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def add_article(root: Path, article_id: str, text: str, mentions: str) -> None:
    (root / "raw/articles" / f"{article_id}.txt").write_text(text, encoding="utf-8")
    (root / "raw/articles" / f"{article_id}.yaml").write_text(article_meta(text), encoding="utf-8")
    (root / "raw/annotations" / f"{article_id}.yaml").write_text(
        f"article: {article_id}\nannotator: test\nmentions:\n{mentions}", encoding="utf-8"
    )


def findings(root: Path) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a build, as message lines."""
    try:
        built = make(root)
    except InputError as exc:
        return [str(p) for p in exc.problems], []
    return [], [str(w) for w in built.warnings]


def fired(lines: list[str], rule: str) -> list[str]:
    return [line for line in lines if line.endswith(f"[{rule} {RULES[rule].name}]")]


def test_the_synthetic_project_breaks_no_rule(project: Path) -> None:
    errors, warnings = findings(project)
    assert errors == [] and warnings == []


def test_long_act(project: Path) -> None:
    edit(
        project,
        EVENTS_FILE,
        "date: {start: 2022-07-25, end: 2022-07-25, precision: day}",
        "date: {start: 2020-01-01, end: 2022-07-25, precision: range}",
    )
    _, warnings = findings(project)
    assert fired(warnings, "L01") == [
        "raw/events/events.yaml:14: kind: an act lasting 2020-01-01..2022-07-25 (expected kind: state, or a shorter interval) [L01 long-act]"
    ]


def test_routine_formula(project: Path) -> None:
    text = "The Minister welcomed the release of all detainees by Freedonia.\n"
    add_article(project, "second", text, "  - event: E000002\n    quote: The Minister welcomed the release\n")
    edit(project, EVENTS_FILE, 'cameo: "0253"', 'cameo: "050"')
    edit(project, EVENTS_FILE, "type: REQUEST\n  mode: yield", "type: SUPPORT\n  mode: null")
    errors, _ = findings(project)
    assert fired(errors, "L02") == [
        'raw/events/events.yaml:20: cameo: CAMEO 050 for welcoming an act ("welcomed") in second (expected 051, the code of this formula) [L02 routine-formula]'
    ]


def test_inferred_initiator(project: Path) -> None:
    edit(
        project,
        EVENTS_FILE,
        'type: REQUEST\n  mode: yield\n  contexts: [legal]\n  cameo: "0253"',
        'type: ASSAULT\n  mode: null\n  contexts: [military]\n  cameo: "190"',
    )
    errors, _ = findings(project)
    assert len(fired(errors, "L03")) == 1 and "rur-minister is the initiator" in errors[0]
    # Naming the initiator as the text writes it satisfies the rule.
    edit(
        project,
        "raw/annotations/synthetic-readout.yaml",
        "  - event: E000002\n    quote: urged the President to release all detainees\n",
        "  - event: E000002\n    quote: urged the President to release all detainees\n    as_written: {source: The Minister of Ruritania}\n",
    )
    assert fired(findings(project)[0], "L03") == []


def test_in_call_act_and_target(project: Path) -> None:
    append(project, "raw/actors.yaml", THIRD_ACTOR)
    append(project, EVENTS_FILE, "  within: E000001\n")
    edit(
        project,
        EVENTS_FILE,
        "  source: [rur-minister]\n  target: [fre-president]\n  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  place: capital",
        "  source: [rur-gov]\n  target: [rur-gov]\n  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  place: capital",
    )
    errors, warnings = findings(project)
    assert [e.split(": ", 2)[1] for e in fired(errors, "L04")] == ["source"]
    assert "no source is a participant of E000001" in fired(errors, "L04")[0]
    edit(
        project,
        EVENTS_FILE,
        "  source: [rur-gov]\n  target: [rur-gov]",
        "  source: [rur-minister]\n  target: [rur-gov]",
    )
    errors, warnings = findings(project)
    assert fired(errors, "L04") == [] and len(fired(warnings, "L05")) == 1
    assert "not at the interlocutor in E000001 (fre-president)" in fired(warnings, "L05")[0]


def test_shared_passage(project: Path) -> None:
    add_article(
        project, "copy", TEXT, "  - event: E000002\n    quote: urged the President to release all detainees\n"
    )
    _, warnings = findings(project)
    # The copy reports E000002 as the original does; the call (E000001) is linked only in one.
    assert [w.split(": ")[0] for w in fired(warnings, "L06")] == ["raw/annotations/synthetic-readout.yaml:4"]
    assert "also occurs in copy (similarity 1.00), which does not report E000001" in fired(warnings, "L06")[0]


def test_findings_are_the_same_with_the_shared_passage_rule_in_a_pool(project: Path) -> None:
    """With workers, the shared-passage rule runs in an encoding process on the rows in the
    stage's order, and its findings sort in among the other rules' as in one process."""
    add_article(
        project, "copy", TEXT, "  - event: E000002\n    quote: urged the President to release all detainees\n"
    )
    append(project, "raw/actors.yaml", THIRD_ACTOR)  # L08, found in this process
    # The later passage first: the stage's order of the mentions is not their sorted order.
    (project / "raw/annotations/synthetic-readout.yaml").write_text(
        "article: synthetic-readout\nannotator: test\nmentions:\n"
        "  - event: E000002\n    quote: urged the President to release all detainees\n"
        "  - event: E000001\n    quote: spoke today with the President of Freedonia\n"
        "    date: {text: today, relative: true, start: 2022-07-25, end: 2022-07-25, precision: day}\n",
        encoding="utf-8",
    )
    found = [make(project, workers=workers).warnings for workers in (1, 2)]
    assert [str(w) for w in found[0]] == [str(w) for w in found[1]]
    assert [w.split(": ")[0] for w in fired([str(w) for w in found[0]], "L06")] == [
        "raw/annotations/synthetic-readout.yaml:6"
    ]
    assert fired([str(w) for w in found[0]], "L08")


def test_shared_passage_found_through_the_cache(project: Path) -> None:
    """Fingerprints made by an earlier build (kept in the cache) still find the passage."""
    add_article(
        project, "copy", TEXT, "  - event: E000002\n    quote: urged the President to release all detainees\n"
    )
    fresh = fired(findings(project)[1], "L06")
    args = [sys.executable, "-m", "caucasus_events.cli", "build", "--root", str(project)]
    runs = [
        subprocess.run(args, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        for seed in ("1", "2")  # the second run reads every article from the first's cache
    ]
    assert fresh and all(fresh[0] in run.stdout for run in runs), [run.stdout[-400:] for run in runs]


@pytest.mark.parametrize("quotes_at_once", [1, 2])
def test_shared_passage_in_several_texts_whatever_the_blocks(
    project: Path, monkeypatch: pytest.MonkeyPatch, quotes_at_once: int
) -> None:
    """Every text holding the passage is reported, however the quotes are split into blocks."""
    from caucasus_events.build import lint

    for name in ("copy-a", "copy-b", "copy-c"):
        add_article(
            project,
            name,
            TEXT,
            "  - event: E000002\n    quote: urged the President to release all detainees\n",
        )
    whole = fired(findings(project)[1], "L06")
    assert [line.split("also occurs in ")[1].split(" ")[0] for line in whole] == [
        "copy-a",
        "copy-b",
        "copy-c",
    ]
    monkeypatch.setattr(lint, "QUOTES_AT_ONCE", quotes_at_once)
    assert fired(findings(project)[1], "L06") == whole


@pytest.mark.parametrize("seed", range(5))
def test_shared_runs_count_as_pairs_of_sets_do(seed: int) -> None:
    """The binary-search pairing of quotes' runs with texts' runs, against sets."""
    from caucasus_events.build.lint import _shared_runs

    rng = np.random.default_rng(seed)
    n_quotes, n_texts = 30, 12
    quote_runs = [
        set(rng.choice(40, size=rng.integers(0, 8), replace=False).tolist()) for _ in range(n_quotes)
    ]
    text_runs = [
        set(rng.choice(40, size=rng.integers(0, 15), replace=False).tolist()) for _ in range(n_texts)
    ]
    own = rng.integers(n_texts, size=n_quotes)
    mention = np.array([q for q, runs in enumerate(quote_runs) for _ in sorted(runs)], dtype=np.int64)
    prints = np.array([r for runs in quote_runs for r in sorted(runs)], dtype=np.uint64)
    held = sorted((r, t) for t, runs in enumerate(text_runs) for r in runs)
    held_prints = np.array([r for r, _ in held], dtype=np.uint64)
    held_in = np.array([t for _, t in held], dtype=np.int64)
    got = _shared_runs(mention, prints, held_prints, held_in, own, n_texts)
    expected = [
        (q, t, len(quote_runs[q] & text_runs[t]))
        for q in range(n_quotes)
        for t in range(n_texts)
        if t != own[q] and quote_runs[q] & text_runs[t]
    ]
    assert list(zip(*(column.tolist() for column in got), strict=True)) == expected


def test_passage_fingerprints_are_the_same_in_every_process() -> None:
    """Pool workers, Dask workers and the cache make fingerprints in other processes."""
    code = (
        "from caucasus_events.build.lint import passage_fingerprints; "
        "print(passage_fingerprints('the talks on the peace treaty resumed in Washington today').tolist())"
    )
    out = [
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    ]
    assert out[0] == out[1] and out[0] != "[]\n"


def test_shared_passage_is_confirmed_on_the_words(project: Path, monkeypatch) -> None:
    """Fingerprints only propose candidates: were every run of words to collide, the texts
    that do not hold the passage would still not be reported."""
    from caucasus_events.build import lint

    real = lint._fingerprints

    def colliding(texts: list[str]):
        prints, owner = real(texts)
        return lint.np.zeros_like(prints), owner

    add_article(
        project, "other", "A different text about something else entirely, word for word.\n", "  []\n"
    )
    monkeypatch.setattr(lint, "_fingerprints", colliding)
    _, warnings = findings(project)
    assert fired(warnings, "L06") == []


def test_mode_departure(project: Path) -> None:
    edit(project, EVENTS_FILE, "type: REQUEST\n  mode: yield", "type: REQUEST\n  mode: change")
    errors, _ = findings(project)
    assert fired(errors, "L07") == [
        "raw/events/events.yaml:18: mode: 'change' differs from the default mode 'yield' of CAMEO 0253 (expected mapping_departure with the reason) [L07 mode-departure]"
    ]


def test_unused_registry(project: Path) -> None:
    append(project, "raw/actors.yaml", THIRD_ACTOR)
    append(
        project,
        "raw/publishers.yaml",
        PUBLISHERS.replace("test-ministry", "idle").replace("Test Ministry", "Idle Wire"),
    )
    _, warnings = findings(project)
    assert [w.split(": ", 1)[1] for w in fired(warnings, "L08")] == [
        "id: actor rur-gov is used by no event [L08 unused-registry]",
        "id: publisher idle publishes no article [L08 unused-registry]",
    ]


def test_date_remark(project: Path) -> None:
    edit(
        project,
        "raw/annotations/synthetic-readout.yaml",
        "precision: day}\n",
        "precision: day}\n    disagreement: {field: date, note: The text gives the day only.}\n",
    )
    errors, _ = findings(project)
    assert len(fired(errors, "L09")) == 1 and "are 'same', not 'disjoint'" in errors[0]


def test_mention_findings_give_the_mention_line(project: Path) -> None:
    # The finding is on the second mention of the second article the stage reads: a line
    # taken from the wrong row (another mention, another article) would show.
    add_article(project, "a-first", TEXT, "  - event: E000001\n    quote: spoke today with the President\n")
    edit(
        project,
        "raw/annotations/synthetic-readout.yaml",
        "    quote: urged the President to release all detainees\n",
        "    quote: urged the President to release all detainees\n"
        "    date: {text: today, relative: true, start: 2022-07-25, end: 2022-07-25, precision: day}\n"
        "    disagreement: {field: date, note: The text gives the day only.}\n",
    )
    errors, _ = findings(project)
    assert [e.split(": ", 1)[0] for e in fired(errors, "L09")] == ["raw/annotations/synthetic-readout.yaml:7"]


def test_office_source(project: Path) -> None:
    append(project, "raw/actors.yaml", THIRD_ACTOR)
    edit(project, "raw/actors.yaml", "  office: Minister\n", "  office: Minister\n  member_of: rur-gov\n")
    edit(
        project,
        "raw/publishers.yaml",
        "  matches: [Test Ministry]",
        "  speaks_as: rur-minister\n  matches: [Test Ministry]",
    )
    edit(
        project,
        EVENTS_FILE,
        "  source: [rur-minister]\n  target: [fre-president]\n  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  place: capital",
        "  source: [rur-gov]\n  target: [fre-president]\n  date: {start: 2022-07-25, end: 2022-07-25, precision: day}\n  place: capital",
    )
    errors, _ = findings(project)
    assert len(fired(errors, "L10")) == 1
    assert "rur-gov for a statement issued by rur-minister" in fired(errors, "L10")[0]


def test_id_block(project: Path) -> None:
    (project / "raw/id-blocks.yaml").write_text(
        "- first: E000100\n  last: E000199\n  annotator: test\n  article: synthetic-readout\n",
        encoding="utf-8",
    )
    assert fired(findings(project)[0], "L11") == []  # E000001, E000002 predate the blocks
    edit(project, EVENTS_FILE, "- id: E000002", "- id: E000250")
    edit(project, "raw/annotations/synthetic-readout.yaml", "event: E000002", "event: E000250")
    errors, _ = findings(project)
    assert fired(errors, "L11") == [
        "raw/events/events.yaml:15: id: E000250 lies in no block of raw/id-blocks.yaml (expected an ID of the block reserved for the text, see `caucasus-events add`) [L11 id-block]"
    ]


def test_lint_command_exits_2_on_errors_and_lists_warnings(
    project: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["lint", "--root", str(project)]) == 0
    assert "lint: no errors, 0 warning(s)" in capsys.readouterr().out
    edit(project, EVENTS_FILE, "type: REQUEST\n  mode: yield", "type: REQUEST\n  mode: change")
    assert main(["lint", "--root", str(project)]) == 2
    assert "[L07 mode-departure]" in capsys.readouterr().err
    assert main(["lint", "--root", str(project), "--file", "raw/actors.yaml"]) == 0
    assert "lint: no errors in the files asked about (1 elsewhere)" in capsys.readouterr().out
    assert not (project / "processed").exists()  # lint writes nothing


def test_every_rule_is_documented_in_the_codebook() -> None:
    codebook = (Path(__file__).resolve().parents[1] / "docs" / "codebook.md").read_text(encoding="utf-8")
    assert rules_markdown() in codebook


def test_every_rule_has_a_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{rule}")' in source for rule in RULES)
