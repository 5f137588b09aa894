"""The build, top to bottom: load, validate, derive, render, write.

Nothing is written until the content has been read and checked in full; the output then goes
to a hidden folder that replaces the old site only once it is complete.
"""

from __future__ import annotations

import concurrent.futures
import functools
import hashlib
import multiprocessing
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import plotly

from . import __version__
from .data import data_files
from .feeds import atom_feed, robots, sitemap
from .pages import site_pages
from .render import TEMPLATES, Page, Renderer, hash_assets
from .resolve import Content, ContentCache, read_content
from .search import index_search
from .urls import Urls
from .views import derive
from .write import SiteWriter, check_output_folder

#: The main navigation, (label, site path): for a site about one organisation, and for one
#: about several.
NAV = [("Inspections", ""), ("Timeline", "timeline/"), ("Areas", "areas/"),
       ("Compare", "compare/"), ("Tracker", "tracker/"), ("Data", "data/")]
NAV_MANY = [("Organisations", ""), ("Rounds", "rounds/"), ("Compare", "compare/"),
            ("Data", "data/")]
#: plotly.js as the installed plotly package ships it: copied into the site, never a CDN.
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    bytes: int
    seconds: float
    content: Content
    #: Files written anew (the rest were unchanged and linked from the previous build).
    changed: list[str] = field(default_factory=list)
    #: Pages rendered (the rest were unaffected by what changed, and reused).
    rendered: int = 0


class Builder:
    """Builds one content folder, again and again, reusing what has not changed.

    A one-off build uses it once. The dev server keeps one: parsed files are reused while
    unchanged, markdown renders once per distinct text, and files identical to the previous
    build are hard-linked from it rather than written again.
    """

    def __init__(self, content_dir: Path = Path("content"), base_url: str | None = None,
                 templates: Path = TEMPLATES, search: bool = True,
                 workers: int | None = None):
        self.content_dir = content_dir
        self.base_url = base_url
        self.templates = templates
        #: Whether to build the Pagefind search index (benchmarks and fuzzing may skip it).
        self.search = search
        #: Processes that render pages: every core, unless told otherwise.
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.cache = ContentCache()
        #: Each page's fingerprint in the last successful build, by output file.
        self.fingerprints: dict[str, str] = {}
        self.renderer: Renderer | None = None

    def build(self, out_dir: Path, previous: Path | None = None) -> BuildResult:
        """Build into ``out_dir``; raises ContentError before writing anything if the
        content has problems. ``previous`` is an earlier build to link unchanged files from.
        """
        started = time.perf_counter()
        content = read_content(self.content_dir, self.cache)          # load + validate
        site = derive(content)                                       # derive views
        urls = Urls(self.base_url or content.site.base_url)
        context = {"site": content.site, "nav": NAV if site.single else NAV_MANY,
                   "plotly_map_style_id": plotly_map_style_id()}
        if self.renderer is None:
            self.renderer = Renderer(urls, context, self.templates)
        renderer = self.renderer
        renderer.configure(urls, context)
        static = self.templates / "static"
        renderer.asset_hashes = hash_assets(static)
        renderer.asset_hashes["plotly.min.js"] = plotly.__version__
        pages = site_pages(site)
        fingerprint = Fingerprints(content, self.templates)
        known = self.fingerprints if previous is not None else {}

        writer = SiteWriter(out_dir, previous=previous)              # render + write, swap
        fingerprints: dict[str, str] = {}
        todo = []
        try:
            for page in pages:
                fingerprints[page.file] = fingerprint.of(page)
                outputs = [page.file, *(c.csv_path for c in page.charts)]
                if known.get(page.file) == fingerprints[page.file] and all(
                        writer.reuse(rel) for rel in outputs):
                    continue  # nothing the page shows has changed
                todo.append(page)
            render_pages(renderer, todo, writer, self.workers)
            rendered = len(todo)
            writer.write_all(data_files(site))
            writer.write("feed.xml", atom_feed(site, urls))
            writer.write("robots.txt", robots(urls))
            site_map = sitemap([p.target for p in pages if p.target != "404.html"], urls)
            if site_map is not None:
                writer.write("sitemap.xml", site_map)
            writer.copy_tree(static, "static")
            writer.copy_file(PLOTLY_JS, "static/plotly.min.js")
            if self.search and (rendered or not writer.reuse_tree("pagefind")):
                index_search(writer.staging, keep_index_url=not urls.pretty)
            writer.commit()
        except BaseException:
            writer.abort()
            raise
        self.fingerprints = fingerprints
        return BuildResult(len(pages), writer.count, writer.bytes,
                           time.perf_counter() - started, content, writer.changed, rendered)


