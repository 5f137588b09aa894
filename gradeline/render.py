"""Stage 4, render: turn views into HTML with Jinja.

Autoescaping is on and undefined names are errors, so a typo in a template fails the build
instead of printing an empty string. Markdown from content is converted to safe HTML by
``markdown.py``; links to pages of the site are made relative to each page here.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .markdown import markdown_inline, markdown_to_html, with_site_links
from .parallel import Counter, ForkPool, can_fork
from .urls import Urls, page_file
from .write import Writer

#: The templates and static assets that ship with Gradeline.
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def script_safe_json(value: Any) -> str:
    """Compact, deterministic JSON that cannot end a <script> element or open a comment.

    Content may contain "</script>" or "<!--"; escaped as \\u003c etc. it stays the same
    string to a JSON parser but is inert to the HTML parser.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")



# Small pieces of markup used thousands of times per build: Python, not Jinja macros, which
# cost ten times as much per call. Every value from content goes through escape().

def badge(grade: Any) -> Markup:
    """A grade badge: its words, and a class for its colour."""
    return Markup(f'<span class="grade {escape(grade.css)}">{escape(grade.label)}</span>')


def refs(numbers: list[int]) -> Markup:
    """Superscript links to the page's numbered sources."""
    if not numbers:
        return Markup("")
    links = "".join(f'<a href="#source-{n:d}" aria-label="source {n:d}">[{n:d}]</a>'
                    for n in numbers)
    return Markup(f'<sup class="refs" data-pagefind-ignore>{links}</sup>')


def date(value: Any, unknown: str = "not known") -> Markup:
    """A <time> element with the date as precisely as it is known."""
    if value is None:
        return Markup(escape(unknown))
    return Markup(f'<time datetime="{escape(str(value))}">{escape(value.label)}</time>')


def chart_rows(chart: Any) -> Markup:
    """The rows of a chart's table (thousands of cells per build: Python, not a macro).

    In a table stacked as cards on a phone, each cell carries its column's name to show
    beside it, and an empty cell is marked to be left out."""
    stack = chart.table_style == "stack"
    labels = [f' data-label="{escape(column)}"' if stack else "" for column in chart.columns]
    empty = ' class="empty"'
    out = []
    for values in chart.rows:
        cells = "".join(f'<th scope="row">{_chart_cell(value)}</th>'
                        if i < chart.header_columns else
                        f"<td{labels[i]}{empty if value == '' else ''}>{_chart_cell(value)}</td>"
                        for i, value in enumerate(values))
        out.append(f"      <tr>{cells}</tr>\n")
    return Markup("".join(out))


def _chart_cell(value: Any) -> Markup:
    if value is None:
        return Markup('<span class="not-assessed">not assessed</span>')
    if hasattr(value, "state"):  # a grade
        return badge(value)
    return escape(value)


def status(key: str, label: str) -> Markup:
    """A follow-up status in words."""
    return Markup(f'<span class="status status-{escape(key)}">{escape(label)}</span>')


def change(key: str, changes: dict[str, tuple[str, str]]) -> Markup:
    """A change between two grades: a symbol for the eye, words for everyone."""
    symbol, words = changes[key]
    return Markup(f'<span class="change change-{escape(key)}"><span class="change-symbol" '
                  f'aria-hidden="true">{escape(symbol)}</span> {escape(words)}</span>')


