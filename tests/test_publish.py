"""Publishing: any host, any subpath, valid HTML, links that resolve, feeds, reproducibility."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser

from gradeline.build import build
from gradeline.resolve import read_content
from gradeline.search import index_search
from gradeline.urls import SEARCHED_PAGES

from conftest import (
    MINIMAL,
    ROOT,
    SHIPPED,
    open_page,
    parse,
    serve_folder,
    skip_or_fail,
    tree_digest,
)

sys.path.insert(0, str(ROOT / "bench"))
from synth import generate

BASE = "https://example.org/reports/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site built for https://example.org/reports/, inside a folder 'reports'."""
    root = tmp_path_factory.mktemp("host")
    build(SHIPPED, root / "reports", base_url=BASE)
    return root / "reports"


def local_links(site: Path) -> list[tuple[Path, str]]:
    found = []
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        soup = parse(page)
        for tag in soup.find_all(["a", "link", "script", "img", "form"]):
            ref = tag.get("href") or tag.get("src") or tag.get("action")
            if ref and not urlsplit(ref).scheme and not ref.startswith("//"):
                found.append((page, ref))
    return found


def resolve(site: Path, page: Path, ref: str, rooted_at: str = "/") -> Path:
    parts = urlsplit(ref)
    path = unquote(parts.path)
    if path.startswith("/"):
        assert path.startswith(rooted_at), f"{page}: {ref} escapes {rooted_at}"
        target = site / path[len(rooted_at):]
    else:
        target = (page.parent / path) if path else page
    target = target.resolve()
    if target.is_dir():
        target = target / "index.html"
    return target


def broken_links(site: Path, rooted_at: str = "/") -> list[str]:
    """Every link of every page (but the search index's) that leads to no file, or to no
    element with its #fragment: as 'page -> link'."""
    broken = []
    anchors: dict[Path, set[str]] = {}
    for page, ref in local_links(site):
        target = resolve(site, page, ref, rooted_at)
        if not target.is_file() or not target.is_relative_to(site.resolve()):
            broken.append(f"{page.relative_to(site)} -> {ref}")
            continue
        fragment = urlsplit(ref).fragment
        if fragment and target.suffix == ".html":
            if target not in anchors:
                anchors[target] = {t["id"] for t in parse(target).find_all(id=True)}
            if fragment not in anchors[target]:
                broken.append(f"{page.relative_to(site)} -> {ref} (no such anchor)")
    return broken


def test_every_link_and_anchor_in_the_shipped_site_resolves(built_site: Path) -> None:
    """The shipped site: five organisations, one of them the site's focus, from disk."""
    assert len(local_links(built_site)) > 1000
    # The 404 page is rooted at the host (checked under a base URL below).
    assert [b for b in broken_links(built_site) if not b.startswith("404.html")] == []


def test_every_link_resolves_in_every_shape_of_site(tmp_path: Path) -> None:
    """One organisation; several with none at the root; several under a subpath."""
    one = tmp_path / "one"
    shutil.copytree(MINIMAL, one / "content")
    many = tmp_path / "many"
    generate(many / "content", orgs=3, per_org=4, seed=7)
    for root, base, rooted_at in [(one, None, "/"), (many, None, "/"),
                                  (many, "https://example.org/sub/path/", "/sub/path/")]:
        site = root / ("site" if base is None else "published")
        build(root / "content", site, base_url=base, search=False)
        links = broken_links(site, rooted_at)
        if base is None:  # from disk, the 404 page cannot know the site's folder
            links = [b for b in links if not b.startswith("404.html")]
        assert links == [], (root.name, base)


def test_no_link_escapes_the_subpath(published: Path) -> None:
    for page, ref in local_links(published):
        target = resolve(published, page, ref, rooted_at="/reports/")
        assert target.is_relative_to(published.resolve()), f"{page}: {ref}"
        assert target.is_file(), f"{page}: {ref}"
    for page in published.rglob("*.html"):
        soup = parse(page)
        for tag in soup.find_all(["a", "link"], href=True):
            href = tag["href"]
            if href.startswith("https://example.org"):
                assert href.startswith(BASE), f"{page}: {href}"


