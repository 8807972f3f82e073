"""The on-disk format of the compiled dictionary index, in a module of its own so that the up-to-date check of
the build (:mod:`workbench.dictionary.build`) and the index (:mod:`workbench.dictionary.index`) share it
without the build importing numpy."""

from __future__ import annotations

#: Bumped whenever the files of an index change shape; an index of another format is rebuilt.
FORMAT = 5
