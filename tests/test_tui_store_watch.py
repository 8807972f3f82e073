"""The TUI notices a version of the open page saved elsewhere (the CLI, another workbench) as it appears
(issue 9, bug 10): a clean editor loads it with a notice; unsaved edits stay, with the diff offered and the
save going through the conflict path. The other writer here is the core store API, as `workbench save` uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for

from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import DEFAULT_LINES, make_demo_project
from workbench.tui.screens import ChoiceScreen, DiffScreen

SIZE = (120, 40)
THEIRS = "\n".join(DEFAULT_LINES).replace("Батиров", "Багиров")


@pytest.fixture
def demo(tmp_path: Path) -> Project:
    return make_demo_project(tmp_path / "demo")


def app_for(project: Project) -> WorkbenchApp:
    return make_app(project, "demo/p1", load_dictionaries=False)


def notified(app: WorkbenchApp, words: str) -> bool:
    return any(words in n.message for n in app._notifications)


@run_async
async def test_a_version_saved_elsewhere_is_loaded_into_a_clean_editor(demo: Project) -> None:
    store = TranscriptStore(demo)
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("down", "down")
        store.save("demo/p1", THEIRS, base=1, message="from the command line")  # what `workbench save` does
        await wait_for(pilot, lambda: app.editor.text == THEIRS, "the new version in the editor")
        await wait_for(pilot, lambda: notified(app, "Version 2 of demo/p1 was saved elsewhere"), "the notice")
        assert app.sub_title.startswith("v2") and "unsaved" not in app.sub_title
        assert app.editor.cursor_location[0] == 2  # the cursor stays on its line
        await pilot.press("end", "space", "О", "К", "ctrl+s", "enter")
        await settle(pilot, app)
    latest = store.read("demo/p1")
    assert latest.number == 3 and latest.meta.base == 2 and not latest.meta.conflict
    assert latest.text.startswith(THEIRS.split("\n")[0])


@run_async
async def test_unsaved_edits_stay_and_the_diff_is_offered(demo: Project) -> None:
    store = TranscriptStore(demo)
    app = app_for(demo)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: "● unsaved" in app.sub_title, "the edit")
        store.save("demo/p1", THEIRS, base=1, message="from the command line")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the question about version 2")
        body = str(app.screen.query_one(".body Static").render())
        assert "Version 2 of demo/p1 was saved elsewhere" in body and "unsaved edits" in body
        assert app.editor.text.startswith("x") and "Батиров" in app.editor.text  # the edits stay
        # the first button, «View the diff», has the focus once the dialog is mounted
        await wait_for(pilot, lambda: getattr(app.screen.focused, "id", None) == "choice-diff", "the dialog's focus")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff")
        shown = str(app.screen.query_one("#diff-text").render())
        assert "Багиров" in shown and "Батиров" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, DiffScreen | ChoiceScreen), "the editor again")
        assert app.sub_title.startswith("v1") and "● unsaved" in app.sub_title
        await pilot.press("ctrl+s", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), "the save conflict")
        assert "conflict" in str(app.screen.query_one(".title").render()).lower()
    mine = store.read("demo/p1")
    assert mine.number == 3 and mine.meta.conflict and mine.meta.base == 1 and mine.text.startswith("x")
