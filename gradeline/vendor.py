"""Vendored third-party files: the plotly.js bundle the site's charts are drawn with.

The bundle holds only the trace types the charts use (see templates/vendor/plotly/README.md
and scripts/refresh_plotly.py). A site gets it under a name with its version and a hash of
its bytes, so that a host can let browsers keep it for ever: a new bundle is a new name.
"""

from __future__ import annotations

import functools
import hashlib
import json

from .render import TEMPLATES

#: The bundle, its licence and bundle.json (version, traces, how it was built).
PLOTLY_DIR = TEMPLATES / "vendor" / "plotly"
PLOTLY_JS = PLOTLY_DIR / "plotly.min.js"


@functools.cache
def plotly_bundle() -> tuple[str, str]:
    """The bundle's plotly.js version, and its file name in a site's static folder, e.g.
    ``plotly-4.1.1.5f22b9385b.min.js``."""
    version = json.loads((PLOTLY_DIR / "bundle.json").read_text(encoding="utf-8"))["version"]
    digest = hashlib.sha256(PLOTLY_JS.read_bytes()).hexdigest()[:10]
    return version, f"plotly-{version}.{digest}.min.js"
