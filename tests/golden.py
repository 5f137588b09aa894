"""Golden outline of a site: what each page says and links to, as text, kept in a file.

A change to any page shows as a unified diff of its outline: its title, its headings, the
text of its main part line by line, and where each of its links leads. Regenerate after an
intended change with:

    GRADELINE_UPDATE_GOLDEN=1 pytest tests/test_organisations.py -k golden
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from bs4 import BeautifulSoup

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "single-organisation-site.txt"
# Asset versions change whenever a stylesheet or script changes; the pages do not. The
# plotly.js bundle has its version and hash in its file name.
_VERSION = re.compile(r"\?v=[0-9a-zA-Z.]+|(?<=/plotly-)[0-9.]+\.[0-9a-f]+(?=\.min\.js)")
#: Elements whose text is data for scripts (chart figures), not words a reader sees.
_DATA = ("script", "style", "template")


def page_outline(html: str) -> list[str]:
    """What a page says and where it links, one line each."""
    soup = BeautifulSoup(html, "html.parser")
    lines = [f"title: {soup.title.get_text(strip=True) if soup.title else ''}"]
    main = soup.find("main") or soup
    for tag in main.find_all(_DATA):
        tag.decompose()
    for tag in main.find_all(["h1", "h2", "h3", "h4", "caption"]):
        lines.append(f"{tag.name}: {' '.join(tag.get_text().split())}")
    for tag in main.find_all(["a", "form"]):
        target = tag.get("href") or tag.get("action") or ""
        lines.append(f"link: {_VERSION.sub('', target)} {' '.join(tag.get_text().split())}")
    lines += [f"text: {line}" for line in
              (" ".join(part.split()) for part in main.get_text("\n").split("\n")) if line]
    return lines


def site_outline(site: Path) -> list[str]:
    """Every HTML page's outline (search bundle aside), under a line naming the page."""
    out = []
    for page in sorted(site.rglob("*.html")):
        if "pagefind" in page.parts:
            continue
        out.append(f"== {page.relative_to(site).as_posix()}")
        out += page_outline(page.read_text(encoding="utf-8"))
    return out


def write_golden(site: Path) -> None:
    """Keep the site's outline as the golden one."""
    GOLDEN.write_text("\n".join(site_outline(site)) + "\n", encoding="utf-8")


def golden_diff(site: Path, limit: int = 200) -> str:
    """The unified diff from the golden outline to the site's ("" when they are equal)."""
    diff = list(difflib.unified_diff(GOLDEN.read_text(encoding="utf-8").splitlines(),
                                     site_outline(site), "golden", "built", lineterm="", n=1))
    shown = diff[:limit] + ([f"... {len(diff) - limit} more lines"] if len(diff) > limit else [])
    return "\n".join(shown)
