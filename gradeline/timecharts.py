"""Charts over time: an area's grades across reports, the headline grades report by report,
and the timeline of every inspection, report, amendment and response.

Where the grading scale changes between two points, these charts mark the change and never
draw a line across it: HMICFRS says grades on the two scales are not directly comparable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from .charts import (
    BR,
    FONT,
    NOT_KNOWN_COLOUR,
    TONE_AXIS,
    TONE_COLOURS,
    Cell,
    Chart,
    area_chart_id,
    join_words,
    layout,
    scope_chart_ids,
    tone_value,
    trend_chart_id,
    wrap_text,
)
from .dates import PartialDate
from .grades import LEVEL_WORDS, TONES, GradeView, grade_view
from .resolve import Content
from .views import (
    EVENT_LABELS,
    AreaHistory,
    GradeVersion,
    HistoryPoint,
    InspectionView,
    Scope,
    TimelineEvent,
    grade_versions,
)

# -- one area's history across inspections and frameworks -----------------------------------

def area_history_chart(history: AreaHistory, key: str = "") -> Chart:
    """An area's grades over time, one line per grading scale, never joined across a change:
    each report's grade as published at the report's date, and an amended grade at the date
    of its amendment (a diamond), not months before it was given."""
    traces = []
    segments: list[list[Any]] = []
    for point in history.points:
        if segments and segments[-1][0].scale == point.scale:
            segments[-1].append(point)
        else:
            segments.append([point])
    for segment in segments:
        if not any(p.row.current.state == "graded" or p.row.published.state == "graded"
                   for p in segment):
            continue
        first = segment[0]
        marks = [mark for p in segment for mark in _history_marks(p)]
        symbol = "circle" if first.scale == "five-tier" else "square"
        traces.append({
            "type": "scatter", "mode": "lines+markers",
            "name": first.scale_title,
            # A point without a grade breaks the line instead of being bridged.
            "x": [str(m.date.start()) if m.date else None for m in marks],
            "y": [tone_value(m.grade) for m in marks],
            "customdata": [[m.title, m.point.area_label, m.words] for m in marks],
            "connectgaps": False,
            "line": {"color": "#0b0c0c", "width": 2,
                     "dash": "solid" if first.scale == "five-tier" else "dot"},
            "marker": {"size": 14, "color": [TONE_COLOURS[m.grade.tone]
                                             if m.grade.tone is not None else "#ffffff"
                                             for m in marks],
                       "line": {"color": "#0b0c0c", "width": 1.5},
                       # An amended grade as the timeline marks an amendment.
                       "symbol": ["diamond" if m.amended else symbol for m in marks]},
            "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<br>"
                             "<b>%{customdata[2]}</b><extra></extra>",
        })
    dates = _date_range(history)
    shapes, annotations = _scale_change_marks(segments)
    # Years only: on a phone, plotly's own choice for a few years is half-years ("Jul 2016"),
    # two lines a label, which run out of the chart.
    years = int(dates[1][:4]) - int(dates[0][:4])
    figure = {
        "data": traces,
        "layout": layout(
            xaxis={"type": "date", "fixedrange": True, "gridcolor": "#e5e5e5",
                   "range": dates, "tickformat": "%Y", "automargin": True,
                   # (plotly's own ticks for five or six years are half-years, each
                   # year's label twice)
                   **({"dtick": "M12"} if years <= 6 else {})},
            yaxis={"tickvals": list(range(TONES)), "ticktext": TONE_AXIS,
                   "range": [TONES - 0.4, -0.9], "fixedrange": True, "automargin": True,
                   "gridcolor": "#e5e5e5", "zeroline": False},
            shapes=shapes, annotations=annotations, showlegend=len(traces) > 1,
            legend={"orientation": "h", "y": -0.15},
            margin={"l": 10, "r": 20, "t": 30, "b": 40},
        ),
    }
    rows: list[list[Cell]] = []
    notes = []
    for p in history.points:
        for n, am in enumerate([None, *p.row.amendments]):
            date = p.inspection.date if am is None else am.date
            event = ("published" if p.inspection.date_basis != "fieldwork" else "placed") \
                if am is None else "amended"
            # The grade near the front: on a phone each row is a card, read top to bottom.
            rows.append([p.inspection.short_title, str(date) if date else "",
                         EVENT_LABELS[event], p.row.published if n == 0 else am.after,
                         p.scale_title, p.area_label])
        if p.row.amended:
            notes.append(f"{p.inspection.short_title}: {p.row.amendment_words()}. "
                         + " ".join(am.reason for am in p.row.amendments))
    return Chart(
        id=area_chart_id(key, history.id), title=f"{history.name}: grades over time",
        summary=_history_summary(history), figure=figure,
        columns=["Inspection", "Date", "Event", "Grade", "Scale",
                 "Area as named by the framework"],
        rows=rows, notes=notes, height=380, layout="table-first",
    )


@dataclass(frozen=True)
class _Mark:
    """A grade on an area's history chart: as published, or as amended."""

    point: HistoryPoint
    date: PartialDate | None
    grade: GradeView
    amended: bool
    #: For the hover: what it is, and the grade in words.
    title: str
    words: str


