"""The code stays ruff-clean: the linter runs as part of the test suite."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_ruff_finds_nothing() -> None:
    command = [sys.executable, "-m", "ruff", "check", "gradeline", "tests", "bench", "build.py"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
