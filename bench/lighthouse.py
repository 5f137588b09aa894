"""Lighthouse scores (mobile preset) for the built site's main page types.

Usage: python bench/lighthouse.py [--site site] [--lighthouse PATH] [pages ...]

Needs Node with the npm package `lighthouse` (npm install lighthouse@12) and Chromium
(CHROME_PATH, default /usr/bin/chromium). Serves the site gzipped on 127.0.0.1, as static
hosts serve it, and prints one row per page: performance, accessibility, best practices, SEO,
and the main timings. Lighthouse exits 0 whatever the scores, so the scores are read from its
JSON report.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from phone import GzipHandler

DEFAULT_PAGES = ["", "timeline/", "inspections/2023-peel/", "areas/investigating-crime/"]


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve the site gzipped, as static hosts do (the phone benchmark's server)."""
    handler = functools.partial(GzipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def run_lighthouse(lighthouse: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        subprocess.run(
            [lighthouse, url, "--output=json", f"--output-path={report}", "--quiet",
             "--only-categories=performance,accessibility,best-practices,seo",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
             "--disable-background-networking"],
            check=True, env={**os.environ, "CHROME_PATH": os.environ.get(
                "CHROME_PATH", "/usr/bin/chromium")})
        return json.loads(report.read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=Path("site"))
    parser.add_argument("--lighthouse", default=shutil.which("lighthouse") or "lighthouse")
    parser.add_argument("pages", nargs="*", default=DEFAULT_PAGES)
    args = parser.parse_args()
    server, base = serve(args.site)
    print(f"{'page':32} {'perf':>5} {'a11y':>5} {'bp':>5} {'seo':>5} {'FCP':>7} {'LCP':>7} "
          f"{'TBT':>6} {'CLS':>6} {'HTML KB':>8}")
    worst = 1.0
    try:
        for page in args.pages:
            data = run_lighthouse(args.lighthouse, base + page)
            cats = {k: v["score"] for k, v in data["categories"].items()}
            audits = data["audits"]
            html = (args.site / page / "index.html").stat().st_size / 1024
            worst = min(worst, cats["performance"])
            print(f"{'/' + page:32} {cats['performance']:5.2f} {cats['accessibility']:5.2f} "
                  f"{cats['best-practices']:5.2f} {cats['seo']:5.2f} "
                  f"{audits['first-contentful-paint']['displayValue']:>7} "
                  f"{audits['largest-contentful-paint']['displayValue']:>7} "
                  f"{audits['total-blocking-time']['displayValue']:>6} "
                  f"{audits['cumulative-layout-shift']['displayValue']:>6} {html:8.1f}")
    finally:
        server.shutdown()
    return 0 if worst >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
