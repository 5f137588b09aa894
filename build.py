#!/usr/bin/env python3
"""Build the Gradeline site: ``python build.py [build|check|...] --help`` lists the commands."""

import os
import sys

from gradeline.cli import main

if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and flushed: skip tearing down a large heap object by object,
    # which takes seconds after a big build and changes nothing.
    os._exit(status)
