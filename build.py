#!/usr/bin/env python3
"""Build the Gradeline site: ``python build.py [build|check|...] --help`` lists the commands."""

import sys

from gradeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
