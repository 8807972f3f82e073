"""Durable writes: the one place that writes files and folders so that a crash or power cut never half-writes.

Every writer in the project goes through here: the transcript store (versions, autosave, derived caches),
the project dictionary, exports, and the built dictionary indexes. The pattern is always the same: write a
private temporary next to the target, fsync it, rename it over the target (atomic on POSIX), fsync the
folder so the rename itself survives a power cut.

- :func:`write_atomic` replaces one file.
- :func:`replace_dir` swaps a finished temporary folder in for a folder (``renameat2(RENAME_EXCHANGE)``, so
  readers see the old folder or the new one, never neither).
- :func:`rename_noreplace` publishes a folder under a name only if the name is free (the store's versions).
- :func:`lock_folder` takes an exclusive ``flock`` that the kernel drops when the process dies.
- :func:`fsync_all` fsyncs several paths at once (one journal commit instead of several).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

from workbench.errors import StorageError


def fsync_dir(path: Path | str) -> None:
    """fsync a folder, so the entries created or renamed in it are durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path | str) -> None:
    """fsync a file that is already written and closed."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_all(paths: list[Path]) -> None:
    """fsync several files and folders, all at once, and return when every one is durable.

    Issued together, the file system commits them in one journal transaction (ext4's group commit) instead
    of one after another: on this project's busy 2-core VM the median of text + meta + folder went from
    15.4 ms to 3.3 ms (p95 19.0 → 7.2 ms), and cost ~0.2 ms when the disk was idle. Short-lived threads,
    not a pool, so that no thread outlives a save (a later ``fork`` stays safe).
    """
    errors: list[OSError] = []

    def one(path: Path) -> None:
        try:
            (fsync_dir if path.is_dir() else fsync_file)(path)
        except OSError as e:
            errors.append(e)

    threads = [threading.Thread(target=one, args=(p,), name="workbench-fsync") for p in paths[1:]]
    for t in threads:
        t.start()
    one(paths[0])
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def make_dirs(path: Path) -> None:
    """``mkdir -p`` that fsyncs the parent of every folder it creates, so new folders survive a power cut."""
    if path.is_dir():
        return
    make_dirs(path.parent)
    try:
        path.mkdir()
    except FileExistsError:
        if not path.is_dir():
            raise
        return
    fsync_dir(path.parent)


def write_file(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write ``data`` to a new file at ``path`` (no rename: for files inside a private temporary folder)."""
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        if sync:
            os.fsync(f.fileno())


def temporary_name(path: Path) -> Path:
    """A private temporary name beside ``path`` (pid and a random part: threads of one process may race)."""
    return path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def write_atomic(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Replace ``path`` by ``data`` atomically: write a temporary beside it, fsync, rename, fsync the folder.

    Readers see the old content or the new, never a mix. ``sync=False`` skips both fsyncs, for derived files
    (caches) whose loss costs only a rebuild. Raises :class:`OSError`; callers turn it into their error
    (:func:`storage_error` for the usual wording).
    """
    tmp = temporary_name(path)
    try:
        if sync:
            make_dirs(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        write_file(tmp, data, sync=sync)
        os.replace(tmp, path)
        if sync:
            fsync_dir(path.parent)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def storage_error(e: OSError, where: Path) -> StorageError:
    """The :class:`StorageError` for an :class:`OSError` while writing under ``where`` (full disk, read-only …)."""
    if e.errno == errno.ENOSPC:
        return StorageError(f"The disk is full; cannot write under {where}.", hint="Free space and save again.")
    if e.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(
            f"Cannot write under {where}: {e.strerror}.", hint="Check the folder's permissions or mount."
        )
    return StorageError(f"Cannot write under {where}: {e.strerror or e}.")


_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_renameat2: Callable[..., int] | None
try:
    _renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
except (OSError, AttributeError):  # not glibc, or a glibc older than 2.28
    _renameat2 = None


def _renameat2_call(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2(src, dst, flags)``; ``False`` when the system or file system does not support ``flags``."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL):  # EINVAL: the file system has no such flag
        return False
    raise OSError(err, os.strerror(err), str(src), None, str(dst))


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``, failing with ``FileExistsError`` if ``dst`` exists in any form."""
    if _renameat2_call(src, dst, _RENAME_NOREPLACE):
        return
    # Fallback: rename(2) of a folder fails on a non-empty target; the check covers an empty one (racy only
    # against a person creating empty folders by hand).
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst))
    os.rename(src, dst)


def replace_dir(tmp: Path, folder: Path) -> None:
    """Put the finished folder ``tmp`` in the place of ``folder`` and remove the old one.

    With ``RENAME_EXCHANGE`` the two swap in one step, so a reader opening ``folder`` always finds a whole
    index (the old or the new); without it (another OS or file system), the old folder is moved aside first,
    which leaves a moment with no folder. Both are fsync'd first, and the parent after.
    """
    fsync_all([*(p for p in tmp.rglob("*") if p.is_file()), tmp])
    if folder.exists() and _renameat2_call(tmp, folder, _RENAME_EXCHANGE):
        fsync_dir(folder.parent)
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old folder
        return
    old = folder.with_name(folder.name + f".old{os.getpid()}")
    if folder.exists():
        folder.rename(old)
    tmp.rename(folder)
    fsync_dir(folder.parent)
    shutil.rmtree(old, ignore_errors=True)


def lock_folder(folder: Path) -> int:
    """Open ``folder`` and take an exclusive ``flock`` on it (blocking); the kernel drops it when the process dies.

    Returns the descriptor: closing it releases the lock.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        os.close(fd)
        raise
    return fd
