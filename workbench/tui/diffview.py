"""Rendering a diff of two texts as Rich text with word-level highlights (for the diff and conflict screens)."""

from __future__ import annotations

from rich.text import Text

from workbench.diff import line_diff, word_diff

DELETED = "bold #ff8787 on #4a1010 strike"
INSERTED = "bold #afffaf on #0f3d14"
SAME = "#9e9e9e"


def _split(block: str) -> list[str]:
    parts = block.split("\n")
    if parts and parts[-1] == "":
        parts.pop()  # the block's final newline ends its last line
    return parts


def render_diff(a: str, b: str, *, context: int | None = None) -> Text:  # noqa: C901 - one row per diff case
    """Lines of B against A: unchanged lines dim, changed lines with deleted and inserted words marked.

    ``context`` keeps only that many unchanged lines around each change (``None`` keeps all).
    """
    rows: list[tuple[str, Text]] = []
    number_a = number_b = 0
    for op in line_diff(a, b):
        a_lines, b_lines = _split(op.a_text), _split(op.b_text)
        if op.tag == "equal":
            for line in a_lines:
                number_a += 1
                number_b += 1
                rows.append(("=", Text(f"{number_b:4d}   {line}", style=SAME)))
            continue
        for k in range(max(len(a_lines), len(b_lines))):
            old = a_lines[k] if k < len(a_lines) else None
            new = b_lines[k] if k < len(b_lines) else None
            row = Text()
            if new is None:
                number_a += 1
                row.append(f"{'':4}  - ", style="#ff8787")
                row.append(old or "", style=DELETED)
            elif old is None:
                number_b += 1
                row.append(f"{number_b:4d} + ", style="#afffaf")
                row.append(new, style=INSERTED)
            else:
                number_a += 1
                number_b += 1
                row.append(f"{number_b:4d} ~ ", style="#ffd75f")
                for w in word_diff(old, new):
                    if w.tag == "equal":
                        row.append(w.a_text)
                    else:
                        if w.a_text:
                            row.append(w.a_text, style=DELETED)
                        if w.b_text:
                            row.append(w.b_text, style=INSERTED)
            rows.append(("!", row))
    if context is not None:
        keep: set[int] = set()
        for i, (kind, _) in enumerate(rows):
            if kind == "!":
                keep.update(range(max(0, i - context), min(len(rows), i + context + 1)))
        out = Text()
        last = -1
        for i in sorted(keep):
            if last >= 0 and i != last + 1:
                out.append("   …\n", style=SAME)
            out.append_text(rows[i][1])
            out.append("\n")
            last = i
        return out if keep else Text("No differences.", style=SAME)
    if all(kind == "=" for kind, _ in rows):
        return Text("No differences.", style=SAME)
    return Text("\n").join(r for _, r in rows)