#: Below this many pages a second process costs more than it saves.
PARALLEL_MIN_PAGES = 120
_JOB: tuple[Renderer, list[Page], SiteWriter] | None = None


def render_pages(renderer: Renderer, pages: list[Page], writer: SiteWriter,
                 workers: int) -> None:
    """Render pages and their chart CSVs into the writer's staging folder.

    With several cores and many pages, forked processes render every n-th page each while
    this one renders its share: they inherit the derived site, so nothing is sent to them
    but page numbers, and each writes its own files.
    """
    global _JOB
    workers = min(workers, len(pages) // (PARALLEL_MIN_PAGES // 2) or 1)
    if workers <= 1 or not _can_fork():
        _render_share(renderer, pages, writer)
        return
    _JOB = (renderer, pages, writer)
    try:
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=context) as pool:
            futures = [pool.submit(_render_in_child, share, workers)
                       for share in range(1, workers)]
            _render_share(renderer, pages[0::workers], writer)
            for future in futures:
                count, size, changed = future.result()
                writer.count += count
                writer.bytes += size
                writer.changed.extend(changed)
    finally:
        _JOB = None
    writer.changed.sort()


def _render_share(renderer: Renderer, pages: list[Page], writer: SiteWriter) -> None:
    for page in pages:
        writer.write(page.file, renderer.render(page).encode("utf-8"))
        for chart in page.charts:
            writer.write(chart.csv_path, chart.csv_bytes())


def _render_in_child(share: int, workers: int) -> tuple[int, int, list[str]]:
    assert _JOB is not None
    renderer, pages, parent = _JOB
    writer = parent.sharing()
    _render_share(renderer, pages[share::workers], writer)
    return writer.count, writer.bytes, writer.changed


def _can_fork() -> bool:
    """Forking is safe only from a process with one thread (the dev server has several)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


class Fingerprints:
    """What a page's output depends on, as one hash: the templates and static files, the
    shared content files, and the files of the inspections the page shows."""

    def __init__(self, content: Content, templates: Path):
        base = hashlib.sha1(usedforsecurity=False)
        base.update(__version__.encode())
        for path in sorted(p for p in templates.rglob("*") if p.is_file()):
            base.update(path.relative_to(templates).as_posix().encode())
            base.update(hashlib.sha1(path.read_bytes(), usedforsecurity=False).digest())
        base.update(content.shared_digest.encode())
        self.base = base
        self.content = content
        everything = hashlib.sha1(usedforsecurity=False)
        for inspection_id in sorted(content.digests):
            everything.update(f"{inspection_id}:{content.digests[inspection_id]}".encode())
        self.everything = everything.hexdigest()

    def of(self, page: Page) -> str:
        """The page's fingerprint: equal fingerprints mean equal output."""
        h = self.base.copy()
        h.update(page.target.encode())
        if page.deps is None:
            h.update(self.everything.encode())
        else:
            for inspection_id in sorted(page.deps):
                h.update(f"{inspection_id}:{self.content.digests[inspection_id]}".encode())
        return h.hexdigest()


def build(
    content_dir: Path = Path("content"),
    out_dir: Path = Path("site"),
    base_url: str | None = None,
    templates: Path = TEMPLATES,
) -> BuildResult:
    """Build the site from ``content_dir`` into ``out_dir``.

    Raises ContentError (every content problem at once) or OutputError before anything is
    written; any failure leaves an existing ``out_dir`` exactly as it was.
    """
    check_output_folder(out_dir, content_dir, project=Path.cwd())
    return Builder(content_dir, base_url, templates).build(out_dir)


def plotly_map_style_id() -> str:
    """The id of the <style> element plotly.js injects for map charts (unused here).

    plotly.js skips the injection when an element with that id exists; charts.js creates
    one so that the Content-Security-Policy has nothing to refuse.
    """
    return _plotly_map_style_id(PLOTLY_JS.stat().st_mtime_ns)


@functools.cache
def _plotly_map_style_id(version: int) -> str:
    """Read once per version of plotly.min.js (4.8 MB)."""
    match = re.search(rb'getElementById\("([0-9a-f]{64})"\)\)\{var e=document\.createElement'
                      rb'\("style"\)', PLOTLY_JS.read_bytes())
    return match.group(1).decode() if match else ""


def check(content_dir: Path = Path("content")) -> Content:
    """Validate the content without writing anything (raises ContentError)."""
    return read_content(content_dir)
