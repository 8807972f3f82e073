"""The Tesseract wrapper: runs ``tesseract IMAGE stdout … tsv`` and parses its words, lines and boxes.

One TSV run per image (it is a full OCR run; the text is derived from its words, never from a second
text-only run). Images go to Tesseract as a file path: arrays are written as an uncompressed PGM first.
Tesseract is run directly (through :mod:`workbench.ocr.process`, in its own process group, killed as a
group on timeout) rather than through pytesseract, which decoded output that is not UTF-8 with a bare
``UnicodeDecodeError`` and killed only the first process of a hung engine. Every call has a timeout,
and every failure becomes one of our errors: :class:`EngineTimeoutError`, :class:`EngineError` (crash,
kill, output that is not UTF-8 or not the TSV expected) or :class:`MissingDependencyError`.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import EngineError, EngineTimeoutError, MissingDependencyError
from workbench.ocr import probe, process

#: Seconds per call when the caller gives none (OCRmyPDF's default per page).
DEFAULT_TIMEOUT = 180.0
#: The columns of Tesseract's TSV output, in order.
TSV_COLUMNS = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)


@dataclass(frozen=True)
class Word:
    """One recognised word: text, box (x, y, w, h) in the pixels of the image OCR saw, confidence 0–100."""

    text: str
    box: tuple[int, int, int, int]
    conf: float


@dataclass(frozen=True)
class Line:
    """One recognised text line with its words, in reading order."""

    box: tuple[int, int, int, int]
    words: tuple[Word, ...]
    block: int = 0

    @property
    def text(self) -> str:
        """The line's text: its words joined by single spaces."""
        return " ".join(w.text for w in self.words)

    @property
    def conf(self) -> float:
        """Mean word confidence weighted by word length (0 for an empty line)."""
        total = sum(len(w.text) for w in self.words)
        if not total:
            return 0.0
        return sum(w.conf * len(w.text) for w in self.words) / total


@dataclass(frozen=True)
class TesseractRun:
    """The result of one Tesseract call."""

    lines: tuple[Line, ...]
    lang: str
    psm: int
    version: str
    models: dict[str, dict[str, Any]]
    seconds: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)


@functools.lru_cache(maxsize=32)
def _model_info(path: str, size: int, mtime_ns: int) -> dict[str, Any]:
    return {"file": path, "size": size, "mtime_ns": mtime_ns}


def model_info(lang: str, tessdata: Path | None = None) -> dict[str, dict[str, Any]]:
    """Which model files ``lang`` (``rus+aze_cyrl``) uses: path, size and modification time of each.

    Size and time (not a content hash) identify the model cheaply; they change when a package update
    replaces the file, which is what the batch cache must notice. ``tessdata``: the folder given to
    Tesseract instead of its own (links are followed to the real file).
    """
    folder = str(tessdata) if tessdata is not None else probe.probe().tessdata
    out: dict[str, dict[str, Any]] = {}
    for name in lang.split("+"):
        path = Path(folder) / f"{name}.traineddata" if folder else Path(f"{name}.traineddata")
        try:
            path = path.resolve()
            st = path.stat()
            out[name] = _model_info(str(path), st.st_size, st.st_mtime_ns)
        except OSError:
            out[name] = {"file": str(path)}
    return out


def engine_version() -> str:
    """Tesseract's version as it reports it (``5.3.0``)."""
    return ".".join(str(v) for v in probe.probe().version)


def _write_pgm(image: np.ndarray, folder: str) -> str:
    import cv2  # here, not at the top: the batch's cache check imports this module and needs no OpenCV

    path = os.path.join(folder, "page.pgm")
    if not cv2.imwrite(path, image):
        raise EngineError(f"Cannot write the temporary image {path} for Tesseract.")
    return path


