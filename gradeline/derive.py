"""Stage 3, derive: every view the site's pages show, worked out from the content once.

Each inspection's own view comes from ``views.py``; this puts them together into the site:
previous and next reports, follow-ups, each organisation's timeline and area histories
(``views.py``), what became of every finding and the natural pairs of reports to compare
(``compare.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .checks import references
from .compare import natural_pairs, track_items
from .resolve import Content
from .rounds import rounds
from .urls import organisation_path
from .views import (
    InspectionView,
    Scope,
    SiteView,
    area_histories,
    inspection_view,
    timeline_events,
)


@dataclass
class ViewCache:
    """What a long-lived builder keeps of one derive for the next (see :func:`derive`)."""

    #: Each inspection's view, by its id, its file's hash, the shared files' hash and the
    #: hashes of the reports it refers to (see checks.references).
    views: dict[tuple[str, ...], InspectionView] = field(default_factory=dict)
    #: Each organisation's timeline and area histories, by the views they were made from.
    scopes: dict[tuple[Any, ...], tuple[Any, ...]] = field(default_factory=dict)
    #: Each view's tracked items (see compare.track_items).
    tracked: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def derive(content: Content, cache: ViewCache | None = None) -> SiteView:
    """Work out every view the site needs from validated content.

    An inspection's own view depends only on its file, the shared files and the titles of
    the reports whose findings it continues, so a long-lived ``cache`` keeps views by those
    files' hashes, and what is made of them (an organisation's timeline and area histories,
    tracked items) while they are the same views; links between inspections are made anew.
    """
    cache = cache if cache is not None else ViewCache()
    views = _inspection_views(content, cache)
    _link(views)
    site = SiteView(content, views, _scopes(content, views, cache))
    site.tracked = track_items(site, cache.tracked)
    for item in site.tracked.values():
        site.tracked_by_inspection.setdefault(item.inspection.id, []).append(item)
    site.rounds = rounds(site)
    site.pairs = natural_pairs(site)
    return site


def _inspection_views(content: Content, cache: ViewCache) -> list[InspectionView]:
    """Each inspection's own view, kept from the last derive while its files are the same."""
    views = []
    live: set[tuple[str, ...]] = set()
    kept = cache.views
    for insp in content.inspections:
        # A finding that continues an earlier report's is named by that report's title.
        key = (insp.id, content.digests.get(insp.id, ""), content.shared_digest,
               *(content.digests.get(other, "") for other in sorted(references(insp))))
        live.add(key)
        view = kept.get(key)
        if view is None:
            view = kept[key] = inspection_view(content, insp)
        view.previous = view.next = view.follows_up = None
        view.followed_up_by = []
        views.append(view)
    if len(kept) > 2 * len(views):  # forget views of old versions
        for key in [k for k in kept if k not in live]:
            del kept[key]
    return views


def _link(views: list[InspectionView]) -> None:
    """Each view's previous and next report of its organisation, and its follow-ups."""
    by_id = {v.summary.id: v for v in views}
    for own in _by_organisation(views).values():
        for i, view in enumerate(own):
            view.previous = own[i - 1].summary if i > 0 else None
            view.next = own[i + 1].summary if i + 1 < len(own) else None
    for view in views:
        target = view.inspection.follows_up
        if target:
            view.follows_up = by_id[target].summary
            by_id[target].followed_up_by.append(view.summary)


def _by_organisation(views: list[InspectionView]) -> dict[str, list[InspectionView]]:
    found: dict[str, list[InspectionView]] = {}
    for view in views:
        found.setdefault(view.inspection.organisation, []).append(view)
    return found


def _scopes(content: Content, views: list[InspectionView], cache: ViewCache) -> list[Scope]:
    """Each organisation's part of the site: the one the site is about first, at the site's
    root; then the others, under organisations/<id>/."""
    single = len(content.organisations) <= 1
    focus = content.site.focus
    by_organisation = _by_organisation(views)
    scopes = []
    made: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for org_id in sorted(content.organisations, key=lambda org: (org != focus, org)):
        own = by_organisation.get(org_id, [])
        prefix = "" if single or org_id == focus else organisation_path(org_id)
        # The same views (by identity, kept alive by the entry) with the same follow-up
        # titles make the same timeline and histories.
        key = (org_id, prefix, content.shared_digest, tuple(map(id, own)),
               tuple(v.follows_up.short_title if v.follows_up else None for v in own))
        entry = cache.scopes.get(key)
        if entry is None:
            entry = (own, timeline_events(content, own), area_histories(content, own, prefix))
        made[key] = entry
        scopes.append(Scope(content.organisations[org_id], prefix, own, entry[1], entry[2]))
    cache.scopes = made
    return scopes
