"""The tables' columns, declared once: the Pandera models.

Each model is the single place where a column is declared (name, type, nullability, allowed
values, ranges, meaning). The Frictionless Table Schemas in ``schemas/``, the descriptor and the
column reference in ``docs/codebook.md`` are generated from these models (see
:mod:`caucasus_events.build.tableschema`). ``Config.metadata`` carries what Pandera has no place for:
the primary key, foreign keys, the row order and the table's description.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

DATE = "datetime64[s]"
SHA256 = r"^[0-9a-f]{64}$"
EVENT_ID = r"^E\d{6}$"
PRECISIONS = ["day", "month", "season", "year", "range", "unknown"]
STATUSES = ["asserted", "background", "planned", "hypothetical", "negated"]
ACTOR_KINDS = ["person", "government", "military", "organization", "population"]
PLACE_KINDS = ["country", "region", "city", "border", "corridor", "site"]
SECTORS = [
    "AGR", "BUS", "COP", "CRM", "CVL", "EDU", "ELI", "GOV", "JRN", "JUD", "LAB", "LEG", "MED",
    "MIL", "OPP", "PRE", "PRM", "PTY", "REB", "REF", "REL", "SOC", "SPY", "UAF", "UNK",
]  # fmt: skip
QUAD_NAMES = ["verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict"]
EVENT_KINDS = ["act", "state"]
ROLES = ["source", "target"]
PUBLISHER_KINDS = ["government", "intergovernmental", "media"]
#: What a mention's text disagrees with its event about (the ``disagreement_field`` values).
DISAGREEMENT_FIELDS = ["date", "source", "target", "place", "number", "type", "other"]
#: How the interval a text gives relates to its event's interval (see docs/codebook.md, Dates).
DATE_RELATIONS = ["same", "within", "contains", "overlaps", "disjoint", "unknown"]
QUANTITY_KINDS = [
    "killed", "wounded", "missing", "displaced", "detained", "released", "bodies_returned",
    "aid_amount", "troops", "other",
]  # fmt: skip


def _fk(table: str, column: str) -> dict:
    return {"resource": table, "fields": column}


class Articles(pa.DataFrameModel):
    """One row per source text."""

    article_id: Series[str] = pa.Field(
        unique=True, description="Identifier of the text (its file name in raw/articles)."
    )
    title: Series[str] = pa.Field(description="Title of the text.")
    title_from_slug: Series[pd.BooleanDtype] = pa.Field(
        description="True when the title was reconstructed from the URL, not read from the text."
    )
    publisher: Series[str] = pa.Field(description="Who published the text, as the source gives it.")
    publisher_short: Series[str] = pa.Field(
        description="Short name of the publisher (State Department, White House, EEAS, ...); derived from raw/publishers.yaml."
    )
    publisher_kind: Series[pd.CategoricalDtype] = pa.Field(
        isin=PUBLISHER_KINDS, description="government, intergovernmental or media; derived."
    )
    publisher_country: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code of the publisher's country; empty for international bodies; derived.",
    )
    published: Series[DATE] = pa.Field(
        nullable=True, description="Publication date; empty when no source gives it."
    )
    published_inferred: Series[pd.BooleanDtype] = pa.Field(
        description="True when the publication date was inferred from other sources, not printed with the text."
    )
    published_earliest: Series[DATE] = pa.Field(
        nullable=True,
        description="Earliest possible publication date, when the date itself is unknown.",
    )
    published_latest: Series[DATE] = pa.Field(
        nullable=True,
        description="Latest possible publication date, when the date itself is unknown (a copy dated by a republisher's page).",
    )
    published_note: Series[str] = pa.Field(
        nullable=True,
        description="Why the publication date is uncertain, or how it was established.",
    )
    url: Series[str] = pa.Field(
        description="Where the text was published (or republished; see retrieved_from)."
    )
    license: Series[str] = pa.Field(description="License of the text itself (not of the annotations).")
    license_basis: Series[str] = pa.Field(description="Why that license applies.")
    redistributable: Series[pd.BooleanDtype] = pa.Field(
        description="Whether the full text may be redistributed (false: it is kept out of releases and wheels)."
    )
    complete_text_inferred: Series[pd.BooleanDtype] = pa.Field(
        description="True when the text was taken from a page quoting it whole, so that its completeness rests on cross-checks."
    )
    scope: Series[str] = pa.Field(
        nullable=True,
        description="Which passages of the text are annotated (long transcripts); empty when the whole text is.",
    )
    retrieved_from: Series[str] = pa.Field(
        description="Where the copy of the text was taken from, and what was left out."
    )
    text_length: Series[pd.Int64Dtype] = pa.Field(
        ge=1, description="Length of the text in Unicode code points."
    )
    quotes_complete: Series[pd.BooleanDtype] = pa.Field(
        description="Whether the mentions table carries this text's quotes in full (false for texts that may not be redistributed: see `ce.rehydrate`)."
    )
    sha256: Series[str] = pa.Field(str_matches=SHA256, description="SHA-256 of the text file's bytes.")
    annotator: Series[str] = pa.Field(
        nullable=True, description="Who made the released annotation of the text."
    )
    n_mentions: Series[pd.Int64Dtype] = pa.Field(
        ge=0, description="Number of event mentions annotated in the text."
    )
    n_events: Series[pd.Int64Dtype] = pa.Field(
        ge=0, description="Number of distinct events the text reports."
    )

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Articles",
            "description": "The source texts, with their provenance and license.",
            "primary_key": ["article_id"],
            "foreign_keys": [],
            "row_order": ["article_id"],
        }


class Actors(pa.DataFrameModel):
    """The actor registry."""

    actor_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Identifier of the actor."
    )
    name: Series[str] = pa.Field(description="Canonical name.")
    kind: Series[pd.CategoricalDtype] = pa.Field(
        isin=ACTOR_KINDS, description="Person, government, military, organization or population."
    )
    country: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code; empty for international bodies and where sovereignty is disputed.",
    )
    sector: Series[pd.CategoricalDtype] = pa.Field(
        isin=SECTORS,
        description="PLOVER sector code (GOV government, MIL military, SPY intelligence, CVL civilians, PRE partially recognized entity, ...).",
    )
    office: Series[str] = pa.Field(nullable=True, description="Office held, as the texts give it.")
    member_of: Series[str] = pa.Field(nullable=True, description="The actor this one belongs to (actor_id).")
    note: Series[str] = pa.Field(nullable=True, description="Remarks, such as names the texts also use.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Actors",
            "description": "Canonical people, governments and organizations that act in or receive events.",
            "primary_key": ["actor_id"],
            "foreign_keys": [{"fields": "member_of", "reference": _fk("actors", "actor_id")}],
            "row_order": ["actor_id"],
        }


class Places(pa.DataFrameModel):
    """The place registry."""

    place_id: Series[str] = pa.Field(
        unique=True, str_matches=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="Identifier of the place."
    )
    name: Series[str] = pa.Field(description="Neutral canonical name.")
    kind: Series[pd.CategoricalDtype] = pa.Field(
        isin=PLACE_KINDS, description="Country, region, city, border, corridor or site."
    )
    country: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^[A-Z]{3}$",
        description="ISO 3166-1 alpha-3 code; empty where sovereignty is disputed or the place spans countries.",
    )
    note: Series[str] = pa.Field(nullable=True, description="Remarks.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Places",
            "description": "Canonical places where events happen; disputed names map to one neutral name.",
            "primary_key": ["place_id"],
            "foreign_keys": [],
            "row_order": ["place_id"],
        }


class Events(pa.DataFrameModel):
    """One row per real-world event."""

    event_id: Series[str] = pa.Field(
        unique=True,
        str_matches=EVENT_ID,
        description="Stable identifier of the event: never reused, kept when the annotation is corrected.",
    )
    kind: Series[pd.CategoricalDtype] = pa.Field(
        isin=EVENT_KINDS,
        description="act: something an actor did or said at a time; state: a role, relationship, ongoing conflict or process that texts refer to (no type, code or score). Count acts.",
    )
    summary: Series[str] = pa.Field(
        description="One sentence saying what happened, in the annotator's words."
    )
    plover_type: Series[pd.CategoricalDtype] = pa.Field(
        nullable=True,
        description="PLOVER event type (plover_types.type); empty for states and for CAMEO public statements (010, 011, 014, 015, 017), which PLOVER does not code.",
    )
    plover_mode: Series[str] = pa.Field(
        nullable=True, description="PLOVER mode of that type (plover_modes.mode), if any."
    )
    cameo_code: Series[str] = pa.Field(
        nullable=True,
        str_matches=r"^\d{2,4}$",
        description="CAMEO event code (cameo_codes.code); empty for states.",
    )
    cameo_name: Series[str] = pa.Field(
        nullable=True, description="Name of the CAMEO code, derived from the codebook."
    )
    cameo_root: Series[str] = pa.Field(
        nullable=True, str_matches=r"^\d{2}$", description="CAMEO root code, derived from the codebook."
    )
    goldstein: Series[pd.Float64Dtype] = pa.Field(
        nullable=True,
        ge=-10,
        le=10,
        description="Goldstein scale value of the CAMEO code, derived from the codebook.",
    )
    quad_class: Series[pd.Int64Dtype] = pa.Field(
        nullable=True,
        isin=[1, 2, 3, 4],
        description="PLOVER quad class: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict; derived.",
    )
    quad_name: Series[pd.CategoricalDtype] = pa.Field(
        nullable=True, isin=QUAD_NAMES, description="Name of the quad class; derived."
    )
    plover_score: Series[pd.Float64Dtype] = pa.Field(
        nullable=True,
        ge=-10,
        le=10,
        description="PLOVER conflict-cooperation score of the type (or of its mode, when the mode has one); derived.",
    )
    mapping_departure: Series[str] = pa.Field(
        nullable=True,
        description="Why the PLOVER type differs from the default CAMEO-to-PLOVER mapping; empty when it does not.",
    )
    source_actor_id: Series[str] = pa.Field(
        nullable=True,
        description="Principal actor who initiates the event (actors.actor_id); empty when no text names one.",
    )
    target_actor_id: Series[str] = pa.Field(
        nullable=True,
        description="Principal recipient of the event (actors.actor_id); empty when there is none.",
    )
    within_event_id: Series[str] = pa.Field(
        nullable=True,
        description="The call or meeting (events.event_id) in which this act was made, if any.",
    )
    date_start: Series[DATE] = pa.Field(
        nullable=True,
        description="First day of the interval in which the event happened (adjudicated).",
    )
    date_end: Series[DATE] = pa.Field(nullable=True, description="Last day of that interval (inclusive).")
    date_precision: Series[pd.CategoricalDtype] = pa.Field(
        isin=PRECISIONS,
        description="day, month, season, year, range, or unknown (no text supports a date).",
    )
    date_reason: Series[str] = pa.Field(
        nullable=True,
        description="Why the interval has no bound at all (required for such an act), or how its bounds were set.",
    )
    place_id: Series[str] = pa.Field(nullable=True, description="Where the event happened (places.place_id).")
    status: Series[pd.CategoricalDtype] = pa.Field(
        isin=STATUSES,
        description="asserted, background (recalled past event), planned, hypothetical or negated.",
    )
    n_mentions: Series[pd.Int64Dtype] = pa.Field(
        ge=1, description="Number of passages that report the event."
    )
    n_articles: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Number of texts that report the event.")
    n_disagreements: Series[pd.Int64Dtype] = pa.Field(
        ge=0, description="Number of mentions whose text disagrees with the adjudicated event."
    )
    note: Series[str] = pa.Field(nullable=True, description="Adjudication notes and other remarks.")

    @pa.dataframe_check(description="date_start <= date_end")
    @classmethod
    def dates_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        # A missing bound is open: only two known bounds can be out of order.
        return df["date_start"].isna() | df["date_end"].isna() | (df["date_start"] <= df["date_end"])

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Events",
            "description": "One row per real-world event, however many texts report it.",
            "primary_key": ["event_id"],
            "foreign_keys": [
                {"fields": "plover_type", "reference": _fk("plover_types", "type")},
                {"fields": "cameo_code", "reference": _fk("cameo_codes", "code")},
                {"fields": "source_actor_id", "reference": _fk("actors", "actor_id")},
                {"fields": "target_actor_id", "reference": _fk("actors", "actor_id")},
                {"fields": "place_id", "reference": _fk("places", "place_id")},
                {"fields": "within_event_id", "reference": _fk("events", "event_id")},
            ],
            "row_order": ["event_id"],
        }


class Mentions(pa.DataFrameModel):
    """One row per report of an event in a text."""

    mention_id: Series[str] = pa.Field(
        unique=True,
        str_matches=r"^M[0-9a-f]{12}$",
        description="Identifier of the mention, derived from article, event and span.",
    )
    event_id: Series[str] = pa.Field(
        str_matches=EVENT_ID, description="The event reported (events.event_id)."
    )
    article_id: Series[str] = pa.Field(description="The text that reports it (articles.article_id).")
    start: Series[pd.Int64Dtype] = pa.Field(
        ge=0,
        description="Offset of the first character of the quote in the text (Unicode code points, 0-based).",
    )
    end: Series[pd.Int64Dtype] = pa.Field(
        ge=1, description="Offset just after the last character of the quote (half-open interval)."
    )
    quote: Series[str] = pa.Field(
        description="The passage, exactly text[start:end]; for a text that may not be redistributed, only its first words (see quote_complete)."
    )
    quote_complete: Series[pd.BooleanDtype] = pa.Field(
        description="Whether quote is the whole passage (false: a short snippet; `ce.rehydrate` restores it from your copy of the text)."
    )
    quote_length: Series[pd.Int64Dtype] = pa.Field(
        ge=1, description="Length of the whole passage (end - start)."
    )
    quote_sha256: Series[str] = pa.Field(
        str_matches=SHA256, description="SHA-256 of the whole passage (UTF-8), to check a rehydrated quote."
    )
    date_text: Series[str] = pa.Field(nullable=True, description="The date expression as the text writes it.")
    date_relative: Series[pd.BooleanDtype] = pa.Field(
        nullable=True,
        description="True when the expression was resolved against the publication date.",
    )
    date_start: Series[DATE] = pa.Field(nullable=True, description="First day the expression resolves to.")
    date_end: Series[DATE] = pa.Field(nullable=True, description="Last day the expression resolves to.")
    date_precision: Series[pd.CategoricalDtype] = pa.Field(
        nullable=True, isin=PRECISIONS, description="Precision of the resolved date."
    )
    date_relation: Series[pd.CategoricalDtype] = pa.Field(
        isin=DATE_RELATIONS,
        description="How the text's date relates to the event's interval: same, within (inside it), contains (the text is less precise), overlaps, disjoint (a conflict), unknown (either is undated); computed.",
    )
    disagreement_field: Series[pd.CategoricalDtype] = pa.Field(
        nullable=True,
        isin=DISAGREEMENT_FIELDS,
        description="What this text disagrees with the adjudicated event about (date, source, target, place, number, type, other); empty when it does not.",
    )
    disagreement: Series[str] = pa.Field(
        nullable=True,
        description="What the text says, and why the event differs.",
    )
    source_as_written: Series[str] = pa.Field(
        nullable=True,
        description="The source's name as the text writes it, where it differs from the canonical name.",
    )
    target_as_written: Series[str] = pa.Field(
        nullable=True, description="The target's name as the text writes it."
    )
    place_as_written: Series[str] = pa.Field(
        nullable=True, description="The place name as the text writes it (e.g. Artsakh)."
    )
    annotator: Series[str] = pa.Field(description="Who annotated the mention.")
    note: Series[str] = pa.Field(nullable=True, description="Remarks on the mention.")

    @pa.dataframe_check(description="start < end")
    @classmethod
    def span_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return df["start"] < df["end"]

    @pa.dataframe_check(description="date_start <= date_end")
    @classmethod
    def dates_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        # A missing bound is open: only two known bounds can be out of order.
        return df["date_start"].isna() | df["date_end"].isna() | (df["date_start"] <= df["date_end"])

    class Config:
        strict = True
        ordered = True
        unique = ["article_id", "event_id", "start", "end"]
        metadata = {
            "title": "Mentions",
            "description": "Each passage of a text that reports an event, with its exact character span.",
            "primary_key": ["mention_id"],
            "foreign_keys": [
                {"fields": "event_id", "reference": _fk("events", "event_id")},
                {"fields": "article_id", "reference": _fk("articles", "article_id")},
            ],
            "row_order": ["article_id", "start", "end", "event_id"],
        }


class EventActors(pa.DataFrameModel):
    """One row per actor of an event, in each role."""

    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, description="The event (events.event_id).")
    role: Series[pd.CategoricalDtype] = pa.Field(
        isin=ROLES, description="source (who acts) or target (who the act is directed at)."
    )
    actor_id: Series[str] = pa.Field(description="The actor (actors.actor_id).")
    rank: Series[pd.Int64Dtype] = pa.Field(
        ge=1,
        description="Order in the role, 1 for the principal actor (events.source_actor_id / target_actor_id).",
    )

    class Config:
        strict = True
        ordered = True
        unique = ["event_id", "role", "actor_id"]
        metadata = {
            "title": "Event actors",
            "description": "Every source and target of every event, principal first: the long form of the actor lists.",
            "primary_key": ["event_id", "role", "actor_id"],
            "foreign_keys": [
                {"fields": "event_id", "reference": _fk("events", "event_id")},
                {"fields": "actor_id", "reference": _fk("actors", "actor_id")},
            ],
            "row_order": ["event_id", "role", "rank"],
        }


class EventContexts(pa.DataFrameModel):
    """One row per PLOVER context of an event."""

    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, description="The event (events.event_id).")
    context: Series[str] = pa.Field(description="PLOVER context (plover_contexts.context).")
    rank: Series[pd.Int64Dtype] = pa.Field(ge=1, description="Order as coded, 1 for the main context.")

    class Config:
        strict = True
        ordered = True
        unique = ["event_id", "context"]
        metadata = {
            "title": "Event contexts",
            "description": "The PLOVER contexts of each event, one row each.",
            "primary_key": ["event_id", "context"],
            "foreign_keys": [
                {"fields": "event_id", "reference": _fk("events", "event_id")},
                {"fields": "context", "reference": _fk("plover_contexts", "context")},
            ],
            "row_order": ["event_id", "rank"],
        }


class Quantities(pa.DataFrameModel):
    """One row per number a text reports about an event (UCDP-style low/best/high)."""

    quantity_id: Series[str] = pa.Field(
        unique=True,
        str_matches=r"^Q[0-9a-f]{12}$",
        description="Identifier of the quantity, derived from its mention and the number as written.",
    )
    event_id: Series[str] = pa.Field(str_matches=EVENT_ID, description="The event (events.event_id).")
    mention_id: Series[str] = pa.Field(
        description="The mention whose quote holds the number (mentions.mention_id)."
    )
    article_id: Series[str] = pa.Field(description="The text that reports it (articles.article_id).")
    kind: Series[pd.CategoricalDtype] = pa.Field(
        isin=QUANTITY_KINDS,
        description="killed, wounded, missing, displaced, detained, released, bodies_returned, aid_amount, troops or other.",
    )
    value_low: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, description="Lowest value the text allows."
    )
    value_best: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, description="Best estimate: the number the text gives."
    )
    value_high: Series[pd.Float64Dtype] = pa.Field(
        nullable=True, ge=0, description="Highest value the text allows; empty when open ('at least')."
    )
    unit: Series[str] = pa.Field(description="people, USD, EUR, ... (what is counted).")
    approximate: Series[pd.BooleanDtype] = pa.Field(
        description="True for 'at least', 'about', 'more than', 'hundreds' and the like."
    )
    as_written: Series[str] = pa.Field(
        description="The number exactly as the text writes it (inside the mention's quote)."
    )
    note: Series[str] = pa.Field(nullable=True, description="Remarks.")

    @pa.dataframe_check(description="value_low <= value_best <= value_high")
    @classmethod
    def values_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        low_best = df["value_low"].isna() | df["value_best"].isna() | (df["value_low"] <= df["value_best"])
        best_high = df["value_best"].isna() | df["value_high"].isna() | (df["value_best"] <= df["value_high"])
        low_high = df["value_low"].isna() | df["value_high"].isna() | (df["value_low"] <= df["value_high"])
        return (low_best & best_high & low_high).fillna(True).astype(bool)

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Quantities",
            "description": "Every number a text reports about an event (killed, displaced, released, aid, ...), with low, best and high values and the mention it comes from.",
            "primary_key": ["quantity_id"],
            "foreign_keys": [
                {"fields": "event_id", "reference": _fk("events", "event_id")},
                {"fields": "mention_id", "reference": _fk("mentions", "mention_id")},
                {"fields": "article_id", "reference": _fk("articles", "article_id")},
            ],
            "row_order": ["event_id", "article_id", "mention_id", "quantity_id"],
        }


class PlaceAliases(pa.DataFrameModel):
    """Other names of a place."""

    place_id: Series[str] = pa.Field(description="The place (places.place_id).")
    alias: Series[str] = pa.Field(description="A name texts use for it (disputed names included).")

    class Config:
        strict = True
        ordered = True
        unique = ["place_id", "alias"]
        metadata = {
            "title": "Place aliases",
            "description": "Other names texts use for each place, one row each.",
            "primary_key": ["place_id", "alias"],
            "foreign_keys": [{"fields": "place_id", "reference": _fk("places", "place_id")}],
            "row_order": ["place_id", "alias"],
        }


class RetiredEvents(pa.DataFrameModel):
    """Tombstones of withdrawn event IDs."""

    event_id: Series[str] = pa.Field(
        unique=True, str_matches=EVENT_ID, description="The withdrawn identifier; never reused."
    )
    reason: Series[str] = pa.Field(description="Why it was withdrawn.")
    replaced_by: Series[str] = pa.Field(
        nullable=True, description="The event that replaces it, if any (events.event_id)."
    )

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "Retired events",
            "description": "Event identifiers withdrawn from the dataset, with the reason; they are never reused.",
            "primary_key": ["event_id"],
            "foreign_keys": [{"fields": "replaced_by", "reference": _fk("events", "event_id")}],
            "row_order": ["event_id"],
        }


class CameoCodes(pa.DataFrameModel):
    """CAMEO event codes."""

    code: Series[str] = pa.Field(
        unique=True,
        str_matches=r"^\d{2,4}$",
        description="CAMEO code (two digits for a root, up to four for a leaf).",
    )
    name: Series[str] = pa.Field(description="Name of the code in the CAMEO codebook.")
    goldstein: Series[pd.Float64Dtype] = pa.Field(
        ge=-10, le=10, description="Goldstein conflict-cooperation value."
    )
    root: Series[str] = pa.Field(str_matches=r"^\d{2}$", description="Root (two-digit) code.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "CAMEO codes",
            "description": "CAMEO 1.1b3 event codes with Goldstein values.",
            "primary_key": ["code"],
            "foreign_keys": [{"fields": "root", "reference": _fk("cameo_codes", "code")}],
            "row_order": ["code"],
        }


class PloverTypes(pa.DataFrameModel):
    """PLOVER event types."""

    type: Series[str] = pa.Field(unique=True, str_matches=r"^[A-Z]+$", description="PLOVER event type.")
    quad_class: Series[pd.Int64Dtype] = pa.Field(isin=[1, 2, 3, 4], description="Quad class number.")
    quad_name: Series[pd.CategoricalDtype] = pa.Field(isin=QUAD_NAMES, description="Quad class name.")
    score: Series[pd.Float64Dtype] = pa.Field(
        ge=-10, le=10, description="PLOVER conflict-cooperation score of the type."
    )
    requires_recipient: Series[pd.BooleanDtype] = pa.Field(
        description="Whether the type requires a recipient."
    )
    description: Series[str] = pa.Field(description="What the type covers.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "PLOVER event types",
            "description": "The 16 PLOVER event types with quad class and score.",
            "primary_key": ["type"],
            "foreign_keys": [],
            "row_order": [],
        }


class PloverModes(pa.DataFrameModel):
    """PLOVER modes per type."""

    type: Series[str] = pa.Field(description="PLOVER event type (plover_types.type).")
    mode: Series[str] = pa.Field(str_matches=r"^[a-z-]+$", description="Mode of that type.")
    score: Series[pd.Float64Dtype] = pa.Field(
        nullable=True,
        ge=-10,
        le=10,
        description="Score of the type with this mode, where the manual gives one.",
    )
    description: Series[str] = pa.Field(description="What the mode covers.")

    class Config:
        strict = True
        ordered = True
        unique = ["type", "mode"]
        metadata = {
            "title": "PLOVER modes",
            "description": "The modes allowed for each PLOVER event type.",
            "primary_key": ["type", "mode"],
            "foreign_keys": [{"fields": "type", "reference": _fk("plover_types", "type")}],
            "row_order": [],
        }


class PloverContexts(pa.DataFrameModel):
    """PLOVER contexts."""

    context: Series[str] = pa.Field(unique=True, str_matches=r"^[a-z_]+$", description="PLOVER context.")
    description: Series[str] = pa.Field(description="What the context covers.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "PLOVER contexts",
            "description": "The general PLOVER contexts.",
            "primary_key": ["context"],
            "foreign_keys": [],
            "row_order": ["context"],
        }


class CameoPlover(pa.DataFrameModel):
    """The CAMEO-to-PLOVER mapping used by this dataset."""

    cameo: Series[str] = pa.Field(unique=True, description="CAMEO code (cameo_codes.code).")
    type: Series[str] = pa.Field(
        nullable=True, description="Default PLOVER type; empty when PLOVER does not code it."
    )
    mode: Series[str] = pa.Field(nullable=True, description="Default PLOVER mode.")
    contexts: Series[str] = pa.Field(nullable=True, description="Default PLOVER contexts, separated by ';'.")
    basis: Series[pd.CategoricalDtype] = pa.Field(
        isin=["plover-2021", "caucasus-events"],
        description="plover-2021: the 2021 mapping line unchanged; caucasus-events: settled by this project.",
    )
    note: Series[str] = pa.Field(nullable=True, description="What was settled and why.")

    class Config:
        strict = True
        ordered = True
        metadata = {
            "title": "CAMEO to PLOVER mapping",
            "description": "The default PLOVER type, mode and contexts of each CAMEO code, with this project's settled flaws.",
            "primary_key": ["cameo"],
            "foreign_keys": [
                {"fields": "cameo", "reference": _fk("cameo_codes", "code")},
                {"fields": "type", "reference": _fk("plover_types", "type")},
            ],
            "row_order": [],
        }


#: The published tables, in the order they are built, listed and documented.
MODELS: dict[str, type[pa.DataFrameModel]] = {
    "events": Events,
    "event_actors": EventActors,
    "event_contexts": EventContexts,
    "mentions": Mentions,
    "quantities": Quantities,
    "articles": Articles,
    "actors": Actors,
    "places": Places,
    "place_aliases": PlaceAliases,
    "retired_events": RetiredEvents,
    "cameo_codes": CameoCodes,
    "plover_types": PloverTypes,
    "plover_modes": PloverModes,
    "plover_contexts": PloverContexts,
    "cameo_plover": CameoPlover,
}
