"""Text the suggestions can lean on: the archive's reviewed lines, and a Russian corpus if one is installed.

A line a transcriber marked reviewed is text the archive vouches for. Its words rank higher among the
suggestions (a name corrected once is suggested first on the next page), and its word pairs are the context
of the real-word check («в целях» seen before makes «в цепях» a likely misread). Only the latest version of
each page counts, and only its reviewed lines.

The corpus: the Russian quotations of Debian's ``fortunes-ru`` (``./dev`` installs it; GPL-2), about 600,000
words of Russian prose whose word pairs back the real-word check where the archive has no counts. Counted
once and cached in ``$WORKBENCH_DATA`` (keyed by the files' sizes and times).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Collection
from pathlib import Path
from typing import Any

from workbench.dictionary.realword import ContextModel
from workbench.durable import write_atomic
from workbench.errors import WorkbenchError

CORPUS = Path("/usr/share/games/fortunes/ru")


def corpus_files() -> list[Path]:
    """The UTF-8 fortune files of ``fortunes-ru`` (empty when it is not installed)."""
    try:
        return sorted(p for p in CORPUS.iterdir() if p.suffix == ".u8")
    except OSError:
        return []


def corpus_context(exclude: Collection[Path] = ()) -> ContextModel:
    """Word and pair counts of the installed corpus (without ``exclude``: the benchmark leaves its held-out
    texts out). The full count is cached in ``$WORKBENCH_DATA``; an empty model if nothing is installed."""
    files = [p for p in corpus_files() if p not in set(exclude)]
    if not files:
        return ContextModel()
    from workbench.dictionary.build import data_dir

    stamp = hashlib.sha256(repr([(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]).encode())
    cache = data_dir() / "dictionaries" / f"rus.corpus.{stamp.hexdigest()[:16]}.pickle"
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, AttributeError):
        model = pickle.loads(cache.read_bytes())
        if isinstance(model, ContextModel):
            return model
    model = ContextModel()
    for path in files:
        with contextlib.suppress(OSError):
            model.add_text(path.read_text(encoding="utf-8", errors="replace"))
    with contextlib.suppress(OSError):  # a derived cache: no fsync, and one that cannot be written is not kept
        write_atomic(cache, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL), sync=False)
    return model


def archive_context(project: Any, skip_page: str | None = None) -> ContextModel:
    """The reviewed lines of every page of ``project`` (but ``skip_page``), counted.

    Pages whose latest version cannot be read are left out (``workbench fsck`` reports them).
    """
    from workbench.store import TranscriptStore

    store = TranscriptStore(project)
    model = ContextModel()
    for pid in store.page_ids():
        if pid == skip_page:
            continue
        with contextlib.suppress(WorkbenchError):
            version = store.read(pid)
            if not version.meta.reviewed:
                continue
            lines = version.text.split("\n")
            model.add_text("\n".join(lines[i] for i in version.meta.reviewed if 0 <= i < len(lines)))
    return model
