"""Chart specifications: a Plotly figure, a table, a summary and a CSV for every chart.

Figures are plain dicts in Plotly's figure format (building plotly.graph_objects figures costs
~50 times as much and adds a 7 KB template to each); the tests pass every figure through
plotly.graph_objects to prove it valid. A chart is never only a picture: its table carries
the same data in words, and the page shows the table whether or not the chart loads.

Where the grading scale changes between two points, charts mark the change and never draw a
line across it: HMICFRS says grades on the two scales are not directly comparable.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass, field
from typing import Any

from .csvfile import csv_file
from .datapackage import NOT_ASSESSED, chart_csv_columns, date_cells
from .dates import PartialDate
from .model import NOT_KNOWN
from .render import script_safe_json
from .resolve import Content
from .rounds import RoundView
from .views import (
    EVENT_LABELS,
    LEVEL_WORDS,
    TONES,
    AreaHistory,
    GradeVersion,
    GradeView,
    HistoryPoint,
    InspectionView,
    Scope,
    TimelineEvent,
    grade_versions,
    grade_view,
)

#: Fill colours for grade tones, best (0) to worst; the same as the badges in style.css.
TONE_COLOURS = ["#08519c", "#9ecae1", "#f0e9c8", "#fdae6b", "#a63603"]
NOT_GRADED_COLOUR = "#ffffff"
NOT_KNOWN_COLOUR = "#d8d8d8"
#: Names for the tone steps on a shared axis: the five-tier words, which include the
#: four-tier ones (four-tier "Good" and five-tier "Good" sit on the same step).
TONE_AXIS = ["Outstanding", "Good", "Adequate", "Requires improvement", "Inadequate"]
ABBREVIATIONS = {"Outstanding": "O", "Good": "G", "Adequate": "A", "Requires improvement": "RI",
                 "Inadequate": "I", "Not graded": "NG", "Not known": "?"}
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif", "size": 13,
        "color": "#1b1b1b"}
#: Interaction suited to reading on a phone: no mode bar, no accidental zoom or pan.
CONFIG = {"displayModeBar": False, "responsive": True, "scrollZoom": False,
          "doubleClick": False, "showTips": False}

Cell = str | GradeView | None


@dataclass
class Chart:
    """One chart: what the figure shows, and the same data as a table and a CSV."""

    id: str
    title: str
    summary: str
    figure: dict[str, Any]
    columns: list[str]
    rows: list[list[Cell]]
    #: Columns that name the row (rendered as row headers).
    header_columns: int = 1
    notes: list[str] = field(default_factory=list)
    height: int = 360
    #: The narrowest the chart can be drawn legibly, in pixels (0: any width). On a
    #: narrower screen it is drawn this wide and scrolls sideways, as wide tables do.
    min_width: int = 0
    #: "side": the table first and the chart beside it on wide screens (below it on narrow
    #: ones, so that a phone paints text first); "table-first": the table above the chart;
    #: "chart-first": the chart above its table.
    layout: str = "side"
    #: Put the table one toggle away (where the page already lists the same data).
    table_toggle: bool = False
    #: For a screen narrower than min_width: what to draw instead (see narrow_heatmap).
    narrow: dict[str, Any] | None = None
    #: How the table reads on a phone: "stack" (each row a card, every cell labelled with
    #: its column), "held" (a grid that scrolls sideways with its first column held in
    #: place: for a matrix of grades) or "plain" (narrow enough as it is).
    table_style: str = "stack"

    @property
    def csv_path(self) -> str:
        """Where the chart's CSV goes in the site."""
        return chart_csv_path(self.id)

    def csv_bytes(self) -> bytes:
        """The table's data as a CSV file (csvfile.py), in the data dictionary's words
        (datapackage.py): a grade's status in words, a date whole with its precision."""
        dates = {i for i, name in enumerate(self.columns) if name == "Date"}
        return csv_file(chart_csv_columns(self.columns),
                        (_csv_row(row, dates) for row in self.rows))

    def figure_json(self) -> str:
        """The figure and its config as JSON that is safe inside a <script> element, with
        every text as plotly should show it (see plotly_text)."""
        extra = {"narrow": self.narrow} if self.narrow else {}
        return script_safe_json(plotly_text({**self.figure, "config": CONFIG, **extra}))

    @property
    def trace_count(self) -> int:
        """How many traces the figure has (the browser tests compare this)."""
        return len(self.figure["data"])


