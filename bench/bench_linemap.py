"""How long tying text lines to image lines takes after an edit (``workbench.linemap.line_map``).

Two pages:

- **60 lines**: the real Tesseract layouts of ``bagirov-1946/p1`` and ``p3`` (``tests/data/ocr/``, 61 image
  lines) against their ground truth (the corrected text, with the blank lines between paragraphs: 83 text
  lines), so every line differs from its OCR the way a corrected page does.
- **300 lines**: the ground truth of every sample page (typed lines repeated to 300), laid out with
  ``workbench.tui.sample.render_page`` and given OCR-like errors (1 letter in 20 replaced, seeded).

Each round changes one letter of a random line of the page (a keystroke), so the cache never answers, and
times one ``line_map`` call. For scale, the same rounds time the plain stdlib line diff
(``difflib.SequenceMatcher`` on the lines, exact matches only: the obvious tool, which cannot tie a
corrected line to its image line) and one ``rapidfuzz.process.cdist`` of all line pairs.

Usage: ``.venv/bin/python bench/bench_linemap.py [--rounds 200]``
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz import process  # noqa: E402
from rapidfuzz.distance import Indel  # noqa: E402

from workbench.linemap import layout_line_texts, line_map  # noqa: E402
from workbench.tui.sample import render_page  # noqa: E402

PAGES = [
    "bagirov-1946/p1",
    "bagirov-1946/p2",
    "bagirov-1946/p3",
    "bagirov-1946/p4",
    "bagirov-1946/p5",
    "azeri-1955-ru/p1",
    "azeri-1955-ru/p2",
    "azeri-1955-ru/p3",
    "azeri-1955-ru/p4",
    "yakubov-1953-az/p1",
]


def real_60() -> tuple[str, dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    texts: list[str] = []
    for page in ("bagirov-1946/p1", "bagirov-1946/p3"):
        layout = json.loads((REPO / "tests/data/ocr" / f"{page.replace('/', '-')}.layout.json").read_text())
        lines += layout["lines"]
        texts.append((REPO / "ground-truth" / f"{page}.txt").read_text(encoding="utf-8").rstrip("\n"))
    return "\n\n".join(texts), {"width": 2480, "height": 7016, "lines": lines}


def synthetic_300() -> tuple[str, dict[str, Any]]:
    typed = [
        line
        for page in PAGES
        for line in (REPO / "ground-truth" / f"{page}.txt").read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    typed = (typed * 2)[:300]
    _, layout = render_page(typed)
    rnd = random.Random(300)
    for line in layout["lines"]:
        for word in line["words"]:
            word["text"] = "".join(c if rnd.random() > 0.05 else "ж" for c in word["text"])
    return "\n".join(typed), layout


def keystroke(text: str, rnd: random.Random) -> str:
    lines = text.split("\n")
    i = rnd.randrange(len(lines))
    if lines[i]:
        k = rnd.randrange(len(lines[i]))
        lines[i] = lines[i][:k] + rnd.choice("абвгдежз") + lines[i][k + 1 :]
    return "\n".join(lines)


def timed(fn: Any, texts: list[str]) -> list[float]:
    out = []
    for text in texts:
        t0 = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    for name, (text, layout) in (("60-line page (real OCR)", real_60()), ("300-line page", synthetic_300())):
        rnd = random.Random(1)
        texts = [text] + [keystroke(text, rnd) for _ in range(args.rounds)]
        images = list(layout_line_texts(layout))
        line_map(texts[0], layout)  # warm: the layout's side is cached across keystrokes, as in the app
        ours = timed(lambda t: line_map(t, layout), texts[1:])  # noqa: B023
        plain = timed(lambda t: difflib.SequenceMatcher(None, t.split("\n"), images).get_opcodes(), texts[1:])  # noqa: B023
        cdist = timed(
            lambda t: process.cdist(t.split("\n"), images, scorer=Indel.normalized_similarity),  # noqa: B023
            texts[1:],
        )
        mapped = sum(j is not None for j in line_map(text, layout))

        def q(v: list[float], p: float) -> float:
            return sorted(v)[min(len(v) - 1, int(p * len(v)))]

        typed = sum(1 for s in text.split("\n") if s.strip())
        print(f"{name}: {typed} typed lines (and blank ones), {len(images)} image lines; {mapped} typed lines tied")
        m_ours, m_plain, m_cdist = statistics.median(ours), statistics.median(plain), statistics.median(cdist)
        print(f"  line_map           median {m_ours:6.2f} ms  p95 {q(ours, 0.95):6.2f} ms")
        print(f"  difflib lines      median {m_plain:6.2f} ms  (line_map / this: {m_ours / m_plain:.1f}×)")
        print(f"  rapidfuzz cdist    median {m_cdist:6.2f} ms  (line_map / this: {m_ours / m_cdist:.1f}×)")


if __name__ == "__main__":
    main()
