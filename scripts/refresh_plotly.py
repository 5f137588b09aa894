"""Rebuild the vendored plotly.js bundle: only the trace types the site draws.

Usage: python scripts/refresh_plotly.py [--version X.Y.Z]

The site's charts use scatter, bar and heatmap traces only; the full plotly.min.js (every
trace type, 4.8 MB) is four times the size of a bundle of those. This installs plotly.js
(the version the installed plotly package ships, unless --version says otherwise), esbuild
and acorn from the npm registry into a temporary folder, bundles them with
scripts/plotly-bundle.mjs (which leaves out the attributes' descriptions, as plotly.js's
own minified bundles do), and writes templates/vendor/plotly/: plotly.min.js, plotly.js's
LICENSE and bundle.json (version, traces, the tools' versions, the bundle's SHA-256).
Needs Node and npm; building the site needs neither.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "templates" / "vendor" / "plotly"
#: The trace types registered with plotly.js's core (which holds scatter already); keep in
#: step with the "type" of every trace gradeline/charts.py makes (a test checks).
TRACES = ["scatter", "bar", "heatmap"]
#: Pinned so that the same plotly.js version always bundles to the same bytes.
ESBUILD = "0.28.2"
ACORN = "8.19.0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help="plotly.js version (default: the one the installed "
                        "plotly package ships)")
    args = parser.parse_args()
    version = args.version or installed_plotly_js_version()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        subprocess.run(["npm", "install", "--no-save", "--no-audit", "--no-fund",
                        "--ignore-scripts", "--prefix", str(work), f"plotly.js@{version}",
                        f"esbuild@{ESBUILD}", f"acorn@{ACORN}"], check=True)
        entry = work / "entry.js"
        entry.write_text(
            "var Plotly = require('plotly.js/lib/core');\n"
            "Plotly.register([" + ", ".join(f"require('plotly.js/lib/{t}')"
                                            for t in TRACES if t != "scatter") + "]);\n"
            "module.exports = Plotly;\n")
        shutil.copy(ROOT / "scripts" / "plotly-bundle.mjs", work / "plotly-bundle.mjs")
        banner = (f"/* plotly.js v{version} (MIT licence, see LICENSE), traces: "
                  f"{', '.join(TRACES)}; built by Gradeline's scripts/refresh_plotly.py */")
        out = work / "plotly.min.js"
        subprocess.run(["node", str(work / "plotly-bundle.mjs"), str(entry), str(out), banner],
                       check=True, cwd=work)
        VENDOR.mkdir(parents=True, exist_ok=True)
        shutil.copy(out, VENDOR / "plotly.min.js")
        shutil.copy(work / "node_modules" / "plotly.js" / "LICENSE", VENDOR / "LICENSE")
    data = (VENDOR / "plotly.min.js").read_bytes()
    (VENDOR / "bundle.json").write_text(json.dumps({
        "version": version, "traces": TRACES, "esbuild": ESBUILD, "acorn": ACORN,
        "sha256": hashlib.sha256(data).hexdigest()}, indent=2) + "\n")
    print(f"plotly.js {version} ({', '.join(TRACES)}): {len(data):,} bytes "
          f"in {VENDOR.relative_to(ROOT)}")
    return 0


def installed_plotly_js_version() -> str:
    """The plotly.js version of the installed plotly package (which makes the figures)."""
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


if __name__ == "__main__":
    sys.exit(main())
