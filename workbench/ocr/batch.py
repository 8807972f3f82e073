"""Batch OCR: many pages in parallel, cached, resumable, over any ``concurrent.futures`` executor.

One code path: a local process pool (default, one process per core) or a Dask cluster
(``dask://HOST:PORT``: Dask's client is itself a ``concurrent.futures`` executor). Workers only compute
(:func:`workbench.ocr.pipeline.run_job`); this process alone writes to the store, one finished page at a
time and atomically, so an interrupted or killed batch keeps every page it finished and never a half
result. Running the same command again resumes: a page whose scan bytes, settings, Tesseract version and
model files are unchanged carries the same cache key as its stored OCR and is skipped (``force`` re-runs
it). One bad page is reported and skipped; the caller turns failures into a non-zero exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workbench.errors import (
    BatchFailedError,
    Interrupted,
    MissingDependencyError,
    UsageError,
    WorkbenchError,
)
from workbench.project import Project
from workbench.store import TranscriptStore

if TYPE_CHECKING:
    from workbench.ocr.job import PageJob


@dataclass(frozen=True)
class BatchProgress:
    """Where a batch stands, for a progress bar."""

    total: int
    done: int  # OCR'd and stored in this run
    skipped: int  # unchanged since their last OCR (cache hits)
    failed: int
    elapsed: float
    page_id: str | None = None  # the page that just finished

    @property
    def finished(self) -> int:
        """Pages dealt with so far, whatever the outcome."""
        return self.done + self.skipped + self.failed

    @property
    def rate(self) -> float:
        """Pages OCR'd per minute in this run (cache hits excluded)."""
        return 60.0 * self.done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class BatchReport:
    """What a batch did."""

    total: int
    versions: list[str] = field(default_factory=list)  # pages that got a new OCR version
    candidates: list[str] = field(default_factory=list)  # pages with human work: stored as candidates
    skipped: list[str] = field(default_factory=list)  # unchanged, not OCR'd again
    failed: dict[str, str] = field(default_factory=dict)  # page id → what went wrong
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def done(self) -> list[str]:
        """Pages OCR'd and stored in this run."""
        return self.versions + self.candidates

    def finished_count(self) -> int:
        """Pages dealt with, whatever the outcome."""
        return len(self.done) + len(self.skipped) + len(self.failed)

    def summary(self) -> str:
        """One line for the user."""
        parts = [f"{len(self.done)} page(s) OCR'd"]
        if self.candidates:
            parts.append(f"{len(self.candidates)} of them stored as candidates (pages with human edits)")
        parts.append(f"{len(self.skipped)} unchanged and skipped")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts) + f" in {self.seconds:.1f} s."

    def raise_for_failures(self) -> None:
        """Raise :class:`BatchFailedError` listing the failed pages, if any."""
        if self.failed:
            lines = "\n".join(f"  {pid}: {msg}" for pid, msg in sorted(self.failed.items()))
            raise BatchFailedError(
                f"{len(self.failed)} of {self.total} page(s) failed:\n{lines}\n{self.summary()}",
                hint="Fix those pages and run the same command again; finished pages are kept.",
            )


# -- workers -------------------------------------------------------------------------------------------


def _init_worker(parent_pid: int) -> None:
    """Process-pool initialiser: die with the parent, leave Ctrl-C to it, one OpenMP thread per Tesseract.

    Ctrl-C reaches the whole foreground process group; the parent alone decides (it lets running pages
    finish and keeps them), so workers ignore SIGINT. But a worker must never outlive its parent: if the
    parent is killed (``kill -9``), the kernel sends the worker SIGTERM (parent-death signal), and a
    thread watching the parent's pid does the same where that signal is missing. On SIGTERM the worker
    kills the Tesseract it is running (its whole process group) and exits at once.
    """
    from workbench.ocr import process

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    process.die_with_parent(signal.SIGTERM)
    process.children_die_with_parent()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        _on_sigterm(signal.SIGTERM, None)
    process.watch_parent(parent_pid, lambda: os.kill(os.getpid(), signal.SIGTERM))


def _on_sigterm(_signum: int, _frame: Any) -> None:
    from workbench.ocr import process

    process.kill_children()
    os._exit(128 + signal.SIGTERM)  # no clean-up that could block: the parent that would wait is gone