def _history_marks(point: HistoryPoint) -> list[_Mark]:
    """A history point's marks: the grade as published at the report's date, then each
    amended grade at its amendment's date."""
    row = point.row
    title = point.inspection.short_title
    marks = [_Mark(point, point.inspection.date, row.published, False, title,
                   row.published.label + (" as published" if row.amended else ""))]
    for am in row.amendments:
        marks.append(_Mark(point, am.date, am.after, True, f"{title}, amended {am.date.label}",
                           f"{am.after.label} (was {am.before.label})"))
    return marks


def _date_range(history: AreaHistory) -> list[str]:
    dates = [p.inspection.date for p in history.points if p.inspection.date]
    dates += [am.date for p in history.points for am in p.row.amendments]
    first, last = min(dates).start(), max(dates).end()
    return [f"{first.year - 1}-07-01", f"{last.year + 1}-06-30"]


def _scale_change_marks(segments: list[list[Any]]) -> tuple[list[dict[str, Any]],
                                                             list[dict[str, Any]]]:
    """A dashed vertical line and a note wherever the grading scale changes. The note ends
    at the line: on a phone the plot is narrower than the note, which would run out of the
    chart on the right, while on the left the grade names leave it room."""
    shapes, annotations = [], []
    for before, after in itertools.pairwise(segments):
        a, b = before[-1].inspection.date, after[0].inspection.date
        if a is None or b is None:
            continue
        middle = a.start() + (b.start() - a.start()) / 2
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": str(middle),
                       "x1": str(middle), "y0": 0, "y1": 1,
                       "line": {"color": "#505a5f", "width": 2, "dash": "dash"}})
        annotations.append({"xref": "x", "yref": "paper", "x": str(middle), "y": 1.08,
                            "showarrow": False, "xanchor": "right", "align": "right",
                            # Two short lines: one long one ran off a phone's screen.
                            "text": f"Scale changed:{BR}not directly comparable",
                            "font": {"size": 12, "color": "#505a5f"}})
    return shapes, annotations


def _history_summary(history: AreaHistory) -> str:
    graded = history.graded
    if not graded:
        return (f"{history.name} appears in {len(history.points)} inspection"
                f"{'s' if len(history.points) != 1 else ''} but has no confirmed grade.")
    first, last = graded[0], graded[-1]
    years = (f"in {first.inspection.year}" if first.inspection.year == last.inspection.year
             else f"between {first.inspection.year} and {last.inspection.year}")
    latest = f"{last.row.current.label.lower()} ({last.inspection.short_title}"
    if last.row.amended:
        latest += (f", as amended on {last.row.amendments[-1].date.label}; "
                   f"{last.row.published.label.lower()} as published")
    text = (f"{history.name} was graded {len(graded)} time{'s' if len(graded) != 1 else ''} "
            f"{years}; most recently {latest}).")
    if len(history.scales) > 1:
        text += (" The grading scale changed in between, so grades before and after the "
                 "change are not directly comparable.")
    return text


# -- headline grades, report by report ----------------------------------------------------------

def trend_charts(scope: Scope, content: Content) -> list[Chart]:
    """For each kind of inspection with two or more graded reports of the organisation, the
    trend of its headline grades (see trend_chart)."""
    charts = []
    for kind in content.site.kinds:
        views = [v for v in scope.graded_inspections if v.inspection.kind == kind]
        if len(views) >= 2:
            charts.append(trend_chart(scope, content, kind, views))
    return charts


