"""The build, top to bottom: load, validate, derive, render, write.

Nothing is written until the content has been read and checked in full; the output then goes
to a hidden folder that replaces the old site only once it is complete.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import plotly

from .data import data_files
from .pages import site_pages
from .render import TEMPLATES, Renderer, hash_assets
from .resolve import Content, read_content
from .urls import Urls
from .views import derive
from .write import SiteWriter, check_output_folder

#: The main navigation: (label, site path).
NAV = [("Inspections", ""), ("Timeline", "timeline/"), ("Areas", "areas/"),
       ("Compare", "compare/"), ("Tracker", "tracker/"), ("Data", "data/")]
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
    renderer = Renderer(urls, {"site": content.site, "nav": NAV,
                               "plotly_map_style_id": plotly_map_style_id()}, templates)
    static = templates / "static"
    renderer.asset_hashes = hash_assets(static)
    renderer.asset_hashes["plotly.min.js"] = plotly.__version__
    pages = site_pages(site)

    writer = SiteWriter(out_dir)                              # render + write, then swap
    try:
        writer.write_all(renderer.render_all(pages))
        writer.write_all(data_files(site))
        writer.write_all((c.csv_path, c.csv_bytes()) for p in pages for c in p.charts)
        writer.copy_tree(static, "static")
        writer.write("static/plotly.min.js", PLOTLY_JS.read_bytes())
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    return BuildResult(len(pages), writer.count, writer.bytes,
                       time.perf_counter() - started, content)


def plotly_map_style_id() -> str:
    """The id of the <style> element plotly.js injects for map charts (unused here).

    plotly.js skips the injection when an element with that id exists; charts.js creates
    one so that the Content-Security-Policy has nothing to refuse.
    """
    head = PLOTLY_JS.read_bytes()
    match = re.search(rb'getElementById\("([0-9a-f]{64})"\)\)\{var e=document\.createElement'
                      rb'\("style"\)', head)
    return match.group(1).decode() if match else ""


def check(content_dir: Path = Path("content")) -> Content:
    """Validate the content without writing anything (raises ContentError)."""
    return read_content(content_dir)