@dataclass
class Page:
    """One output page: where it goes, which template lays it out, and what it shows."""

    target: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    #: The charts on the page; their CSV files are written beside the data.
    charts: list[Any] = field(default_factory=list)
    #: Ids of the inspections whose files the page shows anything of; None: all of them.
    #: Every page also depends on the shared content files and the templates. An
    #: incremental build re-renders a page only when one of these has changed.
    deps: frozenset[str] | None = None
    #: Pagefind filters ({"year": "2021", "kind": "PEEL"}) for a page that search should
    #: index; None keeps the page out of search results.
    search: dict[str, str] | None = None
    #: Links rooted at the base path instead of relative: for the 404 page, which a host
    #: serves at whatever address was missing.
    rooted_links: bool = False
    #: The organisation the page belongs to ("" for site-wide pages): a parallel build
    #: renders an organisation's pages in one process, which then converts each of its
    #: texts' Markdown once (its reports, comparisons and tracker show the same texts).
    organisation: str = ""
    #: Fills in the costly part of the page (its charts, comparisons, and a description
    #: taken from a chart) when it is rendered, not when the site's pages are listed: an
    #: incremental build lists every page but renders few, and a full build then makes
    #: them in the rendering processes, in parallel.
    make: Callable[[Page], None] | None = field(default=None, repr=False, compare=False)

    def ready(self) -> Page:
        """The page with everything it shows made (see ``make``)."""
        if self.make is not None:
            make, self.make = self.make, None
            make(self)
        return self

    def release(self) -> None:
        """Forget what the page shows, once it is written: a build keeps every page listed
        until it ends, and their charts and comparisons need not stay in memory."""
        self.context, self.charts = {}, []

    @property
    def file(self) -> str:
        """The output file path, relative to the site folder."""
        return page_file(self.target)


class Renderer:
    """A Jinja environment set up for one build."""

    def __init__(self, urls: Urls, globals_: dict[str, Any], templates: Path = TEMPLATES,
                 compiled: Path | None = None):
        self.urls = urls
        # Kept across builds by the dev server: templates compile once, and again only when
        # their file changes (Jinja checks). Compiled templates are also kept in the folder
        # ``compiled``, if given, for the next run of the build command (compiling them is a
        # sixth of a build after one edit); Jinja checks each against its template's text.
        if compiled is not None:
            compiled.mkdir(parents=True, exist_ok=True)
        self.env = jinja2.Environment(
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled))
            if compiled is not None else None,
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["markdown"] = lambda text: Markup(markdown_to_html(text))
        self.env.filters["markdown_inline"] = lambda text: Markup(markdown_inline(text))
        self.env.globals.update(badge=badge, refs=refs, date=date, status=status,
                                change=change, chart_rows=chart_rows)
        self.env.globals.update(globals_)
        self.asset_hashes: dict[str, str] = {}

    def compile_templates(self) -> None:
        """Compile every page template now (once, before rendering processes fork, rather
        than once in each of them)."""
        for name in self.env.list_templates(extensions=["html"]):
            if not name.startswith(("static/", "dev/")):
                self.env.get_template(name)

    def configure(self, urls: Urls, globals_: dict[str, Any]) -> None:
        """Set what may differ from one build to the next."""
        self.urls = urls
        self.env.globals.update(globals_)

    def render(self, page: Page) -> str:
        """The page's HTML."""
        page.ready()
        template = self.env.get_template(page.template)
        here = page.file

        def url(target: str) -> str:
            if page.rooted_links:
                return self.urls.rooted(target)
            return self.urls.relative(target, here)

        def asset(name: str) -> str:
            # A content hash in the query string lets hosts cache assets for ever.
            version = self.asset_hashes.get(name)
            return url(f"static/{name}" + (f"?v={version}" if version else ""))

        html = template.render(page=page, url=url, asset=asset,
                               canonical=self.urls.absolute(page.target), **page.context)
        return with_site_links(html, url)


