"""Inter-annotator agreement between independent coding passes over the same texts.

``raw/agreement/first-pass/`` holds the release's own coding of the doubly-annotated texts,
frozen before adjudication (``scripts/freeze_pass.py``); every other folder is an independent
pass compared with it.

Mentions of two passes over the same text are matched one-to-one by span overlap (largest
overlap first). Detection is scored by precision, recall and F1; the coding of matched
mentions by Krippendorff's alpha (nominal) and raw agreement, per field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import krippendorff
import numpy as np

from caucasus_events.build.quotes import QuoteError, resolve
from caucasus_events.build.rawdata import read_registries
from caucasus_events.build.yamlio import load_yaml
from caucasus_events.problems import InputError, Problem, relpath

FIELDS = ("kind", "plover_type", "cameo_root", "source", "target", "date")
#: The subsets of matched mentions the figures are given for: all, and those both passes
#: coded as acts, or both as states (passes made before 0.2.0 coded acts only).
SUBSETS = {"all": None, "acts": "act", "states": "state"}


@dataclass(frozen=True)
class Coded:
    """One mention as a pass coded it."""

    start: int
    end: int
    values: dict[str, str]


def match(a: list[Coded], b: list[Coded]) -> list[tuple[Coded, Coded]]:
    """Pair mentions of two passes one-to-one, largest span overlap first; no overlap, no pair."""
    candidates = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            overlap = min(x.end, y.end) - max(x.start, y.start)
            if overlap > 0:
                candidates.append((-overlap, i, j))
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def detection(n_a: int, n_b: int, n_matched: int) -> dict[str, float]:
    """Precision of ``b`` against ``a``, recall, and F1 of mention detection."""
    precision = n_matched / n_b if n_b else 0.0
    recall = n_matched / n_a if n_a else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def alpha(first: list[str], second: list[str]) -> float:
    """Krippendorff's alpha for two coders on nominal values (NaN when it is undefined)."""
    labels = {v: k for k, v in enumerate(sorted(set(first) | set(second)))}
    if len(labels) < 2:
        return float("nan")  # one value throughout: no expected disagreement, alpha undefined
    data = np.array([[labels[v] for v in first], [labels[v] for v in second]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _interval(date) -> str:
    if not date or date.get("start") is None:
        return "unknown"
    return f"{date['start']}/{date['end']}"


def _values(record_kind, kind, cameo, source, target, date, roots) -> dict[str, str]:
    return {
        "kind": record_kind or "act",
        "plover_type": kind or "none",
        "cameo_root": roots.get(cameo, "?"),
        "source": ";".join(sorted(source or [])) or "none",
        "target": ";".join(sorted(target or [])) or "none",
        "date": _interval(date),
    }


def _read(path: Path, root: Path, problems: list[Problem]):
    doc, found = load_yaml(path, relpath(path, root))
    problems += found
    return doc


def _coded(doc, text: str, shown: str, problems: list[Problem], code_of) -> list[Coded]:
    coded = []
    for i, item in enumerate(doc["mentions"]):
        try:
            start, end = resolve(text, item["quote"], item.get("prefix"), item.get("occurrence"))
        except QuoteError as exc:
            problems.append(Problem(shown, item.line, f"mentions[{i}].quote", str(exc)))
            continue
        values = code_of(item)
        if values is not None:
            coded.append(Coded(start, end, values))
    return coded


FIRST_PASS = "first-pass"
#: Key of the figures over all independent passes together, when there are several.
POOLED = "all passes"


def compute(root: Path) -> dict:
    """Agreement of every independent pass in raw/agreement with the frozen first pass."""
    root = root.resolve()
    reg, problems = read_registries(root)
    if problems:
        raise InputError(problems)
    roots = {row["code"]: row["root"] for row in reg.codebooks["cameo_codes"]}

    def inline(item):
        return _values(
            item.get("kind"),
            item.get("type"),
            item.get("cameo"),
            item.get("source"),
            item.get("target"),
            item.get("date"),
            roots,
        )

    folder_a = root / "raw" / "agreement" / FIRST_PASS
    results = {}
    pooled_articles: list[str] = []
    pooled_pairs: list[tuple[Coded, Coded]] = []
    pooled_totals = {"a": 0, "b": 0, "matched": 0}
    for folder in sorted(p for p in (root / "raw" / "agreement").iterdir() if p.is_dir() and p != folder_a):
        totals = {"a": 0, "b": 0, "matched": 0}
        pairs: list[tuple[Coded, Coded]] = []
        articles, differing, unmatched = [], [], []
        for path in sorted(folder.glob("*.yaml")):
            text = (root / "raw" / "articles" / f"{path.stem}.txt").read_text(encoding="utf-8")
            first_path = folder_a / path.name
            if not first_path.is_file():
                problems.append(
                    Problem(
                        relpath(path, root),
                        None,
                        "-",
                        f"no first-pass coding of this text (expected {relpath(first_path, root)})",
                    )
                )
                continue
            a_doc, b_doc = _read(first_path, root, problems), _read(path, root, problems)
            if a_doc is None or b_doc is None:
                continue
            a = _coded(a_doc, text, relpath(first_path, root), problems, inline)
            b = _coded(b_doc, text, relpath(path, root), problems, inline)
            matched = match(a, b)
            totals["a"] += len(a)
            totals["b"] += len(b)
            totals["matched"] += len(matched)
            pairs += matched
            articles.append(path.stem)
            differing += [
                {
                    "article": path.stem,
                    "span": [x.start, x.end],
                    "quote": text[x.start : x.end],
                    **{
                        name: [x.values[name], y.values[name]]
                        for name in FIELDS
                        if x.values[name] != y.values[name]
                    },
                }
                for x, y in matched
                if x.values != y.values
            ]
            paired = {id(x) for x, _ in matched} | {id(y) for _, y in matched}
            unmatched += [
                {"article": path.stem, "pass": label, "quote": text[m.start : m.end]}
                for label, side in ((FIRST_PASS, a), (folder.name, b))
                for m in side
                if id(m) not in paired
            ]
        results[folder.name] = {
            **_scores(articles, totals, pairs),
            "disagreements": differing,
            "unmatched": unmatched,
        }
        pooled_articles += articles
        pooled_pairs += pairs
        for key in pooled_totals:
            pooled_totals[key] += totals[key]
    if problems:
        raise InputError(problems)
    if len(results) > 1:
        results[POOLED] = _scores(pooled_articles, pooled_totals, pooled_pairs)
    return results


def _scores(articles: list[str], totals: dict[str, int], pairs: list[tuple[Coded, Coded]]) -> dict:
    subsets = {}
    for subset, kind in SUBSETS.items():
        chosen = [(x, y) for x, y in pairs if kind is None or x.values["kind"] == y.values["kind"] == kind]
        fields = {}
        for name in FIELDS:
            first = [x.values[name] for x, _ in chosen]
            second = [y.values[name] for _, y in chosen]
            agree = sum(1 for u, v in zip(first, second, strict=True) if u == v)
            fields[name] = {
                "alpha": alpha(first, second),
                "agreement": agree / len(chosen) if chosen else float("nan"),
            }
        subsets[subset] = {"pairs": len(chosen), "fields": fields}
    return {
        "articles": articles,
        "mentions_released": totals["a"],
        "mentions_independent": totals["b"],
        "matched": totals["matched"],
        "detection": detection(totals["a"], totals["b"], totals["matched"]),
        "fields": subsets["all"]["fields"],
        "subsets": subsets,
    }


def _figure(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"


def markdown(results: dict) -> str:
    """The agreement figures as a Markdown table, as the README shows them."""
    lines = []
    for annotator, r in results.items():
        d = r["detection"]
        who = "All independent passes together" if annotator == POOLED else f"Independent pass `{annotator}`"
        lines.append(
            f"{who} against the first pass (the release's coding before "
            f"adjudication), {len(r['articles'])} texts: {r['mentions_released']} first-pass and "
            f"{r['mentions_independent']} independent mentions, "
            f"{r['matched']} matched by span overlap; mention detection precision {d['precision']:.2f}, "
            f"recall {d['recall']:.2f}, F1 {d['f1']:.2f}."
        )
        lines.append("")
        n = {subset: r["subsets"][subset]["pairs"] for subset in SUBSETS}
        lines.append(
            f"| field | alpha, all ({n['all']}) | agreement, all | alpha, acts ({n['acts']}) | "
            f"agreement, acts | alpha, states ({n['states']}) | agreement, states |"
        )
        lines.append("|---|---|---|---|---|---|---|")
        for name in FIELDS:
            cells = [
                _figure(r["subsets"][subset]["fields"][name][measure])
                for subset in SUBSETS
                for measure in ("alpha", "agreement")
            ]
            lines.append(f"| {name} | {' | '.join(cells)} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
