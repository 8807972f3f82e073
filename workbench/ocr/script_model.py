"""Tesseract's Cyrillic script model: a second reading for Cyrillic text that is not Russian (Komi, …).

The ``rus`` model cannot write the letters other Cyrillic alphabets add (Komi ӧ і, Ukrainian ї є, …); it
writes о, б or 1 for them. Tesseract's script model ``Cyrillic`` (Debian ``tesseract-ocr-script-cyrl``) was
trained on the letters of every Cyrillic alphabet. On the 517 real Komi development lines it reads 10.8 % CER
against ``rus``'s 13.8 % (BENCHMARKS.md), so the pipeline reads a page with it too when the ``rus`` reading
says the text is not Russian (:func:`not_russian`), and keeps it per line where the evidence prefers it
(:func:`prefer_script`).

The model file is 29 MB, almost all of it a word list (``lstm-word-dawg``, words of many languages) that
Tesseract reads in full on every call: 0.11 s of system time, more than the whole reading of a line image
(0.04–0.06 CPU s). Without it the development lines read 10.86 % instead of 10.77 % (92 of 517 lines differ,
often where the list pulls a Komi word to a Russian spelling: Красной for Краснӧй), for a third of the CPU
time, so Tesseract gets a copy without it (:func:`lean_model_dir`, made once per machine from the installed
file).
"""

from __future__ import annotations

import hashlib
import re
import struct
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import StorageError

#: Tesseract's name for the model, and the name the lean copy is given.
SCRIPT_MODEL = "Cyrillic"
#: The index of ``lstm-word-dawg`` in a traineddata file's table of entries (``TESSDATA_LSTM_SYSTEM_DAWG``
#: in Tesseract's tessdatamanager.h).
LSTM_SYSTEM_DAWG = 19
#: A ``rus`` reading that knows fewer than this share of its words is taken for a text in another Cyrillic
#: language. Chosen on the Komi development lines (each line read plain with rus and with the lean script
#: model, lines kept by :func:`prefer_script`): 0.5 → 12.0 % CER, 0.6 → 11.3 %, 0.7 → 11.1 %, 0.8 → 11.0 %,
#: always 10.9 % (rus alone 13.8 %); the Russian pages of the degraded suite's development split know
#: 0.71–0.95 of their words, so 0.7 costs them no second model.
NOT_RUSSIAN_KNOWN = 0.7
#: Letters of other Cyrillic alphabets that Russian lacks (Komi, Ukrainian, Belarusian, Serbian, …): when the
#: script model writes one, the line is not Russian.
NON_RUSSIAN_CYRILLIC = frozenset("ӧӦіІїЇєЄўЎјЈљЉњЊћЋђЂџЏґҐӝӜӟӞӵӴ")
_WORD_CHARS = re.compile(r"[^\W\d_]+")


def without_word_list(data: bytes) -> bytes:
    """A traineddata file's bytes without its LSTM word list (the table of entries rewritten to match).

    The format: an int32 count of entries, then one int64 offset per entry (-1 for an absent one), then the
    entries back to back, each running to the next present entry's offset (the last to the end).
    """
    (count,) = struct.unpack_from("<i", data, 0)
    if not 0 < count <= 64 or len(data) < 4 + 8 * count:
        raise ValueError("not a traineddata file")
    offsets = struct.unpack_from(f"<{count}q", data, 4)
    present = sorted((off, i) for i, off in enumerate(offsets) if off >= 0)
    entries: dict[int, bytes] = {}
    for n, (off, i) in enumerate(present):
        end = present[n + 1][0] if n + 1 < len(present) else len(data)
        entries[i] = data[off:end]
    entries.pop(LSTM_SYSTEM_DAWG, None)
    new_offsets, body, position = [], b"", 4 + 8 * count
    for i in range(count):
        if i in entries:
            new_offsets.append(position)
            body += entries[i]
            position += len(entries[i])
        else:
            new_offsets.append(-1)
    return struct.pack("<i", count) + struct.pack(f"<{count}q", *new_offsets) + body


def lean_model_dir(system_tessdata: Path, cache: Path) -> Path:
    """A folder with links to the system's models and a copy of ``Cyrillic`` without its word list.

    Made once per installed model file (its path, size and time name the folder), under a temporary name
    and renamed into place, so a running batch never sees a half-made one.
    """
    source = system_tessdata / f"{SCRIPT_MODEL}.traineddata"
    st = source.stat()
    key = f"{source.resolve()}|{st.st_size}|{st.st_mtime_ns}|lean"
    folder = cache / "tessdata" / hashlib.sha256(key.encode()).hexdigest()[:16]
    if (folder / f"{SCRIPT_MODEL}.traineddata").exists():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for entry in system_tessdata.iterdir():
            # configs/ and tessconfigs/ too: Tesseract reads the `tsv` config from the same folder.
            if entry.name != source.name:
                (tmp / entry.name).symlink_to(entry.resolve())
        (tmp / source.name).write_bytes(without_word_list(source.read_bytes()))
        try:
            tmp.rename(folder)
        except OSError:
            # Another process made the same folder first: use theirs.
            for item in tmp.iterdir():
                item.unlink()
            tmp.rmdir()
    except (OSError, ValueError) as e:
        raise StorageError(
            f"Cannot make the model folder {folder}: {e}.", hint="Check that the cache folder is writable."
        ) from e
    return folder


def known_share(text: str, speller: Any) -> float | None:
    """The share of the words of ``text`` the speller knows (``None`` without a speller or words)."""
    from workbench.ocr.choose import known_fraction

    return known_fraction(text, speller)


def not_russian(rus_text: str, speller: Any) -> str | None:
    """Why a ``rus`` reading looks like another Cyrillic language (few words the dictionary knows), or None."""
    known = known_share(rus_text, speller)
    if known is None or known >= NOT_RUSSIAN_KNOWN:
        return None
    return f"the rus reading knows {known:.0%} of its words (< {NOT_RUSSIAN_KNOWN:.0%})"


def prefer_script(rus_text: str, script_text: str, speller: Any) -> bool:
    """Whether a line's script-model reading beats its ``rus`` reading.

    It does when it writes letters Russian lacks (the rus model cannot), or when the Russian dictionary knows
    at least as large a share of its words. On the Komi development lines this rule gave 10.9 % against 10.8 %
    for always taking the script reading and 11.5 % for the more confident one (full model); it keeps a Russian
    line's rus reading, which usually knows more words.
    """
    if not script_text.split():
        return False
    if set(script_text) & NON_RUSSIAN_CYRILLIC:
        return True
    script_known = known_share(script_text, speller)
    rus_known = known_share(rus_text, speller)
    if script_known is None or rus_known is None:
        return rus_known is None
    return script_known >= rus_known


def available() -> bool:
    """Whether the script model is installed (``tesseract-ocr-script-cyrl``)."""
    from workbench.errors import MissingDependencyError
    from workbench.ocr.probe import probe

    try:
        return SCRIPT_MODEL in probe().languages
    except MissingDependencyError:
        return False
