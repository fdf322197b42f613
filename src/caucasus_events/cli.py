"""caucasus-events: build, check, release, load and cite the Armenia-Azerbaijan event dataset."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from caucasus_events import __version__


def _root(value: str | None) -> Path:
    return Path(value) if value else Path.cwd()


def _seconds(value: str) -> float:
    seconds = float(value)
    if not seconds >= 0:  # also refuses nan, which would wait forever
        raise argparse.ArgumentTypeError(f"{value} (expected 0 or more seconds)")
    return seconds


def cmd_build(args: argparse.Namespace) -> int:
    # A build encodes each table once: pyarrow's default allocator (mimalloc) keeps the pages
    # of those buffers for a reuse that never comes, about 65 MB of the peak of a build of
    # 10,000 articles. The system allocator returns them, at the same speed. pyarrow reads the
    # variable when it is imported, which the command line does not do before this point; a
    # value the user set is kept.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    from caucasus_events.build.allocator import fix_mmap_threshold
    from caucasus_events.build.pipeline import build

    fix_mmap_threshold()  # so that freed arrays go back to the system (see build.allocator)

    return build(
        _root(args.root),
        check=args.check,
        workers=args.workers,
        timeout=args.wait,
        say=_say(args),
        progress=_progress(args),
        cache=not args.no_cache,
        engine=args.engine,
        scheduler=args.scheduler,
    )


def cmd_add(args: argparse.Namespace) -> int:
    from caucasus_events.build.addtext import add_text, ask_at_terminal

    done = add_text(
        _root(args.root),
        Path(args.text),
        Path(args.sidecar) if args.sidecar else None,
        args.annotator,
        ask=ask_at_terminal,
    )
    print(
        f"added {done['article']}:\n  {done['text']}\n  {done['metadata']}\n"
        f"  {done['annotation']} (pending: annotate it, then delete `pending: true`)\n"
        f"event IDs reserved for {args.annotator}: {done['block']}\n"
        "next: caucasus-events events WORD ... [--actor ID] [--from DATE] to find the events to link "
        "to (docs/annotating.md, 'Adding a text')"
    )
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from caucasus_events.build.search import render, search

    rows = search(
        _root(args.root),
        words=args.words,
        actor=args.actor,
        since=args.since,
        until=args.until,
        kind=args.type,
        text=args.text,
    )
    print(render(rows, as_json=args.json), end="")
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from caucasus_events.build.pipeline import make
    from caucasus_events.problems import InputError

    def chosen(problems):
        return [p for p in problems if not args.file or any(f in p.path for f in args.file)]

    try:
        built = make(_root(args.root), progress=_progress(args))
    except InputError as exc:
        errors = chosen(exc.problems)
        if not errors:  # every error is in a file not asked about
            print(f"lint: no errors in the files asked about ({len(exc.problems)} elsewhere)")
            return 0
        raise InputError(errors) from None
    warnings = chosen(built.warnings)
    for warning in warnings:
        print(warning)
    print(f"lint: no errors, {len(warnings)} warning(s) (rules: docs/codebook.md)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from caucasus_events.build.validate import validate_package
    from caucasus_events.problems import InputError

    problems = validate_package(_root(args.path), frictionless=not args.fast, progress=_progress(args))
    if problems:
        raise InputError(problems)
    _say(args)(f"{_root(args.path).resolve()}: package is valid")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    import json

    from caucasus_events.build.agreement import compute, markdown

    results = compute(_root(args.root))
    print(json.dumps(results, indent=2) if args.json else markdown(results), end="")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from caucasus_events.build import docgen, readme

    root = _root(args.root)
    if (root / "docs" / "codebook.md").is_file():
        changed = docgen.update(root)
        state = "updated" if changed else "already up to date"
        print(f"docs/codebook.md: column reference and linter rules {state}")
    if (root / "README.md").is_file():
        changed = readme.update(root)
        print("README.md: generated blocks " + ("updated" if changed else "already up to date"))
    if args.figure:
        from caucasus_events.publish.figure import draw

        print(f"wrote {draw(root / 'docs' / 'events-over-time.png')}")
    return 0


def cmd_figure(args: argparse.Namespace) -> int:
    from caucasus_events.publish.figure import draw

    out = draw(Path(args.out))
    print(f"wrote {out}")
    if args.tables:
        from caucasus_events.build.readme import read_tables, summary_block
        from caucasus_events.settings import installed_data

        print(summary_block(read_tables(installed_data())))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from caucasus_events.publish.release import release

    previous = Path(args.previous) if args.previous else None
    release(
        _root(args.root),
        previous=previous,
        register_it=args.register,
        with_site=args.with_site,
        say=_say(args),
    )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    import json

    from caucasus_events.diff import diff

    result = diff(Path(args.a), Path(args.b))
    print(
        json.dumps(result.to_json(), indent=2, ensure_ascii=False) if args.json else result.text(),
        end="\n" if args.json else "",
    )
    return 1 if result.problems else 0


def cmd_site(args: argparse.Namespace) -> int:
    import time

    from caucasus_events.publish.site import site_files, write_site

    began = time.perf_counter()
    root = _root(args.root)
    files = site_files(root, Path(args.package) if args.package else None, args.previous)
    write_site(Path(args.out), files)
    size = sum(map(len, files.values()))
    pages = sum(1 for rel in files if rel.endswith(".html"))
    _say(args)(
        f"wrote {args.out}: {pages} pages, {len(files)} files, {size} bytes in {time.perf_counter() - began:.1f} s"
    )
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    from caucasus_events.download import fetch

    print(f"{args.version}: {fetch(args.version, say=print)}")
    return 0


def cmd_cite(args: argparse.Namespace) -> int:
    if args.sources:
        from caucasus_events.citing import sources

        frame = sources(version=args.version)
        for row in frame.itertuples():
            published = row.published.date().isoformat() if row.published == row.published else "n.d."
            print(f"{row.publisher} ({published}). {row.title}. {row.url} [{row.license}]")
        return 0
    from caucasus_events.citing import citation

    print(citation(args.style, version=args.version), end="")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    import json
    import shutil

    from caucasus_events.loading import package_dir, tables

    width = shutil.get_terminal_size((100, 24)).columns
    folder = package_dir(args.version)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    frame = tables(version=args.version)
    name_width = max(len("table"), *(len(t) for t in frame["table"]))
    lines = [
        f"{package['name']} {package['version']}  ({folder})",
        "",
        f"{'table':<{name_width}}  {'rows':>6}  title",
    ]
    lines += [f"{r.table:<{name_width}}  {r.rows:>6}  {r.title}" for r in frame.itertuples()]
    lines += [
        "",
        'python: ce.load("events"), ce.describe("events")',
        "cite: caucasus-events cite --style apa",
    ]
    print("\n".join(line if len(line) <= width else line[: width - 1] + "…" for line in lines))
    return 0


def _say(args: argparse.Namespace):
    return (lambda *_: None) if getattr(args, "quiet", False) else print


def _progress(args: argparse.Namespace):
    # Bars on stderr only in a terminal outside CI; --verbose adds a line per file.
    from caucasus_events.build.progress import Reporter

    return Reporter.from_flags(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))


def _version_option(p: argparse.ArgumentParser) -> None:
    # The same name as load(version=...); --release is the name before 0.2 and still works.
    p.add_argument(
        "--version",
        "--release",
        dest="version",
        metavar="VERSION",
        help="a published release, such as 0.1.0 or v0.1.0 (default: the installed one; "
        "--release is the deprecated name of this option)",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="caucasus-events", description=__doc__)
    top.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = top.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="rebuild processed/, schemas/ and datapackage.json from raw/")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--check", action="store_true", help="compare with the committed outputs; write nothing")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes for the per-article stage (with --engine dask: LocalCluster workers, default 2)",
    )
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="where the per-article stage runs: this machine (default) or a Dask cluster "
        "(needs the 'dask' extra; same outputs)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a running scheduler, e.g. tcp://10.0.0.5:8786 (default: a LocalCluster)",
    )
    p.add_argument("--wait", type=_seconds, default=60.0, help="seconds to wait for another build's lock")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="neither use nor update .caucasus-events-cache/ (the outputs are the same either way)",
    )
    p.add_argument("--quiet", action="store_true", help="print only problems (no progress bar)")
    p.add_argument("--verbose", action="store_true", help="one line per article on stderr")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "add",
        help="import a text and its sidecar into raw/, scaffold its annotation, reserve event IDs",
        description="Copy TEXT into raw/articles, write its metadata from the sidecar (every "
        "uncertainty flag taken from an explicit sidecar field, or asked for at a terminal), "
        "scaffold raw/annotations/<id>.yaml with `pending: true`, and reserve a block of event IDs "
        "for the annotator in raw/id-blocks.yaml. Nothing is overwritten; on any problem nothing "
        "is written. See docs/annotating.md, 'Adding a text'.",
    )
    p.add_argument("text", help="the text file (UTF-8, LF line endings); its name is the article ID")
    p.add_argument("--sidecar", help="the sidecar JSON (default: TEXT with .json)")
    p.add_argument("--annotator", required=True, help="who will annotate it (a slug such as agent-n1)")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser(
        "events",
        help="search the event registry by words, actor, dates, type and text",
        description="List the events of raw/events that match every criterion given, with "
        "their dates, coding, actors, summary and the texts that report them (from the built "
        "mentions table): the candidates to link a new mention to.",
    )
    p.add_argument("words", nargs="*", help="words that must all occur in the summary, note or actor names")
    p.add_argument("--actor", help="an actor ID, as source or target (members included)")
    p.add_argument("--from", dest="since", metavar="DATE", help="events reaching into or after DATE")
    p.add_argument("--to", dest="until", metavar="DATE", help="events reaching into or before DATE")
    p.add_argument("--type", help="a PLOVER type, a CAMEO code prefix, or act / state")
    p.add_argument("--text", help="an article ID (or its beginning): events that text reports")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser(
        "lint",
        help="check the coding rules that can be checked mechanically (also run by build)",
        description="Read and check raw/ as build does, then apply the coding rules of "
        "docs/codebook.md ('Rules checked by the linter'). Errors exit 2; warnings are printed. "
        "Nothing is written.",
    )
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument(
        "--file",
        action="append",
        metavar="TEXT",
        help="only findings in files whose path contains TEXT (repeatable), e.g. your article ID "
        "and your events file",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("validate", help="check a built package: models, keys, hashes, descriptor")
    p.add_argument("path", nargs="?", help="package folder (default: the current one)")
    p.add_argument(
        "--fast",
        action="store_true",
        help="skip the row-by-row Frictionless pass (sizes, hashes, descriptor and tables are still checked)",
    )
    p.add_argument("--quiet", action="store_true", help="print only problems (no progress bar)")
    p.add_argument("--verbose", action="store_true", help="one line per file and table on stderr")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "agreement", help="inter-annotator agreement of the independent passes in raw/agreement"
    )
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_agreement)

    p = sub.add_parser(
        "docs",
        help="regenerate docs/codebook.md's column reference and rules, and README.md's generated blocks",
    )
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument("--figure", action="store_true", help="also redraw docs/events-over-time.png (matplotlib)")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("figure", help="draw the README figure from the installed tables (needs matplotlib)")
    p.add_argument("--out", default="docs/events-over-time.png", help="PNG file to write")
    p.add_argument("--tables", action="store_true", help="also print the README summary tables")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("release", help="write dist/caucasus-events-data-X.Y.Z.zip from the built package")
    p.add_argument("--root", help="project folder (default: the current one)")
    p.add_argument(
        "--previous", help="previous release (.zip or folder): check the version step, list changes"
    )
    p.add_argument(
        "--register", action="store_true", help="record URL and SHA-256 in the package's registry.json"
    )
    p.add_argument(
        "--with-site",
        action="store_true",
        help="also write dist/caucasus-events-site-X.Y.Z.zip, the release's browsable site (site extra)",
    )
    p.add_argument("--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("diff", help="what changed between two releases (folders or .zip archives)")
    p.add_argument("a", help="older release: package folder or release archive")
    p.add_argument("b", help="newer release: package folder or release archive")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("site", help="build the static website of the package (needs the site extra)")
    p.add_argument(
        "out", metavar="OUT", help="folder to write the site into (new, empty, or an earlier site)"
    )
    p.add_argument(
        "--root", help="project folder: texts, docs and agreement passes (default: the current one)"
    )
    p.add_argument(
        "--package",
        help="built package folder or release archive (default: the project folder, else the installed release)",
    )
    p.add_argument(
        "--previous", help="previous release (.zip, folder or published version), for the page of changes"
    )
    p.add_argument("--quiet", action="store_true", help="print only problems")
    p.set_defaults(func=cmd_site)

    p = sub.add_parser("download", help="download, verify and cache a published release")
    p.add_argument("version", metavar="VERSION", help="release version, such as 0.1.0 or v0.1.0")
    p.set_defaults(func=cmd_download)

    p = sub.add_parser("cite", help="how to cite the dataset (or, with --sources, the texts)")
    p.add_argument("--style", choices=["bibtex", "apa", "cff"], default="bibtex")
    _version_option(p)
    p.add_argument("--sources", action="store_true", help="list the source texts to credit instead")
    p.set_defaults(func=cmd_cite)

    p = sub.add_parser("info", help="the tables of a release and their row counts")
    _version_option(p)
    p.set_defaults(func=cmd_info)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run the command line; exit 2 for bad input or usage, 1 for an internal error.

    A closed pipe on standard output ends the command quietly with 141.
    """
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`caucasus-events diff A B | head`): stop quietly. Standard output
        # is pointed at /dev/null so that the interpreter's final flush fails no more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a program killed by the signal would report
    except OSError as exc:
        # The machine's fault or the user's (no space, no permission, a folder where a file
        # must be), never the program's: exit 2 with the path and what was expected.
        from caucasus_events.build.safefile import os_message

        where = exc.filename if exc.filename is not None else "-"
        print(f"{where}: -: {os_message(exc)}", file=sys.stderr)
        print("nothing was written, or an interrupted commit is finished by the next build", file=sys.stderr)
        return 2
    except Exception as exc:
        if isinstance(exc, ModuleNotFoundError):
            from caucasus_events.extras import missing

            exc = missing(exc, f"caucasus-events {args.command}")
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
