"""Checking the whole store: every version's files against their checksums and metadata (``workbench fsck``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import IntegrityError, PageError
from workbench.project import walk_transcripts
from workbench.store.model import SOURCES, STATUSES
from workbench.store.reading import StoreReader
from workbench.store.temporaries import clean_folder


@dataclass(frozen=True)
class Problem:
    """A damaged version found by :meth:`StoreReader.fsck`."""

    page: str
    kind: str  # "versions" or "candidates", or "folder" for a folder that could not be read
    number: int
    message: str


@dataclass
class FsckReport:
    """What :meth:`StoreReader.fsck` checked, found and cleaned."""

    checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every version passed."""
        return not self.problems


def fsck(store: StoreReader) -> FsckReport:
    """Check every version and candidate of every page; remove dead temporaries; report what is wrong.

    Checks that ``meta.json`` parses and is consistent (its number is its folder's, known source and
    status, well-formed fields), that the text's and layout's checksums match, and that no version folder
    is a symbolic link. Nothing is repaired or deleted except dead temporary folders.
    """
    report = FsckReport()
    page_ids, unreadable = walk_transcripts(store.root)
    for folder, why in unreadable:
        # What fsck did not read, it does not call clean.
        report.problems.append(
            Problem(
                page=_page_of(store, folder),
                kind="folder",
                number=0,
                message=f"{folder}: cannot be read ({why}); the pages in it were not checked.",
            )
        )
    for pid in page_ids:
        try:
            for kind in ("versions", "candidates"):
                report.removed.extend(clean_folder(store.kind_dir(pid, kind)))
        except PageError as e:  # a versions folder that is a symbolic link out of the project
            report.problems.append(Problem(page=pid, kind="versions", number=0, message=e.message))
            continue
        for kind in ("versions", "candidates"):
            folder = store.root / pid / kind
            try:
                names = os.listdir(folder)
            except FileNotFoundError:
                continue
            except OSError as e:
                report.problems.append(
                    Problem(page=pid, kind=kind, number=0, message=f"{folder}: cannot be read ({e.strerror or e}).")
                )
                continue
            for number in sorted(int(n) for n in names if n.isascii() and n.isdigit()):
                report.checked += 1
                vdir = folder / f"{number:04d}"
                problem = _check_version(store, vdir, number)
                if problem:
                    report.problems.append(Problem(page=pid, kind=kind, number=number, message=problem))
    return report


def _page_of(store: StoreReader, folder: Path) -> str:
    try:
        return folder.relative_to(store.root).as_posix()
    except ValueError:
        return str(folder)


def _check_version(store: StoreReader, vdir: Path, number: int) -> str | None:
    if vdir.is_symlink():
        return f"{vdir} is a symbolic link; versions must be real folders inside the project."
    try:
        version = store.read_folder(vdir)
    except IntegrityError as e:
        return e.message
    meta = version.meta
    wrong: list[str] = []
    if meta.number != number:
        wrong.append(f"number {meta.number!r} is not the folder's {number}")
    if meta.source not in SOURCES:
        wrong.append(f"unknown source {meta.source!r}")
    if meta.status not in STATUSES:
        wrong.append(f"unknown status {meta.status!r}")
    if not isinstance(meta.author, str) or not isinstance(meta.message, str) or not isinstance(meta.time, str):
        wrong.append("author, message and time must be text")
    if meta.base is not None and (not isinstance(meta.base, int) or not 0 < meta.base):
        wrong.append(f"bad base {meta.base!r}")
    if not all(isinstance(i, int) and i >= 0 for i in meta.reviewed):
        wrong.append("reviewed must be line numbers")
    if wrong:
        return f"{vdir / 'meta.json'}: " + "; ".join(wrong) + "."
    return None
