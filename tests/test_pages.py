"""The generated pages, read as a parser (and a reader) would: headings, tables, links."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

from gradeline.build import build

from conftest import parse


@pytest.fixture
def site(minimal: Path, tmp_path: Path) -> Path:
    out = tmp_path / "site"
    build(minimal, out)
    return out


def text(tag: object) -> str:
    """A tag's text as a reader sees it: whitespace collapsed."""
    return " ".join(tag.get_text().split())  # type: ignore[attr-defined]


def table_rows(soup: BeautifulSoup, caption_start: str) -> list[list[str]]:
    """The body rows of the table whose caption starts with ``caption_start``, as text."""
    for table in soup.find_all("table"):
        caption = table.find("caption")
        if caption and caption.get_text(" ", strip=True).startswith(caption_start):
            return [[cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
                    for tr in table.find("tbody").find_all("tr")]
    raise AssertionError(f"no table captioned {caption_start!r}")


def test_home_lists_inspections_newest_first_with_grades(site: Path) -> None:
    soup = parse(site / "index.html")
    assert soup.find("h1").get_text(strip=True) == "Test Force inspections"
    cards = soup.select("ol.cards > li")
    titles = [c.find("h3").get_text(strip=True) for c in cards]
    assert titles == ["PEEL 2023–25 inspection of Test Force",
                      "PEEL 2021/22 inspection of Test Force"]
    # Headline grades as they stand today (the 2023 amendment applied), in words.
    newest = [b.get_text(strip=True) for b in cards[0].select(".grade-counts .grade")]
    assert newest == ["Good", "Requires improvement"]


def test_inspection_page_structure(site: Path) -> None:
    soup = parse(site / "inspections" / "2021-peel" / "index.html")
    assert text(soup.find("h1")).startswith("PEEL 2021/22 inspection of Test Force")
    assert [h.get_text(" ", strip=True) for h in soup.find_all("h2")] == [
        "Summary", "Graded judgments", "Findings recorded here", "Areas for improvement (1)",
        "Compare", "Sources"]
    assert soup.find("html")["lang"] == "en-GB"
    rows = table_rows(soup, "Grades for each area")
    assert [r[:2] for r in rows] == [
        ["Providing a service to victims", "Adequate [1]"],
        ["Investigating crime", "Requires improvement [1]"],
        ["Protecting the public against armed threats", "Not graded [1]"],
    ]


def test_grade_badges_carry_words_and_a_tone(site: Path) -> None:
    soup = parse(site / "inspections" / "2021-peel" / "index.html")
    badges = soup.select("table.judgments .grade")
    assert [(b.get_text(strip=True), b["class"]) for b in badges] == [
        ("Adequate", ["grade", "tone-2"]),
        ("Requires improvement", ["grade", "tone-3"]),
        ("Not graded", ["grade", "not-graded"]),
    ]


def test_amended_grade_shows_both_grades_and_the_date(site: Path) -> None:
    soup = parse(site / "inspections" / "2023-peel" / "index.html")
    row = soup.find("tr", id="area-investigating-crime")
    assert [b.get_text(strip=True) for b in row.select(".grade")] == [
        "Requires improvement", "Adequate"]
    assert "Amended 8 August 2024; published as Adequate" in text(row)
    item = text(soup.select_one("section[aria-labelledby=amendments] li"))
    assert item.startswith("8 August 2024: Investigating crime changed from Adequate to "
                           "Requires improvement. The force had supplied incorrect data.")


def test_item_continuing_an_earlier_item_links_to_it(site: Path) -> None:
    soup = parse(site / "inspections" / "2023-peel" / "index.html")
    link = soup.select_one("#afi-1 .item-meta a[href*='2021-peel']")
    assert link["href"] == "../2021-peel/index.html#afi-1"
    target = parse(site / "inspections" / "2021-peel" / "index.html")
    assert target.find(id="afi-1") is not None


def test_every_source_reference_points_at_a_listed_source(site: Path) -> None:
    soup = parse(site / "inspections" / "2023-peel" / "index.html")
    listed = {li["id"] for li in soup.select("ol.sources > li")}
    refs = {a["href"].lstrip("#") for a in soup.select("sup.refs a")}
    assert refs and refs <= listed


def test_a_source_not_online_tells_readers_how_it_can_be_seen(minimal: Path,
                                                                tmp_path: Path) -> None:
    path = minimal / "inspections" / "2023-peel.yaml"
    path.write_text(path.read_text().replace(
        "    url: https://example.org/report-2023\n",
        "    access: Not published online; a copy is held by the force's records office.\n"))
    build(minimal, tmp_path / "site")
    soup = parse(tmp_path / "site" / "inspections" / "2023-peel" / "index.html")
    (source,) = soup.select("ol.sources > li")
    assert source.find("a") is None  # nothing to follow
    assert text(source) == ("PEEL 2023–25 report. HMICFRS, 16 February 2024. Not published "
                            "online; a copy is held by the force's records office.")
    assert text(source.select_one(".access")) == (
        "Not published online; a copy is held by the force's records office.")


def test_previous_and_next_links(site: Path) -> None:
    first = parse(site / "inspections" / "2021-peel" / "index.html")
    assert first.select_one(".prev-next a[rel=prev]") is None
    assert first.select_one(".prev-next a[rel=next]")["href"] == "../2023-peel/index.html"


def all_local_links(site: Path) -> list[tuple[Path, str]]:
    found = []
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html" or "pagefind" in page.parts:
            continue  # 404.html links from the host root by design (see test_publish)
        soup = parse(page)
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if ref and not urlsplit(ref).scheme and not ref.startswith("//"):
                found.append((page, ref))
    return found


def test_every_internal_link_resolves_to_a_file_and_anchor(site: Path) -> None:
    links = all_local_links(site)
    assert len(links) > 20
    for page, ref in links:
        parts = urlsplit(ref)
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        assert target.is_file(), f"{page.relative_to(site)} links to missing {ref}"
        assert target.is_relative_to(site.resolve()), f"{ref} leaves the site"
        if parts.fragment:
            assert parse(target).find(id=parts.fragment), f"{page}: no #{parts.fragment} in {ref}"


def test_links_work_under_a_subpath_when_a_base_url_is_set(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "pub"
    build(minimal, out, base_url="https://example.org/reports/")
    soup = parse(out / "inspections" / "2021-peel" / "index.html")
    assert soup.find("link", rel="canonical")["href"] == (
        "https://example.org/reports/inspections/2021-peel/")
    assert soup.select_one(".site-title")["href"] == "../../"
    for page, ref in all_local_links(out):
        assert not ref.startswith("/"), f"{page}: {ref} is rooted and would escape the subpath"


@pytest.mark.parametrize("base_url", [None, "https://example.org/reports/"])
def test_a_link_from_the_site_root_in_text_leads_to_its_page_from_every_page(
        minimal: Path, tmp_path: Path, base_url: str | None) -> None:
    # A finding is shown on its inspection's page, on comparisons and in the tracker, each
    # at its own depth in the site.
    path = minimal / "inspections" / "2023-peel.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "supervises investigations.",
        "supervises investigations (see [the 2021 report](/inspections/2021-peel/#sources) "
        "and [every area](/areas/?from=text&x=1)).", 1), encoding="utf-8")
    out = tmp_path / "site"
    build(minimal, out, base_url=base_url)
    found: dict[str, set[str]] = {"the 2021 report": set(), "every area": set()}
    shown_on = set()
    for page in out.rglob("*.html"):
        for link in parse(page).find_all("a", string=list(found)):
            shown_on.add(page.relative_to(out).parts[0])
            ref = urlsplit(link["href"])
            assert not ref.path.startswith("/"), f"{page}: {ref} would escape a subpath"
            target = (page.parent / ref.path).resolve()
            if target.is_dir():  # a published site: the server serves the folder's index
                assert base_url is not None
                target = target / "index.html"
            found[link.string].add(str(target.relative_to(out.resolve())))
            if link.string == "the 2021 report":
                assert ref.fragment == "sources" and parse(target).find(id="sources")
            else:
                assert ref.query == "from=text&x=1"
    assert found == {"the 2021 report": {"inspections/2021-peel/index.html"},
                     "every area": {"areas/index.html"}}
    assert shown_on >= {"inspections", "compare", "tracker"}
