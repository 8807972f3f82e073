"""Pilot tests with the real dictionaries: a likely misread of a known word has its own mark, the likely
word first; a word ignored on one page of a document is not flagged on its other pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_async, settle

from workbench.errors import DictionaryError
from workbench.project import Project
from workbench.session import PageSession
from workbench.store import TranscriptStore
from workbench.tui.app import make_app
from workbench.tui.sample import make_demo_project

P1 = ["Хроме того, докладываю о ходе работ", "по уборке хлопка в Азербайджапской ССР."]
P2 = ["Уборка хлопка в Азербайджапской ССР", "идет по плвну."]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    from workbench.dictionary import load_speller

    try:
        load_speller(None, "rus")
    except DictionaryError as e:
        pytest.skip(f"dictionaries not built (`workbench dict build`): {e}")
    return make_demo_project(tmp_path / "p", pages={"p1": P1, "p2": P2})


@run_async
async def test_a_likely_misread_has_its_own_mark_and_the_likely_word_first(project: Project) -> None:
    app = make_app(project, "demo/p1")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        kinds = {m.word: m.kind for m in app.editor.all_marks() if m.kind != "lowconf"}
        assert kinds == {"Хроме": "realword", "Азербайджапской": "unknown"}
        await pilot.press("f8")
        await pilot.pause()
        assert app.editor.selected_text == "Хроме"
        shown = str(app.screen.query_one("#suggest").render())
        assert "likely misread" in shown and "1 Кроме" in shown
        await pilot.press("1")
        await pilot.pause()
        assert app.editor.document[0].startswith("Кроме того,")


@run_async
async def test_ignored_on_one_page_is_not_flagged_on_the_next(project: Project) -> None:
    store = TranscriptStore(project)
    session = PageSession.open(project, store, "demo/p1")
    session.ignored.add("Азербайджапской")
    session.save(session.saved_text, message="a spelling of the period")
    app = make_app(project, "demo/p2")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.suggestions_state == "ready"
        flagged = {m.word for m in app.editor.all_marks() if m.kind != "lowconf"}  # the OCR's doubts stay
        assert flagged and "Азербайджапской" not in flagged


async def _suggestions_for(project: Project, word: str) -> str:
    """The suggestion bar's text with the cursor on the first flag (``word``) of demo/p3."""
    app = make_app(project, "demo/p3")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert app.suggestions_state == "ready"
        await pilot.press("f8")
        await pilot.pause()
        assert app.editor.selected_text == word
        return str(app.screen.query_one("#suggest").render())


@run_async
async def test_the_documents_yo_wins_over_the_projects(project: Project) -> None:
    """ё in the suggestions: the document's ``yo``, else the project's ``[dictionary] yo``, else none."""
    from workbench.store import TranscriptStore

    TranscriptStore(project).save("demo/p3", "Товарищ Хрушев выступил.", source="import")
    doc_toml = project.scans_dir / "demo" / "document.toml"
    plain_toml = doc_toml.read_text(encoding="utf-8")
    settings = project.root / "workbench.toml"
    plain_settings = settings.read_text(encoding="utf-8")

    shown = await _suggestions_for(Project(project.root), "Хрушев")  # neither says: typescripts print no ё
    assert "Хрущев" in shown and "ё" not in shown

    doc_toml.write_text(plain_toml + "yo = true\n", encoding="utf-8")  # the document prints ё
    shown = await _suggestions_for(Project(project.root), "Хрушев")
    assert "1 Хрущёв" in shown

    settings.write_text(plain_settings + "\n[dictionary]\nyo = true\n", encoding="utf-8")
    doc_toml.write_text(plain_toml + "yo = false\n", encoding="utf-8")  # the project does, this document not
    shown = await _suggestions_for(Project(project.root), "Хрушев")
    assert "Хрущев" in shown and "ё" not in shown

    doc_toml.write_text(plain_toml, encoding="utf-8")  # the document does not say: the project's setting
    shown = await _suggestions_for(Project(project.root), "Хрушев")
    assert "1 Хрущёв" in shown
