"""The project's Azerbaijani model (``models/aze_cyrl_wb.traineddata``) against plain ``aze_cyrl`` and the
OCR pipeline's fusion, per letter, on material none of them was trained on.

Sets (all measured in one run, so the ratios hold even on a shared, noisy machine):
  lines    held-out rendered lines in both alphabets (1939 with й, 1958 with ј), made by the training
           script's own generator with another seed, minus any line of the training text (``--train-text``);
           text2image FreeMono, degraded at three strengths; read line by line (``--psm 7``)
  letters  the same, but lines rich in the measured letters and their capitals (the generator's boost lines,
           another seed), so that each capital's recall rests on tens of occurrences, not a handful
  pages    rendered Azerbaijani typescript pages in four looks (typed, carbon, microfilm-grain, worn) by the
           sample archive's typewriter renderer (tools/render_samples.py: another renderer than training's),
           plus the sample archive's yakubov-1953-az/p1 (its text never entered training)
  russian  the sample archive's Russian pages: ``rus`` alone against ``rus+aze_cyrl_wb``

Engines: ``aze_cyrl`` (plain Tesseract, its artefacts repaired by ``normalise_aze_cyrl`` as the workbench
does; the raw artefacts are counted), ``fusion`` (the pipeline's ``auto`` mode with the system models, pages
only), ``wb`` (plain Tesseract with the project's model), ``wb-pipeline`` (the pipeline's ``auto`` mode with
the project's model, ``[ocr] aze_model = "workbench"``; pages only). Per-letter recall and precision come from a
minimal-edit alignment (workbench.metrics.align) of each reading against its ground truth.

    .venv/bin/python bench/bench_aze_model.py [--lines 40] [--pages 2] [--model models/aze_cyrl_wb.traineddata]
        [--sets lines,letters,pages,russian] [--keep DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tools"))
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from workbench.metrics import align, character_errors  # noqa: E402
from workbench.ocr.azeri import normalise_aze_cyrl  # noqa: E402
from workbench.ocr.models import PROJECT_MODEL, tessdata_with  # noqa: E402

LETTERS = "әғҝһөүҹйјшч"
TARGET = LETTERS + LETTERS.upper()
ARTEFACTS = ["с̧", "ҹ̧", "ҝ̆", "ӧ", "ӱ", "ы̇", "С̧", "Ҹ̧", "Ҝ̆", "Ӧ", "Ӱ", "Ы̇"]
SYSTEM_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")
STRENGTHS = (0.15, 0.5, 0.9)


def norm(text: str) -> str:
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def tesseract(image: Path, lang: str, psm: int, tessdata: Path | None = None) -> str:
    args = ["tesseract", str(image), "-", "-l", lang, "--psm", str(psm)]
    if tessdata is not None:
        args += ["--tessdata-dir", str(tessdata)]
    res = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False)
    return res.stdout


class Tally:
    """Errors, per-letter hits and artefacts of one engine on one set."""

    def __init__(self) -> None:
        self.errors = 0
        self.chars = 0
        self.ref = Counter[str]()
        self.hyp = Counter[str]()
        self.hit = Counter[str]()
        #: (target letter, what it was read as: another character, "" when dropped) for every miss.
        self.confused = Counter[tuple[str, str]]()
        self.artefacts = 0
        #: Lines (or pages) read as nothing at all: Tesseract found no text line, so no letter could be read.
        self.empty = 0
        #: Occurrences of each letter in lines read as nothing (no reading at all, rather than a misreading).
        self.unread = Counter[str]()

    def add(self, gt: str, raw: str, text: str) -> None:
        gt, text = norm(gt), norm(text)
        self.empty += bool(gt) and not text
        ec = character_errors(gt, text)
        self.errors += ec.errors
        self.chars += ec.reference_length
        for a, b in align(gt, text):
            if a is not None and a in TARGET:
                self.ref[a] += 1
                if not text:
                    self.unread[a] += 1
                if b == a:
                    self.hit[a] += 1
                else:
                    self.confused[a, b or ""] += 1
            if b is not None and b in TARGET:
                self.hyp[b] += 1
        self.artefacts += sum(raw.count(a) for a in ARTEFACTS)

    def cer(self) -> float:
        return 100.0 * self.errors / max(1, self.chars)

    def letters(self) -> dict[str, dict[str, float | int | None]]:
        out: dict[str, dict[str, float | int | None]] = {}
        for ch in TARGET:
            n = self.ref[ch]
            out[ch] = {
                "n": n,
                "unread": self.unread[ch],
                "hit": self.hit[ch],
                "hyp": self.hyp[ch],
                "recall": round(100.0 * self.hit[ch] / n, 1) if n else None,
                "precision": round(100.0 * self.hit[ch] / self.hyp[ch], 1) if self.hyp[ch] else None,
                "read_as": {b or "∅": k for (a, b), k in self.confused.most_common() if a == ch},
            }
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "cer": round(self.cer(), 2),
            "chars": self.chars,
            "artefacts": self.artefacts,
            "empty": self.empty,
            "letters": self.letters(),
        }


def held_out_lines(n: int, seed: int, train_texts: list[Path], rich: bool = False) -> dict[str, list[str]]:
    """``n`` Azerbaijani lines per alphabet from the training generator (another seed), none seen in training.

    ``rich``: lines rich in the measured letters and their capitals (the generator's ``boost_line``), so
    that a capital's recall rests on more than a handful of occurrences.
    """
    import train_model

    seen: set[str] = set()
    for p in train_texts:
        if p.exists():
            seen.update(p.read_text(encoding="utf-8").splitlines())
    maker = train_model.LineMaker(random.Random(seed + (5 if rich else 0)))
    out: dict[str, list[str]] = {"1939": [], "1958": []}
    for orth in out:
        while len(out[orth]) < n:
            line = maker.boost_line(orth) if rich else maker.line("aze", orth)
            if line not in seen:
                out[orth].append(line)
    return out


def bench_lines(
    lines: dict[str, list[str]], tessdata: Path, work: Path, seed: int, prefix: str = "line"
) -> dict[str, Any]:
    import train_model

    results: dict[str, Any] = {}
    for orth, texts in lines.items():
        for strength in STRENGTHS:
            rng = np.random.default_rng([seed, int(strength * 100), int(orth)])
            pairs = train_model.render_lines(
                texts, work / f"{prefix}{orth}_{int(strength * 100)}", "FreeMono", rng, (strength, strength)
            )
            tallies = {"aze_cyrl": Tally(), "wb": Tally()}
            misses: list[dict[str, str]] = []
            for i, (img, gt) in enumerate(pairs):
                path = work / f"{prefix}_{orth}_{int(strength * 100)}_{i}.png"
                cv2.imwrite(str(path), img)
                raw = tesseract(path, "aze_cyrl", 7)
                tallies["aze_cyrl"].add(gt, raw, normalise_aze_cyrl(raw, orth))
                raw = tesseract(path, PROJECT_MODEL, 7, tessdata)
                missed = sum(tallies["wb"].confused.values())
                tallies["wb"].add(gt, raw, raw)
                if sum(tallies["wb"].confused.values()) > missed:  # a target letter misread: keep for a look
                    misses.append({"image": path.name, "truth": gt, "wb": norm(raw)})
            results[f"{orth}/{strength}"] = {k: t.summary() for k, t in tallies.items()}
            results[f"{orth}/{strength}"]["wb"]["misses"] = misses
            print(
                f"lines {orth} strength {strength}: "
                + ", ".join(f"{k} CER {t.cer():.2f} %" for k, t in tallies.items()),
                file=sys.stderr,
                flush=True,
            )
    return results


# -- pages --------------------------------------------------------------------------------------------------


def page_text(maker: Any, orth: str, n_lines: int) -> list[str]:
    """Typescript lines of at most 62 characters from the generator's Azerbaijani sentences."""
    import textwrap

    words: list[str] = []
    while len(words) < n_lines * 9:
        words += maker.line("aze", orth).split()
    return textwrap.wrap(" ".join(words), 62)[:n_lines]


def render_look(lines: list[str], look: str, seed: int) -> np.ndarray:
    """One page in a look: typed (clean), carbon (soft, spread), microfilm-grain (the sample archive's ageing),
    worn (faint and broken type, then the ageing)."""
    import render_samples as rs

    rng = np.random.RandomState(seed)
    typed = [rs.Line(text=t) for t in lines]
    saved = (rs.FILLED, rs.FAINT, rs.BROKEN)
    if look == "worn":
        rs.FILLED, rs.FAINT, rs.BROKEN = 0.05, 0.15, 0.15
    try:
        ink = rs.Typewriter().type_page(typed, rng)
    finally:
        rs.FILLED, rs.FAINT, rs.BROKEN = saved
    if look == "typed":
        img = 235 - np.clip(ink, 0, 1) * 190
        img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), 0.8)
        return np.clip(img, 0, 255).astype(np.uint8)
    if look == "carbon":
        ink = cv2.GaussianBlur(ink, (0, 0), 2.2) * 0.75
        img = 215 - np.clip(ink * 1.3, 0, 1) * 140 + rng.normal(0, 6, ink.shape)
        return np.clip(img, 0, 255).astype(np.uint8)
    return rs.age_page(ink, rng)


