"""Searching the archive: folding, lookalikes, edit distance, regex, ranking, and the index's upkeep."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.errors import UsageError
from workbench.project import Project
from workbench.search import index as search_index
from workbench.search.boxes import with_boxes
from workbench.search.fold import fold, fold_line, to_text_span
from workbench.search.query import Hit, Query, search
from workbench.store import TranscriptStore


@pytest.fixture(autouse=True)
def _close_indexes() -> Iterator[None]:
    yield
    search_index.forget_indexes()


@pytest.fixture
def archive(tmp_project: Project) -> Project:
    store = TranscriptStore(tmp_project)
    store.save("rus/p1", "Товарищ Батиров сказал.\nПисьмо Багирову ещё не ушло.", source="import")
    # «Москва» with a Latin o, as OCR gives it
    store.save("rus/p2", "Из Мoсквы пришла телеграмма.\nТОВАРИЩ БАГИРОВ, ЕЩЕ РАЗ.", source="import")
    store.save("aze39/p1", "Азербайжан ССР-и.\nБиз йашайырыг.", source="import")  # garbled OCR, 1939 й
    store.save("aze58/p1", "Азәрбајҹан ССР-и.\nБиз јашајырыг.", source="import")  # 1958 ј
    return tmp_project


def found(hits: list[Hit]) -> list[tuple[str, int, str]]:
    return [(h.page, h.line, h.found) for h in hits]


def test_fold_is_length_preserving_and_maps_marks_back() -> None:
    assert fold("ЕЩЁ Мoсква") == "еще москва"
    assert fold("Азәрбайҹан", confusions=True) == fold("Азербайжан", confusions=True)
    assert fold("Азәрбайҹан") != fold("Азербайжан")
    assert fold("јашајыр") == fold("йашайыр")
    text = "приве\u0301т с\u0327ах"  # a stress mark, and aze_cyrl's с̧ for ш
    folded, pos = fold_line(text)
    assert folded == "привет шах"
    i = folded.index("шах")
    assert text[slice(*to_text_span(pos, i, i + 3))] == "с\u0327ах"


def test_one_edit_finds_the_misread_name(archive: Project) -> None:
    hits = search(archive, Query("Багиров", fuzzy=1))
    assert ("rus/p1", 0, "Батиров") in found(hits)
    assert ("rus/p2", 1, "БАГИРОВ") in found(hits)
    assert search(archive, Query("Багиров~1")) == hits  # the search engines' spelling of the same
    # exactly as typed first, then folded, then by distance
    kinds = [h.kind for h in hits]
    assert kinds == sorted(kinds, key=["exact", "folded", "confusion", "fuzzy"].index)
    assert next(h for h in hits if h.found == "Батиров").distance == 1
    assert ("rus/p1", 0, "Батиров") not in found(search(archive, Query("Багиров")))


def test_yo_and_case_do_not_matter(archive: Project) -> None:
    assert found(search(archive, Query("еще"))) == [("rus/p1", 1, "ещё"), ("rus/p2", 1, "ЕЩЕ")]
    assert found(search(archive, Query("ЕЩЁ"))) == [("rus/p1", 1, "ещё"), ("rus/p2", 1, "ЕЩЕ")]


def test_cyrillic_spelling_finds_a_word_with_a_latin_letter(archive: Project) -> None:
    hits = search(archive, Query("Москвы"))
    assert found(hits) == [("rus/p2", 0, "Мoсквы")]
    assert hits[0].kind == "folded" and (hits[0].start, hits[0].end) == (3, 9)


def test_ocr_confusions_find_the_garbled_azerbaijani(archive: Project) -> None:
    assert all(h.page != "aze39/p1" for h in search(archive, Query("Азәрбайҹан")))
    hits = search(archive, Query("Азәрбайҹан", confusions=True))
    assert ("aze39/p1", 0, "Азербайжан") in found(hits)
    assert next(h for h in hits if h.page == "aze39/p1").kind == "confusion"


def test_1939_and_1958_spellings_find_each_other(archive: Project) -> None:
    assert {h.page for h in search(archive, Query("йашайырыг"))} == {"aze39/p1", "aze58/p1"}
    assert {h.page for h in search(archive, Query("јашајырыг"))} == {"aze39/p1", "aze58/p1"}


def test_regex_and_filters(archive: Project) -> None:
    assert found(search(archive, Query(r"ба[гт]иров\b", regex=True))) == [
        ("rus/p1", 0, "Батиров"),
        ("rus/p2", 1, "БАГИРОВ"),
    ]
    assert {h.page for h in search(archive, Query("ССР", doc="aze58"))} == {"aze58/p1"}
    assert search(archive, Query("ССР", status="Done")) == []
    with pytest.raises(UsageError):
        search(archive, Query("(", regex=True))
    with pytest.raises(UsageError):
        search(archive, Query("  "))


def test_a_save_is_seen_by_the_next_search(archive: Project) -> None:
    store = TranscriptStore(archive)
    assert search(archive, Query("Деканозов")) == []
    index = search_index.get_index(store)
    checked = index.last_check
    store.save("rus/p1", "Товарищ Деканозов сказал.", source="edit")
    hits = search(archive, Query("Деканозов"))
    assert index.last_check is checked  # seen through the save's own update, not a re-scan of the pages
    assert found(hits) == [("rus/p1", 0, "Деканозов")] and hits[0].version == 2
    assert search(archive, Query("Батиров")) == []  # the old version is not searched by default
    old = search(archive, Query("Батиров", all_versions=True))
    assert [(h.page, h.version) for h in old] == [("rus/p1", 1)]


def test_a_failed_update_marks_the_index_stale_and_the_save_stands(
    archive: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert search(archive, Query("Батиров"))

    def broken(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(search_index.SearchIndex, "update_page", broken)
    result = TranscriptStore(archive).save("rus/p1", "Товарищ Деканозов.", source="edit")
    assert result.version.number == 2
    assert search_index.get_index(TranscriptStore(archive)).stale_path.exists()
    monkeypatch.undo()
    assert found(search(archive, Query("Деканозов"))) == [("rus/p1", 0, "Деканозов")]
    assert not search_index.get_index(TranscriptStore(archive)).stale_path.exists()


def test_a_damaged_index_is_rebuilt_not_trusted(archive: Project) -> None:
    assert search(archive, Query("Батиров"))
    path = search_index.index_path(archive)
    search_index.forget_indexes()
    path.write_bytes(b"this is not a database" * 100)
    assert found(search(archive, Query("Батиров"))) == [("rus/p1", 0, "Батиров")]
    assert search_index.get_index(TranscriptStore(archive)).last_check == {"rebuilt": 1}
    with sqlite3.connect(path) as db:  # a real index again
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 4


def test_a_page_changed_by_another_process_is_reindexed(archive: Project) -> None:
    assert search(archive, Query("Батиров"))
    index = search_index.get_index(TranscriptStore(archive))
    index.close()  # as another process would see it: an index file that missed a version
    with sqlite3.connect(index.path) as db:
        db.execute("UPDATE pages SET stamp = 'old' WHERE page = 'rus/p2'")
    search_index.forget_indexes()
    search(archive, Query("Батиров"))
    assert search_index.get_index(TranscriptStore(archive)).last_check == {"refreshed": 1}


def test_hits_carry_the_image_box_of_their_line(archive: Project) -> None:
    def layout_line(text: str, y: int) -> dict[str, object]:
        words = [{"text": w, "box": [1 + 6 * k, y, 5, 4]} for k, w in enumerate(text.split())]
        return {"box": [1, y, 30, 4], "words": words}

    # the OCR read the lines as they are now; boxes are tied to text lines by content (workbench.linemap)
    ocr_lines = ["Из Мoсквы пришла телеграмма.", "ТОВАРИЩ БАГИРОВ, ЕЩЕ РАЗ."]
    layout = {"width": 100, "height": 100, "lines": [layout_line(t, 2 + 7 * i) for i, t in enumerate(ocr_lines)]}
    store = TranscriptStore(archive)
    store.save("rus/p2", store.read("rus/p2").text, source="ocr", layout=layout)
    hits = with_boxes(archive, search(archive, Query("товарищ", doc="rus")))
    assert [(h.page, h.box) for h in hits if h.page == "rus/p2"] == [("rus/p2", (1, 9, 30, 4))]
    assert next(h for h in hits if h.page == "rus/p1").box is None


def run_cli(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", "-C", str(project.root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "WORKBENCH_AUTHOR": "tester"},
        timeout=120,
        check=False,
    )


def test_cli_search_and_index(archive: Project, tmp_path: Path) -> None:
    r = run_cli(archive, "search", "Багиров~1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].startswith("rus/p2:2:9:\t")
    assert "rus/p1:1:9:\tТоварищ Батиров сказал." in r.stdout
    r = run_cli(archive, "search", "--json", "Москвы")
    assert r.returncode == 0 and '"found": "Мoсквы"' in r.stdout and '"box": null' in r.stdout
    r = run_cli(archive, "search", "Деканозов")
    assert r.returncode == 1 and "No match" in r.stderr
    r = run_cli(archive, "index", "--rebuild")
    assert r.returncode == 0 and "4 pages" in r.stdout and "rebuilt" in r.stdout
    (tmp_path / "new.txt").write_text("Деканозов приехал.\n", encoding="utf-8")
    assert run_cli(archive, "save", "rus/p2", "--from", str(tmp_path / "new.txt")).returncode == 0
    r = run_cli(archive, "search", "деканозов")
    assert r.returncode == 0 and r.stdout.startswith("rus/p2:1:1:")


def test_find_in_text_searches_unsaved_text_the_same_way() -> None:
    from workbench.search.match import find_in_text

    text = "Товарищ Батиров.\nМoсква, ЕЩЁ Багиров."
    assert [(h.line, h.found, h.kind) for h in find_in_text(text, Query("Багиров~1"))] == [
        (1, "Багиров", "exact"),
        (0, "Батиров", "fuzzy"),
    ]
    assert [(h.line, h.start) for h in find_in_text(text, Query("москва"))] == [(1, 0)]
    # a regex sees the line as written: case aside, it folds nothing
    assert [h.found for h in find_in_text(text, Query("ещ[её]|Москва", regex=True))] == ["ЕЩЁ"]
