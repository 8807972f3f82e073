"""Text coming in: NFC normalisation, strict UTF-8 decoding, and what a transcript may hold.

Every way text enters the workbench (OCR output, imports, files given to ``save``, user edits, dictionary
sources) goes through :func:`nfc` or :func:`read_text`. Azerbaijani letters written with combining marks
(``ә`` is fine, but an engine may emit ``с̧`` or ``ы̇``) are where un-normalised text silently breaks
comparison and counting. Transcripts are also refused when they hold control characters (a NUL, an
escape sequence) or come in UTF-16, which decodes as "valid" UTF-8 full of control characters.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from workbench.errors import EncodingError, InputError

#: The default largest file read as input (``save --from``, ``import``): far above any page of text,
#: far below what would exhaust memory. ``[project] max_input_mb`` in ``workbench.toml`` changes it.
MAX_INPUT_BYTES = 20 * 1024 * 1024

#: Control characters a transcript may hold: tab, newline and form feed (a page break in typescripts).
#: Carriage returns are turned into newlines by :func:`nfc`.
TRANSCRIPT_CONTROLS = frozenset("\t\n\f\r")

_ICONV_UTF16 = "Convert it first, e.g. `iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8`; nothing was written."


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C, with line endings made ``\\n``."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _utf16_kind(data: bytes) -> str | None:
    """``"UTF-16LE"``/``"UTF-16BE"``/``"UTF-32"`` (with a BOM) or a guessed UTF-16 without one, else ``None``."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32 (it starts with a UTF-32 byte-order mark)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 (it starts with a UTF-16 byte-order mark)"
    head = data[:4096]
    if len(head) < 4:
        return None
    head = head[: len(head) // 2 * 2]
    # UTF-16 text in Latin or Cyrillic script has one byte of each pair nearly constant (0x00 or 0x04).
    for name, high in (("UTF-16LE", head[1::2]), ("UTF-16BE", head[0::2])):
        if sum(b in (0x00, 0x04) for b in high) >= 0.6 * len(high):
            try:
                decoded = head.decode(name.lower().replace("utf-16", "utf-16-"))
            except UnicodeDecodeError:
                continue
            if not any(c not in TRANSCRIPT_CONTROLS and unicodedata.category(c) == "Cc" for c in decoded):
                return f"{name} without a byte-order mark"
    return None


def decode_utf8(data: bytes, *, source: str | Path, transcript: bool = False) -> str:
    """Decode ``data`` as strict UTF-8 (a BOM is dropped) and NFC it.

    Raises :class:`EncodingError` naming ``source`` and the byte offset of the first bad byte, or saying the
    data is UTF-16. With ``transcript``, control characters other than tab, newline and form feed are
    refused too (see :func:`check_transcript`).
    """
    path = Path(source) if not isinstance(source, Path) else source
    utf16 = _utf16_kind(data)
    if utf16 is not None:
        raise EncodingError(f"{source}: the text is {utf16}, not UTF-8.", path=path, hint=_ICONV_UTF16)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EncodingError(
            f"{source}: not valid UTF-8 at byte offset {e.start} (byte 0x{data[e.start]:02x}).",
            path=path,
            hint="Convert it first, e.g. `iconv -f CP1251 -t UTF-8 FILE > FILE.utf8`; nothing was written.",
        ) from e
    if transcript:
        check_transcript(text, source=source)
    return nfc(text)


def check_transcript(text: str, *, source: str | Path) -> None:
    """Refuse control characters in a transcript (NUL, escape, DEL, C1 …), naming the byte offset of the first.

    Tab, newline, carriage return and form feed are allowed; form feed is kept byte for byte.
    """
    for i, c in enumerate(text):
        if c not in TRANSCRIPT_CONTROLS and unicodedata.category(c) == "Cc":
            offset = len(text[:i].encode("utf-8"))
            raise EncodingError(
                f"{source}: control character U+{ord(c):04X} at byte offset {offset}; a transcript holds only "
                "text, tabs, newlines and form feeds.",
                path=Path(source),
                hint="Remove it (is the file binary, or UTF-16?); nothing was written.",
            )


def check_name(value: str, *, what: str) -> str:
    """Refuse control, format and line/paragraph-separator characters in a one-line name (author, page id).

    Such a character (a newline, DEL, U+2028) would break the line-per-version output of ``history`` and
    ``pages``. Returns ``value`` unchanged.
    """
    for c in value:
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            raise InputError(
                f"{what} {value!r} has the control character U+{ord(c):04X}.",
                hint="Use printable characters only (no newlines, tabs or invisible marks).",
            )
    return value


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a file the user named, turning "missing", "a folder", "not allowed" and "too large" into clear errors.

    At most ``limit`` bytes are read (default :data:`MAX_INPUT_BYTES`), so ``/dev/zero`` or a huge file
    is refused instead of exhausting memory.
    """
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError as e:
        raise InputError(f"{path}: no such file.", path=path) from e
    except IsADirectoryError as e:
        raise InputError(f"{path}: is a folder, not a file.", path=path) from e
    except PermissionError as e:
        raise InputError(f"{path}: permission denied.", path=path) from e
    if len(data) > limit:
        raise InputError(
            f"{path}: larger than the input limit of "
            + (f"{limit / 1024 / 1024:g} MB." if limit >= 1024 * 1024 else f"{limit} bytes."),
            path=path,
            hint="A page of text is far smaller: is it the right file? "
            "If so, raise max_input_mb under [project] in workbench.toml.",
        )
    return data


def read_text(path: Path, limit: int | None = None, *, transcript: bool = False) -> str:
    """Read a UTF-8 text file strictly and return it NFC-normalised (see :func:`decode_utf8`)."""
    return decode_utf8(read_bytes(path, limit), source=path, transcript=transcript)
