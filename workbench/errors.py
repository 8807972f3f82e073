"""The one error hierarchy of the workbench.

Every failure the user can meet is a :class:`WorkbenchError` subclass that carries an exit code and a
message saying what happened and what to do. The CLI turns them into one line on stderr and the exit code;
the TUI shows them in a notification. Nothing else in the core catches broadly.

Exit codes (also listed in ``docs/errors.md``):

==  =======================================================================
0   success
1   a batch finished but some pages failed (summary printed); a search found nothing
2   bad usage or bad input (page id, file, metadata, encoding)
3   no workbench project found
4   a required external program or language pack is missing
5   a dictionary is missing or corrupt
6   a transcript version conflict (saved, but not on top)
7   data integrity problem (checksum mismatch, corrupt file)
8   an external program failed, timed out or crashed
9   the disk is full or a folder is not writable
130 interrupted (Ctrl-C)
==  =======================================================================
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base of all workbench errors: a message for the user and an exit code."""

    exit_code: int = 2
    #: A short title for dialogs and notifications.
    title: str = "Error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} {self.hint}"
        return self.message


class UsageError(WorkbenchError):
    """A command was called with arguments that cannot work."""

    exit_code = 2
    title = "Bad usage"


class InputError(WorkbenchError):
    """A file or value given by the user cannot be used (bad encoding, bad format, bad value)."""

    exit_code = 2
    title = "Bad input"

    def __init__(self, message: str, *, path: Path | str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = Path(path) if path is not None else None


class EncodingError(InputError):
    """A text file is not valid UTF-8."""

    title = "Not UTF-8"


class MetadataError(InputError):
    """A TOML file (``workbench.toml`` or a document's ``document.toml``) is malformed or has a bad value."""

    title = "Bad metadata"


class PageError(InputError):
    """A page id is malformed, unsafe, or names no page."""

    title = "Bad page"


class ScanError(InputError):
    """A scan cannot be read: empty, corrupt, not an image, or too large."""

    title = "Unreadable scan"


class ProjectNotFoundError(WorkbenchError):
    """No ``workbench.toml`` in the folder or any parent."""

    exit_code = 3
    title = "No project"


class MissingDependencyError(WorkbenchError):
    """An external program or a Tesseract language pack is missing or too old."""

    exit_code = 4
    title = "Missing dependency"


class DictionaryError(WorkbenchError):
    """A built dictionary is missing, stale or corrupt."""

    exit_code = 5
    title = "Dictionary problem"


class ConflictError(WorkbenchError):
    """A save was based on an older version: it was stored, but another version came first."""

    exit_code = 6
    title = "Save conflict"


class IntegrityError(WorkbenchError):
    """Stored data failed a checksum or could not be parsed."""

    exit_code = 7
    title = "Corrupt data"


class EngineError(WorkbenchError):
    """An external program (Tesseract) failed, crashed or timed out."""

    exit_code = 8
    title = "OCR engine failed"


class EngineTimeoutError(EngineError):
    """An external program did not finish in time."""

    title = "OCR engine timed out"


class StorageError(WorkbenchError):
    """Writing failed: full disk, read-only folder, permissions."""

    exit_code = 9
    title = "Cannot write"


class BatchFailedError(WorkbenchError):
    """A batch finished, but some items failed; the message summarises them."""

    exit_code = 1
    title = "Some pages failed"


class NoMatchError(WorkbenchError):
    """A search found nothing (exit 1, as grep does, so scripts can tell "none" from "failed")."""

    exit_code = 1
    title = "No match"


class Interrupted(WorkbenchError):
    """The user interrupted a long operation; finished work was kept."""

    exit_code = 130
    title = "Interrupted"
