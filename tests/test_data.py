"""The open data files: exact columns, spreadsheet-safe CSV, and JSON that matches the pages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from gradeline.build import build
from gradeline.data import JUDGMENT_COLUMNS

from conftest import parse


@pytest.fixture
def site(minimal: Path, tmp_path: Path) -> Path:
    # A title with a comma, quotes and a dash: the cases that break naive CSV.
    path = minimal / "inspections" / "2021-peel.yaml"
    path.write_text(path.read_text().replace(
        "title: PEEL 2021/22 inspection of Test Force",
        "title: 'PEEL 2021/22, \"the first\" – inspection of Test Force'"))
    out = tmp_path / "site"
    build(minimal, out)
    return out


def read_csv(site: Path) -> list[dict[str, str]]:
    raw = (site / "data" / "judgments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for spreadsheets"
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_columns_come_first_in_the_promised_order(site: Path) -> None:
    text = (site / "data" / "judgments.csv").read_bytes().decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[: len(JUDGMENT_COLUMNS)] == [
        "organisation", "inspection_id", "inspection_title", "published", "framework",
        "area_id", "area_label", "grade"]


def test_csv_rows_match_the_content(site: Path) -> None:
    rows = read_csv(site)
    assert [(r["inspection_id"], r["area_id"], r["grade"], r["grade_status"]) for r in rows] == [
        ("2021-peel", "victim-service", "Adequate", "graded"),
        ("2021-peel", "investigating-crime", "Requires improvement", "graded"),
        ("2021-peel", "armed-threats", "", "not graded"),
        ("2023-peel", "victim-service", "Good", "graded"),
        ("2023-peel", "investigating-crime", "Requires improvement", "graded"),
        ("2023-peel", "armed-threats", "", "not graded"),
    ]
    first = rows[0]
    assert first["inspection_title"] == 'PEEL 2021/22, "the first" – inspection of Test Force'
    assert first["organisation"] == "Test Force Police"
    assert (first["published"], first["published_precision"]) == ("2021-11-23", "day")
    assert (first["date"], first["date_precision"], first["date_basis"]) == (
        "2021-11-23", "day", "published")
    assert first["inspection_short_title"] == "PEEL 2021"
    assert first["sources"] == "PEEL 2021/22 report"
    assert first["source_urls"] == "https://example.org/report-2021"
    amended = rows[4]
    assert (amended["grade_as_published"], amended["amended_on"], amended["amendment_reason"]) == (
        "Adequate", "2024-08-08", "The force had supplied incorrect data.")
    assert amended["amended_on_precision"] == "day"


def test_json_carries_judgments_amendments_links_and_sources(site: Path) -> None:
    data = json.loads((site / "data" / "inspections.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    first, second = data["inspections"]
    assert first["id"] == "2021-peel"
    assert first["followed_up_by"] == []
    assert [j["status"] for j in first["judgments"]] == ["graded", "graded", "not-graded"]
    assert (first["published"], first["published_precision"]) == ("2021-11-23", "day")
    assert (first["date"], first["date_precision"], first["date_basis"]) == (
        "2021-11-23", "day", "published")
    assert first["case_files"] is None and first["framework"] == "peel-2021"
    assert second["amendments"] == [{
        "date": "2024-08-08", "date_precision": "day", "area": "investigating-crime",
        "from": "Adequate", "to": "Requires improvement",
        "reason": "The force had supplied incorrect data.", "cite": ["report"]}]
    assert second["areas_for_improvement"][0]["continues"] == "2021-peel#afi-1"
    assert second["sources"] == [{
        "key": "report", "title": "PEEL 2023–25 report", "publisher": "HMICFRS",
        "date": "2024-02-16", "date_precision": "day",
        "url": "https://example.org/report-2023", "access": None, "seed": None, "note": None}]
    assert second["judgments"][1]["grade_as_published"] == "Adequate"
    assert second["judgments"][1]["grade"] == "Requires improvement"


def test_json_is_written_as_a_plain_dump_would_write_it(site: Path) -> None:
    raw = (site / "data" / "inspections.json").read_text(encoding="utf-8")
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=1) + "\n"


def test_data_page_documents_every_column(site: Path) -> None:
    soup = parse(site / "data" / "index.html")
    tables = {table.find("caption").get_text(): [code.get_text() for code in
                                                 table.select("tbody th code")]
              for table in soup.select("table.data-dictionary")}
    assert tables["Columns of judgments.csv"] == list(read_csv(site)[0])
    findings = (site / "data" / "findings.csv").read_text("utf-8-sig").splitlines()[0]
    assert tables["Columns of findings.csv"] == findings.split(",")
    fixed = [th.find("code").get_text() for th in soup.select("table.data-dictionary th")
             if th.find(class_="fixed")]
    assert fixed == JUDGMENT_COLUMNS


def test_json_stays_valid_with_unicode_line_separators_in_text(minimal: Path,
                                                               tmp_path: Path) -> None:
    """Text pasted from a word processor may hold U+2028 (LINE SEPARATOR) or U+2029
    (PARAGRAPH SEPARATOR): json leaves them unescaped, so the file's own line handling must
    not treat them as line ends (it once did, and wrote a raw line break inside a string)."""
    path = minimal / "inspections" / "2021-peel.yaml"
    text = path.read_text(encoding="utf-8")
    old = "summary: The force was adequate at serving victims and needed to improve its " \
          "investigations."
    assert old in text
    path.write_text(text.replace(old, 'summary: "One line.\\LNext\\Plast."'), encoding="utf-8")
    build(minimal, tmp_path / "site", search=False)
    raw = (tmp_path / "site" / "data" / "inspections.json").read_text(encoding="utf-8")
    record = next(r for r in json.loads(raw)["inspections"] if r["id"] == "2021-peel")
    assert record["summary"] == "One line.\u2028Next\u2029last."
    assert raw == json.dumps(json.loads(raw), ensure_ascii=False, indent=1) + "\n"
