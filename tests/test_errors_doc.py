"""docs/errors.md lists every error class with its exit code (and an example message)."""

from __future__ import annotations

import re
from pathlib import Path

import workbench.errors as errors

DOC = Path(__file__).resolve().parent.parent / "docs" / "errors.md"


def _classes() -> list[type[errors.WorkbenchError]]:
    found: list[type[errors.WorkbenchError]] = []
    todo: list[type[errors.WorkbenchError]] = [errors.WorkbenchError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if c.__module__ == "workbench.errors"]


def test_every_error_class_has_a_row_with_its_exit_code_and_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| `(\w+)` \| (.+?) \|", text, flags=re.MULTILINE)
    codes: dict[str, set[int]] = {}
    examples: dict[str, str] = {}
    for code, name, example in rows:
        codes.setdefault(name, set()).add(int(code))
        examples.setdefault(name, example)
    classes = _classes()
    assert len(classes) >= 17
    missing = [c.__name__ for c in classes if c.__name__ not in codes]
    assert not missing, f"docs/errors.md has no row for {missing}"
    wrong = [c.__name__ for c in classes if codes[c.__name__] != {c.exit_code}]
    assert not wrong, f"docs/errors.md gives the wrong exit code for {wrong}"
    assert all(examples[c.__name__].strip() for c in classes)
