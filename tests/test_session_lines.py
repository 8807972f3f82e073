"""The page session ties the editor's lines to the OCR layout by content (Textual-free; issue 9)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.project import Project
from workbench.session import PageSession
from workbench.store import TranscriptStore
from workbench.tui.sample import DEFAULT_LINES, make_demo_project


@pytest.fixture
def session(tmp_path: Path) -> PageSession:
    project = make_demo_project(tmp_path / "demo")
    return PageSession.open(Project(project.root), TranscriptStore(project), "demo/p1")


def box(session: PageSession, j: int) -> tuple[int, int, int, int]:
    assert session.layout is not None
    x, y, w, h = session.layout["lines"][j]["box"]
    return (x, y, w, h)


def test_boxes_follow_the_lines_after_one_is_deleted_or_added(session: PageSession) -> None:
    text = "\n".join(DEFAULT_LINES[1:])  # the first line deleted in the editor
    assert session.line_box(0, text) == box(session, 1)
    assert session.line_box(2, text) == box(session, 3)
    assert session.layout is not None
    word = session.layout["lines"][1]["words"][1]
    col = len(DEFAULT_LINES[1].split()[0]) + 1  # the second word («о»)
    assert session.word_box(0, DEFAULT_LINES[1], col, text) == tuple(word["box"])
    added = "\n".join([DEFAULT_LINES[0], "", "Строка, которой нет на скане", *DEFAULT_LINES[1:]])
    assert session.line_box(1, added) is None and session.line_box(2, added) is None
    assert session.line_box(3, added) == box(session, 1)
    # A click on the image finds the text line that is there now.
    x, y, _w, h = box(session, 2)
    assert session.line_at(x + 1, y + h / 2, text) == (1, 0)
    # A click on an image line whose text was deleted finds no text line.
    x, y, _w, h = box(session, 0)
    assert session.line_at(x + 1, y + h / 2, text) is None


def test_lines_keep_their_ocr_language_when_lines_move(session: PageSession) -> None:
    assert session.layout is not None
    session.layout["lines"][2]["lang"] = "aze_cyrl"
    text = "\n".join(["", *DEFAULT_LINES])  # a blank line put on top moves every line down
    assert session.lang_of_line(3, text) == "aze_cyrl"
    assert session.lang_of_line(2, text) == "rus"


def test_text_height_is_of_the_lines_own_words(session: PageSession) -> None:
    assert session.layout is not None
    heights = sorted(w["box"][3] for w in session.layout["lines"][3]["words"])
    text = "\n".join(DEFAULT_LINES[1:])
    assert session.text_height(2, text) == heights[len(heights) // 2]


def test_low_confidence_marks_cover_the_word_not_its_punctuation(session: PageSession) -> None:
    """Bug 12: a mark on «генерал-губернатора,» selected the comma, so typing over it dropped the comma."""
    marks = session.low_confidence("\n".join(DEFAULT_LINES))
    # The demo page's every fourth word is unsure: «В.» on line 1, «Азербайджанской» on line 3.
    by_line = {m.line: m for m in marks}
    first = by_line[0]
    assert first.word == "В" and DEFAULT_LINES[0][first.start : first.end] == "В"
    assert DEFAULT_LINES[0][first.end] == "."
    assert by_line[2].word == "Азербайджанской"
    # The marks follow their lines when a line above is deleted.
    shifted = session.low_confidence("\n".join(DEFAULT_LINES[1:]))
    assert {m.line for m in shifted} == {m.line - 1 for m in marks if m.line > 0}
