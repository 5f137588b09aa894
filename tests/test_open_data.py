"""Open data as people load it: a Data Package that validates, CSV files that pandas reads
with typed dates, JSON records that all have the same keys, one rule for partial and
unknown dates, and a Data page that lists every file there is."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import frictionless
import pandas as pd
import pytest

from gradeline.build import build
from gradeline.datapackage import chart_fields

from conftest import ROOT, parse

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of three organisations."""
    root = tmp_path_factory.mktemp("many-data")
    generate(root / "content", orgs=3, per_org=4, seed=7)
    build(root / "content", root / "site", search=False)
    return root / "site"


@pytest.fixture(params=["single", "many"])
def any_site(request: pytest.FixtureRequest, built_site: Path, many: Path) -> Path:
    return built_site if request.param == "single" else many


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


def package(site: Path) -> dict[str, Any]:
    return json.loads((site / "data" / "datapackage.json").read_text("utf-8"))


def schema_of(site: Path, resource: dict[str, Any]) -> dict[str, Any]:
    schema = resource["schema"]
    if isinstance(schema, str):
        return json.loads((site / "data" / schema).read_text("utf-8"))
    return schema


def test_the_data_package_validates(any_site: Path) -> None:
    report = frictionless.validate(any_site / "data" / "datapackage.json")
    errors = [(task.name, error.message) for task in report.tasks for error in task.errors]
    assert errors == [] and report.valid, report.flatten(["type", "note"])[:20]


def test_the_package_declares_every_csv_file_and_the_json(any_site: Path) -> None:
    data = any_site / "data"
    declared = sorted(r["path"] for r in package(any_site)["resources"])
    on_disk = sorted(p.relative_to(data).as_posix() for p in data.rglob("*")
                     if p.suffix == ".csv" or p.name == "inspections.json")
    assert declared == on_disk


def test_pandas_reads_every_csv_with_its_dates_as_dates(any_site: Path) -> None:
    for resource in package(any_site)["resources"]:
        if resource["format"] != "csv":
            continue
        fields = schema_of(any_site, resource)["fields"]
        dates = [f["name"] for f in fields if f["type"] == "date"]
        frame = pd.read_csv(any_site / "data" / resource["path"], parse_dates=dates)
        assert list(frame.columns) == [f["name"] for f in fields], resource["path"]
        for name in dates:
            assert pd.api.types.is_datetime64_any_dtype(frame[name]), (resource["path"], name)
        for name in (f["name"] for f in fields if f["type"] == "integer"):
            assert pd.api.types.is_integer_dtype(frame[name]), (resource["path"], name)


def test_pandas_flattens_the_json_with_typed_dates(any_site: Path) -> None:
    data = json.loads((any_site / "data" / "inspections.json").read_text("utf-8"))
    judgments = pd.json_normalize(data["inspections"], record_path="judgments",
                                  meta=["id", "published", "date", "date_basis"])
    assert len(judgments) == sum(len(r["judgments"]) for r in data["inspections"]) > 0
    assert pd.api.types.is_datetime64_any_dtype(pd.to_datetime(judgments["published"]))
    flat = pd.json_normalize(data["inspections"])
    assert pd.api.types.is_datetime64_any_dtype(pd.to_datetime(flat["date"]))


