"""Chart specifications: a Plotly figure, a table, a summary and a CSV for every chart.

This module holds what every chart shares (the Chart, its ids and files, the colours, the
escaping of text for plotly) and the small charts of one report; heatmaps.py and
timecharts.py make the others.

Figures are plain dicts in Plotly's figure format (building plotly.graph_objects figures costs
~50 times as much and adds a 7 KB template to each); the tests pass every figure through
plotly.graph_objects to prove it valid. A chart is never only a picture: its table carries
the same data in words, and the page shows the table whether or not the chart loads.

Where the grading scale changes between two points, charts mark the change and never draw a
line across it: HMICFRS says grades on the two scales are not directly comparable.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from .csvfile import csv_file
from .datapackage import NOT_ASSESSED, chart_csv_columns, date_cells
from .dates import PartialDate
from .grades import LEVEL_WORDS, GradeView
from .model import NOT_KNOWN
from .render import script_safe_json
from .views import InspectionView, TimelineEvent

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


def layout(**extra: Any) -> dict[str, Any]:
    base = {
        "font": FONT, "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "dragmode": False,
        "hoverlabel": {"font": {"family": FONT["family"], "size": 13}},
        "showlegend": False,
    }
    base.update(extra)
    return base


def tone_value(grade: GradeView) -> float | None:
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
            "marker": {"color": [grade_colour(tones.get(label)) for label in labels],
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
                     + join_words([f"{n} {label.lower()}" for label, n in counts.items()]))
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
        "layout": layout(
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


def grade_colour(grade: GradeView | None) -> str:
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
    stated = join_words([f"{r.count} rated {r.rating.lower()}" for r in cf.ratings])
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
        "layout": layout(
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



def join_words(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def timeline_events_by_year(events: list[TimelineEvent]) -> list[tuple[int, list[TimelineEvent]]]:
    """Events grouped by year, for the semantic list."""
    by_year: dict[int, list[TimelineEvent]] = {}
    for e in events:
        by_year.setdefault(e.date.year, []).append(e)
    return sorted(by_year.items())


def wrap_text(text: str, width: int) -> list[str]:
    """A label's lines, broken between words (not at hyphens: "anti-social" stays whole)."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [text]
