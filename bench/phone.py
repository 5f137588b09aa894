"""Phone benchmark: from opening a chart page to its first chart drawn, on a slow phone.

    python bench/phone.py [--runs 3] [--pages timeline/#timeline areas/#grades-by-area]

Builds the shipped content, then opens each page in headless Chromium (/usr/bin/chromium)
emulating Lighthouse's mobile profile: a 412 x 823 screen, slow 4G (150 ms round trip,
1.6 Mbps down, 750 kbps up) and a CPU 4 times slower. The site is served from 127.0.0.1
gzipped, as static hosts serve it, with an empty browser cache for every run. Each page is
opened at its chart's permalink, so that the chart is on screen from the start (a reader
who follows a link to the chart; further down a page a chart is drawn as it comes into
view, and the bundle has been fetching since the page began to load).

For each page it measures the time from navigation to the first chart drawn (Plotly's
newPlot done: the chart's class becomes chart-drawn) and the bytes transferred (the sum of
every response's encoded length, once the network is quiet after the chart is drawn), the
median of the runs. The reference, measured in the same run and alternating with it, is the
same site with the full plotly.min.js (every trace type) that the plotly package ships in
place of the site's bundle. Prints both and their ratio; exits 1 if a page misses the
targets (4 s, 700 KB).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, ClassVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gradeline.build import build  # noqa: E402
from gradeline.vendor import plotly_bundle  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PAGES = ["timeline/#timeline", "areas/#grades-by-area"]
#: Lighthouse's mobile profile (its "slow 4G" and moto g power screen).
VIEWPORT = {"width": 412, "height": 823}
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6 * 1024 * 1024 / 8,
           "uploadThroughput": 750 * 1024 / 8}
CPU_SLOWDOWN = 4
TARGET_SECONDS = 4.0
TARGET_KB = 700

#: Records when the first chart is drawn, in ms from navigation start.
FIRST_CHART = """
new MutationObserver(function (records, observer) {
  if (document.querySelector('figure.chart .chart-canvas.chart-drawn .main-svg')) {
    window.__firstChart = performance.now();
    observer.disconnect();
  }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['class']});
"""


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Serves each file gzipped (level 6, as static hosts do). bench/lighthouse.py serves
    the site with it too."""

    cache: ClassVar[dict[Path, bytes]] = {}

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            return
        body = self.cache.get(path)
        if body is None:
            body = self.cache[path] = gzip.compress(path.read_bytes(), 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(GzipHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def measure(browser: Any, url: str) -> tuple[float, int]:
    """Seconds to the first chart drawn, and bytes transferred, for one cold load."""
    context = browser.new_context(viewport=VIEWPORT, is_mobile=True, has_touch=True,
                                  device_scale_factor=1.75)
    page = context.new_page()
    page.add_init_script(FIRST_CHART)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", NETWORK)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, int] = {}
    pending: set[str] = set()
    last_event = [time.monotonic()]

    def started(event: dict[str, Any]) -> None:
        pending.add(event["requestId"])
        last_event[0] = time.monotonic()

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = int(event["encodedDataLength"])
        pending.discard(event["requestId"])
        last_event[0] = time.monotonic()

    cdp.on("Network.requestWillBeSent", started)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.loadingFailed", lambda e: pending.discard(e["requestId"]))
    page.goto(url, wait_until="commit")
    # Polled from here: the site's Content-Security-Policy refuses the string evaluation
    # that Playwright's wait_for_function uses.
    deadline = time.monotonic() + 120
    while (drawn := page.evaluate("window.__firstChart")) is None:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no chart drawn: {url}")
        page.wait_for_timeout(50)
    drawn /= 1000
    while pending or time.monotonic() - last_event[0] < 1.0:
        page.wait_for_timeout(100)
    context.close()
    return drawn, sum(sizes.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from plotly.offline import get_plotlyjs

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(ROOT / "content", site)
        name = plotly_bundle()[1]
        reference = Path(tmp) / "reference"
        shutil.copytree(site, reference)
        (reference / "static" / name).write_text(get_plotlyjs(), encoding="utf-8")
        servers = {label: serve(folder) for label, folder in
                   (("bundle", site), ("full", reference))}
        results: dict[tuple[str, str], list[tuple[float, int]]] = {}
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                            args=["--no-sandbox", "--disable-gpu"])
                for _ in range(args.runs):
                    for page in args.pages:
                        for label, (_, base) in servers.items():
                            results.setdefault((page, label), []).append(
                                measure(browser, base + page))
                browser.close()
        finally:
            for server, _ in servers.values():
                server.shutdown()
    print(f"Phone: {VIEWPORT['width']} px, {NETWORK['latency']} ms, 1.6 Mbps down, CPU "
          f"{CPU_SLOWDOWN}x slower, gzip; median of {args.runs} cold loads each.")
    print(f"Reference: the full plotly.min.js in place of {name}.\n")
    print(f"{'page':24} {'first chart':>11} {'full':>7} {'ratio':>6} {'KB':>6} {'full':>6} "
          f"{'ratio':>6}  within target")
    ok = True
    for page in args.pages:
        mine = results[(page, "bundle")]
        full = results[(page, "full")]
        seconds = statistics.median(s for s, _ in mine)
        kb = statistics.median(b for _, b in mine) / 1024
        full_seconds = statistics.median(s for s, _ in full)
        full_kb = statistics.median(b for _, b in full) / 1024
        met = seconds <= TARGET_SECONDS and kb <= TARGET_KB
        ok = ok and met
        print(f"{page:24} {seconds:10.2f}s {full_seconds:6.2f}s {seconds / full_seconds:6.2f} "
              f"{kb:6.0f} {full_kb:6.0f} {kb / full_kb:6.2f}  {'yes' if met else 'NO'}")
        print(f"{'':24} runs: " + ", ".join(f"{s:.2f}s/{b / 1024:.0f}KB" for s, b in mine))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
