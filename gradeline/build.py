"""The build, top to bottom: load, validate, derive, render, write.

``Builder.build`` is the whole pipeline in named steps:

1. ``load``: read and check every content file (``resolve.py``, with ``load.py``,
   ``model.py``, ``checks.py``), reusing what the cache holds (``cache.py``);
2. ``up_to_date``: stop if nothing the site is made of has changed since the build in place;
3. ``derive``: work out what every page shows (``derive.py``, ``views.py``, ``compare.py``)
   and list the pages (``pages.py``), checking the content's links to them;
4. ``render``: render the pages whose inputs changed, and the data files (``render.py``,
   ``data.py``), in helper processes where that pays (``parallel.py``);
5. ``finish``: the feed, sitemap, static files and search index, then the new site into
   place in one step (``write.py``).

Nothing is written until the content has been read and checked in full; the output goes to
a hidden folder that replaces the old site only once it is complete.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .cache import (
    CACHE_FOLDER,
    ContentCache,
    Fingerprints,
    file_stats,
    load_cache_file,
    manifest_intact,
    private_folder,
    read_manifest,
    save_cache_file,
    stats_for,
    unchanged_since,
)
from .data import Memo, data_files
from .derive import ViewCache, derive
from .errors import ContentError
from .feeds import atom_feed, robots, sitemap
from .pages import DATA_PAGE, broken_links, output_clashes, site_nav, site_pages
from .render import TEMPLATES, Page, Renderer, hash_assets, render_pages
from .resolve import Content, read_content
from .search import index_search
from .urls import SitePaths, Urls, inspection_path
from .vendor import PLOTLY_JS, plotly_bundle
from .views import SiteView
from .write import MARKER_NOTE, InPlaceWriter, SiteWriter, Writer, check_output_folder


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
    #: Seconds spent in each stage, in order.
    timings: dict[str, float] = field(default_factory=dict)
    #: Nothing had changed since the build already in place, so nothing was written.
    up_to_date: bool = False
    #: The search index is the previous build's, to be remade (see Builder.search_later).
    search_stale: bool = False
    search_pretty: bool = False
    #: What the user should know that is not a content problem: a cache not used, say.
    notes: list[str] = field(default_factory=list)


class Timings:
    """Seconds spent in each stage of a build, in order."""

    def __init__(self) -> None:
        self.started = self._last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        """The stage just ended."""
        now = time.perf_counter()
        self.stages[stage] = now - self._last
        self._last = now

    @property
    def total(self) -> float:
        """Seconds since the build started."""
        return time.perf_counter() - self.started


@dataclass
class BuildState:
    """What one build carries from step to step."""

    out_dir: Path
    #: An earlier build to reuse unchanged pages from (may be ``out_dir`` itself).
    previous: Path | None
    in_place: bool
    timings: Timings = field(default_factory=Timings)
    notes: list[str] = field(default_factory=list)
    content: Content = None  # type: ignore[assignment]  # set by Builder.load
    urls: Urls = field(default_factory=Urls)
    fingerprints: Fingerprints = None  # type: ignore[assignment]  # set by Builder.load
    #: The manifest of ``previous``: what it holds, and what each page was made from.
    manifest: dict[str, Any] | None = None
    #: How the build before left its pages and chart files (see cache.file_stats).
    stats: dict[str, Any] | None = None
    site: SiteView = None  # type: ignore[assignment]  # set by Builder.derive
    pages: list[Page] = field(default_factory=list)
    #: Each page's fingerprint, by page file.
    page_prints: dict[str, str] = field(default_factory=dict)
    #: Each page's chart CSV files, by page file (known once it is rendered; the manifest
    #: keeps them for reusing the page).
    csvs: dict[str, list[str]] = field(default_factory=dict)
    rendered: int = 0
    search_stale: bool = False

    @property
    def updates_itself(self) -> bool:
        """Whether the build replaces the site it reuses (rather than another folder)."""
        return self.previous is not None and self.previous.resolve() == self.out_dir.resolve()

    def result(self, writer: Writer | None = None) -> BuildResult:
        """What the build did; with no writer, that nothing was to be done."""
        if writer is None:
            assert self.manifest is not None
            return BuildResult(len(self.manifest["pages"]), len(self.manifest["files"]),
                               sum(self.manifest["files"].values()), self.timings.total,
                               self.content, timings=self.timings.stages, up_to_date=True,
                               notes=self.notes)
        return BuildResult(len(self.pages), writer.count, writer.bytes, self.timings.total,
                           self.content, writer.changed, self.rendered, self.timings.stages,
                           search_stale=self.search_stale, search_pretty=self.urls.pretty,
                           notes=self.notes)


class Builder:
    """Builds one content folder, again and again, reusing what has not changed.

    Parsed and validated files are reused while unchanged (kept in memory by the dev
    server, and in ``cache_dir`` between runs); markdown renders once per distinct text; a
    page whose inputs have not changed since the previous build is hard-linked from it
    instead of rendered again; and when nothing at all has changed, nothing is written.
    """

    def __init__(self, content_dir: Path = Path("content"), base_url: str | None = None,
                 templates: Path = TEMPLATES, search: bool = True,
                 workers: int | None = None, cache_dir: Path | None = None, *,
                 once: bool = False, search_later: bool = False):
        self.content_dir = content_dir
        self.base_url = base_url
        self.templates = templates
        #: Whether to build the Pagefind search index (benchmarks and fuzzing may skip it).
        self.search = search
        #: Processes that render pages: every core, unless told otherwise.
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        #: The builder builds only once (the build command): what a later build in the same
        #: process would reuse is dropped as soon as it is not needed.
        self.once = once
        #: The builder builds again and again (the dev server): reuse the previous search
        #: index and let the caller remake it after publishing (indexing a large site takes
        #: seconds, a rebuild should not).
        self.search_later = search_later
        self.cache_dir = cache_dir
        self.cache_file = cache_dir / "content.cbor" if cache_dir else None
        #: Pieces of the data files, kept from build to build (see data.data_files).
        self.data_file = cache_dir / "data.cbor" if cache_dir else None
        #: How the last build left the files it may reuse (see cache.file_stats): kept in
        #: memory, and in the cache folder for the next run.
        self.stats_file = cache_dir / "files.cbor" if cache_dir else None
        self.stats: dict[str, Any] | None = None
        # A cache not saved to a file needs no parsed data once the file is validated.
        self.cache = ContentCache(keeps_data=self.cache_file is not None)
        self.cache_note: str | None = None
        if self.cache_file:
            self.cache, self.cache_note = ContentCache.load(self.cache_file)
        self.renderer: Renderer | None = None
        self.views = ViewCache()
        self.data_memo: Memo | None = None
        #: Each inspection file's hash at the last successful build.
        self.digests: dict[str, str] = {}

    def build(self, out_dir: Path, previous: Path | None = None,
              in_place: bool = False) -> BuildResult:
        """Build into ``out_dir``; raises ContentError before writing anything if the
        content has problems. Unchanged pages are linked from ``previous`` (an earlier build
        with its manifest), which may be ``out_dir`` itself.

        With ``in_place`` (the dev server), a complete earlier build in ``out_dir`` is
        updated where it stands, writing only what changed (see InPlaceWriter); a build
        for publishing always builds a whole new folder and swaps it in.
        """
        state = BuildState(out_dir, previous, in_place)
        with collector_paused():
            self.load(state)
            if self.up_to_date(state):
                return state.result()
            self.derive(state)
            writer = self.open_writer(state)
            try:
                self.render(state, writer)
                self.finish(state, writer)
            except BaseException:
                writer.abort()
                raise
        self.digests = state.content.digests
        return state.result(writer)

    def load(self, state: BuildState) -> None:
        """Read and check every content file (raises ContentError), keeping the cache."""
        if self.cache_note:
            state.notes.append(self.cache_note)
            self.cache_note = None
        misses = self.cache.misses
        state.content = read_content(self.content_dir, self.cache)
        if self.cache_file and (self.cache.misses > misses or not self.cache_file.exists()):
            self._keep(state, self.cache.save, self.cache_file)
        if self.once:  # the parsed files are not needed again: free them
            self.cache = ContentCache(keeps_data=False)
        state.urls = Urls(self.base_url or state.content.site.base_url)
        state.fingerprints = Fingerprints(
            state.content.digests, state.content.shared_digest, self.templates,
            [str(state.urls.base_url), plotly_bundle()[1]], self.search)
        if state.previous is not None:
            if reason := private_folder(state.previous):
                state.notes.append(f"the earlier site was not reused: {reason}")
                state.previous = None
            else:
                state.manifest = read_manifest(state.previous)
                state.stats = stats_for(state.previous, self._stats())
        state.timings.lap("load and validate")

    def up_to_date(self, state: BuildState) -> bool:
        """Whether nothing the site is made of has changed, and the site is all there."""
        manifest = state.manifest
        if manifest is None or not state.updates_itself or \
                manifest.get("site") != state.fingerprints.site() or \
                not manifest_intact(state.out_dir, manifest) or \
                not unchanged_since(state.out_dir, _reusable_files(manifest), state.stats):
            return False
        state.timings.lap("up to date")
        return True

    def derive(self, state: BuildState) -> None:
        """What every page shows, and the list of pages; the content's links to pages of
        the site are checked against it (raises ContentError)."""
        state.site = derive(state.content, self.views)
        state.timings.lap("derive")
        state.pages = site_pages(state.site)
        if problems := broken_links(state.content, state.pages) + output_clashes(state.site,
                                                                                  state.pages):
            raise ContentError(problems)
        state.page_prints = {page.file: state.fingerprints.of(page) for page in state.pages}
        state.timings.lap("pages and charts")

    def open_writer(self, state: BuildState) -> Writer:
        """Where the pages go: the site itself, for the dev server's updates in place, else
        a new folder swapped in at the end."""
        if state.in_place and state.manifest is not None and state.updates_itself:
            return InPlaceWriter(state.out_dir, state.manifest)
        return SiteWriter(state.out_dir, previous=state.previous)

    def render(self, state: BuildState, writer: Writer) -> None:
        """Render the pages whose inputs have changed (the rest are kept as they are), and
        the data files."""
        renderer = self._renderer(state)
        # The pages of the files just edited first, before the rest are looked at: in place
        # (the dev server), the page an editor is waiting for is on disk sooner.
        edited = {inspection_path(i) for i, digest in state.content.digests.items()
                  if self.digests.get(i) != digest}
        first = self._to_render(state, writer, lambda page: page.target in edited)
        if self.search_later:
            state.csvs.update(render_pages(renderer, first, writer, self.workers))
        rest = self._to_render(state, writer, lambda page: page.target not in edited)
        # The data files are made while pages render, in a helper process if there is one;
        # but the dev server makes them itself once the pages are written, keeping their
        # pieces for the next build.
        write_data = functools.partial(self._write_data, state, renderer)
        state.csvs.update(render_pages(renderer, rest if self.search_later else first + rest,
                                       writer, self.workers,
                                       extra=None if self.search_later else write_data))
        if self.search_later:
            write_data(writer)
        # The Data page is written with the data files every time, but counts as rendered
        # only when what it shows has changed (as any other page).
        known = (state.manifest or {}).get("pages", {})
        state.rendered = len(first) + len(rest) + sum(
            page.target == DATA_PAGE and known.get(page.file) != state.page_prints[page.file]
            for page in state.pages)
        state.timings.lap("render pages and data files")

    def _to_render(self, state: BuildState, writer: Writer,
                   wanted: Callable[[Page], bool]) -> list[Page]:
        """The wanted pages that cannot be kept as the previous build made them. (The Data
        page lists every data file, so it is written with them: see data.data_files.)"""
        return [page for page in state.pages if wanted(page) and page.target != DATA_PAGE
                and not self._reuse(state, page, writer)]

    def finish(self, state: BuildState, writer: Writer) -> None:
        """Once the pages and data files are written: the feeds, static files and search
        index, then the manifest, and the new site into place."""
        writer.write("feed.xml", atom_feed(state.site, state.urls))
        writer.write("robots.txt", robots(state.urls))
        site_map = sitemap([p.target for p in state.pages if p.target != "404.html"],
                           state.urls)
        if site_map is not None:
            writer.write("sitemap.xml", site_map)
        writer.copy_tree(self.templates / "static", "static")
        writer.copy_file(PLOTLY_JS, f"static/{plotly_bundle()[1]}")
        state.timings.lap("feeds and assets")
        if self.search and (state.rendered or not writer.reuse_tree("pagefind")):
            if self.search_later and state.previous is not None and \
                    writer.reuse_tree("pagefind"):
                state.search_stale = True  # the caller re-indexes once the site is served
            else:
                _index_search(writer, state.urls)
                state.timings.lap("search index")
        writer.commit({"generator": f"Gradeline {__version__}",
                       "note": MARKER_NOTE, "site": state.fingerprints.site(),
                       "pages": dict(sorted(state.page_prints.items())),
                       "charts": dict(sorted(state.csvs.items()))})
        self._record_stats(state)
        state.timings.lap("swap into place")

    def _reuse(self, state: BuildState, page: Page, writer: Writer) -> bool:
        """Keep the page (and its charts' CSV files) as the previous build made it, if
        nothing it shows has changed since."""
        manifest = state.manifest or {}
        csvs = manifest.get("charts", {}).get(page.file, [])
        files = [page.file, *csvs]
        if manifest.get("pages", {}).get(page.file) != state.page_prints[page.file] or \
                state.previous is None or \
                not unchanged_since(state.previous, files, state.stats) or \
                not all(writer.reuse(rel) for rel in files):
            return False
        if csvs:
            state.csvs[page.file] = csvs
        return True

    def _stats(self) -> dict[str, Any] | None:
        """How the last build left its files: from memory, else from the cache."""
        if self.stats is None and self.stats_file:
            self.stats, _ = load_cache_file(self.stats_file)
        return self.stats if isinstance(self.stats, dict) else None

    def _record_stats(self, state: BuildState) -> None:
        """Note how this build left the files a later one may reuse."""
        self.stats = file_stats(state.out_dir, [*state.page_prints,
                                                *(rel for csvs in state.csvs.values()
                                                  for rel in csvs)])
        if self.stats_file:
            self._keep(state, functools.partial(save_cache_file, value=self.stats),
                       self.stats_file)

    def _renderer(self, state: BuildState) -> Renderer:
        """The renderer, set up for this build (made once, then kept: see Renderer)."""
        context = {"site": state.content.site, "nav": site_nav(state.site),
                   "paths": SitePaths(), "plotly_js": plotly_bundle()[1]}
        if self.renderer is None:
            compiled = self.cache_dir / "templates" if self.cache_dir else None
            if compiled is not None and private_folder(self.cache_dir):  # type: ignore[arg-type]
                compiled = None  # compiled templates are code: only from a private folder
            self.renderer = Renderer(state.urls, context, self.templates, compiled)
        self.renderer.configure(state.urls, context)
        self.renderer.asset_hashes = hash_assets(self.templates / "static")
        return self.renderer

    def _write_data(self, state: BuildState, renderer: Renderer, writer: Writer) -> None:
        """Write the data files, from the pieces kept by earlier builds where unchanged,
        and keep the pieces (in the cache folder, by whichever process made them)."""
        if self.data_memo is None and (self.data_file or not self.once):
            kept, note = load_cache_file(self.data_file) if self.data_file else ({}, None)
            if note:
                state.notes.append(note)
            self.data_memo = kept if isinstance(kept, dict) else {}
        # A build with no cache and no later build keeps no pieces (tens of megabytes).
        memo = self.data_memo
        before = set(memo) if memo is not None else set()
        writer.write_all(data_files(state.site, memo, renderer))
        if memo is not None and self.data_file and set(memo) != before:
            self._keep(state, functools.partial(save_cache_file, value=memo), self.data_file)

    @staticmethod
    def _keep(state: BuildState, save: Any, path: Path) -> None:
        """Save something to the cache; a cache that cannot be written is only a note."""
        try:
            save(path)
        except OSError as exc:
            state.notes.append(f"the cache could not be saved in {path.parent} "
                               f"({exc.strerror or exc}); the next build will start afresh")


def _reusable_files(manifest: dict[str, Any]) -> list[str]:
    """The pages and chart files an earlier build's manifest lists (what may be reused)."""
    return [*manifest.get("pages", {}),
            *(rel for csvs in manifest.get("charts", {}).values() for rel in csvs)]


def _index_search(writer: Writer, urls: Urls) -> None:
    """Make the search index of the pages the writer holds."""
    if isinstance(writer, InPlaceWriter):
        # Made beside the site and swapped in whole: Pagefind does not remove the files
        # of an earlier index.
        out = writer.out
        fresh = out.parent / f".{out.name}.pagefind-{os.getpid()}"
        shutil.rmtree(fresh, ignore_errors=True)
        writer.prune()  # pages no longer in the site are not indexed
        index_search(out, keep_index_url=not urls.pretty, bundle=fresh)
        writer.replace_tree(fresh, "pagefind")
    else:
        assert isinstance(writer, SiteWriter)
        index_search(writer.staging, keep_index_url=not urls.pretty)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a build allocates millions of small objects that
    live until it ends, which it would scan again and again (a tenth of a one-file rebuild
    in the dev server, whose heap holds the whole site). Reference counting still frees
    everything else as it goes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(
    content_dir: Path = Path("content"),
    out_dir: Path = Path("site"),
    base_url: str | None = None,
    templates: Path = TEMPLATES,
    cache: bool = True,
    search: bool = True,
) -> BuildResult:
    """Build the site from ``content_dir`` into ``out_dir``.

    Raises ContentError (every content problem at once) or OutputError before anything is
    written; any failure leaves an existing ``out_dir`` exactly as it was. Unless ``cache``
    is off, parsed content is kept in a .gradeline-cache folder beside the output, and the
    existing output is reused for every page whose inputs have not changed.
    """
    check_output_folder(out_dir, content_dir, project=Path.cwd())
    cache_dir = out_dir.parent / CACHE_FOLDER if cache else None
    builder = Builder(content_dir, base_url, templates, search=search, cache_dir=cache_dir,
                      once=True)
    return builder.build(out_dir, previous=out_dir if cache and out_dir.is_dir() else None)


def check(content_dir: Path = Path("content")) -> Content:
    """Validate the content without writing anything (raises ContentError), links to the
    site's own pages and the paths of its files included."""
    content = read_content(content_dir)
    site = derive(content)
    if problems := broken_links(content, pages := site_pages(site)) + output_clashes(site, pages):
        raise ContentError(problems)
    return content
