#!/usr/bin/env python3
"""Regenerate the sample archive: typewritten "archive scans" rendered from the published texts.

We have no photographs of the original documents, so the pages under ``scans/`` are renderings of the
published transcriptions in ``../shared/data/sample-text/`` (or ``$WORKBENCH_SHARED/data/sample-text``),
made to look like microfilm copies of 1940s-50s typescripts: FreeMono at 10 characters per inch on an A4
page at 300 dpi, 62 characters a line wrapped at word boundaries, uneven ink (darkness per strike, a lighter
side where a key hit at an angle, ribbon texture, occasional faint or filled-in letters), baseline jitter,
a skew of under a degree, paper mottle, speckle, a darker uneven background and the blur of a film copy.

Everything is seeded from the page id, so a re-run gives identical pixels. Beside each scan the script
writes ``ground-truth/<page-id>.txt``: exactly the text on that page, one line per typed line, a blank line
between paragraphs. It also imports the garbled Azerbaijani OCR of the 1955 letter as version 1 of the
text-only page ``azeri-1955-az/p1`` (only if that page has no version yet).

    .venv/bin/python tools/render_samples.py                       # everything, into this repository
    .venv/bin/python tools/render_samples.py --only bagirov-1946/p2 --out /tmp/x   # one page elsewhere
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
FONT_PATH = Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf")  # Debian fonts-freefont-ttf
#: Other typewriter faces a benchmark may type with (same 0.6 em advance, so the same pitch): the URW Courier
#: clone, closer to a real typewriter's slab serifs than FreeMono, with every Azerbaijani Cyrillic letter.
FONTS = {
    "freemono": FONT_PATH,
    "nimbusmono": Path("/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf"),  # Debian fonts-urw-base35
}

DPI = 300
PAGE_W, PAGE_H = 2480, 3508  # A4 at 300 dpi
FONT_PX = 50  # 12 pt: FreeMono's advance is 0.6 em, so 30 px = 10 characters per inch (pica)
PITCH = 30
WRAP = 62  # characters per line: a pica typewriter line between Soviet office margins
LEFT = 354  # 30 mm binding margin
TOP = 260  # first baseline's top, about 22 mm
LINE_PITCH = 62  # between single and one-and-a-half spacing: each original page fits on one of ours
FOOTER_Y = PAGE_H - 230
LINES_PER_PAGE = (FOOTER_Y - 120 - TOP) // LINE_PITCH + 1
PARA_INDENT = 5  # typed paragraph indent, in characters
JPEG_QUALITY = 80
# Chances per struck letter: filled-in counters, a faint strike, part of the letter missing.
FILLED, FAINT, BROKEN = 0.025, 0.05, 0.07
BLUR = 1.2  # microfilm blur, Gaussian sigma in pixels
FILM_SCALE = 0.42  # the film resolved about half the scan's 300 dpi
GUTTER = 55  # grey levels of the binding shadow at the page's left edge
SHOW_THROUGH = 0.15  # darkness of the mirrored typing from the back of the sheet
JITTER = 1.7  # baseline jitter, standard deviation in pixels
SCAN_SUFFIX = ".jpg"

_MARKER_RE = re.compile(r"^\d[\d .]*$")  # folio and page numbers in the transcriptions ("18", "142 2.")


@dataclass(frozen=True)
class DocumentSpec:
    """One sample document: where its text comes from and how it is laid out."""

    id: str
    source: str
    seed: int
    toml: str
    render: bool = True
    centered: frozenset[str] = frozenset()
    right: frozenset[str] = frozenset()
    block_indent: dict[int, int] = field(default_factory=dict)  # paragraph index -> indent in characters


BAGIROV_TOML = '''\
# Written by tools/render_samples.py; change the script, not this file.
title = "Message from Bagirov to Stalin with Reply of the Azerbaijani Democrats"
date = "1946-12-02"
languages = ["rus"]
notes = """\\
Rendered sample, not a photograph: typed pages made by tools/render_samples.py from the published Russian \\
transcription (shared/data/sample-text/bagirov_1946_ru.txt), which keeps its OCR errors (Батиров for Багиров, \\
1444. for 144 4.). Wilson Center Digital Archive item "Message from Bagirov to Stalin with Reply of the \\
Azerbaijani Democrats", December 2, 1946, source line: GAPPOD, f.1, op.89, d.112. Obtained for CWIHP by Jamil \\
Hasanli and translated for CWIHP by Gary Goldberg. \\
https://wilson-center-digital-archive.dvincitest.com/document/120475 \\
The folios 141-145 are the archive's sheet numbers printed in that transcription."""

