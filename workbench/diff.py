"""Differences between two texts: by line, by word, by character (grapheme), and the unified format.

Pure functions. Texts are NFC-normalised first (so an NFD spelling of the same text shows no difference).
Word and character diffs are lists of :class:`DiffOp` that cover *both* texts completely, whitespace
included: joining the ``a_text`` of every op gives A back and joining the ``b_text`` gives B, which is what
:func:`apply` relies on and what lets a screen draw either side from the ops alone. Alignment is rapidfuzz's
Levenshtein alignment on the units (a word and the whitespace between words are separate units; a character
is a grapheme cluster), with neighbouring changes merged into one op. Word and character diffs first align
whole lines and then align units only inside the runs of changed lines, as ``git diff --word-diff`` does:
for two versions of a page that is linear in the page's length rather than quadratic.

:func:`unified_diff` writes the format of ``diff -u`` / ``git diff`` (with ``\\ No newline at end of file``
where needed) that ``patch`` applies; :func:`apply_unified` applies it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import regex
from rapidfuzz.distance import Levenshtein

from workbench.text import nfc

TAGS = ("equal", "insert", "delete", "replace")
_GRAPHEME = regex.compile(r"\X")
_WORD_TOKEN = regex.compile(r"\s+|\S+")
_LINE = regex.compile(r"[^\n]*\n|[^\n]+")
_HUNK = regex.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
NO_NEWLINE = "\\ No newline at end of file"


@dataclass(frozen=True)
class DiffOp:
    """One stretch of a diff: ``tag`` is ``equal``, ``insert``, ``delete`` or ``replace``.

    ``a_text`` is the stretch in A (empty for an insert), ``b_text`` in B (empty for a delete).
    """

    tag: str
    a_text: str
    b_text: str

    def to_json(self) -> dict[str, str]:
        """``{"tag", "a", "b"}`` for ``--json`` output."""
        return {"tag": self.tag, "a": self.a_text, "b": self.b_text}


def word_tokens(text: str) -> list[str]:
    """``text`` (NFC) cut into words and the whitespace runs between them; joining them gives the text."""
    return _WORD_TOKEN.findall(nfc(text))


def lines(text: str) -> list[str]:
    """``text`` (NFC) cut into lines, each keeping its ``\\n`` (the last may lack one)."""
    return _LINE.findall(nfc(text))


def _opcodes(a: Sequence[str], b: Sequence[str]) -> list[Any]:
    # The score hint makes rapidfuzz use its banded algorithm, widening the band until the alignment is
    # optimal: O(n·d) instead of O(n·m) for texts that differ little.
    return list(Levenshtein.opcodes(a, b, score_hint=abs(len(a) - len(b)) + 8))


def _append(ops: list[DiffOp], tag: str, a_text: str, b_text: str) -> None:
    """Add an op, merging it with the previous one when both are changes (or both equal)."""
    if not a_text and not b_text:
        return
    if ops and (ops[-1].tag == "equal") == (tag == "equal"):
        # Neighbouring changes read as one change ("foo" -> "fob" then an inserted word).
        prev = ops.pop()
        a_text, b_text = prev.a_text + a_text, prev.b_text + b_text
        if tag != "equal":
            tag = "replace" if a_text and b_text else ("insert" if b_text else "delete")
    ops.append(DiffOp(tag, a_text, b_text))


def _diff_units(a: Sequence[str], b: Sequence[str], ops: list[DiffOp] | None = None) -> list[DiffOp]:
    ops = [] if ops is None else ops
    for code in _opcodes(a, b):
        _append(ops, code.tag, "".join(a[code.src_start : code.src_end]), "".join(b[code.dest_start : code.dest_end]))
    return ops


def _diff_within_lines(a: str, b: str, units: Callable[[str], Sequence[str]]) -> list[DiffOp]:
    """Align lines, then ``units`` (words or graphemes) inside each run of changed lines."""
    a_lines, b_lines = lines(a), lines(b)
    ops: list[DiffOp] = []
    pending_a: list[str] = []
    pending_b: list[str] = []

    def flush() -> None:
        if pending_a or pending_b:
            _diff_units(units("".join(pending_a)), units("".join(pending_b)), ops)
            pending_a.clear()
            pending_b.clear()

    for code in _opcodes(a_lines, b_lines):
        a_part, b_part = a_lines[code.src_start : code.src_end], b_lines[code.dest_start : code.dest_end]
        if code.tag == "equal":
            flush()
            _append(ops, "equal", "".join(a_part), "".join(b_part))
        else:
            pending_a.extend(a_part)
            pending_b.extend(b_part)
    flush()
    return ops


def _grapheme_list(text: str) -> list[str]:
    return _GRAPHEME.findall(text)


def word_diff(a: str, b: str) -> list[DiffOp]:
    """Word-level diff of A and B (whitespace runs are units of their own)."""
    return _diff_within_lines(a, b, word_tokens)


def char_diff(a: str, b: str) -> list[DiffOp]:
    """Character-level diff of A and B on NFC grapheme clusters."""
    return _diff_within_lines(a, b, _grapheme_list)


def line_diff(a: str, b: str) -> list[DiffOp]:
    """Line-level diff of A and B; each op's texts are whole lines with their newlines."""
    return _diff_units(lines(a), lines(b))


