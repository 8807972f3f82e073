"""The project's own dictionary and what it learned, in the project's ``dictionaries/`` folder.

``project.txt`` is plain text a person can edit: one ``word<TAB>lang`` per line (``lang`` is ``rus`` or
``aze_cyrl``; a space works as well as a tab), ``#`` starts a comment. ``confusions.json`` holds counts of
corrections the user made, per language: letter segments (``"н>и": 3``: the OCR gave н where и belongs) and
whole words (``"наруку>на руку": 1``). Both files are written atomically (temporary file, fsync, rename).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from workbench.dictionary.confusions import segments
from workbench.dictionary.fold import fold_key
from workbench.dictionary.known import built_dictionary_knows
from workbench.durable import write_atomic
from workbench.errors import InputError, StorageError
from workbench.orthography import LANGS
from workbench.text import nfc, read_text

PROJECT_FILE = "project.txt"
CONFUSIONS_FILE = "confusions.json"
HEADER = (
    "# Project dictionary: one `word<TAB>lang` per line (lang: rus or aze_cyrl). Lines starting with # are comments.\n"
)


def _atomic_write(path: Path, text: str) -> None:
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as e:
        raise StorageError(f"Cannot write {path} ({e.strerror or e}).", hint="Check the folder is writable.") from e


def parse_project_words(text: str, source: Path | str) -> list[tuple[str, str]]:
    """Parse ``project.txt`` text into (word, lang) pairs; a bad line raises InputError naming it."""
    out = []
    for n, line in enumerate(nfc(text).splitlines(), 1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        parts = body.replace("\t", " ").split()
        if len(parts) < 2 or parts[-1] not in LANGS:
            raise InputError(
                f"{source}, line {n}: {line.strip()!r} is not `word<TAB>lang` with lang one of {', '.join(LANGS)}.",
                path=source,
                hint="Fix or delete that line (words of several parts: `из-за<TAB>rus`).",
            )
        out.append((" ".join(parts[:-1]), parts[-1]))
    return out


class ProjectDictionary:
    """A project's words (``project.txt``) and learned corrections (``confusions.json``)."""

    def __init__(self, project: Any) -> None:
        root = getattr(project, "dictionaries_dir", None)
        self.folder = Path(root) if root is not None else Path(project) / "dictionaries"
        self.words_path = self.folder / PROJECT_FILE
        self.confusions_path = self.folder / CONFUSIONS_FILE

    # -- reading --------------------------------------------------------------------------------------

    def stamp(self) -> tuple[float, float]:
        """Modification times of both files (0 if missing): a cheap "has it changed" check."""
        out = []
        for path in (self.words_path, self.confusions_path):
            try:
                out.append(path.stat().st_mtime)
            except OSError:
                out.append(0.0)
        return out[0], out[1]

    def entries(self) -> list[tuple[str, str]]:
        """All (word, lang) pairs of ``project.txt`` in file order (empty if the file does not exist)."""
        if not self.words_path.exists():
            return []
        return parse_project_words(read_text(self.words_path), self.words_path)

    def words(self, lang: str) -> list[str]:
        """The project's words in ``lang``."""
        return [w for w, lg in self.entries() if lg == lang]

    def confusions(self) -> dict[str, dict[str, dict[str, int]]]:
        """The learned counts: ``{lang: {"segments": {"a>b": n}, "words": {"wrong>right": n}}}``."""
        if not self.confusions_path.exists():
            return {}
        try:
            data = json.loads(read_text(self.confusions_path))
        except ValueError as e:
            raise InputError(
                f"{self.confusions_path} is not valid JSON ({e}).",
                path=self.confusions_path,
                hint="Fix it by hand, or delete it to forget what was learned (the project dictionary stays).",
            ) from e
        if not isinstance(data, dict):
            raise InputError(f"{self.confusions_path} must hold a JSON object.", path=self.confusions_path)
        return data

    # -- writing --------------------------------------------------------------------------------------

    def add(self, word: str, lang: str) -> bool:
        """Add ``word`` in ``lang`` to ``project.txt``; returns False if it was already there."""
        word = nfc(word).strip()
        if lang not in LANGS:
            raise InputError(f"Unknown language {lang!r}; use one of {', '.join(LANGS)}.")
        if not word or any(ch.isspace() for ch in word.replace(" ", "")) or "#" in word:
            raise InputError(f"{word!r} cannot be a dictionary word (empty, or has a tab, newline or #).")
        key = fold_key(word, lang)
        existing = self.entries()
        if any(lg == lang and fold_key(w, lang) == key for w, lg in existing):
            return False
        text = read_text(self.words_path) if self.words_path.exists() else HEADER
        if text and not text.endswith("\n"):
            text += "\n"
        _atomic_write(self.words_path, text + f"{word}\t{lang}\n")
        return True

    def learn(self, wrong: str, right: str, lang: str, *, known: bool | None = None) -> None:
        """Record that the user corrected ``wrong`` to ``right`` (accepted a suggestion or retyped it).

        Letter segments and the whole-word pair are counted in ``confusions.json`` so the next ranking
        prefers them; ``right`` joins ``project.txt`` unless ``known`` says the dictionary knows it already
        (``None``: ask the built dictionary).
        """
        if lang not in LANGS:
            raise InputError(f"Unknown language {lang!r}; use one of {', '.join(LANGS)}.")
        wrong, right = nfc(wrong).strip(), nfc(right).strip()
        if not right or wrong == right:
            return
        data = self.confusions()
        table = data.setdefault(lang, {})
        segs = table.setdefault("segments", {})
        words = table.setdefault("words", {})
        kw, kr = fold_key(wrong, lang), fold_key(right, lang)
        if kw != kr:
            for a, b in segments(kw, kr):
                segs[f"{a}>{b}"] = segs.get(f"{a}>{b}", 0) + 1
            words[f"{kw}>{kr}"] = words.get(f"{kw}>{kr}", 0) + 1
        _atomic_write(self.confusions_path, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        if known is None:
            known = built_dictionary_knows(right, lang)
        if not known:
            for part in right.split():
                if not built_dictionary_knows(part, lang):
                    self.add(part, lang)
