"""Which pages the site has, and what each one is given to show.

With one organisation its pages sit at the site root (home, timeline, areas, tracker). With
several, the home page lists them, each has the same pages under organisations/<id>/, and
rounds compare every organisation under one framework.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from typing import Any

from .charts import (
    Chart,
    area_history_chart,
    case_file_chart,
    distribution_chart,
    heatmap_chart,
    round_heatmap_chart,
    timeline_chart,
    timeline_events_by_year,
)
from .compare import CHANGES, Pair, compare, fate_in
from .errors import Problem
from .render import Page
from .resolve import Content
from .rounds import rounds
from .validate import suggest
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


def comparison_deps(pair: Pair, site: SiteView) -> frozenset[str]:
    """The two reports, and any third report whose findings the later one continues."""
    deps = {pair.earlier.summary.id, pair.later.summary.id}
    for group in ITEM_GROUPS:
        for item in getattr(pair.later.inspection, group):
            if item.continues and item.continues in site.tracked:
                deps.add(item.continues.split("#")[0])
    return frozenset(deps)


def _scope_deps(scope: Scope) -> frozenset[str]:
    return frozenset(v.summary.id for v in scope.inspections)


def site_pages(site: SiteView, keep: Callable[[str], bool] | None = None) -> list[Page]:
    """Every HTML page of the site, in a stable order; with ``keep``, only the pages whose
    shard (organisation, or "" for the site-wide pages) it keeps.

    Listing the pages is quick: charts and comparisons are made when a page is rendered
    (see Page.make), so that an incremental build pays only for the pages it renders.
    """
    if keep is None:
        keep = _everything
    pairs = [Pair(a, b) for a, b in site.pairs]
    by_inspection: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_inspection.setdefault(pair.earlier.summary.id, []).append(pair)
        by_inspection.setdefault(pair.later.summary.id, []).append(pair)
    pages = _front_pages(site) if keep("") else []
    for view in site.inspections:
        if keep(view.inspection.organisation):
            pages.append(_inspection_page(site, view, by_inspection.get(view.summary.id, [])))
    for scope in site.scopes:
        if keep(scope.id):
            pages += _scope_pages(site, scope)
    for pair in pairs:
        if not keep(pair.later.inspection.organisation):
            continue
        pages.append(Page(
            pair.url, "compare.html", f"Compare {pair.title}",
            {"changes": CHANGES, "fate_in": fate_in},
            description=f"Grades and findings of {pair.title}, side by side.",
            deps=comparison_deps(pair, site), shard=pair.later.inspection.organisation,
            make=_made(comparison=lambda pair=pair: compare(site, pair.earlier, pair.later,
                                                            site.tracked)),
        ))
    if keep(""):
        pages += _site_wide_pages(site, pairs)
    return pages


def _front_pages(site: SiteView) -> list[Page]:
    """The home page; with several organisations, the rounds too."""
    content = site.content
    if site.single:
        scope = site.scopes[0] if site.scopes else None
        return [Page("", "home.html", content.site.title, {
            "heading": content.site.title, "lede": content.site.description,
            "inspections": scope.newest_first if scope else [],
            "years": scope.years if scope else [], "prefix": ""},
            description=content.site.description)]
    all_rounds = rounds(site)
    return [Page("", "organisations.html", content.site.title,
                 {"scopes": site.scopes, "rounds": all_rounds},
                 description=content.site.description), *_round_pages(all_rounds)]


def _everything(shard: str) -> bool:
    return True


def _site_wide_pages(site: SiteView, pairs: list[Pair]) -> list[Page]:
    """The pages after the organisations' own: compare picker, search, 404, data."""
    pages = [Page(
        "compare/", "compare_picker.html", "Compare two reports",
        {"scopes": site.scopes, "single": site.single},
        description="Choose any two inspection reports and compare them area by area.",
        # With several organisations it lists them, not reports (the reports are in data).
        deps=None if site.single else frozenset(),
        # Only a single organisation's picker lists every pair with its changes.
        make=_made(comparisons=lambda: [compare(site, p.earlier, p.later, site.tracked)
                                        for p in pairs] if site.single else []),
    )]
    # These two show nothing of any inspection.
    pages.append(Page("search/", "search.html", "Search", deps=frozenset(),
                      description="Search every inspection and area."))
    pages.append(Page("404.html", "404.html", "Page not found", rooted_links=True,
                      deps=frozenset(), description="There is no page at this address."))
    pages.append(data_page({}))
    return pages


