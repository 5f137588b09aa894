"""The build, top to bottom: load, validate, derive, render, write.

Nothing is written until the content has been read and checked in full; the output then goes
to a hidden folder that replaces the old site only once it is complete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .data import data_files
from .pages import site_pages
from .render import TEMPLATES, Renderer, hash_assets
from .resolve import Content, read_content
from .urls import Urls
from .views import derive
from .write import SiteWriter, check_output_folder

#: The main navigation: (label, site path).
NAV = [("Inspections", ""), ("Data", "data/")]


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the one-line summary."""

    pages: int
    files: int
    bytes: int
    seconds: float
    content: Content


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
    started = time.perf_counter()
    check_output_folder(out_dir, content_dir, project=Path.cwd())

    content = read_content(content_dir)                      # load + validate
    site = derive(content)                                   # derive views
    urls = Urls(base_url or content.site.base_url)
    renderer = Renderer(urls, {"site": content.site, "nav": NAV}, templates)
    static = templates / "static"
    renderer.asset_hashes = hash_assets(static)
    pages = site_pages(site)

    writer = SiteWriter(out_dir)                              # render + write, then swap
    try:
        writer.write_all(renderer.render_all(pages))
        writer.write_all(data_files(site))
        writer.copy_tree(static, "static")
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(len(pages), writer.count, writer.bytes,
                       time.perf_counter() - started, content)


def check(content_dir: Path = Path("content")) -> Content:
    """Validate the content without writing anything (raises ContentError)."""
    return read_content(content_dir)