def hash_assets(folder: Path) -> dict[str, str]:
    """A short content hash of each static asset, keyed by its name under the folder."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        out[path.relative_to(folder).as_posix()] = hashlib.sha256(
            path.read_bytes()).hexdigest()[:10]
    return out


# -- rendering many pages ------------------------------------------------------------------

#: Below this many pages a second process costs more than it saves.
PARALLEL_MIN_PAGES = 120
#: Pages rendered between two collections of the cycles rendering leaves behind.
COLLECT_EVERY = 64


def chunks(pages: list[Page], workers: int) -> list[list[Page]]:
    """Pages in runs for the rendering processes to take one at a time: each
    organisation's pages in one run (so that one process converts its texts' Markdown,
    once), an organisation too large for a fair share cut into several; largest first, so
    that the last runs taken are small and the processes finish together."""
    size = max(PARALLEL_MIN_PAGES // 4, len(pages) // (workers * 8))
    by_organisation: dict[str, list[Page]] = {}
    for page in pages:
        by_organisation.setdefault(page.organisation, []).append(page)
    runs = [own[i:i + size] for own in by_organisation.values()
            for i in range(0, len(own), size)]
    return sorted(runs, key=len, reverse=True)  # stable: ties stay in page order


@dataclass
class _Job:
    """What the rendering processes share: the runs of pages, and which is next."""

    renderer: Renderer
    runs: list[list[Page]]
    writer: Writer
    #: Made by the first helper before it renders (see render_pages).
    extra: Callable[[Writer], None] | None
    taken: Counter


def render_pages(renderer: Renderer, pages: list[Page], writer: Writer, workers: int,
                 extra: Callable[[Writer], None] | None = None) -> dict[str, list[str]]:
    """Render pages and their chart CSVs through the writer; returns each rendered page's
    CSV files, by page file, for pages that have charts.

    With several cores and many pages, helper processes render beside this one: each
    takes the next run of pages (see :func:`chunks`) until none is left, and writes its own
    files. The first helper does ``extra`` first (the data files); taking runs as they go
    keeps it from finishing last.
    """
    workers = min(workers, len(pages) // (PARALLEL_MIN_PAGES // 2) or 1)
    # The collector is paused during builds (see build.py), but rendering leaves reference
    # cycles behind (Jinja's contexts), collected now and then. Freezing what exists now
    # makes that cheap (only objects made since are looked at), and keeps the collector from
    # touching, and so copying, what forked processes share.
    gc.freeze()
    try:
        if workers <= 1 or not can_fork():
            csvs = render_run(renderer, pages, writer)
            if extra is not None:
                extra(writer)
            return csvs
        renderer.compile_templates()
        job = _Job(renderer, chunks(pages, workers), writer, extra, Counter())
        with ForkPool(job, workers - 1) as pool:
            futures = [pool.submit(_render_in_helper, helper) for helper in range(1, workers)]
            csvs = _render_runs(job, writer)
            for future in futures:
                done, theirs = future.result()
                writer.absorb(done)
                csvs.update(theirs)
        writer.changed.sort()
        return csvs
    finally:
        gc.unfreeze()


def _render_in_helper(job: _Job, helper: int) -> tuple[Any, dict[str, list[str]]]:
    writer = job.writer.sharing()
    if helper == 1 and job.extra is not None:
        job.extra(writer)
    csvs = _render_runs(job, writer)
    return writer.done(), csvs


def _render_runs(job: _Job, writer: Writer) -> dict[str, list[str]]:
    """Take runs of pages one after another, until every run is taken, and render them."""
    csvs: dict[str, list[str]] = {}
    organisation = None
    while (number := job.taken.take()) < len(job.runs):
        run = job.runs[number]
        if run[0].organisation != organisation:
            # Another organisation's texts: the converted ones of the last are not needed
            # again here (each organisation's pages are rendered in one process).
            markdown_to_html.cache_clear()
            organisation = run[0].organisation
        csvs.update(render_run(job.renderer, run, writer))
        gc.collect()
    return csvs


def render_run(renderer: Renderer, pages: list[Page], writer: Writer) -> dict[str, list[str]]:
    """Render these pages, one after another, with their charts' CSV files."""
    csvs = {}
    for number, page in enumerate(pages, 1):
        if number % COLLECT_EVERY == 0:
            gc.collect()
        writer.write(page.file, renderer.render(page).encode("utf-8"))
        for chart in page.charts:
            writer.write(chart.csv_path, chart.csv_bytes())
        if page.charts:
            csvs[page.file] = [chart.csv_path for chart in page.charts]
        page.release()
    return csvs