def test_canonical_and_open_graph_metadata(published: Path) -> None:
    soup = parse(published / "inspections" / "2021-peel" / "index.html")
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical == BASE + "inspections/2021-peel/"
    meta = {m.get("property") or m.get("name"): m.get("content") for m in soup.find_all("meta")}
    assert meta["og:url"] == canonical
    assert meta["og:type"] == "article"
    assert meta["og:title"] == "PEEL 2021/22 – An inspection of Northamptonshire Police"
    assert meta["og:description"].startswith("PEEL 2021/22 – An inspection of")
    assert meta["twitter:card"] == "summary"
    assert meta["description"] == meta["og:description"]
    home = parse(published / "index.html")
    assert home.find("link", rel="icon")["href"].startswith("static/favicon.svg")
    assert (published / "static" / "favicon.svg").is_file()


def test_atom_feed_lists_inspections_newest_first_with_stable_ids(published: Path) -> None:
    feed = ET.parse(published / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(read_content(SHIPPED).inspections)  # fewer than 50
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert BASE + "inspections/2023-peel/" in ids
    assert all(i.startswith(BASE + "inspections/") for i in ids)
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert feed.findtext(f"{ATOM}updated") == updated[0]
    # An entry is updated at its latest amendment: Northamptonshire's 2024 one.
    northants = entries[ids.index(BASE + "inspections/2023-peel/")]
    assert northants.findtext(f"{ATOM}updated") == "2024-08-08T00:00:00Z"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"
    alternate = parse(published / "index.html").find("link", type="application/atom+xml")
    assert alternate["href"] == "feed.xml"


def test_sitemap_and_robots(published: Path, built_site: Path) -> None:
    sitemap = ET.parse(published / "sitemap.xml").getroot()
    locs = [u.findtext("{http://www.sitemaps.org/schemas/sitemap/0.9}loc") for u in sitemap]
    pages = sorted(p for p in published.rglob("index.html") if "pagefind" not in p.parts)
    assert len(locs) == len(pages)
    assert BASE in locs and BASE + "inspections/2021-peel/" in locs
    assert all(loc.startswith(BASE) for loc in locs)
    assert (published / "robots.txt").read_text().splitlines() == [
        "User-agent: *", "Allow: /", f"Sitemap: {BASE}sitemap.xml"]
    # Without a base URL there is no honest sitemap to write.
    assert not (built_site / "sitemap.xml").exists()
    assert "Sitemap" not in (built_site / "robots.txt").read_text()


def test_404_page_links_from_the_base_path(published: Path) -> None:
    soup = parse(published / "404.html")
    hrefs = [a["href"] for a in soup.select("main a")]
    assert hrefs == ["/reports/", "/reports/timeline/", "/reports/areas/", "/reports/rounds/",
                     "/reports/compare/", "/reports/tracker/", "/reports/organisations/",
                     "/reports/data/", "/reports/search/"]
    assert soup.select_one(".site-title")["href"] == "/reports/"
    assert soup.find("link", rel="stylesheet")["href"].startswith("/reports/static/style.css")


def test_the_same_content_builds_a_byte_identical_site(tmp_path: Path) -> None:
    build(SHIPPED, tmp_path / "one")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1"}
    subprocess.run([sys.executable, "build.py", "--out", str(tmp_path / "two")], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    assert any(p.startswith("pagefind/filter/") for p in tree_digest(tmp_path / "one"))


def vnu_jar() -> Path:
    candidates = [os.environ.get("GRADELINE_VNU_JAR", ""),
                  ROOT / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar",
                  ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    skip_or_fail("the Nu HTML Checker is not installed (npm install vnu-jar, or set "
                 "GRADELINE_VNU_JAR to its vnu.jar)")
    raise AssertionError  # unreachable


@pytest.mark.validator
def test_every_page_is_valid_html(built_site: Path, tmp_path: Path) -> None:
    """Every page of the shipped site, and of a synthetic site of three organisations (its
    organisation, round and picker pages are not in the shipped one), in one run of vnu."""
    jar = vnu_jar()
    if not shutil.which("java"):
        skip_or_fail("Java is needed to run the Nu HTML Checker")
    pages = tmp_path / "pages"
    skip = shutil.ignore_patterns("pagefind", "plotly*")
    shutil.copytree(built_site, pages / "single", ignore=skip)
    generate(tmp_path / "many", orgs=3, per_org=4, seed=3)
    build(tmp_path / "many", tmp_path / "many-site", search=False)
    shutil.copytree(tmp_path / "many-site", pages / "many", ignore=skip)
    run = subprocess.run(["java", "-jar", str(jar), "--skip-non-html", "--also-check-css",
                          "--format", "json", str(pages)], capture_output=True, text=True,
                         check=False)
    messages = json.loads(run.stderr or run.stdout)["messages"]
    problems = [f"{m.get('url', '').split(str(pages))[-1]}:{m.get('lastLine')}: {m['message']}"
                for m in messages if m["type"] == "error"]
    assert problems == []
    assert len(list((pages / "single").rglob("*.html"))) > 60
    assert list((pages / "many").glob("rounds/*/index.html"))


@pytest.mark.browser
def test_click_through_the_site_under_a_subpath(browser: Browser, published: Path) -> None:
    server, origin = serve_folder(published.parent)
    try:
        context, page, errors = open_page(browser, origin + "reports/")
        page.click("ol.cards a >> text=PEEL 2021/22 – An inspection of Northamptonshire Police")
        assert urlsplit(page.url).path == "/reports/inspections/2021-peel/"
        page.click("nav[aria-label=Main] >> text=Areas")
        page.click("table.areas a >> text=Investigating crime")
        assert urlsplit(page.url).path == "/reports/areas/investigating-crime/"
        page.click("nav[aria-label=Main] >> text=Compare")
        assert urlsplit(page.url).path == "/reports/compare/"
        page.click("text=PEEL 2021/22 → PEEL 2023–25")
        assert urlsplit(page.url).path == "/reports/compare/2021-peel/2023-peel/"
        page.fill("#site-search-q", "vetting")
        page.press("#site-search-q", "Enter")
        page.wait_for_selector("#search-results li")
        assert urlsplit(page.url).path == "/reports/search/"
        hrefs = page.eval_on_selector_all("#search-results a", "as => as.map(a => a.href)")
        assert origin + "reports/inspections/2021-peel/" in hrefs
        page.select_option("#search-kind", "PEEL")
        page.select_option("#search-year", "2021")
        page.click("#search-form button")
        page.wait_for_selector("#search-results li >> nth=0")
        page.wait_for_timeout(300)
        assert page.eval_on_selector_all("#search-results a", "as => as.map(a => a.href)") == [
            origin + "reports/inspections/2021-peel/"]
        page.click("#search-results a")
        assert urlsplit(page.url).path == "/reports/inspections/2021-peel/"
        assert errors == []
        context.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_the_default_build_works_opened_as_files(browser: Browser, built_site: Path) -> None:
    context, page, errors = open_page(browser, (built_site / "index.html").as_uri())
    page.click("ol.cards a >> text=PEEL 2021/22 – An inspection of Northamptonshire Police")
    assert page.url.endswith("/inspections/2021-peel/index.html")
    canvas = page.locator(".chart-canvas").first
    canvas.scroll_into_view_if_needed()
    canvas.locator(".main-svg").first.wait_for(timeout=15_000)
    page.click("nav[aria-label=Main] >> text=Compare")
    page.select_option("#pick-a", "2021-peel")
    page.select_option("#pick-b", "2023-peel")
    page.click("#compare-form button")
    page.wait_for_selector("#compare-result table.comparison")
    assert errors == []
    context.close()


def test_the_search_index_reads_exactly_the_pages_search_finds(built_site: Path) -> None:
    """Pagefind is given a glob of the pages marked for search (an inspection's, an area's)
    and reads no other page: reading every comparison and list cost most of its time."""
    globs = SEARCHED_PAGES.strip("{}").split(",")
    read = {p for glob in globs for p in built_site.glob(glob)}
    marked = {p for p in built_site.rglob("*.html") if "pagefind" not in p.parts
              and parse(p).select_one("[data-pagefind-body]") is not None}
    assert read == marked
    assert any(p.parts[-3] == "inspections" for p in read)
    assert any("organisations" in p.parts for p in read)  # a neighbour's area pages
    # Each text once: charts (their tables repeat what the page says) are not indexed.
    for page in sorted(read)[:20]:
        assert all(f.has_attr("data-pagefind-ignore") for f in parse(page).select("figure.chart"))
    fragments = list((built_site / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert len(fragments) == len(read)


def test_pages_outside_the_glob_are_not_read(minimal: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(minimal, out, search=False)
    page = out / "compare" / "2021-peel" / "2023-peel" / "index.html"
    # Were Pagefind to read it, this marked page would be in the index.
    page.write_text(page.read_text().replace("<main ", "<main data-pagefind-body ", 1))
    index_search(out, keep_index_url=True)
    marked = [p for p in out.rglob("*.html") if "pagefind" not in p.parts
              and parse(p).select_one("[data-pagefind-body]") is not None]
    fragments = list((out / "pagefind" / "fragment").glob("*.pf_fragment"))
    assert len(fragments) == len(marked) - 1
