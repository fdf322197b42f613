"""Coding rules that can be checked mechanically (``caucasus-events lint``, also run by ``build``).

Each rule has an ID, a severity and a one-line rationale (repeated in docs/codebook.md, "Rules
checked by the linter"). Errors fail the build; warnings are printed and left to the annotator's
judgement. A rule sees the checked registries, the assembled rows and the texts: it runs after
everything the build itself refuses has been fixed.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from caucasus_events.build.arrays import sorted_distinct
from caucasus_events.build.rawdata import Registries
from caucasus_events.build.rows import Tables
from caucasus_events.problems import Problem

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    """A coding rule: its ID, name, severity and why it exists."""

    id: str
    name: str
    severity: str
    rationale: str


RULES = {
    rule.id: rule
    for rule in [
        Rule("L01", "long-act", WARNING, "An act happens at a time; something that lasts more than a year is probably a state."),
        Rule("L02", "routine-formula", ERROR, "One CAMEO code per routine formula, so that counts by code do not depend on who coded."),
        Rule("L03", "inferred-initiator", ERROR, "Nobody is named attacker unless a text names them: a material-conflict act's source needs a mention giving the name as written."),
        Rule("L04", "in-call-act", ERROR, "An act made within a call or meeting is made by one of its participants."),
        Rule("L05", "in-call-target", WARNING, "Acts within a call or meeting are directed at the interlocutor unless the text names other addressees (say so in the note)."),
        Rule("L06", "shared-passage", WARNING, "The same passage in two texts reports the same event: link both mentions to one event, or neither."),
        Rule("L07", "mode-departure", ERROR, "A mode other than the CAMEO code's default mode is a departure from the mapping and says why."),
        Rule("L08", "unused-registry", WARNING, "Registry entries no event, mention or article uses are dead weight or a missed link."),
        Rule("L09", "date-remark", ERROR, "A date disagreement is a conflict of fact: the text's date must be disjoint from the event's; other remarks are notes."),
        Rule("L10", "office-source", ERROR, "What a statement says in its own voice (appeals, praise, condemnation; CAMEO 01, 02, 05, 10-13) is the act of the office that issues it, or of the person it names, not of a body above it."),
        Rule("L11", "id-block", ERROR, "New events use IDs of the block reserved for their text, so that two annotators never pick the same ID."),
    ]
}  # fmt: skip

#: Routine formulas and the one CAMEO code each gets: (rule text, pattern, alternatives, code).
#: The rule fires only when the event carries one of the alternatives, so that a quote holding a
#: formula beside another act does not trip it.
FORMULAS = [
    ('a commitment ("reaffirmed the commitment")', r"\bcommitment\b", {"030", "031", "032"}, "030"),
    ('readiness to help ("stands ready to")', r"\bready to\b", {"030", "032", "033"}, "030"),
    ('concern ("expressed concern")', r"\bconcern(ed)?\b", {"012", "111"}, "012"),
    ('condemnation ("condemned")', r"\bcondemn", {"012", "111"}, "111"),
    ('welcoming an act ("welcomed")', r"\bwelcom", {"050", "051", "052"}, "051"),
]
#: CAMEO roots of acts that a statement performs in its own voice (statements, appeals, praise
#: and other diplomatic cooperation, demands, disapproval, rejection, threats): the office
#: rule's scope. Intents and pledges (03) a statement reports of a whole government stay its.
VERBAL_ROOTS = {"01", "02", "05", "10", "11", "12", "13"}
#: PLOVER quad class of material conflict (ASSAULT, COERCE, MOBILIZE, ...).
MATERIAL_CONFLICT = 4
#: Passages shorter than this are too common to suggest a link.
SHINGLE_WORDS = 6
SIMILARITY = 0.8
#: The polynomial's base: a large odd number, so that the words' order matters.
FINGERPRINT_BASE = np.uint64(0x100000001B3)
#: Quotes fingerprinted together (their words are held at once), and paired with the texts
#: that hold their runs together.
QUOTES_AT_ONCE = 4096
#: Texts whose fingerprints are looked up together.
TEXTS_AT_ONCE = 1024
#: Mentions whose fields a rule reads together.
ROWS_AT_ONCE = 8192
WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def _shingles(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]


def _fingerprints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """A 64-bit fingerprint of every run of SHINGLE_WORDS words of each text, and the text's
    place in ``texts``: a polynomial of the words' hashes, computed for all texts at once."""
    words = [_words(text) for text in texts]
    counts = np.array([len(w) for w in words], dtype=np.int64)
    # pandas' hash is keyed and fixed, where Python's hash() of text differs in every process:
    # fingerprints made in a pool worker, on a Dask worker or by an earlier build (the cache)
    # must match those made here.
    every_word = np.array(list(itertools.chain.from_iterable(words)), dtype=object)
    hashes = pd.util.hash_array(every_word, categorize=False)  # categorizing costs more than it saves
    runs = len(hashes) - SHINGLE_WORDS + 1
    if runs <= 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    prints = hashes[:runs].copy()
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        for offset in range(1, SHINGLE_WORDS):
            prints = prints * FINGERPRINT_BASE + hashes[offset : offset + runs]
    owner = np.repeat(np.arange(len(texts)), counts)
    inside = owner[:runs] == owner[SHINGLE_WORDS - 1 :]  # runs that cross two texts are none
    return prints[inside], owner[:runs][inside]


