"""Golden digests of the single-organisation site: proof that it stays as it was.

Regenerate after an intended change to the pages with:
    GRADELINE_UPDATE_GOLDEN=1 pytest tests/test_organisations.py -k golden
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "single-organisation-site.txt"
# Asset versions change whenever a stylesheet or script changes; the pages do not. The
# plotly.js bundle has its version and hash in its file name.
_VERSION = re.compile(rb"\?v=[0-9a-zA-Z.]+|(?<=/plotly-)[0-9.]+\.[0-9a-f]+(?=\.min\.js)")


def normalised(html: bytes) -> bytes:
    """A page with its asset version strings removed."""
    return _VERSION.sub(b"", html)


def page_digests(site: Path) -> dict[str, str]:
    """Every HTML page (search bundle aside) with a digest of its normalised bytes."""
    return {p.relative_to(site).as_posix():
            hashlib.sha256(normalised(p.read_bytes())).hexdigest()[:16]
            for p in sorted(site.rglob("*.html")) if "pagefind" not in p.parts}


def write_golden(site: Path) -> None:
    GOLDEN.write_text("".join(f"{digest}  {path}\n"
                              for path, digest in page_digests(site).items()))


def read_golden() -> dict[str, str]:
    pairs = (line.split("  ", 1) for line in GOLDEN.read_text().splitlines() if line)
    return {path: digest for digest, path in pairs}
