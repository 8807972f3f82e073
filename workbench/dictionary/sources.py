"""The real word lists the dictionaries are built from, read from what the registries installed.

* Russian: ``wordfreq`` (the ``large`` list, ~713,000 forms with frequencies, CC-BY-SA 4.0) and every form of
  the OpenCorpora lexicon shipped in ``pymorphy3-dicts-ru`` (~3 million forms, CC-BY-SA 3.0), read from its
  DAWG with ``dawg_python`` (pymorphy3's own reader).
* Azerbaijani: the word lists inside Tesseract's ``aze`` (Latin, ~310,000 words) and ``aze_cyrl`` (~138,000
  words) models (Apache-2.0), unpacked with ``combine_tessdata -u`` and ``dawg2wordlist`` (both in Debian's
  ``tesseract-ocr``), converted or repaired with :mod:`workbench.orthography`.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.dictionary.fold import aze_lower
from workbench.errors import MissingDependencyError
from workbench.orthography import latin_to_cyrillic, normalise_aze_cyrl

if TYPE_CHECKING:
    from workbench.dictionary.index import Entry

_RUS_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)*$")
_AZE_WORD = re.compile(r"^[а-яәғҝһөүҹјйё]+(?:-[а-яәғҝһөүҹјйё]+)*$")
#: Zipf value given to a lexicon form that wordfreq does not list (rarer than anything it lists: its floor is ~1).
LEXICON_ONLY_ZIPF = 0.5
#: Azerbaijani word lists have no frequencies. A word in both lists is likeliest; the aze_cyrl list alone
#: holds many misspellings of its own (arasмда, тснгид: OCR-like noise in the model's training text), so a
#: word only there ranks below one from the cleaner Latin list.
AZE_LATIN_ONLY_ZIPF = 2.0
AZE_CYRILLIC_ONLY_ZIPF = 1.0
AZE_BOTH_LISTS_ZIPF = 3.5


def package_version(name: str) -> str:
    """The installed version of a Python distribution ("missing" if it is not installed)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


_YO = str.maketrans({"ё": "е"})
_AZE_KEY = str.maketrans({"ё": "е", "ј": "й"})


def wordfreq_russian() -> tuple[dict[str, float], dict[str, str]]:
    """wordfreq's large Russian list: key → summed frequency, and key → its most frequent written form.

    Keys are folded (ё → е); the list is already lower case, so folding is one ``translate``.
    """
    import wordfreq

    freqs: dict[str, float] = {}
    best: dict[str, tuple[float, str]] = {}
    match = _RUS_WORD.match
    for word, freq in wordfreq.get_frequency_dict("ru", wordlist="large").items():
        if match(word):
            key = word.translate(_YO)
            freqs[key] = freqs.get(key, 0.0) + freq
            if key not in best or freq > best[key][0]:
                best[key] = (freq, word)
    return freqs, {k: w for k, (_, w) in best.items()}


def zipf(freq: float) -> float:
    """Frequency (share of tokens) on the Zipf scale: log10 of occurrences per billion words."""
    return max(0.0, math.log10(freq) + 9.0) if freq > 0 else 0.0


def _opencorpora_dawg() -> str:
    try:
        import pymorphy3_dicts_ru
    except ImportError as e:
        raise MissingDependencyError(
            "The OpenCorpora dictionary (pymorphy3-dicts-ru) is not installed.",
            hint="Install the project's dependencies: `./dev setup` or `pip install -e .`.",
        ) from e
    return os.path.join(pymorphy3_dicts_ru.get_path(), "words.dawg")


def opencorpora_forms(limit_prefixes: Iterable[str] | None = None) -> set[str]:
    """Every word form of the OpenCorpora lexicon (lower case, with ё).

    Read with the C ``dawg2`` reader (3 s) when it is installed, else with pymorphy3's pure-Python
    ``dawg_python`` (about 80 s). ``limit_prefixes`` keeps only forms under those prefixes (small test builds).
    """
    path = _opencorpora_dawg()
    try:
        import dawg

        d: Any = dawg.RecordDAWG(">HH")
        d.load(path)
    except ImportError:
        try:
            import dawg_python
        except ImportError as e:
            raise MissingDependencyError(
                "No DAWG reader (dawg2 or dawg2-python) is installed to read the OpenCorpora forms.",
                hint="Install the project's dependencies: `./dev setup` or `pip install -e .`.",
            ) from e
        d = dawg_python.RecordDAWG(">HH").load(path)
    if limit_prefixes is None:
        return set(d.iterkeys())
    out: set[str] = set()
    for prefix in limit_prefixes:
        out.update(d.iterkeys(prefix))
    return out


