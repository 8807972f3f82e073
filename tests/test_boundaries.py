"""Import boundaries: the core never pulls in Textual; only one module each talks to pytesseract and symspellpy."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import workbench

PACKAGE = Path(workbench.__file__).parent


def _modules() -> list[str]:
    # `workbench.__main__` runs the CLI (it would open the app), so it is not imported.
    names = []
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="workbench."):
        if info.name.endswith("__main__") or info.name == "workbench.tui" or info.name.startswith("workbench.tui."):
            continue
        names.append(info.name)
    return sorted(names)


def test_core_modules_do_not_import_textual() -> None:
    modules = _modules()
    assert "workbench.store" in modules and "workbench.cli" in modules  # the walk found the package
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as e:\n"
        "        print('FAILED', name, repr(e))\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'textual_image')))\n"
        "print('TEXTUAL', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # A module that does not import is a failure here, not a skip: it would hide its own textual import.
    assert "FAILED" not in out.stdout, out.stdout
    assert "TEXTUAL []" in out.stdout, out.stdout


def test_the_tui_does_import_textual() -> None:
    # The check above must be able to fail: importing the TUI does load textual.
    code = "import sys, workbench.tui.app; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr


def _importers(top: str) -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(n == top or n.startswith(top + ".") for n in names):
                found.add(path.relative_to(PACKAGE.parent).as_posix())
    return found


def test_only_the_tui_imports_textual() -> None:
    users = _importers("textual") | _importers("textual_image")
    assert users, "the scan found no textual import at all"
    assert all(p.startswith("workbench/tui/") for p in users), users


def test_only_the_tesseract_wrapper_imports_pytesseract() -> None:
    assert _importers("pytesseract") <= {"workbench/ocr/tesseract.py"}


def test_only_the_symspell_module_imports_symspellpy() -> None:
    users = _importers("symspellpy")
    assert len(users) <= 1, users
    assert all(p.startswith("workbench/dictionary/") for p in users), users
