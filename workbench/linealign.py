"""The alignment behind :mod:`workbench.linemap`: text lines and words tied to OCR layout lines and words by
content (the method is described in :mod:`workbench.linemap`'s docstring). Pure functions over strings and
boxes; :mod:`workbench.linemap` caches their results and answers the questions the rest of the code asks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

#: A box in scan pixels: x, y, width, height.
Box = tuple[int, int, int, int]
#: A layout as stored in ``layout.json`` (see docs/ARCHITECTURE.md): ``lines[j]["box"]``, ``["words"]``.
Layout = Mapping[str, Any]

#: How densely a text line must share letters with an image line to be tied to it (see module docstring).
MIN_SIMILARITY = 0.6
#: A line the ordered alignment left alone is matched on its own only this similar (0–100) and this long.
MOVED_MIN_SCORE = 75.0
MOVED_MIN_LETTERS = 5

_WORD_RE = re.compile(r"\S+")
_SPACE_CODES = np.array([ord(c) for c in " \t\n\r\v\f\u00a0\u2028\u2029\u3000"], dtype=np.uint32)


@dataclass(frozen=True)
class LineAlignment:
    """How the lines and words of a text map onto a layout's lines and words.

    ``lines[i]`` is the layout line of text line ``i`` (of ``text.split("\\n")``) or ``None``;
    ``sources[i]`` all layout lines whose letters text line ``i`` holds (more than one for merged lines,
    in layout order, the main one among them); ``words[i][k]`` is ``(layout line, word index)`` for the
    ``k``-th whitespace-separated word of text line ``i``, or ``None``; ``shared`` the layout lines that
    more than one text line took a part of (a split line).
    """

    lines: tuple[int | None, ...]
    sources: tuple[tuple[int, ...], ...]
    words: tuple[tuple[tuple[int, int] | None, ...], ...]
    shared: frozenset[int]


# -- the alignment -------------------------------------------------------------------------------------


def _lines(layout: Layout | None) -> list[Mapping[str, Any]]:
    return list((layout or {}).get("lines") or [])


def as_box(value: Any) -> Box | None:
    """A stored ``[x, y, w, h]`` as a :data:`Box` (``None`` for a missing or malformed one)."""
    if not value or len(value) != 4:
        return None
    x, y, w, h = (int(v) for v in value)
    return (x, y, w, h)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area (a split half inside its whole line scores 1)."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    if x1 <= x0 or y1 <= y0:
        return 0.0
    smaller = min(a[2] * a[3], b[2] * b[3])
    return (x1 - x0) * (y1 - y0) / smaller if smaller > 0 else 0.0


@dataclass(frozen=True)
class _Side:
    """One side of the alignment: the joined string and, per character, its line and word (-1: a space)."""

    joined: str
    line_of: np.ndarray
    word_of: np.ndarray
    letters_before: np.ndarray  # letters_before[p] = non-space characters before position p
    letters: np.ndarray  # letters per line
    words: np.ndarray  # words per line
    word_line: np.ndarray  # per word (numbered through the whole side): its line
    word_index: np.ndarray  # its place in its line
    word_letters: np.ndarray  # its length


def _side(lines: Sequence[str]) -> _Side:
    joined = "\n".join(lines)
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    space = np.isin(codes, _SPACE_CODES)
    lengths = np.fromiter((len(s) + 1 for s in lines), dtype=np.int64, count=len(lines))
    line_of = np.repeat(np.arange(len(lines), dtype=np.int64), lengths)[: len(joined)]
    line_of[space] = -1
    # A word starts at a letter after a space (or at the start); numbering the starts numbers the words.
    starts = ~space & np.concatenate(([True], space[:-1]))
    word_of = np.cumsum(starts) - 1
    word_of[space] = -1
    word_line = line_of[starts]
    first_word = np.searchsorted(word_line, np.arange(len(lines)))
    return _Side(
        joined=joined,
        line_of=line_of,
        word_of=word_of,
        letters_before=np.concatenate(([0], np.cumsum(~space))),
        letters=np.bincount(line_of[~space], minlength=len(lines)),
        words=np.bincount(word_line, minlength=len(lines)),
        word_line=word_line,
        word_index=np.arange(len(word_line)) - first_word[word_line],
        word_letters=np.bincount(word_of[~space], minlength=len(word_line)),
    )


#: The layout's side is the same from keystroke to keystroke.
_image_side = lru_cache(maxsize=16)(_side)


def _word_votes(a: _Side, b: _Side, ai: np.ndarray, bi: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Per text word, the layout word holding the most (and at least half) of its letters, else -1.

    ``allowed`` holds the keys ``text line * layout lines + layout line`` a word may go to (its line's sources).
    """
    best = np.full(len(a.word_line), -1, dtype=np.int64)
    aw, bw = a.word_of[ai], b.word_of[bi]
    keep = (aw >= 0) & (bw >= 0)
    if not keep.any():
        return best
    nbw = len(b.word_line)
    keys, counts = np.unique(aw[keep] * nbw + bw[keep], return_counts=True)
    w, v = keys // nbw, keys % nbw
    ok = (2 * counts >= a.word_letters[w]) & np.isin(a.word_line[w] * len(b.letters) + b.word_line[v], allowed)
    w, v, counts = w[ok], v[ok], counts[ok]
    order = np.lexsort((-counts, w))
    w, v = w[order], v[order]
    first = np.concatenate(([True], w[1:] != w[:-1])) if len(w) else np.zeros(0, dtype=bool)
    best[w[first]] = v[first]
    return best


