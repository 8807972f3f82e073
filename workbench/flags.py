"""A flagged word: the one record the dictionary check, the OCR's low-confidence marks, the CLI and the TUI share.

``kind`` says why it is flagged: ``unknown`` (no dictionary of its line's language knows it), ``realword`` (a
known word that is likely a misread of its first suggestion: «хроме» for «кроме»; its own form is the last
suggestion) or ``lowconf`` (the OCR was unsure of it). Offsets are 0-based code-point columns within the line.
"""

from __future__ import annotations

from dataclasses import dataclass
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