def _work(job: Any) -> tuple[str, Any, str | None]:
    """Run one page in a worker; errors come back as messages so one bad page never breaks the pool."""
    from workbench.ocr.pipeline import run_job

    # Set here too, for executors without an initialiser (Dask workers): see PERFORMANCE_NOTES.md.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    try:
        return job.page_id, run_job(job), None
    except WorkbenchError as e:
        return job.page_id, None, str(e)
    except Exception as e:  # noqa: BLE001 - a bug or a library surprise on one page must not cost the others
        return job.page_id, None, f"unexpected {type(e).__name__}: {e}"


# -- executors -----------------------------------------------------------------------------------------


def default_jobs(jobs: int | None) -> int:
    """``jobs`` if positive, else the number of cores this process may use."""
    if jobs and jobs > 0:
        return jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextlib.contextmanager
def open_executor(url: str | None, jobs: int) -> Iterator[tuple[Executor, bool]]:
    """An executor for ``url`` (``None``: a local process pool of ``jobs``; ``dask://HOST:PORT``: a cluster).

    Yields the executor and whether its workers may not share this machine's files (then scans are sent).
    """
    if url is None or url in ("local", "process"):
        # Import the OCR modules (OpenCV, pytesseract, Pillow) once here, so forked workers inherit them
        # instead of each paying the imports again.
        import workbench.ocr.preprocess
        import workbench.ocr.tesseract
        import workbench.scans  # noqa: F401

        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(os.getpid(),))
        try:
            yield pool, False
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    if not url.startswith(("dask://", "tcp://", "tls://")):
        raise UsageError(f"Unknown executor {url!r}.", hint="Use dask://HOST:PORT for a Dask cluster.")
    try:
        from distributed import Client
    except ImportError as e:
        raise MissingDependencyError(
            "Running on a Dask cluster needs the `distributed` extra.",
            hint="Install it with `pip install 'workbench[distributed]'`.",
        ) from e
    address = "tcp://" + url.removeprefix("dask://") if url.startswith("dask://") else url
    try:
        client = Client(address, timeout=30, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise MissingDependencyError(
            f"Cannot reach the Dask scheduler at {address} ({e}).",
            hint="Start it (`dask scheduler`, then `dask worker ADDRESS` on each machine) or check the address.",
        ) from e
    try:
        # Workers inherit Dask's OMP_NUM_THREADS=1, which Tesseract ignores; set the limit it obeys.
        client.run(os.environ.__setitem__, "OMP_THREAD_LIMIT", "1")
        yield client.get_executor(pure=False), True
    finally:
        client.close()


# -- the batch -----------------------------------------------------------------------------------------


def _models_needed(job: Any) -> set[str]:
    """The Tesseract models a page's language mode will certainly use."""
    if job.lang != "auto":
        return set(job.lang.split("+"))
    if not {"rus", "aze_cyrl"} & set(job.doc_languages):
        return set(job.doc_languages)  # a document in other languages is read with its own packs
    models = {"rus"}
    if "aze_cyrl" in job.doc_languages or any("aze_cyrl" in r.lang for r in job.regions):
        models.add("aze_cyrl")
    return models


def _system_models_needed(job: Any) -> set[str]:
    """The system language packs a page needs (the project's model stands in for ``aze_cyrl`` when used)."""
    models = _models_needed(job)
    return models - {"aze_cyrl"} if job.aze_model else models


def _stored_cache_keys(store: TranscriptStore, page_id: str) -> set[str]:
    keys: set[str] = set()
    for meta in (*store.history(page_id), *store.candidates(page_id)):
        if meta.ocr and isinstance(meta.ocr.get("cache_key"), str):
            keys.add(meta.ocr["cache_key"])
    return keys


def _jobs_to_run(
    project: Project,
    store: TranscriptStore,
    ids: list[str],
    report: BatchReport,
    *,
    lang: str | None,
    timeout: float | None,
    steps: Sequence[tuple[str, dict[str, Any]]] | None,
    embed: bool,
    force: bool,
) -> list[PageJob]:
    """Prepare a job per page, leaving out pages whose stored OCR has the same cache key (unless ``force``).

    Pages that cannot be prepared go to ``report.failed``, skipped ones to ``report.skipped``. A missing
    Tesseract or language pack would fail every page the same way: it raises here, once, before any work.
    """
    from workbench.ocr.job import engine_fingerprint, prepare_job

    fingerprints: dict[str, dict[str, Any]] = {}
    todo: list[PageJob] = []
    for pid in ids:
        try:
            job = prepare_job(project, pid, lang=lang, timeout=timeout, steps=steps, embed_image=embed)
            engine_key = f"{job.lang}|{job.aze_model}"
            if engine_key not in fingerprints:
                fingerprints[engine_key] = engine_fingerprint(job.lang, job.aze_model)
            if not force and job.cache_key(fingerprints[engine_key]) in _stored_cache_keys(store, job.page_id):
                report.skipped.append(job.page_id)
                continue
            todo.append(job)
        except MissingDependencyError:
            raise  # no Tesseract or no language pack: every page would fail the same way
        except WorkbenchError as e:
            report.failed[pid] = str(e)

    # A missing language pack would fail every page the same way: say so once, before any work.
    needed: set[str] = set()
    for job in todo:
        needed |= _system_models_needed(job)
    if needed:
        from workbench.ocr.probe import require_languages

        require_languages(sorted(needed))
    return todo


def run_batch(
    project: Project,
    page_ids: Sequence[str] | None = None,
    *,
    lang: str | None = None,
    jobs: int | None = None,
    force: bool = False,
    executor: str | None = None,
    timeout: float | None = None,
    steps: Sequence[tuple[str, dict[str, Any]]] | None = None,
    progress: Callable[[BatchProgress], None] | None = None,
) -> BatchReport:
    """OCR ``page_ids`` (default: every page with a scan) and store each result as it finishes.

    Returns the report; failures are in ``report.failed`` (call :meth:`BatchReport.raise_for_failures`).
    On Ctrl-C, pending pages are cancelled, pages already running are waited for and stored, and
    :class:`Interrupted` is raised; running the same batch again resumes.
    """
    from workbench.ocr.candidates import apply_ocr_result

    start = time.perf_counter()
    store = TranscriptStore(project)
    if page_ids is None:
        ids = [p.id for p in project.pages() if p.scan is not None]
    else:
        ids = list(dict.fromkeys(page_ids))
    report = BatchReport(total=len(ids))
    workers = default_jobs(jobs if jobs is not None else project.settings().ocr_jobs)
    embed = executor is not None and executor not in ("local", "process")
    todo = _jobs_to_run(project, store, ids, report, lang=lang, timeout=timeout, steps=steps, embed=embed, force=force)

    def tick(page_id: str | None) -> None:
        if progress is not None:
            progress(
                BatchProgress(
                    total=len(ids),
                    done=len(report.done),
                    skipped=len(report.skipped),
                    failed=len(report.failed),
                    elapsed=time.perf_counter() - start,
                    page_id=page_id,
                )
            )

    tick(None)
    if not todo:
        report.seconds = time.perf_counter() - start
        return report

    def handle(future: Future[Any]) -> None:
        try:
            page_id, result, error = future.result()
        except Exception as e:  # noqa: BLE001 - the worker process died (BrokenProcessPool) or the cluster lost it
            page_id = futures[future]
            result, error = None, f"worker failed: {type(e).__name__}: {e}"
        if error is not None:
            report.failed[page_id] = error
        else:
            try:
                stored = apply_ocr_result(store, page_id, result)
                (report.candidates if stored.candidate else report.versions).append(page_id)
            except WorkbenchError as e:
                report.failed[page_id] = str(e)
        tick(page_id)

    with open_executor(executor, min(workers, len(todo))) as (pool, _remote):
        futures: dict[Future[Any], str] = {pool.submit(_work, job): job.page_id for job in todo}
        handled: set[Future[Any]] = set()
        try:
            for future in as_completed(futures):
                # Marked before it is stored: a Ctrl-C that lands while ``handle`` runs must not store the
                # same page a second time below (it did: a second version of a page finished that instant).
                handled.add(future)
                handle(future)
        except KeyboardInterrupt:
            report.interrupted = True
            for future in futures:
                future.cancel()
            # Pages already running finish in a few seconds: keep them rather than throw the work away.
            running = [f for f in futures if f not in handled and not f.cancelled()]
            done, _ = wait(running, timeout=timeout or 180.0)
            for future in done:
                if future not in handled:
                    handle(future)
            report.seconds = time.perf_counter() - start
            raise Interrupted(
                f"Interrupted: {len(report.done)} page(s) OCR'd and kept, "
                f"{report.total - report.finished_count()} not done.",
                hint="Run the same command again to resume; finished pages are skipped.",
            ) from None
    report.seconds = time.perf_counter() - start
    return report