#: The Data page's site path. It lists every file under data/, so it is written with them
#: (see data.data_files), not with the other pages.
DATA_PAGE = "data/"


def data_page(context: dict[str, Any]) -> Page:
    """The Data page, showing ``context`` (see data.data_files)."""
    return Page(DATA_PAGE, "data.html", "Open data", context,
                description="The grades and the record of every inspection as CSV and JSON, "
                            "with a data dictionary, sources and licence.")


#: The kind of each chart (its CSV file's kind in datapackage.CHART_KINDS), by the name
#: its page's template knows it by.
CHART_KINDS = {"distribution": "grades", "case_chart": "case-files", "history_chart": "history",
               "heatmap": "grades-by-area", "timeline_chart": "timeline",
               "round_chart": "round"}


@dataclass
class _Made:
    """A Page.make that adds each maker's result to the page's context, and every chart
    among them to the page's charts; ``describe``: the name of a chart whose summary is the
    page's description."""

    makers: dict[str, Callable[[], Any]]
    describe: str | None = None

    def __call__(self, page: Page) -> None:
        for name, maker in self.makers.items():
            value = maker()
            page.context[name] = value
            if isinstance(value, Chart):
                page.charts.append(value)
                if name == self.describe:
                    page.description = value.summary


def _made(**makers: Callable[[], Any]) -> _Made:
    return _Made(makers)


def page_charts(page: Page) -> Iterator[tuple[str, Chart]]:
    """The charts a page not yet rendered will show, each with its kind (see CHART_KINDS),
    made without the rest of what the page shows."""
    if isinstance(page.make, _Made):
        for name, maker in page.make.makers.items():
            if name in CHART_KINDS and (chart := maker()) is not None:
                yield CHART_KINDS[name], chart


def _inspection_page(site: SiteView, view: InspectionView, mine: list[Pair]) -> Page:
    content = site.content
    insp = view.inspection
    date = view.summary.date.label if view.summary.date else "date not known"
    scale = content.scales[content.frameworks[insp.framework].scale] if insp.framework \
        else None
    partners = [p.earlier.summary.id if p.later.summary.id == insp.id else p.later.summary.id
                for p in mine]
    return Page(
        view.summary.url, "inspection.html", insp.title,
        {"view": view, "fates": {t.id: t for t in site.tracked_by_inspection.get(insp.id, [])},
         "comparisons": mine},
        description=f"{insp.title} ({date}): grades, findings and sources.",
        make=_made(distribution=lambda: distribution_chart(
                       view, [g.label for g in scale.grades]) if scale else None,
                   case_chart=lambda: case_file_chart(view)),
        deps=inspection_deps(view, site, partners), shard=insp.organisation,
        search={"kind": view.summary.kind_label}
        | ({"year": str(view.summary.year)} if view.summary.year else {}),
    )


