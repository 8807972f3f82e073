"""Re-OCR of some lines of a page, inside the boxes of their own image lines in its newest stored layout."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from workbench import linemap
from workbench.errors import PageError, UsageError
from workbench.layout import LayoutLine
from workbench.ocr.choose import normalise_word, score_line
from workbench.ocr.job import PIPELINE_VERSION, OcrResult, engine_run, load_job_image, prepare_job
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.text import nfc


def ocr_lines(
    project: Project,
    page_id: str,
    lines: tuple[int, int],
    *,
    lang: str | None,
    timeout: float | None,
    text: str | None = None,
) -> OcrResult:
    """Re-OCR lines ``first``–``last`` (0-based, inclusive) of the page's text, each inside its own image line.

    The numbers are lines of ``text`` (default: the newest version's), tied to the newest layout's image lines
    by content (:mod:`workbench.linemap`), so a deleted or added line above does not send the OCR to another
    line's image. Lines in the range with no image line (blank, added by hand) are left as they are (listed
    in ``meta["skipped"]``); a range with none at all is refused. The result's text is ``text`` with those
    lines replaced, and its layout the stored one with their image lines read again.
    """
    from workbench.ocr import tesseract

    first, last = lines
    store = TranscriptStore(project)
    layout = store.latest_layout(page_id)
    if layout is None:
        raise PageError(
            f"Page {page_id!r} has no OCR layout to take line boxes from.", hint="OCR the whole page first."
        )
    current = nfc(text) if text is not None else store.read(page_id).text
    text_lines = current.split("\n")
    n = len(text_lines)
    if not (0 <= first <= last < n):
        raise UsageError(f"Lines {first + 1}–{last + 1} are not on page {page_id!r}; its text has {n} lines.")
    alignment = linemap.align(current, layout)
    targets = [i for i in range(first, last + 1) if alignment.lines[i] is not None]
    skipped = [i for i in range(first, last + 1) if alignment.lines[i] is None]
    if not targets:
        raise UsageError(
            f"Lines {first + 1}–{last + 1} of page {page_id!r} have no image line (blank, or added by hand): "
            "there is nothing to read again.",
            hint="Pick lines that came from the OCR (the line strip shows their image).",
        )
    job = prepare_job(project, page_id, lang=lang, timeout=timeout)
    original = load_job_image(job)
    new_layout = json.loads(json.dumps(layout))
    t0 = time.perf_counter()
    read: dict[int, list[dict[str, Any]]] = {}
    line_langs: list[str] = []
    for j in sorted({j for i in targets for j in alignment.sources[i]}):
        old = layout["lines"][j]
        lg, new_words = _read_line(job, original, old)
        conf = sum(wd["conf"] for wd in new_words) / len(new_words) if new_words else 0.0
        new_layout["lines"][j] = {**old, "lang": lg, "conf": round(conf, 2), "words": new_words}
        read[j] = new_words
        line_langs.append(lg)
    for i in targets:
        words = [wd for j in alignment.sources[i] for wd in read[j]]
        own = linemap.line_box(current, layout, i)
        if len(alignment.sources[i]) == 1 and alignment.sources[i][0] in alignment.shared and own is not None:
            # Part of a split line: only the new words that stand on this part of the image line.
            x, _, w, _ = own
            words = [wd for wd in words if x <= wd["box"][0] + wd["box"][2] / 2 <= x + w]
        text_lines[i] = " ".join(wd["text"] for wd in words)
    meta = {
        "engine": "tesseract",
        "tesseract_version": tesseract.engine_version(),
        "lang": job.lang,
        "line_range": [first, last],
        "image_lines": sorted(read),
        "skipped": skipped,
        "line_langs": line_langs,
        "orthography": job.orthography,
        "pipeline": PIPELINE_VERSION,
        "image_digest": job.scan_digest,
        "timings": {"total": round(time.perf_counter() - t0, 3)},
    }
    return OcrResult(
        page_id=job.page_id,
        text=nfc("\n".join(text_lines)),
        layout=new_layout,
        meta=meta,
        line_range=(first, last),
    )


def _read_line(job: Any, original: np.ndarray, old: LayoutLine) -> tuple[str, list[dict[str, Any]]]:
    """Read one image line again inside its box (padded): its language and its words, boxes in scan pixels."""
    from workbench.ocr.preprocess import map_box, preprocess

    h, w = original.shape[:2]
    x, y, bw, bh = old["box"]
    pad = max(4, bh // 3)
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(w, x + bw + pad), min(h, y + bh + pad)
    crop = original[y0:y1, x0:x1]
    prep = preprocess(crop, [("grayscale", {}), ("upscale", {}), ("binarize", {"method": "sauvola"})])
    if job.lang == "auto":
        langs = [old.get("lang", "rus")] if old.get("lang") in ("rus", "aze_cyrl") else ["rus"]
        langs += [x for x in ("rus", "aze_cyrl") if x not in langs and x in (*job.doc_languages, "rus")]
    else:
        langs = [job.lang]
    best: tuple[float, str, Any] | None = None
    for lg in langs:
        run_ = engine_run(job, prep.image, lg, psm=7)
        words = [wd for line in run_.lines for wd in line.words]
        text = " ".join(normalise_word(wd.text, lg, job.orthography) for wd in words)
        conf = sum(wd.conf for wd in words) / len(words) if words else 0.0
        s = score_line(text, conf, lg, None)
        if best is None or s > best[0]:
            best = (s, lg, words)
    assert best is not None
    _, lg, words = best
    offset = np.array([[1.0, 0.0, x0], [0.0, 1.0, y0], [0.0, 0.0, 1.0]]) @ prep.to_original
    new_words = [
        {
            "text": normalise_word(wd.text, lg, job.orthography),
            "box": list(map_box(wd.box, offset, w, h)),
            "conf": round(wd.conf, 2),
        }
        for wd in words
    ]
    return lg, [wd for wd in new_words if wd["text"]]
