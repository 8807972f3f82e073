"""Dictionaries and correction suggestions for Russian and Azerbaijani Cyrillic.

The interface the TUI and the CLI use (see ``docs/ARCHITECTURE.md``):

* :func:`load_speller` → :class:`Speller` (``is_known``, ``suggest`` → :class:`Suggestion`);
* :func:`check_text` → :class:`Flag` list;
* :class:`ProjectDictionary` (``add``, ``learn``);
* :func:`build_all` (what ``workbench dict build`` runs).
"""

from __future__ import annotations

from workbench.dictionary.build import BuildReport, build_all, build_lang, data_dir
from workbench.dictionary.check import Flag, check_text
from workbench.dictionary.project_dict import ProjectDictionary
from workbench.dictionary.speller import Speller, Suggestion, load_speller

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