def _distinct_pairs(prints: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (fingerprint, owner) pairs without repeats, ordered by owner then fingerprint."""
    order = np.lexsort((prints, owner))
    prints, owner = prints[order], owner[order]
    new = np.ones(len(prints), dtype=bool)
    new[1:] = (prints[1:] != prints[:-1]) | (owner[1:] != owner[:-1])
    return prints[new], owner[new]


def _shared_runs(
    mention: np.ndarray,
    prints: np.ndarray,
    held_prints: np.ndarray,
    held_in: np.ndarray,
    own: np.ndarray,
    n_texts: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many runs each quote shares with each other text that holds any of them.

    ``mention`` and ``prints`` are the quotes' distinct (quote, run) pairs; ``held_prints``
    (sorted) and ``held_in`` the texts' distinct (run, text) pairs; ``own[quote]`` is the
    quote's own text, left out. Returns the quotes, the texts and the counts, ordered by quote,
    then text. Binary search in the sorted runs keeps the work in proportion to the pairs found.
    """
    first = np.searchsorted(held_prints, prints, side="left")
    found = np.searchsorted(held_prints, prints, side="right") - first
    # Each run once per text holding it: the run's slice of held_in, the slices end to end.
    starts = np.repeat(first - (np.cumsum(found) - found), found)
    article = held_in[np.arange(found.sum()) + starts]
    mention = np.repeat(mention, found)
    other = article != own[mention]
    pairs, shared = np.unique(mention[other] * np.int64(n_texts) + article[other], return_counts=True)
    return pairs // n_texts, pairs % n_texts, shared


def passage_fingerprints(text: str) -> np.ndarray:
    """The sorted, distinct fingerprints of a text's runs of SHINGLE_WORDS words."""
    return sorted_distinct(_fingerprints([text])[0])


class Linter:
    """Run every rule over one build's registries, rows and texts."""

    def __init__(
        self,
        reg: Registries,
        tables: Tables,
        texts: Mapping[str, str],
        lines: Sequence[int],
        passages: MutableMapping[str, np.ndarray],
    ):
        self.reg, self.tables, self.texts, self.lines, self.passages = reg, tables, texts, lines, passages
        self.findings: list[tuple[Rule, Problem]] = []
        # Rows are read from the columns: a dictionary for every mention, held for the whole
        # run, would take more memory than the tables. A column is made once, when a rule first
        # reads it (the build holds the mentions in Arrow, see RowBatches).
        self.mention_column = functools.cache(tables["mentions"].column)
        self.mentions = defaultdict(list)  # event ID: positions of its mentions
        for position, event_id in enumerate(self.mention_column("event_id")):
            self.mentions[event_id].append(position)
        events = tables["events"].columns
        self.cameo_of = dict(zip(events["event_id"], events["cameo_code"], strict=True))

    def report(self, rule_id: str, path: str, line: int | None, field: str, message: str) -> None:
        rule = RULES[rule_id]
        self.findings.append((rule, Problem(path, line, field, f"{message} [{rule.id} {rule.name}]")))

    def at_event(self, rule_id: str, event_id: str, field: str, message: str) -> None:
        record = self.reg.events[event_id]
        self.report(rule_id, record.shown, record.lines.get(field, record.line), field, message)

    def at_mention(self, rule_id: str, position: int, field: str, message: str) -> None:
        """Report at the mention in row ``position`` of the mentions, as the stage made them."""
        article_id = self.mention_column("article_id")[position]
        self.report(rule_id, f"raw/annotations/{article_id}.yaml", self.lines[position], field, message)

    def run(self, shared_passages: bool = True) -> list[tuple[Rule, Problem]]:
        """Every rule's findings, in :func:`finding_order`; without the shared-passage rule (L06)
        when ``shared_passages`` is false."""
        for check in (
            self.long_acts,
            self.routine_formulas,
            self.inferred_initiators,
            self.in_call_acts,
            self.shared_passages if shared_passages else None,
            self.mode_departures,
            self.unused_registry,
            self.date_remarks,
            self.office_sources,
            self.id_blocks,
        ):
            if check is not None:
                check()
        return sorted(self.findings, key=finding_order)

    def event_columns(self, *fields: str) -> Iterator[tuple]:
        """The events table's values of ``fields``, row by row."""
        columns = self.tables["events"].columns
        return zip(*(columns[field] for field in fields), strict=True)

    def long_acts(self) -> None:
        for event_id, kind, start, end in self.event_columns("event_id", "kind", "date_start", "date_end"):
            if kind == "act" and start and end and (end - start).days > 366:
                self.at_event(
                    "L01",
                    event_id,
                    "kind",
                    f"an act lasting {start}..{end} (expected kind: state, or a shorter interval)",
                )

    def mention_fields(self, positions: Sequence[int], *fields: str) -> Iterator[tuple]:
        """The values of ``fields`` of the mentions in rows ``positions``, row by row.

        Read column by column, ROWS_AT_ONCE rows at a time: a row at a time costs a slice of
        every column (the build holds the mentions in Arrow), and all the rows at once would
        hold their quotes, the largest column, twice.
        """
        mentions = self.tables["mentions"]
        for first in range(0, len(positions), ROWS_AT_ONCE):
            some = positions[first : first + ROWS_AT_ONCE]
            yield from zip(*(mentions.take(field, some) for field in fields), strict=True)

    def routine_formulas(self) -> None:
        coded = set().union(*(alternatives for _, _, alternatives, _ in FORMULAS))
        positions = [
            position
            for position, event_id in enumerate(self.mention_column("event_id"))
            if self.cameo_of[event_id] in coded
        ]
        fields = ("event_id", "article_id", "quote", "quote_complete", "start", "end")
        for event_id, article_id, quote, complete, start, end in self.mention_fields(positions, *fields):
            code = self.cameo_of[event_id]
            if not complete:  # a snippet: the formula may lie beyond it
                quote = self.texts.get(article_id, "")[start:end]
            for what, pattern, alternatives, wanted in FORMULAS:
                if code in alternatives and code != wanted and re.search(pattern, quote, re.IGNORECASE):
                    self.at_event(
                        "L02",
                        event_id,
                        "cameo",
                        f"CAMEO {code} for {what} in {article_id} (expected {wanted}, the code of this formula)",
                    )

    def inferred_initiators(self) -> None:
        written = self.mention_column("source_as_written")
        for event_id, quad_class, source in self.event_columns("event_id", "quad_class", "source_actor_id"):
            if quad_class != MATERIAL_CONFLICT or source is None:
                continue
            if not any(written[i] for i in self.mentions[event_id]):
                self.at_event(
                    "L03",
                    event_id,
                    "source",
                    f"{source} is the initiator, but no mention gives the name as written "
                    "(expected as_written.source on a mention that names it, or source: [] when no text does)",
                )

    def in_call_acts(self) -> None:
        for event_id, record in self.reg.events.items():
            within = record.get("within")
            if within is None or within not in self.reg.events:
                continue
            call = self.reg.events[within]
            participants = set(call["source"]) | set(call["target"])
            if record["source"] and not set(record["source"]) & participants:
                self.at_event(
                    "L04",
                    event_id,
                    "source",
                    f"no source is a participant of {within} (expected one of: {', '.join(sorted(participants))})",
                )
            others = participants - set(record["source"])
            if record["target"] and others and not set(record["target"]) & others:
                self.at_event(
                    "L05",
                    event_id,
                    "target",
                    f"directed at {', '.join(record['target'])}, not at the interlocutor in {within} "
                    f"({', '.join(sorted(others))}): say in the note which addressee the text names",
                )

    def _runs_in_texts(
        self, article_ids: list[str], wanted: np.ndarray, forget: bool
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """The runs of ``wanted`` (sorted, distinct) that the texts hold, TEXTS_AT_ONCE texts at
        a time: for each block, their places in ``wanted`` (sorted) and the texts holding them.

        One lookup per text costs more in calls than in work; all texts at once would hold
        every text's runs twice. With ``forget``, each text's fingerprints are dropped from
        ``passages`` once read (they are read for the last time).
        """
        for first in range(0, len(article_ids), TEXTS_AT_ONCE):
            names = article_ids[first : first + TEXTS_AT_ONCE]
            block = [self.passages.pop(name) if forget else self.passages[name] for name in names]
            held = np.concatenate([np.empty(0, dtype=np.uint64), *block])
            held_in = np.repeat(
                np.arange(first, first + len(block), dtype=np.int32), [len(prints) for prints in block]
            )
            # Searched in sorted order, the lookups walk ``wanted`` from start to end instead of
            # jumping about it: four times faster once it outgrows the processor's cache.
            order = np.argsort(held, kind="stable")
            held, held_in = held[order], held_in[order]
            at = np.minimum(np.searchsorted(wanted, held), len(wanted) - 1)
            hit = wanted[at] == held
            yield at[hit], held_in[hit]

    def shared_passages(self) -> None:
        # Each run of SHINGLE_WORDS words becomes a 64-bit fingerprint: the quotes' runs are
        # looked up among each text's (computed by the stage, see passage_fingerprints), so
        # memory grows with the quotes, not with the corpus's characters. Every finding is then
        # confirmed on the words themselves, so a fingerprint collision cannot produce one.
        mentions = self.tables["mentions"]
        # Positions of the complete quotes, as an array: a list holds an object per position.
        complete = np.flatnonzero(np.fromiter(self.mention_column("quote_complete"), dtype=bool))
        mention_articles = self.mention_column("article_id")
        article_ids = list(self.texts)
        place = {article_id: index for index, article_id in enumerate(article_ids)}
        own = np.array([place.get(mention_articles[i], -1) for i in complete], dtype=np.int32)
        # The quotes' distinct runs, QUOTES_AT_ONCE quotes at a time: the words of every quote at
        # once would take more memory than the tables. Indexes are 32-bit, halving the arrays
        # as long as the quotes' runs (the largest this rule makes).
        chunks = [
            # The quotes taken a chunk at a time too: they are the largest column.
            _distinct_pairs(*_fingerprints(mentions.take("quote", complete[first : first + QUOTES_AT_ONCE])))
            for first in range(0, len(complete), QUOTES_AT_ONCE)
        ]
        prints = np.concatenate([np.empty(0, dtype=np.uint64), *(prints for prints, _ in chunks)])
        owner = np.concatenate(
            [
                np.empty(0, dtype=np.int32),
                *(owner.astype(np.int32) + i * QUOTES_AT_ONCE for i, (_, owner) in enumerate(chunks)),
            ]
        )
        del chunks
        if not len(prints):
            return
        size = np.bincount(owner, minlength=len(complete))  # distinct runs of each quote
        distinct = sorted_distinct(prints)
        # How many texts hold each run, and for a run one text holds, which: counted, not
        # listed, for every run (the occurrences, as many as the quotes' runs, are listed below
        # only for the runs that can link a quote to another text).
        texts_holding = np.zeros(len(distinct), dtype=np.int32)
        only_text = np.zeros(len(distinct), dtype=np.int32)
        for at, held_in in self._runs_in_texts(article_ids, distinct, forget=False):
            first = np.flatnonzero(np.concatenate(([True], at[1:] != at[:-1])))  # ``at`` is sorted
            texts_holding[at[first]] += np.diff(np.append(first, len(at))).astype(np.int32)
            only_text[at] = held_in
        # A run found in no text, or only in the quote's own text, links the quote to no other
        # text: leave those out before pairing quotes with texts (nearly every run, usually).
        # Decided QUOTES_AT_ONCE quotes at a time, so that no array of that step is as long as
        # all the quotes' runs.
        asked_mention, asked_print = [], []
        for low, high in itertools.pairwise(
            np.searchsorted(owner, np.arange(0, len(complete) + QUOTES_AT_ONCE, QUOTES_AT_ONCE))
        ):
            part_prints, part_owner = prints[low:high], owner[low:high]
            # Looked up in sorted order, as the texts' runs are (seven times faster at 100,000
            # articles), then put back in the quotes' order. Every quote's run is in ``distinct``.
            order = np.argsort(part_prints)
            at = np.empty(len(order), dtype=np.intp)
            at[order] = np.searchsorted(distinct, part_prints[order])
            holding = texts_holding[at]
            useful = (holding > 1) | ((holding == 1) & (only_text[at] != own[part_owner]))
            asked_mention.append(part_owner[useful])  # ordered by mention
            asked_print.append(part_prints[useful])
        del prints, owner, only_text, texts_holding, distinct
        asked_mention, asked_print = np.concatenate(asked_mention), np.concatenate(asked_print)
        if not len(asked_print):
            return
        # The occurrences of the asked runs, sorted by run once: each run's texts are then one
        # slice, found by binary search. (A hash join of each block of quotes against all the
        # occurrences rebuilt its table once per block, which grew with the square of the
        # corpus: 90 s at 100,000 articles; np.isin would sort them again.)
        asked = sorted_distinct(asked_print)
        found = [(asked[at], held_in) for at, held_in in self._runs_in_texts(article_ids, asked, forget=True)]
        occurrence_prints = np.concatenate([np.empty(0, dtype=np.uint64), *(prints for prints, _ in found)])
        occurrence_in = np.concatenate([np.empty(0, dtype=np.int32), *(held_in for _, held_in in found)])
        del found, asked
        order = np.argsort(occurrence_prints, kind="stable")
        occurrence_prints, occurrence_in = occurrence_prints[order], occurrence_in[order]
        del order
        # The quotes' runs paired with the texts holding them, QUOTES_AT_ONCE quotes at a time:
        # a run that many texts hold (a formula, boilerplate) pairs each of its quotes with each
        # of those texts, which for every quote at once takes more memory than the tables.
        bounds = np.searchsorted(asked_mention, np.arange(0, len(complete) + QUOTES_AT_ONCE, QUOTES_AT_ONCE))
        candidates = []
        for low, high in itertools.pairwise(bounds):
            mention, article, shared = _shared_runs(
                asked_mention[low:high],
                asked_print[low:high],
                occurrence_prints,
                occurrence_in,
                own,
                len(article_ids),
            )
            hit = shared >= SIMILARITY * size[mention]
            candidates += zip(mention[hit].tolist(), article[hit].tolist(), strict=True)
        seen = set()
        positions = [int(complete[mention_index]) for mention_index, _ in candidates]
        quotes = self.mention_fields(positions, "event_id", "quote")
        for position, (_, article_index), (event_id, quote) in zip(
            positions, candidates, quotes, strict=True
        ):
            article_id = article_ids[article_index]
            key = (event_id, article_id)
            if (
                article_id == mention_articles[position]
                or any(mention_articles[i] == article_id for i in self.mentions[event_id])
                or key in seen
            ):
                continue
            shingles = set(_shingles(_words(quote)))
            n = len(shingles & set(_shingles(_words(self.texts[article_id]))))
            similarity = n / len(shingles)
            if similarity < SIMILARITY:
                continue
            seen.add(key)
            self.at_mention(
                "L06",
                position,
                "event",
                f"the passage also occurs in {article_id} (similarity {similarity:.2f}), which does not "
                f"report {event_id}: link it there too, or explain in a note",
            )

    def mode_departures(self) -> None:
        defaults = {row["cameo"]: row["mode"] for row in self.reg.codebooks["cameo_plover"]}
        for event_id, record in self.reg.events.items():
            default, mode = defaults.get(record.get("cameo")), record.get("mode")
            if default and mode and mode != default and not record.get("mapping_departure"):
                self.at_event(
                    "L07",
                    event_id,
                    "mode",
                    f"{mode!r} differs from the default mode {default!r} of CAMEO {record['cameo']} (expected mapping_departure with the reason)",
                )

    def unused_registry(self) -> None:
        used_actors = {a for e in self.reg.events.values() for role in ("source", "target") for a in e[role]}
        used_actors |= {a.get("member_of") for a in self.reg.actors.values()}
        for actor_id, record in self.reg.actors.items():
            if actor_id not in used_actors:
                self.report(
                    "L08", record.shown, record.lines["id"], "id", f"actor {actor_id} is used by no event"
                )
        used_places = {e.get("place") for e in self.reg.events.values()}
        for place_id, record in self.reg.places.items():
            if place_id not in used_places:
                self.report(
                    "L08", record.shown, record.lines["id"], "id", f"place {place_id} is used by no event"
                )
        shorts = set(self.tables["articles"].columns["publisher_short"])
        for record in self.reg.publishers.values():
            if record["short"] not in shorts:
                self.report(
                    "L08",
                    record.shown,
                    record.lines["id"],
                    "id",
                    f"publisher {record['id']} publishes no article",
                )

    def date_remarks(self) -> None:
        for position, (field, relation) in enumerate(
            zip(self.mention_column("disagreement_field"), self.mention_column("date_relation"), strict=True)
        ):
            if field == "date" and relation != "disjoint":
                self.at_mention(
                    "L09",
                    position,
                    "disagreement",
                    f"a date disagreement, but the text's date and the event's are {relation!r}, "
                    "not 'disjoint' (expected disagreement: null and the remark as a note)",
                )

    def office_sources(self) -> None:
        offices = {r["short"]: r.get("speaks_as") for r in self.reg.publishers.values()}
        articles = self.tables["articles"].columns
        publisher_of = dict(zip(articles["article_id"], articles["publisher_short"], strict=True))
        texts = self.mention_column("article_id")
        for event_id, root, source in self.event_columns("event_id", "cameo_root", "source_actor_id"):
            if root not in VERBAL_ROOTS:
                continue
            office = {offices.get(publisher_of.get(texts[i])) for i in self.mentions[event_id]}
            if len(office) != 1 or None in office:
                continue
            (office,) = office
            if source is not None and source != office and source in self._ancestors(office):
                self.at_event(
                    "L10",
                    event_id,
                    "source",
                    f"{source} for a statement issued by {office} (expected {office} or a person in it; "
                    "keep the text's wording in as_written.source)",
                )

    def id_blocks(self) -> None:
        blocks = self.reg.id_blocks
        if not blocks:
            return
        # IDs below the first reserved block predate the reservations.
        first = min(int(b["first"][1:]) for b in blocks)
        for event_id in self.reg.events:
            number = int(event_id[1:])
            if number >= first and not any(
                int(b["first"][1:]) <= number <= int(b["last"][1:]) for b in blocks
            ):
                self.at_event(
                    "L11",
                    event_id,
                    "id",
                    f"{event_id} lies in no block of raw/id-blocks.yaml (expected an ID of the block "
                    "reserved for the text, see `caucasus-events add`)",
                )

    def _ancestors(self, actor_id: str) -> set[str]:
        found = set()
        while (parent := (self.reg.actors.get(actor_id) or {}).get("member_of")) and parent not in found:
            found.add(parent)
            actor_id = parent
        return found


def finding_order(finding: tuple[Rule, Problem]) -> tuple[str, int, str]:
    """Findings are reported by file, line and rule (two rules never share a sort key, so the
    findings of rules run apart sort into the same order)."""
    rule, problem = finding
    return problem.path, problem.line or 0, rule.id


def shared_passage_findings(
    reg: Registries,
    tables: Tables,
    texts: Mapping[str, str],
    lines: Sequence[int],
    passages: MutableMapping[str, np.ndarray],
) -> list[tuple[Rule, Problem]]:
    """The findings of the shared-passage rule (L06) alone, the costliest rule, for a build
    to run apart from the others (see :func:`lint`); the arguments are :func:`lint`'s."""
    linter = Linter(reg, tables, texts, lines, passages)
    linter.shared_passages()
    return linter.findings


def lint(
    reg: Registries,
    tables: Tables,
    texts: Mapping[str, str],
    lines: Sequence[int],
    passages: MutableMapping[str, np.ndarray],
    shared: Callable[[], list[tuple[Rule, Problem]]] | None = None,
) -> tuple[list[Problem], list[Problem]]:
    """The errors and the warnings of every rule, as problems whose message ends with the rule ID.

    ``lines`` holds the line of each mention in its article's annotation, in the order of the
    mentions' rows; ``passages`` each text's :func:`passage_fingerprints`, which the stage computes
    (emptied as the shared-passage rule reads it). When the shared-passage rule runs elsewhere,
    ``shared`` gives its :func:`shared_passage_findings`, called once the other rules have run.
    """
    findings = Linter(reg, tables, texts, lines, passages).run(shared_passages=shared is None)
    if shared is not None:
        findings = sorted(findings + shared(), key=finding_order)
    errors = [p for rule, p in findings if rule.severity == ERROR]
    warnings = [p for rule, p in findings if rule.severity == WARNING]
    return errors, warnings


def rules_markdown() -> str:
    """The table of rules for docs/codebook.md."""
    lines = ["| rule | name | severity | why |", "|---|---|---|---|"]
    lines += [f"| {r.id} | {r.name} | {r.severity} | {r.rationale} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


class Texts(Mapping[str, str]):
    """The texts of the built articles, read from raw/articles one at a time when asked.

    The linter reads few texts (the passages behind snippets, the candidates of shared
    passages), one at a time: holding them all would make the build's memory grow with the
    corpus's characters, not with its tables.
    """

    def __init__(self, root: Path, article_ids: list[str]):
        self.folder = root / "raw" / "articles"
        self.article_ids = article_ids
        self.known = frozenset(article_ids)
        self.last: tuple[str | None, str] = (None, "")

    def __len__(self) -> int:
        return len(self.article_ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.article_ids)

    def __getitem__(self, article_id: str) -> str:
        if article_id not in self.known:
            raise KeyError(article_id)
        # The last text read is kept: the rules read a text's mentions one after another.
        if self.last[0] != article_id:
            self.last = (article_id, (self.folder / f"{article_id}.txt").read_text(encoding="utf-8"))
        return self.last[1]
