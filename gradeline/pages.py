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
from .compare import CHANGES, Comparison, compare, fate_in
from .data import COLUMN_DOCS, JSON_SCHEMA_VERSION, JUDGMENT_COLUMNS
from .render import Page
from .views import ITEM_GROUPS, STATUS_LABELS, InspectionView, SiteView


def inspection_deps(view: InspectionView, site: SiteView,
                    partners: list[str]) -> frozenset[str]:
    """The inspections an inspection page shows anything of: itself, its neighbours, the
    reports it follows up or is followed up by, its comparison partners, and the reports
    that link to its findings or whose findings it links to."""
    deps = {view.summary.id, *partners}
    for other in (view.previous, view.next, view.follows_up, *view.followed_up_by):
        if other is not None:
            deps.add(other.id)
    for tracked in site.tracked_by_inspection.get(view.summary.id, []):
        deps.update(f.by.id for f in tracked.follow_ups)
        deps.update(ref.split("#")[0] for ref, _, _ in tracked.continued_by)
    for group in ITEM_GROUPS:
        for item in getattr(view.inspection, group):
            if item.continues:
                deps.add(item.continues.split("#")[0])
    for progress in view.progress:
        deps.update(ref.split("#")[0] for ref, _, _ in progress.items)
    return frozenset(deps)


def comparison_deps(comparison: Comparison) -> frozenset[str]:
    """The two reports, and any third report whose findings the later one continues."""
    deps = {comparison.earlier.summary.id, comparison.later.summary.id}
    deps.update(c.inspection.id for _, c in comparison.later_items if c is not None)
    return frozenset(deps)


def site_pages(site: SiteView) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    content = site.content
    tracked = site.tracked
    comparisons = [compare(site, a, b, tracked) for a, b in site.pairs]
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
        mine = [c for c in comparisons if insp.id in (c.earlier.summary.id, c.later.summary.id)]
        partners = [c.earlier.summary.id if c.later.summary.id == insp.id else c.later.summary.id
                    for c in mine]
        pages.append(Page(
            view.summary.url, "inspection.html", insp.title,
            {"view": view, "distribution": distribution, "case_chart": case_chart,
             "fates": {t.id: t for t in site.tracked_by_inspection.get(insp.id, [])},
             "comparisons": mine},
            description=f"{insp.title} ({date}): grades, findings and sources.",
            charts=[c for c in (distribution, case_chart) if c],
            deps=inspection_deps(view, site, partners),
            search={"kind": view.summary.kind_label}
            | ({"year": str(view.summary.year)} if view.summary.year else {}),
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
            deps=frozenset(p.inspection.id for p in history.points),
            search={"kind": "Area"},
        ))
    for comparison in comparisons:
        pages.append(Page(
            comparison.url, "compare.html", f"Compare {comparison.title}",
            {"comparison": comparison, "changes": CHANGES, "fate_in": fate_in},
            description=f"Grades and findings of {comparison.title}, side by side.",
            deps=comparison_deps(comparison),
        ))
    pages.append(Page(
        "compare/", "compare_picker.html", "Compare two reports",
        {"inspections": [v.summary for v in site.inspections], "comparisons": comparisons},
        description="Choose any two inspection reports and compare them area by area.",
    ))
    items = sorted(tracked.values(), key=lambda t: (
        -(t.inspection.date.sort_key[0] if t.inspection.date else 0), t.inspection.id,
        list(STATUS_LABELS).index(t.status)))
    used_areas = sorted({(t.area_id, content.areas[t.area_id].name) for t in items
                         if t.area_id}, key=lambda pair: pair[1])
    pages.append(Page(
        "tracker/", "tracker.html", "Follow-up tracker",
        {"items": items, "areas": used_areas,
         "statuses": [(key, f"{label} ({sum(t.status == key for t in items)})")
                      for key, label in STATUS_LABELS.items()
                      if any(t.status == key for t in items)]},
        description="Every recommendation and area for improvement, and what later "
                    "reports say became of it.",
    ))
    pages.append(Page("search/", "search.html", "Search",
                      description="Search every inspection and area."))
    pages.append(Page("404.html", "404.html", "Page not found", rooted_links=True,
                      description="There is no page at this address."))
    pages.append(Page(
        "data/", "data.html", "Open data",
        {"columns": COLUMN_DOCS, "fixed_columns": JUDGMENT_COLUMNS,
         "json_version": JSON_SCHEMA_VERSION, "inspection_count": len(site.inspections),
         "judgment_count": sum(len(v.rows) for v in site.inspections)},
        description="The grades and the record of every inspection as CSV and JSON, with "
                    "sources and licence.",
    ))
    return pages
