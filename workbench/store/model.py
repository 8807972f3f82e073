"""What the store keeps: version metadata, versions, save results, statuses, and how reviewed marks move."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Levenshtein

from workbench.errors import ConflictError, InputError, IntegrityError
from workbench.layout import Layout
from workbench.layout import loads as layout_loads

STATUSES = ("New", "In progress", "Done", "Final", "Ground truth")
SOURCES = ("ocr", "edit", "import", "replace", "restore")
HUMAN_SOURCES = frozenset({"edit", "import", "replace", "restore"})
#: The format of ``meta.json`` (and of the derived caches).
FORMAT = 1


def normalise_status(status: str) -> str:
    """Accept a status in any case or with ``-``/``_`` for the space (``in-progress``); return its proper name."""
    key = status.strip().lower().replace("-", " ").replace("_", " ")
    for name in STATUSES:
        if name.lower() == key:
            return name
    raise InputError(f"Unknown status {status!r}.", hint=f"Use one of: {', '.join(STATUSES)}.")


def checksum(text: str) -> str:
    """The checksum stored with a version: SHA-256 of its UTF-8 text."""
    return digest(text.encode("utf-8"))


def digest(data: bytes) -> str:
    """``sha256:<hex>`` of ``data`` (the form checksums are stored in)."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class VersionMeta:
    """Everything stored about a version except its text."""

    number: int
    time: str
    author: str
    source: str
    base: int | None
    message: str
    status: str
    checksum: str
    reviewed: tuple[int, ...] = ()  # 0-based line numbers a person has marked reviewed
    ocr: dict[str, Any] | None = None  # engine, version, model, lang, settings (for source "ocr")
    conflict: bool = False  # stored on a base that was no longer the latest
    extra: dict[str, Any] = field(default_factory=dict)
    layout_checksum: str | None = None  # SHA-256 of layout.json's bytes, when the version has one

    def to_json(self) -> dict[str, Any]:
        """The JSON form written to ``meta.json``."""
        data = asdict(self)
        data["reviewed"] = list(self.reviewed)
        data["format"] = FORMAT
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VersionMeta:
        """Read the JSON form back, checking every field's type.

        A hand-edited or damaged ``meta.json`` (``"reviewed": [0, "1"]``, ``"time": 5``, ``"author": null``)
        raises ``TypeError``/``ValueError`` naming the field, which readers turn into an
        :class:`IntegrityError`: the version is reported as damaged instead of crashing a later save,
        restore or ``history`` with a ``TypeError`` deep inside.
        """
        known = cls.__dataclass_fields__
        values = {k: v for k, v in data.items() if k in known}
        for name in ("number", "time", "author", "source", "base", "message", "status", "checksum"):
            if name not in values:
                raise ValueError(f"no {name!r}")
        for name, kinds in _FIELD_TYPES.items():
            if name in values and not _is(values[name], kinds):
                raise TypeError(f"{name!r} is {values[name]!r}, not {' or '.join(k.__name__ for k in kinds)}")
        reviewed = values.get("reviewed", [])
        if not isinstance(reviewed, list) or not all(_is(i, (int,)) and i >= 0 for i in reviewed):
            raise TypeError(f"'reviewed' is {reviewed!r}, not a list of line numbers (0 or more)")
        if values["number"] < 1 or (values["base"] is not None and values["base"] < 1):
            raise ValueError(f"'number' {values['number']!r} or 'base' {values['base']!r} is below 1")
        values["reviewed"] = tuple(reviewed)
        return cls(**values)


def _is(value: Any, kinds: tuple[type, ...]) -> bool:
    # bool is an int in Python, never a version number or a line number here.
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


#: The JSON type of each field of ``meta.json`` (``type(None)``: may be null).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int,),
    "time": (str,),
    "author": (str,),
    "source": (str,),
    "base": (int, type(None)),
    "message": (str,),
    "status": (str,),
    "checksum": (str,),
    "ocr": (dict, type(None)),
    "conflict": (bool,),
    "extra": (dict,),
    "layout_checksum": (str, type(None)),
}


@dataclass(frozen=True)
class Version:
    """A stored version: its metadata, text, and (for OCR) layout."""

    meta: VersionMeta
    text: str
    path: Path

    @property
    def number(self) -> int:
        """The version's number (1, 2, …)."""
        return self.meta.number

    def layout(self) -> Layout | None:
        """The OCR layout (lines, words, boxes, confidences) saved with this version, if any."""
        path = self.path / "layout.json"
        if not path.exists():
            return None
        try:
            return layout_loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise IntegrityError(f"{path}: unreadable layout ({e}).", hint="Run `workbench fsck`.") from e


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the version it wrote and whether that was a conflict."""

    version: VersionMeta
    latest_before: int | None = None  # the newest version when the save landed (for conflict reports)
    #: What the save could not carry over and the caller must tell the user (a damaged base version's
    #: reviewed marks or status); the core never prints.
    warnings: tuple[str, ...] = ()

    @property
    def conflict(self) -> bool:
        """Whether the save landed on a base that was no longer the latest (recorded in its metadata)."""
        return self.version.conflict


@dataclass(frozen=True)
class Draft:
    """What a save carries besides the page: the text and everything said about it.

    ``None`` means "follow the base version" for ``status`` and ``reviewed``, and "the project's author" for
    ``author``.
    """

    text: str
    author: str | None = None
    source: str = "edit"
    base: int | None = None
    message: str = ""
    status: str | None = None
    reviewed: Iterable[int] | None = None
    ocr: dict[str, Any] | None = None
    layout: Layout | None = None
    extra: dict[str, Any] | None = None


def lines_of(text: str) -> list[str]:
    """The lines of a text as the store counts them (``reviewed`` numbers index this list)."""
    return text.split("\n")


def carry_reviewed(old_text: str, new_text: str, reviewed: Iterable[int]) -> tuple[int, ...]:
    """Map reviewed line numbers of ``old_text`` onto ``new_text``: unchanged lines keep their mark (at their
    new number), lines whose text changed or went away lose it."""
    marks = sorted(set(reviewed))
    if not marks:
        return ()
    old, new = lines_of(old_text), lines_of(new_text)
    if old == new:
        return tuple(i for i in marks if i < len(new))
    moved: dict[int, int] = {}
    for op in Levenshtein.opcodes(old, new):
        if op.tag == "equal":
            for k in range(op.src_end - op.src_start):
                moved[op.src_start + k] = op.dest_start + k
    return tuple(moved[i] for i in marks if i in moved)


def conflict_error(page_id: str, result: SaveResult, base: int | None) -> ConflictError:
    """The error the CLI reports for a save that landed as a conflict."""
    return ConflictError(
        f"Page {page_id!r}: saved as version {result.version.number}, based on {base}, but version "
        f"{result.latest_before} was saved meanwhile.",
        hint="Nothing was lost. Compare with "
        f"`workbench diff {page_id} {result.latest_before} {result.version.number}`.",
    )
