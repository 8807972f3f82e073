"""The TUI's autosave of unsaved edits: one recovery file per page, beside its versions (not a version)."""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.durable import storage_error, write_atomic
from workbench.errors import IntegrityError
from workbench.store.reading import StoreReader
from workbench.text import nfc


def recovery_path(store: StoreReader, page_id: str) -> Path:
    """Where the TUI keeps unsaved edits of ``page_id`` (written atomically, deleted after a save)."""
    return store.page_dir(page_id) / ".recovery.json"


def write_recovery(store: StoreReader, page_id: str, text: str, base: int | None) -> None:
    """Atomically write the autosave of unsaved edits (write, fsync, rename)."""
    path = recovery_path(store, page_id)
    data = {"text": nfc(text), "base": base, "time": datetime.now(UTC).isoformat(timespec="seconds")}
    try:
        write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    except OSError as e:
        raise storage_error(e, path.parent) from e


def read_recovery(store: StoreReader, page_id: str) -> dict[str, Any] | None:
    """The autosave of ``page_id`` (``{"text", "base", "time"}``) if one exists.

    A corrupt autosave (not JSON, or not text and a version number) is never read as "no autosave", which
    would let the next autosave overwrite what it holds: it is moved aside to
    ``.recovery-corrupt-<time>.json`` beside it, and :class:`IntegrityError` says where.
    """
    path = recovery_path(store, page_id)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IntegrityError(f"{path}: the autosave cannot be read ({e.strerror or e}).") from e
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise ValueError("no text in it")
        base = data.get("base")
        if base is not None and (isinstance(base, bool) or not isinstance(base, int)):
            raise ValueError(f"base {base!r} is not a version number")
        return data
    except ValueError as e:  # UnicodeDecodeError and json's errors are ValueErrors
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        aside = path.with_name(f".recovery-corrupt-{stamp}.json")
        try:
            os.replace(path, aside)
        except OSError as moved:
            raise storage_error(moved, path.parent) from e
        raise IntegrityError(
            f"Page {page_id!r}: the autosave of unsaved edits was corrupt ({e}); it was moved aside to {aside}.",
            hint="Open that file to copy what you need from it; the saved versions are unaffected.",
        ) from e


def discard_recovery(store: StoreReader, page_id: str) -> None:
    """Delete the autosave of ``page_id`` (after a save, or when the user declines it)."""
    with contextlib.suppress(FileNotFoundError):
        recovery_path(store, page_id).unlink()
