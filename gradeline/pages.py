"""Which pages the site has, and what each one is given to show."""

from __future__ import annotations

from .data import COLUMN_DOCS, JSON_SCHEMA_VERSION, JUDGMENT_COLUMNS
from .render import Page
from .views import SiteView


def site_pages(site: SiteView) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    content = site.content
    pages = [
        Page("", "home.html", content.site.title, {"inspections": site.newest_first},
             description=content.site.description),
    ]
    for view in site.inspections:
        insp = view.inspection
        date = view.summary.date.label if view.summary.date else "date not known"
        pages.append(Page(
            view.summary.url, "inspection.html", insp.title, {"view": view},
            description=f"{insp.title} ({date}): grades, findings and sources.",
        ))
    pages.append(Page(
        "data/", "data.html", "Open data",
        {"columns": COLUMN_DOCS, "fixed_columns": JUDGMENT_COLUMNS,
         "json_version": JSON_SCHEMA_VERSION, "inspection_count": len(site.inspections),
         "judgment_count": sum(len(v.rows) for v in site.inspections)},
        description="The grades and the record of every inspection as CSV and JSON, with "
                    "sources and licence.",
    ))
    return pages
