"""Configuration files: ``workbench.toml`` (the project's settings) and ``scans/DOC/document.toml``.

Defaults, then ``workbench.toml``, then ``WORKBENCH_*`` variables, then flags. Every bad value raises
:class:`~workbench.errors.MetadataError` naming the file and the key. Unknown keys (a typo such as
``timout``) are not fatal but never silent: they become warnings naming the file, the key and the nearest
known key, which the caller shows (the core never prints).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InputError, MetadataError, UsageError
from workbench.orthography import ORTHOGRAPHIES

LANGUAGES = ("rus", "aze_cyrl", "rus+aze_cyrl", "auto")
#: Which model reads Azerbaijani: the project's own (models/aze_cyrl_wb.traineddata) or Tesseract's aze_cyrl.
AZE_MODELS = ("workbench", "tesseract")
DEFAULT_AZE_MODEL = "workbench"
#: A Tesseract language name (``eng``, ``deu``, ``aze_cyrl``, ``chi_sim``); modes join names with ``+``.
_TESSERACT_NAME = re.compile(r"^[a-z]{3}(?:_[a-z]+)?$")
_MODES_HINT = "auto, rus, aze_cyrl, rus+aze_cyrl, or installed Tesseract languages such as eng, deu or rus+eng"


def is_lang_mode(value: object, *, allow_auto: bool = True) -> bool:
    """Whether ``value`` can name an OCR language mode: ``auto`` or Tesseract names joined by ``+``.

    Only the spelling is checked here (a project opens on a machine without the pack); whether the packs
    are installed is checked when OCR runs (:func:`workbench.ocr.probe.check_lang_mode`).
    """
    if not isinstance(value, str):
        return False
    if value == "auto":
        return allow_auto
    return all(_TESSERACT_NAME.match(part) for part in value.split("+"))


#: The keys ``workbench.toml`` knows, per table.
PROJECT_KEYS = {
    "project": ("name", "author", "max_input_mb"),
    "ocr": ("lang", "jobs", "timeout", "aze_model"),
    "dictionary": ("yo",),
}
DOCUMENT_KEYS = ("title", "date", "languages", "orthography", "yo", "citation", "notes", "pages")
PAGE_KEYS = ("lang", "regions")


@dataclass(frozen=True)
class Citation:
    """An archival reference: archive, fond, opis, delo, list (фонд, опись, дело, лист)."""

    archive: str | None = None
    fond: str | None = None
    opis: str | None = None
    delo: str | None = None
    list: str | None = None

    def __str__(self) -> str:
        parts = [self.archive] if self.archive else []
        for label, value in (("f.", self.fond), ("op.", self.opis), ("d.", self.delo), ("l.", self.list)):
            if value:
                parts.append(f"{label} {value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Region:
    """A part of a page whose language is fixed: a range of lines (1-based, inclusive) or a pixel box."""

    lang: str
    lines: tuple[int, int] | None = None
    box: tuple[int, int, int, int] | None = None  # x, y, width, height in scan pixels


@dataclass(frozen=True)
class PageSettings:
    """Per-page settings from a document's metadata."""

    lang: str | None = None
    regions: tuple[Region, ...] = ()


@dataclass(frozen=True)
class Document:
    """A folder under ``scans/`` and its metadata."""

    id: str
    title: str = ""
    date: str = ""
    languages: tuple[str, ...] = ("rus",)
    orthography: str = "1939"
    #: Whether this document prints ё (``yo = true`` in ``document.toml``); None: the project's ``[dictionary] yo``.
    yo: bool | None = None
    citation: Citation = field(default_factory=Citation)
    notes: str = ""
    pages: dict[str, PageSettings] = field(default_factory=dict)

    def page_settings(self, page_name: str) -> PageSettings:
        """Settings for the page named ``page_name`` within this document (defaults if none)."""
        return self.pages.get(page_name, PageSettings())


@dataclass(frozen=True)
class Settings:
    """The project's settings: defaults, then ``workbench.toml``, then the environment, then flags."""

    name: str = ""
    author: str = ""
    ocr_lang: str = "auto"
    ocr_jobs: int = 0
    ocr_timeout: float = 180.0
    #: ``[ocr] aze_model`` (or ``$WORKBENCH_AZE_MODEL``): ``workbench`` or ``tesseract``, see AZE_MODELS.
    ocr_aze_model: str = DEFAULT_AZE_MODEL
    max_input_mb: float = 20.0
    #: ``[dictionary] yo``: whether the archive's texts print ё. Typescripts of the period never do (a Soviet
    #: typewriter had no ё key), so by default suggestions write е where the lexicon has ё.
    yo: bool = False

    @property
    def max_input_bytes(self) -> int:
        """The input size limit in bytes (``save --from``, ``import``)."""
        return int(self.max_input_mb * 1024 * 1024)


def unknown_key_warning(path: Path, dotted: str, key: str, known: Iterable[str]) -> str:
    """The warning for an unknown key: the file, the key, and the nearest known key if one is close."""
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    nearest = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(sorted(known))}."
    return f"{path}: unknown key {dotted!r} is ignored{nearest}"


