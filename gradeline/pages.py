"""Which pages the site has, and what each one is given to show.

With one organisation its pages sit at the site root (home, timeline, areas, tracker). With
several, the home page lists them, each has the same pages under organisations/<id>/, and
rounds compare every organisation under one framework.
"""

from __future__ import annotations

from .charts import (
    area_history_chart,
    case_file_chart,
    distribution_chart,
    heatmap_chart,
    round_heatmap_chart,
    timeline_chart,
    timeline_events_by_year,
)
from .compare import CHANGES, Comparison, compare, fate_in
from .data import COLUMN_DOCS, JSON_SCHEMA_VERSION, JUDGMENT_COLUMNS
from .render import Page
from .rounds import rounds
from .views import ITEM_GROUPS, STATUS_LABELS, InspectionView, Scope, SiteView


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


def _scope_deps(scope: Scope) -> frozenset[str]:
    return frozenset(v.summary.id for v in scope.inspections)


def site_pages(site: SiteView) -> list[Page]:
    """Every HTML page of the site, in a stable order."""
    content = site.content
    comparisons = [compare(site, a, b, site.tracked) for a, b in site.pairs]
    by_inspection: dict[str, list[Comparison]] = {}
    for c in comparisons:
        by_inspection.setdefault(c.earlier.summary.id, []).append(c)
        by_inspection.setdefault(c.later.summary.id, []).append(c)
    pages: list[Page] = []
    if site.single:
        scope = site.scopes[0] if site.scopes else None
        pages.append(Page("", "home.html", content.site.title, {
            "heading": content.site.title, "lede": content.site.description,
            "inspections": scope.newest_first if scope else [],
            "years": scope.years if scope else [], "prefix": ""},
            description=content.site.description))
    else:
        all_rounds = rounds(site)
        pages.append(Page("", "organisations.html", content.site.title,
                          {"scopes": site.scopes, "rounds": all_rounds},
                          description=content.site.description))
        pages += _round_pages(all_rounds)
    for view in site.inspections:
        pages.append(_inspection_page(site, view, by_inspection.get(view.summary.id, [])))
    for scope in site.scopes:
        pages += _scope_pages(site, scope)
    for comparison in comparisons:
        pages.append(Page(
            comparison.url, "compare.html", f"Compare {comparison.title}",
            {"comparison": comparison, "changes": CHANGES, "fate_in": fate_in},
            description=f"Grades and findings of {comparison.title}, side by side.",
            deps=comparison_deps(comparison),
        ))
    pages.append(Page(
        "compare/", "compare_picker.html", "Compare two reports",
        {"scopes": site.scopes, "comparisons": comparisons, "single": site.single},
        description="Choose any two inspection reports and compare them area by area.",
    ))
    pages.append(Page("search/", "search.html", "Search",
                      description="Search every inspection and area."))
    pages.append(Page("404.html", "404.html", "Page not found", rooted_links=True,
                      description="There is no page at this address."))
    pages.append(Page(
        "data/", "data.html", "Open data",
        {"columns": COLUMN_DOCS, "fixed_columns": JUDGMENT_COLUMNS,
         "json_version": JSON_SCHEMA_VERSION, "inspection_count": len(site.inspections),
         "judgment_count": sum(len(v.rows) for v in site.inspections),
         "scopes": site.scopes},
        description="The grades and the record of every inspection as CSV and JSON, with "
                    "sources and licence.",
    ))
    return pages


def _inspection_page(site: SiteView, view: InspectionView,
                     mine: list[Comparison]) -> Page:
    content = site.content
    insp = view.inspection
    date = view.summary.date.label if view.summary.date else "date not known"
    scale = content.scales[content.frameworks[insp.framework].scale] if insp.framework \
        else None
    distribution = distribution_chart(view, [g.label for g in scale.grades]) if scale \
        else None
    case_chart = case_file_chart(view)
    partners = [c.earlier.summary.id if c.later.summary.id == insp.id else c.later.summary.id
                for c in mine]
    return Page(
        view.summary.url, "inspection.html", insp.title,
        {"view": view, "distribution": distribution, "case_chart": case_chart,
         "fates": {t.id: t for t in site.tracked_by_inspection.get(insp.id, [])},
         "comparisons": mine},
        description=f"{insp.title} ({date}): grades, findings and sources.",
        charts=[c for c in (distribution, case_chart) if c],
        deps=inspection_deps(view, site, partners),
        search={"kind": view.summary.kind_label}
        | ({"year": str(view.summary.year)} if view.summary.year else {}),
    )