def parse_data(data: dict[str, list[Any]]) -> list[Line]:
    """Turn ``image_to_data``'s dictionary into lines of words (empty words and lines dropped), NFC text."""
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    line_boxes: dict[tuple[int, int, int, int], tuple[int, int, int, int]] = {}
    order: list[tuple[int, int, int, int]] = []
    n = len(data.get("level", []))
    for i in range(n):
        key = (int(data["page_num"][i]), int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        level = int(data["level"][i])
        box = (int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]))
        if level == 4:
            line_boxes[key] = box
            if key not in lines:
                lines[key] = []
                order.append(key)
        elif level == 5:
            text = unicodedata.normalize("NFC", str(data["text"][i]).strip())
            if not text:
                continue
            if key not in lines:
                lines[key] = []
                order.append(key)
            conf = float(data["conf"][i])
            lines[key].append(Word(text=text, box=box, conf=max(conf, 0.0)))
    out: list[Line] = []
    for key in order:
        words = lines[key]
        if not words:
            continue
        box = line_boxes.get(key) or _union([w.box for w in words])
        out.append(Line(box=box, words=tuple(words), block=key[1]))
    return out


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def run(
    image: np.ndarray | Path | str,
    lang: str,
    *,
    psm: int = 3,
    timeout: float | None = None,
    dpi: int | None = 300,
    tessdata: Path | None = None,
) -> TesseractRun:
    """OCR ``image`` (an 8-bit array or an image file) with ``lang`` and return its lines and words.

    ``tessdata`` is a models folder to use instead of Tesseract's own (the project's model beside links
    to the system's, see :mod:`workbench.ocr.models`).

    Raises :class:`MissingDependencyError` when Tesseract or a language pack is missing,
    :class:`EngineTimeoutError` after ``timeout`` seconds, and :class:`EngineError` for any other failure.
    """
    if tessdata is None:
        info = probe.require_languages(lang)
    else:
        info = probe.probe()
        missing = [m for m in lang.split("+") if not (tessdata / f"{m}.traineddata").exists()]
        if missing:
            raise MissingDependencyError(
                f"No model {', '.join(missing)} in {tessdata}.",
                hint='Install the language packs, or choose the system model with [ocr] aze_model = "tesseract".',
            )
    # Tesseract's LSTM asks OpenMP for 4 threads; on our 2-core machines one thread per process is
    # faster even for a single page, and with several processes it avoids heavy oversubscription.
    # Only OMP_THREAD_LIMIT overrides that clause (see PERFORMANCE_NOTES.md); the user may set it.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    from workbench.config import check_timeout

    check_timeout(timeout, "Tesseract")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="workbench-ocr-") as tmp:
        source = _write_pgm(image, tmp) if isinstance(image, np.ndarray) else str(image)
        args = [info.path, source, "stdout", "-l", lang, "--psm", str(int(psm))]
        if dpi:
            args += ["--dpi", str(int(dpi))]
        if tessdata is not None:
            args += ["--tessdata-dir", str(tessdata)]
        try:
            finished = process.run([*args, "tsv"], timeout=timeout)
        except FileNotFoundError as e:
            probe.clear_cache()
            raise MissingDependencyError(
                "Tesseract is not installed (no `tesseract` on PATH).",
                hint="Install it with `apt-get install tesseract-ocr`.",
            ) from e
        except process.TimedOut as e:
            raise EngineTimeoutError(
                f"Tesseract did not finish within {timeout:g} s (lang {lang}).",
                hint="Raise [ocr] timeout in workbench.toml or --timeout, or check the scan is a page.",
            ) from e
        except OSError as e:
            raise EngineError(f"Cannot run Tesseract ({info.path}): {e}.", hint="Reinstall `tesseract-ocr`.") from e
    if finished.status != 0:
        raise _engine_error(finished.status, finished.stderr.decode("utf-8", "replace"), lang)
    data = parse_tsv(finished.stdout)
    return TesseractRun(
        lines=tuple(parse_data(data)),
        lang=lang,
        psm=psm,
        version=".".join(str(v) for v in info.version),
        models=model_info(lang, tessdata),
        seconds=time.perf_counter() - start,
    )


def parse_tsv(output: bytes) -> dict[str, list[Any]]:
    """Tesseract's TSV output as columns (ints, a float confidence, NFC-able text), checked line by line.

    Raises :class:`EngineError` naming the line when the output is not UTF-8 or not the TSV expected
    (a broken or fake engine), instead of a ``UnicodeDecodeError`` or ``ValueError`` deep in the parse.
    """
    try:
        text = output.decode("utf-8")
    except UnicodeDecodeError as e:
        raise EngineError(
            f"Tesseract's output is not UTF-8 (byte 0x{output[e.start]:02x} at offset {e.start}).",
            hint="Check that `tesseract` on PATH is Tesseract; reinstall `tesseract-ocr`.",
        ) from e
    rows = text.split("\n")
    header = tuple(rows[0].rstrip("\r").split("\t")) if rows else ()
    if header != TSV_COLUMNS:
        raise EngineError(
            f"Tesseract's output is not the TSV expected (its first line is {rows[0][:80]!r}).",
            hint="Check that `tesseract` on PATH is Tesseract 4.1 or newer.",
        )
    data: dict[str, list[Any]] = {name: [] for name in TSV_COLUMNS}
    for number, row in enumerate(rows[1:], start=2):
        row = row.rstrip("\r")
        if not row:
            continue
        fields = row.split("\t", len(TSV_COLUMNS) - 1)
        if len(fields) == len(TSV_COLUMNS) - 1:
            fields.append("")  # an empty text column may lose its tab
        try:
            if len(fields) != len(TSV_COLUMNS):
                raise ValueError(f"{len(fields)} columns, not {len(TSV_COLUMNS)}")
            numbers = [int(v) for v in fields[:10]]
            conf = float(fields[10])
            if min(numbers[6:10]) < 0 or not -1 <= conf <= 100:
                raise ValueError("a negative box or a confidence outside -1..100")
        except ValueError as e:
            raise EngineError(f"Tesseract's output line {number} is not valid TSV ({e}): {row[:80]!r}.") from e
        for name, value in zip(TSV_COLUMNS, [*numbers, conf, fields[11]], strict=True):
            data[name].append(value)
    return data


def _engine_error(status: int, message: str, lang: str) -> Exception:
    message = message.strip()
    if "Failed loading language" in message or "Error opening data file" in message:
        probe.clear_cache()
        return MissingDependencyError(
            f"Tesseract cannot load the language pack {lang}: {message[:200]}",
            hint=f"Install `{' '.join(probe.debian_package(x) for x in lang.split('+'))}` or fix TESSDATA_PREFIX.",
        )
    if status < 0:
        return EngineError(
            f"Tesseract crashed (killed by signal {-status}).",
            hint="Try the page again; if it keeps crashing, check the scan and the Tesseract installation.",
        )
    return EngineError(f"Tesseract failed (exit status {status}): {message[:300] or 'no message'}.")
