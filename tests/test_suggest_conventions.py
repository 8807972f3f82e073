"""A document's conventions in the suggestions: ё or е (``yo``), and spellings accepted once per document."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.dictionary.check import check_page
from workbench.dictionary.speller import load_speller
from workbench.errors import MetadataError
from workbench.project import Project
from workbench.session import PageSession
from workbench.store import TranscriptStore

#: Misreads whose right forms the lexicon writes with ё (вооружёнными, Хрущёв, пришёл, ребёнок, ещё).
YO_MISREADS = ["вооруженныти", "Хрушев", "пришсл", "ребснок", "ешё", "нашол"]


@pytest.mark.usefixtures("small_data")
def test_no_yo_in_suggestions_by_default() -> None:
    typescript = load_speller(None, "rus")
    printed = load_speller(None, "rus", yo=True)
    with_yo = [s.term for w in YO_MISREADS for s in printed.suggest(w)]
    assert any("ё" in t for t in with_yo)  # the lexicon has ё: without the setting they would come back
    without = {w: [s.term for s in typescript.suggest(w)] for w in YO_MISREADS}
    assert all("ё" not in t and "Ё" not in t for terms in without.values() for t in terms), without
    assert without["вооруженныти"][0] == "вооруженными"
    assert without["Хрушев"][0] == "Хрущев"


@pytest.mark.usefixtures("small_data")
def test_eshche_is_never_flagged() -> None:
    for yo in (False, True):
        speller = load_speller(None, "rus", yo=yo)
        assert speller.is_known("еще") and speller.is_known("Еще") and speller.is_known("ещё")


def _doc(project: Project, toml: str, pages: dict[str, str]) -> None:
    (project.scans_dir / "d").mkdir()
    (project.scans_dir / "d" / "document.toml").write_text(toml, encoding="utf-8")
    for name, text in pages.items():
        TranscriptStore(project).save(f"d/{name}", text, source="import")


@pytest.mark.usefixtures("small_data")
def test_check_page_follows_the_documents_yo(tmp_project: Project) -> None:
    _doc(tmp_project, 'languages = ["rus"]\n', {"p1": "Товарищ Хрушев пришсл вчера."})
    flags = check_page(tmp_project, "d/p1")
    terms = [s.term for f in flags for s in f.suggestions]
    assert {f.word for f in flags} == {"Хрушев", "пришсл"}
    assert "Хрущев" in terms and not any("ё" in t for t in terms)
    (tmp_project.scans_dir / "d" / "document.toml").write_text('languages = ["rus"]\nyo = true\n', encoding="utf-8")
    fresh = Project(tmp_project.root)
    assert "Хрущёв" in [s.term for f in check_page(fresh, "d/p1") for s in f.suggestions]


def test_bad_yo_value_names_the_file(tmp_project: Project) -> None:
    _doc(tmp_project, 'yo = "no"\n', {})
    with pytest.raises(MetadataError, match=r"document\.toml.*yo"):
        tmp_project.document("d")


@pytest.mark.usefixtures("small_data")
def test_a_spelling_ignored_on_one_page_is_not_flagged_on_the_others(tmp_project: Project) -> None:
    # «получнл» stands for a historical spelling the transcriber accepts on page 1
    _doc(tmp_project, 'languages = ["rus"]\n', {"p1": "Письмо получнл вчера.", "p2": "Товарищ получнл письмо."})
    store = TranscriptStore(tmp_project)
    assert "получнл" in {f.word for f in check_page(tmp_project, "d/p2")}
    session = PageSession.open(tmp_project, store, "d/p1")
    session.ignored.add("получнл")
    session.save(session.saved_text, message="ignore получнл")
    assert "получнл" not in {f.word for f in check_page(tmp_project, "d/p2")}
    assert PageSession.open(tmp_project, store, "d/p2").is_ignored("получнл")
    # another document is not affected
    (tmp_project.scans_dir / "e").mkdir()
    store.save("e/p1", "Товарищ получнл письмо.", source="import")
    assert "получнл" in {f.word for f in check_page(tmp_project, "e/p1")}


@pytest.mark.usefixtures("small_data")
def test_a_name_reviewed_on_one_page_is_suggested_first_on_the_next(tmp_project: Project) -> None:
    _doc(
        tmp_project,
        'languages = ["rus"]\n',
        {"p1": "Товарищ Деканозов прибыл в Баку.", "p2": "Деханозов уехал.\nТоварищ Деканозов уехал."},
    )

    def first_for(word: str) -> list[str]:
        return [f.suggestions[0].term for f in check_page(tmp_project, "d/p2") if f.word == word and f.suggestions]

    assert first_for("Деханозов") != ["Деканозов"]  # no dictionary knows the name
    assert "Деканозов" in {f.word for f in check_page(tmp_project, "d/p2")}
    session = PageSession.open(tmp_project, TranscriptStore(tmp_project), "d/p1")
    session.reviewed.add(0)
    session.save(session.saved_text, message="reviewed")
    assert first_for("Деханозов") == ["Деканозов"]


def test_suggest_command_follows_the_projects_yo(tmp_project: Project, small_data: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    def first(word: str) -> str:
        cmd = ["suggest", word, "--lang", "rus", "--json"]
        out = subprocess.run(
            [sys.executable, "-m", "workbench", "-C", str(tmp_project.root), *cmd],
            capture_output=True,
            text=True,
            env={**os.environ, "WORKBENCH_DATA": str(small_data)},
            timeout=120,
            check=True,
        )
        return str(json.loads(out.stdout)["suggestions"][0]["term"])

    assert first("Хрушев") == "Хрущев"
    with tmp_project.config_file.open("a", encoding="utf-8") as f:
        f.write("\n[dictionary]\nyo = true\n")
    assert first("Хрушев") == "Хрущёв"