@dataclass(frozen=True)
class _Group:
    """Text lines ``i0..i1`` read image lines ``j0..j1`` (1:1, a split line 2:1, or merged lines 1:2)."""

    i0: int
    i1: int
    j0: int
    j1: int
    weight: float


class _Similarities:
    """Which image lines (and pairs of neighbouring image lines) each text string is alike, remembered.

    Between two keystrokes one text line changes, so only its rows are new; the rest come from here.
    One per layout (keyed by its line texts); forgets everything past ``LIMIT`` strings.
    """

    LIMIT = 20_000

    def __init__(self, image_lines: tuple[str, ...]) -> None:
        self.ji = [j for j, s in enumerate(image_lines) if s.strip()]
        self.images = [image_lines[j] for j in self.ji]
        self.pairs = [self.images[k] + " " + self.images[k + 1] for k in range(len(self.ji) - 1)]
        self.single: dict[str, list[tuple[int, float]]] = {}
        self.merged: dict[str, list[tuple[int, float]]] = {}

    def rows(self, queries: list[str], *, merged: bool) -> list[list[tuple[int, float]]]:
        """For each query, ``(choice index, LCS letters shared)`` of the choices at least MIN_SIMILARITY alike."""
        table, choices = (self.merged, self.pairs) if merged else (self.single, self.images)
        missing = list({q for q in queries if q not in table})
        if missing and choices:
            if len(table) + len(missing) > self.LIMIT:
                table.clear()
            sims = process.cdist(
                missing, choices, scorer=Indel.normalized_similarity, score_cutoff=MIN_SIMILARITY, dtype=np.float32
            )
            hits: dict[int, list[tuple[int, float]]] = {}
            for q, c in zip(*np.nonzero(sims), strict=True):
                q, c = int(q), int(c)
                hits.setdefault(q, []).append((c, float(sims[q, c]) * (len(missing[q]) + len(choices[c])) / 2))
            for q, text in enumerate(missing):
                table[text] = hits.get(q, [])
        return [table.get(q, []) for q in queries]


_similarities = lru_cache(maxsize=16)(_Similarities)


def _candidate_groups(text_lines: Sequence[str], image_lines: tuple[str, ...]) -> list[_Group]:
    """Every 1:1, 2:1 and 1:2 pairing of lines alike enough (Indel similarity ≥ MIN_SIMILARITY).

    A group weighs the letters its lines share (their longest common subsequence), less half a letter for a
    two-line group, so that a line and a new line after it never outweigh the line alone.
    """
    sim = _similarities(image_lines)
    ti = [i for i, s in enumerate(text_lines) if s.strip()]
    if not ti or not sim.ji:
        return []
    texts = [text_lines[i] for i in ti]
    ji = sim.ji
    groups: list[_Group] = []
    single: dict[tuple[int, int], float] = {}
    for q, row in enumerate(sim.rows(texts, merged=False)):
        for c, w in row:
            single[q, c] = w
            groups.append(_Group(ti[q], ti[q], ji[c], ji[c], w))
    # Two lines only where both add letters (else the one alone is the group): that keeps a new line after
    # a line out, and the chain short. Neighbours among the non-blank lines: a split line may have a blank
    # line put between its halves.
    pairs = [texts[k] + " " + texts[k + 1] for k in range(len(ti) - 1)]
    for q, row in enumerate(sim.rows(pairs, merged=False)):
        groups.extend(
            _Group(ti[q], ti[q + 1], ji[c], ji[c], w - 0.5)
            for c, w in row
            if w >= max(single.get((q, c), 0.0), single.get((q + 1, c), 0.0)) + 2
        )
    for q, row in enumerate(sim.rows(texts, merged=True)):
        groups.extend(
            _Group(ti[q], ti[q], ji[c], ji[c + 1], w - 0.5)
            for c, w in row
            if w >= max(single.get((q, c), 0.0), single.get((q, c + 1), 0.0)) + 2
        )
    return groups


