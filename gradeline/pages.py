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
    area_chart_id,
    case_file_chart,
    chart_csv_path,
    distribution_chart,
    inspection_chart_ids,
    round_chart_id,
    scope_chart_ids,
    timeline_events_by_year,
    trend_chart_id,
)
from .compare import Pair, compare, fate_in
from .errors import Problem
from .heatmaps import heatmap_chart, round_heatmap_chart
from .load import load_file
from .render import Page, script_safe_json
from .resolve import Content
from .rounds import RoundView
from .timecharts import area_history_chart, timeline_chart, trend_charts
from .urls import (
    COMPARE,
    DATA,
    HOME,
    NOT_FOUND,
    ORGANISATIONS,
    ROUNDS,
    SEARCH,
    compare_data_path,
)
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


def site_pages(site: SiteView) -> list[Page]:
    """Every HTML page of the site, in a stable order.

    Listing the pages is quick: charts and comparisons are made when a page is rendered
    (see Page.make), so that an incremental build pays only for the pages it renders.
    """
    pairs = [Pair(a, b) for a, b in site.pairs]
    by_inspection: dict[str, list[Pair]] = {}
    for pair in pairs:
        by_inspection.setdefault(pair.earlier.summary.id, []).append(pair)
        by_inspection.setdefault(pair.later.summary.id, []).append(pair)
    pages = _front_pages(site)
    for view in site.inspections:
        pages.append(_inspection_page(site, view, by_inspection.get(view.summary.id, [])))
    for scope in site.scopes:
        pages += _scope_pages(site, scope)
    for pair in pairs:
        pages.append(Page(
            pair.url, "compare.html", f"Compare {pair.title}",
            {"fate_in": fate_in},
            description=f"Grades and findings of {pair.title}, side by side.",
            deps=comparison_deps(pair, site), organisation=pair.later.inspection.organisation,
            make=_made(comparison=lambda pair=pair: compare(site, pair.earlier, pair.later,
                                                            site.tracked)),
        ))
    return pages + _site_wide_pages(site, pairs)


def site_nav(site: SiteView) -> list[tuple[str, str]]:
    """The main navigation, (label, site path): the pages of the organisation at the site's
    root, if there is one, and with several organisations the rounds and the list of them."""
    focus = site.focus
    nav = [("Inspections", HOME)] if focus is not None or site.single else \
        [("Organisations", HOME)]
    if focus is not None:
        if focus.timeline:
            nav.append(("Timeline", focus.timeline_url))
        nav.append(("Areas", focus.areas_url))
    if not site.single:
        nav.append(("Rounds", ROUNDS))
    nav.append(("Compare", COMPARE))
    if focus is not None:
        nav.append(("Tracker", focus.tracker_url))
        if not site.single:
            nav.append(("Organisations", ORGANISATIONS))
    nav.append(("Data", DATA))
    return nav


def _front_pages(site: SiteView) -> list[Page]:
    """The home page: the story of the organisation the site is about (the only one, or its
    focus), else the list of organisations; with several, the list and the rounds too."""
    content = site.content
    focus = site.focus
    pages = []
    if focus is not None or site.single:
        pages.append(Page(HOME, "home.html", content.site.title, {
            "heading": content.site.title, "lede": content.site.description,
            "inspections": focus.newest_first if focus else [],
            "years": focus.years if focus else [], "prefix": "", "scope": focus,
            "rounds": [r for r in site.rounds if any(row.focus for row in r.rows)],
            "others": site.others},
            description=content.site.description,
            organisation=focus.id if focus else "",
            make=_made(trend_charts=lambda: trend_charts(focus, content) if focus else [])))
    if site.single:
        return pages
    pages.append(Page(
        ORGANISATIONS if focus is not None else HOME, "organisations.html",
        "Organisations" if focus is not None else content.site.title,
        {"heading": "Organisations" if focus is not None else content.site.title,
         "lede": content.site.description if focus is None else
         f"{focus.organisation.name} and the organisations set beside it.",
         "scopes": site.scopes, "rounds": site.rounds},
        description=content.site.description))
    return pages + _round_pages(site.rounds)