def check_timeout(value: Any, where: str) -> float:
    """A timeout in seconds must be a finite number above 0 (``nan``, ``inf`` and ``-1`` are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise UsageError(
            f"{where}: timeout {value!r} is not a number of seconds above 0.",
            hint="Give a finite number of seconds, e.g. 180.",
        )
    return float(value)


def load_settings(path: Path, overrides: dict[str, Any] | None = None) -> tuple[Settings, list[str]]:
    """Settings from defaults, ``path`` (``workbench.toml``), ``WORKBENCH_AUTHOR`` and ``overrides``.

    Returns them with the warnings about unknown keys (for the caller to show).
    """
    data = _load_toml(path)
    warnings = _unknown_project_keys(data, path)
    project = _table(data, "project", path)
    ocr = _table(data, "ocr", path)
    dictionary = _table(data, "dictionary", path)
    values: dict[str, Any] = {
        "name": _get(project, "name", str, path, "project.name", ""),
        "author": _get(project, "author", str, path, "project.author", ""),
        "max_input_mb": float(_get(project, "max_input_mb", (int, float), path, "project.max_input_mb", 20)),
        "ocr_lang": _get(ocr, "lang", str, path, "ocr.lang", "auto"),
        "ocr_jobs": _get(ocr, "jobs", int, path, "ocr.jobs", 0),
        "ocr_timeout": _get(ocr, "timeout", (int, float), path, "ocr.timeout", 180),
        "ocr_aze_model": os.environ.get("WORKBENCH_AZE_MODEL")
        or _get(ocr, "aze_model", str, path, "ocr.aze_model", DEFAULT_AZE_MODEL),
        "yo": dictionary.get("yo", False),
    }
    if values["ocr_aze_model"] not in AZE_MODELS:
        raise MetadataError(
            f"{path}: ocr.aze_model (or $WORKBENCH_AZE_MODEL) = {values['ocr_aze_model']!r} "
            f"is not one of {', '.join(AZE_MODELS)}.",
            path=path,
        )
    if not isinstance(values["yo"], bool):
        raise MetadataError(f"{path}: key dictionary.yo = {values['yo']!r}; use true or false.", path=path)
    if not is_lang_mode(values["ocr_lang"]):
        raise MetadataError(
            f"{path}: key ocr.lang = {values['ocr_lang']!r} is not a language mode ({_MODES_HINT}).", path=path
        )
    if values["ocr_jobs"] < 0:
        raise MetadataError(f"{path}: key ocr.jobs must be 0 (all cores) or more.", path=path)
    if not math.isfinite(values["ocr_timeout"]) or values["ocr_timeout"] <= 0:
        raise MetadataError(
            f"{path}: key ocr.timeout = {values['ocr_timeout']!r} is not a number of seconds above 0.",
            path=path,
            hint="Give a finite number of seconds, e.g. timeout = 180.",
        )
    values["ocr_timeout"] = float(values["ocr_timeout"])
    if not math.isfinite(values["max_input_mb"]) or values["max_input_mb"] <= 0:
        raise MetadataError(f"{path}: key project.max_input_mb must be a number of megabytes above 0.", path=path)
    if values["author"]:
        _check_author(values["author"], f"{path}: key project.author")
    env_author = os.environ.get("WORKBENCH_AUTHOR")
    if env_author:
        values["author"] = _check_author(env_author, "$WORKBENCH_AUTHOR")
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return Settings(**values), warnings


def project_key_warnings(path: Path) -> list[str]:
    """Warnings about unknown keys in ``workbench.toml``, without checking values (a bad file raises later)."""
    try:
        return _unknown_project_keys(_load_toml(path), path)
    except MetadataError:
        return []


def _unknown_project_keys(data: dict[str, Any], path: Path) -> list[str]:
    warnings: list[str] = []
    for table, value in data.items():
        if table not in PROJECT_KEYS:
            warnings.append(unknown_key_warning(path, table, table, PROJECT_KEYS))
        elif isinstance(value, dict):
            for key in value:
                if key not in PROJECT_KEYS[table]:
                    warnings.append(unknown_key_warning(path, f"{table}.{key}", key, PROJECT_KEYS[table]))
    return warnings


def _check_author(author: str, where: str) -> str:
    from workbench.text import check_name

    try:
        return check_name(author, what="The author")
    except InputError as e:
        raise MetadataError(f"{where}: {e}") from e


def _load_toml(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    from workbench.text import read_text

    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MetadataError(f"{path}: not valid TOML: {e}.", path=path, hint="Fix the file and retry.") from e


def _table(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise MetadataError(f"{path}: [{key}] must be a table.", path=path)
    return value


def _get(table: dict[str, Any], key: str, kind: Any, path: Path, dotted: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise MetadataError(
            f"{path}: key {dotted} must be {expected}, not {type(value).__name__} ({value!r}).", path=path
        )
    if isinstance(value, str):
        import unicodedata

        value = unicodedata.normalize("NFC", value)
    return value


def _as_str(value: Any, path: Path, dotted: str) -> str:
    """Archive numbers may be written as numbers or strings (``delo = 347`` or ``delo = "347a"``)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MetadataError(f"{path}: key {dotted} must be text or a number, not {value!r}.", path=path)
    return str(value)


