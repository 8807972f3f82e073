"""Dictionaries and correction suggestions for Russian and Azerbaijani Cyrillic.

The interface the TUI and the CLI use (see ``docs/ARCHITECTURE.md``):

* :func:`load_speller` → :class:`Speller` (``is_known``, ``suggest`` → :class:`Suggestion`);
* :func:`check_text` → :class:`Flag` list;
* :class:`ProjectDictionary` (``add``, ``learn``);
* :func:`build_all` (what ``workbench dict build`` runs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.dictionary.build import BuildReport, build_all, build_lang, data_dir
    from workbench.dictionary.check import check_text
    from workbench.dictionary.project_dict import ProjectDictionary
    from workbench.dictionary.speller import Speller, load_speller
    from workbench.flags import Flag, Suggestion

# Imported on first use (PEP 562): `workbench dict build` on an up-to-date dictionary must not pay for numpy.
_LAZY = {
    "BuildReport": "build",
    "build_all": "build",
    "build_lang": "build",
    "data_dir": "build",
    "Flag": "check",
    "check_text": "check",
    "ProjectDictionary": "project_dict",
    "Speller": "speller",
    "Suggestion": "speller",
    "load_speller": "speller",
}

__all__ = [
    "BuildReport",
    "Flag",
    "ProjectDictionary",
    "Speller",
    "Suggestion",
    "build_all",
    "build_lang",
    "check_text",
    "data_dir",
    "load_speller",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"workbench.dictionary.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'workbench.dictionary' has no attribute {name!r}")
