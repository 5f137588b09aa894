"""Where pages live in the output, and how one page links to another.

Every internal link is relative, so the same files work at a domain root, under a subpath
such as ``/reports/``, and opened straight from disk. Links to a folder end in ``/`` when the
site is published (a base URL is set, so a web server maps folders to ``index.html``) and in
``/index.html`` otherwise, because a browser opening files does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Urls:
    """Link-making for one build."""

    base_url: str | None = None

    @property
    def pretty(self) -> bool:
        """Whether links may end at a folder (only when a web server will serve the site)."""
        return self.base_url is not None

    def relative(self, target: str, from_page: str) -> str:
        """A relative link from the page at ``from_page`` (an output file path) to ``target``.

        ``target`` is a site path: ``""`` for the home page, ``"inspections/x/"`` for a page,
        ``"static/style.css"`` for a file, optionally with a ``#fragment`` or ``?query``.
        """
        path, sep, rest = _split_suffix(target)
        here = from_page.split("/")[:-1]  # the page's folder, as segments
        if path == "" or path.endswith("/"):
            rel = _relative(here, [p for p in path.split("/") if p])
            link = "./" if rel == "" else rel + "/"
            if not self.pretty:
                link = ("" if rel == "" else rel + "/") + "index.html"
        else:
            segments = path.split("/")
            rel = _relative(here, segments[:-1])
            link = (rel + "/" if rel else "") + segments[-1]
        return link + sep + rest

    def rooted(self, target: str) -> str:
        """A link from the base path (``/reports/x/``): right from any address on the host.
        Without a base URL the site's folder is unknown, so the host root is assumed."""
        path, sep, rest = _split_suffix(target)
        base = urlsplit(self.base_url).path if self.base_url else "/"
        link = "/" + (base.strip("/") + "/" if base.strip("/") else "") + path
        if not self.pretty and (path == "" or path.endswith("/")):
            link += "index.html"
        return link + sep + rest

    def absolute(self, target: str) -> str | None:
        """The public address of ``target`` (None when no base URL is configured)."""
        if self.base_url is None:
            return None
        return self.base_url.rstrip("/") + "/" + target


def _relative(start: list[str], target: list[str]) -> str:
    """The relative path between two folders given as segments ("" for the same folder).

    posixpath.relpath does the same but consults the working folder on every call, which a
    site with a hundred thousand links notices."""
    common = 0
    for a, b in zip(start, target, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:])


def page_file(target: str) -> str:
    """The output file for a site path: folders hold an ``index.html``."""
    return target + "index.html" if target == "" or target.endswith("/") else target


def _split_suffix(target: str) -> tuple[str, str, str]:
    """Split ``path?query#fragment`` at whichever of ``?`` and ``#`` comes first."""
    cut = min((i for i in (target.find("?"), target.find("#")) if i >= 0), default=-1)
    if cut < 0:
        return target, "", ""
    return target[:cut], target[cut], target[cut + 1:]


# -- where each page lives -------------------------------------------------------------------
# Every site path of the site is made here; pages, templates and scripts are given these
# paths (templates make them relative with ``url()``), so that a link cannot lead to a page
# that is somewhere else, in any shape of site.

HOME = ""
SEARCH = "search/"
COMPARE = "compare/"
DATA = "data/"
ROUNDS = "rounds/"
ORGANISATIONS = "organisations/"
FEED = "feed.xml"
NOT_FOUND = "404.html"


def inspection_path(inspection_id: str) -> str:
    """An inspection's page."""
    return f"inspections/{inspection_id}/"


def inspection_area_path(inspection_id: str, area_id: str) -> str:
    """An area's row on an inspection's page."""
    return f"{inspection_path(inspection_id)}#area-{area_id}"


def comparison_path(earlier_id: str, later_id: str) -> str:
    """The pre-rendered comparison of two inspections."""
    return f"{COMPARE}{earlier_id}/{later_id}/"


def compare_query(earlier_id: str, later_id: str) -> str:
    """The compare picker with two reports chosen."""
    return f"{COMPARE}?a={quote(earlier_id)}&b={quote(later_id)}"


def organisation_path(organisation_id: str) -> str:
    """Where an organisation's pages sit, on a site of several (its home page)."""
    return f"{ORGANISATIONS}{organisation_id}/"


def timeline_path(prefix: str) -> str:
    """An organisation's timeline, its pages being at ``prefix`` ("" at the site root)."""
    return f"{prefix}timeline/"


def areas_path(prefix: str) -> str:
    """An organisation's grades by area."""
    return f"{prefix}areas/"


def area_path(prefix: str, area_id: str) -> str:
    """An organisation's history of one canonical area."""
    return f"{areas_path(prefix)}{area_id}/"


def tracker_path(prefix: str) -> str:
    """An organisation's follow-up tracker."""
    return f"{prefix}tracker/"


def round_path(round_id: str) -> str:
    """Every organisation's grades in one round."""
    return f"{ROUNDS}{round_id}/"


#: The pages that search finds (an inspection's, an area's), as a glob of their files: the
#: only pages the search index reads (pages.py marks them with Page.search).
SEARCHED_PAGES = "{inspections/*/index.html,areas/*/index.html,organisations/*/areas/*/index.html}"


def compare_data_path(organisation_id: str) -> str:
    """The compare picker's data on one organisation's reports."""
    return f"{DATA}compare/{organisation_id}.js"


@dataclass(frozen=True)
class SitePaths:
    """The site's fixed pages, for templates: ``url(paths.compare)``."""

    home: str = HOME
    search: str = SEARCH
    compare: str = COMPARE
    data: str = DATA
    rounds: str = ROUNDS
    organisations: str = ORGANISATIONS
    feed: str = FEED
    search_index: str = "pagefind/pagefind.js"
