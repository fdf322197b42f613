"""The ``caucasus-events`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from caucasus_events import __version__


def _root(value: str | None) -> Path:
    return Path(value) if value else Path.cwd()


def cmd_build(args: argparse.Namespace) -> int:
    from caucasus_events.build import build

    return build(_root(args.root), check=args.check, workers=args.workers, timeout=args.wait, say=_say(args))


def cmd_validate(args: argparse.Namespace) -> int:
    from caucasus_events.problems import InputError
    from caucasus_events.validate import validate_package

    problems = validate_package(_root(args.path), frictionless=not args.fast)
    if problems:
        raise InputError(problems)
    _say(args)(f"{_root(args.path).resolve()}: package is valid")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    import json

    from caucasus_events.agreement import compute, markdown

    results = compute(_root(args.root))
    print(json.dumps(results, indent=2) if args.json else markdown(results), end="")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from caucasus_events.docgen import update

    changed = update(_root(args.root))
    print("docs/codebook.md: column reference " + ("updated" if changed else "already up to date"))
    return 0


def cmd_figure(args: argparse.Namespace) -> int:
    from caucasus_events.figure import draw, summary_tables

    out = draw(_root(args.root), Path(args.out))
    print(f"wrote {out}")
    if args.tables:
        print(summary_tables(), end="")
    return 0


def _say(args: argparse.Namespace):
    return (lambda *_: None) if getattr(args, "quiet", False) else print


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="caucasus-events", description=__doc__)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="rebuild processed/, schemas/ and datapackage.json from raw/")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--check", action="store_true", help="compare with the committed outputs; write nothing")
    p.add_argument("--workers", type=int, default=1, help="processes for the per-article stage")
    p.add_argument("--wait", type=float, default=60.0, help="seconds to wait for another build's lock")
    p.add_argument("--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help="check a built package: models, keys, hashes, descriptor")
    p.add_argument("path", nargs="?", help="package folder (default: the current one)")
    p.add_argument("--fast", action="store_true", help="skip the row-by-row Frictionless pass")
    p.add_argument("--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "agreement", help="inter-annotator agreement of the independent passes in raw/agreement"
    )
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser("docs", help="regenerate the column reference in docs/codebook.md from the models")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("figure", help="draw the README figure from the built tables (needs matplotlib)")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--out", default="docs/events-over-time.png", help="PNG file to write")
    p.add_argument("--tables", action="store_true", help="also print the README summary tables")
    p.set_defaults(func=cmd_figure)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; exit 2 for bad input or usage, 1 for an internal error."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        code = getattr(exc, "exit_code", None)
        if code is None:
            print(f"internal error: {type(exc).__name__}: {exc} (please report it)", file=sys.stderr)
            return 1
        print(str(exc), file=sys.stderr)
        if getattr(exc, "problems", None):
            print(f"{len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
