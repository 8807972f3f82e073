"""Re-OCR of some lines of a page, inside the line boxes of its newest stored layout."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from workbench.errors import PageError, UsageError
from workbench.ocr.choose import normalise_word, score_line
from workbench.ocr.job import PIPELINE_VERSION, OcrResult, load_job_image, prepare_job
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.text import nfc


def ocr_lines(
    project: Project, page_id: str, lines: tuple[int, int], *, lang: str | None, timeout: float | None
) -> OcrResult:
    """Re-OCR lines ``first``–``last`` (0-based, inclusive) of a page inside their boxes from the newest layout.

    The result's text is the newest version's text with those lines replaced, and its layout the stored one
    with those lines replaced.
    """
    from workbench.ocr import tesseract
    from workbench.ocr.preprocess import map_box, preprocess

    first, last = lines
    store = TranscriptStore(project)
    layout = store.latest_layout(page_id)
    if layout is None:
        raise PageError(
            f"Page {page_id!r} has no OCR layout to take line boxes from.", hint="OCR the whole page first."
        )
    n = len(layout["lines"])
    if not (0 <= first <= last < n):
        raise UsageError(f"Lines {first + 1}–{last + 1} are not on page {page_id!r}; its layout has {n} lines.")
    job = prepare_job(project, page_id, lang=lang, timeout=timeout)
    original = load_job_image(job)
    h, w = original.shape[:2]
    latest = store.read(page_id)
    text_lines = latest.text.split("\n")
    if len(text_lines) != n:
        # The text's lines no longer follow the layout's (a person joined or split lines): start from OCR text.
        text_lines = [" ".join(wd["text"] for wd in line["words"]) for line in layout["lines"]]
    new_layout = json.loads(json.dumps(layout))
    line_langs: list[str] = []
    t0 = time.perf_counter()
    for i in range(first, last + 1):
        old = layout["lines"][i]
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
            run_ = tesseract.run(prep.image, lg, psm=7, timeout=job.timeout)
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
        new_words = [wd for wd in new_words if wd["text"]]
        conf = sum(wd["conf"] for wd in new_words) / len(new_words) if new_words else 0.0
        new_layout["lines"][i] = {**old, "lang": lg, "conf": round(conf, 2), "words": new_words}
        text_lines[i] = " ".join(wd["text"] for wd in new_words)
        line_langs.append(lg)
    meta = {
        "engine": "tesseract",
        "tesseract_version": tesseract.engine_version(),
        "lang": job.lang,
        "line_range": [first, last],
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
