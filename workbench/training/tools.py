"""Tesseract's training programs (Debian's ``tesseract-ocr`` ships them): one wrapper per step.

* :func:`make_lstmf_sheet`: line images and their texts → one ``.lstmf`` (WordStr box rows and
  ``tesseract … lstm.train``, as tesstrain's ``generate_wordstr_box.py`` and Makefile do it per line; tesstrain
  is Apache-2.0, https://github.com/tesseract-ocr/tesstrain).
* :func:`extract_lstm`: the float LSTM inside a ``.traineddata`` (``combine_tessdata -e``), to continue from.
* :func:`lstmtraining`: train (resuming from ``MODEL_OUTPUT_checkpoint`` when it exists: lstmtraining itself
  prefers that checkpoint over ``--continue_from``).
* :func:`stop_training`: a checkpoint → a float ``.traineddata`` (``lstmtraining --stop_training``).
* :func:`lstmeval`: character and word error rate of a model on ``.lstmf`` files.

Every run has a timeout and one thread (``OMP_THREAD_LIMIT=1``: the machines are shared); a failure becomes
:class:`EngineError` with the tool's last words, a missing tool :class:`MissingDependencyError`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.errors import EngineError, EngineTimeoutError, MissingDependencyError

TOOL_TIMEOUT = 600.0

#: lstmeval's summary: "BCER eval=1.2, BWER eval=3.4" (Tesseract 5), "Eval Char error rate=…, Word error rate=…" (4).
_EVAL_RE = re.compile(r"(?:BCER eval|Eval Char error rate)=([\d.]+), (?:BWER eval|Word error rate)=([\d.]+)")


def _run(args: list[str], timeout: float = TOOL_TIMEOUT) -> subprocess.CompletedProcess[str]:
    exe = shutil.which(args[0])
    if exe is None:
        raise MissingDependencyError(
            f"`{args[0]}` is not on PATH; it is one of Tesseract's training programs.",
            hint="Install Debian's `tesseract-ocr` package (it ships the training programs).",
        )
    env = {**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")}
    try:
        return subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=timeout, env=env, check=False)
    except subprocess.TimeoutExpired as e:
        raise EngineTimeoutError(f"`{args[0]}` did not finish within {timeout:g} s.") from e
    except OSError as e:
        raise EngineError(f"Cannot run `{args[0]}`: {e}.") from e


def _fail(step: str, res: subprocess.CompletedProcess[str]) -> EngineError:
    tail = (res.stderr or res.stdout).strip().splitlines()[-3:]
    return EngineError(f"{step} failed (exit status {res.returncode}): {' / '.join(tail) or 'no message'}.")


def wordstr_box(text: str, left: int, bottom: int, right: int, top: int) -> str:
    """Box-file rows that give one line image region one transcription (Tesseract's WordStr format).

    Coordinates are Tesseract's: origin at the bottom left. The tab row ends the line.
    """
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return f"WordStr {left} {bottom} {right} {top} 0 #{text}\n\t {right} {bottom} {right + 1} {top} 0\n"


#: White space between lines on a training sheet, and the margin around them (pixels).
SHEET_GAP = 24


def ink_box(img: np.ndarray, pad: int) -> tuple[int, int, int, int]:
    """The box (x0, y0, x1, y1) around a line image's ink (Otsu), widened by ``pad`` pixels (all of it if blank)."""
    import cv2

    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ys, xs = np.nonzero(ink)
    h, w = grey.shape
    if len(xs) == 0:
        return 0, 0, w, h
    return (
        max(0, int(xs.min()) - pad),
        max(0, int(ys.min()) - pad),
        min(w, int(xs.max()) + 1 + pad),
        min(h, int(ys.max()) + 1 + pad),
    )


def make_lstmf_sheet(
    items: Sequence[tuple[np.ndarray, str]], out_base: Path, pads: Sequence[int | None] | None = None
) -> Path:
    """One ``.lstmf`` for many line images: stacked on one sheet, one WordStr box each, one Tesseract run.

    Tesseract's line trainer cuts each line out of the sheet by its box again, so the result is the same as
    one file per line, at a fraction of the cost (Tesseract's start-up dominates a line's conversion).
    ``pads``: per line, ``None`` boxes the whole line image; a number boxes its ink widened by that many
    pixels, which is how Tesseract frames a line it found on a page (a model trained only on loosely framed
    lines misreads tightly framed ones: lower case taken for capitals). Default: the ink plus 2 pixels.
    """
    import cv2  # only here: the rest of the module is cheap to import

    if not items:
        raise EngineError(f"No lines to make training data from for {out_base}.")
    width = max(img.shape[1] for img, _ in items) + 2 * SHEET_GAP
    height = sum(img.shape[0] + SHEET_GAP for img, _ in items) + SHEET_GAP
    sheet = np.full((height, width), 255, np.uint8)
    rows = []
    y = SHEET_GAP
    for n, (img, text) in enumerate(items):
        h, w = img.shape[:2]
        sheet[y : y + h, SHEET_GAP : SHEET_GAP + w] = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        pad = 2 if pads is None else pads[n]
        x0, y0, x1, y1 = (0, 0, w, h) if pad is None else ink_box(img, pad)
        left, top = SHEET_GAP + x0, y + y0
        rows.append(wordstr_box(text, left, height - (y + y1), SHEET_GAP + x1, height - top))
        y += h + SHEET_GAP
    out_base.parent.mkdir(parents=True, exist_ok=True)
    png = out_base.with_suffix(".png")
    if not cv2.imwrite(str(png), sheet):
        raise EngineError(f"Cannot write the training sheet {png}.")
    # Tesseract finds the box file beside the image by its name.
    out_base.with_suffix(".box").write_text("".join(rows), encoding="utf-8")
    res = _run(["tesseract", str(png), str(out_base), "--psm", "13", "lstm.train"], timeout=300)
    lstmf = out_base.with_suffix(".lstmf")
    if not lstmf.exists():
        raise _fail(f"Making training data {lstmf}", res)
    png.unlink()
    out_base.with_suffix(".box").unlink()
    return lstmf


def read_line(image: Path, text_file: Path) -> tuple[np.ndarray, str]:
    """A line image (grey) and its one-line NFC text, as the tesstrain layout stores them."""
    import cv2

    img = cv2.imread(str(image), cv2.IMREAD_GRAYSCALE)
    if img is None:
        raise EngineError(f"Cannot read the line image {image}.")
    text = unicodedata.normalize("NFC", " ".join(text_file.read_text(encoding="utf-8").split()))
    return img, text


def extract_lstm(traineddata: Path, out: Path) -> Path:
    """The LSTM network of ``traineddata`` as a file ``--continue_from`` accepts (float models only)."""
    res = _run(["combine_tessdata", "-e", str(traineddata), str(out)], timeout=120)
    if not out.exists():
        raise _fail(f"Extracting the network of {traineddata}", res)
    return out


@dataclass(frozen=True)
class TrainingRun:
    """What one ``lstmtraining`` call did."""

    resumed: bool
    iterations: int
    log: str


_ITER_RE = re.compile(r"At iteration (\d+)/(\d+)/(\d+)")


def lstmtraining(
    *,
    traineddata: Path,
    continue_from: Path,
    model_output: Path,
    train_list: Path,
    max_iterations: int,
    learning_rate: float | None = None,
    timeout: float = 3600.0,
) -> TrainingRun:
    """Fine-tune ``continue_from`` on the files of ``train_list``; resumes from ``model_output``'s checkpoint."""
    args = [
        "lstmtraining",
        "--traineddata",
        str(traineddata),
        "--continue_from",
        str(continue_from),
        "--model_output",
        str(model_output),
        "--train_listfile",
        str(train_list),
        "--max_iterations",
        str(max_iterations),
        "--target_error_rate",
        "0.01",
    ]
    if learning_rate is not None:
        args += ["--learning_rate", str(learning_rate)]
    res = _run(args, timeout=timeout)
    log = res.stdout + res.stderr
    checkpoint = Path(f"{model_output}_checkpoint")
    if res.returncode != 0 or not checkpoint.exists():
        raise _fail("lstmtraining", res)
    iters = [int(m.group(2)) for m in _ITER_RE.finditer(log)]
    return TrainingRun(resumed="Successfully restored trainer" in log, iterations=max(iters, default=0), log=log)


def stop_training(checkpoint: Path, traineddata: Path, out: Path) -> Path:
    """A training checkpoint → a float ``.traineddata`` that Tesseract reads and training continues from."""
    res = _run(
        [
            "lstmtraining",
            "--stop_training",
            "--continue_from",
            str(checkpoint),
            "--traineddata",
            str(traineddata),
            "--model_output",
            str(out),
        ],
        timeout=300,
    )
    if not out.exists():
        raise _fail(f"Converting the checkpoint {checkpoint}", res)
    return out


@dataclass(frozen=True)
class EvalResult:
    """``lstmeval``'s figures, in percent."""

    cer: float
    wer: float


def lstmeval(model: Path, eval_list: Path, timeout: float = 1800.0) -> EvalResult:
    """Character and word error rate of ``model`` (a ``.traineddata`` or checkpoint) on the listed lstmf files."""
    res = _run(["lstmeval", "--model", str(model), "--eval_listfile", str(eval_list)], timeout=timeout)
    m = _EVAL_RE.search(res.stdout + res.stderr)
    if res.returncode != 0 or not m:
        raise _fail(f"lstmeval of {model}", res)
    return EvalResult(cer=float(m.group(1)), wer=float(m.group(2)))
