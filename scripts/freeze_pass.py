"""Freeze the released annotation of some texts as a standalone coding pass (maintainer tool).

The agreement study compares passes in raw/agreement/<pass>/ that carry their coding inline.
Before disagreements are adjudicated into the release, the release's own coding of the
doubly-annotated texts is frozen here, so that agreement is always measured on the codings as
they were made, not after adjudication.

Usage: python scripts/freeze_pass.py SOURCE_ROOT TARGET_FOLDER ARTICLE_ID...
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from caucasus_events.build.rawdata import read_registries


class _PlainDumper(yaml.SafeDumper):
    # The project's YAML reader refuses anchors and aliases: write every value out.
    def ignore_aliases(self, data):
        return True


def freeze(source: Path, target: Path, article_ids: list[str]) -> None:
    reg, problems = read_registries(source)
    if problems:
        raise SystemExit("\n".join(map(str, problems)))
    target.mkdir(parents=True, exist_ok=True)
    for article_id in article_ids:
        doc = yaml.safe_load(
            (source / "raw" / "annotations" / f"{article_id}.yaml").read_text(encoding="utf-8")
        )
        mentions = []
        for item in doc["mentions"]:
            event = reg.events[item["event"]]
            mentions.append(
                {
                    "quote": item["quote"],
                    "prefix": item.get("prefix"),
                    "occurrence": item.get("occurrence"),
                    "kind": event["kind"],
                    "type": event.get("type"),
                    "mode": event.get("mode"),
                    "contexts": list(event["contexts"]),
                    "cameo": event.get("cameo"),
                    "source": list(event["source"]),
                    "target": list(event["target"]),
                    "status": event["status"],
                    "date": {"text": None, "relative": False, **dict(event["date"])},
                    "note": f"frozen from event {item['event']} of the released annotation",
                }
            )
        out = {"article": article_id, "annotator": doc["annotator"], "mentions": mentions}
        text = yaml.dump(out, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
        (target / f"{article_id}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    freeze(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
