"""OCR of one page: preprocessing, Tesseract, the language chosen per line, boxes in scan pixels.

The work is split in two so the batch runner can ship it to other processes or machines:
:func:`~workbench.ocr.job.prepare_job` reads everything a page needs from the project (scan, document
settings) into a picklable :class:`~workbench.ocr.job.PageJob`; :func:`run_job` does the OCR without touching
the project. :func:`ocr_page` does both (or re-OCRs some lines, :mod:`workbench.ocr.lines`). Storing the
result is :func:`~workbench.ocr.candidates.apply_ocr_result`'s job, in the caller's process, so a
half-finished OCR never reaches the store.

Languages (``lang``): ``rus``, ``aze_cyrl``, ``rus+aze_cyrl`` (one Tesseract run with both models), or
``auto``: the page is read with ``rus`` and, where the document may hold Azerbaijani, with ``aze_cyrl``
too; each line takes the reading with the better score (:mod:`workbench.ocr.choose`). A document's
``[pages.NAME]`` metadata can fix the language of the page or of regions (line ranges or boxes). An
explicit ``lang`` argument wins over both. Azerbaijani words are merged from both readings
(:mod:`workbench.ocr.aze_merge`).

The names other modules imported from here before the split are re-exported.
"""

from __future__ import annotations

import time
from typing import Any

from workbench.ocr.aze_merge import combine_aze_rus, pick_known, repair_aze_yot
from workbench.ocr.azeri import normalise_aze_cyrl, to_orthography
from workbench.ocr.candidates import OcrStored, apply_ocr_result, plan_take, take_candidate
from workbench.ocr.choose import (
    iou,
    known_fraction,
    looks_azerbaijani,
    normalise_word,
    region_lang,
    score_line,
    speller_for,
)
from workbench.ocr.job import (
    OCR_AUTHOR,
    PIPELINE_VERSION,
    OcrResult,
    PageJob,
    engine_fingerprint,
    load_job_image,
    prepare_job,
    resolve_lang,
)
from workbench.ocr.lines import ocr_lines
from workbench.project import Project
from workbench.text import nfc

__all__ = [
    "OCR_AUTHOR",
    "PIPELINE_VERSION",
    "OcrResult",
    "OcrStored",
    "PageJob",
    "apply_ocr_result",
    "combine_aze_rus",
    "engine_fingerprint",
    "ocr_page",
    "pick_known",
    "plan_take",
    "prepare_job",
    "repair_aze_yot",
    "resolve_lang",
    "run_job",
    "score_line",
    "take_candidate",
]


