"""Command line: ``python build.py [build|check] ...`` (and the ``gradeline`` script).

Each command prints a one-line summary and exits 0 on success, 1 when the content or the
output folder is at fault (with every problem listed, never a traceback), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .errors import ContentError, Problem
from .write import OutputError

COMMANDS = ("build", "check", "serve", "new", "schema")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Gradeline: build a static site of graded inspection reports from YAML.",
        epilog="With no command, builds the site (the same as 'build').",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", help="validate the content and build the site",
                           description="Validate the content, then build the site. A failed "
                                       "build leaves the previous output untouched.")
    _content_option(build)
    build.add_argument("--out", type=Path, default=Path("site"), metavar="DIR",
                       help="output folder, replaced whole on success (default: site)")
    build.add_argument("--timings", action="store_true",
                       help="print the seconds spent in each stage of the build")
    build.add_argument("--no-search", action="store_true",
                       help="skip the search index (quicker local builds; the search page "
                            "then finds nothing)")
    build.add_argument("--no-cache", action="store_true",
                       help="ignore and do not write the cache (.gradeline-cache beside the "
                            "output) or reuse the existing output: render everything")
    build.add_argument("--base-url", metavar="URL", type=_base_url,
                       help="public address of the site, e.g. https://example.org/reports/ "
                            "(default: site.yaml's base_url; without one the site works from "
                            "any folder)")

    check = sub.add_parser("check", help="validate the content without building",
                           description="Validate every content file and list every problem "
                                       "as file:line:col: field: message.")
    _content_option(check)
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="'github' prints GitHub Actions ::error annotations")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")

    serve = sub.add_parser("serve", help="serve the site, rebuilding and reloading on save",
                           description="Build the site, serve it, and rebuild and reload open "
                                       "pages whenever content or templates change. A failed "
                                       "build keeps the last good site and shows the "
                                       "problems over every page.")
    _content_option(serve)
    serve.add_argument("--port", type=int, default=8000,
                       help="port (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this computer only)")
    serve.add_argument("--base-url", metavar="URL", type=_base_url,
                       help="serve under this URL's path, as in production (default: "
                            "site.yaml's base_url)")

    new = sub.add_parser("new", help="write a skeleton content file to fill in",
                         description="Write a valid skeleton inspection with every area of "
                                     "the framework listed, into CONTENT/inspections/"
                                     "<organisation>/. Never overwrites a file.")
    new.add_argument("what", choices=("inspection",), help="what to create")
    _content_option(new)
    new.add_argument("--organisation", required=True, metavar="ID",
                     help="id of the inspected organisation")
    new.add_argument("--framework", required=True, metavar="ID", help="id of the framework")
    new.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="publication date")
    new.add_argument("--id", metavar="ID",
                     help="the inspection's id (default: the organisation's short name, the "
                          "year in the framework's id, or else of publication, and the kind, "
                          "e.g. derbyshire-2021-peel)")

    schema = sub.add_parser("schema", help="write JSON Schemas and the editor field reference",
                            description="Write JSON Schemas for every kind of content file "
                                        "into CONTENT/schemas/, generated from the model, and "
                                        "refresh the field reference in docs/editing.md.")
    _content_option(schema)
    schema.add_argument("--docs", type=Path, default=Path("docs/editing.md"), metavar="FILE",
                        help="editor guide whose field reference to refresh "
                             "(default: docs/editing.md)")
    return parser


def _content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="content folder (default: content)")


def _base_url(value: str) -> str:
    """A --base-url: an http or https address, by the rule site.yaml's base_url follows."""
    from .model import check_url

    try:
        return check_url(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in (*COMMANDS, "-h", "--help"):
        args.insert(0, "build")
    options = _parser().parse_args(args)
    commands = {"check": _check, "serve": _serve, "new": _new, "schema": _schema}
    try:
        return commands.get(options.command, _build)(options)
    except OSError as exc:
        # The disk is full, a folder is read-only, a path is a file: the system's words, in
        # one line, rather than a traceback.
        print(f"{(options.command or 'build').capitalize()} failed: {os_error_text(exc)}",
              file=sys.stderr)
        return 1


def os_error_text(exc: OSError) -> str:
    """An operating system error in one line: what failed, and on which path."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    where = " -> ".join(os.fsdecode(p) for p in paths)
    return f"{reason}: {where}" if where else reason


def _build(options: argparse.Namespace) -> int:
    from .build import build
    from .search import SearchIndexError

    try:
        result = build(options.content, options.out, options.base_url,
                       cache=not options.no_cache, search=not options.no_search)
    except ContentError as exc:
        _print_problems(exc.problems, "text")
        print(f"Build failed: {_count(exc.problems)} in {options.content}; "
              f"{options.out} was not changed.", file=sys.stderr)
        return 1
    except (OutputError, SearchIndexError) as exc:
        print(f"Build failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        # A failed build removes what it wrote and leaves the previous site as it was.
        print(f"Build failed: {os_error_text(exc)}; {options.out} was not changed.",
              file=sys.stderr)
        return 1
    _print_problems(result.content.warnings, "text")
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if options.timings:
        for stage, seconds in result.timings.items():
            print(f"  {stage:28} {seconds:6.2f} s")
    if result.up_to_date:
        print(f"{options.out} is up to date: nothing changed since it was built "
              f"({result.seconds:.2f} s)")
        return 0
    print(f"Built {result.pages} pages ({result.files} files, {result.bytes / 1024:,.0f} KB) "
          f"in {result.seconds:.2f} s into {options.out}")
    return 0


def _check(options: argparse.Namespace) -> int:
    from .build import check

    started = time.perf_counter()
    try:
        content = check(options.content)
    except ContentError as exc:
        _print_problems(exc.problems, options.format)
        print(f"Check failed: {_count(exc.problems)} in {options.content}.", file=sys.stderr)
        return 1
    warnings = content.warnings
    _print_problems(warnings, options.format)
    seconds = time.perf_counter() - started
    files = len(content.files)
    if warnings and options.strict:
        print(f"Check failed (--strict): {_count(warnings, 'warning')} in {files} files.",
              file=sys.stderr)
        return 1
    tail = f", {_count(warnings, 'warning')}" if warnings else ""
    print(f"Checked {files} files ({len(content.inspections)} inspections): no errors{tail} "
          f"in {seconds:.2f} s")
    return 0


def _missing_content(options: argparse.Namespace, command: str) -> bool:
    """Say so, and return True, when the content folder is not there."""
    if options.content.is_dir():
        return False
    print(f"{command} failed: the content folder {options.content} does not exist.",
          file=sys.stderr)
    return True


def _serve(options: argparse.Namespace) -> int:
    from .serve import serve

    if _missing_content(options, "Serve"):
        return 1
    try:
        serve(options.content, options.port, options.host, options.base_url)
    except OSError as exc:
        print(f"Serve failed: {exc.strerror or exc} (port {options.port}).", file=sys.stderr)
        return 1
    return 0


def _new(options: argparse.Namespace) -> int:
    from .new import NewError, new_inspection

    try:
        path = new_inspection(options.content, options.organisation, options.framework,
                              options.date, options.id)
    except NewError as exc:
        print(f"New failed: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {path}: fill in the TODOs, then run python build.py check")
    return 0


def _schema(options: argparse.Namespace) -> int:
    from .contexts import write_reference
    from .schema import update_docs, write_schemas

    if _missing_content(options, "Schema"):
        return 1
    written = write_schemas(options.content)
    docs = ""
    if options.docs.is_file():
        docs = f"; {'updated' if update_docs(options.docs) else 'checked'} {options.docs}"
        templates = options.docs.parent / "templates.md"
        docs += f"; {'updated' if write_reference(templates) else 'checked'} {templates}"
    print(f"Wrote {len(written)} schemas to {options.content / 'schemas'}{docs}")
    return 0


def _count(problems: Sequence[Problem], word: str = "error") -> str:
    n = len(problems)
    return f"{n} {word}{'' if n == 1 else 's'}"


def _print_problems(problems: Sequence[Problem], style: str) -> None:
    for p in problems:
        if style == "github":
            level = "warning" if p.severity == "warning" else "error"
            text = f"{p.field}: {p.message}" if p.field else p.message
            print(f"::{level} file={_escape(p.file, ',:')},line={p.line},col={p.column}::"
                  f"{_escape(text)}")
        else:
            print(p, file=sys.stderr)


def _escape(text: str, also: str = "") -> str:
    """Text for a GitHub Actions workflow command: a value may hold no line break, and a
    property (the file name) no comma or colon either, unless escaped."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    for char in also:
        text = text.replace(char, f"%{ord(char):02X}")
    return text


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