@dataclass(frozen=True)
class _TrendBar:
    """One bar of the trend: a report's headline grades, as published or as amended."""

    version: GradeVersion
    level: str
    scale: str
    scale_title: str
    #: Its headline grades, those not graded left out (``not_graded`` counts them).
    grades: list[GradeView]
    not_graded: int
    labels: list[str]

    @property
    def graded(self) -> int:
        return sum(g.state == "graded" for g in self.grades)

    @property
    def unknown(self) -> int:
        return sum(g.state == "not-known" for g in self.grades)

    @property
    def counted(self) -> str:
        """What the bar counts, in words: "3 pillars graded", "no pillar graded: 2 not
        graded, 1 not known"."""
        one, several = LEVEL_WORDS[self.level]
        rest = [f"{n} {words}" for n, words in ((self.not_graded, "not graded"),
                                                (self.unknown, "not known")) if n]
        if not self.graded:
            return f"no {one} graded" + (f": {', '.join(rest)}" if rest else "")
        return ", ".join([f"{self.graded} {one if self.graded == 1 else several} graded",
                          *rest[1:]])

    def count(self, label: str) -> int | None:
        """How many of its grades are ``label`` (None: not a grade of its scale)."""
        if label != "Not known" and label not in self.labels:
            return None
        return sum(g.label == label for g in self.grades)


#: Each bar of the trend chart is a row this many pixels high: its name above, the bar below,
#: this many pixels thick.
TREND_ROW = 58
TREND_BAR = 26
#: On a phone, the trend chart's names in lines of at most this many characters.
TREND_LINE = 34


