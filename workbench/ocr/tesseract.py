"""The Tesseract wrapper: the only module that imports pytesseract.

One ``image_to_data`` call per image (it is a full OCR run; the text is derived from its words, never from
a second ``image_to_string`` run). Images go to Tesseract as a file path: arrays are written as an
uncompressed PGM first, because pytesseract would otherwise encode a PNG for every call. Every call has a
timeout, and every failure becomes one of our errors: :class:`EngineTimeoutError`, :class:`EngineError`
(crash, kill, bad output) or :class:`MissingDependencyError` (no program, no language pack).
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
import pytesseract

from workbench.errors import EngineError, EngineTimeoutError, MissingDependencyError
from workbench.ocr import probe

#: Seconds per call when the caller gives none (OCRmyPDF's default per page).
DEFAULT_TIMEOUT = 180.0


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


def model_info(lang: str) -> dict[str, dict[str, Any]]:
    """Which model files ``lang`` (``rus+aze_cyrl``) uses: path, size and modification time of each.

    Size and time (not a content hash) identify the model cheaply; they change when a package update
    replaces the file, which is what the batch cache must notice.
    """
    info = probe.probe()
    out: dict[str, dict[str, Any]] = {}
    for name in lang.split("+"):
        path = Path(info.tessdata) / f"{name}.traineddata" if info.tessdata else Path(f"{name}.traineddata")
        try:
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
) -> TesseractRun:
    """OCR ``image`` (an 8-bit array or an image file) with ``lang`` and return its lines and words.

    Raises :class:`MissingDependencyError` when Tesseract or a language pack is missing,
    :class:`EngineTimeoutError` after ``timeout`` seconds, and :class:`EngineError` for any other failure.
    """
    info = probe.require_languages(lang)
    # Tesseract's LSTM asks OpenMP for 4 threads; on our 2-core machines one thread per process is
    # faster even for a single page, and with several processes it avoids heavy oversubscription.
    # Only OMP_THREAD_LIMIT overrides that clause (see PERFORMANCE_NOTES.md); the user may set it.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    config = f"--psm {int(psm)}" + (f" --dpi {int(dpi)}" if dpi else "")
    start = time.perf_counter()
    pytesseract.pytesseract.tesseract_cmd = info.path
    with tempfile.TemporaryDirectory(prefix="workbench-ocr-") as tmp:
        source = _write_pgm(image, tmp) if isinstance(image, np.ndarray) else str(image)
        try:
            data = pytesseract.image_to_data(
                source, lang=lang, config=config, output_type=pytesseract.Output.DICT, timeout=timeout
            )
        except pytesseract.TesseractNotFoundError as e:
            probe.clear_cache()
            raise MissingDependencyError(
                "Tesseract is not installed (no `tesseract` on PATH).",
                hint="Install it with `apt-get install tesseract-ocr`.",
            ) from e
        except pytesseract.TesseractError as e:  # a RuntimeError subclass: catch it first
            raise _engine_error(e, lang) from e
        except RuntimeError as e:
            # pytesseract signals its own timeout with a bare RuntimeError (after killing the process).
            if "timeout" in str(e).lower():
                raise EngineTimeoutError(
                    f"Tesseract did not finish within {timeout:g} s (lang {lang}).",
                    hint="Raise [ocr] timeout in workbench.toml or --timeout, or check the scan is a page.",
                ) from e
            raise EngineError(f"Tesseract failed: {e}.") from e
        except OSError as e:
            raise EngineError(f"Cannot run Tesseract ({info.path}): {e}.", hint="Reinstall `tesseract-ocr`.") from e
        except (ValueError, KeyError, IndexError) as e:
            raise EngineError(f"Tesseract's output could not be read ({e}).") from e
    return TesseractRun(
        lines=tuple(parse_data(data)),
        lang=lang,
        psm=psm,
        version=".".join(str(v) for v in info.version),
        models=model_info(lang),
        seconds=time.perf_counter() - start,
    )


def _engine_error(e: Any, lang: str) -> Exception:
    status = getattr(e, "status", None)
    message = str(getattr(e, "message", "") or e).strip()
    if "Failed loading language" in message or "Error opening data file" in message:
        probe.clear_cache()
        return MissingDependencyError(
            f"Tesseract cannot load the language pack {lang}: {message[:200]}",
            hint=f"Install `{' '.join(probe.debian_package(x) for x in lang.split('+'))}` or fix TESSDATA_PREFIX.",
        )
    if isinstance(status, int) and status < 0:
        return EngineError(
            f"Tesseract crashed (killed by signal {-status}).",
            hint="Try the page again; if it keeps crashing, check the scan and the Tesseract installation.",
        )
    return EngineError(f"Tesseract failed (exit status {status}): {message[:300] or 'no message'}.")
