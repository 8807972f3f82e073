"""Temporary folders of saves in progress, and removing those whose writer died.

A save writes its version into ``.tmp-<pid>-<random>`` and holds an exclusive ``flock`` on it until the folder
is renamed to its number. A cleaner removes only folders whose lock is free (the kernel releases a lock when
its process dies), so it never disturbs a live save in another process or another thread of this one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from pathlib import Path

TMP_PREFIX = ".tmp-"
#: Between ``mkdir`` of a temporary folder and taking its lock there is a short window; a folder younger
#: than this whose lock is free and whose writer's pid is alive is left alone.
_LOCK_GRACE_SECONDS = 5.0
#: Temporary folders of saves running in this process (any thread): never cleaned by this process.
LIVE_TEMPORARIES: set[str] = set()


def new_temporary(folder: Path) -> Path:
    """A fresh temporary folder name inside ``folder`` for a save of this process (not created yet)."""
    return folder / f"{TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"


def clean_folder(folder: Path) -> list[Path]:
    """Remove the dead temporary folders in ``folder`` (a page's versions or candidates); return them."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [folder / n for n in names if n.startswith(TMP_PREFIX) and remove_if_dead(folder / n)]


def remove_if_dead(entry: Path) -> bool:
    """Remove the temporary folder ``entry`` if its writer is gone; return whether it was removed."""
    if str(entry) in LIVE_TEMPORARIES:
        return False  # a save in this process (perhaps another thread) is writing it
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False  # published or removed meanwhile
    except OSError:
        fd = None  # not a folder we can lock (a stray file): decide by pid and age alone
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # its writer holds the lock: alive
        if not os.path.lexists(entry) or _maybe_starting(entry):
            # Gone from under its name: it was published (the lock was on the version's folder) or removed.
            return False
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
        return not os.path.lexists(entry)
    finally:
        if fd is not None:
            os.close(fd)


def _maybe_starting(entry: Path) -> bool:
    """Whether an unlocked temporary folder may belong to a writer between ``mkdir`` and taking its lock."""
    try:
        pid = int(entry.name[len(TMP_PREFIX) :].split("-", 1)[0])
        age = time.time() - entry.lstat().st_mtime
    except (ValueError, FileNotFoundError):
        return False
    if age > _LOCK_GRACE_SECONDS or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