def fusion_reader(pages: dict[str, tuple[Path, str]], orth: str, model: str, model_file: Path) -> dict[str, str]:
    """The pipeline's ``auto`` reading of each page, in a throw-away project (``model``: workbench|tesseract;
    with ``workbench`` the project holds ``model_file`` as its own model)."""
    from workbench.project import Project

    os.environ["WORKBENCH_AZE_MODEL"] = model
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-aze-") as tmp:
        root = Path(tmp)
        (root / "workbench.toml").write_text('[project]\nname = "bench"\n[ocr]\nlang = "auto"\n', encoding="utf-8")
        doc = root / "scans" / "bench"
        doc.mkdir(parents=True)
        (doc / "document.toml").write_text(
            f'title = "bench"\ndate = "1950"\nlanguages = ["aze_cyrl"]\northography = "{orth}"\n', encoding="utf-8"
        )
        for name, (image, _gt) in pages.items():
            (doc / f"{name}{image.suffix}").write_bytes(image.read_bytes())
        (root / "models").mkdir()
        (root / "models" / f"{PROJECT_MODEL}.traineddata").write_bytes(model_file.read_bytes())
        from workbench.ocr.pipeline import ocr_page

        project = Project(root)
        for name in pages:
            out[name] = ocr_page(project, f"bench/{name}").text
    return out


