"""Pilot tests of flagged words with the real dictionaries: take a suggestion, add a word, ignore a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle, wait_for

from workbench.errors import DictionaryError
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.tui.app import WorkbenchApp, make_app
from workbench.tui.sample import make_demo_project

LINES = ["Докладываю о ходе работ по", "уборке хлопка в Азербайджапской ССР."]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    from workbench.dictionary import load_speller

    try:
        load_speller(None, "rus")
    except DictionaryError as e:
        pytest.skip(f"dictionaries not built (`workbench dict build`): {e}")
    return make_demo_project(tmp_path / "p", pages={"p1": LINES})


async def ready(pilot, app: WorkbenchApp) -> None:
    # The page check starts when the dictionaries arrive: settle waits for that worker too.
    await settle(pilot, app)


async def select_unknown(pilot, app: WorkbenchApp, word: str) -> None:
    for _ in range(10):
        await pilot.press("f8")
        await pilot.pause()
        if app.editor.selected_text == word:
            return
    raise AssertionError(f"F8 never reached {word!r}")


@run_async
async def test_take_a_suggestion_with_its_number(project: Project) -> None:
    app = make_app(project, "demo/p1")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        assert app.suggestions_state == "ready"
        assert any("Suggestions available" in n.message for n in app._notifications)
        unknown = [m for m in app.editor.all_marks() if m.kind == "unknown"]
        assert [m.word for m in unknown] == ["Азербайджапской"]
        await select_unknown(pilot, app, "Азербайджапской")
        shown = str(app.screen.query_one("#suggest").render())
        assert "unknown word" in shown and "1 Азербайджанской" in shown
        await pilot.press("1")
        await pilot.pause()
        assert app.editor.document[1] == "уборке хлопка в Азербайджанской ССР."
        await app.workers.wait_for_complete()
    assert "азербайджапской>азербайджанской" in (project.dictionaries_dir / "confusions.json").read_text(
        encoding="utf-8"
    )


@run_async
async def test_add_to_dictionary_and_ignore_on_page(project: Project) -> None:
    app = make_app(project, "demo/p1")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await select_unknown(pilot, app, "Азербайджапской")
        await pilot.press("=")
        await pilot.pause()
        assert not [m for m in app.editor.all_marks() if m.kind == "unknown"]
        await pilot.press("end", "space", *"Кызылбашев")
        # The edited line is checked again after a short pause (the app's half-second tick, then a worker).
        await wait_for(pilot, lambda: any(m.word == "Кызылбашев" for m in app.editor.all_marks()), "the recheck")
        assert [m.word for m in app.editor.all_marks() if m.kind == "unknown"] == ["Кызылбашев"]
        await select_unknown(pilot, app, "Кызылбашев")
        await pilot.press("+")
        await pilot.pause()
        assert not [m for m in app.editor.all_marks() if m.kind == "unknown"]
        await pilot.press("ctrl+s", "enter")
        await pilot.pause()
    assert "Кызылбашев\trus" in (project.dictionaries_dir / "project.txt").read_text(encoding="utf-8")
    assert TranscriptStore(project).read("demo/p1").meta.extra["ignored"] == ["Азербайджапской"]


@run_async
async def test_page_list_counts_flagged_words(project: Project) -> None:
    app = make_app(project, "demo/p1")
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, app)
        await pilot.press("f2")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        assert table.get_row("demo/p1")[4] == "1"  # «Азербайджапской»
