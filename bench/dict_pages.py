"""Independent test pages for the dictionary benchmarks: texts that are NOT the sample archive.

Two kinds of page, both read by plain Tesseract (one thread, default page segmentation), whose output and
ground truth are cached outside git in ``.workbench-cache/bench_dict/`` (or ``$WORKBENCH_BENCH_CACHE``):

* ``fortunes`` (Russian): the quotations of Debian's ``fortunes-ru`` (GPL-2; one file per month of 2001–2004,
  so a file is a *document*), with their attributions dropped and ё written е as a typewriter of the period
  had no ё. Each document becomes one page typed and aged by ``tools/render_samples.py`` (its typewriter and
  microfilm model), then damaged further by one of four kinds (none, blur, noise, blur + noise + JPEG).
  Split by document: even-numbered documents are the development split, odd-numbered ones held out.
* ``suite-rus`` / ``suite-aze``: the OCR benchmark's augraphy-degraded pages (``bench/degraded_suite.py``:
  Russian, eight kinds of damage at three strengths; Azerbaijani 1939 Cyrillic, four kinds at two), read
  with ``-l rus`` and ``-l aze_cyrl``. Each (kind, strength) has a development page and a held-out page with
  different texts and seeds.

Typefaces: the development pages are typed in FreeMono (the sample archive's face); the held-out pages in
Nimbus Mono PS (URW's Courier), a face nothing was tuned on. The same held-out texts typed in FreeMono are
kept as a reference split, ``heldout-devfont`` (the OCR benchmark's own held-out suite pages).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("WORKBENCH_BENCH_CACHE", REPO / ".workbench-cache" / "bench_dict"))
FORTUNES = Path("/usr/share/games/fortunes/ru")
DAMAGE = ("none", "blur", "noise", "blur+noise+jpeg")
DEV_FONT, HELDOUT_FONT = "freemono", "nimbusmono"
#: Splits in report order: tuned on, held out (another typeface), the held-out texts in the development face.
SPLITS = ("dev", "heldout", "heldout-devfont", "samples")
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
    #: ``fortunes``, ``suite-rus`` or ``suite-aze``
    set: str = "fortunes"
    lang: str = "rus"
    #: the damage's strength (suite pages; 0 for the fortunes pages)
    level: int = 0
    font: str = DEV_FONT


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


def _tesseract(image: Path, lang: str = "rus") -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    r = subprocess.run(
        ["nice", "-n", "10", "tesseract", str(image), "stdout", "-l", lang],
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


def _fortune_page(k: int, path: Path, font: str, split: str) -> Page:
    """Document ``k`` typed in ``font``, damaged, read (cached)."""
    sys.path.insert(0, str(REPO / "tools"))
    folder = CACHE / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"fortunes-{path.stem}"
    damage = DAMAGE[(k // 2) % len(DAMAGE)]  # both splits get every kind of damage
    tag = "" if font == DEV_FONT else f".{font}"  # FreeMono pages keep the names they were cached under
    gt_file, ocr_file = folder / f"{name}.gt.txt", folder / f"{name}.{damage}{tag}.ocr.txt"
    if not (gt_file.exists() and ocr_file.exists()):
        import render_samples as rs  # the sample archive's typewriter and microfilm

        spec = rs.DocumentSpec(id=name, source="", seed=1000 + k, toml="")
        lines = rs.layout(spec, page_text(path))[0]
        pixels = rs.render_page(lines, rs.page_seed(name, 1000 + k), rs.Typewriter(font))
        image = folder / f"{name}.{damage}{tag}.png"
        import cv2

        cv2.imwrite(str(image), _damage(pixels, damage, k))  # type: ignore[arg-type]
        gt_file.write_text(rs.ground_truth(lines), encoding="utf-8")
        ocr_file.write_text(_tesseract(image), encoding="utf-8")
        image.unlink()  # 2–5 MB a page; the OCR text is what the benchmark needs
    truth, ocr = gt_file.read_text(encoding="utf-8"), ocr_file.read_text(encoding="utf-8")
    return Page(name, split, damage, truth, ocr, font=font)


def pages(count: int = 24, reference: bool = False, splits: tuple[str, ...] = SPLITS) -> list[Page]:
    """The first ``count`` fortune documents as rendered, damaged and OCR'd pages (cached): development
    documents in the development face, held-out ones in the held-out face (and, with ``reference``, again in
    the development face as split ``heldout-devfont``)."""
    out = []
    for k, path in enumerate([p for p in fortune_files() if p.suffix == ".u8"][:count]):
        if k % 2 == 0:
            if "dev" in splits:
                out.append(_fortune_page(k, path, DEV_FONT, "dev"))
            continue
        if "heldout" in splits:
            out.append(_fortune_page(k, path, HELDOUT_FONT, "heldout"))
        if reference and "heldout-devfont" in splits:
            out.append(_fortune_page(k, path, DEV_FONT, "heldout-devfont"))
    return out


def _suite(font: str, split: str) -> list[dict[str, Any]]:
    sys.path.insert(0, str(REPO / "bench"))
    import degraded_suite

    return degraded_suite.build(CACHE / f"suite-{font}-{split}", font=font, splits=(split,))


def suite_pages(reference: bool = False, splits: tuple[str, ...] = SPLITS) -> list[Page]:
    """The degraded suite's pages read by plain Tesseract (cached): development pages in the development face,
    held-out pages in the held-out face (with ``reference``, also in the development face)."""
    plan = [(DEV_FONT, "dev", "dev"), (HELDOUT_FONT, "held", "heldout")]
    if reference:
        plan.append((DEV_FONT, "held", "heldout-devfont"))
    out = []
    for font, half, split in plan:
        if split not in splits:
            continue
        for it in _suite(font, half):
            image = Path(it["image"])
            ocr_file = image.with_suffix(".ocr.txt")
            if not ocr_file.exists():
                ocr_file.write_text(_tesseract(image, it["lang"]), encoding="utf-8")
            lang = "rus" if it["lang"] == "rus" else "aze_cyrl"
            out.append(
                Page(
                    name=it["id"],
                    split=split,
                    damage=f"{it['kind']}{it['level']}",
                    truth=it["gt"],
                    ocr=ocr_file.read_text(encoding="utf-8"),
                    set="suite-rus" if lang == "rus" else "suite-aze",
                    lang=lang,
                    level=int(it["level"]),
                    font=font,
                )
            )
    return out


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    for p in [*pages(count, reference=True), *suite_pages(reference=True)]:
        print(p.set, p.name, p.split, p.font, p.damage, len(p.truth.split()), "words", flush=True)
