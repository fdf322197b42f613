"""Import source texts from the shared corpus into raw/articles (maintainer tool).

Copies each text byte for byte and writes its metadata file from the corpus sidecar, with
the text's SHA-256. Existing files are never overwritten: raw/ is edited by hand after import.

Usage: python scripts/import_corpus.py ../shared/corpus
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import yaml

from caucasus_events.rawdata import sha256_bytes

ROOT = Path(__file__).resolve().parents[1]


def metadata(sidecar: dict, data: bytes) -> dict:
    published = sidecar.get("published")
    note = sidecar.get("published_note")
    retrieved = sidecar["retrieved_from"]
    return {
        "title": sidecar["title"],
        "title_from_slug": "slug" in sidecar["title"],
        "publisher": sidecar["publisher"],
        # Timestamps carry the publisher's local date first: keep that date.
        "published": dt.date.fromisoformat(published[:10]) if published else None,
        "published_inferred": "Date inferred" in retrieved or "Date from the URL" in retrieved,
        "published_earliest": None,
        "published_note": note,
        "url": sidecar["url"],
        "license": sidecar["license"],
        "license_basis": sidecar["license_basis"],
        "redistributable": "must not be redistributed" not in sidecar["license_basis"],
        "retrieved_from": retrieved,
        "sha256": sha256_bytes(data),
    }


def main(corpus: Path) -> None:
    target = ROOT / "raw" / "articles"
    target.mkdir(parents=True, exist_ok=True)
    for sidecar_path in sorted(corpus.glob("*.json")):
        text_path = sidecar_path.with_suffix(".txt")
        data = text_path.read_bytes()
        out_text, out_meta = target / text_path.name, target / f"{sidecar_path.stem}.yaml"
        if not out_text.exists():
            out_text.write_bytes(data)
        if not out_meta.exists():
            document = metadata(json.loads(sidecar_path.read_text(encoding="utf-8")), data)
            out_meta.write_text(
                yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
                encoding="utf-8",
            )
        print(out_meta.relative_to(ROOT))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
