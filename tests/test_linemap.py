"""The link between text lines and image lines (workbench.linemap), on a real Tesseract layout.

``tests/data/ocr/bagirov-1946-p1.layout.json`` is what Tesseract 5.3.0 (``workbench ocr``, default
settings) read on ``scans/bagirov-1946/p1.jpg``; its first line is the noise «ит» the issue deletes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.formats import dumps, loads
from workbench.formats.model import PageContent, fit_layout
from workbench.linemap import (
    align,
    candidate_lines,
    layout_line_texts,
    line_box,
    line_map,
    text_line_of,
    word_box,
    word_boxes_of,
)
from workbench.ocr.candidates import plan_take

DATA = Path(__file__).parent / "data" / "ocr"
REPO = Path(__file__).resolve().parent.parent


def load_layout(name: str = "bagirov-1946-p1") -> dict[str, Any]:
    return json.loads((DATA / f"{name}.layout.json").read_text(encoding="utf-8"))


LAYOUT = load_layout()
OCR_LINES = list(layout_line_texts(LAYOUT))


# A second OCR run of the page: the same boxes, each line's last word read differently.
CANDIDATE = json.loads(json.dumps(LAYOUT))
for _line in CANDIDATE["lines"]:
    _line["words"][-1]["text"] += "¤"
CANDIDATE_LINES = list(layout_line_texts(CANDIDATE))
CANDIDATE_TEXT = "\n".join(CANDIDATE_LINES)


def box_of(j: int) -> tuple[int, int, int, int]:
    x, y, w, h = LAYOUT["lines"][j]["box"]
    return (x, y, w, h)


def test_unedited_ocr_text_maps_line_for_line():
    text = "\n".join(OCR_LINES)
    assert line_map(text, LAYOUT) == list(range(len(OCR_LINES)))


def test_ground_truth_with_paragraph_breaks_maps_every_typed_line_in_order():
    """The ground truth drops the noise line, corrects the OCR's letters and has blank lines between paragraphs."""
    for page in ("bagirov-1946/p1", "bagirov-1946/p3"):
        layout = load_layout(page.replace("/", "-"))
        gt = (REPO / "ground-truth" / f"{page}.txt").read_text(encoding="utf-8")
        mapping = line_map(gt, layout)
        for line, j in zip(gt.split("\n"), mapping, strict=True):
            assert (j is None) == (not line.strip()), (page, line, j)
        found = [j for j in mapping if j is not None]
        assert found == sorted(found) and len(found) == len(set(found))
    # p1: every image line but the noise «ит» (line 0) has its text line.
    assert sorted(j for j in line_map((REPO / "ground-truth/bagirov-1946/p1.txt").read_text(), LAYOUT) if j) == list(
        range(1, len(OCR_LINES))
    )


def test_deleting_the_noise_line_keeps_every_box():
    """The issue's reproduction: delete line 1 («ит»); «В соответствии…» keeps its own box, not «ЦК ВКП(б)…»'s."""
    lines = OCR_LINES[1:]
    text = "\n".join(lines)
    row = next(i for i, s in enumerate(lines) if s.startswith("В соответствии"))
    j = OCR_LINES.index(lines[row])
    assert line_box(text, LAYOUT, row) == box_of(j)
    assert line_box(text, LAYOUT, 0) == (379, 229, 208, 71)  # «МОСКВА», the box the issue names
    col = lines[row].index("соответствии")
    assert word_box(text, LAYOUT, row, col) == tuple(LAYOUT["lines"][j]["words"][1]["box"])


def test_inserted_lines_have_no_box():
    lines = list(OCR_LINES)
    lines.insert(5, "Строка, которой нет на скане, вставленная переписчиком")
    lines.insert(12, "Ещё одна")
    text = "\n".join(lines)
    a = align(text, LAYOUT)
    assert a.lines[5] is None and a.lines[12] is None
    assert a.words[5] == (None,) * len(lines[5].split())
    assert line_box(text, LAYOUT, 12) is None
    for i, s in enumerate(lines):  # everything else is where it was
        if i not in (5, 12):
            assert a.lines[i] == OCR_LINES.index(s)


def test_a_line_typed_again_keeps_the_image_line_it_stands_in():
    """A line the OCR garbled past recognition, typed again, shares few letters with its image line."""
    lines = list(OCR_LINES)
    lines[10] = "Совсем другая строка: ни одно слово не совпадает с прочитанным"
    lines[21:22] = ["Короткая", "и ещё одна"]  # two lines where one was: which one is it? Neither, then.
    text = "\n".join(lines)
    a = align(text, LAYOUT)
    assert a.lines[10] == 10 and line_box(text, LAYOUT, 10) == box_of(10)
    assert a.lines[21] is None and a.lines[22] is None
    assert a.lines[23] == 22


