"""Regenerate docs/event-page.png, the README's screenshot of an event page (maintainer tool).

Builds the site into a temporary folder and photographs the page of the Blinken-Aliyev call of
25 July 2022 in Debian's headless Chromium, driven by Playwright (test extra).

Usage: python scripts/site_screenshot.py [--event E000100] [--out docs/event-page.png]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from caucasus_events.publish import site

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event", default=site.SCREENSHOT_EVENT)
    parser.add_argument("--out", default=str(ROOT / site.SCREENSHOT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        site.write_site(out, site.site_files(ROOT))
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium") or site.CHROMIUM, args=list(site.CHROMIUM_ARGS)
            )
            page = browser.new_page(viewport={"width": 1000, "height": 1800})
            page.goto((out / "events" / f"{args.event}.html").as_uri())
            page.screenshot(path=args.out)
            browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
