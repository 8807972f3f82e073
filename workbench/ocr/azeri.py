"""Moved to :mod:`workbench.orthography` (below both OCR and the dictionaries); these names stay importable here."""

from __future__ import annotations

from workbench.orthography import (
    AZE_CYRL_ARTEFACTS,
    AZERI_ONLY_LETTERS,
    LATIN_TO_CYRILLIC_1939,
    LATIN_TO_CYRILLIC_1958,
    ORTHOGRAPHIES,
    latin_to_cyrillic,
    normalise_aze_cyrl,
    to_orthography,
)

__all__ = [
    "AZERI_ONLY_LETTERS",
    "AZE_CYRL_ARTEFACTS",
    "LATIN_TO_CYRILLIC_1939",
    "LATIN_TO_CYRILLIC_1958",
    "ORTHOGRAPHIES",
    "latin_to_cyrillic",
    "normalise_aze_cyrl",
    "to_orthography",
]