[citation]
archive = "GAPPOD"
fond = "1"
opis = "89"
delo = "112"
list = "141-145"
'''

AZERI_RU_TOML = '''\
# Written by tools/render_samples.py; change the script, not this file.
title = "Letter to CPSU Central Committee Secretary Khrushchev, from Engineer and Political Émigré Mir Aga Azari"
date = "1955-08-02"
languages = ["rus"]
notes = """\\
Rendered sample, not a photograph: typed pages made by tools/render_samples.py from the published Russian \\
transcription (shared/data/sample-text/azeri_letter_1955_ru.txt); a passage is missing from that transcription \\
after "эти случайные люди", and the rendering keeps the gap. Wilson Center Digital Archive item "Letter to CPSU \\
Central Committee Secretary Khrushchev, from Engineer and Political Émigré Mir Aga Azari", August 2, 1955, \\
source line: RGANI, f. 5, op. 28, d. 347. Department for Relations with Foreign Communist Parties \\
(International Department of the Central Committee), 1953-1957, microfilm, reel 83. Contributed by Roham \\
Alvandi and translated by Gary Goldberg. https://wilson-center-digital-archive.dvincitest.com/document/119698 \\
The Azerbaijani version of the same letter is the text-only document azeri-1955-az."""

[citation]
archive = "RGANI"
fond = "5"
opis = "28"
delo = "347"
'''

AZERI_AZ_TOML = '''\
# Written by tools/render_samples.py; change the script, not this file.
title = "Letter to Khrushchev from Mir Aga Azari, Azerbaijani version (garbled OCR)"
date = "1955-08-02"
languages = ["aze_cyrl"]
orthography = "1939"
notes = """\\
No scan: page p1 is text only. Its version 1 is the garbled OCR of the Azerbaijani version of the letter as \\
published with the Wilson Center item (shared/data/sample-text/azeri_letter_1955_az_garbled_ocr.txt), real \\
output of an OCR engine with the wrong model, imported verbatim (NFC) for a transcriber to correct; the Russian \\
version (document azeri-1955-ru) says what it means. Wilson Center Digital Archive item "Letter to CPSU Central \\
Committee Secretary Khrushchev, from Engineer and Political Émigré Mir Aga Azari", August 2, 1955, source \\
line: RGANI, f. 5, op. 28, d. 347. Department for Relations with Foreign Communist Parties (International \\
Department of the Central Committee), 1953-1957, microfilm, reel 83. Contributed by Roham Alvandi and \\
translated by Gary Goldberg. https://wilson-center-digital-archive.dvincitest.com/document/119698"""

[citation]
archive = "RGANI"
fond = "5"
opis = "28"
delo = "347"
'''

YAKUBOV_TOML = '''\
# Written by tools/render_samples.py; change the script, not this file.
title = """\
Message to N.S. Khrushchev from Secretary of the CC of the CP of Azerbaijan T.A. Yakubov on Work with the \
Azerbaijani Democrats (opening, in Azerbaijani)"""
date = "1953-08-21"
languages = ["aze_cyrl"]
orthography = "1939"
notes = """\\
Rendered sample, not a photograph: one typed page made by tools/render_samples.py from an Azerbaijani \\
rendering of the report's opening in the 1939-58 Cyrillic alphabet (with й), \\
shared/data/sample-text/yakubov_1953_az_cyrl_1939.txt; the Wilson Center publishes the report in English \\
translation. Wilson Center Digital Archive item "Message to N.S. Khrushchev from Secretary of the CC of the \\
CP of Azerbaijan T.A. Yakubov on Work with the Azerbaijani Democrats", August 21, 1953, source line: GAPPOD, \\
f. 1, s. 89, i. 187. Obtained for CWIHP by Jamil Hasanli and translated for CWIHP by Gary Goldberg. \\
(The item's s. and i. are the opis and delo.)"""

