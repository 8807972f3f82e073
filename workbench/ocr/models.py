"""The project's own Azerbaijani Cyrillic model, and a tessdata folder that holds it beside the system models.

Tesseract reads every model of one run from one folder (``--tessdata-dir``). The project's model
``aze_cyrl_wb.traineddata`` ships in the repository's ``models/`` (trained by ``tools/train_model.py``); a
project can hold a fine-tuned one in its own ``models/`` (``workbench train`` writes it there). So that
``rus+aze_cyrl`` keeps working as one Tesseract run, :func:`tessdata_with` makes a folder of symbolic links to
the system's models plus the project's model, and the engine reads ``aze_cyrl_wb`` where the workbench says
``aze_cyrl``. The system model stays selectable (``[ocr] aze_model = "tesseract"`` or
``WORKBENCH_AZE_MODEL=tesseract``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from workbench.errors import StorageError

#: The name Tesseract knows the project's model by.
PROJECT_MODEL = "aze_cyrl_wb"
#: Choices for the Azerbaijani model: the project's (default) or Tesseract's own.
AZE_MODELS = ("workbench", "tesseract")
#: The model that ships with the repository (absent in an installation without the repository's files).
BUNDLED_MODEL = Path(__file__).resolve().parent.parent.parent / "models" / f"{PROJECT_MODEL}.traineddata"


def project_model(project_root: Path | None) -> Path | None:
    """The project's model file: ``ROOT/models/aze_cyrl_wb.traineddata``, else the bundled one, else None."""
    if project_root is not None:
        own = project_root / "models" / f"{PROJECT_MODEL}.traineddata"
        if own.is_file():
            return own
    return BUNDLED_MODEL if BUNDLED_MODEL.is_file() else None


def cache_dir() -> Path:
    """Where derived per-machine files go: ``$XDG_CACHE_HOME/workbench`` or ``~/.cache/workbench``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workbench"


def tessdata_with(model: Path, system_tessdata: Path) -> Path:
    """A folder with links to every model in ``system_tessdata`` and to ``model`` as ``aze_cyrl_wb``.

    The folder's name depends on both paths and the model's size and time, so a retrained model gets a
    new folder and a running batch never sees a half-made one (each is made under a temporary name and
    renamed into place).
    """
    st = model.stat()
    key = f"{model.resolve()}|{st.st_size}|{st.st_mtime_ns}|{system_tessdata.resolve()}"
    folder = cache_dir() / "tessdata" / hashlib.sha256(key.encode()).hexdigest()[:16]
    if (folder / f"{PROJECT_MODEL}.traineddata").exists():
        return folder
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
        for entry in system_tessdata.iterdir():
            # configs/ and tessconfigs/ too: Tesseract reads `lstm.train`, `hocr` … from the same folder.
            if entry.name != f"{PROJECT_MODEL}.traineddata":
                (tmp / entry.name).symlink_to(entry.resolve())
        (tmp / f"{PROJECT_MODEL}.traineddata").symlink_to(model.resolve())
        try:
            tmp.rename(folder)
        except OSError:
            # Another process made the same folder first: use theirs.
            for link in tmp.iterdir():
                link.unlink()
            tmp.rmdir()
    except OSError as e:
        raise StorageError(
            f"Cannot make the model folder {folder}: {e}.", hint="Check that the cache folder is writable."
        ) from e
    return folder


def engine_lang(lang: str, use_project_model: bool) -> str:
    """The Tesseract language string for a workbench one: ``aze_cyrl`` → ``aze_cyrl_wb`` when the project's
    model is used (``rus+aze_cyrl`` → ``rus+aze_cyrl_wb``)."""
    if not use_project_model:
        return lang
    return "+".join(PROJECT_MODEL if part == "aze_cyrl" else part for part in lang.split("+"))
