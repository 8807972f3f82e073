"""Warming up a dictionary index in a background thread: its files into the page cache, its maps populated.

Lookups go on meanwhile; later ones neither wait for the disk nor fault (see :func:`prefetch`).
"""

from __future__ import annotations

import ctypes
import mmap
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

#: The index files in the order the background prefetch reads them: what every lookup touches first, the
#: stored forms (read only for the few candidates priced) last.
PREFETCH_ORDER = (
    "del_b.npy",
    "known_b.npy",
    "grp.npy",
    "klen.npy",
    "zipf.npy",
    "off.npy",
    "del_h.npy",
    "del_g.npy",
    "known_h.npy",
    "known_i.npy",
    "skel.bin",
    "blob.bin",
)
PREFETCH_CHUNK = 4 << 20
#: Linux 5.14+: map every page of a range that is in the page cache (fails harmlessly elsewhere)
MADV_POPULATE_READ = 22


def _libc_fn(name: str, *argtypes: Any) -> Any:
    """A libc function through ctypes (which releases the GIL during the call; ``mmap.madvise`` does not)."""
    try:
        fn = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    fn.argtypes = argtypes
    fn.restype = ctypes.c_int
    return fn


def _in_page_cache(mincore: Any, start: int, length: int) -> bool:
    """Whether every page of a mapped range is in the page cache (``mincore``; False if it cannot tell)."""
    if mincore is None:
        return False
    vec = (ctypes.c_ubyte * ((length + mmap.PAGESIZE - 1) // mmap.PAGESIZE))()
    if mincore(start, length, vec) != 0:
        return False
    return bool(np.all(np.frombuffer(bytes(vec), dtype=np.uint8) & 1))


def prefetch(
    files: Sequence[tuple[Path, tuple[int, int] | None]],
    done: threading.Event | None = None,
    owner: Any = None,  # noqa: ARG001 - only held, so the maps outlive the reading
) -> None:
    """Warm up the index files: read each into the page cache, then map its pages; set ``done`` at the end.

    ``files`` are (path, (address, length) of its mapping or None). The maps are opened with ``MADV_RANDOM``
    (a lookup reads single pages), so on a cold page cache every page a lookup touches first is a disk read
    (10–20 ms a word) and, even warm, a page fault. Run in a daemon thread, this reads each file that is
    not already all in the page cache (``mincore``) once (``POSIX_FADV_WILLNEED``, then ``preadv`` into one
    reused buffer, the GIL released) and then asks the
    kernel to map all of its pages (``MADV_POPULATE_READ``, Linux 5.14+, through ctypes, also without the
    GIL), so lookups meanwhile go on and later ones neither wait for the disk nor fault. The resident size
    grows to about the size of the files (clean page-cache pages, shared between processes and
    reclaimable), never beyond. ``owner`` (the maps' holder) is only kept alive. Errors are ignored: this
    is only a warm-up.
    """
    madvise = _libc_fn("madvise", ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    mincore = _libc_fn("mincore", ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
    buf: bytearray | None = None
    try:
        for path, region in files:
            span = None
            if region is not None and region[1] > 0:
                start = region[0] - region[0] % mmap.PAGESIZE
                span = (start, region[0] + region[1] - start)
            # a warm file needs no reading (a copy of ~0.1 s for the whole index that would compete with the
            # first lookups for the CPU), only mapping
            if span is None or not _in_page_cache(mincore, *span):
                try:
                    fd = os.open(path, os.O_RDONLY)
                except OSError:
                    continue
                try:
                    if hasattr(os, "posix_fadvise"):
                        # the whole file at once: the kernel reads it ahead in large requests
                        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
                    # read it once (sequential reads fill the page cache 3× faster from a cold disk than
                    # populating the map alone, and do not hold the process's memory-map lock meanwhile)
                    buf = buf if buf is not None else bytearray(PREFETCH_CHUNK)
                    offset = 0
                    while (got := os.preadv(fd, [buf], offset)) > 0:
                        offset += got
                except OSError:
                    pass
                finally:
                    os.close(fd)
            if madvise is not None and span is not None:
                madvise(span[0], span[1], MADV_POPULATE_READ)
    finally:
        if done is not None:
            done.set()
