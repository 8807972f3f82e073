"""End to end in a real terminal: tmux runs `workbench` on a copy of the sample archive, keys go in with
`send-keys`, `capture-pane` shows the edited text, the saved version and the history entry, and the store on
disk is checked afterwards."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from workbench.project import Project
from workbench.store import TranscriptStore

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WORKBENCH = Path(sys.executable).with_name("workbench")


def wait_until(predicate, what: str, timeout: float = 30.0, show=lambda: "") -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after ``timeout`` seconds (a deadline, not a sleep)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}:\n{show()}")
        time.sleep(0.1)


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True, timeout=30).stdout


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def screen(self) -> str:
        return _tmux("capture-pane", "-p", "-t", self.name)

    def keys(self, *keys: str) -> None:
        _tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        _tmux("send-keys", "-t", self.name, "-l", text)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """Poll the screen until ``text`` is on it (or fail after ``timeout`` seconds, showing the screen)."""
        screen = ""

        def shown() -> bool:
            nonlocal screen
            screen = self.screen()
            return text in screen

        wait_until(shown, f"{text!r} on the screen", timeout, lambda: screen)
        return screen

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode == 0


@pytest.fixture
def terminal(sample_project: Project, tmp_path: Path):
    name = f"wb-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "WORKBENCH_AUTHOR": "e2e-tester",
        "WORKBENCH_LOG": str(tmp_path / "tui.log"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    command = f"cd {sample_project.root} && env {exports} {WORKBENCH}"
    errors: list[str] = []

    def started() -> bool:
        # "server exited unexpectedly": a tmux server was still shutting down; try again until it is gone.
        run = subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", command],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        errors.append(run.stderr)
        return run.returncode == 0

    wait_until(started, "tmux new-session to start", 15, lambda: errors[-1])
    term = Terminal(name)
    yield term
    if term.alive():
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_edit_save_and_history_in_a_real_terminal(terminal: Terminal, sample_project: Project) -> None:
    pages = sample_project.pages()
    assert pages, "the sample archive has pages"
    page = pages[0].id  # plain `workbench` opens the first page
    store = TranscriptStore(sample_project)
    before = store.latest_number(page) or 0
    terminal.wait_for(page)
    # The status line is painted with the cursor at the start of the page: the app takes keys there (no Home
    # key: sent together with text, its escape sequence once let the text land before the cursor moved).
    terminal.wait_for("line 1/")
    assert " col 1 " in terminal.screen()
    terminal.type("Проверка ")
    terminal.keys("C-g", "a")  # the Azerbaijani chord: ә
    terminal.type(" ")
    terminal.wait_for("Проверка ә")
    terminal.wait_for("● unsaved")  # the title says so (it may be painted a frame after the text)
    terminal.keys("C-s")
    terminal.wait_for("Save a version")
    terminal.type("e2e message")
    terminal.keys("Enter")
    screen = terminal.wait_for(f"v{before + 1} ·")
    assert "unsaved" not in screen.splitlines()[0]
    terminal.keys("F3")
    screen = terminal.wait_for("e2e message")
    assert "e2e-tester" in screen and f"History of {page}" in screen
    terminal.keys("Escape")
    wait_until(
        lambda: f"History of {page}" not in terminal.screen(), "the history dialog to close", show=terminal.screen
    )
    terminal.keys("C-q")
    wait_until(lambda: not terminal.alive(), "the app to quit on Ctrl+Q with nothing unsaved", 15)
    # And on disk:
    version = store.read(page)
    assert version.number == before + 1
    assert version.text.startswith("Проверка ә ")
    assert (version.meta.author, version.meta.message, version.meta.source) == ("e2e-tester", "e2e message", "edit")
    assert store.read_recovery(page) is None


def test_autosave_survives_a_killed_terminal(terminal: Terminal, sample_project: Project, tmp_path: Path) -> None:
    page = sample_project.pages()[0].id
    store = TranscriptStore(sample_project)
    before = store.latest_number(page)
    terminal.wait_for("line 1/")
    assert " col 1 " in terminal.screen()  # the cursor is at the start of the page (see the test above)
    terminal.type("Несохранённое ")
    terminal.wait_for("● unsaved")
    # the app autosaves two seconds after the typing stops
    wait_until(
        lambda: (r := store.read_recovery(page)) is not None and r["text"].startswith("Несохранённое "),
        "the autosave",
        30,
    )
    subprocess.run(["tmux", "kill-session", "-t", terminal.name], check=True)  # the terminal is gone
    rec = store.read_recovery(page)
    assert rec is not None and rec["text"].startswith("Несохранённое ")
    assert store.latest_number(page) == before  # an autosave is not a version
    # Open the page again in a new terminal: the edits are offered.
    again = Terminal(terminal.name + "-again")
    subprocess.run(
        [
            "tmux",
            "new-session",
            "-d",
            "-s",
            again.name,
            "-x",
            "120",
            "-y",
            "40",
            f"cd {sample_project.root} && env WORKBENCH_AUTHOR=e2e-tester WORKBENCH_LOG={tmp_path / 'log'} "
            f"TERM=xterm-256color {WORKBENCH} open {page}",
        ],
        check=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        screen = again.wait_for("Recover unsaved edits?")
        assert "Несохранённое" in screen
        again.keys("Enter")  # Recover is the default
        again.wait_for("● unsaved")
        assert again.screen().count("Несохранённое") >= 1
    finally:
        subprocess.run(["tmux", "kill-session", "-t", again.name], capture_output=True)
