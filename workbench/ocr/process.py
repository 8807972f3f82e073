"""Running an external program (Tesseract) so that it never outlives what it was started for.

Each program runs in its own process group, and a timeout, an interrupt or an error kills the whole group
(a wrapper script's children included), not just the first process. In a batch worker the program also
gets a parent-death signal, so if the worker is killed (``kill -9`` of ``workbench ocr -j 2`` kills the
workers through theirs, see :func:`die_with_parent`) Tesseract goes with it instead of running on as an
orphan. Linux only for the parent-death signal (``prctl``); elsewhere the batch's parent watch remains.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

#: Programs started by this process and not yet finished, for :func:`kill_children`.
_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()
#: Set in batch workers: programs they start get a parent-death signal too.
_children_die_with_parent = False


@dataclass(frozen=True)
class Finished:
    """A program's exit status (negative: killed by that signal) and its output, as bytes."""

    status: int
    stdout: bytes
    stderr: bytes


class TimedOut(Exception):
    """The program ran longer than its timeout; its process group was killed."""


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


def die_with_parent(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent (thread) exits; ``False`` if not on Linux."""
    libc = _libc()
    if libc is None or not hasattr(libc, "prctl"):
        return False
    return int(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0


def children_die_with_parent() -> None:
    """Give every program this process starts from now on a parent-death SIGKILL (batch workers call it)."""
    global _children_die_with_parent
    _children_die_with_parent = True


def _in_child() -> None:
    # Runs in the forked child before exec: only the prctl system call, nothing that could take a lock.
    die_with_parent(signal.SIGKILL)


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc``'s process group (it leads one: see :func:`run`) and reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError, ValueError):
        proc.communicate(timeout=5)


def kill_children() -> None:
    """Kill every program this process is running (a worker's SIGTERM handler calls it before exiting)."""
    with _running_lock:
        procs = list(_running)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def run(args: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> Finished:
    """Run ``args`` in a new process group and return its status and output.

    Raises :class:`TimedOut` after ``timeout`` seconds (the whole group killed first), ``OSError`` if the
    program cannot be started. An interrupt (Ctrl-C) kills the group too and is re-raised.
    """
    proc = subprocess.Popen(
        list(args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,  # its own process group: killpg reaches a wrapper's children too
        preexec_fn=_in_child if _children_die_with_parent else None,
    )
    with _running_lock:
        _running.add(proc)
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as e:
            kill_group(proc)
            raise TimedOut(f"{args[0]} did not finish within {timeout:g} s") from e
        except BaseException:
            kill_group(proc)
            raise
    finally:
        with _running_lock:
            _running.discard(proc)
    return Finished(status=proc.returncode, stdout=out, stderr=err)


def watch_parent(parent_pid: int, on_orphaned: Callable[[], None], interval: float = 0.5) -> threading.Thread:
    """Call ``on_orphaned`` once this process's parent is no longer ``parent_pid`` (a fallback where the
    parent-death signal is missing or was set too late). Polls in a daemon thread every ``interval`` s."""

    def loop() -> None:
        while os.getppid() == parent_pid:
            time.sleep(interval)
        on_orphaned()

    thread = threading.Thread(target=loop, name="workbench-parent-watch", daemon=True)
    thread.start()
    return thread
