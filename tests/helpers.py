"""Small helpers shared by test modules (import as ``from helpers import …``; pytest puts tests/ on sys.path)."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable, Coroutine
from typing import Any


def run_async(fn: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
    """Run an async test in a fresh event loop (the suite has no asyncio plugin)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


async def wait_for(pilot: Any, predicate: Callable[[], object], what: str, timeout: float = 120.0) -> None:
    """Poll ``predicate`` while the app runs until it holds; fail naming ``what`` after ``timeout`` seconds.

    The deadline is generous (a loaded 2-core machine) and costs nothing when the state arrives at once.
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.05)


async def settle(pilot: Any, app: Any, timeout: float = 120.0) -> None:
    """Let workers finish and the app handle what they posted (again, while that starts new workers)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if all(w.is_finished for w in app.workers):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"workers still running after {timeout:.0f} s: {list(app.workers)}")
