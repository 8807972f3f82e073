#!/usr/bin/env python3
"""Train the project's Azerbaijani Cyrillic + Russian recognition model from nothing but this repository and
Debian's ``tesseract-ocr`` (which ships ``text2image``, ``lstmtraining``, ``lstmeval``, ``combine_lang_model``,
``unicharset_extractor`` and ``wordlist2dawg``) and the fonts of ``fonts-freefont-ttf``/``fonts-dejavu-core``.

Stages (each idempotent; ``all`` runs them in order):

``text``     training and held-out lines: Azerbaijani pseudo-sentences in the 1939 (й) and 1958 (ј) alphabets
             drawn from the project's Azerbaijani lexicon (Tesseract's ``aze`` and ``aze_cyrl`` word lists, as
             :mod:`workbench.dictionary.sources` reads them), with Russian loanwords, digits, dates, archive
             references, abbreviations (ССР, КП(б)), capitals and ALL-CAPS headings, and Russian lines drawn
             from wordfreq's frequency list. No sample-archive text is used: the yakubov page and the held-out
             lines stay unseen, so the figures measured on them are honest.
``render``   ``text2image`` pages (FreeMono mostly: a typewriter face; also FreeMono Bold, FreeSans, FreeSerif,
             DejaVu Sans, all of which have every Azerbaijani letter), degraded the way microfilmed typescripts
             are (ribbon fading, ink bleed, blur, grain, low resolution, JPEG) without moving any pixel, so
             text2image's character boxes stay true; its own rotation gives the skew. Then
             ``tesseract PAGE PAGE lstm.train`` writes one ``.lstmf`` per page.
``starter``  ``unicharset_extractor`` over all lines and ``combine_lang_model`` → the starter traineddata.
``train``    ``lstmtraining`` from scratch (or resumed: it continues from ``checkpoints/NAME_checkpoint`` when
             that exists), held-out lines as the eval list.
``export``   newest checkpoint → float ``.traineddata`` (``--stop_training``) with a word list DAWG of both
             alphabets, and ``lstmeval`` on the held-out lines.

The network, learning rate and the c### substitution follow tesstrain's Makefile (Apache-2.0,
https://github.com/tesseract-ocr/tesstrain), made smaller so that one core trains it in hours.

    .venv/bin/python tools/train_model.py all --build /work/train-aze            # prepare and train
    .venv/bin/python tools/train_model.py train --build /work/train-aze          # resume training
    .venv/bin/python tools/train_model.py export --build /work/train-aze --out models
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import cv2
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.ocr.azeri import to_orthography  # noqa: E402

MODEL = "aze_cyrl_wb"
#: tesstrain's default network with the last LSTM narrowed from 256 to 192 (one core must train it).
NET_SPEC = "[1,36,0,1 Ct3,3,16 Mp3,3 Lfys48 Lfx96 Lrx96 Lfx192 O1c###]"
LEARNING_RATE = 0.002  # tesstrain's rate for training from scratch
FONTS = [  # (fontconfig name, weight): mostly the typewriter face
    ("FreeMono", 45),
    ("FreeMono Bold", 15),
    ("FreeSerif", 12),
    ("FreeSans", 10),
    ("DejaVu Sans", 10),
    ("FreeSerif Bold", 4),
    ("FreeSans Semi-Bold", 4),
]
FONT_DIRS = ["/usr/share/fonts/truetype"]  # fontconfig scans it recursively: freefont/ and dejavu/
LINES_PER_PAGE = 28
BOOST_INITIALS = set("әғҝһөүҹйшч")  # й becomes ј in the 1958 lines

AZE_LOANS_1939 = (
    "совет советләр колхоз колхозчу колхозчулар совхоз партийа большевик большевикләр комитә комитәси район "
    "районун област областы завод заводу фабрик фабрики трест секретар секретары пленум съезд съездинә "
    "депутат депутатлар комсомол пионер трактор тракторчу машын техника механизатор агроном инженер "
    "республика республикасы конститусийа революсийа социализм социалист коммунист коммунизм материал "
    "нефт нефтчи Бакы Москва Ленин Сталин Маркс Енҝелс Кремл цех цехи бригада бригадир стахановчу "
    "план планы норма процент килограм тон километр гектар телеграм телефон радио газет журнал "
    "министр министрлийи совнарком нарком наркомлуғу прокурор милиса армийа генерал полковник"
).split()
ABBREVIATIONS = (
    "ССР ССРИ Аз.ССР АзССР КП(б) ВКП(б) АКП(б) ЦК МК ЕА ИККИ ВЛКСМ СССР РСФСР МТС т.е. вә с. вә б. "
    "ф. оп. иш в. с. г. км кг"
).split()
MONTHS_AZE = "йанвар феврал март апрел май ийун ийул август сентйабр октйабр нойабр декабр".split()
MONTHS_RUS = "января февраля марта апреля мая июня июля августа сентября октября ноября декабря".split()
ROMAN = "I II III IV V VI VII VIII IX X XI XII".split()
PUNC_PATTERNS = [" ", " .", " ,", " :", " ;", " !", " ?", " ...", "( )", "( ),", "( ).", "« »", "« »,", "« ».",
                 '" "', '" ",', '" ".', " —", " -", "- "]  # fmt: skip
NUMBER_PATTERNS = [" ", " .", " ,", " . . ", " -ҹы", " -ҹи", " -ҹү", " -ҹу", " %", "№ ", " г.", " . ."]
PUNCT_END = [".", ".", ".", ".", "!", "?", ":", ";", "...", ""]


def run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, **kw)  # type: ignore[call-overload,no-any-return]


# ---------------------------------------------------------------- text


def azerbaijani_lexicon() -> tuple[list[str], list[float]]:
    """Azerbaijani words (1939 spelling, lower case) and sampling weights from both Tesseract lists."""
    from workbench.dictionary.sources import azerbaijani_keys, tesseract_wordlist

    keys = azerbaijani_keys(tesseract_wordlist("aze"), tesseract_wordlist("aze_cyrl"))
    words, weights = [], []
    for key, (_form, z, _ok) in keys.items():
        if "-" in key or len(key) > 16:
            continue
        words.append(key)
        # No frequencies exist: a word in both lists is likelier to be real and common; short words are
        # commoner in running text than the long inflected forms that dominate a word list.
        weights.append(10 ** (z - 2.0) / (1.0 + max(0, len(key) - 7) * 0.5))
    return words, weights


def russian_lexicon() -> tuple[list[str], list[float]]:
    """Russian words and their frequencies from wordfreq (as the dictionary build uses them)."""
    import wordfreq

    words, weights = [], []
    for word, freq in wordfreq.get_frequency_dict("ru", wordlist="large").items():
        if re.fullmatch(r"[а-яё]+(-[а-яё]+)?", word):
            words.append(word)
            weights.append(freq**0.7)  # flatten a little: more distinct words, still natural
        if len(words) >= 120_000:
            break
    return words, weights


class LineMaker:
    """Random lines of Azerbaijani or Russian with the numbers, dates and abbreviations of Soviet typescripts."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.aze, aze_w = azerbaijani_lexicon()
        self.rus, rus_w = russian_lexicon()
        self._aze_cum = np.cumsum(aze_w)
        self._rus_cum = np.cumsum(rus_w)
        # Words with the letters the issue measures, so each letter (and its capital) is seen often.
        rare = set("ғөүҹчшйһҝ")
        self.rare_aze = [w for w in self.aze if rare & set(w)]
        # Words that begin with one of the letters the issue measures: their capitals are rare otherwise.
        self.initial_aze = [w for w in self.aze if w[:1] in BOOST_INITIALS]

    def _pick(self, words: list[str], cum: np.ndarray) -> str:
        i = int(np.searchsorted(cum, self.rng.random() * cum[-1], side="right"))
        return words[min(i, len(words) - 1)]

    def aze_word(self) -> str:
        r = self.rng.random()
        if r < 0.04:
            return self.rng.choice(AZE_LOANS_1939)
        if r < 0.25:
            return self.rng.choice(self.rare_aze)
        return self._pick(self.aze, self._aze_cum)

    def rus_word(self) -> str:
        return self._pick(self.rus, self._rus_cum)

    def number(self, lang: str) -> str:
        rng = self.rng
        kind = rng.randrange(9)
        year = rng.randint(1900, 1960)
        if kind == 0:
            return str(year) + ("-ҹы ил" if lang == "aze" else " г.")
        if kind == 1:
            months = MONTHS_AZE if lang == "aze" else MONTHS_RUS
            return f"{rng.randint(1, 31)} {rng.choice(months)} {year}"
        if kind == 2:
            return f"{rng.randint(1, 31):02d}.{rng.randint(1, 12):02d}.{year}"
        if kind == 3:
            return f"{rng.randint(1, 31)}.{rng.choice(ROMAN)}.{str(year)[2:]}"
        if kind == 4:
            return f"№ {rng.randint(1, 999)}"
        if kind == 5:
            return f"{rng.randint(1, 100)}%"
        if kind == 6:
            return f"ф. {rng.randint(1, 90)}, оп. {rng.randint(1, 99)}, д. {rng.randint(1, 999)}"
        if kind == 7:
            return f"{rng.randint(1, 9999):,}".replace(",", " ")
        return str(rng.randint(1, 500))

    def line(self, lang: str, orthography: str = "1939") -> str:
        rng = self.rng
        target = rng.randint(18, 62)
        words: list[str] = []
        length = 0
        while length < target:
            r = rng.random()
            if r < 0.07:
                w = self.number(lang)
            elif r < 0.11:
                w = rng.choice(ABBREVIATIONS)
            elif lang == "aze" and r < 0.14:
                w = self.rus_word()
            else:
                w = self.aze_word() if lang == "aze" else self.rus_word()
            if rng.random() < 0.08 and w[:1].isalpha():
                w = w[:1].upper() + w[1:]  # names and sentence starts inside a line
            words.append(w)
            length += len(w) + 1
        style = rng.random()
        if style < 0.07:
            text = " ".join(words).upper()  # typed headings
        else:
            words[0] = words[0][:1].upper() + words[0][1:]
            out = []
            for i, w in enumerate(words):
                out.append(w)
                if i < len(words) - 1 and rng.random() < 0.12:
                    out[-1] += rng.choice([",", ",", ",", ";", ":", " —", " -"])
            text = " ".join(out) + rng.choice(PUNCT_END)
            if rng.random() < 0.08:
                i = rng.randrange(len(out))
                q = rng.choice([("«", "»"), ('"', '"'), ("(", ")")])
                out[i] = q[0] + out[i].rstrip(",;:") + q[1]
                text = " ".join(out) + rng.choice(PUNCT_END)
        if lang == "aze":
            text = to_orthography(text, orthography)
        return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text).strip())

    def boost_line(self, orthography: str) -> str:
        """A line that shows the measured letters often, and their capitals above all.

        The ordinary text has few capitals of them (Ғ 165, Ө 314, Ҹ 444 in 12,000 lines, against 2,000-6,000
        for the small letters), and the model confused Ҹ/Ч, Й/Н, Ө/Ә there: headings in capitals, names and
        Title Case runs, and words that begin with one of the letters.
        """
        rng = self.rng
        target = rng.randint(14, 56)
        words: list[str] = []
        length = 0
        while length < target:
            r = rng.random()
            if r < 0.45:
                w = rng.choice(self.initial_aze)
            elif r < 0.8:
                w = rng.choice(self.rare_aze)
            elif r < 0.85:
                w = self.number("aze")
            else:
                w = self.aze_word()
            words.append(w)
            length += len(w) + 1
        style = rng.random()
        if style < 0.35:
            text = " ".join(words).upper()  # typed headings
        elif style < 0.7:
            text = " ".join(w[:1].upper() + w[1:] for w in words)  # names, titles
        else:
            out = [w[:1].upper() + w[1:] if i == 0 or rng.random() < 0.35 else w for i, w in enumerate(words)]
            text = " ".join(out) + rng.choice(PUNCT_END)
        return unicodedata.normalize("NFC", re.sub(r"\s+", " ", to_orthography(text, orthography)).strip())

    def running_lines(self, n: int) -> Iterator[str]:
        """Lines of running text as a typescript wraps it: most begin inside a sentence (in lower case, or
        a number), some carry a word or a few in capitals (a name of an office, a heading typed inline).

        The other generators begin every line with a capital; a model that learnt only those reads the
        first letter of every page line as a capital.
        """
        import textwrap

        rng = self.rng
        made = 0
        while made < n:
            r = rng.random()
            lang, orth = ("rus", "1939") if r < 0.22 else ("aze", "1939" if r < 0.61 else "1958")
            sentences = []
            for _ in range(rng.randint(3, 8)):
                words = self.line(lang, orth).split()
                if len(words) > 2 and rng.random() < 0.2:
                    i = rng.randrange(len(words))
                    j = min(len(words), i + rng.randint(1, 4))
                    words[i:j] = [w.upper() for w in words[i:j]]
                sentences.append(" ".join(words))
            for row in textwrap.wrap(" ".join(sentences), rng.randint(34, 66)):
                yield unicodedata.normalize("NFC", row)
                made += 1

    def lines(self, n: int) -> Iterator[str]:
        for _ in range(n):
            r = self.rng.random()
            if r < 0.22:
                yield self.line("rus")
            elif r < 0.61:
                yield self.line("aze", "1939")
            else:
                yield self.line("aze", "1958")


