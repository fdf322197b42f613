"""Coding rules that can be checked mechanically (``caucasus-events lint``, also run by ``build``).

Each rule has an ID, a severity and a one-line rationale (repeated in docs/codebook.md, "Rules
checked by the linter"). Errors fail the build; warnings are printed and left to the annotator's
judgement. A rule sees the checked registries, the assembled rows and the texts: it runs after
everything the build itself refuses has been fixed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from caucasus_events.problems import Problem
from caucasus_events.build.rawdata import Registries

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


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _shingles(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)]


class Linter:
    """Run every rule over one build's registries, rows and texts."""

    def __init__(self, reg: Registries, tables: dict[str, list[dict]], texts: dict[str, str], lines: dict):
        self.reg, self.tables, self.texts, self.lines = reg, tables, texts, lines
        self.findings: list[tuple[Rule, Problem]] = []
        self.mentions = defaultdict(list)
        for mention in tables["mentions"]:
            self.mentions[mention["event_id"]].append(mention)
        self.events = {row["event_id"]: row for row in tables["events"]}

    def report(self, rule_id: str, path: str, line: int | None, field: str, message: str) -> None:
        rule = RULES[rule_id]
        self.findings.append((rule, Problem(path, line, field, f"{message} [{rule.id} {rule.name}]")))

    def at_event(self, rule_id: str, event_id: str, field: str, message: str) -> None:
        record = self.reg.events[event_id]
        self.report(rule_id, record.shown, record.lines.get(field, record.line), field, message)

    def at_mention(self, rule_id: str, mention: dict, field: str, message: str) -> None:
        path, line = self.lines.get(
            mention["mention_id"], (f"raw/annotations/{mention['article_id']}.yaml", None)
        )
        self.report(rule_id, path, line, field, message)

    def run(self) -> list[tuple[Rule, Problem]]:
        for check in (
            self.long_acts,
            self.routine_formulas,
            self.inferred_initiators,
            self.in_call_acts,
            self.shared_passages,
            self.mode_departures,
            self.unused_registry,
            self.date_remarks,
            self.office_sources,
            self.id_blocks,
        ):
            check()
        return sorted(self.findings, key=lambda f: (f[1].path, f[1].line or 0, f[0].id))

    def long_acts(self) -> None:
        for row in self.tables["events"]:
            start, end = row["date_start"], row["date_end"]
            if row["kind"] == "act" and start and end and (end - start).days > 366:
                self.at_event(
                    "L01",
                    row["event_id"],
                    "kind",
                    f"an act lasting {start}..{end} (expected kind: state, or a shorter interval)",
                )

    def routine_formulas(self) -> None:
        for mention in self.tables["mentions"]:
            code = self.events[mention["event_id"]]["cameo_code"]
            quote = self.texts.get(mention["article_id"], "")[mention["start"] : mention["end"]]
            for what, pattern, alternatives, wanted in FORMULAS:
                if code in alternatives and code != wanted and re.search(pattern, quote, re.IGNORECASE):
                    self.at_event(
                        "L02",
                        mention["event_id"],
                        "cameo",
                        f"CAMEO {code} for {what} in {mention['article_id']} (expected {wanted}, the code of this formula)",
                    )

    def inferred_initiators(self) -> None:
        for row in self.tables["events"]:
            if row["quad_class"] != MATERIAL_CONFLICT or row["source_actor_id"] is None:
                continue
            if not any(m["source_as_written"] for m in self.mentions[row["event_id"]]):
                self.at_event(
                    "L03",
                    row["event_id"],
                    "source",
                    f"{row['source_actor_id']} is the initiator, but no mention gives the name as written "
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

    def shared_passages(self) -> None:
        # Where each run of SHINGLE_WORDS words occurs, text by text.
        where: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for article_id, text in self.texts.items():
            for shingle in _shingles(_words(text)):
                where[shingle].add(article_id)
        linked = defaultdict(set)  # (article, event) pairs that exist
        for mention in self.tables["mentions"]:
            linked[mention["article_id"]].add(mention["event_id"])
        seen = set()
        for mention in self.tables["mentions"]:
            shingles = _shingles(_words(mention["quote"])) if mention["quote_complete"] else []
            if not shingles:
                continue
            counts: dict[str, int] = defaultdict(int)
            for shingle in set(shingles):
                for article_id in where[shingle] - {mention["article_id"]}:
                    counts[article_id] += 1
            for article_id, n in sorted(counts.items()):
                similarity = n / len(set(shingles))
                key = (mention["event_id"], article_id)
                if similarity < SIMILARITY or mention["event_id"] in linked[article_id] or key in seen:
                    continue
                seen.add(key)
                self.at_mention(
                    "L06",
                    mention,
                    "event",
                    f"the passage also occurs in {article_id} (similarity {similarity:.2f}), which does not "
                    f"report {mention['event_id']}: link it there too, or explain in a note",
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
        shorts = {a["publisher_short"] for a in self.tables["articles"]}
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
        for mention in self.tables["mentions"]:
            if mention["disagreement_field"] == "date" and mention["date_relation"] != "disjoint":
                self.at_mention(
                    "L09",
                    mention,
                    "disagreement",
                    f"a date disagreement, but the text's date and the event's are {mention['date_relation']!r}, "
                    "not 'disjoint' (expected disagreement: null and the remark as a note)",
                )

    def office_sources(self) -> None:
        offices = {r["short"]: r.get("speaks_as") for r in self.reg.publishers.values()}
        publisher_of = {a["article_id"]: a["publisher_short"] for a in self.tables["articles"]}
        for row in self.tables["events"]:
            reports = self.mentions[row["event_id"]]
            office = {offices.get(publisher_of.get(m["article_id"])) for m in reports}
            if len(office) != 1 or None in office or row["cameo_root"] not in VERBAL_ROOTS:
                continue
            (office,) = office
            source = row["source_actor_id"]
            if source is not None and source != office and source in self._ancestors(office):
                self.at_event(
                    "L10",
                    row["event_id"],
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


def lint(
    reg: Registries, tables: dict[str, list[dict]], texts: dict[str, str], lines: dict
) -> tuple[list[Problem], list[Problem]]:
    """The errors and the warnings of every rule, as problems whose message ends with the rule ID."""
    findings = Linter(reg, tables, texts, lines).run()
    errors = [p for rule, p in findings if rule.severity == ERROR]
    warnings = [p for rule, p in findings if rule.severity == WARNING]
    return errors, warnings


def rules_markdown() -> str:
    """The table of rules for docs/codebook.md."""
    lines = ["| rule | name | severity | why |", "|---|---|---|---|"]
    lines += [f"| {r.id} | {r.name} | {r.severity} | {r.rationale} |" for r in RULES.values()]
    return "\n".join(lines) + "\n"


def read_texts(root: Path, article_ids: list[str]) -> dict[str, str]:
    """The texts of the built articles (already checked by the build)."""
    return {a: (root / "raw" / "articles" / f"{a}.txt").read_text(encoding="utf-8") for a in article_ids}
