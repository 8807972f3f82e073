"""``workbench dict build``: compile the Russian and Azerbaijani indexes into ``$WORKBENCH_DATA``.

Idempotent and cheap when nothing changed: each index records a fingerprint of its sources (package
versions, model checksums, the builder's format); a build whose fingerprint matches an index that opens
cleanly does nothing. The output depends only on the sources (no timestamps, sorted order), so two builds
of the same sources give byte-identical files.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.dictionary import sources
from workbench.dictionary.fold import skeleton, stored_key
from workbench.dictionary.format import FORMAT
from workbench.errors import DictionaryError, StorageError
from workbench.orthography import LANGS

if TYPE_CHECKING:
    from workbench.dictionary.index import Entry, Lexicon


#: Bump when the way words are chosen or folded changes, so old builds are rebuilt.
BUILDER_VERSION = 4


def data_dir() -> Path:
    """Where built dictionaries live: ``$WORKBENCH_DATA`` or ``~/.local/share/workbench``."""
    env = os.environ.get("WORKBENCH_DATA")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share") / "workbench"


def index_dir(lang: str, root: Path | None = None) -> Path:
    """The folder of the compiled index for ``lang``."""
    return (root or data_dir()) / "dictionaries" / f"{lang}.v{FORMAT}"


def open_index(lang: str, root: Path | None = None) -> Lexicon:
    """Open the compiled lexicon of ``lang`` (DictionaryError with the rebuild hint if missing or corrupt)."""
    from workbench.dictionary.index import Lexicon

    return Lexicon(index_dir(lang, root), lambda k: skeleton(k, lang), stored_key)


def fingerprint(lang: str) -> dict[str, Any]:
    """What the ``lang`` index is built from; a change in any value means a rebuild."""
    fp: dict[str, Any] = {"builder": BUILDER_VERSION, "format": FORMAT}
    if lang == "rus":
        fp["wordfreq"] = sources.package_version("wordfreq")
        fp["pymorphy3-dicts-ru"] = sources.package_version("pymorphy3-dicts-ru")
    else:
        fp["aze"] = sources.file_digest(sources.traineddata_path("aze"))
        fp["aze_cyrl"] = sources.file_digest(sources.traineddata_path("aze_cyrl"))
    return fp


#: Forms at or below this frequency (the lexicon-only forms, see ``sources.LEXICON_ONLY_ZIPF``) go to the
#: rare tier: known, but searched one edit deep.
RARE_ZIPF = sources.LEXICON_ONLY_ZIPF


def split_tiers(entries: dict[str, Entry]) -> dict[str, dict[str, Entry]]:
    """Core (frequent) and rare (lexicon-only) tiers; a language without rare forms has only a core."""
    core = {k: v for k, v in entries.items() if v[1] > RARE_ZIPF}
    rare = {k: v for k, v in entries.items() if v[1] <= RARE_ZIPF}
    return {"core": core, "rare": rare} if rare else {"core": core}


@dataclass
class BuildReport:
    """What ``build`` did for one language."""

    lang: str
    built: bool
    words: int
    seconds: float
    bytes: int
    folder: Path


def _up_to_date(folder: Path, fp: dict[str, Any]) -> int | None:
    """The word count if ``folder`` holds a lexicon of the same sources whose files all have their built
    sizes (cheap: no numpy, no reading of the arrays; loading checks the contents), else None."""
    try:
        info = json.loads((folder / "lexicon.json").read_text(encoding="utf-8"))
        if info.get("sources") != fp or info.get("format") != FORMAT:
            return None
        files = info.get("files") or {}
        if not files or any((folder / name).stat().st_size != size for name, size in files.items()):
            return None
        return int(info["words"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def entries_for(lang: str) -> dict[str, Entry]:
    """All words of ``lang`` from the real sources: key → (stored form, zipf)."""
    if lang == "rus":
        freqs, forms = sources.wordfreq_russian()
        return sources.russian_keys(freqs, forms, sources.opencorpora_forms())
    return sources.azerbaijani_keys(sources.tesseract_wordlist("aze"), sources.tesseract_wordlist("aze_cyrl"))


def build_lang(
    lang: str,
    *,
    root: Path | None = None,
    force: bool = False,
    entries: dict[str, Entry] | None = None,
) -> BuildReport:
    """Build the ``lang`` index unless an intact one with the same sources exists (or ``force``).

    ``entries`` replaces the real sources (tests build small dictionaries from slices of the real lists).
    """
    if lang not in LANGS:
        raise DictionaryError(f"No dictionary for language {lang!r}; there are {', '.join(LANGS)}.")
    folder = index_dir(lang, root)
    fp = fingerprint(lang) if entries is None else {"builder": BUILDER_VERSION, "format": FORMAT, "custom": True}
    if not force and entries is None:
        words = _up_to_date(folder, fp)
        if words is not None:
            return BuildReport(lang, False, words, 0.0, _folder_bytes(folder), folder)
    t0 = time.perf_counter()
    data = entries if entries is not None else entries_for(lang)
    from workbench.dictionary.index import write_lexicon

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        write_lexicon(folder, split_tiers(data), lambda k: skeleton(k, lang), {"lang": lang, "sources": fp})
    except OSError as e:
        raise StorageError(
            f"Cannot write the dictionary to {folder} ({e.strerror or e}).",
            hint="Free some space or set WORKBENCH_DATA to a writable folder.",
        ) from e
    # indexes of older formats are dead weight now (hundreds of MB)
    for old in folder.parent.glob(f"{lang}.v*"):
        if old != folder and old.is_dir() and old.name[len(lang) + 2 :].isdigit():
            shutil.rmtree(old, ignore_errors=True)
    return BuildReport(lang, True, len(data), time.perf_counter() - t0, _folder_bytes(folder), folder)


def build_all(
    *,
    root: Path | None = None,
    force: bool = False,
    langs: tuple[str, ...] = LANGS,
    progress: Callable[[str], None] | None = None,
) -> list[BuildReport]:
    """Build every language's index that is missing, stale or corrupt; report what was done."""
    out = []
    for lang in langs:
        if progress:
            progress(lang)
        out.append(build_lang(lang, root=root, force=force))
    return out
