"""What the index needs of the transcript store, as a protocol: the index never imports the store.

The store calls the index after every save (:func:`workbench.search.index.on_save`), so the index may not
import the store back; it works on any object with these methods (a
:class:`~workbench.store.TranscriptStore`), which the caller hands it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from workbench.project import Project, split_frame

INDEX_FILE = "search.sqlite"


class VersionLike(Protocol):
    """A stored version: its text and metadata."""

    @property
    def text(self) -> str:
        """The version's text."""

    @property
    def meta(self) -> Any:
        """Its metadata (``status``, ``number``, ``reviewed`` …)."""


class StoreLike(Protocol):
    """The transcript store, as far as the index reads it."""

    project: Project
    root: Path

    def page_ids(self) -> list[str]:
        """Every page with versions or candidates."""

    def page_dir(self, page_id: str) -> Path:
        """A page's folder, checked to lie inside the project."""

    def version_numbers(self, page_id: str) -> list[int]:
        """The page's version numbers, oldest first."""

    def latest_number(self, page_id: str) -> int | None:
        """The newest version's number."""

    def read(self, page_id: str, number: int | None = None) -> Any:
        """A version (checksums verified)."""


@dataclass(frozen=True)
class PageText:
    """What the index stores of one version of a page."""

    page: str
    version: int
    status: str
    text: str


def index_path(project: Project) -> Path:
    """Where the project's search index lives."""
    return project.root / ".workbench-cache" / INDEX_FILE


def document_of(page_id: str) -> str:
    """The document a page belongs to (its id up to the last ``/``)."""
    base, _ = split_frame(page_id)
    return base.rsplit("/", 1)[0] if "/" in base else ""


def page_stamp(store: StoreLike, page_id: str, *, listed: bool = False) -> str | None:
    """A page's ``versions`` folder by stat: changes with every version written into it; None if absent.

    ``listed``: the id comes from ``store.page_ids()``, whose walk follows no link out of ``transcripts/``,
    so the store's path check (a realpath per page, most of the cost of checking 10,000 pages) is skipped.
    """
    folder = os.path.join(store.root, page_id) if listed else str(store.page_dir(page_id))
    try:
        st = os.stat(os.path.join(folder, "versions"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return f"{st.st_mtime_ns}:{st.st_nlink}:{st.st_ino}"


def read_versions(store: StoreLike, page_id: str, all_versions: bool) -> Iterator[PageText]:
    """The page's latest version (every version with ``all_versions``), checksums verified."""
    numbers = store.version_numbers(page_id)
    for n in numbers if all_versions else numbers[-1:]:
        v = store.read(page_id, n)
        yield PageText(page_id, n, v.meta.status, v.text)
