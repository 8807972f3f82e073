"""OCR of one page: preprocessing, Tesseract, the language chosen per line, boxes in scan pixels.

The work is split in two so the batch runner can ship it to other processes or machines:
:func:`prepare_job` reads everything a page needs from the project (scan, document settings) into a
picklable :class:`PageJob`; :func:`run_job` does the OCR without touching the project. :func:`ocr_page`
does both. Storing the result is :func:`apply_ocr_result`'s job, in the caller's process, so a
half-finished OCR never reaches the store.

Languages (``lang``): ``rus``, ``aze_cyrl``, ``rus+aze_cyrl`` (one Tesseract run with both models), or
``auto``: the page is read with ``rus`` and, where the document may hold Azerbaijani, with ``aze_cyrl``
too; each line takes the reading with the better score (confidence, the share of its words a
dictionary knows, and letters only one language has). A document's ``[pages.NAME]`` metadata can fix the
language of the page or of regions (line ranges or boxes). An explicit ``lang`` argument wins over both.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.errors import InputError, PageError, UsageError, WorkbenchError
from workbench.ocr.azeri import AZERI_ONLY_LETTERS, normalise_aze_cyrl, to_orthography
from workbench.project import LANGUAGES, Project, Region
from workbench.store import SaveResult, TranscriptStore
from workbench.text import nfc

#: Bumped whenever a change here can change OCR output, so the batch cache re-runs such pages.
PIPELINE_VERSION = 1
#: Author recorded on OCR versions and candidates.
OCR_AUTHOR = "ocr"
_LATIN = re.compile(r"[A-Za-z]")
_WORD_CHARS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_INNER_E = re.compile(r"\w[эЭ]")
_RUSSIAN_EVIDENCE = frozenset("щъьюяёцЩЪЬЮЯЁЦ")


@dataclass(frozen=True)
class PageJob:
    """Everything needed to OCR one page, without the project (picklable; goes to worker processes)."""

    page_id: str
    image_name: str  # the scan's path relative to the project root, for the layout
    scan_path: str | None  # absolute path, for executors that share the file system
    scan_bytes: bytes | None  # the scan itself, for executors that may not (a Dask cluster)
    scan_suffix: str
    scan_digest: str
    frame: int | None
    lang: str
    doc_languages: tuple[str, ...]
    orthography: str
    regions: tuple[Region, ...]
    steps: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
    timeout: float
    project_root: str | None = None
    use_dictionary: bool = True

    def settings(self) -> dict[str, Any]:
        """The settings that decide the output (what the cache key is made of, besides the image)."""
        return {
            "pipeline": PIPELINE_VERSION,
            "frame": self.frame,
            "lang": self.lang,
            "doc_languages": list(self.doc_languages),
            "orthography": self.orthography,
            "regions": [
                [r.lang, list(r.lines) if r.lines else None, list(r.box) if r.box else None] for r in self.regions
            ],
            "steps": [[name, dict(params)] for name, params in self.steps],
            "dictionary": self.use_dictionary,
        }

    def cache_key(self, engine: dict[str, Any]) -> str:
        """A digest of the image bytes, the settings and the engine (version and model files)."""
        payload = json.dumps(
            {"image": self.scan_digest, "settings": self.settings(), "engine": engine}, sort_keys=True, default=str
        )
        return "sha256:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class OcrResult:
    """The OCR of a page (or of some of its lines): text, layout (see ARCHITECTURE.md) and metadata."""

    page_id: str
    text: str
    layout: dict[str, Any]
    meta: dict[str, Any]
    #: For a re-OCR of some lines: (first, last), 0-based inclusive; ``text``/``layout`` are still whole pages.
    line_range: tuple[int, int] | None = None
    timings: dict[str, float] = field(default_factory=dict)


# -- preparing -----------------------------------------------------------------------------------------


def resolve_lang(project: Project, page_id: str, lang: str | None) -> tuple[str, tuple[Region, ...]]:
    """The language mode for a page and the regions that apply: the flag, else page metadata, else the project.

    An explicit ``lang`` overrides the document's regions too (the user asked for exactly that model).
    """
    if lang is not None and lang not in LANGUAGES:
        raise UsageError(f"Unknown OCR language {lang!r}.", hint=f"Use one of {', '.join(LANGUAGES)}.")
    page = project.page(page_id)
    doc = project.document(page.document) if page.document else None
    settings = doc.page_settings(page.name) if doc else None
    if lang is not None:
        return lang, ()
    regions = settings.regions if settings else ()
    if settings and settings.lang:
        return settings.lang, regions
    return project.settings().ocr_lang, regions


def prepare_job(
    project: Project,
    page_id: str,
    *,
    lang: str | None = None,
    timeout: float | None = None,
    steps: Sequence[tuple[str, dict[str, Any]]] | None = None,
    embed_image: bool = False,
    use_dictionary: bool = True,
) -> PageJob:
    """Read what OCR of ``page_id`` needs from the project into a :class:`PageJob`.

    Raises :class:`PageError` for a page without a scan.
    """
    from workbench.ocr.steps import DEFAULT_STEPS

    page = project.page(page_id)
    if page.scan is None:
        raise PageError(
            f"Page {page.id!r} has no scan to OCR (it exists only as a transcript).",
            hint="Put its image under scans/ or import text with `workbench import`.",
        )
    mode, regions = resolve_lang(project, page.id, lang)
    doc = project.document(page.document) if page.document else None
    try:
        data = page.scan.read_bytes()
    except OSError as e:
        raise InputError(f"{page.scan}: cannot read the scan ({e.strerror}).", path=page.scan) from e
    chosen = DEFAULT_STEPS if steps is None else steps
    return PageJob(
        page_id=page.id,
        image_name=page.scan.relative_to(project.root).as_posix(),
        scan_path=str(page.scan),
        scan_bytes=data if embed_image else None,
        scan_suffix=page.scan.suffix.lower(),
        scan_digest="sha256:" + hashlib.sha256(data).hexdigest(),
        frame=page.frame,
        lang=mode,
        doc_languages=doc.languages if doc else ("rus",),
        orthography=doc.orthography if doc else "1939",
        regions=tuple(regions),
        steps=tuple((name, tuple(sorted(dict(params).items()))) for name, params in chosen),
        timeout=float(timeout if timeout is not None else project.settings().ocr_timeout),
        project_root=str(project.root),
        use_dictionary=use_dictionary,
    )


def engine_fingerprint(lang_mode: str) -> dict[str, Any]:
    """Tesseract's version and the model files a language mode may use (part of the cache key)."""
    from workbench.ocr import tesseract

    models = ["rus", "aze_cyrl"] if lang_mode in ("auto", "rus+aze_cyrl") else [lang_mode]
    info: dict[str, Any] = {"version": tesseract.engine_version()}
    for name in models:
        try:
            info[name] = tesseract.model_info(name)[name]
        except WorkbenchError:
            info[name] = None
    return info


