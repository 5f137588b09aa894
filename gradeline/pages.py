"""Which pages the site has, and what each one is given to show."""

from __future__ import annotations

from .charts import (
    area_history_chart,
    case_file_chart,
    distribution_chart,
    heatmap_chart,
    timeline_chart,
    timeline_events_by_year,
)
from .data import COLUMN_DOCS, JSON_SCHEMA_VERSION, JUDGMENT_COLUMNS
from .render import Page
from .views import SiteView


def site_pages(site: SiteView) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    content = site.content
    pages = [
        Page("", "home.html", content.site.title,
             {"inspections": site.newest_first, "years": site.years},
             description=content.site.description),
    ]
    for view in site.inspections:
        insp = view.inspection
        date = view.summary.date.label if view.summary.date else "date not known"
        scale = content.scales[content.frameworks[insp.framework].scale] if insp.framework \
            else None
        distribution = distribution_chart(view, [g.label for g in scale.grades]) if scale \
            else None
        case_chart = case_file_chart(view)
        pages.append(Page(
            view.summary.url, "inspection.html", insp.title,
            {"view": view, "distribution": distribution, "case_chart": case_chart},
            description=f"{insp.title} ({date}): grades, findings and sources.",
            charts=[c for c in (distribution, case_chart) if c],
        ))
    events = site.timeline
    if events:
        chart = timeline_chart(site)
        organisations = sorted({e.inspection.organisation for e in events})
        pages.append(Page(
            "timeline/", "timeline.html", "Timeline",
            {"by_year": timeline_events_by_year(events), "timeline_chart": chart,
             "first_year": events[0].date.year, "last_year": events[-1].date.year,
             "organisation": " and ".join(organisations)},
            description="Every inspection, report, amendment and response on one time axis.",
            charts=[chart] if chart else [],
        ))
    heatmap = heatmap_chart(site)
    pages.append(Page(
        "areas/", "areas.html", "Areas", {"areas": site.areas, "heatmap": heatmap},
        description="Grades by area across every inspection and framework.",
        charts=[heatmap] if heatmap else [],
    ))
    for history in site.areas:
        chart = area_history_chart(history)
        pages.append(Page(
            history.url, "area.html", history.name, {"history": history,
                                                     "history_chart": chart},
            description=chart.summary, charts=[chart],
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
