"""Heatmaps of grades: an organisation's areas by report, and a round's organisations by area.

Each cell is a grade's tone, "not graded", "not known" or empty where the report's framework
has no such area; on a phone the row names are held at the left (see narrow_heatmap) while
the grid scrolls.
"""

from __future__ import annotations

from typing import Any

from .charts import (
    ABBREVIATIONS,
    BOLD,
    BR,
    END_BOLD,
    FONT,
    NOT_GRADED_COLOUR,
    NOT_KNOWN_COLOUR,
    TONE_COLOURS,
    Cell,
    Chart,
    join_words,
    layout,
    round_chart_id,
    scope_chart_ids,
    wrap_text,
)
from .grades import GradeView
from .resolve import Content
from .rounds import RoundView
from .views import GradeVersion, Scope, grade_versions

# -- heatmaps -----------------------------------------------------------------------------------

#: Heatmap cell values: tones 0-4, then "not graded" and "not known"; None where not assessed.
HEAT_COLOURS = [*TONE_COLOURS, NOT_GRADED_COLOUR, NOT_KNOWN_COLOUR]


def heat_value(grade: GradeView | None) -> int | None:
    if grade is None:
        return None
    if grade.tone is not None:
        return grade.tone
    return 5 if grade.state == "not-graded" else 6


def grade_heatmap(z: list[list[int | None]], x: list[str], y: list[str],
                   text: list[list[str]], hover: list[list[str]]) -> dict[str, Any]:
    """A heatmap trace on the grade palette, one colour band per cell value."""
    steps = len(HEAT_COLOURS)
    colorscale: list[list[Any]] = []
    for i, colour in enumerate(HEAT_COLOURS):
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
            z_row.append(heat_value(grade))
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
    titles = [wrap_text(version.title, ROTATED_LINE) for version in columns]
    # Long area names on two lines (never more: a row is two lines high), so that on a
    # phone the names leave room for the grid.
    names = [wrap_text(a.name, max(ROTATED_LINE, len(a.name) // 2 + 6)) for a in areas]
    figure = {
        "data": [grade_heatmap(z, [version.title for version in columns],
                                [a.name for a in areas], text, hover)],
        "layout": layout(
            xaxis={"side": "top", "tickangle": -45, "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": [version.title for version in columns],
                   "ticktext": [BR.join(lines) for lines in titles]},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": [a.name for a in areas],
                   "ticktext": [BR.join(lines) for lines in names]},
            shapes=shapes, plot_bgcolor="#f3f2f1",
            margin={"l": 10, "r": rotated_extent(titles[-1]), "t": 10, "b": 10},
        ),
    }
    rows: list[list[Cell]] = [[a.name, *[version.grades.get(a.id) for version in columns]]
                              for a in areas]
    changes = [columns[i].summary.short_title for i in range(1, len(scales))
               if scales[i] != scales[i - 1]]
    summary = (f"Grades for {len(areas)} areas across {len(inspections)} graded inspections, "
               f"from {columns[0].summary.short_title} to {columns[-1].summary.short_title}.")
    if changes:
        summary += (f" The grading scale changed at {join_words(changes)} "
                    "(marked by a thick line): "
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
        min_width=heatmap_min_width([line for lines in names for line in lines], titles),
        narrow=narrow_heatmap(figure, [a.name for a in areas], titles, 160),
    )


def round_heatmap_chart(round_view: RoundView) -> Chart:
    """Every organisation's grades under one framework: organisations by areas."""
    z, text, hover = [], [], []
    for row in round_view.rows:
        z.append([heat_value(g) for g in row.grades])
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
    wrapped = [wrap_text(label, ROTATED_LINE) for label in round_view.area_labels]
    room = max(rotated_extent(lines) for lines in wrapped)
    figure = {
        "data": [grade_heatmap(z, round_view.area_labels,
                                [r.organisation_name for r in round_view.rows], text, hover)],
        "layout": layout(
            xaxis={"side": "top", "tickangle": -45, "fixedrange": True, "automargin": True,
                   "tickmode": "array", "tickvals": round_view.area_labels,
                   "ticktext": [BR.join(lines) for lines in wrapped]},
            yaxis={"autorange": "reversed", "fixedrange": True, "automargin": True},
            plot_bgcolor="#f3f2f1",
            margin={"l": 10, "r": rotated_extent(wrapped[-1]), "t": room, "b": 10},
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
        min_width=heatmap_min_width([r.organisation_name for r in round_view.rows], wrapped),
        narrow=narrow_heatmap(figure, [r.organisation_name for r in round_view.rows], wrapped,
                              room + 30),
    )


#: The longest line of an area name set at an angle above a heatmap, in characters.
ROTATED_LINE = 30


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
    lines = [wrap_text(name, max(NARROW_LINE, -(-len(name) // 3) + 2)) for name in row_names]
    yaxis = {**figure["layout"]["yaxis"], "tickmode": "array", "tickvals": row_names,
             "ticktext": [BR.join(name) for name in lines],
             "tickfont": {"size": NARROW_FONT}}
    tallest = max(len(name) for name in lines)
    return {
        "layout": {"yaxis": yaxis},
        "height": room + len(row_names) * max(26, round(tallest * NARROW_FONT * 1.25) + 4),
        "min_width": heatmap_min_width([line for name in lines for line in name],
                                        column_labels, NARROW_FONT),
    }


def heatmap_min_width(row_names: list[str], column_labels: list[list[str]],
                       size: int = FONT["size"]) -> int:
    """The narrowest a heatmap can be drawn with every row name whole, columns wide enough
    for a two-letter grade and for their angled labels' lines not to touch, and room for
    the last label to the right: on a narrower screen it scrolls sideways rather than
    squeeze (plotly would cut the names off and crowd the labels)."""
    names = max((len(name) for name in row_names), default=0)
    column = max(34, 26 * max((len(lines) for lines in column_labels), default=1))
    return (round(names * size * 0.55) + 30 + column * len(column_labels)
            + rotated_extent(column_labels[-1] if column_labels else [""]))


def rotated_extent(lines: list[str]) -> int:
    """How far, in pixels, a tick label of these lines set at 45 degrees reaches up (and
    right) from its tick: a generous average glyph width for the chart font's size, and
    the line height for each further line."""
    width = max(len(line) for line in lines) * FONT["size"] * 0.55
    return round((width + (len(lines) - 1) * FONT["size"] * 1.3) * 0.71) + 14