[citation]
archive = "GAPPOD"
fond = "1"
opis = "89"
delo = "187"
'''

DOCUMENTS: tuple[DocumentSpec, ...] = (
    DocumentSpec(
        id="bagirov-1946",
        source="bagirov_1946_ru.txt",
        seed=1946,
        toml=BAGIROV_TOML,
        right=frozenset({"И. Д. Багиров."}),
    ),
    DocumentSpec(
        id="azeri-1955-ru",
        source="azeri_letter_1955_ru.txt",
        seed=1955,
        toml=AZERI_RU_TOML,
        centered=frozenset({"П и с ь м о"}),
        right=frozenset({"Азери"}),
        block_indent={0: 20, 1: 20, 2: 20},
    ),
    DocumentSpec(
        id="yakubov-1953-az",
        source="yakubov_1953_az_cyrl_1939.txt",
        seed=1953,
        toml=YAKUBOV_TOML,
        centered=frozenset({"Азәрбайҹан демократлары арасында иш һаггында."}),
    ),
    DocumentSpec(
        id="azeri-1955-az",
        source="azeri_letter_1955_az_garbled_ocr.txt",
        seed=0,
        toml=AZERI_AZ_TOML,
        render=False,
    ),
)
IMPORTED_PAGE = "azeri-1955-az/p1"


# -- layout -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One typed line: its text (as in the ground truth) and where it starts, in character cells."""

    text: str
    column: int = 0  # 0 = the left margin
    footer: bool = False


@dataclass
class Segment:
    """A run of paragraphs between two page-number markers of the original, with its footer line."""

    paragraphs: list[tuple[int, list[str]]] = field(default_factory=list)  # (index in source, lines)
    footer: str | None = None


def shared_dir() -> Path:
    """``$WORKBENCH_SHARED`` or the ``shared/`` folder beside the repository."""
    return Path(os.environ.get("WORKBENCH_SHARED", REPO.parent / "shared"))


def read_source(name: str) -> str:
    """A published sample text, NFC-normalised with ``\\n`` line endings."""
    from workbench.text import read_text

    return read_text(shared_dir() / "data" / "sample-text" / name)


def paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of its source lines (hard breaks kept)."""
    result = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            result.append(lines)
    return result


def segments(paras: list[list[str]]) -> list[Segment]:
    """Split at the original's page breaks.

    The transcriptions keep the numbers typed or stamped at each page break as paragraphs of their own
    ("18", then "142 2."). In a run of two or more such paragraphs the first ends the page (we type it at
    the foot) and the rest head the next page; the original's pages stay our pages where they fit.
    """
    segs = [Segment()]
    i = 0
    while i < len(paras):
        j = i
        while j < len(paras) and len(paras[j]) == 1 and _MARKER_RE.match(paras[j][0]):
            j += 1
        if j - i >= 2:
            segs[-1].footer = paras[i][0]
            segs.append(Segment())
            for k in range(i + 1, j):
                segs[-1].paragraphs.append((k, paras[k]))
            i = j
        else:
            segs[-1].paragraphs.append((i, paras[i]))
            i += 1
    return segs


def wrap_paragraph(spec: DocumentSpec, index: int, lines: list[str]) -> list[Line]:
    """Typed lines of one paragraph: wrapped at word boundaries, never hyphenated."""
    out: list[Line] = []
    block = spec.block_indent.get(index, 0)
    for source_line in lines:
        if len(lines) == 1 and len(source_line) > WRAP - block:
            # A running paragraph: the first line is indented as on a typewriter.
            width = WRAP - block
            wrapped = textwrap.wrap(
                source_line,
                width=width,
                initial_indent=" " * PARA_INDENT,
                break_long_words=False,
                break_on_hyphens=False,
            )
            for n, text in enumerate(wrapped):
                column = block + (PARA_INDENT if n == 0 else 0)
                out.append(Line(text.strip(), column))
            continue
        for text in textwrap.wrap(source_line, width=WRAP - block, break_long_words=False, break_on_hyphens=False):
            if text in spec.centered:
                out.append(Line(text, max(0, (WRAP - len(text)) // 2)))
            elif text in spec.right:
                out.append(Line(text, WRAP - len(text)))
            elif _MARKER_RE.match(text):
                out.append(Line(text, (WRAP - len(text)) // 2))  # page number at the head of a page
            else:
                out.append(Line(text, block))
    return out


def layout(spec: DocumentSpec, text: str) -> list[list[Line]]:
    """The pages of a document, each a list of typed lines (blank lines between paragraphs)."""
    pages: list[list[Line]] = []
    for seg in segments(paragraphs(text)):
        flow: list[Line] = []
        for index, lines in seg.paragraphs:
            if flow:
                flow.append(Line(""))
            flow.extend(wrap_paragraph(spec, index, lines))
        seg_pages = _paginate(flow, LINES_PER_PAGE - (seg.footer is not None))
        if seg.footer is not None:
            # The footer is a paragraph of its own: a blank line before it in the ground truth.
            seg_pages[-1] += [Line(""), Line(seg.footer, WRAP - len(seg.footer), footer=True)]
        pages.extend(seg_pages)
    return pages


def _paginate(flow: list[Line], capacity: int) -> list[list[Line]]:
    """Fill pages evenly (no last page with three lines), breaking between paragraphs where one is near."""
    count = max(1, -(-len(flow) // capacity))
    target = -(-len(flow) // count)
    pages: list[list[Line]] = []
    rest = flow
    while rest:
        while rest and not rest[0].text:
            rest = rest[1:]  # no blank line at the head of a page
        if len(rest) <= capacity:
            pages.append(rest)
            break
        cut = target
        for k in range(min(capacity, target + 4), target - 6, -1):
            if k < len(rest) and not rest[k].text:
                cut = k
                break
        pages.append(rest[:cut])
        rest = rest[cut:]
    for page in pages:
        while page and not page[-1].text:
            page.pop()
    return [p for p in pages if p]


def ground_truth(lines: Iterable[Line]) -> str:
    """The page's ground truth: one text line per typed line, NFC, with a trailing newline."""
    import unicodedata

    return unicodedata.normalize("NFC", "\n".join(line.text for line in lines) + "\n")


# -- rendering --------------------------------------------------------------------------------------------


def page_seed(page_id: str, base: int) -> int:
    """A stable seed per page (``hash()`` is salted per process, so it cannot be used)."""
    return (zlib.crc32(page_id.encode("utf-8")) ^ (base * 2654435761)) & 0x7FFFFFFF


class Typewriter:
    """Strikes characters onto an ink layer (0 = paper, 1 = full ink); glyph bitmaps are cached."""

    def __init__(self, font: str = "freemono") -> None:
        path = FONTS[font]
        if not path.is_file():
            package = "fonts-freefont-ttf" if font == "freemono" else "fonts-urw-base35"
            sys.exit(f"{path} is missing: install the Debian package {package}.")
        self.font = ImageFont.truetype(str(path), FONT_PX)
        self._cache: dict[tuple[str, bool], np.ndarray] = {}
        self.pad = 8

    def glyph(self, ch: str, filled: bool) -> np.ndarray:
        """The glyph of ``ch`` (float 0..1), thickened like a typebar's slug; ``filled`` clogs its counters."""
        key = (ch, filled)
        if key not in self._cache:
            size = (PITCH + 2 * self.pad, FONT_PX + 2 * self.pad)
            im = Image.new("L", size, 0)
            ImageDraw.Draw(im).text((self.pad, self.pad), ch, font=self.font, fill=255)
            arr = np.asarray(im, dtype=np.uint8)
            # FreeMono's strokes are thinner than a typewriter's: grow them by about 2 px.
            arr = cv2.dilate(arr, np.ones((3, 3), np.uint8))
            if filled:
                arr = cv2.morphologyEx(arr, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9)))
            self._cache[key] = arr.astype(np.float32) / 255.0
        return self._cache[key]

    def type_page(self, lines: list[Line], rng: np.random.RandomState) -> np.ndarray:
        """The ink layer of one page."""
        ink = np.zeros((PAGE_H, PAGE_W), np.float32)
        ribbon = 0.9 + 0.06 * rng.uniform(-1, 1)  # a fresh or a tired ribbon
        body = 0
        for line in lines:
            if line.footer:
                top = FOOTER_Y
            else:
                top = TOP + body * LINE_PITCH
                body += 1
            if not line.text:
                continue
            line_dark = ribbon * (1 + 0.05 * rng.standard_normal())
            drift = rng.uniform(-1.5, 1.5)  # the platen does not advance perfectly evenly
            left = LEFT + line.column * PITCH + int(rng.randint(-3, 4))
            for n, ch in enumerate(line.text):
                if ch == " ":
                    continue
                u = rng.uniform()
                filled = u < FILLED and ch in "аеобвдрюяэәөфАОБВДРЭЮЯӘӨ0689"
                faint = FILLED <= u < FILLED + FAINT
                broken = FILLED + FAINT <= u < FILLED + FAINT + BROKEN
                g = self.glyph(ch, filled)
                dark = line_dark * (1 + 0.09 * rng.standard_normal())
                if faint:
                    dark *= rng.uniform(0.35, 0.55)
                if broken:
                    # A worn or clogged typeface: part of the letter did not print.
                    gap = np.ones_like(g)
                    centre = (
                        int(rng.randint(self.pad, self.pad + PITCH)),
                        int(rng.randint(self.pad + 10, self.pad + 42)),
                    )
                    axes = (int(rng.randint(4, 10)), int(rng.randint(3, 8)))
                    cv2.ellipse(gap, centre, axes, float(rng.uniform(0, 180)), 0, 360, 0.0, -1)
                    g = g * gap
                dark = float(np.clip(dark, 0.25, 1.05))
                # A key striking at a slight angle prints one side of the letter lighter.
                angle = rng.uniform(0, 2 * np.pi)
                strength = rng.uniform(0, 0.45)
                h, w = g.shape
                yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
                ramp = ((xx - w / 2) * np.cos(angle) + (yy - h / 2) * np.sin(angle)) / (max(h, w) / 2)
                g = g * dark * (1 - strength * (0.5 + 0.5 * ramp))
                x = left + n * PITCH - self.pad + int(np.rint(rng.normal(0, 0.8)))
                y = int(np.rint(top - self.pad + drift * n / max(1, len(line.text)) + rng.normal(0, JITTER)))
                region = ink[y : y + h, x : x + w]
                np.maximum(region, g[: region.shape[0], : region.shape[1]], out=region)
        return ink


def _smooth_field(rng: np.random.RandomState, cells: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """Low-frequency noise in -1..1: random values on a coarse grid, smoothly enlarged."""
    grid = rng.uniform(-1, 1, cells).astype(np.float32)
    return cv2.resize(grid, size, interpolation=cv2.INTER_CUBIC)


def age_page(ink: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
    """Paper, ink texture, speckle, skew and microfilm blur applied to an ink layer; returns 8-bit grey."""
    h, w = ink.shape
    # Ribbon texture: ink is not a solid fill.
    texture = cv2.GaussianBlur(rng.uniform(0, 1, (h, w)).astype(np.float32), (0, 0), 1.6)
    texture = (texture - texture.mean()) / (texture.std() + 1e-6)
    ink = ink * np.clip(1 - 0.12 * texture, 0.6, 1.2)
    ink = cv2.GaussianBlur(ink, (0, 0), 0.7)  # ink spreads into the paper fibres

    # Paper as the microfilm saw it: greyish, mottled, lighter in the middle, with an exposure gradient.
    paper = 198 + 7 * _smooth_field(rng, (14, 10), (w, h)) + 3 * _smooth_field(rng, (70, 50), (w, h))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
    paper -= 16 * np.clip(r2 - 0.35, 0, None)
    gx, gy = rng.uniform(-1, 1, 2)
    paper += 6 * (gx * (xx / w - 0.5) + gy * (yy / h - 0.5))
    # The bound file did not lie flat: a shadow falls from the binding side into the left margin.
    gutter = float(rng.uniform(250, 420))
    paper -= GUTTER * rng.uniform(0.7, 1.0) * np.exp(-xx / gutter)
    ink_black = 48 + 8 * rng.uniform()
    img = paper - np.clip(ink, 0, 1) * (paper - ink_black)
    # Show-through: the typing on the back of the sheet, mirrored and soft.
    back = cv2.flip(ink, 1)
    # Typed with the same spacing, its lines fall mostly between ours.
    dy = (LINE_PITCH / 2 + rng.uniform(-8, 8)) * rng.choice([-1, 1])
    shift = np.float32([[1, 0, rng.uniform(-40, 40)], [0, 1, dy]])
    back = cv2.GaussianBlur(cv2.warpAffine(back, shift, (w, h)), (0, 0), 2.5)
    img -= back * paper * SHOW_THROUGH * rng.uniform(0.7, 1.0)

    # Speckle: dust and paper flaws, mostly tiny, a few larger spots.
    for _ in range(int(rng.randint(500, 900))):
        cx, cy = int(rng.randint(0, w)), int(rng.randint(0, h))
        radius = int(rng.choice([1, 1, 1, 2, 2, 3]))
        level = float(rng.uniform(60, 160))
        cv2.circle(img, (cx, cy), radius, level, -1)
    for _ in range(int(rng.randint(3, 8))):
        cx, cy = int(rng.randint(0, w)), int(rng.randint(0, h))
        axes = (int(rng.randint(6, 30)), int(rng.randint(4, 18)))
        spot = np.zeros((h, w), np.float32)
        cv2.ellipse(spot, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        spot = cv2.GaussianBlur(spot, (0, 0), 5)
        img -= spot * float(rng.uniform(10, 25))

    # Scratches along the film, light or dark, running the length of the frame.
    scratches = np.zeros((h, w), np.float32)
    for _ in range(int(rng.randint(0, 3))):
        x0 = int(rng.randint(LEFT - 100, PAGE_W - 200))
        x1 = x0 + int(rng.randint(-25, 26))
        cv2.line(scratches, (x0, 0), (x1, h), float(rng.choice([-1, 1]) * rng.uniform(12, 26)), 2)
    img += scratches
    # The page lay a little crooked on the copy stand.
    angle = float(rng.uniform(0.25, 0.95) * rng.choice([-1, 1]))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    matrix[:, 2] += rng.uniform(-12, 12, 2)
    img = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)

    # Microfilm copy: optical blur, then film grain.
    img = cv2.GaussianBlur(img, (0, 0), BLUR)
    # The film's resolution was lower than the scan's: detail finer than ~150 dpi is gone.
    small = cv2.resize(img, (int(w * FILM_SCALE), int(h * FILM_SCALE)), interpolation=cv2.INTER_AREA)
    img = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    grain = cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 0.8)
    img += 5 * grain
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def render_page(lines: list[Line], seed: int, typewriter: Typewriter) -> np.ndarray:
    """One finished page as an 8-bit grey array."""
    # RandomState's stream is frozen across numpy versions (Generator's is not), which keeps pixels stable.
    rng = np.random.RandomState(seed)
    ink = typewriter.type_page(lines, rng)
    return age_page(ink, rng)


# -- writing ----------------------------------------------------------------------------------------------


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_scan(path: Path, pixels: np.ndarray) -> None:
    """Write a page as greyscale JPEG tagged 300 dpi (see the README for why JPEG)."""
    import io

    buf = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, dpi=(DPI, DPI))
    _write_atomic(path, buf.getvalue())


def import_garbled(root: Path) -> str:
    """Import the garbled Azerbaijani OCR as version 1 of ``azeri-1955-az/p1`` unless it has versions."""
    from workbench.project import Project
    from workbench.store import TranscriptStore

    store = TranscriptStore(Project(root))
    if store.latest_number(IMPORTED_PAGE) is not None:
        return f"{IMPORTED_PAGE}: already has versions; left as it is"
    spec = next(d for d in DOCUMENTS if d.id == IMPORTED_PAGE.split("/")[0])
    text = read_source(spec.source)  # verbatim apart from NFC
    store.save(
        IMPORTED_PAGE,
        text,
        source="import",
        author="import",
        message=f"Imported garbled Azerbaijani OCR of the 1955 letter from shared/data/sample-text/{spec.source}",
        status="New",
    )
    return f"{IMPORTED_PAGE}: imported as version 1"


def _remove_stale(folder: Path, keep: set[str], suffixes: tuple[str, ...]) -> None:
    """Remove page files of an earlier layout that had more pages (p7.jpg when there are now 6)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if re.fullmatch(r"p\d+", path.stem) and path.suffix in suffixes and path.stem not in keep:
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    """Render the sample archive (or the pages named by ``--only``) into ``--out`` (default: the repository)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", action="append", metavar="PAGE_ID", help="render only this page (repeatable)")
    parser.add_argument("--out", type=Path, default=REPO, help="project folder to write into (default: the repo)")
    parser.add_argument("--list", action="store_true", help="list the page ids and their line counts, render nothing")
    args = parser.parse_args(argv)
    only = set(args.only or ())
    out: Path = args.out.resolve()

    # A page id no committed ground truth has is refused at once, before the sample texts are read (they
    # live in ../shared, which a clone of the repository alone does not have).
    committed = {IMPORTED_PAGE} | {
        p.relative_to(REPO / "ground-truth").with_suffix("").as_posix() for p in (REPO / "ground-truth").rglob("*.txt")
    }
    if only - committed:
        print(
            f"No such sample page: {', '.join(sorted(only - committed))}. Known: {', '.join(sorted(committed))}",
            file=sys.stderr,
        )
        return 2
    missing = [spec.source for spec in DOCUMENTS if not (shared_dir() / "data" / "sample-text" / spec.source).is_file()]
    if missing:
        print(
            f"The sample texts are not in {shared_dir() / 'data' / 'sample-text'} ({', '.join(missing)}): "
            "put the shared folder beside the repository or set $WORKBENCH_SHARED.",
            file=sys.stderr,
        )
        return 2

    # Lay everything out first (cheap), so a wrong --only is refused before anything is written.
    plan: list[tuple[DocumentSpec, list[str], list[list[Line]]]] = []
    known: set[str] = {IMPORTED_PAGE}
    for spec in DOCUMENTS:
        if not spec.render:
            continue
        pages = layout(spec, read_source(spec.source))
        names = [f"p{n}" for n in range(1, len(pages) + 1)]
        known.update(f"{spec.id}/{name}" for name in names)
        plan.append((spec, names, pages))
    unknown = only - known
    if unknown:
        print(f"No such sample page: {', '.join(sorted(unknown))}. Known: {', '.join(sorted(known))}", file=sys.stderr)
        return 2
    if args.list:
        for spec, names, pages in plan:
            for name, lines in zip(names, pages, strict=True):
                print(f"{spec.id}/{name}\t{len(lines)} lines")
        return 0

    typewriter = Typewriter()
    for spec, names, pages in plan:
        wanted = [(n, p) for n, p in zip(names, pages, strict=True) if not only or f"{spec.id}/{n}" in only]
        if not wanted:
            continue
        _write_atomic(out / "scans" / spec.id / "document.toml", spec.toml.encode("utf-8"))
        for name, lines in wanted:
            page_id = f"{spec.id}/{name}"
            pixels = render_page(lines, page_seed(page_id, spec.seed), typewriter)
            save_scan(out / "scans" / spec.id / f"{name}{SCAN_SUFFIX}", pixels)
            _write_atomic(out / "ground-truth" / spec.id / f"{name}.txt", ground_truth(lines).encode("utf-8"))
            print(f"{page_id}: {len(lines)} lines", file=sys.stderr)
        if not only:
            _remove_stale(out / "scans" / spec.id, set(names), (".jpg", ".png"))
            _remove_stale(out / "ground-truth" / spec.id, set(names), (".txt",))
    if not only or IMPORTED_PAGE in only:
        imported = next(d for d in DOCUMENTS if d.id == IMPORTED_PAGE.split("/")[0])
        _write_atomic(out / "scans" / imported.id / "document.toml", imported.toml.encode("utf-8"))
        print(import_garbled(out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
