"""Agreement measures on hand-made cases whose answers are known."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from caucasus_events.build import agreement
from caucasus_events.build.agreement import Coded, alpha, detection, match

REPO = Path(__file__).resolve().parents[1]


def coded(start: int, end: int, **values: str) -> Coded:
    return Coded(start, end, values)


def test_alpha_is_one_for_identical_codings():
    assert alpha(["a", "b", "a", "c"], ["a", "b", "a", "c"]) == pytest.approx(1.0)


def test_alpha_matches_a_hand_computed_nominal_case():
    # Units (a,a) (a,a) (b,b) (b,a): coincidences o_aa=4, o_bb=2, o_ab=o_ba=1; n_a=5, n_b=3, n=8.
    # D_o = 2/8, D_e = 2*5*3/(8*7) = 30/56, alpha = 1 - D_o/D_e = 8/15.
    assert alpha(["a", "a", "b", "b"], ["a", "a", "b", "a"]) == pytest.approx(8 / 15)


def test_alpha_is_negative_for_systematic_disagreement():
    assert alpha(["a", "b", "a", "b"], ["b", "a", "b", "a"]) < 0


def test_alpha_is_undefined_with_a_single_value():
    assert math.isnan(alpha(["a", "a"], ["a", "a"]))


def test_detection_scores():
    assert detection(4, 2, 2) == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3)}
    assert detection(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_match_pairs_by_largest_overlap_one_to_one():
    a = [coded(0, 10), coded(20, 30), coded(50, 60)]
    b = [coded(5, 12), coded(8, 25), coded(40, 45)]
    pairs = match(a, b)
    # (0,10)-(5,12) overlap 5; (0,10)-(8,25) overlap 2; (20,30)-(8,25) overlap 5: both 5s pair.
    assert {(x.start, y.start) for x, y in pairs} == {(0, 5), (20, 8)}
    assert detection(len(a), len(b), len(pairs))["f1"] == pytest.approx(2 / 3)


def test_touching_spans_do_not_match():
    assert match([coded(0, 10)], [coded(10, 20)]) == []


def test_repository_agreement_is_computed_and_stated_in_readme():
    results = agreement.compute(REPO)
    assert results, "no independent pass in raw/agreement"
    for result in results.values():
        assert len(result["articles"]) >= 6
    passes = [r for name, r in results.items() if name != agreement.POOLED]
    if len(passes) > 1:
        pooled = results[agreement.POOLED]
        assert pooled["matched"] == sum(r["matched"] for r in passes)
        assert sorted(pooled["articles"]) == sorted(a for r in passes for a in r["articles"])
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- agreement:", 1)[1].split("-->", 1)[1].split("<!-- end of agreement -->", 1)[0]
    assert block.strip() == agreement.markdown(results).strip(), "run `caucasus-events docs`"