def _best_chain(groups: list[_Group], n_images: int) -> list[_Group]:
    """The heaviest set of groups in the same order on both sides (no line in two groups).

    Groups sorted by their first text line; a group may follow any group that ended before it on both sides,
    found with a Fenwick tree of best chain weights indexed by last image line: O(groups · log lines).
    """
    order = sorted(range(len(groups)), key=lambda k: groups[k].i0)
    pending = sorted(range(len(groups)), key=lambda k: groups[k].i1)
    size = n_images + 1
    tree_w = [0.0] * (size + 1)
    tree_k = [-1] * (size + 1)
    value = [0.0] * len(groups)
    back = [-1] * len(groups)
    p = 0
    for k in order:
        g = groups[k]
        while p < len(pending) and groups[pending[p]].i1 < g.i0:
            q = pending[p]
            pos = groups[q].j1 + 2  # 1-based Fenwick index of image line j1
            while pos <= size:
                if value[q] > tree_w[pos]:
                    tree_w[pos], tree_k[pos] = value[q], q
                pos += pos & -pos
            p += 1
        best_w, best_k, pos = 0.0, -1, g.j0 + 1  # prefix of image lines before j0
        while pos > 0:
            if tree_w[pos] > best_w:
                best_w, best_k = tree_w[pos], tree_k[pos]
            pos -= pos & -pos
        value[k], back[k] = best_w + g.weight, best_k
    if not groups:
        return []
    k = max(range(len(groups)), key=value.__getitem__)
    chain: list[_Group] = []
    while k >= 0:
        chain.append(groups[k])
        k = back[k]
    return chain[::-1]


