"""Choosing the language of each line: how good a reading of a line is in a language, and what forces one.

``auto`` reads a page with more than one model; :func:`score_line` weighs each reading of a line
(Tesseract's confidence, the share of words a dictionary knows, letters only one language has) and the
pipeline keeps the best. A document's regions (line ranges or boxes) force a language instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.orthography import AZERI_ONLY_LETTERS, normalise_aze_cyrl, repair_artefacts
from workbench.project import Project, Region
from workbench.text import nfc

_LATIN = re.compile(r"[A-Za-z]")
_WORD_CHARS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
INNER_E = re.compile(r"\w[эЭ]")
_RUSSIAN_EVIDENCE = frozenset("щъьюяёцЩЪЬЮЯЁЦ")


@functools.lru_cache(maxsize=8)
def speller_for(project_root: str | None, lang: str, orthography: str) -> Any:
    """The dictionary for ``lang``, or ``None`` when the dictionary package or its data is not available."""
    if project_root is None:
        return None
    try:
        from workbench.dictionary import load_speller

        return load_speller(Project(Path(project_root)), lang, orthography=orthography)
    except (ImportError, WorkbenchError, OSError):
        # No dictionary yet (not built, or the package is absent): the letter heuristic still decides.
        return None


def known_fraction(text: str, speller: Any) -> float | None:
    """The share of the words of ``text`` the speller knows (``None`` without a speller or words)."""
    words = _WORD_CHARS.findall(text)
    if not words or speller is None:
        return None
    try:
        return sum(1 for w in words if speller.is_known(w)) / len(words)
    except Exception:  # noqa: BLE001 - a broken speller must not cost the page; the heuristic decides instead
        return None


def score_line(text: str, conf: float, lang: str, known: float | None) -> float:
    """How good a reading of a line is in ``lang``: confidence, dictionary coverage, tell-tale letters.

    Confidence (0–1) counts once and dictionary coverage (0–1, when a dictionary is there) half as much.
    The cheap letter evidence always counts: an ``aze_cyrl`` reading gains 0.3 per share of words with
    letters Russian lacks (ә ҹ ҝ һ …: on Russian text that model rarely writes them); a ``rus`` reading
    loses 0.3 per share of words with э inside the word (what ``rus`` writes for ә; Russian э is almost
    always word-initial) and gains 0.2 per share of words with letters ``aze_cyrl`` cannot write (щ ъ ь ю я ё
    ц); a reading loses 0.15 per share of words mixing Latin letters into Cyrillic (h for һ).
    """
    words = text.split()
    if not words:
        return -1.0
    score = conf / 100.0
    if known is not None:
        score += 0.5 * known
    n = len(words)
    latin_mixed = sum(1 for w in words if _LATIN.search(w) and _CYRILLIC.search(w)) / n
    score -= 0.15 * latin_mixed
    if lang == "aze_cyrl":
        score += 0.3 * sum(1 for w in words if set(w) & AZERI_ONLY_LETTERS) / n
    elif lang == "rus":
        score -= 0.3 * sum(1 for w in words if INNER_E.search(w)) / n
        # Letters the aze_cyrl model cannot write at all: where rus reads them, the line is likely Russian.
        score += 0.2 * sum(1 for w in words if set(w) & _RUSSIAN_EVIDENCE) / n
    return score


def looks_azerbaijani(text: str) -> bool:
    """Whether a ``rus`` reading has the look-alikes ``rus`` writes for Azerbaijani letters in many words."""
    words = [w for w in text.split() if len(w) > 2]
    if len(words) < 3:
        return False
    odd = sum(1 for w in words if INNER_E.search(w) or (_LATIN.search(w) and _CYRILLIC.search(w)))
    return odd / len(words) >= 0.3


def iou(a: Sequence[int], b: Sequence[int]) -> float:
    """Intersection over union of two ``[x, y, w, h]`` boxes (how far two readings are of the same line)."""
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def normalise_word(text: str, lang: str, orthography: str) -> str:
    """A word as the ``lang`` model wrote it, with that model's artefacts repaired, in the document's orthography."""
    if lang == "aze_cyrl":
        return normalise_aze_cyrl(text, orthography)
    if lang == "rus+aze_cyrl":
        # Artefacts only: й stays, because in a mixed line it is most likely a Russian word's.
        return normalise_aze_cyrl(text, "1939") if orthography == "1939" else repair_artefacts(text)
    return nfc(text)



def region_lang(regions: Iterable[Region], index: int, box: Sequence[int]) -> str | None:
    """The language a document region forces on line ``index`` (0-based) with ``box``, or ``None``."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    for r in regions:
        if r.lines and r.lines[0] - 1 <= index <= r.lines[1] - 1:
            return r.lang
        if r.box and r.box[0] <= cx <= r.box[0] + r.box[2] and r.box[1] <= cy <= r.box[1] + r.box[3]:
            return r.lang
    return None
