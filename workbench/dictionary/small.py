"""Small *real* dictionaries from slices of the real word lists, for tests and quick benchmarks.

The full build reads ~3.7 million Russian forms (a minute or two); unit tests need the same kind of data,
not all of it: the most frequent part of wordfreq, every OpenCorpora form under a few prefixes, and a
regular slice of the two Tesseract Azerbaijani lists plus every word under a few prefixes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench.dictionary import sources
from workbench.dictionary.build import BuildReport, build_lang, index_dir
from workbench.dictionary.index import Entry

RUS_TOP = 40_000
RUS_PREFIXES = ("товарищ", "служ", "секретар", "письм", "получ", "руку", "совет", "партийн", "демократ")
AZE_EVERY = 5
AZE_PREFIXES = ("ҹаваб", "әриз", "азәрбай", "сиз", "катиб", "демократ", "мәркәз", "партийа", "фирг", "шәһәр")


def small_russian(top: int = RUS_TOP, prefixes: Iterable[str] = RUS_PREFIXES) -> dict[str, Entry]:
    """The ``top`` most frequent wordfreq forms plus every OpenCorpora form under ``prefixes``."""
    freqs, forms = sources.wordfreq_russian()
    keep = dict(sorted(freqs.items(), key=lambda kv: -kv[1])[:top])
    prefixes = tuple(prefixes)
    # the lexicon's forms under the prefixes, and its word for every kept wordfreq form (so that «на» and
    # «руку» carry the lexicon's mark as in the full build)
    lexicon = {
        form for form in sources.opencorpora_forms() if form.startswith(prefixes) or form.replace("ё", "е") in keep
    }
    for form in lexicon:  # the lexicon's forms that wordfreq also lists keep their frequency
        key = form.replace("ё", "е")
        if key in freqs:
            keep[key] = freqs[key]
    return sources.russian_keys(keep, forms, lexicon)


def small_azerbaijani(every: int = AZE_EVERY, prefixes: Iterable[str] = AZE_PREFIXES) -> dict[str, Entry]:
    """Every ``every``-th word (in key order) of both Tesseract lists, plus every word under ``prefixes``."""
    prefixes = tuple(prefixes)
    full = sources.azerbaijani_keys(sources.tesseract_wordlist("aze"), sources.tesseract_wordlist("aze_cyrl"))
    return {k: v for i, (k, v) in enumerate(sorted(full.items())) if i % every == 0 or k.startswith(prefixes)}


def build_small(root: Path) -> list[BuildReport]:
    """Build both small dictionaries into ``root`` (a ``$WORKBENCH_DATA`` folder)."""
    return [
        build_lang("rus", root=root, entries=small_russian(), force=True),
        build_lang("aze_cyrl", root=root, entries=small_azerbaijani(), force=True),
    ]


def ensure_small(root: Path) -> Path:
    """Build the small dictionaries into ``root`` unless both are already there; returns ``root``."""
    if not all((index_dir(lang, root) / "lexicon.json").is_file() for lang in ("rus", "aze_cyrl")):
        build_small(root)
    return root