def bench_pages(
    n_pages: int, tessdata: Path, model_file: Path, work: Path, seed: int, train_texts: list[Path]
) -> dict[str, Any]:
    import train_model

    seen: set[str] = set()
    for p in train_texts:
        if p.exists():
            seen.update(p.read_text(encoding="utf-8").splitlines())
    maker = train_model.LineMaker(random.Random(seed + 7))
    results: dict[str, Any] = {}
    sets: dict[str, dict[str, tuple[Path, str]]] = {}
    for look in ("typed", "carbon", "microfilm-grain", "worn"):
        pages: dict[str, tuple[Path, str]] = {}
        for k in range(n_pages):
            orth = "1939" if k % 2 == 0 else "1958"
            lines = page_text(maker, orth, 24)
            img = render_look(lines, look, seed * 100 + k)
            path = work / f"page_{look}_{k}_{orth}.png"
            cv2.imwrite(str(path), img)
            pages[path.stem] = (path, "\n".join(lines))
        sets[look] = pages
    gt_yak = REPO / "ground-truth" / "yakubov-1953-az" / "p1.txt"
    if not gt_yak.exists():
        gt_yak = REPO / "ground-truth" / "yakubov-1953-az.p1.txt"
    yak_scan = REPO / "scans" / "yakubov-1953-az" / "p1.jpg"
    if gt_yak.exists() and yak_scan.exists():
        sets["yakubov-1953-az/p1"] = {"yakubov": (yak_scan, gt_yak.read_text(encoding="utf-8"))}
    for look, pages in sets.items():
        tallies = {"aze_cyrl": Tally(), "fusion": Tally(), "wb": Tally(), "wb-pipeline": Tally()}
        by_orth: dict[str, dict[str, tuple[Path, str]]] = {}
        for name, item in pages.items():
            by_orth.setdefault("1958" if name.endswith("1958") else "1939", {})[name] = item
        readings: dict[str, dict[str, str]] = {}
        for orth, group in by_orth.items():
            fused = fusion_reader(group, orth, "tesseract", model_file)
            piped = fusion_reader(group, orth, "workbench", model_file)
            for name, (path, gt) in group.items():
                raw = tesseract(path, "aze_cyrl", 3)
                tallies["aze_cyrl"].add(gt, raw, normalise_aze_cyrl(raw, orth))
                tallies["fusion"].add(gt, fused[name], fused[name])
                wb = tesseract(path, PROJECT_MODEL, 3, tessdata)
                tallies["wb"].add(gt, wb, wb)
                tallies["wb-pipeline"].add(gt, piped[name], piped[name])
                readings[name] = {"truth": norm(gt), "fusion": norm(fused[name]), "wb": norm(wb),
                                  "wb-pipeline": norm(piped[name])}  # fmt: skip
        results[look] = {k: t.summary() for k, t in tallies.items()}
        results[look]["wb"]["readings"] = readings
        print(
            f"pages {look}: " + ", ".join(f"{k} CER {t.cer():.2f} %" for k, t in tallies.items()),
            file=sys.stderr,
            flush=True,
        )
    return results


