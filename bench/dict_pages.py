"""Independent Russian test pages for the dictionary benchmarks: texts that are NOT the sample archive.

The texts are the Russian quotations of Debian's ``fortunes-ru`` (GPL-2; one file per month of 2001–2004, so a
file is a *document*), with their attributions dropped and ё written е as a typewriter of the period had no ё.
Each document becomes one page typed and aged by ``tools/render_samples.py`` (its typewriter and microfilm
model), then damaged further by one of four kinds (none, blur, noise, blur + noise + JPEG), and read by plain
Tesseract (``-l rus``, one thread). Pages, ground truth and OCR outputs are cached outside git, in
``.workbench-cache/bench_dict/pages/`` (or ``$WORKBENCH_BENCH_CACHE``).

The split is by document: even-numbered documents are the development split (weights are fitted there),
odd-numbered ones the held-out split (only reported).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WORKBENCH_BENCH_CACHE", REPO / ".workbench-cache" / "bench_dict"))
FORTUNES = Path("/usr/share/games/fortunes/ru")
DAMAGE = ("none", "blur", "noise", "blur+noise+jpeg")
#: Characters the pages may carry (the rest of a quotation is dropped with it).
_ALLOWED = re.compile(r"^[А-Яа-яЁё0-9 .,;:!?()«»\"'\-–—/%№]+$")


@dataclass(frozen=True)
class Page:
    """One rendered test page: its document, split, damage, ground truth and plain Tesseract text."""

    name: str
    split: str
    damage: str
    truth: str
    ocr: str


def fortune_files() -> list[Path]:
    """The UTF-8 fortune files, one per month (``.u8``), sorted."""
    if not FORTUNES.is_dir():
        sys.exit(f"{FORTUNES} is missing: `apt-get install fortunes-ru` (Debian) gives the benchmark its texts.")
    return sorted(p for p in FORTUNES.iterdir() if p.suffix == ".u8" or (p.suffix == "" and "." in p.name))


def quotations(path: Path) -> list[str]:
    """The quotations of one fortune file that are plain Russian prose, each joined into one line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    out = []
    for block in text.split("\n%\n"):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip() and not ln.strip().startswith("--")]
        q = " ".join(lines).replace("ё", "е").replace("Ё", "Е")
        q = re.sub(r"\s+", " ", q).strip()
        if len(q) < 40 or not _ALLOWED.match(q) or len(re.findall(r"[А-Яа-я]", q)) < 0.6 * len(q):
            continue
        out.append(q)
    return out


def page_text(path: Path, chars: int = 2300) -> str:
    """About one typed page of a fortune file's quotations, a paragraph each."""
    out, size = [], 0
    for q in quotations(path):
        if size + len(q) > chars:
            continue
        out.append(q)
        size += len(q)
        if size > chars - 150:
            break
    return "\n\n".join(out)


def _damage(pixels: object, kind: str, seed: int) -> object:
    import cv2
    import numpy as np

    img = np.asarray(pixels).astype(np.float32)
    rng = np.random.RandomState(seed)
    if "blur" in kind:
        img = cv2.GaussianBlur(img, (0, 0), 1.1)
    if "noise" in kind:
        img = img + rng.normal(0, 14, img.shape).astype(np.float32)
    out = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    if "jpeg" in kind:
        _ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, 35])
        out = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    return out


def _tesseract(image: Path) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    r = subprocess.run(
        ["nice", "-n", "10", "tesseract", str(image), "stdout", "-l", "rus"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=True,
    )
    return r.stdout


def heldout_files(count: int = 24) -> list[Path]:
    """The fortune files the held-out pages are made from (a context corpus must leave them out)."""
    return [p for k, p in enumerate([p for p in fortune_files() if p.suffix == ".u8"][:count]) if k % 2 == 1]


def pages(count: int = 24) -> list[Page]:
    """The first ``count`` fortune documents as rendered, damaged and OCR'd pages (cached)."""
    sys.path.insert(0, str(REPO / "tools"))
    folder = CACHE / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    typewriter = None
    for k, path in enumerate([p for p in fortune_files() if p.suffix == ".u8"][:count]):
        name = f"fortunes-{path.stem}"
        damage = DAMAGE[(k // 2) % len(DAMAGE)]  # both splits get every kind of damage
        split = "dev" if k % 2 == 0 else "heldout"
        gt_file, ocr_file = folder / f"{name}.gt.txt", folder / f"{name}.{damage}.ocr.txt"
        if not (gt_file.exists() and ocr_file.exists()):
            import render_samples as rs  # the sample archive's typewriter and microfilm

            spec = rs.DocumentSpec(id=name, source="", seed=1000 + k, toml="")
            lines = rs.layout(spec, page_text(path))[0]
            if typewriter is None:
                typewriter = rs.Typewriter()
            pixels = rs.render_page(lines, rs.page_seed(name, 1000 + k), typewriter)
            image = folder / f"{name}.{damage}.png"
            import cv2

            cv2.imwrite(str(image), _damage(pixels, damage, k))  # type: ignore[arg-type]
            gt_file.write_text(rs.ground_truth(lines), encoding="utf-8")
            ocr_file.write_text(_tesseract(image), encoding="utf-8")
            image.unlink()  # 2–5 MB a page; the OCR text is what the benchmark needs
        out.append(Page(name, split, damage, gt_file.read_text(encoding="utf-8"), ocr_file.read_text(encoding="utf-8")))
    return out


if __name__ == "__main__":
    for p in pages(int(sys.argv[1]) if len(sys.argv) > 1 else 24):
        print(p.name, p.split, p.damage, len(p.truth.split()), "words")
