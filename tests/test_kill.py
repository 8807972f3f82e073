"""`kill -9` of `workbench ocr -j 2` leaves no process of that run behind: workers and Tesseract die with it.

Each run carries a marker in its environment, which every process it starts inherits (workers, Tesseract),
so the test finds them in /proc whatever their process group or session. The moment of the kill is chosen
at random among the moments that matter (just started, workers up, Tesseract running, pages stored), and
the test then polls, with a deadline of 5 s, until none of them is left.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from test_ocr_support import AZERBAIJANI, RUSSIAN, make_project, render_lines

from workbench.project import Project

pytestmark = [pytest.mark.tesseract, pytest.mark.slow]

if not Path("/proc/self/environ").exists():
    pytest.skip("needs Linux /proc", allow_module_level=True)

MARK = "WORKBENCH_TEST_RUN"


def run_processes(marker: str) -> dict[int, str]:
    """Live processes (not zombies) whose environment holds ``MARK=marker``: pid → command name."""
    found: dict[int, str] = {}
    needle = f"{MARK}={marker}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        state = stat[stat.rindex(b")") + 2 : stat.rindex(b")") + 3]
        if needle in env and state != b"Z":
            name = stat[stat.index(b"(") + 1 : stat.rindex(b")")].decode(errors="replace")
            found[int(entry)] = name
    return found


def poll(condition: Callable[[], bool], seconds: float) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def stored(project: Project) -> int:
    return len(list((project.root / "transcripts").glob("doc/*/versions/0001")))


MOMENTS = ("started", "workers", "tesseract", "one page stored", "two pages stored")


@pytest.fixture(scope="module")
def pages() -> dict[str, object]:
    lines = RUSSIAN + AZERBAIJANI
    return {f"p{i + 1}": render_lines([lines[i % len(lines)]], size=32) for i in range(8)}


@pytest.mark.parametrize("attempt", range(10))
def test_kill_9_of_ocr_leaves_no_worker_or_tesseract(attempt: int, tmp_path: Path, pages: dict[str, object]) -> None:
    project = make_project(tmp_path / "p", pages)  # type: ignore[arg-type]
    marker = uuid.uuid4().hex
    moment = random.Random(attempt).choice(MOMENTS)
    cmd = [sys.executable, "-m", "workbench", "-C", str(project.root), "ocr", "-j", "2", "--lang", "rus"]
    env = {**os.environ, MARK: marker, "OMP_THREAD_LIMIT": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        reached = {
            "started": lambda: bool(run_processes(marker)),
            "workers": lambda: len(run_processes(marker)) >= 3,
            "tesseract": lambda: "tesseract" in run_processes(marker).values(),
            "one page stored": lambda: stored(project) >= 1,
            "two pages stored": lambda: stored(project) >= 2,
        }[moment]
        assert poll(reached, 120), f"the run never reached {moment!r}"
        if proc.poll() is not None:
            pytest.skip(f"the run finished before {moment!r} could be killed")  # not a pass: says so
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        left = poll(lambda: not run_processes(marker), 5.0)
        assert left, f"after kill -9 at {moment!r}, still running after 5 s: {run_processes(marker)}"
    finally:
        for pid in run_processes(marker):  # never leave them behind for the next test, even on failure
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()
