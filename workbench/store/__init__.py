"""The transcript store: every save of a page is a new, immutable version on disk.

Layout (one folder per page, so two people working on different pages never touch the same file)::

    transcripts/<page-id>/versions/0001/text.txt     the full text, plain UTF-8
    transcripts/<page-id>/versions/0001/meta.json    number, time, author, source, base, status, checksum …
    transcripts/<page-id>/versions/0001/layout.json  (optional) OCR word boxes and confidences
    transcripts/<page-id>/candidates/0001/…          OCR results waiting for a human (same shape)
    transcripts/<page-id>/.recovery.txt             the TUI's autosave of unsaved edits (not a version)

A version is written into a private temporary folder (``.tmp-<pid>-<random>``), every file fsync'd, and then
the folder is renamed to its number with ``renameat2(RENAME_NOREPLACE)``, which fails if the number exists
(even as an empty folder, which plain ``rename(2)`` would silently replace). The rename both claims the number
and publishes the version in one atomic step; the parent folder is then fsync'd (and so is every folder a
save creates), so a version that a save reported survives a power cut. A crash leaves either the whole version
or a temporary folder that :func:`TranscriptStore.clean_temporaries` (run by every save and ``fsck``) removes.
Two writers can never take the same number. There is no index file; anything derived is rebuildable.

A writer holds an exclusive ``flock`` on its temporary folder for the whole save, so a cleaner removes only
folders whose writer is gone (a lock is released by the kernel when its process dies), never the folder of a
live save in another process or in another thread of the same process.

``reviewed`` marks lines (0-based numbers of ``text.split("\n")``) that a person checked. It belongs to the
*text* of a line: when a save does not say which lines are reviewed, the marks of the version it is based on
are carried to the same lines in the new text, and a line whose text changed loses its mark.

The package, one concept a module: :mod:`~workbench.store.model` (what is stored: ``VersionMeta``,
``Version``, ``SaveResult``, ``Draft``, statuses, ``carry_reviewed``), :mod:`~workbench.store.reading` and
:mod:`~workbench.store.transcripts` (the store, read and write sides), :mod:`~workbench.store.temporaries`
(save folders in progress and dead ones), :mod:`~workbench.store.caches` (derived caches),
:mod:`~workbench.store.fsck`, :mod:`~workbench.store.recovery` (the TUI's autosave). The file-level
durability (write, fsync, rename, lock) is :mod:`workbench.durable`, shared with every writer.
"""

from __future__ import annotations

from workbench.store.fsck import FsckReport, Problem
from workbench.store.model import (
    FORMAT,
    HUMAN_SOURCES,
    SOURCES,
    STATUSES,
    Draft,
    SaveResult,
    Version,
    VersionMeta,
    carry_reviewed,
    checksum,
    conflict_error,
    normalise_status,
)
from workbench.store.transcripts import TranscriptStore

__all__ = [
    "FORMAT",
    "HUMAN_SOURCES",
    "SOURCES",
    "STATUSES",
    "Draft",
    "FsckReport",
    "Problem",
    "SaveResult",
    "TranscriptStore",
    "Version",
    "VersionMeta",
    "carry_reviewed",
    "checksum",
    "conflict_error",
    "normalise_status",
]
