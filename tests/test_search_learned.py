"""The confusions a project learned (``confusions.json``) match like the built-in OCR confusion classes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.dictionary.project_dict import ProjectDictionary
from workbench.dictionary.replace import apply_replace
from workbench.project import Project
from workbench.search import index as search_index
from workbench.search.fold import fold_confusions, learned_classes
from workbench.search.match import find_in_text
from workbench.search.query import Query, search
from workbench.store import TranscriptStore

pytestmark = pytest.mark.usefixtures("small_data")


@pytest.fixture(autouse=True)
def _close_indexes() -> Iterator[None]:
    yield
    search_index.forget_indexes()


@pytest.fixture
def archive(tmp_project: Project) -> Project:
    store = TranscriptStore(tmp_project)
    store.save("doc/p1", "Прибыли в Мовдок утром.", source="ocr")  # the OCR read з as в
    store.save("doc/p2", "Газета «Звевда» за май.\nЗвезда Востока.", source="ocr")  # and here too
    return tmp_project


def found(hits: list) -> list[tuple[str, int, str, str, int]]:
    return [(h.page, h.line, h.found, h.kind, h.distance) for h in hits]


def test_a_learned_letter_pair_matches_like_a_confusion_class(archive: Project) -> None:
    # в/з is no built-in class: before anything is learned, «Звевда» is not «Звезда» even with confusions
    assert found(search(archive, Query("Звезда", confusions=True))) == [("doc/p2", 1, "Звезда", "exact", 0)]
    assert ("doc/p2", 0, "Звевда", "fuzzy", 1) in found(search(archive, Query("Звезда~1", confusions=True)))

    # replace learns the correction (as `workbench replace` does): «Мовдок» → «Моздок», the segment в>з
    assert [(page, n) for page, n, _ in apply_replace(archive, "Мовдок", "Моздок")] == [("doc/p1", 1)]
    assert ProjectDictionary(archive).confusions()["rus"]["segments"] == {"в>з": 1}

    # now the variant is found, as an OCR confusion, by the exact and the fuzzy search alike
    assert found(search(archive, Query("Звезда", confusions=True))) == [
        ("doc/p2", 1, "Звезда", "exact", 0),
        ("doc/p2", 0, "Звевда", "confusion", 0),
    ]
    assert ("doc/p2", 0, "Звевда", "confusion", 0) in found(search(archive, Query("Звезда~1", confusions=True)))
    # a learned letter inside a trigram: the index is asked for every spelling of it
    assert ("doc/p2", 0, "вевда", "confusion", 0) in found(search(archive, Query("вездА", confusions=True)))
    # only when confusions are asked for
    assert found(search(archive, Query("Звезда"))) == [("doc/p2", 1, "Звезда", "exact", 0)]
    # the page's own search (the TUI's Ctrl+F) merges them when given the learned classes
    text = TranscriptStore(archive).read("doc/p2").text
    learned = learned_classes([("в", "з")])
    assert [h.found for h in find_in_text(text, Query("Звезда", confusions=True, learned=learned))] == [
        "Звезда",
        "Звевда",
    ]


def test_learned_classes_merge_with_the_built_in_ones_and_each_other() -> None:
    learned = learned_classes([("н", "п"), ("п", "и"), ("rn", "м"), ("-", ""), ("е", "ё")])
    assert fold_confusions("пни", learned) == fold_confusions("иши", learned)  # ш/и is built in
    assert fold_confusions("rn", learned) == "rn"  # a two-letter segment is no letter class
    assert learned_classes([("е", "ё")]) == ()  # the same letter once folded: nothing new
