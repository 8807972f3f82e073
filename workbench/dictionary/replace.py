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


def _check_args(old: str, new: str) -> tuple[str, str]:
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

    old, new = _check_args(old, new)
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
    old, new = _check_args(old, new)
    forms = _forms(old, new)
    return _pattern(forms).subn(lambda m: forms[m.group(0)], nfc(text))


def apply_replace(
    project: Any, old: str, new: str, pages: Sequence[str] | None = None, *, author: str | None = None
) -> list[tuple[str, int, Any]]:
    """Replace in every page that has ``old``; returns (page, count, SaveResult) for each touched page."""
    from workbench.dictionary.project_dict import ProjectDictionary
    from workbench.store import TranscriptStore

    old, new = _check_args(old, new)
    store = TranscriptStore(project)
    touched = sorted({o.page for o in find_occurrences(project, old, new, pages)})
    results = []
    for pid in touched:
        version = store.read(pid)
        text, count = replace_text(version.text, old, new)
        if not count:
            continue
        result = store.save(
            pid,
            text,
            author=author or project.author(),
            source="replace",
            base=version.number,
            message=f"replace «{old}» → «{new}» ({count} occurrence{'s' if count != 1 else ''})",
        )
        results.append((pid, count, result))
    if results:
        ProjectDictionary(project).learn(old, new, _lang_of(new))
    return results


def _lang_of(word: str) -> str:
    from workbench.ocr.azeri import AZERI_ONLY_LETTERS

    return "aze_cyrl" if any(ch in AZERI_ONLY_LETTERS for ch in word) else "rus"
