"""The confusions a project learned, as letter classes the search merges when OCR confusions are on.

``workbench replace``, the TUI's replace and every accepted correction record what the OCR gave and what
belongs in the project's ``dictionaries/confusions.json`` (:class:`~workbench.dictionary.project_dict.
ProjectDictionary`); its one-letter segments (``"в>з": 2``) become classes like the built-in ones
(:func:`workbench.search.fold.learned_classes`), so a search with confusions finds the variant the project
has learned is a misread. The file is read again only when it changes.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from workbench.search.fold import Learned, learned_classes

if TYPE_CHECKING:
    from workbench.project import Project

_CACHE: dict[str, tuple[tuple[int, int], Learned]] = {}
_LOCK = threading.Lock()


def project_learned(project: Project) -> Learned:
    """The letter classes learned in ``project`` (empty when it learned none)."""
    from workbench.dictionary.project_dict import ProjectDictionary

    dictionary = ProjectDictionary(project)
    path = dictionary.confusions_path
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return ()
    stamp = (st.st_mtime_ns, st.st_size)
    with _LOCK:
        cached = _CACHE.get(str(path))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    pairs: list[tuple[str, str]] = []
    for table in dictionary.confusions().values():
        segments = table.get("segments", {}) if isinstance(table, dict) else {}
        for segment in segments if isinstance(segments, dict) else ():
            wrong, sep, right = str(segment).partition(">")
            if sep:
                pairs.append((wrong, right))
    learned = learned_classes(pairs)
    with _LOCK:
        _CACHE[str(path)] = (stamp, learned)
    return learned
