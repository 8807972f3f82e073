"""Text coming in: NFC normalisation and strict UTF-8 decoding.

Every way text enters the workbench (OCR output, imports, files given to ``save``, user edits, dictionary
sources) goes through :func:`nfc` or :func:`read_text`. Azerbaijani letters written with combining marks
(``ә`` is fine, but an engine may emit ``с̧`` or ``ы̇``) are where un-normalised text silently breaks
comparison and counting.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from workbench.errors import EncodingError, InputError


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C, with line endings made ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def decode_utf8(data: bytes, *, source: str | Path) -> str:
    """Decode ``data`` as strict UTF-8 (a BOM is dropped) and NFC it.

    Raises :class:`EncodingError` naming ``source`` and the byte offset of the first bad byte.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EncodingError(
            f"{source}: not valid UTF-8 at byte offset {e.start} (byte 0x{data[e.start]:02x}).",
            path=Path(source) if not isinstance(source, Path) else source,
            hint="Convert it first, e.g. `iconv -f CP1251 -t UTF-8 FILE > FILE.utf8`; nothing was written.",
        ) from e
    return nfc(text)


def read_bytes(path: Path) -> bytes:
    """Read a file the user named, turning "missing", "a folder" and "not allowed" into clear errors."""
    try:
        return path.read_bytes()
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file.", path=path) from e
    except IsADirectoryError as e:
        raise InputError(f"{path}: is a folder, not a file.", path=path) from e
    except PermissionError as e:
        raise InputError(f"{path}: permission denied.", path=path) from e


def read_text(path: Path) -> str:
    """Read a UTF-8 text file strictly and return it NFC-normalised."""
    return decode_utf8(read_bytes(path), source=path)