# -- running -------------------------------------------------------------------------------------------


def _load_job_image(job: PageJob) -> np.ndarray:
    from workbench.scans import load_grey

    if job.scan_bytes is None and job.scan_path and os.path.exists(job.scan_path):
        return load_grey(Path(job.scan_path), job.frame)
    if job.scan_bytes is None:
        raise InputError(f"Page {job.page_id!r}: the scan {job.scan_path} is not reachable from this worker.")
    with tempfile.TemporaryDirectory(prefix="workbench-scan-") as tmp:
        path = Path(tmp) / f"scan{job.scan_suffix}"
        path.write_bytes(job.scan_bytes)
        return load_grey(path, job.frame)


@functools.lru_cache(maxsize=8)
def _speller(project_root: str | None, lang: str, orthography: str) -> Any:
    """The dictionary for ``lang``, or ``None`` when the dictionary package or its data is not available."""
    if project_root is None:
        return None
    try:
        from workbench.dictionary import load_speller  # type: ignore[attr-defined]

        return load_speller(Project(Path(project_root)), lang, orthography=orthography)
    except (ImportError, WorkbenchError, OSError):
        # No dictionary yet (not built, or the package is absent): the letter heuristic still decides.
        return None


def _known_fraction(text: str, speller: Any) -> float | None:
    words = _WORD_CHARS.findall(text)
    if not words or speller is None:
        return None
    try:
        return sum(1 for w in words if speller.is_known(w)) / len(words)
    except Exception:  # a broken speller must not cost the page; the heuristic decides instead
        return None


