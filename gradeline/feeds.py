"""Discovery files: an Atom feed of inspections, sitemap.xml and robots.txt.

Feeds and sitemaps want absolute addresses. With a base URL they get them; without one the
feed uses relative links (valid Atom, resolved against the feed's own address) and ids that
do not depend on where the site is published, and no sitemap is written, because a sitemap
of relative addresses is not one.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from .dates import PartialDate
from .grades import counts_text
from .urls import Urls, page_file
from .views import InspectionView, SiteView

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _timestamp(date: PartialDate) -> str:
    return dt.datetime.combine(date.start(), dt.time(), dt.UTC).isoformat().replace(
        "+00:00", "Z")


def _updated(view: InspectionView) -> PartialDate | None:
    dates = [d for d in [view.summary.date, *(a.date for r in view.rows for a in r.amendments)]
             if d is not None]
    return max(dates, key=lambda d: d.sort_key) if dates else None


#: Entries in the feed: the newest, as feed readers poll for what is new (a site of every
#: force would otherwise send thousands of entries on every poll).
FEED_ENTRIES = 50


def atom_feed(site: SiteView, urls: Urls) -> bytes:
    """The newest inspections, newest first; an entry is updated when one of its grades is
    amended."""
    content = site.content
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": content.site.language})

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text
        return element

    def link(target: str) -> str:
        return urls.absolute(target) or page_file(target)

    sub(feed, "title", content.site.title)
    sub(feed, "subtitle", content.site.description)
    sub(feed, "id", urls.absolute("feed.xml") or f"urn:gradeline:{_slug(content.site.title)}")
    sub(feed, "link", rel="self", href=link("feed.xml"))
    sub(feed, "link", rel="alternate", type="text/html", href=link(""))
    dated = [(v, _updated(v)) for v in site.inspections]
    dated = [(v, d) for v, d in dated if d is not None]
    dated.sort(key=lambda pair: (pair[1].sort_key, pair[0].summary.id), reverse=True)
    if dated:
        sub(feed, "updated", _timestamp(dated[0][1]))
    sub(feed, "generator", "Gradeline")
    for view, updated in dated[:FEED_ENTRIES]:
        s = view.summary
        entry = sub(feed, "entry")
        sub(entry, "title", s.title)
        sub(entry, "id", urls.absolute(s.url) or
            f"urn:gradeline:{_slug(content.site.title)}:{s.id}")
        sub(entry, "link", rel="alternate", type="text/html", href=link(s.url))
        sub(entry, "updated", _timestamp(updated))
        if view.inspection.published:
            sub(entry, "published", _timestamp(view.inspection.published))
        sub(entry, "category", term=s.kind, label=s.kind_label)
        author = sub(entry, "author")
        sub(author, "name", ", ".join(view.inspectorates))
        sub(entry, "summary", _entry_summary(view))
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8") \
        + b"\n"


def _entry_summary(view: InspectionView) -> str:
    s = view.summary
    parts = [f"{s.kind_label} inspection of {s.organisation}"]
    if s.date:
        parts[0] += f", {s.date_label}"
    if s.verdict:
        parts.append(f"Verdict: {s.verdict}.")
    if s.counts:
        parts.append(f"Grades, counted level by level: {counts_text(s.counts)}.")
    for row in s.amended:
        parts.append(f"Amended after publication: {row.area_label}, {row.amendment_words()}. "
                     + " ".join(am.reason for am in row.amendments))
    return parts[0] + ". " + " ".join(parts[1:])


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def sitemap(pages: list[str], urls: Urls) -> bytes | None:
    """sitemap.xml for the given site paths; None without a base URL."""
    if urls.base_url is None:
        return None
    ET.register_namespace("", SITEMAP)
    root = ET.Element(f"{{{SITEMAP}}}urlset")
    for target in sorted(pages):
        url = ET.SubElement(root, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = urls.absolute(target)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") \
        + b"\n"


def robots(urls: Urls) -> bytes:
    """robots.txt: everything may be crawled; points at the sitemap when there is one."""
    lines = ["User-agent: *", "Allow: /"]
    if urls.base_url is not None:
        lines.append(f"Sitemap: {urls.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode()
