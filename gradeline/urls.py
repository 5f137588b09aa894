"""Where pages live in the output, and how one page links to another.

Every internal link is relative, so the same files work at a domain root, under a subpath
such as ``/reports/``, and opened straight from disk. Links to a folder end in ``/`` when the
site is published (a base URL is set, so a web server maps folders to ``index.html``) and in
``/index.html`` otherwise, because a browser opening files does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


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