def test_split_line_halves_share_the_image_line_and_get_their_own_words():
    j = 3
    words = OCR_LINES[j].split()
    left, right = " ".join(words[:4]), " ".join(words[4:])
    lines = [*OCR_LINES[:j], left, right, *OCR_LINES[j + 1 :]]
    text = "\n".join(lines)
    a = align(text, LAYOUT)
    assert a.lines[j] == j and a.lines[j + 1] == j and j in a.shared
    word_boxes = [tuple(w["box"]) for w in LAYOUT["lines"][j]["words"]]
    assert word_boxes_of(text, LAYOUT, j) == word_boxes[:4]
    assert word_boxes_of(text, LAYOUT, j + 1) == word_boxes[4:]
    lb, rb = line_box(text, LAYOUT, j), line_box(text, LAYOUT, j + 1)
    assert lb is not None and rb is not None and lb[0] + lb[2] <= rb[0]  # the left part's box, then the right's


def test_merged_lines_hold_both_image_lines():
    j = 4
    lines = [*OCR_LINES[:j], OCR_LINES[j] + " " + OCR_LINES[j + 1], *OCR_LINES[j + 2 :]]
    text = "\n".join(lines)
    a = align(text, LAYOUT)
    assert a.sources[j] == (j, j + 1)
    assert a.lines[j] in (j, j + 1)
    (x, y, w, h) = line_box(text, LAYOUT, j) or (0, 0, 0, 0)
    for k in (j, j + 1):
        bx, by, bw, bh = box_of(k)
        assert x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h
    assert a.lines[j + 1] == j + 2


def test_moved_line_keeps_its_box():
    lines = list(OCR_LINES)
    moved = lines.pop(20)
    lines.insert(3, moved)
    text = "\n".join(lines)
    assert line_map(text, LAYOUT)[3] == 20
    assert line_box(text, LAYOUT, 3) == box_of(20)
    assert text_line_of(text, LAYOUT, 20) == 3
    assert word_box(text, LAYOUT, 3, 0) == tuple(LAYOUT["lines"][20]["words"][0]["box"])


def test_corrected_words_keep_their_boxes_and_added_words_have_none():
    j = 5  # «Азербайджанской демохратической …»: the OCR misread х for к
    corrected = OCR_LINES[j].replace("демохратической", "демократической") + " (добавлено)"
    lines = [*OCR_LINES[:j], corrected, *OCR_LINES[j + 1 :]]
    text = "\n".join(lines)
    boxes = word_boxes_of(text, LAYOUT, j)
    ocr_words = LAYOUT["lines"][j]["words"]
    assert boxes[:-1] == [tuple(w["box"]) for w in ocr_words]
    assert boxes[-1] is None


def test_no_layout_means_no_boxes():
    assert line_map("a\nb", None) == [None, None]
    assert line_box("a\nb", None, 0) is None
    assert word_box("a\nb", None, 0, 0) is None


def test_candidate_lines_follow_the_image_not_the_numbers():
    """The issue's `take 25` wrote another line: the current text's line 25 is not the candidate's line 25."""
    current = "\n".join(["", *OCR_LINES[1:12], "Новая строка переписчика", *OCR_LINES[12:]])
    candidate_layout = json.loads(json.dumps(LAYOUT))
    candidate_layout["lines"][12]["words"][0]["text"] = "ИСПРАВЛЕНО"
    candidate = "\n".join(layout_line_texts(candidate_layout))
    mapping = candidate_lines(current, LAYOUT, candidate, candidate_layout)
    assert mapping[0] is None and mapping[12] is None
    assert mapping[13] == 12
    assert all(mapping[i] == i for i in range(1, 12))
    # Without the current layout, the texts are aligned instead.
    assert candidate_lines(current, None, candidate, candidate_layout)[13] == 12


# -- property: random edit sequences -------------------------------------------------------------------

NEW_WORDS = "переписчик вставил строку которой нет на странице скана и абзац добавил снова".split()


@dataclass
class Line:
    """A text line and where it came from: ``("ocr", j)`` whole (maybe with a few letters changed),
    ``("part", j)`` a piece of a split line, ``("merged", j, k, …)``, or ``("new",)``."""

    text: str
    origin: tuple[Any, ...]
    edits: int = 0
    words: list[int | None] = field(default_factory=list)  # layout word of each word, while known


def start_lines() -> list[Line]:
    return [Line(s, ("ocr", j), words=list(range(len(s.split())))) for j, s in enumerate(OCR_LINES)]


