"""An OCR job: what OCR of one page needs, read from the project into a picklable :class:`PageJob`.

:func:`prepare_job` reads the scan and the document settings; the job then goes to any process or machine
(:func:`workbench.ocr.pipeline.run_job` touches no project). :class:`OcrResult` is what comes back.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from workbench.errors import InputError, PageError, UsageError, WorkbenchError
from workbench.layout import Layout
from workbench.ocr import script_model
from workbench.ocr.models import PROJECT_MODEL, project_model
from workbench.project import LANGUAGES, Project, Region, is_lang_mode

if TYPE_CHECKING:
    from workbench.ocr.tesseract import TesseractRun

#: Bumped whenever a change here can change OCR output, so the batch cache re-runs such pages.
PIPELINE_VERSION = 3  # 3: line images read as they are; the Cyrillic script model for non-Russian Cyrillic
#: Author recorded on OCR versions and candidates.
OCR_AUTHOR = "ocr"


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
    #: The project's Azerbaijani model file when it reads ``aze_cyrl`` (``[ocr] aze_model = "workbench"``).
    aze_model: str | None = None

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
            # Only when set, so pages read with the system models keep their cache keys.
            **({"aze_model": "workbench"} if self.aze_model else {}),
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
    layout: Layout
    meta: dict[str, Any]
    #: For a re-OCR of some lines: (first, last), 0-based inclusive; ``text``/``layout`` are still whole pages.
    line_range: tuple[int, int] | None = None
    timings: dict[str, float] = field(default_factory=dict)


def resolve_lang(project: Project, page_id: str, lang: str | None) -> tuple[str, tuple[Region, ...]]:
    """The language mode for a page and the regions that apply: the flag, else page metadata, else the project.

    An explicit ``lang`` overrides the document's regions too (the user asked for exactly that model).
    """
    if lang is not None and not is_lang_mode(lang):
        raise UsageError(
            f"Unknown OCR language {lang!r}.",
            hint=f"Use one of {', '.join(LANGUAGES)}, or installed Tesseract languages joined by '+' (eng, rus+eng).",
        )
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
    settings = project.settings()
    # Without the model file (an installation without the repository's models/) the system model reads.
    found = project_model(project.root) if settings.ocr_aze_model == "workbench" else None
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
        timeout=float(timeout if timeout is not None else settings.ocr_timeout),
        project_root=str(project.root),
        use_dictionary=use_dictionary,
        aze_model=str(found) if found else None,
    )


def engine_fingerprint(lang_mode: str, aze_model: str | None = None) -> dict[str, Any]:
    """Tesseract's version and the model files a language mode may use (part of the cache key)."""
    from workbench.ocr import tesseract

    models = ["rus", "aze_cyrl"] if lang_mode == "auto" else lang_mode.split("+")
    if lang_mode == "auto" and script_model.available():  # auto reads non-Russian Cyrillic with it
        models.append(script_model.SCRIPT_MODEL)
    info: dict[str, Any] = {"version": tesseract.engine_version()}
    for name in models:
        if name == "aze_cyrl" and aze_model:
            st = os.stat(aze_model)
            info[PROJECT_MODEL] = {"file": aze_model, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
            continue
        try:
            info[name] = tesseract.model_info(name)[name]
        except WorkbenchError:
            info[name] = None
    return info


def engine_run(
    job: PageJob, image: np.ndarray, lang: str, *, psm: int = 3, timeout: float | None = None
) -> TesseractRun:
    """Tesseract on ``image`` for the workbench language ``lang`` (``rus``, ``aze_cyrl``, ``rus+aze_cyrl``).

    When the job uses the project's model, it reads in place of ``aze_cyrl``, from a folder that holds it
    beside the system's models (so ``rus+aze_cyrl`` stays one run).
    """
    from workbench.ocr import tesseract

    if lang == script_model.SCRIPT_MODEL:
        # The script model without its 29 MB word list, which Tesseract would read in full on every call.
        from workbench.ocr.models import cache_dir
        from workbench.ocr.probe import require_languages

        folder = script_model.lean_model_dir(Path(require_languages(lang).tessdata), cache_dir())
        return tesseract.run(image, lang, psm=psm, timeout=timeout or job.timeout, tessdata=folder)
    if job.aze_model and "aze_cyrl" in lang.split("+"):
        from workbench.ocr.models import engine_lang, tessdata_with
        from workbench.ocr.probe import probe

        folder = tessdata_with(Path(job.aze_model), Path(probe().tessdata))
        return tesseract.run(image, engine_lang(lang, True), psm=psm, timeout=timeout or job.timeout, tessdata=folder)
    return tesseract.run(image, lang, psm=psm, timeout=timeout or job.timeout)


def load_job_image(job: PageJob) -> np.ndarray:
    """The page's scan as a grey image: from the shared file system if it is there, else from the job's bytes."""
    from workbench.scans import load_grey

    if job.scan_bytes is None and job.scan_path and os.path.exists(job.scan_path):
        return load_grey(Path(job.scan_path), job.frame)
    if job.scan_bytes is None:
        raise InputError(f"Page {job.page_id!r}: the scan {job.scan_path} is not reachable from this worker.")
    with tempfile.TemporaryDirectory(prefix="workbench-scan-") as tmp:
        path = Path(tmp) / f"scan{job.scan_suffix}"
        path.write_bytes(job.scan_bytes)
        return load_grey(path, job.frame)
