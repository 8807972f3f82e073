"""Where the TUI writes tracebacks, so that the screen only ever shows a message with this path."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path


def log_path() -> Path:
    """``$WORKBENCH_LOG``, else ``$XDG_STATE_HOME/workbench/tui.log`` (default ``~/.local/state``)."""
    env = os.environ.get("WORKBENCH_LOG")
    if env:
        return Path(env)
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "workbench" / "tui.log"


def write_traceback(error: BaseException, context: str = "") -> Path:
    """Append ``error``'s traceback to the log file and return the file's path."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')} {context}\n")
            f.write("".join(traceback.format_exception(error)))
    except OSError:
        pass  # logging must never become a second error; the message still names the intended path
    return path
