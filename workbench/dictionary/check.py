"""Checking a page: which words are not known, where they are, and what they should be.

Offsets are 0-based indices into the line's Python string (code points) — the columns Textual's TextArea
uses. Text is NFC-normalised on the way in, so a combining-mark letter of the ``aze_cyrl`` model is one
code point wherever NFC can make it one.

Not flagged: numbers and anything with a digit (dates, «1954-гу», «№ 15»), words without Cyrillic letters
(Latin names, Roman numerals), single letters, short abbreviations before a full stop (the «ф.», «оп.»,
«д.», «л.» of an archive signature, «гор.», «ул.»), and all-capital acronyms of up to five letters.
Handled: a word broken by a line-end hyphen («слу-» + «жит» is checked as «служит»), a word split by a
space («това рищ») and words run together («наруку», suggested as «на руку»).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import regex

from workbench.dictionary.fold import has_cyrillic, has_latin
from workbench.dictionary.speller import Speller
from workbench.flags import Flag, Suggestion
from workbench.text import nfc

_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:[-‐'’][\p{L}\p{M}\p{N}]+)*")
_HAS_DIGIT = regex.compile(r"\p{N}")
MAX_ACRONYM = 5
MAX_ABBREVIATION = 3

LangSpec = str | Sequence[str]


@dataclass
class _Token:
    start: int
    end: int
    text: str


def _langs(spec: LangSpec | None, available: Sequence[str]) -> list[str]:
    if spec is None:
        return list(available)
    parts = spec.split("+") if isinstance(spec, str) else list(spec)
    chosen = [p for p in parts if p in available]
    if not chosen and not any(p in ("rus", "aze_cyrl") for p in parts):
        return []  # a language without a dictionary (eng, deu): nothing to check against, nothing flagged
    return chosen or list(available)


@runtime_checkable
class Checker(Protocol):
    """What checking needs of a speller: its language, known-word checks and suggestions.

    :class:`~workbench.dictionary.speller.Speller` is one; the TUI passes one that only checks (it asks for
    suggestions later, for the word under the cursor).
    """

    lang: str

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a word of this language."""
        ...

    def suggest(self, word: str, n: int = 5) -> list[Suggestion]:
        """Up to ``n`` corrections of ``word``, best first."""
        ...


def _speller_map(spellers: Mapping[str, Checker] | Sequence[Checker] | Checker) -> dict[str, Checker]:
    if isinstance(spellers, Checker):
        return {spellers.lang: spellers}
    if isinstance(spellers, Mapping):
        return dict(spellers)
    return {s.lang: s for s in spellers}


def is_exempt(token: str, line: str, end: int) -> bool:
    """Whether a token is not a word to check (number, Latin, letter, abbreviation, acronym)."""
    if _HAS_DIGIT.search(token):
        return True
    if not has_cyrillic(token):
        return True
    letters = [ch for ch in token if ch.isalpha()]
    if len(letters) <= 1:
        return True
    if len(token) <= MAX_ABBREVIATION and line[end : end + 1] == ".":
        return True
    return bool(len(letters) <= MAX_ACRONYM and all(ch.isupper() for ch in letters) and not has_latin(token))


