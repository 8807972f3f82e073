"""Which words the built dictionaries know, through the one open index of each language per process.

Both the speller and the project dictionary (which learns only words the built dictionary lacks) ask here,
so neither imports the other.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.dictionary.build import data_dir, index_dir, open_index
from workbench.dictionary.fold import fold_key
from workbench.errors import DictionaryError

if TYPE_CHECKING:  # the index pulls in numpy; the project dictionary imports this module without needing it
    from workbench.dictionary.index import Lexicon

#: A form that only wordfreq lists (no lexicon) counts as a word from this frequency on (about 2 per
#: million words): below it wordfreq's tail is mostly typos and OCR debris («быпи», «лодей», «хто»).
FREQUENT_ZIPF = 3.3


@functools.lru_cache(maxsize=8)
def _cached_index(lang: str, root: str, stamp: float) -> Lexicon:  # noqa: ARG001 - stamp: part of the cache key
    return open_index(lang, Path(root))


def get_index(lang: str) -> Lexicon:
    """The compiled index of ``lang``, opened once per process (reopened after a rebuild)."""
    root = data_dir()
    try:
        stamp = (index_dir(lang, root) / "lexicon.json").stat().st_mtime
    except OSError:
        stamp = 0.0
    return _cached_index(lang, str(root), stamp)


def built_dictionary_knows(word: str, lang: str) -> bool:
    """Whether the built dictionary of ``lang`` knows ``word`` (listed, or frequent enough); False without one."""
    try:
        found = get_index(lang).entry(fold_key(word, lang))  # the process's open index, not a new one
    except DictionaryError:
        return False
    return found is not None and (found[1] or found[0] >= FREQUENT_ZIPF)
