"""Markdown and text from content can never put live HTML or script into a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from gradeline.build import build
from gradeline.errors import ContentError

from conftest import parse

OWN_SCRIPTS = ("static/charts.js", "static/compare.js", "static/tracker.js",
               "static/search.js", "static/sortable.js", "data/compare/test-force.js")
HOSTILE_SUMMARY = """\
summary: |
  Fine **bold** text and a [good link](https://example.org/).

  <script>alert('summary')</script>
  <img src=x onerror="alert('img')">
  [bad link](javascript:alert('link'))
  <a href="https://example.org/x" onclick="alert('click')">click</a>
  <iframe src="https://evil.example"></iframe>
"""


def test_raw_html_and_script_in_markdown_are_neutralised(minimal: Path, tmp_path: Path) -> None:
    path = minimal / "inspections" / "2021-peel.yaml"
    text = path.read_text().replace(
        "summary: The force was adequate at serving victims and needed to improve its "
        "investigations.\n", HOSTILE_SUMMARY)
    text = text.replace("title: PEEL 2021/22 inspection of Test Force",
                        "title: \"<script>alert('title')</script> {{ 7 * 7 }}\"")
    path.write_text(text)
    # Elements whose content a page never shows are refused in Markdown, at the text's line.
    with pytest.raises(ContentError) as error:
        build(minimal, tmp_path / "site")
    assert str(error.value).splitlines()[0] == (
        f"{path}:8:10: summary: '<script>' is HTML whose content no page shows (and one left "
        "open hides all the text after it); remove it, or write it in backticks (`<script>`) "
        "to show it as written")
    path.write_text(text.replace("  <script>alert('summary')</script>\n", ""))
    with pytest.raises(ContentError, match="'<iframe>' is HTML whose content no page shows"):
        build(minimal, tmp_path / "site")
    # The rest of the attack builds, inert.
    path.write_text(text.replace("  <script>alert('summary')</script>\n", "").replace(
        '  <iframe src="https://evil.example"></iframe>\n', ""))
    build(minimal, tmp_path / "site")
    for page in (tmp_path / "site").rglob("*.html"):
        soup = parse(page)
        for script in soup.find_all("script"):
            # Only the site's own chart script, and inert JSON data for charts.
            if script.get("type") == "application/json":
                assert "<" not in script.string, page
            else:
                source = script["src"].split("?")[0]
                assert source.endswith(OWN_SCRIPTS), (page, source)
                assert not script.string, page
        assert soup.find_all(["iframe", "img"]) == []
        for tag in soup.find_all(True):
            assert not any(attr.startswith("on") for attr in tag.attrs), (page, tag)
            assert not str(tag.get("href", "")).lower().startswith("javascript:")
        # A link whose address was removed is left as its words, not an <a> going nowhere.
        assert all(a.has_attr("href") for a in soup.find_all("a")), page
    soup = parse(tmp_path / "site" / "inspections" / "2021-peel" / "index.html")
    summary = soup.find("h2", id="summary").parent
    assert summary.find("strong").get_text() == "bold"
    assert summary.find("a", string="good link")["href"] == "https://example.org/"
    assert "bad link" in summary.get_text() and not summary.find("a", string="bad link")
    # The title is shown as the text it is, template syntax included, not interpreted.
    heading = soup.find("h1").get_text(strip=True)
    assert heading.startswith("<script>alert('title')</script> {{ 7 * 7 }}")
