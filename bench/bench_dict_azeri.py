"""`workbench check` on the garbled Azerbaijani transcript ``azeri-1955-az/p1``: right forms among suggestions.

The hand-checked list below pairs words of the garbled OCR with their 1939 Cyrillic spelling, worked out from
the Russian version of the letter (``azeri_letter_1955_ru.txt``) and the Azerbaijani of the 1953 report in the
same archive. It was written before tuning and is not used by the code. For each pair: is the OCR word
flagged, is the right form first, in the top five?

Usage: ``.venv/bin/python bench/bench_dict_azeri.py [--json OUT]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.dictionary.check import check_page  # noqa: E402
from workbench.dictionary.fold import fold_key  # noqa: E402
from workbench.project import Project  # noqa: E402

# garbled OCR → right form (1939 orthography); meaning from the Russian version
HAND_CHECKED = [
    ("Эриза", "Әризә"),  # заявление (ərizə)
    ("даваб", "ҹаваб"),  # ответ (cavab)
    ("сизэ", "сизә"),  # Вам (sizə)
    ("Азербайжан", "Азәрбайҹан"),
    ("оиргесинде", "фиргәсиндә"),  # в партии (firqəsində)
    ("икинчи", "икинҹи"),  # второе (ikinci)
    ("декаброн", "декабрын"),  # декабря (dekabrın)
    ("урун", "үчүн"),  # для, ввиду (üçün)
    ("мэрхэзү", "мәркәзи"),  # центральный (mərkəzi)
    ("башонда", "башында"),  # во главе (başında)
    ("башгаларог", "башгалары"),  # другие (başqaları)
    ("эдир", "едир"),  # делает (edir)
    ("тэнгид", "тәнгид"),  # критика (tənqid)
    ("үстүгдэ", "үстүндә"),  # на (üstündə)
    ("мэктэбиндэн", "мәктәбиндән"),  # из школы (məktəbindən)
    ("арасотда", "арасында"),  # среди (arasında)
    ("илде", "илдә"),  # в году (ildə)
    ("Тобризде", "Тәбриздә"),  # в Тебризе (Təbrizdə)
    ("мазбур", "мәҹбур"),  # вынужден (məcbur)
    ("Буни", "Буну"),  # это (bunu)
    ("снра", "сонра"),  # после (sonra)
    ("Азэрбайган", "Азәрбайҹан"),  # broken at a line end: «Азэр-» + «байган»
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    project = Project(REPO)
    t = time.perf_counter()
    flags = check_page(project, "azeri-1955-az/p1")
    seconds = time.perf_counter() - t
    by_word: dict[str, list[str]] = {}
    for f in flags:
        by_word.setdefault(fold_key(f.word, "aze_cyrl"), [s.term for s in f.suggestions])
    rows = []
    for wrong, right in HAND_CHECKED:
        key = fold_key(wrong, "aze_cyrl")
        sugg = by_word.get(key)
        rank = None
        if sugg is not None:
            folded = [fold_key(s, "aze_cyrl") for s in sugg]
            rank = folded.index(fold_key(right, "aze_cyrl")) + 1 if fold_key(right, "aze_cyrl") in folded else None
        rows.append({"ocr": wrong, "right": right, "flagged": sugg is not None, "rank": rank, "suggestions": sugg})
    n = len(rows)
    result = {
        "flags_on_page": len(flags),
        "check_seconds": round(seconds, 2),
        "hand_checked": n,
        "flagged": sum(r["flagged"] for r in rows),
        "first": sum(r["rank"] == 1 for r in rows),
        "top5": sum(r["rank"] is not None for r in rows),
        "rows": rows,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