def apply(lines: list[Line], op: tuple[Any, ...]) -> None:
    kind, pos, arg = op
    if not lines and kind != "insert":
        return
    i = pos % (len(lines) + (1 if kind == "insert" else 0))
    if kind == "insert":
        text = "" if arg % 3 == 0 else " ".join(NEW_WORDS[(arg + k) % len(NEW_WORDS)] for k in range(2 + arg % 5))
        lines.insert(i, Line(text, ("new",), words=[None] * len(text.split())))
    elif kind == "delete":
        del lines[i]
    elif kind == "split":
        words = lines[i].text.split()
        if len(words) < 2:
            return
        k = 1 + arg % (len(words) - 1)
        origin = ("part", *lines[i].origin[1:]) if lines[i].origin[0] in ("ocr", "part") else lines[i].origin
        left = Line(" ".join(words[:k]), origin, lines[i].edits, lines[i].words[:k])
        right = Line(" ".join(words[k:]), origin, lines[i].edits, lines[i].words[k:])
        lines[i : i + 1] = [left, right]
    elif kind == "merge":
        if i + 1 >= len(lines):
            return
        a, b = lines[i], lines[i + 1]
        origin = ("merged", *a.origin[1:], *b.origin[1:]) if a.origin[0] != "new" or b.origin[0] != "new" else a.origin
        sep = " " if a.text and b.text else ""
        lines[i : i + 2] = [Line(a.text + sep + b.text, origin, a.edits + b.edits, a.words + b.words)]
    elif kind == "edit":
        line = lines[i]
        letters = [k for k, c in enumerate(line.text) if c.isalpha()]
        # A person corrects a letter or two in a line; at most one letter in ten.
        if len(letters) < 10 or (line.edits + 1) * 10 > len(letters):
            return
        k = letters[arg % len(letters)]
        line.text = line.text[:k] + ("ж" if line.text[k] != "ж" else "ш") + line.text[k + 1 :]
        line.edits += 1


ops = st.tuples(
    st.sampled_from(["insert", "delete", "split", "merge", "edit", "edit"]),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(ops, min_size=1, max_size=12),
    st.sampled_from(["alto", "page", "hocr"]),
    st.sets(st.integers(0, 60), max_size=8),
)
def test_every_line_that_still_matches_an_ocr_line_keeps_its_box(sequence, fmt, chosen):
    lines = start_lines()
    for op in sequence:
        apply(lines, op)
    text = "\n".join(line.text for line in lines)
    a = align(text, LAYOUT)
    # Image lines no text line came from (their lines were deleted): a new line standing alone in the place
    # of one may be tied to it (a line typed again), never to an image line another line came from.
    orphans = set(range(len(OCR_LINES))) - {j for line in lines for j in line.origin[1:]}
    for i, line in enumerate(lines):
        kind = line.origin[0]
        got = a.lines[i]
        own = set(line.origin[1:]) | orphans
        if kind == "new":
            # A new line may also stand in the place of an image line whose remains in a joined line no longer
            # read like it («ит» joined to «МОСКВА», then edited to «жт»): never one another line is tied to.
            own |= set(range(len(OCR_LINES))) - {j for k, src in enumerate(a.sources) if k != i for j in src}
        if kind == "ocr" and line.text:
            j = line.origin[1]
            assert got == j, (i, line, got)
            assert line_box(text, LAYOUT, i) == box_of(j)
        elif not line.text.strip():
            assert got is None, (i, line, got)
            assert line_box(text, LAYOUT, i) is None
        else:  # new, a piece of a split line or a merged line: one of its own image lines, an orphan, or none
            assert got is None or got in own, (i, line, got)
        # Never another line's word: a word with a box is on one of the line's own image lines.
        for ref in a.words[i]:
            if ref is not None:
                assert ref[0] in own, (i, line, ref)
    # The exports carry the same boxes: the file written, read back, has each such line on its image line.
    exported = loads(dumps(PageContent("bagirov-1946/p1", text, fit_layout(text, LAYOUT)), fmt), f"p1.{fmt}")
    assert exported.layout is not None
    kept = [line for line in lines if line.text.strip()]
    assert len(exported.layout["lines"]) == len(kept)
    for line, out in zip(kept, exported.layout["lines"], strict=True):
        if line.origin[0] == "ocr":
            assert out["box"] == list(box_of(line.origin[1])), (line, out["box"])
    # `take` of the chosen lines from a new OCR run of the page (every image line read a little differently)
    # changes no other line, and a chosen line only to the new reading of its own image line.
    take = plan_take(text, [], CANDIDATE_TEXT, chosen, current_layout=LAYOUT, candidate_layout=CANDIDATE)
    after = take.text.split("\n")
    assert len(after) == len(lines)
    for i, line in enumerate(lines):
        if i not in chosen or after[i] == line.text:
            assert after[i] == line.text, (i, line, after[i])
            continue
        # Changed: to the candidate's reading of the image lines this line is tied to (checked above).
        assert a.sources[i], (i, line, after[i])
        if len(a.sources[i]) > 1:
            assert after[i] == " ".join(CANDIDATE_LINES[j] for j in a.sources[i])
        elif a.sources[i][0] not in a.shared:
            assert after[i] == CANDIDATE_LINES[a.sources[i][0]]
        else:  # a part of a split line: some of the words of its image line's new reading, in order
            words = CANDIDATE_LINES[a.sources[i][0]].split()
            assert " ".join(words).find(after[i]) >= 0 or not after[i], (i, line, after[i])
        if line.origin[0] == "ocr":
            assert after[i] == CANDIDATE_LINES[line.origin[1]]