def load_document(path: Path, doc_id: str, warnings: list[str] | None = None) -> Document:
    """Parse a ``document.toml``; a missing file gives a document with default metadata.

    Every bad value raises :class:`MetadataError` naming the file and the key. Unknown keys inside a
    ``[pages.NAME]`` table are not fatal: a warning naming the file, the key and the nearest known key is
    appended to ``warnings``.
    """
    warnings = [] if warnings is None else warnings
    data = _load_toml(path)
    known = set(DOCUMENT_KEYS)
    unknown = sorted(set(data) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], DOCUMENT_KEYS, n=1, cutoff=0.6)
        raise MetadataError(
            f"{path}: unknown key {unknown[0]!r}" + (f"; did you mean {close[0]!r}?" if close else "."),
            path=path,
            hint=f"Known keys: {', '.join(sorted(known))}.",
        )
    title = _get(data, "title", str, path, "title", "")
    date = data.get("date", "")
    if not isinstance(date, str):
        date = str(date)  # TOML dates parse as datetime.date; keep them as written
    languages = _get(data, "languages", list, path, "languages", ["rus"])
    for lang in languages:
        if not is_lang_mode(lang, allow_auto=False) or "+" in lang:
            raise MetadataError(
                f"{path}: key languages has {lang!r}; use Tesseract language names such as 'rus', 'aze_cyrl', 'eng'.",
                path=path,
            )
    orthography = str(data.get("orthography", "1939"))
    if orthography not in ORTHOGRAPHIES:
        raise MetadataError(
            f"{path}: key orthography = {orthography!r}; use '1939' (with й) or '1958' (with ј).", path=path
        )
    yo = data.get("yo")
    if yo is not None and not isinstance(yo, bool):
        raise MetadataError(f"{path}: key yo = {yo!r}; use true (the text prints ё) or false (it writes е).", path=path)
    cit = _table(data, "citation", path)
    bad = sorted(set(cit) - {"archive", "fond", "opis", "delo", "list"})
    if bad:
        raise MetadataError(f"{path}: unknown key citation.{bad[0]}.", path=path)
    citation = Citation(**{k: _as_str(v, path, f"citation.{k}") for k, v in cit.items()})
    pages: dict[str, PageSettings] = {}
    for name, spec in _table(data, "pages", path).items():
        if not isinstance(spec, dict):
            raise MetadataError(f"{path}: [pages.{name}] must be a table.", path=path)
        for key in spec:
            if key not in PAGE_KEYS:
                warnings.append(unknown_key_warning(path, f"pages.{name}.{key}", key, PAGE_KEYS))
        pages[name] = _parse_page_settings(spec, path, f"pages.{name}")
    return Document(
        id=doc_id,
        title=title,
        date=date,
        languages=tuple(languages),
        orthography=orthography,
        yo=yo,
        citation=citation,
        notes=_get(data, "notes", str, path, "notes", ""),
        pages=pages,
    )


def _parse_page_settings(spec: dict[str, Any], path: Path, dotted: str) -> PageSettings:
    lang = spec.get("lang")
    if lang is not None and not is_lang_mode(lang):
        raise MetadataError(f"{path}: key {dotted}.lang = {lang!r} is not a language mode ({_MODES_HINT}).", path=path)
    regions = []
    listed = spec.get("regions", [])
    if not isinstance(listed, list):
        raise MetadataError(
            f"{path}: key {dotted}.regions must be a list of tables, not {type(listed).__name__} ({listed!r}).",
            path=path,
            hint='Write it like regions = [{ lines = [1, 4], lang = "rus" }].',
        )
    for i, reg in enumerate(listed):
        key = f"{dotted}.regions[{i}]"
        if not isinstance(reg, dict) or not is_lang_mode(reg.get("lang"), allow_auto=False):
            raise MetadataError(
                f"{path}: key {key} needs lang = 'rus', 'aze_cyrl', 'rus+aze_cyrl' or another Tesseract language.",
                path=path,
            )
        lines = reg.get("lines")
        box = reg.get("box")
        if (lines is None) == (box is None):
            raise MetadataError(f"{path}: key {key} needs exactly one of lines = [FIRST, LAST] or box.", path=path)
        if lines is not None and not (
            isinstance(lines, list)
            and len(lines) == 2
            and all(isinstance(n, int) and n >= 1 for n in lines)
            and lines[0] <= lines[1]
        ):
            raise MetadataError(f"{path}: key {key}.lines must be [FIRST, LAST], 1-based.", path=path)
        if box is not None and not (
            isinstance(box, list) and len(box) == 4 and all(isinstance(n, int) and n >= 0 for n in box)
        ):
            raise MetadataError(f"{path}: key {key}.box must be [X, Y, WIDTH, HEIGHT] in pixels.", path=path)
        regions.append(
            Region(
                lang=reg["lang"],
                lines=(lines[0], lines[1]) if lines else None,
                box=(box[0], box[1], box[2], box[3]) if box else None,
            )
        )
    return PageSettings(lang=lang, regions=tuple(regions))