def traineddata_path(lang: str) -> Path:
    """The installed ``LANG.traineddata`` (raises MissingDependencyError naming the Debian package)."""
    from workbench.ocr.probe import debian_package, tessdata_dir

    folders = []
    if os.environ.get("TESSDATA_PREFIX"):
        folders.append(Path(os.environ["TESSDATA_PREFIX"]))
    # Debian's folders first: asking Tesseract (two subprocesses) would slow the up-to-date check
    folders += [Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata")]
    for folder in folders:
        if (folder / f"{lang}.traineddata").is_file():
            return folder / f"{lang}.traineddata"
    try:
        found = tessdata_dir()
    except MissingDependencyError:
        found = None
    if found and (found / f"{lang}.traineddata").is_file():
        return found / f"{lang}.traineddata"
    raise MissingDependencyError(
        f"Tesseract's {lang} model is not installed; its word list is a dictionary source.",
        hint=f"Install it with `apt-get install {debian_package(lang)}`.",
    )


def file_digest(path: Path) -> str:
    """SHA-256 of a file (hex, first 16 characters): a cheap fingerprint of a source."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def tesseract_wordlist(lang: str) -> list[str]:
    """The word list inside Tesseract's ``lang`` model (``combine_tessdata -u`` + ``dawg2wordlist``)."""
    model = traineddata_path(lang)
    for tool in ("combine_tessdata", "dawg2wordlist"):
        if shutil.which(tool) is None:
            raise MissingDependencyError(
                f"`{tool}` is not on PATH; it unpacks the word list of Tesseract's {lang} model.",
                hint="Install Debian's `tesseract-ocr` package (it ships both tools).",
            )
    with tempfile.TemporaryDirectory(prefix="workbench-dawg-") as tmp:
        base = Path(tmp) / lang
        try:
            subprocess.run(
                ["combine_tessdata", "-u", str(model), f"{base}."], capture_output=True, check=True, timeout=120
            )
            out = Path(tmp) / "words.txt"
            subprocess.run(
                ["dawg2wordlist", f"{base}.lstm-unicharset", f"{base}.lstm-word-dawg", str(out)],
                capture_output=True,
                check=True,
                timeout=120,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
            raise MissingDependencyError(
                f"Could not unpack the word list of {model} ({e}).",
                hint=f"Reinstall the model (`apt-get install --reinstall tesseract-ocr-{lang.replace('_', '-')}`).",
            ) from e
        return out.read_text(encoding="utf-8").split()


def azerbaijani_keys(latin_words: Iterable[str], cyrillic_words: Iterable[str]) -> dict[str, Entry]:
    """Azerbaijani Cyrillic keys (1939 orthography, й) → (stored form, zipf) from both Tesseract lists."""
    seen: dict[str, int] = {}
    for source, words in ((1, latin_words), (2, cyrillic_words)):
        for raw in words:
            if source == 1:
                key = latin_to_cyrillic(aze_lower(raw), "1939")
            else:
                key = normalise_aze_cyrl(raw, "1939").lower()
            key = key.translate(_AZE_KEY)
            if len(key) < 1 or not _AZE_WORD.match(key):
                continue
            seen[key] = seen.get(key, 0) | source
    zipf_of_mask = {1: AZE_LATIN_ONLY_ZIPF, 2: AZE_CYRILLIC_ONLY_ZIPF, 3: AZE_BOTH_LISTS_ZIPF}
    return {k: (k, zipf_of_mask[mask], True) for k, mask in seen.items()}


def russian_keys(freqs: dict[str, float], forms: dict[str, str], lexicon: Iterable[str]) -> dict[str, Entry]:
    """Russian keys → (stored form, zipf) from wordfreq's frequencies and the lexicon's forms."""
    out: dict[str, Entry] = {k: (forms.get(k, k), zipf(f), False) for k, f in freqs.items()}
    match = _RUS_WORD.match
    for form in lexicon:
        if not match(form):
            continue
        key = form.translate(_YO)
        if key in out:
            # keep wordfreq's frequency; prefer the lexicon's ё spelling when wordfreq only had е
            stored, z, _ = out[key]
            out[key] = (form if "ё" in form and "ё" not in stored else stored, z, True)
        else:
            out[key] = (form, LEXICON_ONLY_ZIPF, True)
    return out
