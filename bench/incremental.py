"""Save-to-page time of the dev server: edit one inspection, time until the new page is served.

Usage: python bench/incremental.py [--content content] [--page inspections/2021-peel/]
       [--file inspections/2021-peel.yaml] [--runs 20]

Copies the content to a temporary folder, starts `python build.py serve --port 0` on it,
then repeatedly edits one inspection's summary and polls the page over HTTP until it shows
the edit. Prints the median and worst times, and the server's own build times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--file", default="inspections/2021-peel.yaml")
    parser.add_argument("--page", default="inspections/2021-peel/")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(args.content, content)
        server = subprocess.Popen([sys.executable, "build.py", "serve", "--port", "0",
                                   "--content", str(content)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert server.stdout is not None
            url = server.stdout.readline().split(" at ")[1].split(" ")[0]
            origin = "/".join(url.split("/")[:3])
            path = content / args.file
            original = path.read_text(encoding="utf-8")
            waits, builds = [], []
            for run in range(args.runs):
                token = f"Edit{run}x{time.time_ns()}"
                path.write_text(original.replace("summary:", f"summary: {token}", 1),
                                encoding="utf-8")
                started = time.perf_counter()
                while token.encode() not in fetch(url + args.page):
                    if time.perf_counter() - started > 30:
                        raise SystemExit("timed out waiting for the page")
                    time.sleep(0.005)
                waits.append(time.perf_counter() - started)
                status = json.loads(fetch(origin + "/__gradeline__/status.json"))
                builds.append(status["seconds"])
                time.sleep(0.2)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"content: {args.content} ({len(list(args.content.rglob('*.yaml')))} files); "
          f"edited {args.file} {args.runs} times")
    print(f"save to new page served: median {statistics.median(waits) * 1000:.0f} ms, "
          f"worst {max(waits) * 1000:.0f} ms")
    print(f"incremental build alone: median {statistics.median(builds) * 1000:.0f} ms, "
          f"worst {max(builds) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