def check_text(  # noqa: C901 - one pass over the tokens; its cases (hyphen, split, run-together) share state
    text: str,
    spellers: Mapping[str, Checker] | Sequence[Checker] | Checker,
    page_langs: LangSpec | Mapping[int, LangSpec] | None = None,
    n: int = 5,
    real_words: bool = False,
) -> list[Flag]:
    """Flag the unknown words of ``text`` with up to ``n`` suggestions each.

    With ``real_words``, known Russian words that are likely misreads of a more probable word one cheap
    confusion away are flagged too (``kind="realword"``, see :mod:`workbench.dictionary.realword`).

    ``spellers``: the spellers to use (a dict lang → Speller, or a list). ``page_langs``: the page's
    languages (``"rus+aze_cyrl"`` or a list; a word is fine if any of them knows it), or a dict from
    0-based line number to the languages of that line; None means every speller given.
    """
    by_lang = _speller_map(spellers)
    available = list(by_lang)
    lines = nfc(text).split("\n")
    tokens = [[_Token(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(line)] for line in lines]

    def langs_of(i: int) -> list[str]:
        if isinstance(page_langs, Mapping):
            return _langs(page_langs.get(i), available)
        return _langs(page_langs, available)

    def known(word: str, langs: list[str]) -> bool:
        return any(by_lang[lg].is_known(word) for lg in langs)

    def suggest(word: str, langs: list[str]) -> tuple[str, list[Suggestion]]:
        merged: dict[str, tuple[float, str]] = {}
        for lg in langs:
            for s in by_lang[lg].suggest(word, n):
                if s.term not in merged or s.score > merged[s.term][0]:
                    merged[s.term] = (s.score, lg)
        ranked = sorted(merged.items(), key=lambda kv: -kv[1][0])[:n]
        lang = ranked[0][1][1] if ranked else _guess_lang(word, langs)
        return lang, [Suggestion(term, score) for term, (score, _) in ranked]

    flags: list[Flag] = []
    skip_first: set[int] = set()  # lines whose first token was the second half of a hyphenated word
    for i, line in enumerate(lines):
        langs = langs_of(i)
        if not langs:
            continue
        toks = tokens[i]
        j = 0
        while j < len(toks):
            tok = toks[j]
            if j == 0 and i in skip_first:
                j += 1
                continue
            last = j == len(toks) - 1
            # a word broken at the line end: «слу-» + «жит»
            if last and line[tok.end :].strip() in ("-", "‐", "¬") and i + 1 < len(lines) and tokens[i + 1]:
                nxt = tokens[i + 1][0]
                joined = tok.text + nxt.text
                skip_first.add(i + 1)
                if (
                    is_exempt(joined, joined, len(joined))
                    or known(joined, langs)
                    or known(f"{tok.text}-{nxt.text}", langs)
                ):
                    j += 1
                    continue
                lang, sugg = suggest(joined, langs)
                flags.append(Flag(i, tok.start, tok.end, joined, lang, tuple(sugg)))
                j += 1
                continue
            if is_exempt(tok.text, line, tok.end):
                j += 1
                continue
            if known(tok.text, langs):
                if real_words and "rus" in langs and "rus" in by_lang:
                    left = toks[j - 1].text if j > 0 else ""
                    right = toks[j + 1].text if not last else ""
                    rus = by_lang["rus"]
                    # a speller that only checks may still offer the (cheap) real-word check: the TUI's does
                    real_word = getattr(rus, "real_word", None)
                    likely = real_word(tok.text, left, right, n) if real_word is not None else None
                    if likely is not None:
                        flags.append(Flag(i, tok.start, tok.end, tok.text, "rus", tuple(likely), kind="realword"))
                j += 1
                continue
            # a word split by a space: «това рищ»
            if not last:
                nxt = toks[j + 1]
                gap = line[tok.end : nxt.start]
                if gap == " " and not is_exempt(nxt.text, line, nxt.end):
                    joined = tok.text + nxt.text
                    if known(joined, langs):
                        lang, sugg = suggest(joined, langs)
                        top = [Suggestion(joined, 1.0)] + [s for s in sugg if s.term != joined]
                        flags.append(Flag(i, tok.start, nxt.end, line[tok.start : nxt.end], lang, tuple(top[:n])))
                        j += 2
                        continue
            lang, sugg = suggest(tok.text, langs)
            flags.append(Flag(i, tok.start, tok.end, tok.text, lang, tuple(sugg)))
            j += 1
    return flags


def _guess_lang(word: str, langs: list[str]) -> str:
    from workbench.orthography import AZERI_ONLY_LETTERS

    if "aze_cyrl" in langs and any(ch in AZERI_ONLY_LETTERS for ch in word):
        return "aze_cyrl"
    return langs[0] if langs else "rus"


def page_languages(project: Any, page_id: str) -> tuple[list[str], str, dict[int, str]]:
    """A page's languages, orthography and per-line languages (0-based) from its document's metadata."""
    page = project.page(page_id)
    doc = project.document(page.document)
    langs = list(doc.languages) or ["rus"]
    settings = doc.page_settings(page.name)
    if settings.lang and settings.lang != "auto":
        langs = [lg for lg in settings.lang.split("+") if lg in ("rus", "aze_cyrl")] or langs
    per_line: dict[int, str] = {}
    for region in settings.regions:
        if region.lines and region.lang != "auto":
            for line in range(region.lines[0] - 1, region.lines[1]):
                per_line[line] = region.lang
    return langs, doc.orthography, per_line


def check_page(project: Any, page_id: str, text: str | None = None, n: int = 5) -> list[Flag]:
    """Check a page's latest transcript (or ``text``) with the spellers its metadata asks for.

    A line's language is, as in the TUI: what a person set for it (``workbench lang`` or Ctrl+L), else a
    region of ``document.toml``, else the language the OCR chose for it (when the document has it), else
    all the page's languages. Words ignored on the page or on another page of its document (``workbench
    ignore``) are not flagged. Suggestions write ё only if the document (``yo``) or the project
    (``[dictionary] yo``) says the text prints it.
    """
    from workbench.dictionary.archive import archive_context, corpus_context
    from workbench.dictionary.realword import ContextModel
    from workbench.dictionary.speller import load_speller
    from workbench.linemap import line_map
    from workbench.session import PageSession
    from workbench.store import TranscriptStore

    langs, orthography, per_line = page_languages(project, page_id)
    session = PageSession.open(project, TranscriptStore(project), page_id)
    if text is None:
        if session.base is None:
            TranscriptStore(project).read(page_id)  # raises the store's clear "no transcript yet" error
        text = session.saved_text
    layout_lines = session.layout["lines"] if session.layout else []
    # The OCR's language of a line is its image line's, found by content (not by number: lines move).
    image_line = line_map(text, session.layout) if layout_lines else [None] * (text.count("\n") + 1)
    for i, j in enumerate(image_line):
        if i in session.line_langs:
            per_line[i] = session.line_langs[i]
        elif i not in per_line and j is not None and layout_lines[j].get("lang") in langs:
            per_line[i] = str(layout_lines[j]["lang"])
    wanted = set(langs) | {lg for spec in per_line.values() for lg in spec.split("+")}
    yo = project.prints_yo(project.page(page_id).document)  # the document's yo, else the project's
    spellers: dict[str, Speller] = {
        lg: load_speller(project, lg, orthography, yo=yo) for lg in ("rus", "aze_cyrl") if lg in wanted
    }
    archive = archive_context(project)
    context = corpus_context() if "rus" in spellers else ContextModel()
    context.update(archive)
    for speller in spellers.values():
        speller.use_context(context, archive)
    spec: Mapping[int, LangSpec] | list[str] = (
        {i: per_line.get(i, "+".join(langs)) for i in range(text.count("\n") + 1)} if per_line else langs
    )
    flags = check_text(text, spellers, spec, n=n, real_words=True)
    return [f for f in flags if not session.is_ignored(f.word)]