def run_job(job: PageJob) -> OcrResult:
    """OCR a prepared page: preprocess, run the models the language mode needs, choose per line, map boxes."""
    from workbench.ocr import tesseract
    from workbench.ocr.preprocess import preprocess

    t0 = time.perf_counter()
    original = load_job_image(job)
    t_load = time.perf_counter() - t0
    prep = preprocess(original, [(name, dict(params)) for name, params in job.steps])
    runs: dict[str, tesseract.TesseractRun] = {}

    def reading(lang: str) -> tesseract.TesseractRun:
        if lang not in runs:
            runs[lang] = tesseract.run(prep.image, lang, timeout=job.timeout)
        return runs[lang]

    mode = job.lang
    region_langs = {r.lang for r in job.regions}
    ours = {"rus", "aze_cyrl"} & set(job.doc_languages)
    if mode != "auto":
        primary = mode
    elif not ours:
        primary = "+".join(job.doc_languages)  # a document in other languages (deu, eng): one run with them
    elif "aze_cyrl" in job.doc_languages and "rus" not in job.doc_languages:
        primary = "aze_cyrl"
    else:
        primary = "rus"
    base = reading(primary)
    # Which other readings "auto" needs: the other model when the document may hold that language, or when
    # the letters of some line say the document's language list is incomplete (э inside words and Latin
    # letters mixed into Cyrillic are what rus writes for ә and һ). Confidence alone is no reason: a faint
    # Russian page would pay a second full run for nothing.
    alternatives: list[str] = []
    if mode == "auto" and ours:
        other = "aze_cyrl" if primary == "rus" else "rus"
        suspicious = primary == "rus" and any(looks_azerbaijani(line.text) for line in base.lines)
        # An Azerbaijani page always gets the rus reading too: it supplies ш and й, which aze_cyrl lacks
        # (see combine_aze_rus).
        if other in job.doc_languages or suspicious or primary == "aze_cyrl":
            alternatives.append(other)
    if mode == "auto" and ours:
        # The document's other languages (a German letter quoted in a Russian file): read and chosen per line.
        alternatives += [lang for lang in job.doc_languages if lang not in ("rus", "aze_cyrl", *alternatives)]
    for lang in sorted(region_langs - {primary}):
        if lang not in alternatives:
            alternatives.append(lang)
    for lang in alternatives:
        reading(lang)

    spellers: dict[str, Any] = {}
    if mode == "auto" and job.use_dictionary and alternatives:
        for lang in {primary, *alternatives} & {"rus", "aze_cyrl"}:  # the languages with a dictionary
            spellers[lang] = speller_for(job.project_root, lang, job.orthography)

    lines_out: list[dict[str, Any]] = []
    chosen_langs: list[str] = []
    decisions: list[dict[str, Any]] = []
    for index, line in enumerate(base.lines):
        options: list[tuple[str, Any]] = [(primary, line)]
        for lang in alternatives:
            best = max(runs[lang].lines, key=lambda other_line: iou(line.box, other_line.box), default=None)
            if best is not None and iou(line.box, best.box) >= 0.5:
                options.append((lang, best))
        forced = region_lang(job.regions, index, prep.box_to_original(line.box))
        if forced is not None and forced in {lang for lang, _ in options}:
            lang, picked = next(o for o in options if o[0] == forced)
            scores: dict[str, float] = {}
        elif len(options) > 1:
            scores = {}
            for lang, candidate in options:
                text = " ".join(normalise_word(w.text, lang, job.orthography) for w in candidate.words)
                scores[lang] = score_line(text, candidate.conf, lang, known_fraction(text, spellers.get(lang)))
            lang, picked = max(options, key=lambda o: scores[o[0]])
        else:
            lang, picked = options[0]
            scores = {}
        rus_line = next((cand for lg, cand in options if lg == "rus"), None)
        merge = lang == "aze_cyrl" and rus_line is not None and len(rus_line.words) == len(picked.words)
        words = []
        for i, w in enumerate(picked.words):
            if merge:
                assert rus_line is not None
                aze = repair_aze_yot(normalise_aze_cyrl(w.text, "1939"))
                rus_word = nfc(rus_line.words[i].text)
                text = to_orthography(combine_aze_rus(aze, rus_word), job.orthography)
                text = pick_known(text, rus_word, spellers.get("aze_cyrl"), job.orthography)
            else:
                text = normalise_word(w.text, lang, job.orthography)
            if text:
                words.append({"text": text, "box": list(prep.box_to_original(w.box)), "conf": round(w.conf, 2)})
        if not words:
            continue
        lines_out.append(
            {
                "box": list(prep.box_to_original(picked.box)),
                "lang": lang,
                "conf": round(picked.conf, 2),
                "block": picked.block,
                "words": words,
            }
        )
        chosen_langs.append(lang)
        if scores:
            decisions.append({"line": len(lines_out) - 1, "scores": {k: round(v, 3) for k, v in scores.items()}})

    text = "\n".join(" ".join(w["text"] for w in line["words"]) for line in lines_out)
    h, w = original.shape[:2]
    layout = {"width": w, "height": h, "image": job.image_name, "frame": job.frame, "lines": lines_out}
    engine = {"version": base.version}
    for run_ in runs.values():
        for name, info in run_.models.items():
            engine[name] = info
    meta = {
        "engine": "tesseract",
        "tesseract_version": base.version,
        "models": sorted({m for r in runs for m in r.split("+")}),
        "model_files": {k: v for k, v in engine.items() if k != "version"},
        "lang": mode,
        "line_langs": chosen_langs,
        "runs": [{"lang": r.lang, "psm": r.psm, "seconds": round(r.seconds, 3)} for r in runs.values()],
        "preprocessing": prep.steps,
        "orthography": job.orthography,
        "dictionary": bool(spellers) and any(s is not None for s in spellers.values()),
        "decisions": decisions,
        "pipeline": PIPELINE_VERSION,
        "cache_key": job.cache_key(engine_fingerprint(job.lang)),
        "image_digest": job.scan_digest,
    }
    timings = {
        "load": round(t_load, 3),
        "preprocess": round(prep.seconds, 3),
        "tesseract": round(sum(r.seconds for r in runs.values()), 3),
        "total": round(time.perf_counter() - t0, 3),
    }
    meta["timings"] = timings
    return OcrResult(page_id=job.page_id, text=nfc(text), layout=layout, meta=meta, timings=timings)


def ocr_page(
    project: Project,
    page_id: str,
    *,
    lang: str | None = None,
    lines: tuple[int, int] | None = None,
    timeout: float | None = None,
    text: str | None = None,
) -> OcrResult:
    """OCR one page (or, with ``lines=(first, last)``, 0-based inclusive, only those lines of it).

    ``lines`` are lines of ``text`` (default: the newest version's), each read again inside its own image
    line of the newest stored layout (:func:`workbench.ocr.lines.ocr_lines`); the result's text is ``text``
    with those lines replaced, and its layout the stored one with their image lines replaced.
    """
    if lines is None:
        return run_job(prepare_job(project, page_id, lang=lang, timeout=timeout))
    return ocr_lines(project, page_id, lines, lang=lang, timeout=timeout, text=text)
