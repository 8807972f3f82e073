"""Word, character and line diffs; the unified format and applying it (ours and GNU patch)."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.diff import (
    DiffOp,
    apply,
    apply_unified,
    char_diff,
    is_identical,
    line_diff,
    unified_diff,
    word_diff,
)

ALPHABET = st.sampled_from(list("абвгдеёжзийклмнопшщыэюя") + list("әғҝһөүҹј") + ["\u0327", "\u0307", " ", "\n", "\t"])
TEXT = st.text(alphabet=ALPHABET, max_size=60)
# Texts made of few distinct lines, so line diffs have both matches and changes.
LINES = st.lists(st.sampled_from(["Товарищ Багиров", "Товарищ Батиров", "", "ә ғ ҝ", "конец"]), max_size=8).map(
    "\n".join
)
DIFFS = (word_diff, char_diff, line_diff)


def test_word_diff_known_answer() -> None:
    ops = word_diff("Товарищ Багиров пишет", "Товарищ Батиров пишет")
    assert ops == [
        DiffOp("equal", "Товарищ ", "Товарищ "),
        DiffOp("replace", "Багиров", "Батиров"),
        DiffOp("equal", " пишет", " пишет"),
    ]


def test_word_diff_insert_and_delete() -> None:
    assert word_diff("a c", "a b c") == [
        DiffOp("equal", "a ", "a "),
        DiffOp("insert", "", "b "),
        DiffOp("equal", "c", "c"),
    ]
    assert word_diff("a b", "a") == [DiffOp("equal", "a", "a"), DiffOp("delete", " b", "")]


def test_char_diff_counts_graphemes() -> None:
    # "с̧" (two code points) replaced by "ш" is one replaced character.
    assert char_diff("бас̧", "баш") == [DiffOp("equal", "ба", "ба"), DiffOp("replace", "с̧", "ш")]


def test_nfd_input_shows_no_difference() -> None:
    text = "Ә ё ы̇ й"
    assert is_identical(char_diff(text, unicodedata.normalize("NFD", text)))
    assert unified_diff(text, unicodedata.normalize("NFD", text)) == ""


def test_unified_known_answer() -> None:
    a = "один\nдва\nтри\n"
    b = "один\nдва!\nтри\n"
    assert unified_diff(a, b, "v1", "v2") == "--- v1\n+++ v2\n@@ -1,3 +1,3 @@\n один\n-два\n+два!\n три\n"


def test_unified_marks_missing_final_newline() -> None:
    patch = unified_diff("x\ny", "x\ny\n", "a", "b")
    assert "-y\n\\ No newline at end of file\n+y\n" in patch
    assert apply_unified("x\ny", patch) == "x\ny\n"


def test_unified_hunks_keep_three_lines_of_context() -> None:
    a = "".join(f"line {i}\n" for i in range(30))
    b = a.replace("line 5\n", "LINE 5\n").replace("line 25\n", "LINE 25\n")
    patch = unified_diff(a, b)
    assert patch.count("@@ ") == 2
    assert "@@ -3,7 +3,7 @@" in patch and "@@ -23,7 +23,7 @@" in patch
    assert apply_unified(a, patch) == b


def test_apply_refuses_a_diff_of_another_text() -> None:
    with pytest.raises(ValueError):
        apply("other", word_diff("a", "b"))
    with pytest.raises(ValueError):
        apply_unified("completely\nother\n", unified_diff("a\nb\n", "a\nc\n"))


@given(TEXT)
@settings(max_examples=100, deadline=None)
def test_diff_with_itself_is_empty(a: str) -> None:
    for diff in DIFFS:
        assert is_identical(diff(a, a))
    assert unified_diff(a, a) == ""


@given(TEXT, TEXT)
@settings(max_examples=150, deadline=None)
def test_applying_the_diff_gives_b(a: str, b: str) -> None:
    for diff in DIFFS:
        ops = diff(a, b)
        assert apply(a, ops) == unicodedata.normalize("NFC", b)
        assert all(op.tag in ("equal", "insert", "delete", "replace") for op in ops)
        assert all((op.a_text == op.b_text) == (op.tag == "equal") for op in ops)
        # No two neighbouring ops are both changes (they are merged) or both equal.
        assert all((x.tag == "equal") != (y.tag == "equal") for x, y in itertools.pairwise(ops))


@given(LINES, LINES)
@settings(max_examples=150, deadline=None)
def test_unified_roundtrip(a: str, b: str) -> None:
    assert apply_unified(a, unified_diff(a, b)) == b


@pytest.mark.skipif(shutil.which("patch") is None, reason="GNU patch is not installed")
@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("один\nдва\nтри\n", "один\nдва!\nтри\n"),
        ("x\ny", "x\ny\nz"),
        ("", "ә\n"),
        ("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n", "a\nB\nc\nd\ne\nf\ng\nh\nI\nj"),
    ],
)
def test_gnu_patch_applies_our_unified_diff(tmp_path: Path, a: str, b: str) -> None:
    target = tmp_path / "page.txt"
    target.write_text(a, encoding="utf-8")
    subprocess.run(
        ["patch", "-s", "--no-backup-if-mismatch", str(target)],
        input=unified_diff(a, b, "a/page.txt", "b/page.txt").encode("utf-8"),
        check=True,
    )
    assert target.read_text(encoding="utf-8") == b
