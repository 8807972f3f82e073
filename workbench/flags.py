"""A flagged word: the one record the dictionary check, the OCR's low-confidence marks, the CLI and the TUI share.

``kind`` says why it is flagged: ``unknown`` (no dictionary of its line's language knows it), ``realword`` (a
known word that is likely a misread of its first suggestion: «хроме» for «кроме»; its own form is the last
suggestion) or ``lowconf`` (the OCR was unsure of it). Offsets are 0-based code-point columns within the line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Suggestion:
    """A candidate correction: the word as it should be written, and a score in (0, 1] (higher is better)."""

    term: str
    score: float


@dataclass(frozen=True)
class Flag:
    """A flagged word: where it is (line, start, end), what it is, its language, why, and suggestions."""

    line: int
    start: int
    end: int
    word: str
    lang: str = ""
    suggestions: tuple[Suggestion, ...] = ()
    kind: str = "unknown"  # "unknown", "realword" or "lowconf"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the shape `workbench check --json` prints)."""
        return {
            "line": self.line,
            "start": self.start,
            "end": self.end,
            "word": self.word,
            "lang": self.lang,
            "kind": self.kind,
            "suggestions": [{"term": s.term, "score": s.score} for s in self.suggestions],
        }


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share (slices compared in C, halving the range)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _line_starts(text: str) -> list[int]:
    starts = [0]
    at = text.find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return starts


def follow_edit(flags: Iterable[Flag], old: str, new: str) -> list[Flag]:
    """The flags found on ``old`` placed on ``new``, the same text after edits (lines split at ``\\n``).

    The edits are taken as one changed span (what lies between the texts' common beginning and common end). A
    flag wholly before the span keeps its place, one wholly after it moves with the text; a flag inside the
    span or touching it with a letter is dropped, since its word was changed (the next check flags it again if
    it needs it).
    So a flag never points at letters other than its word's, whatever was typed since the check.
    """
    flags = list(flags)
    if old == new or not flags:
        return flags
    prefix = _common_prefix(old, new)
    room = min(len(old), len(new)) - prefix  # the common end may not overlap the common beginning
    suffix = _common_prefix(old[::-1][:room], new[::-1][:room])
    old_end, shift = len(old) - suffix, len(new) - len(old)
    old_starts, new_starts = _line_starts(old), _line_starts(new)
    kept: list[Flag] = []
    for flag in flags:
        if flag.line >= len(old_starts):
            continue
        start, end = old_starts[flag.line] + flag.start, old_starts[flag.line] + flag.end
        # a word next to the span is still whole if a space or line break was typed or deleted next to it
        if end < prefix or (end == prefix and (end == len(new) or new[end].isspace())):
            kept.append(flag)
        elif start > old_end or (start == old_end and (start + shift == 0 or new[start + shift - 1].isspace())):
            moved = start + shift
            line = bisect_right(new_starts, moved) - 1
            column = moved - new_starts[line]
            kept.append(replace(flag, line=line, start=column, end=column + flag.end - flag.start))
    return kept
