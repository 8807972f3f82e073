"""Probing Tesseract: is it there, is it new enough, which language packs does it have.

Probing is kept apart from running (see ``workbench.ocr.tesseract``): it calls the ``tesseract`` program
directly, so it works even where pytesseract would fail to parse a version string.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import MissingDependencyError
from workbench.ocr.process import TimedOut

MIN_VERSION = (4, 1)
PROBE_TIMEOUT = 30.0


#: Tesseract's script models (named by script, not language) and their ISO 15924 codes, which Debian's
#: package names use: ``Cyrillic`` is in ``tesseract-ocr-script-cyrl``.
SCRIPT_MODELS = {
    "Arabic": "arab",
    "Armenian": "armn",
    "Cyrillic": "cyrl",
    "Fraktur": "frak",
    "Georgian": "geor",
    "Greek": "grek",
    "Hebrew": "hebr",
    "Latin": "latn",
}


def debian_package(lang: str) -> str:
    """The Debian package with Tesseract's language pack ``lang`` (``aze_cyrl`` → ``tesseract-ocr-aze-cyrl``,
    the script model ``Cyrillic`` → ``tesseract-ocr-script-cyrl``)."""
    if lang in SCRIPT_MODELS:
        return "tesseract-ocr-script-" + SCRIPT_MODELS[lang]
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


@dataclass(frozen=True)
class TesseractInfo:
    """What the probe found: the program, its version, and its language packs."""

    path: str
    version: tuple[int, ...]
    version_text: str
    languages: frozenset[str]
    tessdata: str


@dataclass(frozen=True)
class _Output:
    stdout: str
    stderr: str


def _run(args: list[str]) -> _Output:
    # Bytes decoded leniently: a broken or fake `tesseract` printing random bytes must give our error about
    # its version, not a UnicodeDecodeError. Its own process group, killed as a group on timeout.
    from workbench.ocr import process

    finished = process.run(args, timeout=PROBE_TIMEOUT)
    return _Output(finished.stdout.decode("utf-8", "replace"), finished.stderr.decode("utf-8", "replace"))


@functools.lru_cache(maxsize=8)
def _probe_cached(cmd: str, tessdata_prefix: str | None) -> TesseractInfo:
    exe = shutil.which(cmd)
    if exe is None:
        raise MissingDependencyError(
            "Tesseract is not installed (no `tesseract` on PATH).",
            hint="Install it with `apt-get install tesseract-ocr` (and the language packs you need).",
        )
    try:
        out = _run([exe, "--version"])
        langs_out = _run([exe, "--list-langs"])
    except (OSError, TimedOut) as e:
        raise MissingDependencyError(f"Cannot run {exe}: {e}.", hint="Reinstall `tesseract-ocr`.") from e
    text = (out.stdout + out.stderr).strip()
    m = re.search(r"tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?", text)
    if not m:
        raise MissingDependencyError(
            f"Cannot tell the version of {exe} (it printed {text[:80]!r}).", hint="Reinstall `tesseract-ocr`."
        )
    version = tuple(int(g) for g in m.groups() if g is not None)
    if version[:2] < MIN_VERSION:
        raise MissingDependencyError(
            f"Tesseract {'.'.join(map(str, version))} at {exe} is too old; 4.1 or newer is needed.",
            hint="Install a current `tesseract-ocr` (Debian 11 or newer ships 4.1+).",
        )
    listing = langs_out.stdout + langs_out.stderr
    m_dir = re.search(r'List of available languages in "([^"]*)"', listing)
    tessdata = m_dir.group(1) if m_dir else (tessdata_prefix or "")
    langs = frozenset(
        line.strip()
        for line in langs_out.stdout.splitlines()
        if line.strip() and not line.startswith("List of") and " " not in line.strip()
    )
    return TesseractInfo(
        path=exe, version=version, version_text=text.splitlines()[0], languages=langs, tessdata=tessdata
    )


def probe(cmd: str = "tesseract") -> TesseractInfo:
    """Find Tesseract and check its version; raises :class:`MissingDependencyError` with the fix."""
    return _probe_cached(cmd, os.environ.get("TESSDATA_PREFIX"))


def require_languages(langs: str | list[str], cmd: str = "tesseract") -> TesseractInfo:
    """Check that every language pack in ``langs`` (``"rus+aze_cyrl"`` or a list) is installed."""
    wanted = langs.split("+") if isinstance(langs, str) else list(langs)
    info = probe(cmd)
    missing = [lang for lang in wanted if lang not in info.languages]
    if missing:
        packages = " ".join(debian_package(lang) for lang in missing)
        where = info.tessdata or os.environ.get("TESSDATA_PREFIX", "")
        raise MissingDependencyError(
            f"Tesseract language pack{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"not found{f' in {where}' if where else ''}.",
            hint=f"Install with `apt-get install {packages}`"
            + (" (or unset TESSDATA_PREFIX)." if os.environ.get("TESSDATA_PREFIX") else "."),
        )
    return info


def check_lang_mode(mode: str, cmd: str = "tesseract") -> str:
    """Check an OCR language mode (``auto``, ``rus``, ``eng``, ``rus+eng``, …) and that its packs are installed.

    ``auto`` needs ``rus`` (it reads every page with it first). Raises :class:`UsageError` for a name
    Tesseract could not have, and :class:`MissingDependencyError` naming the Debian package to install.
    """
    from workbench.errors import UsageError
    from workbench.project import is_lang_mode

    if not is_lang_mode(mode):
        raise UsageError(
            f"{mode!r} is not an OCR language mode.",
            hint="Use auto, or Tesseract language names joined by '+': rus, aze_cyrl, eng, deu, rus+eng, …",
        )
    require_languages("rus" if mode == "auto" else mode, cmd)
    return mode


def clear_cache() -> None:
    """Forget earlier probes (tests change PATH and TESSDATA_PREFIX)."""
    _probe_cached.cache_clear()


def tessdata_dir() -> Path | None:
    """The folder Tesseract reads its models from, as it reports it."""
    info = probe()
    return Path(info.tessdata) if info.tessdata else None