def score_line(text: str, conf: float, lang: str, known: float | None) -> float:
    """How good a reading of a line is in ``lang``: confidence, dictionary coverage, tell-tale letters.

    Confidence (0–1) counts once and dictionary coverage (0–1, when a dictionary is there) half as much.
    The cheap letter evidence always counts: an ``aze_cyrl`` reading gains 0.3 per share of words with
    letters Russian lacks (ә ҹ ҝ һ …: on Russian text that model rarely writes them); a ``rus`` reading
    loses 0.3 per share of words with э inside the word (what ``rus`` writes for ә; Russian э is almost
    always word-initial) and gains 0.2 per share of words with letters ``aze_cyrl`` cannot write (щ ъ ь ю я ё
    ц); a reading loses 0.15 per share of words mixing Latin letters into Cyrillic (h for һ).
    """
    words = text.split()
    if not words:
        return -1.0
    score = conf / 100.0
    if known is not None:
        score += 0.5 * known
    n = len(words)
    latin_mixed = sum(1 for w in words if _LATIN.search(w) and _CYRILLIC.search(w)) / n
    score -= 0.15 * latin_mixed
    if lang == "aze_cyrl":
        score += 0.3 * sum(1 for w in words if set(w) & AZERI_ONLY_LETTERS) / n
    elif lang == "rus":
        score -= 0.3 * sum(1 for w in words if _INNER_E.search(w)) / n
        # Letters the aze_cyrl model cannot write at all: where rus reads them, the line is likely Russian.
        score += 0.2 * sum(1 for w in words if set(w) & _RUSSIAN_EVIDENCE) / n
    return score


def _looks_azerbaijani(text: str) -> bool:
    """Whether a ``rus`` reading has the look-alikes ``rus`` writes for Azerbaijani letters in many words."""
    words = [w for w in text.split() if len(w) > 2]
    if len(words) < 3:
        return False
    odd = sum(1 for w in words if _INNER_E.search(w) or (_LATIN.search(w) and _CYRILLIC.search(w)))
    return odd / len(words) >= 0.3