def trend_chart(scope: Scope, content: Content, kind: str,
                views: list[InspectionView]) -> Chart:
    """One kind's headline grades report by report, oldest first: each report's pillars
    where its framework has them (never its questions, which grade parts of the same
    ground), else its areas; as shares of the grades at that level, so that three pillars
    and ten areas can stand in one chart. Where the scale or what is counted changes, a
    row says so: grades on either side are not directly comparable."""
    bars: list[_TrendBar] = []
    for view in views:
        framework = content.frameworks[view.inspection.framework or ""]
        scale = content.scales[framework.scale]
        level = "pillar" if any(r.level == "pillar" for r in view.rows) else "area"
        for version in grade_versions(view):
            grades = [version.grades[r.area_id] for r in view.rows if r.level == level]
            bars.append(_TrendBar(version, level, scale.id, scale.title,
                                  [g for g in grades if g.state != "not-graded"],
                                  sum(g.state == "not-graded" for g in grades),
                                  [g.label for g in scale.grades]))
    # Every grade word of the scales used, best first (four-tier "Good" and five-tier "Good"
    # are one column: the same word on the same step).
    tones: dict[str, int] = {}
    for bar in bars:
        for label in bar.labels:
            tone = grade_view(label, content.scales[bar.scale]).tone
            tones.setdefault(label, tone if tone is not None else TONES)
    labels = sorted(tones, key=lambda label: tones[label])
    # The rows, top to bottom: a bar for each version of each report, and a row that says
    # so where the scale or what is counted changes.
    rows_y: list[str] = []
    changes: list[tuple[_TrendBar, list[str]]] = []
    for before, bar in itertools.pairwise([None, *bars]):
        what = [] if before is None else [
            words for words, changed in (("scale", before.scale != bar.scale),
                                         ("what is counted", before.level != bar.level))
            if changed]
        if what:
            changes.append((bar, what))
            rows_y.append(f"change-{len(changes)}")
        rows_y.append(bar.version.title)
    by_title = {bar.version.title: bar for bar in bars}
    traces = []
    for label in [*labels, "Not known"]:
        counts = {bar.version.title: bar.count(label) for bar in bars}
        if not any(counts.values()):
            continue
        tone = tones.get(label)
        x = [counts.get(y) for y in rows_y]
        traces.append({
            "type": "bar", "orientation": "h", "name": label, "y": rows_y, "x": x,
            "marker": {"color": TONE_COLOURS[tone] if tone is not None and tone < TONES
                       else NOT_KNOWN_COLOUR, "line": {"color": "#ffffff", "width": 1}},
            "text": [str(n) if n else "" for n in x], "textposition": "inside",
            "insidetextanchor": "middle",
            "textfont": {"color": "#ffffff" if tone in (0, TONES - 1) else FONT["color"]},
            "customdata": [f"{counts[bar.version.title]} of {bar.graded + bar.unknown} "
                           f"{LEVEL_WORDS[bar.level][1]}: {label.lower()}"
                           if bar is not None and counts[bar.version.title] else ""
                           for bar in (by_title.get(y) for y in rows_y)],
            "hovertemplate": "%{y}<br>%{customdata}<extra></extra>",
        })
    # Each bar's name above it, the full width of the chart (on a phone, names beside the
    # bars would leave them a third of the screen); a change of scale, across its row.
    names, narrow_names, shapes = [], [], []
    for bar in bars:
        name = {"xref": "paper", "yref": "y", "x": 0, "y": bar.version.title,
                "xanchor": "left", "yanchor": "bottom", "yshift": TREND_BAR // 2 + 2,
                "showarrow": False,
                # (no <b>: plotly sets bold as a style attribute, which the pages' Content
                # Security Policy refuses)
                "align": "left", "text": f"{bar.version.title} · {bar.counted}"}
        names.append(name)
        # On a phone: the name and what is counted on lines of their own.
        narrow_names.append({**name, "text": BR.join(
            [*wrap_text(bar.version.title, TREND_LINE), *wrap_text(bar.counted, TREND_LINE)])})
    changed = []
    for n, (_, what) in enumerate(changes, start=1):
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1,
                       "y0": f"change-{n}", "y1": f"change-{n}",
                       "line": {"color": "#505a5f", "width": 2, "dash": "dash"}})
        changed.append({"xref": "paper", "yref": "y", "x": 0.5, "y": f"change-{n}",
                        "showarrow": False, "bgcolor": "#ffffff",
                        "font": {"size": 12, "color": "#505a5f"},
                        "text": f"{' and '.join(what).capitalize()} changed:{BR}"
                                "not directly comparable"})
    widest = max(len(bar.version.title) + len(bar.counted) + 3 for bar in bars)
    lines = max(len(wrap_text(bar.version.title, TREND_LINE))
                + len(wrap_text(bar.counted, TREND_LINE))
                for bar in bars)
    narrow_row = TREND_BAR + 16 * lines + 12
    figure = {
        "data": traces,
        "layout": layout(
            barmode="stack", barnorm="percent", bargap=1 - TREND_BAR / TREND_ROW,
            showlegend=True,
            legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "bottom",
                    "yref": "container", "traceorder": "normal"},
            xaxis={"range": [0, 100], "tickmode": "array", "tickvals": [0, 25, 50, 75, 100],
                   "ticktext": ["0%", "25%", "50%", "75%", "100%"], "fixedrange": True,
                   "gridcolor": "#e5e5e5", "zeroline": False},
            yaxis={"autorange": "reversed", "fixedrange": True, "showticklabels": False,
                   "categoryorder": "array", "categoryarray": rows_y},
            shapes=shapes, annotations=[*names, *changed],
            margin={"l": 10, "r": 24, "t": 20, "b": 110},
        ),
    }
    kind_label = content.site.kinds[kind].label
    spans = []
    for level, group in itertools.groupby(bars, key=lambda bar: bar.level):
        members = list(group)
        first, last = members[0].version.summary, members[-1].version.summary
        spans.append(f"its {LEVEL_WORDS[level][1]}"
                     + (f" in {first.short_title}" if first is last else
                        f" from {first.short_title} to {last.short_title}"))
    summary = (f"How each {kind_label} report's headline grades were spread across the "
               f"scale: {join_words(spans)}.")
    for bar, what in changes:
        summary += (f" The {' and '.join(what)} changed at {bar.version.summary.short_title}"
                    " (the dashed line): grades on either side are not directly comparable.")
    for bar in bars:
        if bar.version.amended and bar.version.date:
            summary += (f" {bar.version.summary.short_title} has a bar as published and one "
                        f"as amended on {bar.version.date.label}.")
    notes = ["Each bar counts one report's headline grades: its pillars where its framework "
             "has them (the questions under them are left out, as they grade parts of the "
             "same ground), else its areas. Areas not graded are left out; grades no source "
             "confirms are shown as not known."]
    if len({bar.level for bar in bars}) > 1:
        notes.append("Pillars and areas are different units: a pillar covers several areas, "
                     "so a share of pillars and a share of areas are not the same measure.")
    notes += [f"{bar.version.title}: {bar.counted}." for bar in bars if not bar.graded]
    notes += [f"{view.summary.short_title}: {row.area_label}, {row.amendment_words()}. "
              + " ".join(am.reason for am in row.amendments)
              for view in views for row in view.summary.amended]
    rows: list[list[Cell]] = []
    for bar in bars:
        event = ("placed" if bar.version.summary.date_basis == "fieldwork" else "published") \
            if not bar.version.amended else "amended"
        rows.append([bar.version.title, str(bar.version.date) if bar.version.date else "",
                     EVENT_LABELS[event], bar.scale_title, LEVEL_WORDS[bar.level][1],
                     # (0 for a grade not on the report's scale: none could have it)
                     *[str(bar.count(label) or 0) for label in labels],
                     str(bar.unknown)])
    return Chart(
        id=trend_chart_id(scope.key, kind),
        title=f"{kind_label}: headline grades, report by report",
        summary=summary, figure=figure,
        columns=["Report", "Date", "Event", "Scale", "Counted", *labels, "Not known"],
        rows=rows, notes=notes, layout="chart-first", table_toggle=True,
        height=130 + TREND_ROW * len(rows_y),
        # Narrower than its longest name on one line: names on lines of their own, rows
        # as high as they need, and the legend's entries one under another.
        min_width=round(widest * FONT["size"] * 0.6) + 40,
        narrow={"layout": {"annotations": [*narrow_names, *changed],
                           "bargap": 1 - TREND_BAR / narrow_row,
                           "margin": {"l": 10, "r": 24, "t": 16 * lines, "b": 200}},
                "height": 200 + 16 * lines + narrow_row * len(rows_y), "min_width": 0},
    )