def _group_positions(
    a: _Side, b: _Side, a_starts: list[int], b_starts: list[int], groups: list[_Group]
) -> tuple[np.ndarray, np.ndarray]:
    """The matched character positions (in the joined texts) of each group's lines aligned with each other."""
    blocks: list[tuple[int, int, int]] = []
    for g in groups:
        a0, a1 = a_starts[g.i0], a_starts[g.i1 + 1] - 1
        b0, b1 = b_starts[g.j0], b_starts[g.j1 + 1] - 1
        for op in Indel.opcodes(a.joined[a0:a1], b.joined[b0:b1]):
            if op.tag == "equal":
                blocks.append((a0 + op.src_start, b0 + op.dest_start, op.src_end - op.src_start))
    if not blocks:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    arr = np.array(blocks, dtype=np.int64)
    sizes = arr[:, 2]
    offsets = np.arange(int(sizes.sum()), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(arr[:, 0], sizes) + offsets, np.repeat(arr[:, 1], sizes) + offsets


def _starts(lines: Sequence[str]) -> list[int]:
    """Where each line starts in ``"\n".join(lines)``, and one past the end."""
    out = [0]
    for s in lines:
        out.append(out[-1] + len(s) + 1)
    return out


@lru_cache(maxsize=64)
def _align(text: str, image_lines: tuple[str, ...]) -> LineAlignment:
    text_lines = text.split("\n")
    a, b = _side(text_lines), _image_side(image_lines)
    a_starts, b_starts = _starts(text_lines), _image_starts(image_lines)
    groups = _best_chain(_candidate_groups(text_lines, image_lines), len(image_lines))
    groups += _moved_lines(text_lines, image_lines, a, groups)
    in_place = _lines_in_place(text_lines, image_lines, groups)
    groups += [_Group(i, i, j, j, 0.0) for i, j in in_place.items()]
    ai, bi = _group_positions(a, b, a_starts, b_starts, groups)
    la, lb = a.line_of[ai], b.line_of[bi]
    keep = (la >= 0) & (lb >= 0)
    ai, bi, la, lb = ai[keep], bi[keep], la[keep], lb[keep]
    nb = len(image_lines)

    sources: dict[int, tuple[int, ...]] = {}
    main: dict[int, int] = {}
    if len(ai):
        # Within a group both positions rise, and groups keep apart, so each (text line, image line) pair's
        # matches are one run: its first and last image positions bound the span of the image line it covers.
        keys, first, counts = np.unique(la * nb + lb, return_index=True, return_counts=True)
        last = first + counts - 1
        span = b.letters_before[bi[last] + 1] - b.letters_before[bi[first]]
        t_span = a.letters_before[ai[last] + 1] - a.letters_before[ai[first]]
        by_line: dict[int, list[tuple[int, int, int]]] = {}
        for key, count, s, t in zip(keys.tolist(), counts.tolist(), span.tolist(), t_span.tolist(), strict=True):
            i, j = divmod(key, nb)
            # The part of the text line that fell on image line j must read like the part of j it fell on:
            # the letters unrelated text shares by chance are spread thin over both.
            if 2 * count >= MIN_SIMILARITY * (s + t):
                by_line.setdefault(i, []).append((j, count, s))
        for i, pairs in by_line.items():
            total = sum(c for _, c, _ in pairs)
            # Image lines holding a real share of the line's letters (a merged line holds two).
            chosen = [(j, c, s) for j, c, s in pairs if c >= max(2, 0.2 * total)]
            if not chosen:
                continue
            matched = sum(c for _, c, _ in chosen)
            similarity = 2 * matched / (int(a.letters[i]) + sum(s for _, _, s in chosen))
            if similarity >= MIN_SIMILARITY:
                sources[i] = tuple(sorted(j for j, _, _ in chosen))
                main[i] = max(chosen, key=lambda p: p[1])[0]

    for i, j in in_place.items():
        # Rewritten beyond recognition, but alone in the place of an image line nobody else holds.
        sources[i], main[i] = (j,), j

    claims: dict[int, int] = {}
    for src in sources.values():
        for j in src:
            claims[j] = claims.get(j, 0) + 1
    allowed = np.array([i * nb + j for i, src in sources.items() for j in src], dtype=np.int64)
    best = _word_votes(a, b, ai, bi, allowed)
    safe = np.maximum(best, 0) if len(b.word_line) else np.zeros(0, dtype=np.int64)
    refs: list[tuple[int, int] | None] = [None] * len(best)
    if len(b.word_line):
        for w, (v, line, index) in enumerate(
            zip(best.tolist(), b.word_line[safe].tolist(), b.word_index[safe].tolist(), strict=True)
        ):
            if v >= 0:
                refs[w] = (line, index)
    word_refs: list[tuple[tuple[int, int] | None, ...]] = []
    w = 0
    for count in a.words.tolist():
        word_refs.append(tuple(refs[w : w + count]))
        w += count
    return LineAlignment(
        lines=tuple(main.get(i) for i in range(len(text_lines))),
        sources=tuple(sources.get(i, ()) for i in range(len(text_lines))),
        words=tuple(word_refs),
        shared=frozenset(j for j, n in claims.items() if n > 1),
    )


_image_starts = lru_cache(maxsize=16)(_starts)


def _lines_in_place(text_lines: Sequence[str], image_lines: Sequence[str], groups: list[_Group]) -> dict[int, int]:
    """Text lines left over between two tied lines, as many as the image lines left over there: paired in order.

    A line the OCR garbled past recognition and a person typed again shares few letters with its image line,
    but it stands where that line stands. Where the counts differ (a line added or deleted there too) no
    pairing is sure, and none is made.
    """
    used_t = {i for g in groups for i in range(g.i0, g.i1 + 1)}
    used_j = {j for g in groups for j in range(g.j0, g.j1 + 1)}
    anchors = sorted((g for g in groups if g.weight > 0), key=lambda g: g.i0)
    out: dict[int, int] = {}
    prev_i = prev_j = -1
    for g in [*anchors, _Group(len(text_lines), len(text_lines), len(image_lines), len(image_lines), 0.0)]:
        if g.j0 <= prev_j:
            continue  # not in order with the previous anchor
        ts = [i for i in range(prev_i + 1, g.i0) if i not in used_t and text_lines[i].strip()]
        js = [j for j in range(prev_j + 1, g.j0) if j not in used_j and image_lines[j].strip()]
        # An image line whose words a neighbouring line holds (three lines joined into one) is not free.
        neighbours = [text_lines[k] for k in (prev_i, g.i0) if 0 <= k < len(text_lines)]
        held = any(fuzz.partial_ratio(image_lines[j], n) >= 90 for j in js for n in neighbours)
        if ts and len(ts) == len(js) and not held:
            out.update(zip(ts, js, strict=True))
        prev_i, prev_j = g.i1, g.j1
    return out


def _moved_lines(text_lines: Sequence[str], image_lines: Sequence[str], a: _Side, groups: list[_Group]) -> list[_Group]:
    """Tie lines the ordered alignment left out to image lines nobody holds, when they are clearly alike."""
    used_t = {i for g in groups for i in range(g.i0, g.i1 + 1)}
    used_j = {j for g in groups for j in range(g.j0, g.j1 + 1)}
    free = {j: s for j, s in enumerate(image_lines) if j not in used_j and s.strip()}
    out: list[_Group] = []
    for i, line in enumerate(text_lines):
        if i in used_t or int(a.letters[i]) < MOVED_MIN_LETTERS or not free:
            continue
        hit = process.extractOne(line, free, scorer=fuzz.ratio, score_cutoff=MOVED_MIN_SCORE)
        if hit is not None:
            j = int(hit[2])
            out.append(_Group(i, i, j, j, 0.0))
            del free[j]
    return out