def stage_boost_text(build: Path, n: int, seed: int) -> None:
    """``text/boost.txt``: lines rich in the measured letters and their capitals, both alphabets."""
    out = build / "text" / "boost.txt"
    if out.exists():
        return
    maker = LineMaker(random.Random(seed + 2_000_029))
    seen = set((build / "text" / "eval.txt").read_text(encoding="utf-8").splitlines())
    lines = [s for s in dict.fromkeys(maker.boost_line("1939" if i % 2 else "1958") for i in range(n)) if s not in seen]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stage_wrap_text(build: Path, n: int, seed: int) -> None:
    """``text/wrap.txt``: running text wrapped as on a typed page (lines that begin in lower case)."""
    out = build / "text" / "wrap.txt"
    if out.exists():
        return
    maker = LineMaker(random.Random(seed + 3_000_017))
    seen = set((build / "text" / "eval.txt").read_text(encoding="utf-8").splitlines())
    lines = [s for s in dict.fromkeys(maker.running_lines(n)) if s not in seen]
    out.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")


def stage_text(build: Path, n_train: int, n_eval: int, seed: int) -> None:
    out = build / "text"
    out.mkdir(parents=True, exist_ok=True)
    if (out / "train.txt").exists() and (out / "eval.txt").exists():
        return
    maker = LineMaker(random.Random(seed))
    train = list(dict.fromkeys(maker.lines(n_train)))
    maker.rng = random.Random(seed + 1_000_003)
    seen = set(train)
    held = [s for s in dict.fromkeys(maker.lines(n_eval)) if s not in seen]
    (out / "train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (out / "eval.txt").write_text("\n".join(held) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- images


def degrade(img: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    """Microfilmed-typescript damage: ribbon fading, ink bleed, blur, grain, low resolution, JPEG, skew.

    ``img`` is 8-bit grey, black text on white (one line with a margin); ``strength`` 0..1.
    """
    h, w = img.shape
    if rng.random() < 0.08:
        # Some lines stay clean (a good carbon copy, a fresh ribbon, a careful scan): only a little blur.
        return cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.3, 0.7)))
    ink = 1.0 - img.astype(np.float32) / 255.0
    # Ink bleed or thin strikes: grey dilation/erosion.
    r = rng.random()
    if r < 0.25 * strength + 0.1:
        ink = cv2.dilate(ink, np.ones((2, 2), np.uint8))
    elif r < 0.45:
        ink = cv2.erode(ink, np.ones((2, 2), np.uint8)) * 0.6 + ink * 0.4
    # Ribbon fading: a smooth random field scales the ink, strongest along a few letters.
    small = rng.random((2, max(2, w // 120))).astype(np.float32)
    field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    ink *= (1.0 - strength * 0.6 * np.clip(field, 0, 1)) * rng.uniform(0.7, 1.0)
    # Paper: a grey background.
    paper = rng.uniform(0.0, 0.3 * strength + 0.05)
    page = 1.0 - np.clip(ink + paper * (1 - ink), 0, 1)
    # Skew: a typed line is rarely level on the film (under a degree), white fill at the corners.
    angle = rng.normal(0, 0.4)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    page = cv2.warpAffine(page, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=1.0 - paper)
    # Blur (film copy) and low resolution (the film resolved about half of a 300 dpi scan).
    page = cv2.GaussianBlur(page, (0, 0), rng.uniform(0.3, 0.6 + 1.3 * strength))
    scale = rng.uniform(1.0 - 0.6 * strength, 1.0)
    if scale < 0.95:
        low = cv2.resize(page, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
        page = cv2.resize(low, (w, h), interpolation=cv2.INTER_LINEAR)
    # Grain and speckle.
    page += rng.normal(0, 0.02 + 0.08 * strength, page.shape).astype(np.float32)
    specks = rng.random(page.shape) < 0.001 * strength
    page[specks] = rng.uniform(0, 0.5)
    out = np.clip(page * 255, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(35, 95))])
    return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE) if ok else out


Box = tuple[int, int, int, int]


def read_box_lines(box: Path, height: int) -> list[tuple[str, Box]]:
    """text2image's character boxes grouped into lines: (text, (x0, y0, x1, y1) with y down)."""
    return [(text, line) for text, line, _chars in read_box_chars(box, height)]


def read_box_chars(box: Path, height: int) -> list[tuple[str, Box, list[Box]]]:
    """text2image's boxes as lines: (text, the line's box, each character's box), y down."""
    lines: list[tuple[str, Box, list[Box]]] = []
    chars: list[str] = []
    boxes: list[Box] = []

    def flush() -> None:
        if chars and "".join(chars).strip():
            x0 = min(b[0] for b in boxes)
            y0 = min(b[1] for b in boxes)
            x1 = max(b[2] for b in boxes)
            y1 = max(b[3] for b in boxes)
            lines.append((re.sub(" +", " ", "".join(chars)).strip(), (x0, y0, x1, y1), list(boxes)))
        chars.clear()
        boxes.clear()

    for row in box.read_text(encoding="utf-8").split("\n"):
        if not row:
            continue
        if row.startswith("\t"):
            flush()
            continue
        # The character is everything before the last five fields (it may itself be a space).
        fields = row.rsplit(" ", 5)
        ch = fields[0]
        x0, y0, x1, y1 = (int(v) for v in fields[1:5])
        chars.append(ch)
        if ch != " ":
            boxes.append((x0, height - y1, x1, height - y0))
    flush()
    return lines


def typewriter(page: np.ndarray, boxes: list[Box], rng: np.random.Generator) -> None:
    """A typewriter's own marks, in place: each type hits a little above or below the line and harder or
    softer than its neighbours (worn springs, uneven keystrokes). Only for monospaced faces, whose
    characters' boxes do not overlap."""
    if not boxes:
        return
    top = max(0, min(b[1] for b in boxes) - 4)
    bottom = min(page.shape[0], max(b[3] for b in boxes) + 4)
    left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
    ink = 255.0 - page[top:bottom, left:right].astype(np.float32)  # only this line's strip
    for x0, _y0, x1, _y1 in boxes:
        cell = ink[:, x0 - left : x1 - left]
        dy = int(rng.integers(-2, 3)) if rng.random() < 0.6 else 0
        ink[:, x0 - left : x1 - left] = np.clip(np.roll(cell, dy, axis=0) * rng.uniform(0.55, 1.15), 0, 255)
    page[top:bottom, left:right] = (255.0 - ink).astype(np.uint8)


def render_lines(
    text_lines: list[str],
    base: Path,
    font: str,
    rng: np.random.Generator,
    strengths: tuple[float, float],
    typed: bool = False,
) -> list[tuple[np.ndarray, str]]:
    """text2image the lines with ``font`` on one page, cut them out and degrade each: (image, text) pairs.

    ``typed``: a monospaced face gets a typewriter's uneven strikes (:func:`typewriter`) on most lines.
    """
    txt = base.with_suffix(".txt")
    txt.write_text("\n".join(text_lines) + "\n", encoding="utf-8")
    cmd = [
        "text2image",
        f"--text={txt}",
        f"--outputbase={base}",
        f"--font={font}",
        f"--fonts_dir={FONT_DIRS[0]}",
        f"--fontconfig_tmpdir={base.parent}",
        f"--ptsize={int(rng.integers(10, 15))}",
        "--resolution=300",
        f"--char_spacing={rng.uniform(0.0, 0.12):.2f}",
        "--xsize=3000",
        "--ysize=4400",
        "--margin=60",
        "--leading=40",
        "--strip_unrenderable_words=false",
        "--degrade_image=false",
        "--max_pages=1",
    ]
    res = run(cmd)
    tif, box = base.with_suffix(".tif"), base.with_suffix(".box")
    txt.unlink()
    if res.returncode != 0 or not tif.exists() or not box.exists():
        sys.stderr.write(f"text2image failed for {base}: {res.stderr[-300:]}\n")
        return []
    page = cv2.imread(str(tif), cv2.IMREAD_GRAYSCALE)
    tif.unlink()
    height, width = page.shape
    out = []
    for text, (x0, y0, x1, y1), chars in read_box_chars(box, height):
        if typed and "Mono" in font and rng.random() < 0.75:
            typewriter(page, chars, rng)
        pad = [int(v) for v in rng.integers(6, 24, 4)]
        crop = page[max(0, y0 - pad[0]) : min(height, y1 + pad[1]), max(0, x0 - pad[2]) : min(width, x1 + pad[3])]
        if crop.size == 0:
            continue
        strength = float(rng.uniform(*strengths))
        img = degrade(crop, rng, strength)
        # Scans come at 200-400 dpi: vary the line's scale too (the network sees 36-pixel-high lines anyway).
        f = float(rng.uniform(0.55, 1.1))
        img = cv2.resize(
            img, (max(8, int(img.shape[1] * f)), max(8, int(img.shape[0] * f))), interpolation=cv2.INTER_AREA
        )
        out.append((img, unicodedata.normalize("NFC", text)))
    box.unlink()
    return out


SPLIT_CODES = {"train": 0, "eval": 1, "boost": 2, "wrap": 3}
#: Splits rendered with a typewriter's uneven strikes on monospaced faces (those made after iteration 53,000).
TYPED_SPLITS = {"wrap"}


def stage_render(build: Path, split: str, seed: int) -> list[Path]:
    """Render every line of ``text/SPLIT.txt``: line PNG + gt.txt (tesstrain layout) and one lstmf per sheet."""
    from workbench.training.tools import make_lstmf_sheet

    lines = (build / "text" / f"{split}.txt").read_text(encoding="utf-8").splitlines()
    out = build / "lines" / split
    sheets = build / "sheets" / split
    out.mkdir(parents=True, exist_ok=True)
    sheets.mkdir(parents=True, exist_ok=True)
    fonts, weights = zip(*FONTS, strict=True)
    probs = np.array(weights, float) / sum(weights)
    made: list[Path] = []
    for start in range(0, len(lines), LINES_PER_PAGE):
        page_no = start // LINES_PER_PAGE
        lstmf = sheets / f"{split}_{page_no:05d}.lstmf"
        if lstmf.exists():
            made.append(lstmf)
            continue
        rng = np.random.default_rng([seed, page_no, SPLIT_CODES[split]])
        font = str(rng.choice(fonts, p=probs))
        pairs = render_lines(
            lines[start : start + LINES_PER_PAGE],
            sheets / f"{split}_{page_no:05d}",
            font,
            rng,
            (0.0, 1.0),
            typed=split in TYPED_SPLITS,
        )
        for i, (img, text) in enumerate(pairs):
            name = out / f"{split}_{page_no:05d}_{i:02d}"
            cv2.imwrite(str(name) + ".png", img)
            name.with_suffix(".gt.txt").write_text(text + "\n", encoding="utf-8")
            with (out / "fonts.tsv").open("a", encoding="utf-8") as f:
                f.write(f"{name.name}\t{font}\n")
        if pairs:
            # Each line's ink boxed with 0-4 px, as Tesseract frames the lines it finds on a page.
            pads: list[int | None] = [int(rng.integers(0, 5)) for _ in pairs]
            made.append(make_lstmf_sheet(pairs, lstmf.with_suffix(""), pads))
        if page_no % 20 == 0:
            print(f"{split}: page {page_no} ({start}/{len(lines)} lines)", flush=True)
    (build / f"list.{split}").write_text("\n".join(str(p) for p in made) + "\n", encoding="utf-8")
    return made


# ---------------------------------------------------------------- starter model, training, export


def stage_starter(build: Path) -> Path:
    """unicharset of every line (train and held-out) and the starter traineddata."""
    starter = build / "starter" / MODEL / f"{MODEL}.traineddata"
    if starter.exists():
        return starter
    (build / "starter").mkdir(parents=True, exist_ok=True)
    uni = build / "starter" / "unicharset"
    texts = [str(build / "text" / "train.txt"), str(build / "text" / "eval.txt")]
    res = run(["unicharset_extractor", "--output_unicharset", str(uni), "--norm_mode", "2", *texts])
    if res.returncode:
        raise SystemExit(res.stderr)
    script_dir = build / "starter" / "langdata"
    script_dir.mkdir(exist_ok=True)
    # combine_lang_model reads radical-stroke.txt even with a pass-through recoder; only Han needs its content.
    (script_dir / "radical-stroke.txt").write_text("# only Han scripts use this table\n", encoding="utf-8")
    res = run([
        "combine_lang_model", "--input_unicharset", str(uni), "--script_dir", str(script_dir),
        "--output_dir", str(build / "starter"), "--lang", MODEL, "--pass_through_recoder",
    ])  # fmt: skip
    if not starter.exists():
        raise SystemExit(res.stderr)
    return starter


def stage_train(build: Path, max_iterations: int, use_existing: bool = False) -> NoReturn:
    """lstmtraining from scratch, or continued from the newest checkpoint (lstmtraining finds it itself).

    ``use_existing``: train on the sheets rendered so far (training can start while rendering goes on, and
    be restarted on the full list later: it continues from its checkpoint).
    """
    if use_existing:
        sheets = sorted((build / "sheets" / "train").glob("*.lstmf"))
        (build / "list.train").write_text("".join(f"{p}\n" for p in sheets), encoding="utf-8")
        sheets = sorted((build / "sheets" / "eval").glob("*.lstmf"))
        (build / "list.eval").write_text("".join(f"{p}\n" for p in sheets), encoding="utf-8")
    starter = stage_starter(build)
    uni = (build / "starter" / "unicharset").read_text(encoding="utf-8")
    size = int(uni.split("\n", 1)[0])
    ckdir = build / "checkpoints"
    ckdir.mkdir(exist_ok=True)
    cmd = [
        "lstmtraining",
        "--traineddata", str(starter),
        "--net_spec", NET_SPEC.replace("c###", f"c{size}"),
        "--learning_rate", str(LEARNING_RATE),
        "--model_output", str(ckdir / MODEL),
        "--train_listfile", str(build / "list.train"),
        "--eval_listfile", str(build / "list.eval.small"),
        "--max_iterations", str(max_iterations),
        "--target_error_rate", "0.5",
    ]  # fmt: skip
    evals = (build / "list.eval").read_text(encoding="utf-8").split()
    (build / "list.eval.small").write_text("\n".join(evals[:8]) + "\n", encoding="utf-8")
    print(" ".join(cmd), flush=True)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    # Progress goes to BUILD/train.log (appended across runs; `watch` reads it).
    log = os.open(build / "train.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    # Become lstmtraining: one process to watch and to stop (its checkpoint is written every 100 iterations).
    os.execvpe(cmd[0], cmd, env)


def stage_export(build: Path, out: Path, evaluate: bool = True) -> Path:
    """Newest checkpoint → float traineddata with both alphabets' word list; lstmeval on held-out lines."""
    ck = build / "checkpoints" / f"{MODEL}_checkpoint"
    starter = stage_starter(build)
    work = build / "export"
    work.mkdir(exist_ok=True)
    plain = work / f"{MODEL}.traineddata"
    res = run(["lstmtraining", "--stop_training", "--continue_from", str(ck), "--traineddata", str(starter),
               "--model_output", str(plain)])  # fmt: skip
    if not plain.exists():
        raise SystemExit(res.stderr)
    # Word list: the lexicon in both alphabets (й and ј) plus the Russian words of the training text.
    words_file = work / "words.txt"
    if not words_file.exists():
        aze, weights = azerbaijani_lexicon()
        ranked = [w for _, w in sorted(zip(weights, aze, strict=True), reverse=True)][:120_000]
        rus, _ = russian_lexicon()
        words = sorted(set(ranked) | {to_orthography(w, "1958") for w in ranked} | set(rus[:60_000]))
        words_file.write_text("\n".join(words) + "\n", encoding="utf-8")
    langdir = work / "lang"
    shutil.rmtree(langdir, ignore_errors=True)
    langdir.mkdir()
    res = run(["combine_tessdata", "-u", str(plain), str(work / f"{MODEL}.")])
    script_dir = build / "starter" / "langdata"
    # Punctuation and number patterns (a space stands for a word or a digit run, as in langdata's files).
    puncs, numbers = work / "puncs.txt", work / "numbers.txt"
    puncs.write_text("\n".join(PUNC_PATTERNS) + "\n", encoding="utf-8")
    numbers.write_text("\n".join(NUMBER_PATTERNS) + "\n", encoding="utf-8")
    res = run([
        "combine_lang_model", "--input_unicharset", str(build / "starter" / "unicharset"),
        "--script_dir", str(script_dir), "--words", str(words_file), "--output_dir", str(langdir),
        "--puncs", str(puncs), "--numbers", str(numbers),
        "--lang", MODEL, "--pass_through_recoder",
    ])  # fmt: skip
    combined = langdir / MODEL / f"{MODEL}.traineddata"
    if not combined.exists():
        raise SystemExit(res.stderr)
    # Put the trained LSTM into the language model that now carries the word DAWG.
    res = run(["combine_tessdata", "-o", str(combined), str(work / f"{MODEL}.lstm")])
    if res.returncode:
        raise SystemExit(res.stderr)
    out.mkdir(parents=True, exist_ok=True)
    final = out / f"{MODEL}.traineddata"
    shutil.copyfile(combined, final)
    print(f"exported the checkpoint of iteration {checkpoint_iteration(build)}", flush=True)
    if evaluate:
        res = run(["lstmeval", "--model", str(plain), "--eval_listfile", str(build / "list.eval")])
        print(res.stderr[-400:])
    return final


def stage_resheet(build: Path, split: str, limit: int, seed: int) -> list[Path]:
    """Sheets of already rendered lines with their ink boxed tightly (0-4 px), as Tesseract frames page lines.

    The first sheets boxed whole (padded) line images only; lines found on a page come tightly framed.
    """
    from workbench.training.tools import make_lstmf_sheet, read_line

    pngs = sorted((build / "lines" / split).glob("*.png"))[:limit]
    out = build / "sheets_tight" / split
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for n, start in enumerate(range(0, len(pngs), LINES_PER_PAGE)):
        lstmf = out / f"{split}_t{n:05d}.lstmf"
        if not lstmf.exists():
            items = [
                read_line(p, p.with_suffix("").with_suffix(".gt.txt")) for p in pngs[start : start + LINES_PER_PAGE]
            ]
            make_lstmf_sheet(items, lstmf.with_suffix(""), [rng.randint(0, 4) for _ in items])
        made.append(lstmf)
    return made


def write_train_list(build: Path) -> list[Path]:
    """``list.train``: the tightly boxed sheets, the boost and wrap sheets, a third of the loosely boxed ones.

    Mostly tight boxes (as Tesseract frames page lines), with some loose ones so that framing is learnt as noise.
    """
    tight = sorted((build / "sheets_tight" / "train").glob("*.lstmf"))
    boost = sorted((build / "sheets" / "boost").glob("*.lstmf"))
    wrap = sorted((build / "sheets" / "wrap").glob("*.lstmf"))
    loose = sorted((build / "sheets" / "train").glob("*.lstmf"))
    files = [*tight, *boost, *wrap, *loose[::3]]
    (build / "list.train").write_text("".join(f"{p}\n" for p in files), encoding="utf-8")
    return files


def checkpoint_iteration(build: Path) -> int:
    """The training iteration of the newest checkpoint, from the training log's last progress line."""
    log = build / "train.log"
    if not log.exists():
        return 0
    found = re.findall(r"At iteration \d+/(\d+)/\d+", log.read_text(encoding="utf-8", errors="replace"))
    return int(found[-1]) if found else 0


def stage_watch(build: Path, every: int) -> None:
    """Every ``every`` iterations: the checkpoint as a model, and lstmeval on all held-out lines (a TSV log).

    Runs beside the training (started separately, niced); a few minutes of one core per evaluation.
    """
    import time

    starter = stage_starter(build)
    out = build / "eval.tsv"
    if not out.exists():
        out.write_text("iteration\tcer\twer\tlines\n", encoding="utf-8")
    done = {int(r.split("\t")[0]) for r in out.read_text(encoding="utf-8").splitlines()[1:] if r}
    n_lines = sum(1 for _ in (build / "lines" / "eval").glob("*.gt.txt"))
    while True:
        it = checkpoint_iteration(build)
        step = it // every * every
        if step and step not in done:
            model = build / "export" / f"ckpt_{it}.traineddata"
            model.parent.mkdir(exist_ok=True)
            ck = build / "checkpoints" / f"{MODEL}_checkpoint"
            run(["lstmtraining", "--stop_training", "--continue_from", str(ck), "--traineddata", str(starter),
                 "--model_output", str(model)])  # fmt: skip
            res = run(["lstmeval", "--model", str(model), "--eval_listfile", str(build / "list.eval")])
            m = re.search(r"BCER eval=([\d.]+), BWER eval=([\d.]+)", res.stdout + res.stderr)
            if m:
                with out.open("a", encoding="utf-8") as f:
                    f.write(f"{it}\t{m.group(1)}\t{m.group(2)}\t{n_lines}\n")
                print(f"iteration {it}: held-out CER {m.group(1)} %, WER {m.group(2)} %", flush=True)
            done.add(step)
            model.unlink(missing_ok=True)
        time.sleep(60)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "stage",
        choices=["text", "render", "resheet", "boost", "wrap", "starter", "train", "export", "watch", "all"],
    )
    p.add_argument("--every", type=int, default=2500, help="watch: evaluate every N iterations")
    p.add_argument("--build", type=Path, default=Path.home() / ".cache" / "workbench" / "train-aze")
    p.add_argument("--out", type=Path, default=REPO / "models")
    p.add_argument("--train-lines", type=int, default=12_000)
    p.add_argument("--eval-lines", type=int, default=600)
    p.add_argument("--boost-lines", type=int, default=3000, help="boost: lines rich in the measured letters")
    p.add_argument("--wrap-lines", type=int, default=6000, help="wrap: lines of wrapped running text")
    p.add_argument("--seed", type=int, default=1939)
    p.add_argument("--max-iterations", type=int, default=1_000_000)
    p.add_argument("--use-existing", action="store_true", help="train: on the sheets rendered so far")
    p.add_argument("--no-eval", action="store_true", help="export: skip lstmeval on the held-out lines")
    a = p.parse_args()
    build = a.build.resolve()
    if a.stage in ("text", "all"):
        stage_text(build, a.train_lines, a.eval_lines, a.seed)
    if a.stage in ("render", "all"):
        stage_render(build, "eval", a.seed)
        stage_render(build, "train", a.seed)
    if a.stage in ("starter", "all"):
        stage_starter(build)
    if a.stage in ("train", "all"):
        stage_train(build, a.max_iterations, a.use_existing)
    if a.stage == "export":
        print(stage_export(build, a.out, evaluate=not a.no_eval))
    if a.stage == "resheet":
        stage_resheet(build, "train", a.train_lines, a.seed)
        stage_resheet(build, "eval", a.eval_lines, a.seed + 1)
        write_train_list(build)
    if a.stage == "boost":
        stage_boost_text(build, a.boost_lines, a.seed)
        stage_render(build, "boost", a.seed)
        write_train_list(build)
    if a.stage == "wrap":
        stage_wrap_text(build, a.wrap_lines, a.seed)
        stage_render(build, "wrap", a.seed)
        write_train_list(build)
    if a.stage == "watch":
        stage_watch(build, a.every)


if __name__ == "__main__":
    main()