# -- the timeline ------------------------------------------------------------------------------

#: Each kind of event its own symbol (and a publication or an amendment its own colour).
EVENT_SYMBOLS = {"fieldwork": "line-ew", "published": "circle", "placed": "circle-open",
                 "amended": "diamond",
                 "response": "triangle-up", "coverage": "square", "press-release": "star",
                 "letter": "triangle-down", "report": "pentagon", "data": "hexagon"}
EVENT_COLOURS = {"published": "#1d4f91", "placed": "#1d4f91", "amended": "#a63603"}
#: Markers in one lane closer than this share of the years shown are set one above the
#: other, so that none hides another (on a phone a year is about 15 pixels wide).
NEAR = 1 / 16
#: Where such markers go, from the lane's line, in lanes: on it, above, below, then further.
SLOTS = [0.0, 0.2, -0.2, 0.4, -0.4]


def timeline_chart(scope: Scope, content: Content) -> Chart | None:
    """Every dated event on one time axis, one lane per kind of inspection."""
    events = scope.timeline
    if not events:
        return None
    kinds = content.site.kinds
    lanes = [k for k in kinds if any(e.inspection.kind == k for e in events)]
    # The first kind on top: lanes count down the y axis.
    lane_y = {k: len(lanes) - 1 - i for i, k in enumerate(lanes)}
    traces: list[dict[str, Any]] = []
    # Fieldwork periods as bars: one trace, segments separated by gaps.
    xs: list[str | None] = []
    ys: list[float | None] = []
    for e in events:
        if e.type == "fieldwork":
            xs += [str(e.date.start()), str((e.end or e.date).end()), None]
            ys += [lane_y[e.inspection.kind], lane_y[e.inspection.kind], None]
    if xs:
        traces.append({"type": "scatter", "mode": "lines", "name": "Fieldwork", "x": xs,
                       "y": ys, "line": {"color": "#505a5f", "width": 10},
                       "hoverinfo": "skip", "connectgaps": False})
    years = [e.date.year for e in events]
    markers = _timeline_markers([e for e in events if e.type != "fieldwork"], lane_y,
                                (max(years) + 1 - min(years)) * 365.25 * NEAR)
    for event_type in ("published", "placed", "amended", "response", "coverage",
                       "press-release", "letter", "report", "data"):
        chosen = [(group, y) for group, y in markers if group[0].type == event_type]
        if not chosen:
            continue
        traces.append({
            "type": "scatter", "mode": "markers", "name": chosen[0][0][0].type_label,
            "x": [str(group[0].date.start()) for group, _ in chosen],
            "y": [y for _, y in chosen],
            "customdata": [[BR.join(e.title for e in group), group[0].date.label,
                            BR.join(e.detail for e in group if e.detail), group[0].url]
                           for group, _ in chosen],
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
                             "%{customdata[2]}<extra></extra>",
            "cliponaxis": False,  # a marker at either end of the years is drawn whole
            "marker": {"size": 12, "symbol": EVENT_SYMBOLS[event_type],
                       "color": EVENT_COLOURS.get(event_type, "#ffffff"),
                       "line": {"color": "#0b0c0c", "width": 1.5}},
        })
    figure = {
        "data": traces,
        "layout": layout(
            # Years, as many as fit: every year on a wide screen, every other or fifth on a
            # phone (one label a year there would overlap).
            xaxis={"type": "date", "range": [f"{min(years)}-01-01", f"{max(years) + 1}-01-01"],
                   "fixedrange": True, "gridcolor": "#e5e5e5", "tickformat": "%Y"},
            yaxis={"tickmode": "array", "tickvals": [lane_y[k] for k in lanes],
                   "ticktext": [kinds[k].label for k in lanes],
                   "range": [-0.6, len(lanes) - 0.4], "zeroline": False,
                   "fixedrange": True, "automargin": True, "gridcolor": "#e5e5e5"},
            showlegend=True, legend={"orientation": "h", "y": -0.2},
            margin={"l": 10, "r": 10, "t": 10, "b": 40},
        ),
    }
    counts = {t: sum(1 for e in events if e.type == t)
              for t in ("published", "placed", "fieldwork")}
    reports = counts["published"] + counts["placed"]
    its = "its" if counts["placed"] == 1 else "their"
    undated = (f" ({counts['placed']} of them placed at the end of {its} fieldwork: {its} "
               "publication date is not known)" if counts["placed"] else "")
    summary = (f"{reports} report{'s' if reports != 1 else ''}{undated} and "
               f"{counts['fieldwork']} periods of fieldwork from {min(years)} to {max(years)}, "
               "with amendments, responses and coverage, by kind of inspection.")
    rows: list[list[Cell]] = [[str(e.date), e.type_label, kinds[e.inspection.kind].label,
                               e.title, e.detail or ""] for e in events]
    return Chart(
        id=scope_chart_ids(scope.key)[1], title="Timeline of inspections", summary=summary,
        figure=figure,
        columns=["Date", "Event", "Kind", "Title", "Detail"], rows=rows,
        height=140 + 80 * len(lanes), layout="chart-first", table_toggle=True,
    )


def _timeline_markers(events: list[TimelineEvent], lane_y: dict[str, int],
                      near_days: float) -> list[tuple[list[TimelineEvent], float]]:
    """The timeline's markers: events of one type on one day in one lane are one marker
    (its hover lists them all); a marker closer than ``near_days`` to another in its lane
    goes in the next free slot above or below the lane's line."""
    groups: dict[tuple[str, str, Any], list[TimelineEvent]] = {}
    for e in events:
        groups.setdefault((e.inspection.kind, e.type, e.date.start()), []).append(e)
    placed: list[tuple[list[TimelineEvent], float]] = []
    last: dict[tuple[str, float], Any] = {}  # (lane, slot) -> the date of its latest marker
    for (kind, _, day), group in sorted(groups.items(), key=lambda item: item[0][2]):
        free = [slot for slot in SLOTS if (kind, slot) not in last
                or (day - last[(kind, slot)]).days >= near_days]
        slot = free[0] if free else min(SLOTS, key=lambda s: last[(kind, s)])
        last[(kind, slot)] = day
        placed.append((group, lane_y[kind] + slot))
    return placed