def bench_russian(tessdata: Path) -> dict[str, Any]:
    """The sample archive's Russian pages: ``rus`` against ``rus+aze_cyrl_wb`` (and ``rus+aze_cyrl``)."""
    tallies = {"rus": Tally(), "rus+aze_cyrl": Tally(), f"rus+{PROJECT_MODEL}": Tally()}
    for doc in ("bagirov-1946", "azeri-1955-ru"):
        for scan in sorted((REPO / "scans" / doc).glob("p*.jpg")):
            gt_file = REPO / "ground-truth" / doc / f"{scan.stem}.txt"
            if not gt_file.exists():
                continue
            gt = gt_file.read_text(encoding="utf-8")
            for lang, t in tallies.items():
                raw = tesseract(scan, lang, 3, tessdata if PROJECT_MODEL in lang else None)
                t.add(gt, raw, raw)
    out = {k: {"cer": round(t.cer(), 2), "chars": t.chars} for k, t in tallies.items()}
    print("russian: " + ", ".join(f"{k} CER {t.cer():.2f} %" for k, t in tallies.items()), file=sys.stderr)
    return out


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}" if b else "–"


def _line_tables(sets: dict[str, Any], title: str) -> list[str]:
    """CER per set, then recall / precision per letter (with what the last engine misread it as)."""
    rows: list[str] = []
    engines = list(next(iter(sets.values())))
    head = " | ".join(f"{e} CER" for e in engines)
    rows += [
        f"| {title} (alphabet/strength) | {head} | artefacts (aze_cyrl raw) | lines read as nothing "
        f"({' / '.join(engines)}) |",
        "|---|" + "---|" * (len(engines) + 2),
    ]
    for key, res in sets.items():
        cers = " | ".join(f"{res[e]['cer']:.2f} %" for e in engines)
        empty = " / ".join(str(res[e].get("empty", "?")) for e in engines)
        rows.append(f"| {key} | {cers} | {res['aze_cyrl']['artefacts']} | {empty} |")
    head = " | ".join(f"{e} recall / precision" for e in engines)
    last = engines[-1]
    rows += [
        "",
        f"| letter | n | {head} | {last} recall on lines it read (n) | {last} misread as |",
        "|---|---|" + "---|" * (len(engines) + 2),
    ]
    for ch in TARGET:
        n = sum(res[engines[0]]["letters"][ch]["n"] for res in sets.values())
        if not n:
            continue
        cells = []
        for e in engines:
            hit = sum(res[e]["letters"][ch]["hit"] for res in sets.values())
            hyp = sum(res[e]["letters"][ch]["hyp"] for res in sets.values())
            cells.append(f"{_pct(hit, n)} / {_pct(hit, hyp)}")
        hit = sum(res[last]["letters"][ch]["hit"] for res in sets.values())
        read = n - sum(res[last]["letters"][ch].get("unread", 0) for res in sets.values())
        cells.append(f"{_pct(hit, read)} ({read})")
        misread = Counter[str]()
        for res in sets.values():
            misread.update(res[last]["letters"][ch].get("read_as", {}))
        cells.append(", ".join(f"{b} {k}" for b, k in misread.most_common(4)) or "–")
        rows.append(f"| {ch} | {n} | " + " | ".join(cells) + " |")
    return rows


