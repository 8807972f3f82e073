"""Export of the whole sample archive in each hand-over format (figures go to BENCHMARKS.md, section "exports").

Run: .venv/bin/python bench/bench_export.py [--repeat N]

Copies the sample archive (scans, metadata, the shipped text-only page) to a temporary folder, OCRs every
page once with the real Tesseract (not timed), marks every line of every page reviewed (so the lines export
cuts every line: the largest export it can be), then times, best of N:

  pdf    `export --all --format pdf`   vs. img2pdf of the same scans alone (the plain image PDF, no text)
  tei    `export --all --format tei`   vs. `export --all --format txt` (plain text, a file per page)
  lines  `export --all --format lines` vs. the same line boxes cropped with Pillow, no deskew (plain crop)

and reports the seconds, the size of what was written (MB) and the text layer's fidelity (pdftotext -raw
against the versions: CER, and the share of ≥4-letter words whose text box overlaps the OCR box with
IoU ≥ 0.7). Each export runs in-process through the same core function the command calls.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from workbench.formats import export_pages
from workbench.formats.handover import export_handover
from workbench.formats.source import pages_with_text
from workbench.metrics import character_errors
from workbench.ocr.pipeline import apply_ocr_result, ocr_page
from workbench.project import Project
from workbench.store import TranscriptStore

REPO = Path(__file__).resolve().parent.parent


def sample_copy(dest: Path) -> Project:
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "workbench.toml", dest / "workbench.toml")
    shutil.copytree(REPO / "scans", dest / "scans")
    shipped = REPO / "transcripts" / "azeri-1955-az" / "p1" / "versions" / "0001"
    shutil.copytree(shipped, dest / "transcripts" / "azeri-1955-az" / "p1" / "versions" / "0001")
    project = Project(dest)
    store = TranscriptStore(project)
    for page in project.pages():
        if page.scan is not None:
            apply_ocr_result(store, page.id, ocr_page(project, page.id))
    for pid in pages_with_text(project):
        version = store.read(pid)
        lines = version.text.split("\n")
        store.save(pid, version.text, reviewed=[i for i, line in enumerate(lines) if line.strip()], message="bench")
    return project


def size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def best_of(repeat: int, fn: Callable[[Path], object], base: Path) -> tuple[float, float]:
    """Best wall time of ``repeat`` runs, each into a fresh folder, and the MB the last one wrote."""
    best = float("inf")
    out = base
    for n in range(repeat):
        out = base / f"run{n}"
        t0 = time.perf_counter()
        fn(out)
        best = min(best, time.perf_counter() - t0)
    return best, size_mb(out)


def plain_pdf(project: Project, out: Path) -> None:
    import img2pdf

    out.mkdir(parents=True)
    groups: dict[str, list[bytes]] = {}
    for page in project.pages():
        if page.scan is not None:
            groups.setdefault(page.document, []).append(page.scan.read_bytes())
    for doc, images in groups.items():
        layout = img2pdf.get_fixed_dpi_layout_fun((300, 300))
        (out / f"{doc}.pdf").write_bytes(img2pdf.convert(images, layout_fun=layout))


def plain_crop(project: Project, out: Path) -> None:
    from PIL import Image

    out.mkdir(parents=True)
    store = TranscriptStore(project)
    for page in project.pages():
        layout = store.latest_layout(page.id)
        if page.scan is None or layout is None:
            continue
        with Image.open(page.scan) as im:
            for j, line in enumerate(layout["lines"]):
                x, y, w, h = line["box"]
                buf = io.BytesIO()
                im.crop((x, y, x + w, y + h)).save(buf, format="PNG")
                (out / f"{page.id.replace('/', '_')}_{j}.png").write_bytes(buf.getvalue())


def fidelity(project: Project, pdf_dir: Path) -> tuple[float, float, int]:
    """CER of pdftotext -raw against the versions over all PDF pages, and the IoU ≥ 0.7 share of ≥4-letter words."""
    store = TranscriptStore(project)
    errors = length = good = total = 0
    for pdf in sorted(pdf_dir.glob("*.pdf")):
        doc = pdf.stem
        pids = [p.id for p in project.pages() if p.document == doc and p.scan is not None]
        for n, pid in enumerate(pids, start=1):
            ref = "\n".join(" ".join(x.split()) for x in store.read(pid).text.split("\n") if x.strip())
            raw = subprocess.run(["pdftotext", "-raw", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True)
            hyp = "\n".join(" ".join(x.split()) for x in raw.stdout.decode().split("\n") if x.strip())
            count = character_errors(ref, hyp)
            errors += count.errors
            length += count.reference_length
            layout = store.latest_layout(pid) or {"lines": [], "width": 1}
            ocr = [w for line in layout["lines"] for w in line["words"]]
            bbox = subprocess.run(
                ["pdftotext", "-bbox", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True
            )
            page = etree.fromstring(re.sub(rb"<!DOCTYPE[^>]*>", b"", bbox.stdout)).find(".//{*}page")
            scale = layout["width"] / float(page.get("width"))
            for word in page:
                text = word.text or ""
                if sum(c.isalpha() for c in text) < 4:
                    continue
                box = [float(word.get(k)) * scale for k in ("xMin", "yMin", "xMax", "yMax")]
                twins = [w["box"] for w in ocr if w["text"] == text]
                if not twins:
                    continue
                total += 1
                good += max(iou(box, b) for b in twins) >= 0.7
    return errors / max(1, length), good / max(1, total), total


def iou(a: list[float], b: list[int]) -> float:
    iw = max(0.0, min(a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + b[2] * b[3] - inter
    return inter / union if union else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        project = sample_copy(root / "archive")
        print(f"set-up (OCR of {len(project.pages()) - 1} pages, not timed below): {time.perf_counter() - t0:.1f} s")
        ids = pages_with_text(project)
        rows = [
            ("pdf", lambda o: export_handover(project, ids, "pdf", o)),
            ("  img2pdf, scans only", lambda o: plain_pdf(project, o)),
            ("tei", lambda o: export_handover(project, ids, "tei", o)),
            ("  txt export", lambda o: export_pages(project, ids, "txt", o)),
            ("lines", lambda o: export_handover(project, ids, "lines", o)),
            ("  plain crop", lambda o: plain_crop(project, o)),
        ]
        print(f"{'format':<24}{'seconds':>9}{'MB':>8}")
        results: dict[str, tuple[float, float]] = {}
        for name, fn in rows:
            seconds, mb = best_of(args.repeat, fn, root / name.strip().replace(" ", "_"))
            results[name] = (seconds, mb)
            print(f"{name:<24}{seconds:>9.2f}{mb:>8.2f}")
        for fmt, plain in (("pdf", "  img2pdf, scans only"), ("tei", "  txt export"), ("lines", "  plain crop")):
            print(f"{fmt}: {results[fmt][0] / results[plain][0]:.1f}× the time of{plain}")
        lines = sum(1 for _ in (root / "lines" / f"run{args.repeat - 1}").glob("*.png"))
        print(f"lines written: {lines}")
        if shutil.which("pdftotext"):
            cer, share, total = fidelity(project, root / "pdf" / f"run{args.repeat - 1}")
            print(f"text layer: CER {cer:.3%} (pdftotext -raw vs versions); {share:.1%} of {total} words IoU ≥ 0.7")


if __name__ == "__main__":
    main()
