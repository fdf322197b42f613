"""The README figure and summary tables, drawn from the built tables (matplotlib extra)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from caucasus_events.loading import load

QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
COLORS = {1: "#4c9be8", 2: "#1f5fa8", 3: "#f0a04b", 4: "#c0392b"}


def dyads(events: pd.DataFrame, actors: pd.DataFrame) -> pd.Series:
    """Country dyad (source country -> target country) of each event with both actors known."""
    country = actors.set_index("actor_id")["country"].fillna("international/disputed")
    pairs = events["source_actor_id"].map(country) + " → " + events["target_actor_id"].map(country)
    return pairs.dropna()


def draw(out: Path) -> Path:
    """Draw, from the installed tables, acts per quarter (2020 on) by quad class and the most
    frequent dyads of acts, to ``out`` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    events, actors = load("events"), load("actors")
    events = events[events["kind"] == "act"]  # states have no time or type of their own
    # The period the dataset covers; background events recalled from earlier years are left out.
    dated = events.dropna(subset=["date_start", "quad_class"])
    dated = dated[dated["date_start"] >= "2020-01-01"]
    period = dated["date_start"].dt.to_period("Q")
    quarters = pd.period_range(period.min(), period.max(), freq="Q")
    counts = pd.crosstab(period, dated["quad_class"]).reindex(
        index=quarters, columns=list(QUADS), fill_value=0
    )
    counts.index = counts.index.astype(str)
    top = dyads(events, actors).value_counts().head(10).sort_values()

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    bottom = pd.Series(0, index=counts.index)
    for quad, label in QUADS.items():
        left.bar(counts.index, counts[quad], bottom=bottom, label=label, color=COLORS[quad])
        bottom = bottom + counts[quad]
    left.set_title("Acts per quarter by PLOVER quad class (start date, 2020 on)")
    left.set_ylabel("acts")
    left.tick_params(axis="x", rotation=60)
    left.legend(frameon=False, fontsize=8)
    right.barh(top.index, top.values, color="#555555")
    right.set_title("Most frequent dyads (source → target country)")
    right.set_xlabel("acts")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    # No software/version metadata, so the PNG depends only on the data and matplotlib.
    fig.savefig(out, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return out