def _scope_pages(site: SiteView, scope: Scope) -> list[Page]:
    """An organisation's own pages: overview, timeline, areas and tracker."""
    pages = []
    prefix = scope.prefix
    deps = None if site.single else _scope_deps(scope)
    name = scope.organisation.name
    if prefix:
        pages.append(Page(prefix, "home.html", name, {
            "heading": name, "lede": scope.organisation.description or "",
            "inspections": scope.newest_first, "years": scope.years, "prefix": prefix,
            "scope": scope}, description=f"Every inspection of {name}.", deps=deps))
    events = scope.timeline
    if events:
        chart = timeline_chart(scope, site.content)
        pages.append(Page(
            f"{prefix}timeline/", "timeline.html", "Timeline" if site.single
            else f"Timeline: {name}",
            {"by_year": timeline_events_by_year(events), "timeline_chart": chart,
             "first_year": events[0].date.year, "last_year": events[-1].date.year,
             "organisation": name, "prefix": prefix},
            description="Every inspection, report, amendment and response on one time axis."
            if site.single else f"Every inspection of {name}, report, amendment and response "
                                "on one time axis.",
            charts=[chart] if chart else [], deps=deps,
        ))
    heatmap = heatmap_chart(scope, site.content)
    pages.append(Page(
        f"{prefix}areas/", "areas.html", "Areas" if site.single else f"Areas: {name}",
        {"areas": scope.areas, "heatmap": heatmap, "prefix": prefix},
        description="Grades by area across every inspection and framework." if site.single
        else f"Grades of {name} by area across every inspection and framework.",
        charts=[heatmap] if heatmap else [], deps=deps,
    ))
    for history in scope.areas:
        chart = area_history_chart(history, scope.key)
        pages.append(Page(
            history.url, "area.html", history.name if site.single
            else f"{history.name}: {name}",
            {"history": history, "history_chart": chart, "prefix": prefix},
            description=chart.summary, charts=[chart],
            deps=frozenset(p.inspection.id for p in history.points),
            search={"kind": "Area"},
        ))
    items = [t for v in scope.inspections
             for t in site.tracked_by_inspection.get(v.summary.id, [])]
    items.sort(key=lambda t: (-(t.inspection.date.sort_key[0] if t.inspection.date else 0),
                              t.inspection.id, list(STATUS_LABELS).index(t.status)))
    used_areas = sorted({(t.area_id, site.content.areas[t.area_id].name) for t in items
                         if t.area_id}, key=lambda pair: pair[1])
    pages.append(Page(
        f"{prefix}tracker/", "tracker.html", "Follow-up tracker" if site.single
        else f"Follow-up tracker: {name}",
        {"items": items, "areas": used_areas,
         "statuses": [(key, f"{label} ({sum(t.status == key for t in items)})")
                      for key, label in STATUS_LABELS.items()
                      if any(t.status == key for t in items)]},
        description="Every recommendation and area for improvement, and what later "
                    "reports say became of it.", deps=deps,
    ))
    return pages


def _round_pages(all_rounds: list) -> list[Page]:  # type: ignore[type-arg]
    pages = [Page("rounds/", "rounds.html", "Rounds", {"rounds": all_rounds},
                  description="Every organisation's grades, framework by framework.")]
    for round_view in all_rounds:
        chart = round_heatmap_chart(round_view)
        pages.append(Page(
            round_view.url, "round.html", round_view.title,
            {"round": round_view, "round_chart": chart},
            description=f"Every organisation's grades under {round_view.title}.",
            charts=[chart],
            deps=frozenset(r.inspection.id for r in round_view.rows),
        ))
    return pages
