"""The TUI's autosave of unsaved edits: one recovery file per page, beside its versions (not a version)."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.durable import storage_error, write_atomic
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
    """The autosave of ``page_id`` (``{"text", "base", "time"}``) if one exists."""
    path = recovery_path(store, page_id)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None


def discard_recovery(store: StoreReader, page_id: str) -> None:
    """Delete the autosave of ``page_id`` (after a save, or when the user declines it)."""
    with contextlib.suppress(FileNotFoundError):
        recovery_path(store, page_id).unlink()