def _iou(a: Sequence[int], b: Sequence[int]) -> float:
    ax1, ay1, bx1, by1 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax1, bx1) - max(a[0], b[0]))
    ih = max(0, min(ay1, by1) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


#: Letters Azerbaijani (with its Russian loanwords) uses that the aze_cyrl model cannot write, but rus can.
_RUS_SUPPLIES = frozenset("шйцщъьюяёШЙЦЩЪЬЮЯЁ")


_LOWER_AZ = "а-яәөүғҝһҹјыи"
_YOT_PAIR = re.compile(rf"(?<=[{_LOWER_AZ}])Ии")
_YOT_RUN = re.compile(rf"(?<=[{_LOWER_AZ}])И+(?=[{_LOWER_AZ}]|$)")


def repair_aze_yot(word: str) -> str:
    """Turn the aze_cyrl model's ``И``/``Ии`` inside a lower-case word into ``й`` (it has no й or ј glyph).

    A capital И after a lower-case letter is never right in running text; the model writes it for й.
    """
    word = _YOT_PAIR.sub("й", word)
    return _YOT_RUN.sub(lambda m: "й" * len(m.group(0)), word)


def combine_aze_rus(aze: str, rus: str) -> str:
    """One word from an ``aze_cyrl`` reading (normalised) and a ``rus`` reading of the same word.

    The aze_cyrl reading is kept, except where the rus reading has a letter aze_cyrl cannot write (ш й and
    the Russian loanword letters) against a stretch without any Azerbaijani-only letter: aze_cyrl writes
    п or и for ш and И or Ии for й, and those stretches are taken from rus. ҹ/ч stay as aze_cyrl read them
    (rus reads both as ч).
    """
    import difflib

    if aze == rus:
        return aze
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, aze, rus, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, r = aze[i1:i2], rus[j1:j2]
        if tag == "replace" and len(a) == len(r):
            # Letter by letter: a letter only rus can write replaces aze_cyrl's look-alike, never one of
            # the Azerbaijani letters.
            out.append(
                "".join(
                    rc if rc in _RUS_SUPPLIES and ac not in AZERI_ONLY_LETTERS else ac
                    for ac, rc in zip(a, r, strict=True)
                )
            )
        elif tag == "replace" and set(r) <= _RUS_SUPPLIES and not set(a) & AZERI_ONLY_LETTERS:
            out.append(r)  # "Ии" for й, "пп" for шш
        else:
            out.append(a)  # equal, delete (aze has more), or insert (ignored: rus adds nothing aze lacks)
    return "".join(out)


_EDGE_PUNCT = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def pick_known(word: str, rus_word: str, speller: Any, orthography: str) -> str:
    """With an Azerbaijani dictionary: if ``word`` is unknown, try the few spellings the two readings allow.

    Those are ҹ → ч where the rus reading has ч (aze_cyrl writes ҹ for both), and the rus reading itself;
    the first the dictionary knows wins. Without a dictionary, or when none is known, ``word`` stays.
    """
    if speller is None:
        return word
    lead, core, trail = _EDGE_PUNCT.match(word).groups()  # type: ignore[union-attr]
    if not core or _is_known(speller, core):
        return word
    rus_core = _EDGE_PUNCT.match(rus_word).group(2)  # type: ignore[union-attr]
    candidates: list[str] = []
    if len(rus_core) == len(core):
        swapped = "".join(rc if ac in "ҹҸ" and rc in "чЧ" else ac for ac, rc in zip(core, rus_core, strict=True))
        if swapped != core:
            candidates.append(swapped)
    if rus_core and not _INNER_E.search(rus_core):
        candidates.append(to_orthography(rus_core, orthography))
    for candidate in candidates:
        if _is_known(speller, candidate):
            return lead + candidate + trail
    return word


def _is_known(speller: Any, word: str) -> bool:
    try:
        return bool(speller.is_known(word))
    except Exception:  # a broken dictionary must not cost the page
        return False


def _normalise_word(text: str, lang: str, orthography: str) -> str:
    if lang == "aze_cyrl":
        return normalise_aze_cyrl(text, orthography)
    if lang == "rus+aze_cyrl":
        # Artefacts only: й stays, because in a mixed line it is most likely a Russian word's.
        return normalise_aze_cyrl(text, "1939") if orthography == "1939" else _artefacts_only(text)
    return nfc(text)


def _artefacts_only(text: str) -> str:
    from workbench.ocr.azeri import _ARTEFACT_RE, AZE_CYRL_ARTEFACTS

    text = nfc(text)
    return nfc(_ARTEFACT_RE.sub(lambda m: AZE_CYRL_ARTEFACTS[m.group(0)], text))


def _region_lang(regions: Iterable[Region], index: int, box: Sequence[int]) -> str | None:
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    for r in regions:
        if r.lines and r.lines[0] - 1 <= index <= r.lines[1] - 1:
            return r.lang
        if r.box and r.box[0] <= cx <= r.box[0] + r.box[2] and r.box[1] <= cy <= r.box[1] + r.box[3]:
            return r.lang
    return None


def run_job(job: PageJob) -> OcrResult:
    """OCR a prepared page: preprocess, run the models the language mode needs, choose per line, map boxes."""
    from workbench.ocr import tesseract
    from workbench.ocr.preprocess import preprocess

    t0 = time.perf_counter()
    original = _load_job_image(job)
    t_load = time.perf_counter() - t0
    prep = preprocess(original, [(name, dict(params)) for name, params in job.steps])
    runs: dict[str, tesseract.TesseractRun] = {}

    def reading(lang: str) -> tesseract.TesseractRun:
        if lang not in runs:
            runs[lang] = tesseract.run(prep.image, lang, timeout=job.timeout)
        return runs[lang]

    mode = job.lang
    region_langs = {r.lang for r in job.regions}
    if mode in ("rus", "aze_cyrl", "rus+aze_cyrl"):
        primary = mode
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
    if mode == "auto":
        other = "aze_cyrl" if primary == "rus" else "rus"
        suspicious = primary == "rus" and any(_looks_azerbaijani(line.text) for line in base.lines)
        # An Azerbaijani page always gets the rus reading too: it supplies ш and й, which aze_cyrl lacks
        # (see combine_aze_rus).
        if other in job.doc_languages or suspicious or primary == "aze_cyrl":
            alternatives.append(other)
    for lang in sorted(region_langs - {primary}):
        if lang not in alternatives:
            alternatives.append(lang)
    for lang in alternatives:
        reading(lang)

    spellers: dict[str, Any] = {}
    if mode == "auto" and job.use_dictionary and alternatives:
        for lang in {primary, *alternatives} - {"rus+aze_cyrl"}:
            spellers[lang] = _speller(job.project_root, lang, job.orthography)

    lines_out: list[dict[str, Any]] = []
    chosen_langs: list[str] = []
    decisions: list[dict[str, Any]] = []
    for index, line in enumerate(base.lines):
        options: list[tuple[str, Any]] = [(primary, line)]
        for lang in alternatives:
            best = max(runs[lang].lines, key=lambda other_line: _iou(line.box, other_line.box), default=None)
            if best is not None and _iou(line.box, best.box) >= 0.5:
                options.append((lang, best))
        forced = _region_lang(job.regions, index, prep.box_to_original(line.box))
        if forced is not None and forced in {lang for lang, _ in options}:
            lang, picked = next(o for o in options if o[0] == forced)
            scores: dict[str, float] = {}
        elif len(options) > 1:
            scores = {}
            for lang, candidate in options:
                text = " ".join(_normalise_word(w.text, lang, job.orthography) for w in candidate.words)
                scores[lang] = score_line(text, candidate.conf, lang, _known_fraction(text, spellers.get(lang)))
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
                text = _normalise_word(w.text, lang, job.orthography)
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


# -- one page, and some of its lines -------------------------------------------------------------------


def ocr_page(
    project: Project,
    page_id: str,
    *,
    lang: str | None = None,
    lines: tuple[int, int] | None = None,
    timeout: float | None = None,
) -> OcrResult:
    """OCR one page (or, with ``lines=(first, last)``, 0-based inclusive, only those lines of it).

    For ``lines``, the boxes come from the newest stored layout; the result's text is the newest version's
    text with those lines replaced, and its layout the stored one with those lines replaced.
    """
    if lines is None:
        return run_job(prepare_job(project, page_id, lang=lang, timeout=timeout))
    return _ocr_lines(project, page_id, lines, lang=lang, timeout=timeout)


def _ocr_lines(
    project: Project, page_id: str, lines: tuple[int, int], *, lang: str | None, timeout: float | None
) -> OcrResult:
    from workbench.ocr import tesseract
    from workbench.ocr.preprocess import preprocess

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
    original = _load_job_image(job)
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
            text = " ".join(_normalise_word(wd.text, lg, job.orthography) for wd in words)
            conf = sum(wd.conf for wd in words) / len(words) if words else 0.0
            s = score_line(text, conf, lg, None)
            if best is None or s > best[0]:
                best = (s, lg, words)
        assert best is not None
        _, lg, words = best
        offset = np.array([[1.0, 0.0, x0], [0.0, 1.0, y0], [0.0, 0.0, 1.0]]) @ prep.to_original
        from workbench.ocr.preprocess import map_box

        new_words = [
            {
                "text": _normalise_word(wd.text, lg, job.orthography),
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


# -- storing -------------------------------------------------------------------------------------------


def apply_ocr_result(store: TranscriptStore, page_id: str, result: OcrResult) -> SaveResult:
    """Store an OCR result: a new version if no person has worked on the page yet, else a candidate.

    Human work (any version from an edit, import, replace or restore) is never overwritten by OCR; the
    candidate waits for the user to diff it and take lines with :func:`merge_candidate`.
    """
    if store.has_human_version(page_id):
        return store.save_candidate(
            page_id,
            result.text,
            author=OCR_AUTHOR,
            message=_message(result),
            ocr=result.meta,
            layout=result.layout,
        )
    return store.save(
        page_id,
        result.text,
        author=OCR_AUTHOR,
        source="ocr",
        message=_message(result),
        ocr=result.meta,
        layout=result.layout,
    )


def _message(result: OcrResult) -> str:
    what = f"lines {result.line_range[0] + 1}–{result.line_range[1] + 1}" if result.line_range else "page"
    return f"OCR of {what} ({result.meta.get('lang', '?')}, Tesseract {result.meta.get('tesseract_version', '?')})"


def merge_candidate(current_text: str, reviewed: Iterable[int], candidate_text: str, lines: Iterable[int]) -> str:
    """Take the candidate's ``lines`` (0-based) into ``current_text``; reviewed lines are never replaced.

    A chosen line beyond the end of the current text is appended (in order), so a candidate that found
    lines the current text lacks can still be taken in.
    """
    keep = set(reviewed)
    current = nfc(current_text).split("\n")
    candidate = nfc(candidate_text).split("\n")
    for i in sorted(set(lines)):
        if i < 0 or i >= len(candidate) or i in keep:
            continue
        if i < len(current):
            current[i] = candidate[i]
        else:
            current.extend([""] * (i - len(current)))
            current.append(candidate[i])
    return "\n".join(current)
