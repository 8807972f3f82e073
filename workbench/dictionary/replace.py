"""«Fix once, everywhere»: find a word across the archive and replace it, one new version per page.

Whole-word matches only, in the three case forms a typescript uses (as given, Capitalised, UPPER), each
replaced in the same form. Applying writes a new version of every touched page (source ``replace``), so
restoring the previous version undoes it; the correction is also learned (confusions and dictionary).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex

from workbench.errors import UsageError
from workbench.text import nfc

_WORDCHAR = r"[\p{L}\p{M}\p{N}]"


@dataclass(frozen=True)
class Occurrence:
    """One match: page, 0-based line, offsets within the line, the matched text, and the line itself."""

    page: str
    line: int
    start: int
    end: int
    found: str
    replacement: str
    context: str


def _forms(old: str, new: str) -> dict[str, str]:
    forms = {old: new}
    forms.setdefault(old[:1].upper() + old[1:], new[:1].upper() + new[1:])
    forms.setdefault(old.upper(), new.upper())
    return forms


def _pattern(forms: dict[str, str]) -> regex.Pattern[str]:
    alternatives = "|".join(regex.escape(f) for f in sorted(forms, key=len, reverse=True))
    return regex.compile(rf"(?<!{_WORDCHAR})(?:{alternatives})(?!{_WORDCHAR})")


def check_args(old: str, new: str) -> tuple[str, str]:
    """OLD and NEW in NFC, stripped; a UsageError if there is nothing to replace."""
    old, new = nfc(old).strip(), nfc(new).strip()
    if not old:
        raise UsageError("Nothing to replace: OLD is empty.")
    if "\n" in old or "\n" in new:
        raise UsageError("OLD and NEW must be on one line.")
    if old == new:
        raise UsageError(f"OLD and NEW are the same ({old!r}).")
    return old, new


def find_occurrences(project: Any, old: str, new: str, pages: Sequence[str] | None = None) -> list[Occurrence]:
    """Every whole-word occurrence of ``old`` in the latest version of ``pages`` (None: every page)."""
    from workbench.store import TranscriptStore

    old, new = check_args(old, new)
    forms = _forms(old, new)
    pattern = _pattern(forms)
    store = TranscriptStore(project)
    page_ids = list(pages) if pages else [p.id for p in project.pages()]
    out: list[Occurrence] = []
    for pid in page_ids:
        if store.latest_number(pid) is None:
            continue
        text = store.read(pid).text
        for i, line in enumerate(text.split("\n")):
            for m in pattern.finditer(line):
                out.append(Occurrence(pid, i, m.start(), m.end(), m.group(0), forms[m.group(0)], line))
    return out


def replace_text(text: str, old: str, new: str) -> tuple[str, int]:
    """``text`` with whole-word ``old`` replaced by ``new`` (case forms kept), and the number of changes."""
    old, new = check_args(old, new)
    forms = _forms(old, new)
    replaced: tuple[str, int] = _pattern(forms).subn(lambda m: forms[m.group(0)], nfc(text))
    return replaced


def apply_replace(
    project: Any,
    old: str,
    new: str,
    pages: Sequence[str] | None = None,
    *,
    author: str | None = None,
    include_reviewed: bool = False,
) -> list[tuple[str, int, Any]]:
    """Replace in every page that has ``old``; returns (page, count, SaveResult) for each touched page.

    Lines marked reviewed are left as they are unless ``include_reviewed``. The writing (one version per
    page, learning the correction) is the search's replace, shared with the TUI.
    """
    from workbench.search import replace as search_replace

    found = find_occurrences(project, old, new, pages)
    edits = [search_replace.Edit(o.page, o.line, o.start, o.end, o.found, o.replacement, o.context) for o in found]
    plans = search_replace.plan(project, edits, include_reviewed=include_reviewed)
    return [(p.page, p.count, result) for p, result in search_replace.apply(project, plans, author=author)]
