"""The store's derived, git-ignored caches under ``.workbench-cache/``: rebuildable, never written by saves.

``store-status.json`` holds each page's latest status keyed by its versions folder's and latest
``meta.json``'s stat; ``history/<page-id>.json`` holds each version's metadata keyed by its ``meta.json``'s
stat. A cache that is missing, damaged or stale is rebuilt from the versions themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from workbench.durable import write_atomic
from workbench.store.model import FORMAT, STATUSES

CORRUPT = "corrupt"


def status_entry(versions: str, cached: list[Any] | None) -> list[Any] | None:
    """``[folder mtime, folder inode+links+size, latest number, meta mtime, meta size, status]`` of a versions folder,
    taken from ``cached`` when the folder and its latest ``meta.json`` are unchanged; ``None`` if it has
    no versions."""
    try:
        st = os.lstat(versions)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISDIR(st.st_mode):  # a link (perhaps out of the project) or a file: not followed
        return [None, None, None, None, None, CORRUPT]
    # A folder's link count and size change with every entry added, even within one tick of a coarse mtime.
    ident = f"{st.st_ino}:{st.st_nlink}:{st.st_size}"
    if cached and cached[0] == st.st_mtime_ns and cached[1] == ident:
        # Same listing; check that the latest metadata file itself was not rewritten (a git checkout).
        try:
            mst = os.stat(os.path.join(versions, f"{cached[2]:04d}", "meta.json"))
            if [mst.st_mtime_ns, mst.st_size] == cached[3:5]:
                return cached
        except (FileNotFoundError, NotADirectoryError, TypeError):
            pass
    numbers = [int(n) for n in os.listdir(versions) if n.isascii() and n.isdigit()]
    if not numbers:
        return None
    latest = max(numbers)
    path = os.path.join(versions, f"{latest:04d}", "meta.json")
    try:
        with open(path, "rb") as f:
            mst = os.fstat(f.fileno())
            status = json.loads(f.read()).get("status")
        if status not in STATUSES:
            status = CORRUPT
    except (OSError, ValueError, AttributeError):
        return [st.st_mtime_ns, ident, latest, None, None, CORRUPT]
    return [st.st_mtime_ns, ident, latest, mst.st_mtime_ns, mst.st_size, status]


def load_cache(path: Path) -> dict[str, list[Any]]:
    """The ``pages`` of a derived cache file, or ``{}`` when it is missing, damaged or of another format."""
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
        pages = data.get("format") == FORMAT and data.get("pages")
        if isinstance(pages, dict):
            return pages
    except (OSError, ValueError, AttributeError):
        pass
    return {}


def write_cache(path: Path, pages: dict[str, list[Any]]) -> None:
    """Write a derived cache atomically, without fsync (losing it costs a rebuild); on failure it is not kept."""
    data = json.dumps({"format": FORMAT, "pages": pages}, ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(OSError):
        write_atomic(path, data, sync=False)