def is_identical(ops: Iterable[DiffOp]) -> bool:
    """Whether a diff shows no change."""
    return all(op.tag == "equal" for op in ops)


def apply(a: str, ops: Sequence[DiffOp]) -> str:
    """Rebuild B from A and a word, character or line diff of A and B.

    Raises ``ValueError`` if the diff was not made from A (its A-side does not spell ``a``).
    """
    if "".join(op.a_text for op in ops) != nfc(a):
        raise ValueError("apply: the diff was not made from this text")
    return "".join(op.b_text for op in ops)


# -- unified format -------------------------------------------------------------------------------------


def _line_opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    return [(c.tag, c.src_start, c.src_end, c.dest_start, c.dest_end) for c in _opcodes(a, b)]


def _grouped(codes: list[tuple[str, int, int, int, int]], n: int) -> list[list[tuple[str, int, int, int, int]]]:
    """Hunks of opcodes with ``n`` lines of context, as ``difflib.SequenceMatcher.get_grouped_opcodes``."""
    if not codes:
        return []
    codes = list(codes)
    if codes[0][0] == "equal":
        _, i1, i2, j1, j2 = codes[0]
        codes[0] = ("equal", max(i1, i2 - n), i2, max(j1, j2 - n), j2)
    if codes[-1][0] == "equal":
        _, i1, i2, j1, j2 = codes[-1]
        codes[-1] = ("equal", i1, min(i2, i1 + n), j1, min(j2, j1 + n))
    groups: list[list[tuple[str, int, int, int, int]]] = []
    group: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return [g for g in groups if any(c[0] != "equal" for c in g)]


def _range(start: int, length: int) -> str:
    # diff -u convention: an empty range names the line before it.
    if length == 1:
        return f"{start + 1}"
    if length == 0:
        return f"{start},0"
    return f"{start + 1},{length}"


def _emit(prefix: str, line: str, out: list[str]) -> None:
    if line.endswith("\n"):
        out.append(prefix + line)
    else:
        out.append(prefix + line + "\n")
        out.append(NO_NEWLINE + "\n")


def unified_diff(a: str, b: str, a_label: str = "a", b_label: str = "b", *, context: int = 3) -> str:
    """The unified diff (``diff -u`` format) turning A into B; empty if they are equal."""
    a_lines, b_lines = lines(a), lines(b)
    if a_lines == b_lines:
        return ""
    out = [f"--- {a_label}\n", f"+++ {b_label}\n"]
    for group in _grouped(_line_opcodes(a_lines, b_lines), context):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n")
        for tag, ai1, ai2, bj1, bj2 in group:
            if tag == "equal":
                for line in a_lines[ai1:ai2]:
                    _emit(" ", line, out)
                continue
            for line in a_lines[ai1:ai2]:
                _emit("-", line, out)
            for line in b_lines[bj1:bj2]:
                _emit("+", line, out)
    return "".join(out)


def apply_unified(a: str, patch: str) -> str:
    """Apply a unified diff made by :func:`unified_diff` (or ``diff -u``) to A and return B.

    Context and removed lines must match A exactly (no fuzz); raises ``ValueError`` otherwise.
    """
    a_lines = lines(a)
    result: list[str] = []
    pos = 0  # next line of A not yet copied
    patch_lines = patch.split("\n")
    if patch_lines and patch_lines[-1] == "":
        patch_lines.pop()
    i = 0
    while i < len(patch_lines) and not patch_lines[i].startswith("@@"):
        i += 1
    while i < len(patch_lines):
        m = _HUNK.match(patch_lines[i])
        if not m:
            raise ValueError(f"apply_unified: expected a hunk header at patch line {i + 1}")
        start = int(m.group(1))
        count = int(m.group(2)) if m.group(2) is not None else 1
        start_index = start if count == 0 else start - 1
        if start_index < pos or start_index > len(a_lines):
            raise ValueError(f"apply_unified: hunk at patch line {i + 1} is out of order or beyond the text")
        result.extend(a_lines[pos:start_index])
        pos = start_index
        i += 1
        last_b: int | None = None  # index in result of the last line given to B, for "\ No newline"
        last_kind = ""
        while i < len(patch_lines) and not patch_lines[i].startswith("@@"):
            line = patch_lines[i]
            kind, body = line[:1], line[1:] + "\n"
            if line == NO_NEWLINE:
                # The marker follows the line that has no newline; only a line B keeps matters here.
                if last_kind in (" ", "+") and last_b is not None and result[last_b].endswith("\n"):
                    result[last_b] = result[last_b][:-1]
            elif kind in (" ", "-"):
                if pos >= len(a_lines) or a_lines[pos].rstrip("\n") != body[:-1]:
                    raise ValueError(f"apply_unified: patch line {i + 1} does not match the text")
                if kind == " ":
                    result.append(body)
                    last_b = len(result) - 1
                pos += 1
            elif kind == "+":
                result.append(body)
                last_b = len(result) - 1
            else:
                raise ValueError(f"apply_unified: unexpected patch line {i + 1}: {line[:40]!r}")
            if line != NO_NEWLINE:
                last_kind = kind
            i += 1
    result.extend(a_lines[pos:])
    return "".join(result)
