"""No CSV file of the site holds a cell that a spreadsheet would run as a formula.

Content is proposed by anyone, and the CSV files are opened in spreadsheets: a title such
as ``=HYPERLINK("https://evil.example")`` must arrive as text (OWASP's rule: a single quote
before it), in every CSV file the build writes.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import frictionless
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradeline.build import build
from gradeline.csvfile import FORMULA_STARTS, csv_file, neutralise

from conftest import MINIMAL

#: Hostile texts, one for each character a formula may start with.
HOSTILE = {
    "organisation": "+cmd|' /C calc'!A0",
    "title": '=HYPERLINK("https://evil.example")',
    "short_title": "-2+3",
    "area": "@SUM(1+1)",
    "label": "\tlabel after a tab",
    "scale": "\rscale after a carriage return",
    "source": "=1+1",
    "reason": "@reason",
    "grade": "@Outstanding",
    "finding": '=HYPERLINK("https://evil.example", "the report")',
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _quoted(text: str) -> str:
    """The text as a YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\t", "\\t").replace("\r", "\\r") + '"'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal content with a hostile text wherever a CSV file shows text."""
    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    shutil.copytree(MINIMAL, content)
    _replace(content / "organisations" / "test-force.yaml", "name: Test Force Police",
             f"name: {_quoted(HOSTILE['organisation'])}")
    peel = content / "inspections" / "2021-peel.yaml"
    _replace(peel, "title: PEEL 2021/22 inspection of Test Force",
             f"title: {_quoted(HOSTILE['title'])}\nshort_title: {_quoted(HOSTILE['short_title'])}")
    _replace(peel, "title: PEEL 2021/22 report", f"title: {_quoted(HOSTILE['source'])}")
    _replace(content / "areas.yaml", "name: Service to victims",
             f"name: {_quoted(HOSTILE['area'])}")
    _replace(content / "frameworks" / "peel-2021.yaml", "label: Investigating crime",
             f"label: {_quoted(HOSTILE['label'])}")
    _replace(content / "scales" / "five-tier.yaml", "title: Five-tier scale",
             f"title: {_quoted(HOSTILE['scale'])}")
    _replace(content / "inspections" / "2023-peel.yaml",
             "reason: The force had supplied incorrect data.",
             f"reason: {_quoted(HOSTILE['reason'])}")
    _replace(content / "scales" / "five-tier.yaml", "label: Outstanding",
             f"label: {_quoted(HOSTILE['grade'])}")
    _replace(peel, "text: The force should improve how it supervises investigations.",
             f"text: {_quoted(HOSTILE['finding'])}")
    build(content, root / "site", search=False)
    return root / "site"


def _cells(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_no_csv_cell_starts_like_a_formula(hostile_site: Path) -> None:
    files = sorted((hostile_site / "data").rglob("*.csv"))
    assert files, "the build wrote no CSV file"
    unsafe = {}
    for path in files:
        cells = [(number, cell) for number, row in enumerate(_cells(path), 1) for cell in row
                 if cell.startswith(FORMULA_STARTS)]
        if cells:
            unsafe[path.relative_to(hostile_site).as_posix()] = cells
    assert unsafe == {}


def test_hostile_texts_arrive_as_text_in_each_file(hostile_site: Path) -> None:
    """Each file that shows a hostile text shows it whole, behind the single quote (so the
    test above is not passing because the texts never reached the files)."""
    expected = {
        "data/judgments.csv": ["organisation", "title", "area", "label", "source", "reason"],
        "data/findings.csv": ["organisation", "title", "finding"],
        "data/charts/grades-2021-peel.csv": ["grade"],
        "data/charts/timeline.csv": ["title"],
        "data/charts/grades-by-area.csv": ["short_title", "area"],
        "data/charts/history-victim-service.csv": ["short_title", "scale"],
        "data/charts/history-investigating-crime.csv": ["short_title", "label", "scale"],
    }
    missing = {}
    for rel, keys in expected.items():
        cells = {cell for row in _cells(hostile_site / rel) for cell in row}
        absent = [key for key in keys if "'" + HOSTILE[key] not in cells]
        if absent:
            missing[rel] = absent
    assert missing == {}


def test_the_package_allows_a_grade_only_as_written(hostile_site: Path) -> None:
    """A grade that looks like a formula is written as text, and the Table Schema allows
    it as written."""
    report = frictionless.validate(hostile_site / "data" / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])
    schema = json.loads((hostile_site / "data" / "schemas" / "grades.json").read_text())
    grade = next(f for f in schema["fields"] if f["name"] == "Grade")
    assert "'" + HOSTILE["grade"] in grade["constraints"]["enum"]


def test_numbers_and_dates_are_not_prefixed() -> None:
    data = csv_file(["text", "number", "date"], [["-2+3", -2, "2021-11-23"], [None, 0, ""]])
    assert data.decode("utf-8-sig") == \
        "text,number,date\r\n\"'-2+3\",-2,2021-11-23\r\n,0,\r\n"


@given(st.lists(st.lists(st.text() | st.integers() | st.none(), min_size=1, max_size=4),
                max_size=4))
def test_any_cells_read_back_as_written_and_safe(rows: list[list[str | int | None]]) -> None:
    """Whatever the cells hold, the csv module reads back each one as written (text behind
    its quote if it starts like a formula), and no cell read back starts like one."""
    data = csv_file(["a"], rows)
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    expected = [["a"], *([("" if c is None else str(c) if isinstance(c, int) else neutralise(c))
                          for c in row] for row in rows)]
    assert read == expected
    assert not any(cell.startswith(FORMULA_STARTS) for row in read for cell in row
                   if not cell.lstrip("-").isdigit())