def _scope_pages(site: SiteView, scope: Scope) -> list[Page]:
    """An organisation's own pages: overview, timeline, areas and tracker."""
    pages = []
    prefix = scope.prefix
    deps = None if site.single else _scope_deps(scope)
    name = scope.organisation.name
    shard = scope.id
    if prefix:
        pages.append(Page(prefix, "home.html", name, {
            "heading": name, "lede": scope.organisation.description or "",
            "inspections": scope.newest_first, "years": scope.years, "prefix": prefix,
            "scope": scope}, description=f"Every inspection of {name}.", deps=deps,
            shard=shard))
    events = scope.timeline
    if events:
        pages.append(Page(
            f"{prefix}timeline/", "timeline.html", "Timeline" if site.single
            else f"Timeline: {name}",
            {"first_year": events[0].date.year, "last_year": events[-1].date.year,
             "organisation": name, "prefix": prefix},
            description="Every inspection, report, amendment and response on one time axis."
            if site.single else f"Every inspection of {name}, report, amendment and response "
                                "on one time axis.",
            deps=deps, shard=shard,
            make=_made(by_year=lambda: timeline_events_by_year(events),
                       timeline_chart=lambda: timeline_chart(scope, site.content)),
        ))
    pages.append(Page(
        f"{prefix}areas/", "areas.html", "Areas" if site.single else f"Areas: {name}",
        {"areas": scope.areas, "prefix": prefix},
        description="Grades by area across every inspection and framework." if site.single
        else f"Grades of {name} by area across every inspection and framework.",
        deps=deps, shard=shard, make=_made(heatmap=lambda: heatmap_chart(scope, site.content)),
    ))
    for history in scope.areas:
        pages.append(Page(
            history.url, "area.html", history.name if site.single
            else f"{history.name}: {name}",
            {"history": history, "prefix": prefix},
            deps=frozenset(p.inspection.id for p in history.points),
            search={"kind": "Area"}, shard=shard,
            make=_Made({"history_chart": functools.partial(area_history_chart, history,
                                                           scope.key)},
                       describe="history_chart"),
        ))
    pages.append(Page(
        f"{prefix}tracker/", "tracker.html", "Follow-up tracker" if site.single
        else f"Follow-up tracker: {name}",
        description="Every recommendation and area for improvement, and what later "
                    "reports say became of it.", deps=deps, shard=shard,
        make=functools.partial(_fill_tracker, site=site, scope=scope),
    ))
    return pages


def _fill_tracker(page: Page, site: SiteView, scope: Scope) -> None:
    items = [t for v in scope.inspections
             for t in site.tracked_by_inspection.get(v.summary.id, [])]
    items.sort(key=lambda t: (-(t.inspection.date.sort_key[0] if t.inspection.date else 0),
                              t.inspection.id, list(STATUS_LABELS).index(t.status)))
    used_areas = sorted({(t.area_id, site.content.areas[t.area_id].name) for t in items
                         if t.area_id}, key=lambda pair: pair[1])
    page.context.update({
        "items": items, "areas": used_areas,
        "statuses": [(key, f"{label} ({sum(t.status == key for t in items)})")
                     for key, label in STATUS_LABELS.items()
                     if any(t.status == key for t in items)]})


def _round_pages(all_rounds: list) -> list[Page]:  # type: ignore[type-arg]
    pages = [Page("rounds/", "rounds.html", "Rounds", {"rounds": all_rounds},
                  description="Every organisation's grades, framework by framework.")]
    for round_view in all_rounds:
        pages.append(Page(
            round_view.url, "round.html", round_view.title, {"round": round_view},
            description=f"Every organisation's grades under {round_view.title}.",
            deps=frozenset(r.inspection.id for r in round_view.rows),
            make=_made(round_chart=lambda round_view=round_view: round_heatmap_chart(
                round_view)),
        ))
    return pages


def _link_path(link: str) -> str:
    return link[1:].split("#", 1)[0].split("?", 1)[0]


def leads_to_page(link: str, targets: Collection[str]) -> bool:
    """Whether a link from the site's root ("/inspections/x/") leads to one of the pages
    at ``targets``. Links to files (a name with an extension: "/data/judgments.csv") are
    not checked, and pass."""
    path = _link_path(link)
    return path in targets or "." in path.rsplit("/", 1)[-1]


def broken_links(content: Content, pages: list[Page]) -> list[Problem]:
    """A problem for each link in the content's text to a page the site does not have.

    A page link must end in "/", as every page's address does, or it would not open from a
    folder on disk.
    """
    targets = {page.target for page in pages}
    problems: list[Problem] = []
    for doc, loc, link in content.links:
        if leads_to_page(link, targets):
            continue
        path = _link_path(link)
        found = doc.problems()
        if f"{path}/" in targets:
            found.add(loc, f"the link '{link}' leads to a page without its closing '/'; "
                           f"write '/{path}/'")
        else:
            found.add(loc, f"the link '{link}' leads to no page of this site"
                           f"{suggest('/' + path, ['/' + t for t in sorted(targets)])}")
        problems += found.items
    return problems