#: Line breaks and bold in texts that hold content, written as characters that content
#: cannot hold (load.py refuses these noncharacters) and made markup by plotly_text.
BR, BOLD, END_BOLD = "\ufdd0", "\ufdd1", "\ufdd2"
_OWN_MARKUP = {BR: "<br>", BOLD: "<b>", END_BOLD: "</b>"}
#: Keys whose texts this module writes itself, with markup and %{...} fields (plotly puts
#: the fields' values in as they are: they are texts like any other, made safe below).
_TEMPLATES = {"hovertemplate", "texttemplate"}


def plotly_text(value: Any) -> Any:
    """A figure's texts as plotly should show them. plotly reads markup in every text it
    draws (labels, hovers, titles, even category names), links included: each '<', '>' and
    '&' is written as an entity, which plotly shows as the character, and then this
    module's own line breaks and bold (BR, BOLD, END_BOLD) become markup."""
    if isinstance(value, str):
        if any(c in value for c in "<>&"):
            value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if any(c in value for c in _OWN_MARKUP):
            value = "".join(_OWN_MARKUP.get(c, c) for c in value)
        return value
    if isinstance(value, dict):
        return {key: item if key in _TEMPLATES else plotly_text(item)
                for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plotly_text(item) for item in value]
    return value


# Chart ids name the charts' CSV files, which share one folder: made from content ids, two
# could be the same (pages.output_clashes checks the site's before anything is written).

def chart_csv_path(chart_id: str) -> str:
    """Where a chart's CSV goes in the site."""
    return f"data/charts/{chart_id}.csv"


def inspection_chart_ids(inspection_id: str) -> tuple[str, str]:
    """The ids of an inspection's charts: its grades, and its case files."""
    return f"grades-{inspection_id}", f"case-files-{inspection_id}"


def area_chart_id(key: str, area_id: str) -> str:
    """The id of an area's chart of grades over time (``key``: the scope's, see Scope.key)."""
    return f"{key}history-{area_id}"


def scope_chart_ids(key: str) -> tuple[str, str]:
    """The ids of an organisation's (or a single-organisation site's) charts: grades by area,
    and the timeline."""
    return f"{key}grades-by-area", f"{key}timeline"


def trend_chart_id(key: str, kind: str) -> str:
    """The id of an organisation's chart of headline grades, report by report, for one
    kind of inspection (``key``: the scope's, see Scope.key)."""
    return f"{key}trend-{kind}"


def round_chart_id(round_id: str) -> str:
    """The id of the chart of every organisation's grades in one round."""
    return f"round-{round_id}"


def _csv_row(row: list[Cell], dates: set[int]) -> list[str | None]:
    out: list[str | None] = []
    for i, cell in enumerate(row):
        if i in dates:
            out += date_cells(PartialDate.parse(cell) if cell else None)
        else:
            out.append(cell_text(cell))
    return out


def cell_text(cell: Cell) -> str:
    """A table cell as the CSV file gives it (None: the area was not assessed)."""
    if cell is None:
        return NOT_ASSESSED
    if isinstance(cell, GradeView):
        return cell.label if cell.state == "graded" else cell.state.replace("-", " ")
    return cell


def _layout(**extra: Any) -> dict[str, Any]:
    base = {
        "font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "dragmode": False,
        "hoverlabel": {"font": {"family": FONT["family"], "size": 13}},
        "showlegend": False,
    }
    base.update(extra)
    return base


def _tone_value(grade: GradeView) -> float | None:
    return float(grade.tone) if grade.tone is not None else None


# -- grade distribution of one inspection ---------------------------------------------------

