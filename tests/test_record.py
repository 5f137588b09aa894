"""The shipped Northamptonshire record checked against its sources.

Each expectation quotes the source it comes from. Where the project's copy of the source
documents is at hand (../shared/seeds, beside the checkout), the test also confirms that the
quoted words really are in the document.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from gradeline.derive import derive
from gradeline.resolve import Content, read_content

from conftest import ROOT, SHIPPED

SEEDS = ROOT.parent / "shared" / "seeds"

# seed 004, the PEEL 2021/22 report: one judgment sentence per graded area.
PEEL_2021_SENTENCES = {
    "victim-service": ("Adequate", "is adequate at providing a service for victims of crime"),
    "public-treatment": ("Requires improvement", "requires improvement at treating people "
                                                 "fairly and with"),
    "preventing-crime": ("Adequate", "is adequate at prevention and deterrence"),
    "responding-to-public": ("Requires improvement", "requires improvement at responding to "
                                                     "the public"),
    "investigating-crime": ("Adequate", "is adequate at investigating crime"),
    "protecting-vulnerable-people": ("Requires improvement", "requires improvement at "
                                                             "protecting vulnerable people"),
    "managing-offenders": ("Requires improvement", "requires improvement at managing "
                                                   "offenders and suspects"),
    "serious-organised-crime": ("Adequate", "is adequate at managing serious and organised "
                                            "crime"),
    "workforce": ("Requires improvement", "requires improvement at building and developing"),
    "strategic-planning": ("Requires improvement", "requires improvement at operating "
                                                   "efficiently"),
}
# seed 002, Police Professional, 16 February 2024.
PP24_2021_TOTALS = ("when Northamptonshire Police was judged to be adequate in four areas and "
                    "requiring improvement in six others")
PP24_2023_LIST = {
    "crime-data-integrity": "Crime data integrity – Outstanding",
    "public-treatment": "Police powers and treating the public fairly and respectfully – Good",
    "preventing-crime": "Preventing and deterring crime and anti-social behaviour and reducing "
                        "vulnerability – Adequate",
    "responding-to-public": "Responding to the public – Adequate",
    "investigating-crime": "Investigating Crime – Requires improvement",
    "protecting-vulnerable-people": "Protecting vulnerable people – Adequate",
    "managing-offenders": "Managing offenders and suspects – Adequate",
    "workforce": "Building, supporting and protecting the workforce – Adequate",
    "leadership-and-force-management": "Leadership and force management – Adequate",
}
# seed 000, HMICFRS news release, 24 July 2019.
NCPI_2019_CASE_FILES = ("HMICFRS examined 21 child protection case files as part of the "
                        "inspection. None of these cases were assessed as ‘good’ by the "
                        "Inspectorate (11 were rated as ‘inadequate’).")


@pytest.fixture(scope="module")
def content() -> Content:
    return read_content(SHIPPED)


def seed_text(prefix: str) -> str | None:
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt")) if SEEDS.is_dir() else []
    if not matches:
        return None
    return " ".join(matches[0].read_text(encoding="utf-8").split())


def assert_quoted(prefix: str, *quotes: str) -> None:
    """The quoted words are in the seed document (when the seeds are at hand)."""
    text = seed_text(prefix)
    if text is None:
        return
    for quote in quotes:
        assert " ".join(quote.split()) in text, f"not in seed {prefix}: {quote!r}"


def grades(content: Content, inspection_id: str) -> dict[str, str]:
    return {j.area: j.grade for j in content.inspection(inspection_id).judgments}


def test_peel_2021_grades_match_the_report(content: Content) -> None:
    assert_quoted("004", *(sentence for _, sentence in PEEL_2021_SENTENCES.values()))
    recorded = grades(content, "2021-peel")
    assert {area: recorded[area] for area in PEEL_2021_SENTENCES} == {
        area: grade for area, (grade, _) in PEEL_2021_SENTENCES.items()}
    assert recorded["strategic-policing-requirement"] == "not graded"
    assert recorded["armed-threats"] == "not graded"


def test_peel_2021_totals_match_the_2024_article(content: Content) -> None:
    assert_quoted("002", PP24_2021_TOTALS)
    counts = Counter(grades(content, "2021-peel").values())
    assert (counts["Adequate"], counts["Requires improvement"]) == (4, 6)
    assert sum(counts.values()) == 12


def test_peel_2023_grades_as_published_match_the_article(content: Content) -> None:
    assert_quoted("002", *PP24_2023_LIST.values())
    expected = {area: line.rsplit(" – ", 1)[1] for area, line in PP24_2023_LIST.items()}
    recorded = grades(content, "2023-peel")
    assert {a: g for a, g in recorded.items() if g != "not graded"} == expected
    assert recorded["victim-service"] == "not graded"


def test_peel_2023_amendment_is_dated_and_sourced(content: Content) -> None:
    (amendment,) = content.inspection("2023-peel").amendments
    assert (str(amendment.date), amendment.area, amendment.from_grade, amendment.to_grade) == (
        "2024-08-08", "responding-to-public", "Adequate", "Requires improvement")
    assert amendment.cite


def test_2019_review_case_files_match_the_news_release(content: Content) -> None:
    assert_quoted("000", NCPI_2019_CASE_FILES)
    numbers = [int(n) for n in re.findall(r"\d+", NCPI_2019_CASE_FILES)]
    case_files = content.inspection("2019-07-child-protection-review").case_files
    assert case_files is not None
    assert case_files.total == numbers[0] == 21
    assert {r.rating: r.count for r in case_files.ratings} == {"Good": 0, "Inadequate": 11}


def test_the_2019_review_has_the_commissioners_letter_as_its_response(content: Content) -> None:
    review = content.inspection("2019-07-child-protection-review")
    responses = [content.source(review, r.source) for r in review.related if r.kind == "response"]
    assert [(str(s.date), s.seed) for s in responses] == [
        ("2019-08-16", "003_1731b5dbcc0d5536.txt")]


def test_the_record_covers_2013_to_2024(content: Content) -> None:
    northants = [i for i in content.inspections if i.organisation == "northamptonshire-police"]
    assert content.site.focus == "northamptonshire-police"
    years = sorted({d.year for i in northants for d in [i.published or i.fieldwork[0].start]})
    assert years[0] == 2013 and years[-1] == 2024
    kinds = Counter(i.kind for i in northants)
    assert set(kinds) == {"peel", "child-protection", "crime-data-integrity", "custody"}
    assert kinds["peel"] == 7


def test_no_judgment_without_a_source(content: Content) -> None:
    site = derive(content)
    for view in site.inspections:
        recorded = {j.area for j in view.inspection.judgments}
        for row in view.rows:
            if row.area_id in recorded:
                sources = [view.citations.source(n) for n in row.refs]
                assert sources, f"{view.inspection.id}: {row.area_id} has no source"
                assert all(s.url or s.seed for s in sources), (view.inspection.id, row.area_id)


def test_every_quote_and_item_names_a_source(content: Content) -> None:
    for insp in content.inspections:
        for quote in insp.quotes:
            assert quote.cite and quote.speaker and quote.role
        for item in [*insp.recommendations, *insp.areas_for_improvement,
                     *insp.causes_of_concern]:
            assert item.cite or insp.cite


def test_the_shipped_csv_opens_cleanly(built_site: Path) -> None:
    text = (built_site / "data" / "judgments.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert all(len(row) == len(header) for row in body)
    by_inspection = Counter(row[1] for row in body if row[header.index("grade")])
    assert by_inspection["2021-peel"] == 10
    assert by_inspection["2023-peel"] == 9
