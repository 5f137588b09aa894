"""Process parallelism: the one way a build hands work to other processes.

Helpers are forked, so they inherit everything this process has made (the content, the
derived site, the compiled templates) and nothing of it is sent to them: a task is a
module-level function that gets the pool's ``state`` and a number saying which part of the
work to do, and only its result comes back. Helpers end with the process that started
them, even when it is killed.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

S = TypeVar("S")
R = TypeVar("R")

#: The state of the open pool, as the forked helpers inherit it (one pool at a time).
_STATE: Any = None
#: Linux's prctl option that signals a process when its parent ends.
_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    """Forking is safe only from a process with one thread (the dev server has several)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


class Counter:
    """A number shared by this process and its helpers, for taking parts of the work one
    after another: whoever is free takes the next."""

    def __init__(self) -> None:
        self._value = multiprocessing.get_context("fork").Value("i", 0)

    def take(self) -> int:
        """The next number (0, 1, 2, ...), never the same twice across processes."""
        with self._value.get_lock():
            number = self._value.value
            self._value.value = number + 1
        return number


class ForkPool(Generic[S]):
    """Helper processes forked from this one, sharing ``state``; use it as a context
    manager (or open and close it), and submit tasks by number."""

    def __init__(self, state: S, processes: int):
        self.state = state
        self.processes = processes
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def open(self) -> ForkPool[S]:
        """Make the state the helpers' (they are forked at the first submit)."""
        global _STATE
        if _STATE is not None:
            raise RuntimeError("a pool of helper processes is already open")
        _STATE = self.state
        self._pool = concurrent.futures.ProcessPoolExecutor(
            self.processes, mp_context=multiprocessing.get_context("fork"),
            initializer=_end_with_parent, initargs=(os.getpid(),))
        return self

    def submit(self, task: Callable[[S, int], R], number: int) -> concurrent.futures.Future[R]:
        """Run ``task(state, number)`` in a helper."""
        assert self._pool is not None, "open the pool first"
        return self._pool.submit(_run, task, number)

    def close(self) -> None:
        """Wait for the tasks under way, drop those not started, and end the helpers."""
        global _STATE
        try:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self._pool = None
            _STATE = None

    def __enter__(self) -> ForkPool[S]:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run(task: Callable[[Any, int], R], number: int) -> R:
    return task(_STATE, number)


def _end_with_parent(parent: int) -> None:
    """Have the kernel end this helper when its parent ends, however the parent ends: a
    killed build must not leave helpers waiting for work for ever."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)
