"""Flags follow edits made after the check that found them (workbench.flags.follow_edit; issue 9, bug 1)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.flags import Flag, follow_edit


def flags_of(text: str) -> list[Flag]:
    """Every word of ``text`` as a flag."""
    return [
        Flag(line=i, start=m.start(), end=m.end(), word=m.group())
        for i, line in enumerate(text.split("\n"))
        for m in re.finditer(r"\w+", line)
    ]


def at(text: str, flag: Flag) -> str:
    line = text.split("\n")[flag.line]
    return line[flag.start : flag.end]


def test_the_issue_typing_over_a_word_moves_the_words_after_it():
    old = "наши фелай рвутся против тгнков с дубинкой и куласхом,\nно это недостаточно. Е"
    new = old.replace("тгнков", "танк")
    moved = {f.word: f for f in follow_edit(flags_of(old), old, new)}
    assert "тгнков" not in moved  # the word typed over: gone until the next check
    assert at(new, moved["куласхом"]) == "куласхом" and moved["куласхом"].start == new.index("куласхом")
    assert moved["наши"] == Flag(0, 0, 4, "наши")
    assert moved["Е"] == Flag(1, 21, 22, "Е")


def test_a_line_break_moves_the_words_after_it_to_the_next_line():
    old = "первая строка\nвторая строка"
    new = "первая\n строка\nвторая строка"
    moved = follow_edit(flags_of(old), old, new)
    assert [(f.word, f.line, f.start) for f in moved] == [
        ("первая", 0, 0),
        ("строка", 1, 1),
        ("вторая", 2, 0),
        ("строка", 2, 7),
    ]


def test_a_letter_typed_next_to_a_word_drops_its_flag_a_space_does_not():
    old = "слово другое"
    assert [f.word for f in follow_edit(flags_of(old), old, "словоа другое")] == ["другое"]
    assert [f.word for f in follow_edit(flags_of(old), old, "слово адругое")] == ["слово"]
    assert [f.word for f in follow_edit(flags_of(old), old, "словодругое")] == []
    assert [(f.word, f.start) for f in follow_edit(flags_of(old), old, "слово  другое")] == [
        ("слово", 0),
        ("другое", 7),
    ]


texts = st.lists(st.sampled_from(["ab", "вгд", "е", " ", " ", "\n", ",", "ж\f"]), max_size=30).map("".join)


@settings(max_examples=500)
@given(old=texts, start=st.integers(0, 200), length=st.integers(0, 10), insert=texts)
def test_a_flag_that_is_kept_points_at_its_word(old: str, start: int, length: int, insert: str) -> None:
    start = min(start, len(old))
    end = min(start + length, len(old))
    new = old[:start] + insert[:8] + old[end:]
    flags = flags_of(old)
    moved = follow_edit(flags, old, new)
    for flag in moved:
        assert at(new, flag) == flag.word
    if old == new:
        assert moved == flags
    # words before the changed span keep their places (those after it may move: ``"ab ab"`` → ``"ab ab ab"``
    # is an insertion at 2 or at 5, and the span found is the latter)
    before = [f for f in flags if f.line == 0 and f.end < start and "\n" not in old[:start]]
    assert before == moved[: len(before)]