def distribution_chart(view: InspectionView, scale_labels: list[str]) -> Chart | None:
    """How many areas got each grade of the scale, level by level (pillars and questions
    are never added up: see views.Level), as the grades stand after any amendment and as
    published."""
    levels = view.summary.counts
    if not any(grade.state == "graded" for level in levels for grade, _ in level.counts):
        return None
    published = {(level.level, grade.label): n for level in view.summary.published_counts
                 for grade, n in level.counts}
    unknown = any(grade.state == "not-known" for level in levels for grade, _ in level.counts)
    labels = [*scale_labels, *(["Not known"] if unknown else [])]
    traces, rows, parts = [], [], []
    for level in levels:
        counts = {grade.label: n for grade, n in level.counts}
        tones = {grade.label: grade for grade, _ in level.counts}
        one, several = LEVEL_WORDS[level.level]
        traces.append({
            "type": "bar", "orientation": "h", "y": labels, "name": several.capitalize(),
            "x": [counts.get(label, 0) for label in labels],
            "marker": {"color": [_grade_colour(tones.get(label)) for label in labels],
                       "line": {"color": "#0b0c0c", "width": 1}},
            # Each bar says what it counts: on a page of pillars and questions, a colour
            # alone would not tell them apart.
            "text": [f"{counts[label]} {one if counts[label] == 1 else several}"
                     if counts.get(label) else "" for label in labels],
            "textposition": "outside", "cliponaxis": False,
            "hovertemplate": "%{y}: %{text}<extra></extra>",
        })
        # In the table and its CSV a missing grade is in the data dictionary's words.
        rows += [[several, label if label in scale_labels else NOT_KNOWN,
                  str(counts.get(label, 0)), str(published.get((level.level, label), 0))]
                 for label in labels]
        parts.append(f"of the {sum(counts.values())} {several} "
                     f"{'assessed' if unknown else 'graded'}, "
                     + _join([f"{n} {label.lower()}" for label, n in counts.items()]))
    amended = view.summary.amended
    summary = "; ".join(parts).capitalize() + "."
    notes = []
    if amended:
        summary += " The counts include the grade amended after publication."
        notes = [f"Amended after publication: {row.area_label}, {row.amendment_words()}. "
                 "The column 'Count as published' gives the counts before the amendment."
                 for row in amended]
    figure = {
        "data": traces,
        "layout": _layout(
            barmode="group",
            xaxis={"title": {"text": "Number"}, "dtick": 1, "rangemode": "tozero",
                   "fixedrange": True, "gridcolor": "#e5e5e5"},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            margin={"l": 10, "r": 80, "t": 10, "b": 50},
        ),
    }
    return Chart(
        id=inspection_chart_ids(view.summary.id)[0],
        title=f"Grades given in {view.summary.short_title}",
        summary=summary, figure=figure,
        columns=["Level", "Grade", "Count", "Count as published"], rows=rows, notes=notes,
        height=60 + (14 + 26 * len(traces)) * len(labels),
        # The judgments table above lists every grade: this one, as wide as a phone, can
        # wait a toggle away.
        layout="chart-first", table_toggle=True, table_style="stack", header_columns=2,
    )


def _grade_colour(grade: GradeView | None) -> str:
    if grade is None:
        return "#cccccc"
    if grade.tone is not None:
        return TONE_COLOURS[grade.tone]
    return NOT_KNOWN_COLOUR if grade.state == "not-known" else NOT_GRADED_COLOUR


# -- case-file ratings ------------------------------------------------------------------------

