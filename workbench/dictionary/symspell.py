"""The one module that imports symspellpy.

The compiled index (:mod:`workbench.dictionary.index`) does symspell's symmetric-delete *candidate search*
from memory-mapped arrays; symspellpy's own ``EditDistance`` with the fast ``editdistpy`` comparer
(Damerau-OSA) then *verifies* every candidate, exactly as ``SymSpell.lookup`` does internally. The plain
``SymSpell`` object is used for the frequent core (word segmentation of run-together words) and as the
baseline in ``bench/``.
"""

from __future__ import annotations

from collections.abc import Iterable

from symspellpy import SymSpell, Verbosity
from symspellpy.editdistance import DistanceAlgorithm, EditDistance

__all__ = ["Comparer", "SymSpell", "Verbosity", "plain_symspell"]


class Comparer:
    """symspellpy's Damerau-OSA comparer (editdistpy) with a maximum distance."""

    def __init__(self, max_distance: int = 2) -> None:
        self.max_distance = max_distance
        self._ed = EditDistance(DistanceAlgorithm.DAMERAU_OSA_FAST)

    def distance(self, a: str, b: str) -> int:
        """The OSA distance of ``a`` and ``b``, or -1 when it exceeds the maximum."""
        return int(self._ed.compare(a, b, self.max_distance))


def plain_symspell(words: Iterable[tuple[str, int]], max_distance: int = 2, prefix_length: int = 7) -> SymSpell:
    """A plain ``SymSpell`` filled with (term, count) pairs through ``create_dictionary_entry``."""
    sym = SymSpell(
        max_dictionary_edit_distance=max_distance,
        prefix_length=prefix_length,
        # the fast comparer (editdistpy): since 6.10 the default is pure Python
        distance_comparer=EditDistance(DistanceAlgorithm.DAMERAU_OSA_FAST),
    )
    for term, count in words:
        sym.create_dictionary_entry(term, max(1, int(count)))
    return sym
