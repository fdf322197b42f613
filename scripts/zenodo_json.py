"""Write .zenodo.json (Zenodo's deposit metadata) from CITATION.cff (maintainer tool).

Zenodo reads .zenodo.json from the repository when a GitHub release is archived. It is
generated, never edited: `caucasus-events release` refuses to run while it is stale, and a test
checks it.

Usage: python scripts/zenodo_json.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from caucasus_events.publish.release import ZENODO, read_cff, zenodo_bytes

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--check", action="store_true", help="exit 1 when .zenodo.json is stale; write nothing")
    options = args.parse_args(argv)
    path, data = ROOT / ZENODO, zenodo_bytes(read_cff(ROOT))
    if path.is_file() and path.read_bytes() == data:
        print(f"{path}: up to date")
        return 0
    if options.check:
        print(f"{path}: stale or missing (run python scripts/zenodo_json.py)")
        return 1
    path.write_bytes(data)
    print(f"{path}: written from CITATION.cff")
    return 0


if __name__ == "__main__":
    sys.exit(main())
