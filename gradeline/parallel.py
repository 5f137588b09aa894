"""Work shared with forked helper processes, which inherit everything loaded so far."""

from __future__ import annotations

import sys
import threading


def can_fork() -> bool:
    """Forking is safe only from a process with one thread (the dev server has several)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())
