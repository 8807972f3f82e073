"""OCR confusion costs: what a misread costs when a suggestion undoes it.

An edit between the OCR'd word and a candidate is split into *segments* (maximal runs of differences, e.g.
``rn`` → ``м`` or ``н`` → ``и``); each segment is priced from three tables, cheapest first:

1. learned pairs from the project's ``dictionaries/confusions.json`` (what the user actually corrected);
2. known OCR confusions (Tesseract's Cyrillic look-alikes, and for Azerbaijani the letters no model reads,
   which are priced by direction: the OCR'd ``г`` for a true ``ғ`` is cheap, the reverse is not);
3. one per letter otherwise (a plain edit).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path

from rapidfuzz.distance import Levenshtein

#: Tesseract's measured confusions per language (``bench/fit_channel.py``, fitted on the development pages only).
DATA = Path(__file__).resolve().parent.parent / "data"

#: Cost per Zipf unit below ZIPF_CAP: a noisy channel in which a plain edit is ~1e-3 likely and a word 10×
#: rarer is 10× less likely gives log(10)/log(1000) ≈ 0.33 (measured best of 0.1–0.4 on the real misreads).
FREQ_WEIGHT = 0.3
#: Cost of a segment that is a known OCR confusion (a plain edit costs 1).
CONFUSION_COST = 0.5
#: Azerbaijani letters that no model reads: the look-alike the OCR gives → the letter that belongs there.
AZE_COST = 0.2
_RUS_PAIRS = ["ни", "нп", "ип", "се", "шщ", "ьъ", "ьы", "ъы", "зэ", "кг", "лп", "ен", "оа", "цц", "бв", "дл", "ту"]
RUS_CONFUSIONS: dict[tuple[str, str], float] = {}
for _a, _b in (tuple(pair) for pair in _RUS_PAIRS):
    RUS_CONFUSIONS[(_a, _b)] = CONFUSION_COST
    RUS_CONFUSIONS[(_b, _a)] = CONFUSION_COST
RUS_CONFUSIONS |= {
    # one letter read as two (the Cyrillic cousins of rn → m), and back
    ("ьі", "ы"): CONFUSION_COST,
    ("ъі", "ы"): CONFUSION_COST,
    ("ьl", "ы"): CONFUSION_COST,
    ("ии", "ш"): CONFUSION_COST,
    ("пі", "п"): CONFUSION_COST,
    ("іо", "ю"): CONFUSION_COST,
    ("гп", "т"): CONFUSION_COST,
    ("лл", "м"): CONFUSION_COST,
    ("нн", "м"): CONFUSION_COST,
    ("-", ""): CONFUSION_COST,
}
AZE_CONFUSIONS: dict[tuple[str, str], float] = {
    (a, b): AZE_COST for a, b in ("гғ", "оө", "уү", "иш", "ҹч", "эә", "еә", "нһ", "кҝ", "жҹ", "гҹ", "жч", "дҹ", "ыи")
}
AZE_CONFUSIONS |= {(b, a): 0.6 for (a, b) in list(AZE_CONFUSIONS)}
AZE_CONFUSIONS |= {("а", "ә"): 0.5, ("ә", "а"): 0.7, ("һ", "х"): 0.6, ("х", "һ"): 0.5}
# Russian look-alikes happen in Azerbaijani text too.
AZE_CONFUSIONS = {**{k: v for k, v in RUS_CONFUSIONS.items() if k not in AZE_CONFUSIONS}, **AZE_CONFUSIONS}


def segments(wrong: str, right: str) -> list[tuple[str, str]]:
    """The differing segments between two folded words, as (what the OCR gave, what belongs) pairs."""
    out: list[tuple[str, str]] = []
    cur_a: list[str] = []
    cur_b: list[str] = []
    for op in Levenshtein.opcodes(wrong, right):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            if cur_a or cur_b:
                out.append(("".join(cur_a), "".join(cur_b)))
                cur_a, cur_b = [], []
            continue
        cur_a.append(wrong[i1:i2])
        cur_b.append(right[j1:j2])
    if cur_a or cur_b:
        out.append(("".join(cur_a), "".join(cur_b)))
    return out


def learned_cost(count: int) -> float:
    """Cost of a confusion the user has corrected ``count`` times (cheaper the more often)."""
    return 0.6 / (1.0 + count)


def segment_cost(a: str, b: str, table: Mapping[tuple[str, str], float], learned: Mapping[str, int]) -> float:
    """The cost of reading ``b`` as ``a``: learned, known confusion, or one per letter."""
    count = learned.get(f"{a}>{b}", 0)
    if count:
        return min(learned_cost(count), table.get((a, b), 1.0))
    if (a, b) in table:
        return table[(a, b)]
    if len(a) == len(b):
        total = 0.0
        for x, y in zip(a, b, strict=True):
            c = learned.get(f"{x}>{y}", 0)
            base = table.get((x, y), 1.0)
            total += min(learned_cost(c), base) if c else base
        return total
    # unequal lengths: price the overlap letter by letter, plus one per extra letter
    n = min(len(a), len(b))
    return segment_cost(a[:n], b[:n], table, learned) + abs(len(a) - len(b))


def ocr_cost(
    wrong: str,
    right: str,
    table: Mapping[tuple[str, str], float],
    learned: Mapping[str, int],
    memo: dict[tuple[str, str], float] | None = None,
) -> float:
    """The weighted edit cost of ``right`` having been read as ``wrong`` (both folded).

    ``memo`` remembers segment costs between calls (the caller clears it when ``learned`` changes).
    """
    total = 0.0
    for seg in segments(wrong, right):
        if memo is None:
            total += segment_cost(seg[0], seg[1], table, learned)
            continue
        cost = memo.get(seg)
        if cost is None:
            cost = memo[seg] = segment_cost(seg[0], seg[1], table, learned)
        total += cost
    return total


def channel_file(lang: str) -> Path:
    """Where the measured channel of ``lang`` is shipped."""
    return DATA / f"ocr_channel_{lang}.json"


def confusion_neighbours(key: str, table: Mapping[tuple[str, str], float], max_cost: float) -> list[tuple[str, float]]:
    """Keys one confusion away from ``key``: each (what the OCR gave → what belongs) pair of ``table`` cheaper
    than ``max_cost`` undone at each place it occurs, cheapest first."""
    out: dict[str, float] = {}
    for (a, b), cost in table.items():
        if not a or cost > max_cost or a == b:
            continue
        start = key.find(a)
        while start >= 0:
            cand = key[:start] + b + key[start + len(a) :]
            if cand and (cand not in out or cost < out[cand]):
                out[cand] = cost
            start = key.find(a, start + 1)
    out.pop(key, None)
    return sorted(out.items(), key=lambda kv: (kv[1], kv[0]))


def confusion_variants(
    key: str, table: Mapping[tuple[str, str], float], max_cost: float, depth: int = 2, limit: int = 8
) -> list[tuple[str, float]]:
    """What ``key`` may have been before up to ``depth`` cheap misreads: keys with that many confusions of
    ``table`` undone (нн → м, п → ш, и → й …), each at most ``max_cost`` in all; the ``limit`` cheapest.

    The speller searches these as well when the word itself is far from every word: a misread four plain
    edits away is often two cheap confusions away.
    """
    found: dict[str, float] = {}
    frontier = [(key, 0.0)]
    for _ in range(depth):
        nxt: list[tuple[str, float]] = []
        for word, base in frontier[:limit]:
            for cand, cost in confusion_neighbours(word, table, max_cost - base):
                total = base + cost
                if cand != key and (cand not in found or total < found[cand]):
                    found[cand] = total
                    nxt.append((cand, total))
        frontier = sorted(nxt, key=lambda kv: (kv[1], kv[0]))
    return sorted(found.items(), key=lambda kv: (kv[1], kv[0]))[:limit]


@functools.lru_cache(maxsize=2)
def channel_costs(lang: str = "rus") -> dict[tuple[str, str], float]:
    """The measured confusion costs of ``lang``, (what the OCR gave, what belongs) → cost (empty if the file
    is missing: the hand table still applies)."""
    try:
        data = json.loads(channel_file(lang).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[tuple[str, str], float] = {}
    for seg, cost in (data.get("costs") or {}).items():
        a, sep, b = str(seg).partition(">")
        if sep and isinstance(cost, (int, float)):
            out[(a, b)] = float(cost)
    return out


def table_for(lang: str) -> dict[tuple[str, str], float]:
    """The confusion table of ``lang``: the hand table, and the measured costs where cheaper."""
    table = dict(AZE_CONFUSIONS if lang == "aze_cyrl" else RUS_CONFUSIONS)
    for pair, cost in channel_costs(lang).items():
        table[pair] = min(cost, table.get(pair, cost))
    return table
