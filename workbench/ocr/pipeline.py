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

from workbench.layout import Layout, LayoutLine, LayoutWord
from workbench.ocr.aze_merge import combine_aze_rus, pick_known, repair_aze_yot
from workbench.ocr.candidates import OcrStored, apply_ocr_result, plan_take, take_candidate
from workbench.ocr.choose import (
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
    engine_run,
    load_job_image,
    prepare_job,
    resolve_lang,
)
from workbench.ocr.lines import ocr_lines
from workbench.orthography import normalise_aze_cyrl, to_orthography
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


def run_job(job: PageJob) -> OcrResult:  # noqa: C901 - one page's readings and per-line choice share their state; split in a follow-up
    """OCR a prepared page: preprocess, read (more than one way where it pays), choose per line, map boxes."""
    from workbench.errors import EngineTimeoutError
    from workbench.ocr import guards, reading, script_model, tesseract
    from workbench.ocr.preprocess import preprocess

    t0 = time.perf_counter()
    original = load_job_image(job)
    t_load = time.perf_counter() - t0
    # A scan that is one text line is read as one (Tesseract's page layout analysis loses or splits it), and
    # as it is: on the Komi development lines the preprocessed line read no better with rus (13.79 against
    # 13.84 % CER) and worse with the Cyrillic model (11.4 against 10.8 %), and preprocessing a line costs
    # as much CPU as reading it.
    single = guards.is_single_line(original)
    psm = 7 if single else 3
    prep = preprocess(original, [] if single else [(name, dict(params)) for name, params in job.steps])
    h, w = original.shape[:2]
    budget = reading.budget_seconds(w, h, job.timeout)
    runs: dict[tuple[str, str], tesseract.TesseractRun] = {}
    views = {"processed": (prep.image, prep.box_to_original), "plain": (original, lambda box: _as_box(box))}

    def read(view: str, lang: str, timeout: float | None = None) -> list[tesseract.Line]:
        if (view, lang) not in runs:
            image, _ = views[view]
            runs[(view, lang)] = engine_run(job, image, lang, psm=psm, timeout=timeout)
        return reading.mapped(runs[(view, lang)].lines, views[view][1])

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
    main = "plain" if single else "processed"
    fallback: str | None = None
    try:
        base = read(main, primary, None if single else budget)
    except EngineTimeoutError:
        if single:
            raise
        # The cost budget: a processed image that takes this long is not worth it; the scan as it is reads.
        fallback = f"the processed image took longer than the {budget:.0f} s budget; read the plain image"
        main = "plain"
        base = read("plain", primary)
    # A line image was not preprocessed: there is no other view to read.
    doubt_reason = None if fallback or single else reading.doubt(base, primary)
    other_view = "plain"
    other_lines: list[tesseract.Line] = read("plain", primary) if doubt_reason else []
    if other_lines:
        # The better reading of the whole page leads (its lines and their order); the other competes per line.
        speller = speller_for(job.project_root, primary, job.orthography) if job.use_dictionary else None
        if reading.page_score(other_lines, speller) > reading.page_score(base, speller):
            base, other_lines, main, other_view = other_lines, base, "plain", "processed"
    # Which other readings "auto" needs: the other model when the document may hold that language, or when
    # the letters of some line say the document's language list is incomplete (э inside words and Latin
    # letters mixed into Cyrillic are what rus writes for ә and һ). Confidence alone is no reason: a faint
    # Russian page would pay a second full run for nothing.
    alternatives: list[str] = []
    if mode == "auto" and ours:
        other = "aze_cyrl" if primary == "rus" else "rus"
        suspicious = primary == "rus" and any(looks_azerbaijani(line.text) for line in base)
        # An Azerbaijani page always gets the rus reading too: it supplies ш and й, which aze_cyrl lacks
        # (see combine_aze_rus). The project's model has every letter and needs no such help.
        if other in job.doc_languages or suspicious or (primary == "aze_cyrl" and not job.aze_model):
            alternatives.append(other)
        # The document's other languages (a German letter quoted in a Russian file): read and chosen per line.
        alternatives += [lang for lang in job.doc_languages if lang not in ("rus", "aze_cyrl", *alternatives)]
    for lang in sorted(region_langs - {primary}):
        if lang not in alternatives:
            alternatives.append(lang)
    # Cyrillic text in a language without a model (Komi): the rus reading knows few of its words. Then the
    # script model, which has the letters rus lacks, reads it too (script_model.py).
    not_russian = None
    if (
        mode == "auto"
        and primary == "rus"
        and "aze_cyrl" not in job.doc_languages
        and job.use_dictionary
        and script_model.available()
    ):
        rus_speller = speller_for(job.project_root, "rus", job.orthography)
        not_russian = script_model.not_russian("\n".join(line.text for line in base), rus_speller)
        if not_russian:
            if single:
                # A line image's reading costs little more than starting Tesseract: one other model at most.
                # Letters that look Azerbaijani in a line the dictionary does not know may be any Cyrillic
                # language's, and the script model has Azerbaijani's letters too (on the Komi development
                # lines, 10 of 517 looked Azerbaijani and took three readings, 3-4x plain's CPU time).
                alternatives = [lang for lang in alternatives if lang != "aze_cyrl" or lang in region_langs]
            alternatives.append(script_model.SCRIPT_MODEL)
    alt_lines = {lang: read(main, lang) for lang in alternatives}

    spellers: dict[str, Any] = {}
    if job.use_dictionary and (alternatives or other_lines):
        for lang in {primary, *alternatives} & {"rus", "aze_cyrl"}:  # the languages with a dictionary
            spellers[lang] = speller_for(job.project_root, lang, job.orthography)

    def score(lang: str, candidate: tesseract.Line) -> float:
        text = " ".join(normalise_word(w.text, lang, job.orthography) for w in candidate.words)
        return score_line(text, candidate.conf, lang, known_fraction(text, spellers.get(lang)))

    lines_out: list[LayoutLine] = []
    chosen_langs: list[str] = []
    kept_views: list[str] = []
    decisions: list[dict[str, Any]] = []
    used_other: set[int] = set()
    for index, line in enumerate(base):
        options: list[tuple[str, str, tesseract.Line]] = [(main, primary, line)]
        for lang in alternatives:
            match = reading.best_match(line, alt_lines[lang])
            if match is not None:
                options.append((main, lang, alt_lines[lang][match]))
        if other_lines:
            match = reading.best_match(line, other_lines)
            if match is not None:
                used_other.add(match)
                options.append((other_view, primary, other_lines[match]))
        forced = region_lang(job.regions, index, line.box)
        scores: dict[str, float] = {}
        if forced is not None and forced in {lang for _, lang, _ in options}:
            view, lang, picked = next(o for o in options if o[1] == forced)
        elif len(options) > 1:
            scored = [o for o in options if o[1] != script_model.SCRIPT_MODEL]
            scores = {f"{v}:{lg}": score(lg, cand) for v, lg, cand in scored}
            view, lang, picked = max(scored, key=lambda o: scores[f"{o[0]}:{o[1]}"])
            script = next((o for o in options if o[1] == script_model.SCRIPT_MODEL), None)
            # The script model's reading is weighed against the best other one by its letters and the
            # dictionary, not by confidence (on the Komi lines keeping the more confident reading lost
            # 0.7 point against always the script model's).
            if script is not None:
                scores[f"{script[0]}:{script[1]}"] = float(
                    script_model.prefer_script(picked.text, script[2].text, spellers.get("rus"))
                )
                if scores[f"{script[0]}:{script[1]}"]:
                    view, lang, picked = script
        else:
            view, lang, picked = options[0]
        rus_line = next((cand for v, lg, cand in options if lg == "rus" and v == view), None)
        words = _words(picked, lang, rus_line, job, spellers.get("aze_cyrl"))
        if not words:
            continue
        lines_out.append(
            {
                "box": list(picked.box),
                "lang": lang,
                "conf": round(picked.conf, 2),
                "block": picked.block,
                "words": words,
            }
        )
        chosen_langs.append(lang)
        kept_views.append(view)
        if scores:
            decisions.append(
                {
                    "line": len(lines_out) - 1,
                    "kept": f"{view}:{lang}",
                    "scores": {k: round(v, 3) for k, v in scores.items()},
                }
            )
    added = reading.extra_lines([line["box"] for line in lines_out], other_lines, used_other)
    for i in added:
        picked = other_lines[i]
        words = _words(picked, primary, None, job, None)
        if words:
            lines_out.append(
                {
                    "box": list(picked.box),
                    "lang": primary,
                    "conf": round(picked.conf, 2),
                    "block": picked.block,
                    "words": words,
                }
            )
            chosen_langs.append(primary)
            kept_views.append(other_view)
            decisions.append(
                {
                    "line": len(lines_out) - 1,
                    "kept": f"{other_view}:{primary}",
                    "why": f"only the {other_view} image had it",
                }
            )
    if added:  # the lines only the other reading had go where they stand on the page
        order = sorted(range(len(lines_out)), key=lambda i: (lines_out[i]["box"][1], lines_out[i]["box"][0]))
        renumber = {old: new for new, old in enumerate(order)}
        lines_out = [lines_out[i] for i in order]
        chosen_langs = [chosen_langs[i] for i in order]
        kept_views = [kept_views[i] for i in order]
        for d in decisions:
            d["line"] = renumber[d["line"]]

    text = "\n".join(" ".join(w["text"] for w in line["words"]) for line in lines_out)
    layout: Layout = {"width": w, "height": h, "image": job.image_name, "frame": job.frame, "lines": lines_out}
    first = next(iter(runs.values()))
    engine: dict[str, Any] = {"version": first.version}
    for run_ in runs.values():
        for name, info in run_.models.items():
            engine[name] = info
    meta = {
        "engine": "tesseract",
        "tesseract_version": first.version,
        "models": sorted({m for r in runs.values() for m in r.lang.split("+")}),
        "model_files": {k: v for k, v in engine.items() if k != "version"},
        "lang": mode,
        "line_langs": chosen_langs,
        "runs": [
            {"image": view, "lang": r.lang, "psm": r.psm, "seconds": round(r.seconds, 3)}
            for (view, _), r in runs.items()
        ],
        "readings": reading.summary(kept_views, fallback, doubt_reason, budget, single, not_russian),
        "preprocessing": prep.steps,
        "orthography": job.orthography,
        "dictionary": bool(spellers) and any(s is not None for s in spellers.values()),
        "decisions": decisions,
        "pipeline": PIPELINE_VERSION,
        "cache_key": job.cache_key(engine_fingerprint(job.lang, job.aze_model)),
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


def _as_box(box: Any) -> tuple[int, int, int, int]:
    x, y, bw, bh = (int(v) for v in box)
    return (x, y, bw, bh)


def _words(picked: Any, lang: str, rus_line: Any, job: PageJob, aze_speller: Any) -> list[LayoutWord]:
    """The words of the kept reading of a line, normalised; an Azerbaijani line merged with its rus reading."""
    # The project's model has every letter: nothing to take from the rus reading.
    merge = (
        lang == "aze_cyrl" and not job.aze_model and rus_line is not None and len(rus_line.words) == len(picked.words)
    )
    words: list[LayoutWord] = []
    for i, w in enumerate(picked.words):
        if merge:
            aze = repair_aze_yot(normalise_aze_cyrl(w.text, "1939"))
            rus_word = nfc(rus_line.words[i].text)
            text = to_orthography(combine_aze_rus(aze, rus_word), job.orthography)
            text = pick_known(text, rus_word, aze_speller, job.orthography)
        else:
            text = normalise_word(w.text, lang, job.orthography)
        if text:
            words.append({"text": text, "box": list(w.box), "conf": round(w.conf, 2)})
    return words


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