def markdown(out: dict[str, Any]) -> str:
    """The figures as the Markdown tables BENCHMARKS.md shows."""
    rows: list[str] = []
    for key in ("lines", "letters"):
        if key in out:
            rows += _line_tables(out[key], key)
    if "pages" in out:
        engines = list(next(iter(out["pages"].values())))
        head = " | ".join(f"{e} CER" for e in engines)
        rows += ["", f"| pages | chars | {head} | artefacts ({' / '.join(engines)}) |"]
        rows.append("|---|---|" + "---|" * (len(engines) + 1))
        for look, res in out["pages"].items():
            cers = " | ".join(f"{res[e]['cer']:.2f} %" for e in engines)
            arts = " / ".join(str(res[e]["artefacts"]) for e in engines)
            rows.append(f"| {look} | {res[engines[0]]['chars']} | {cers} | {arts} |")
    if "russian" in out:
        r = out["russian"]
        base = r["rus"]["cer"] or 1e-9
        rows += ["", "| Russian pages | chars | CER | / rus |", "|---|---|---|---|"]
        for k, v in r.items():
            rows.append(f"| `-l {k}` | {v['chars']} | {v['cer']:.2f} % | {v['cer'] / base:.3f} |")
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=REPO / "models" / f"{PROJECT_MODEL}.traineddata")
    p.add_argument("--lines", type=int, default=40, help="held-out lines per alphabet and strength")
    p.add_argument("--pages", type=int, default=2, help="rendered pages per look")
    p.add_argument("--sets", default="lines,letters,pages,russian")
    p.add_argument(
        "--train-text",
        type=Path,
        action="append",
        default=[],
        help="training text(s) whose lines must not be measured on (default: /work/train-aze/*/text/*.txt)",
    )
    p.add_argument("--seed", type=int, default=20261202)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--keep", type=Path, default=None, help="keep the rendered lines and pages in this folder")
    a = p.parse_args()
    train_texts = a.train_text or sorted(Path("/work/train-aze").glob("*/text/*.txt"))
    tessdata = tessdata_with(a.model.resolve(), SYSTEM_TESSDATA)
    t0 = time.time()
    out: dict[str, Any] = {"machine": platform.platform(), "model": str(a.model), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="bench-aze-") as tmp:
        work = Path(tmp) if a.keep is None else a.keep
        work.mkdir(parents=True, exist_ok=True)
        if "lines" in a.sets:
            out["lines"] = bench_lines(held_out_lines(a.lines, a.seed, train_texts), tessdata, work, a.seed)
        if "letters" in a.sets:
            rich = held_out_lines(a.lines, a.seed, train_texts, rich=True)
            out["letters"] = bench_lines(rich, tessdata, work, a.seed + 1, "rich")
        if "pages" in a.sets:
            out["pages"] = bench_pages(a.pages, tessdata, a.model.resolve(), work, a.seed, train_texts)
        if "russian" in a.sets:
            out["russian"] = bench_russian(tessdata)
    out["seconds"] = round(time.time() - t0, 1)
    text = json.dumps(out, ensure_ascii=False, indent=1)
    if a.json:
        a.json.write_text(text, encoding="utf-8")
    print(text)
    print(markdown(out))


if __name__ == "__main__":
    main()
