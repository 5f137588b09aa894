"""What each page template is given: a documented contract, as Datasette keeps one.

pages.py gives each template a context; a template may use only the names documented here
for it (with the globals every template has, and the macros and variables templates define
for themselves), and each page may pass only names documented
for its template: tests/test_contexts.py checks both, and that docs/templates.md, generated
from this module by ``python build.py schema``, is current. The objects are the views'
classes (views.py, compare.py, rounds.py), whose own docstrings say what each holds.
"""

from __future__ import annotations

from pathlib import Path

#: Names every template has: the renderer's (render.py) and the build's (build.py).
GLOBALS: dict[str, str] = {
    "site": "site.yaml as validated (model.SiteConfig): title, description, licence, ...",
    "nav": "The main navigation: (label, site path) pairs, only of pages the site has "
           "(pages.site_nav).",
    "paths": "The site paths of the site's fixed pages (urls.SitePaths): "
             "url(paths.compare).",
    "plotly_js": "The file name, under static/, of the vendored plotly.js bundle.",
    "page": "The page being rendered (render.Page): title, description, search filters.",
    "url": "url(site path): a link to that page or file from this page (relative, or from "
           "the base path on the 404 page).",
    "asset": "asset(name): a link to a static file, with its content hash.",
    "canonical": "The page's public address, or None without a base URL.",
    "badge": "badge(grade): a grade's badge (words and colour).",
    "refs": "refs(numbers): superscript links to the page's numbered sources.",
    "date": "date(value, unknown): a <time> element, as precise as the date is known.",
    "status": "status(key, label): a follow-up status in words.",
    "change": "change(key, changes): a change between two grades, symbol and words.",
    "chart_rows": "chart_rows(chart): the rows of a chart's table.",
}

_HOME = {
    "heading": "The page's heading: the site's title, or the organisation's name.",
    "lede": "The sentence under the heading.",
    "inspections": "The organisation's inspection summaries, newest first "
                   "(views.InspectionSummary).",
    "years": "(year, summaries) pairs, oldest year first, for the at-a-glance list.",
    "prefix": "Where the organisation's pages sit: '' at the site's root.",
    "scope": "The organisation's part of the site (views.Scope), or None on an empty site.",
    "rounds": "The rounds the organisation is in, on the site's home page "
              "(rounds.RoundView).",
    "others": "The organisations set beside it (views.Scope), on the site's home page.",
    "organisations_url": "The list of organisations, on an organisation's own home page.",
    "compare_url": "The compare picker, on an organisation's own home page.",
    "trend_charts": "One chart a kind of inspection of the headline grades, report by "
                    "report, with where the scale or what is counted changed.",
}

#: Each page template's own names (beside GLOBALS and MACROS).
CONTEXTS: dict[str, dict[str, str]] = {
    "home.html": _HOME,
    "organisations.html": {
        "heading": "The page's heading.",
        "lede": "The sentence under the heading.",
        "scopes": "Every organisation (views.Scope), the site's focus first.",
        "rounds": "Every round (rounds.RoundView), oldest first.",
    },
    "inspection.html": {
        "view": "Everything the report's page shows (views.InspectionView).",
        "fates": "What became of each of its findings, by item id (compare.TrackedItem).",
        "comparisons": "Its pairs with other reports of its organisation (compare.Pair).",
        "neighbours": "Its pairs with other organisations' reports of its round.",
        "rounds": "The rounds it is in (rounds.RoundView).",
        "organisation_url": "Its organisation's home page ('' at the site's root).",
        "single": "Whether the site is of one organisation.",
        "distribution": "The chart of its grades (charts.Chart), or None without grades.",
        "case_chart": "The chart of its case-file ratings, or None without them.",
    },
    "compare.html": {
        "comparison": "The two reports side by side (compare.Comparison).",
        "fate_in": "fate_in(item, later id): what the later report did with an earlier "
                   "item, as (status key, words).",
    },
    "compare_picker.html": {
        "scopes": "Every organisation (views.Scope).",
        "single": "Whether the site is of one organisation.",
        "index": "JSON for the picker's script: each report's organisation and each "
                 "organisation's data file.",
        "comparisons": "The comparisons listed for readers without JavaScript.",
    },
    "search.html": {},
    "404.html": {},
    "data.html": {
        "files": "Every file under data/ but the charts' (data.DataFile).",
        "chart_count": "How many chart CSV files there are.",
        "chart_kinds": "Each kind of chart file, with its files (for the list of charts).",
        "judgment_fields": "The columns of judgments.csv (datapackage.Field).",
        "finding_fields": "The columns of findings.csv.",
        "fixed_columns": "How many of judgments.csv's first columns are fixed.",
        "json_version": "The version of inspections.json's shape.",
        "inspection_count": "How many inspections the data holds.",
        "judgment_count": "How many area judgments the data holds.",
        "rules": "The data dictionary's rules, as (heading, text) pairs.",
    },
    "timeline.html": {
        "first_year": "The year of the first event.",
        "last_year": "The year of the last event.",
        "organisation": "The organisation's name.",
        "prefix": "Where the organisation's pages sit.",
        "scope": "The organisation's part of the site (views.Scope).",
        "by_year": "The events, year by year (charts.timeline_events_by_year).",
        "timeline_chart": "The timeline chart (charts.Chart).",
    },
    "areas.html": {
        "areas": "Each area's history (views.AreaHistory).",
        "prefix": "Where the organisation's pages sit.",
        "scope": "The organisation's part of the site (views.Scope).",
        "heatmap": "The chart of grades by area and report.",
    },
    "area.html": {
        "history": "The area's grades across reports (views.AreaHistory).",
        "prefix": "Where the organisation's pages sit.",
        "scope": "The organisation's part of the site (views.Scope).",
        "history_chart": "The chart of the area's grades over time.",
    },
    "tracker.html": {
        "items": "Every finding with what became of it (compare.TrackedItem), newest "
                 "report first.",
        "areas": "(area id, name) of the areas the findings concern, for the filter.",
        "statuses": "(status key, label with its count) of the statuses present.",
        "status_labels": "Every status key and its label, for the key to the statuses.",
    },
    "rounds.html": {
        "rounds": "Every round (rounds.RoundView), oldest first.",
    },
    "round.html": {
        "round": "Every organisation's grades in the round (rounds.RoundView).",
        "round_chart": "The round's heatmap.",
    },
}

#: Partial templates, and the page templates that include them: a partial's names are
#: checked against each including page's context (with the globals and macros).
PARTIALS: dict[str, list[str]] = {
    "_comparison_body.html": ["compare.html"],
    "_macros.html": [],
    "_chart_head.html": [],
    "_chart_scripts.html": [],
    "base.html": [],
}


def write_reference(path: Path) -> bool:
    """Write the reference (docs/templates.md) if it is not current; returns whether it
    changed."""
    text = reference()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def reference() -> str:
    """The contract as Markdown, for docs/templates.md."""
    out = ["# Template contexts", "",
           "What each page template is given (generated from `gradeline/contexts.py` by "
           "`python build.py schema`; do not edit). A template may use only these names; "
           "tests check it.", "", "## Every template", ""]
    out += [f"- `{name}`: {text}" for name, text in GLOBALS.items()]
    for template, names in CONTEXTS.items():
        out += ["", f"## {template}", ""]
        out += [f"- `{name}`: {text}" for name, text in names.items()] or ["Only the above."]
    return "\n".join(out) + "\n"