def case_file_chart(view: InspectionView) -> Chart | None:
    """Ratings of audited case files, with the files whose rating is not stated."""
    cf = view.inspection.case_files
    if cf is None:
        return None
    labels = [r.rating for r in cf.ratings]
    counts = [r.count for r in cf.ratings]
    unstated = cf.total - sum(counts)
    if unstated:
        labels.append("Rating not stated")
        counts.append(unstated)
    stated = _join([f"{r.count} rated {r.rating.lower()}" for r in cf.ratings])
    summary = f"Of {cf.total} case files examined, {stated}" + (
        f"; the sources do not state the ratings of the other {unstated}." if unstated else ".")
    colours = ["#9ecae1" if "good" in label.lower() else "#a63603" if "inadequate" in
               label.lower() else "#d8d8d8" for label in labels]
    figure = {
        "data": [{
            "type": "bar", "orientation": "h", "y": labels, "x": counts,
            "marker": {"color": colours, "line": {"color": "#0b0c0c", "width": 1}},
            "text": [str(c) for c in counts], "textposition": "outside", "cliponaxis": False,
            "hovertemplate": "%{y}: %{x} files<extra></extra>",
        }],
        "layout": _layout(
            xaxis={"title": {"text": "Case files"}, "rangemode": "tozero", "fixedrange": True,
                   "range": [0, cf.total], "gridcolor": "#e5e5e5"},
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True},
            margin={"l": 10, "r": 30, "t": 10, "b": 50},
        ),
    }
    return Chart(
        id=inspection_chart_ids(view.summary.id)[1],
        title=f"Case files rated, {view.summary.short_title}",
        summary=summary, figure=figure, columns=["Rating", "Files"],
        rows=[[label, str(n)] for label, n in zip(labels, counts, strict=True)],
        notes=[cf.note] if cf.note else [], height=60 + 45 * len(labels), table_style="plain",
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
            "y": [_tone_value(m.grade) for m in marks],
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
        "layout": _layout(
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


# -- heatmaps -----------------------------------------------------------------------------------

#: Heatmap cell values: tones 0-4, then "not graded" and "not known"; None where not assessed.
_HEAT_COLOURS = [*TONE_COLOURS, NOT_GRADED_COLOUR, NOT_KNOWN_COLOUR]


def _heat_value(grade: GradeView | None) -> int | None:
    if grade is None:
        return None
    if grade.tone is not None:
        return grade.tone
    return 5 if grade.state == "not-graded" else 6


def _grade_heatmap(z: list[list[int | None]], x: list[str], y: list[str],
                   text: list[list[str]], hover: list[list[str]]) -> dict[str, Any]:
    """A heatmap trace on the grade palette, one colour band per cell value."""
    steps = len(_HEAT_COLOURS)
    colorscale: list[list[Any]] = []
    for i, colour in enumerate(_HEAT_COLOURS):
        colorscale += [[i / steps, colour], [(i + 1) / steps, colour]]
    return {
        "type": "heatmap", "z": z, "x": x, "y": y, "text": text, "texttemplate": "%{text}",
        "hovertext": hover, "hovertemplate": "%{hovertext}<extra></extra>",
        "colorscale": colorscale, "zmin": -0.5, "zmax": steps - 0.5, "showscale": False,
        "xgap": 2, "ygap": 2, "hoverongaps": False,
    }


def heatmap_chart(scope: Scope, content: Content) -> Chart | None:
    """Every canonical area against every graded inspection of one organisation; a report
    with an amended grade has a column as published and one from the amendment's date."""
    inspections = scope.graded_inspections
    areas = [a for a in scope.areas if a.points]
    if not inspections or not areas:
        return None
    columns: list[GradeVersion] = []
    scales: list[str] = []
    for view in inspections:
        versions = grade_versions(view)
        columns += versions
        scales += [content.frameworks[view.inspection.framework or ""].scale] * len(versions)
    z, text, hover = [], [], []
    for area in areas:
        z_row, t_row, h_row = [], [], []
        for version in columns:
            grade = version.grades.get(area.id)
            if grade is None:
                z_row.append(None)
                t_row.append("")
                h_row.append(f"{area.name}{BR}{version.title}{BR}not assessed")
                continue
            z_row.append(_heat_value(grade))
            t_row.append(ABBREVIATIONS.get(grade.label, grade.label))
            h_row.append(f"{area.name}{BR}{version.title}{BR}{BOLD}{grade.label}{END_BOLD}")
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    shapes = []
    for i in range(1, len(scales)):
        if scales[i] != scales[i - 1]:
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": i - 0.5,
                           "x1": i - 0.5, "y0": -0.02, "y1": 1.02,
                           "line": {"color": "#0b0c0c", "width": 3}})
    titles = [_wrap(version.title, ROTATED_LINE) for version in columns]
    # Long area names on two lines (never more: a row is two lines high), so that on a
    # phone the names leave room for the grid.
    names = [_wrap(a.name, max(ROTATED_LINE, len(a.name) // 2 + 6)) for a in areas]
    figure = {
        "data": [_grade_heatmap(z, [version.title for version in columns],
                                [a.name for a in areas], text, hover)],
        "layout": _layout(
            xaxis={"side": "top", "tickangle": -45, "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": [version.title for version in columns],
                   "ticktext": [BR.join(lines) for lines in titles]},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": [a.name for a in areas],
                   "ticktext": [BR.join(lines) for lines in names]},
            shapes=shapes, plot_bgcolor="#f3f2f1",
            margin={"l": 10, "r": _rotated_extent(titles[-1]), "t": 10, "b": 10},
        ),
    }
    rows: list[list[Cell]] = [[a.name, *[version.grades.get(a.id) for version in columns]]
                              for a in areas]
    changes = [columns[i].summary.short_title for i in range(1, len(scales))
               if scales[i] != scales[i - 1]]
    summary = (f"Grades for {len(areas)} areas across {len(inspections)} graded inspections, "
               f"from {columns[0].summary.short_title} to {columns[-1].summary.short_title}.")
    if changes:
        summary += (f" The grading scale changed at {_join(changes)} (marked by a thick line): "
                    "grades on either side are not directly comparable.")
    notes = ["Blank: the area was not assessed by that inspection's framework. "
             "O Outstanding, G Good, A Adequate, RI Requires improvement, I Inadequate, "
             "NG not graded, ? not known."]
    for view in inspections:
        if view.summary.amended:
            summary += (f" A grade of {view.summary.short_title} was amended after "
                        "publication: the report has a column as published and one from the "
                        "amendment's date.")
        notes += [f"{view.summary.short_title}: {row.area_label}, {row.amendment_words()}. "
                  + " ".join(am.reason for am in row.amendments)
                  for row in view.summary.amended]
    return Chart(
        id=scope_chart_ids(scope.key)[0], title="Grades by area and inspection",
        summary=summary,
        figure=figure, columns=["Area", *[version.title for version in columns]], rows=rows,
        layout="chart-first", table_style="held", notes=notes,
        height=max(300, 32 * len(areas) + 160),
        min_width=_heatmap_min_width([line for lines in names for line in lines], titles),
        narrow=narrow_heatmap(figure, [a.name for a in areas], titles, 160),
    )


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
            [*_wrap(bar.version.title, TREND_LINE), *_wrap(bar.counted, TREND_LINE)])})
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
    lines = max(len(_wrap(bar.version.title, TREND_LINE)) + len(_wrap(bar.counted, TREND_LINE))
                for bar in bars)
    narrow_row = TREND_BAR + 16 * lines + 12
    figure = {
        "data": traces,
        "layout": _layout(
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
               f"scale: {_join(spans)}.")
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
        "layout": _layout(
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


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def timeline_events_by_year(events: list[TimelineEvent]) -> list[tuple[int, list[TimelineEvent]]]:
    """Events grouped by year, for the semantic list."""
    by_year: dict[int, list[TimelineEvent]] = {}
    for e in events:
        by_year.setdefault(e.date.year, []).append(e)
    return sorted(by_year.items())


def round_heatmap_chart(round_view: RoundView) -> Chart:
    """Every organisation's grades under one framework: organisations by areas."""
    z, text, hover = [], [], []
    for row in round_view.rows:
        z.append([_heat_value(g) for g in row.grades])
        text.append([ABBREVIATIONS.get(g.label, g.label) if g is not None else ""
                     for g in row.grades])
        notes = row.notes or [None] * len(row.grades)
        hover.append([f"{row.organisation_name}{BR}{label}{BR}{BOLD}"
                      f"{g.label if g is not None else 'not assessed'}{END_BOLD}"
                      + (f"{BR}{note}" if note else "")
                      for label, g, note in zip(round_view.area_labels, row.grades, notes,
                                                strict=True)])
    # Area names run to sixty characters: set at an angle on one line, the longest would
    # stand taller than the grid and run past the right edge (plotly then cuts them off, or
    # drops every other one). Wrapped into short lines and given room worked out here, every
    # name is shown whole; each column is wide enough for its name's lines not to touch the
    # next, so a phone scrolls the chart sideways rather than squeeze it.
    wrapped = [_wrap(label, ROTATED_LINE) for label in round_view.area_labels]
    room = max(_rotated_extent(lines) for lines in wrapped)
    figure = {
        "data": [_grade_heatmap(z, round_view.area_labels,
                                [r.organisation_name for r in round_view.rows], text, hover)],
        "layout": _layout(
            xaxis={"side": "top", "tickangle": -45, "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": round_view.area_labels,
                   "ticktext": [BR.join(lines) for lines in wrapped]},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
            plot_bgcolor="#f3f2f1",
            margin={"l": 10, "r": _rotated_extent(wrapped[-1]), "t": room, "b": 10},
        ),
    }
    rows: list[list[Cell]] = [[r.organisation_name, *r.grades] for r in round_view.rows]
    amended = [f"{row.organisation_name}, {label}: {note}."
               for row in round_view.rows
               for label, note in zip(round_view.area_labels, row.notes, strict=True) if note]
    return Chart(
        id=round_chart_id(round_view.framework_id), title=f"{round_view.title}: every organisation",
        summary=f"Grades of {round_view.organisation_count} organisations in "
                f"{len(round_view.area_ids)} areas under {round_view.title}, each "
                "organisation's latest inspection under that framework"
                + ("; a report with a grade amended after publication has a row as "
                   "published too." if amended else "."),
        figure=figure, columns=["Organisation", *round_view.area_labels], rows=rows,
        layout="chart-first", table_toggle=True, table_style="held",
        notes=["O Outstanding, G Good, A Adequate, RI Requires improvement, I Inadequate, "
               "NG not graded, ? not known.", *amended],
        height=24 * len(round_view.rows) + room + 30,
        min_width=_heatmap_min_width([r.organisation_name for r in round_view.rows], wrapped),
        narrow=narrow_heatmap(figure, [r.organisation_name for r in round_view.rows], wrapped,
                              room + 30),
    )


#: The longest line of an area name set at an angle above a heatmap, in characters.
ROTATED_LINE = 30


def _wrap(text: str, width: int) -> list[str]:
    """A label's lines, broken between words (not at hyphens: "anti-social" stays whole)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]


#: On a phone, a heatmap's row names in lines of about this many characters, at this size.
NARROW_LINE = 18
NARROW_FONT = 11


def narrow_heatmap(figure: dict[str, Any], row_names: list[str],
                   column_labels: list[list[str]], room: int) -> dict[str, Any]:
    """How a heatmap is drawn on a phone, where it scrolls sideways: its row names in short
    lines of smaller type (at most three a name), so that held at the left while the grid
    scrolls (charts.js) they leave most of the screen to the grid; the rows as tall as the
    lines need. ``room``: the height above and below the grid. charts.js puts ``layout``
    over the figure's layout and draws it ``height`` high and at least ``min_width`` wide."""
    lines = [_wrap(name, max(NARROW_LINE, -(-len(name) // 3) + 2)) for name in row_names]
    yaxis = {**figure["layout"]["yaxis"], "tickmode": "array", "tickvals": row_names,
             "ticktext": [BR.join(name) for name in lines],
             "tickfont": {"size": NARROW_FONT}}
    tallest = max(len(name) for name in lines)
    return {
        "layout": {"yaxis": yaxis},
        "height": room + len(row_names) * max(26, round(tallest * NARROW_FONT * 1.25) + 4),
        "min_width": _heatmap_min_width([line for name in lines for line in name],
                                        column_labels, NARROW_FONT),
    }


def _heatmap_min_width(row_names: list[str], column_labels: list[list[str]],
                       size: int = FONT["size"]) -> int:
    """The narrowest a heatmap can be drawn with every row name whole, columns wide enough
    for a two-letter grade and for their angled labels' lines not to touch, and room for
    the last label to the right: on a narrower screen it scrolls sideways rather than
    squeeze (plotly would cut the names off and crowd the labels)."""
    names = max((len(name) for name in row_names), default=0)
    column = max(34, 26 * max((len(lines) for lines in column_labels), default=1))
    return (round(names * size * 0.55) + 30 + column * len(column_labels)
            + _rotated_extent(column_labels[-1] if column_labels else [""]))


def _rotated_extent(lines: list[str]) -> int:
    """How far, in pixels, a tick label of these lines set at 45 degrees reaches up (and
    right) from its tick: a generous average glyph width for the chart font's size, and
    the line height for each further line."""
    width = max(len(line) for line in lines) * FONT["size"] * 0.55
    return round((width + (len(lines) - 1) * FONT["size"] * 1.3) * 0.71) + 14