def _site_wide_pages(site: SiteView, pairs: list[Pair]) -> list[Page]:
    """The pages after the organisations' own: compare picker, search, 404, data."""
    focus = site.focus.id if site.focus is not None else None
    # The pairs listed for readers without JavaScript: every pair of a site of one; the focus
    # organisation's own and its comparisons with the others; none for a site of several
    # without a focus (each organisation's pages link to theirs).
    listed = [p for p in pairs if site.single or focus in (p.earlier.inspection.organisation,
                                                             p.later.inspection.organisation)]
    # "first": the organisation the picker starts with (the site's focus, if it has one).
    index = {"first": site.scopes[0].id if site.scopes else None,
             "organisations": {s.id: compare_data_path(s.id) for s in site.scopes},
             "reports": {v.summary.id: v.inspection.organisation for v in site.inspections}}
    pages = [Page(
        COMPARE, "compare_picker.html", "Compare two reports",
        {"scopes": site.scopes, "single": site.single, "index": script_safe_json(index)},
        description="Choose any two inspection reports and compare them area by area.",
        # It names every report (in its index), so any change may change it.
        deps=None,
        make=_made(comparisons=lambda: [compare(site, p.earlier, p.later, site.tracked)
                                        for p in listed]),
    )]
    # These two show nothing of any inspection.
    pages.append(Page(SEARCH, "search.html", "Search", deps=frozenset(),
                      description="Search every inspection and area."))
    pages.append(Page(NOT_FOUND, "404.html", "Page not found", rooted_links=True,
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
               "round_chart": "round", "trend_charts": "trend"}


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
            elif isinstance(value, list):  # (a list of charts)
                page.charts += [chart for chart in value if isinstance(chart, Chart)]


def _made(**makers: Callable[[], Any]) -> _Made:
    return _Made(makers)


def page_charts(page: Page) -> Iterator[tuple[str, Chart]]:
    """The charts a page not yet rendered will show, each with its kind (see CHART_KINDS),
    made without the rest of what the page shows."""
    if isinstance(page.make, _Made):
        for name, maker in page.make.makers.items():
            if name in CHART_KINDS and (made := maker()) is not None:
                for chart in made if isinstance(made, list) else [made]:
                    yield CHART_KINDS[name], chart


def _inspection_page(site: SiteView, view: InspectionView, mine: list[Pair]) -> Page:
    content = site.content
    insp = view.inspection
    date = view.summary.date_label
    scale = content.scales[content.frameworks[insp.framework].scale] if insp.framework \
        else None
    partners = [p.earlier.summary.id if p.later.summary.id == insp.id else p.later.summary.id
                for p in mine]
    scope = next(s for s in site.scopes if s.id == insp.organisation)
    in_rounds = [r for r in site.rounds
                 if any(row.inspection.id == insp.id for row in r.rows)]
    return Page(
        view.summary.url, "inspection.html", insp.title,
        {"view": view, "fates": {t.id: t for t in site.tracked_by_inspection.get(insp.id, [])},
         "comparisons": [p for p in mine if not p.across],
         "neighbours": [p for p in mine if p.across], "rounds": in_rounds,
         "organisation_url": scope.home_url, "single": site.single},
        description=f"{insp.title} ({date}): grades, findings and sources.",
        make=_made(distribution=lambda: distribution_chart(
                       view, [g.label for g in scale.grades]) if scale else None,
                   case_chart=lambda: case_file_chart(view)),
        deps=inspection_deps(view, site, partners) | frozenset(
            row.inspection.id for r in in_rounds for row in r.rows),
        organisation=insp.organisation,
        search={"kind": view.summary.kind_label}
        | ({"year": str(view.summary.year)} if view.summary.year else {}),
    )


def _scope_pages(site: SiteView, scope: Scope) -> list[Page]:
    """An organisation's own pages: overview, timeline, areas and tracker."""
    pages = []
    prefix = scope.prefix
    deps = None if site.single else _scope_deps(scope)
    name = scope.organisation.name
    organisation = scope.id
    # The organisation at the site's root is what the site is about: its pages need no name.
    at_root = prefix == ""
    if not at_root:
        pages.append(Page(prefix, "home.html", name, {
            "heading": name, "lede": scope.organisation.description or "",
            "inspections": scope.newest_first, "years": scope.years, "prefix": prefix,
            "scope": scope, "rounds": [], "others": [],
            "organisations_url": ORGANISATIONS if site.focus is not None else HOME,
            "compare_url": COMPARE},
            description=f"Every inspection of {name}.", deps=deps, organisation=organisation,
            make=_made(trend_charts=lambda: trend_charts(scope, site.content))))
    events = scope.timeline
    if events:
        pages.append(Page(
            scope.timeline_url, "timeline.html", "Timeline" if at_root
            else f"Timeline: {name}",
            {"first_year": events[0].date.year, "last_year": events[-1].date.year,
             "organisation": name, "prefix": prefix, "scope": scope},
            description="Every inspection, report, amendment and response on one time axis."
            if at_root else f"Every inspection of {name}, report, amendment and response "
                            "on one time axis.",
            deps=deps, organisation=organisation,
            make=_made(by_year=lambda: timeline_events_by_year(events),
                       timeline_chart=lambda: timeline_chart(scope, site.content)),
        ))
    pages.append(Page(
        scope.areas_url, "areas.html", "Areas" if at_root else f"Areas: {name}",
        {"areas": scope.areas, "prefix": prefix, "scope": scope},
        description="Grades by area across every inspection and framework." if at_root
        else f"Grades of {name} by area across every inspection and framework.",
        deps=deps, organisation=organisation,
        make=_made(heatmap=lambda: heatmap_chart(scope, site.content)),
    ))
    for history in scope.areas:
        pages.append(Page(
            history.url, "area.html", history.name if at_root
            else f"{history.name}: {name}",
            {"history": history, "prefix": prefix, "scope": scope},
            deps=frozenset(p.inspection.id for p in history.points),
            search={"kind": "Area"}, organisation=organisation,
            make=_Made({"history_chart": functools.partial(area_history_chart, history,
                                                           scope.key)},
                       describe="history_chart"),
        ))
    pages.append(Page(
        scope.tracker_url, "tracker.html", "Follow-up tracker" if at_root
        else f"Follow-up tracker: {name}",
        description="Every recommendation and area for improvement, and what later "
                    "reports say became of it.", deps=deps, organisation=organisation,
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
        "items": items, "areas": used_areas, "status_labels": STATUS_LABELS,
        "statuses": [(key, f"{label} ({sum(t.status == key for t in items)})")
                     for key, label in STATUS_LABELS.items()
                     if any(t.status == key for t in items)]})


def _round_pages(all_rounds: list[RoundView]) -> list[Page]:
    pages = [Page(ROUNDS, "rounds.html", "Rounds", {"rounds": all_rounds},
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


#: A thing of the content that names output files by its id: (kind, id).
Owner = tuple[str, str]
#: Where each kind of content file is kept, under the content folder.
_FOLDERS = {"inspection": "inspections", "organisation": "organisations",
            "framework": "frameworks"}


def output_clashes(site: SiteView, pages: list[Page]) -> list[Problem]:
    """A problem for each path that two parts of the site would write, at the id that
    makes it: chart files share one folder and are named from content ids, so an
    inspection 'by-area' would write grades-by-area.csv, the areas page's chart file.

    Every page file and chart file is claimed here, before anything is written (a chart a
    page turns out not to have is claimed all the same: its id is still taken). Only ids are
    needed, not the pages' contents."""
    claims: dict[str, list[tuple[str, Owner | None]]] = {}

    def claim(path: str, what: str, owner: Owner | None = None) -> None:
        claims.setdefault(path, []).append((what, owner))

    for page in pages:
        claim(page.file, f"the page /{page.target}")
    for view in site.inspections:
        grades, cases = inspection_chart_ids(view.summary.id)
        owner = ("inspection", view.summary.id)
        claim(chart_csv_path(grades), f"the grades chart of inspection '{owner[1]}'", owner)
        claim(chart_csv_path(cases), f"the case-files chart of inspection '{owner[1]}'", owner)
    for scope in site.scopes:
        of = "" if site.single else f" of organisation '{scope.id}'"
        organisation = None if site.single else ("organisation", scope.id)
        by_area, timeline = scope_chart_ids(scope.key)
        claim(chart_csv_path(by_area), f"the chart of grades by area on /{scope.areas_url}",
              organisation)
        for kind in site.content.site.kinds:  # (each kind a home page may chart the trend of)
            claim(chart_csv_path(trend_chart_id(scope.key, kind)),
                  f"the chart of {kind} grades, report by report, on /{scope.home_url}",
                  organisation)
        claim(chart_csv_path(timeline), f"the timeline chart on /{scope.timeline_url}",
              organisation)
        for area in site.content.areas:  # (each area an organisation may have a page for)
            claim(chart_csv_path(area_chart_id(scope.key, area)),
                  f"the chart of area '{area}'{of}", ("area", area))
    for round_view in site.rounds:
        claim(chart_csv_path(round_chart_id(round_view.id)),
              f"the chart of round '{round_view.id}'", ("framework", round_view.frameworks[0][0]))
    problems = []
    for path, claimants in sorted(claims.items()):
        if len(claimants) < 2:
            continue
        located = False
        for n, (what, owner) in enumerate(claimants):
            others = " and ".join(w for k, (w, _) in enumerate(claimants) if k != n)
            message = f"{what} would be written to {path}, as {others} is; choose another id"
            if owner is not None:
                problems.append(_at_id(site.content, owner, message))
                located = True
        if not located:
            problems.append(Problem(str(site.content.root), 1, 1, "", message))
    return problems


def _at_id(content: Content, owner: Owner, message: str) -> Problem:
    """The problem at the id of ``owner`` in its file (read again: a clash is rare, and the
    content keeps no positions once valid)."""
    kind, value = owner
    for path in sorted(content.files.values()):
        if kind == "area":
            if path != content.root / "areas.yaml":
                continue
        elif not path.is_relative_to(content.root / _FOLDERS[kind]):
            continue
        doc, _ = load_file(path)
        if doc is None or not isinstance(doc.data, dict):
            continue
        places = [("areas", i, "id") for i, area in enumerate(doc.data.get("areas") or [])
                  if isinstance(area, dict) and area.get("id") == value] if kind == "area" \
            else [("id",)] if doc.data.get("id") == value else []
        if places:
            found = doc.problems()
            found.add(places[0], message)
            return found.items[0]
    return Problem(str(content.root), 1, 1, "", message)
