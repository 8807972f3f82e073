"""``workbench train``: fine-tune the project's Azerbaijani model on corrected line images.

The input is a folder in the tesstrain/kraken layout (``NAME.png`` + ``NAME.gt.txt``, as
``workbench export --format lines`` writes it). A fixed share of the lines (chosen by a hash of the name, so
the same lines every run) is held out; the rest trains. The current model's character error rate on the
held-out lines is measured before and after, and the project's model (``models/aze_cyrl_wb.traineddata``)
is replaced only when the new one is better; the one it replaces is kept beside it as ``….previous``.

Training reads the folder and writes only into a work folder (``.workbench-cache/train/…``, keyed by the
lines' content) and ``models/``: it never touches a transcript version or a reviewed line. An interrupted
run resumes where its last checkpoint left off when the same command is run again (lstmtraining continues
from ``…/checkpoints/ft_checkpoint`` by itself).
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from workbench.errors import InputError, MissingDependencyError, StorageError
from workbench.ocr.models import PROJECT_MODEL, project_model
from workbench.training import tools

#: Image suffixes a line may have (tesstrain accepts these too).
IMAGE_SUFFIXES = (".png", ".tif", ".tiff", ".jpg", ".jpeg")
#: Lines per training sheet (one ``.lstmf`` each; see :func:`tools.make_lstmf_sheet`).
SHEET_LINES = 40


@dataclass(frozen=True)
class TrainReport:
    """What a ``workbench train`` run did."""

    lines: int
    train_lines: int
    held_out_lines: int
    iterations: int
    resumed: bool
    cer_before: float
    cer_after: float
    replaced: bool
    model: str
    candidate: str
    work_dir: str

    def to_json(self) -> str:
        """The report as one JSON object."""
        return json.dumps(asdict(self), ensure_ascii=False)


def find_lines(folder: Path) -> list[tuple[Path, Path]]:
    """(image, text) pairs of a tesstrain-layout folder, sorted by name; InputError when there are none."""
    if not folder.is_dir():
        raise InputError(
            f"{folder} is not a folder of line images.",
            path=folder,
            hint="Give the folder `workbench export --format lines` wrote (NAME.png + NAME.gt.txt).",
        )
    pairs = []
    for gt in sorted(folder.rglob("*.gt.txt")):
        stem = gt.name[: -len(".gt.txt")]
        image = next((gt.with_name(stem + s) for s in IMAGE_SUFFIXES if gt.with_name(stem + s).is_file()), None)
        if image is not None:
            pairs.append((image, gt))
    if not pairs:
        raise InputError(
            f"No line images with transcriptions in {folder}.",
            path=folder,
            hint="Each line needs NAME.png and NAME.gt.txt side by side (`workbench export --format lines`).",
        )
    return pairs


def is_held_out(name: str, share: float) -> bool:
    """Whether a line (by its name) is held out: a stable hash, so the split never changes between runs."""
    return zlib.crc32(name.encode("utf-8")) % 1000 < share * 1000


def _content_key(pairs: list[tuple[Path, Path]]) -> str:
    h = hashlib.sha256()
    for image, gt in pairs:
        h.update(image.name.encode())
        h.update(str(image.stat().st_size).encode())
        h.update(gt.read_bytes())
    return h.hexdigest()[:16]


def _sheets(pairs: list[tuple[Path, Path]], out: Path, prefix: str) -> Path:
    """lstmf sheets of the lines (made once; kept in the work folder) and the list file naming them."""
    files = []
    for n, start in enumerate(range(0, len(pairs), SHEET_LINES)):
        base = out / f"{prefix}_{n:04d}"
        lstmf = base.with_suffix(".lstmf")
        if not lstmf.exists():
            items = [tools.read_line(image, gt) for image, gt in pairs[start : start + SHEET_LINES]]
            tools.make_lstmf_sheet(items, base)
        files.append(lstmf)
    listing = out / f"list.{prefix}"
    listing.write_text("".join(f"{f}\n" for f in files), encoding="utf-8")
    return listing


def default_iterations(train_lines: int) -> int:
    """About ten passes over the lines, at least 200 and at most 4000 iterations (one line each)."""
    return max(200, min(4000, 10 * train_lines))


def train(
    project_root: Path,
    lines_dir: Path,
    *,
    iterations: int | None = None,
    held_out_share: float = 0.1,
    progress: Callable[[str], None] | None = None,
) -> TrainReport:
    """Fine-tune the project's model on ``lines_dir``; replace it only when the held-out CER improves."""
    say = progress or (lambda _msg: None)
    current = project_model(project_root)
    if current is None:
        raise MissingDependencyError(
            f"There is no {PROJECT_MODEL} model to fine-tune (neither {project_root / 'models'} nor the bundled one).",
            hint="Train one with `tools/train_model.py` or copy the repository's models/ folder into the project.",
        )
    pairs = find_lines(lines_dir)
    held = [p for p in pairs if is_held_out(p[0].stem, held_out_share)]
    train_pairs = [p for p in pairs if not is_held_out(p[0].stem, held_out_share)]
    if not held:  # too few lines for the share: hold out the last one
        held, train_pairs = train_pairs[-1:], train_pairs[:-1]
    if not train_pairs:
        raise InputError(
            f"{lines_dir} has too few lines to train on ({len(pairs)}).",
            path=lines_dir,
            hint="Export more corrected lines; at least two are needed (one is held out).",
        )
    work = project_root / ".workbench-cache" / "train" / _content_key(pairs)
    try:
        (work / "data").mkdir(parents=True, exist_ok=True)
        (work / "checkpoints").mkdir(exist_ok=True)
    except OSError as e:
        raise StorageError(f"Cannot make the training folder {work}: {e}.") from e
    say(f"{len(train_pairs)} lines to train on, {len(held)} held out; work folder {work}")
    train_list = _sheets(train_pairs, work / "data", "train")
    eval_list = _sheets(held, work / "data", "eval")
    # The model we start from is copied into the work folder, so a resumed run continues from the same one
    # even if the project's model was replaced in between.
    start = work / "start.traineddata"
    if not start.exists():
        tmp = start.with_suffix(".tmp")
        tmp.write_bytes(current.read_bytes())
        os.replace(tmp, start)
    start_lstm = work / "start.lstm"
    if not start_lstm.exists():
        tools.extract_lstm(start, start_lstm)
    before = tools.lstmeval(current, eval_list)
    say(f"held-out CER of the current model: {before.cer:.2f} %")
    n_iter = iterations or default_iterations(len(train_pairs))
    run = tools.lstmtraining(
        traineddata=start,
        continue_from=start_lstm,
        model_output=work / "checkpoints" / "ft",
        train_list=train_list,
        max_iterations=n_iter,
    )
    say(f"trained to iteration {run.iterations}" + (" (resumed from a checkpoint)" if run.resumed else ""))
    candidate = tools.stop_training(work / "checkpoints" / "ft_checkpoint", start, work / "candidate.traineddata")
    after = tools.lstmeval(candidate, eval_list)
    say(f"held-out CER of the fine-tuned model: {after.cer:.2f} %")
    replaced = after.cer < before.cer
    target = project_root / "models" / f"{PROJECT_MODEL}.traineddata"
    if replaced:
        _install(candidate, target, current)
    return TrainReport(
        lines=len(pairs),
        train_lines=len(train_pairs),
        held_out_lines=len(held),
        iterations=run.iterations,
        resumed=run.resumed,
        cer_before=before.cer,
        cer_after=after.cer,
        replaced=replaced,
        model=str(target if replaced else current),
        candidate=str(candidate),
        work_dir=str(work),
    )


def _install(candidate: Path, target: Path, current: Path) -> None:
    """Put ``candidate`` in place atomically, keeping the model it replaces as ``….previous.traineddata``."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        previous = target.with_name(f"{PROJECT_MODEL}.previous.traineddata")
        tmp_prev = previous.with_suffix(".tmp")
        tmp_prev.write_bytes(current.read_bytes())
        os.replace(tmp_prev, previous)
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(candidate.read_bytes())
        os.replace(tmp, target)
    except OSError as e:
        raise StorageError(
            f"Cannot install the new model at {target}: {e}.",
            hint="The old model is unchanged; free space or fix permissions and run again.",
        ) from e
