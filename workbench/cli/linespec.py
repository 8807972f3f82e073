"""The one parser of line numbers as people type them: ``3``, ``3-7``, ``1,4-6`` (1-based, inclusive)."""

from __future__ import annotations

from workbench.errors import UsageError

_HINT = "Write lines as 3, 3-7 or 1,4-6 (1-based)."


def parse_lines(spec: str, line_count: int | None = None) -> list[int]:
    """Parse ``spec`` into sorted 0-based line numbers; with ``line_count``, a line past the end is an error."""
    lines: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        try:
            a, b = int(first), int(last or first)
        except ValueError as e:
            raise UsageError(f"Bad line range {spec!r}.", hint=_HINT) from e
        if a < 1 or b < a:
            raise UsageError(f"Bad line range {part!r}.", hint="Lines count from 1; write FIRST-LAST.")
        if line_count is not None and b > line_count:
            raise UsageError(f"Line {b} is past the end of the page ({line_count} lines).")
        lines.update(range(a - 1, b))
    if not lines:
        raise UsageError(f"No lines in {spec!r}.", hint=_HINT)
    return sorted(lines)


def parse_range(spec: str) -> tuple[int, int]:
    """Parse one range, ``3-5`` or ``4``, into 0-based ``(first, last)``."""
    lines = parse_lines(spec)
    if "," in spec:
        raise UsageError(f"Bad line range {spec!r}: give one range, FIRST-LAST.", hint="For example 3-5 (1-based).")
    return lines[0], lines[-1]