def records(value: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in a JSON value that is an item of a list, by where it is (list items
    of the same place are records of one kind)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from records(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield path, item
            yield from records(item, f"{path}[]")


def test_every_json_record_of_a_kind_has_the_same_keys(any_site: Path) -> None:
    data = json.loads((any_site / "data" / "inspections.json").read_text("utf-8"))
    keys: dict[str, set[tuple[str, ...]]] = {}
    for path, record in records(data):
        keys.setdefault(path, set()).add(tuple(record))
    assert ".inspections" in keys and ".inspections[].sources" in keys
    assert {path: shapes for path, shapes in keys.items() if len(shapes) > 1} == {}


def test_the_data_page_lists_every_file_under_data(any_site: Path) -> None:
    data = any_site / "data"
    page = parse(data / "index.html")
    listed = sorted(a["href"] for a in page.select("a.data-file"))
    on_disk = sorted(p.relative_to(data).as_posix() for p in data.rglob("*")
                     if p.is_file() and p.name != "index.html")
    assert listed == on_disk
    # Each chart's file is listed with a link to the page that shows the chart.
    for item in page.select("#charts li"):
        chart = item.select_one("a.data-file")["href"]
        shown_on = (data / item.select("a")[0]["href"]).resolve()
        figure = parse(shown_on).select_one(f'figure.chart a[download][href$="{chart}"]')
        assert figure is not None, (chart, shown_on)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_partial_or_unknown_date_follows_one_rule(minimal: Path, tmp_path: Path) -> None:
    """A month-only publication date is the month's first day with its precision; a report
    whose publication date is not known has none, and is placed by its fieldwork, which
    the data says."""
    _replace(minimal / "inspections" / "2021-peel.yaml", "published: 2021-11-23",
             "published: 2021-11")
    _replace(minimal / "inspections" / "2023-peel.yaml", "published: 2024-02-16",
             "fieldwork:\n  - start: 2023-09\n    end: 2023-10-06")
    site = tmp_path / "site"
    build(minimal, site, search=False)
    placed = {(row["inspection_id"], row["published"], row["published_precision"],
               row["date"], row["date_precision"], row["date_basis"])
              for row in read_csv(site / "data" / "judgments.csv")}
    expected = {("2021-peel", "2021-11-01", "month", "2021-11-01", "month", "published"),
                ("2023-peel", "", "", "2023-10-06", "day", "fieldwork")}
    assert placed == expected
    findings = {(row["inspection_id"], row["published"], row["published_precision"],
                 row["date"], row["date_precision"], row["date_basis"])
                for row in read_csv(site / "data" / "findings.csv")}
    assert findings == expected
    data = json.loads((site / "data" / "inspections.json").read_text("utf-8"))
    assert {(r["id"], r["published"] or "", r["published_precision"] or "", r["date"],
             r["date_precision"], r["date_basis"]) for r in data["inspections"]} == expected
    second = next(r for r in data["inspections"] if r["id"] == "2023-peel")
    assert second["fieldwork"] == [{
        "label": None, "start": "2023-09-01", "start_precision": "month",
        "end": "2023-10-06", "end_precision": "day", "verdict": None, "summary": None,
        "cite": []}]
    history = read_csv(site / "data" / "charts" / "history-victim-service.csv")
    assert [(r["Date"], r["Date precision"]) for r in history] == [
        ("2021-11-01", "month"), ("2023-10-06", "day")]
    page = parse(site / "data" / "index.html").get_text(" ")
    assert "published 2018-03-01 and published_precision month" in " ".join(page.split())
    report = frictionless.validate(site / "data" / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])


def test_findings_csv_holds_every_finding(minimal: Path, tmp_path: Path) -> None:
    _replace(minimal / "inspections" / "2023-peel.yaml",
             "text: The force should still improve how it supervises investigations.",
             "text: The force should **still** improve [supervision](https://example.org).\n"
             "    timescale: within six months")
    build(minimal, tmp_path / "site", search=False)
    rows = read_csv(tmp_path / "site" / "data" / "findings.csv")
    assert [(r["inspection_id"], r["finding_type"], r["finding_id"], r["area_name"],
             r["text"], r["timescale"], r["continues"], r["url"]) for r in rows] == [
        ("2021-peel", "area for improvement", "afi-1", "Investigating crime",
         "The force should improve how it supervises investigations.", "", "",
         "inspections/2021-peel/#afi-1"),
        ("2023-peel", "area for improvement", "afi-1", "Investigating crime",
         "The force should still improve supervision.", "within six months",
         "2021-peel#afi-1", "inspections/2023-peel/#afi-1")]


def test_a_chart_whose_columns_change_is_caught() -> None:
    with pytest.raises(ValueError, match=r"a grades chart's CSV has the columns "
                                         r"\['Grade', 'Count'\], not \['Level', 'Grade', "
                                         r"'Count', 'Count as published'\]"):
        chart_fields("grades", ["Grade", "Count"])
    fields = chart_fields("grades-by-area", ["Area", "PEEL 2021/22", "PEEL 2023–25"])
    assert [f.name for f in fields] == ["Area", "PEEL 2021/22", "PEEL 2023–25"]
