"""Line-level ground truth for OCR training: each corrected or reviewed line's image cut from its scan, and its text.

The layout of tesstrain (and kraken's ``-f path``): in one folder, ``NAME.png`` (the line image) and
``NAME.gt.txt`` (its text, one line, NFC), plus ``manifest.tsv`` saying where every pair came from.

- **Which lines.** Those a person vouched for: marked reviewed, or changed from what the OCR read on the
  same image line. A line the OCR read and nobody touched teaches a model nothing but its own mistakes,
  and is left out; so is a line without an image line (a person typed it; there is nothing to cut).
- **Images.** Cut from the original scan (not the preprocessed one), around the line's box from the
  aligned OCR layout, turned by the page's skew (estimated from its word boxes) so the line is level, and
  padded with the scan's own surroundings. Grey PNG, lossless.
- **Names.** ``<page id with / as _>_l<image line, 4 digits>`` (a line split in two adds ``-1``, ``-2``):
  stable across edits of the text, so exporting again rewrites the same files. The manifest is merged:
  a page exported again replaces its rows, and its pairs that are no longer exported are deleted (only
  files the manifest lists are ever deleted).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workbench.durable import write_atomic
from workbench.errors import StorageError
from workbench.formats.source import PageSource, read_page
from workbench.formats.textlayer import page_slope
from workbench.linemap import line_box
from workbench.project import Project
from workbench.store import TranscriptStore
from workbench.text import nfc

MANIFEST = "manifest.tsv"
MANIFEST_FIELDS = (
    "name",
    "page",
    "version",
    "line",
    "image_line",
    "x",
    "y",
    "width",
    "height",
    "angle",
    "lang",
    "reviewed",
    "corrected",
)
#: Padding around the line, as a fraction of its (deskewed) height, above and below / left and right.
PAD_Y = 0.25
PAD_X = 0.5
_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")
#: A name this module writes (a manifest row naming anything else is never deleted: it may be hand-edited).
_NAME = re.compile(r"[0-9A-Za-z_-][0-9A-Za-z._-]*")


@dataclass
class LinesResult:
    """What a lines export did."""

    written: int = 0  # pairs written (or rewritten)
    removed: int = 0  # pairs of earlier exports deleted because their line is no longer exported
    pages: int = 0
    skipped: list[str] = field(default_factory=list)  # lines vouched for but without an image line, and why
    names: list[str] = field(default_factory=list)


def safe_name(page_id: str) -> str:
    """A page id as a flat file-name stem: ``bagirov-1946/p1`` → ``bagirov-1946_p1``, ``doc/f#2`` → ``doc_f-2``."""
    return _UNSAFE.sub("-", page_id.replace("/", "_")).strip("-") or "page"


def exported_lines(source: PageSource) -> list[int]:
    """The 0-based text lines of a page that go into training data: reviewed or corrected, with an image line."""
    out = []
    for i, line in enumerate(source.lines):
        if not line.strip() or source.image_lines[i] is None:
            continue
        if i in source.reviewed or source.corrected(i):
            out.append(i)
    return out


def cut_line(image: np.ndarray, box: Sequence[int], angle_deg: float) -> np.ndarray:
    """The line in ``box`` (x, y, w, h in ``image`` pixels), turned level by ``angle_deg`` and padded.

    The box of a skewed line is taller than its letters by ``w·|tan(angle)|``; after turning, the line's own
    height is what is left. Borders beyond the scan are filled by repeating its edge.
    """
    import cv2

    x, y, w, h = (int(v) for v in box)
    slope = math.tan(math.radians(angle_deg))
    text_h = max(h - w * abs(slope), 0.5 * h)
    pad_y = PAD_Y * text_h
    pad_x = min(PAD_X * text_h, 40.0)
    out_w = max(1, round(w + 2 * pad_x))
    out_h = max(1, round(text_h + 2 * pad_y))
    cx, cy = x + w / 2, y + h / 2
    # One affine map from the output image to the scan: rotate about the box's centre, then shift so the
    # output's centre lands on it (cv2 samples the scan once, no intermediate crop to lose pixels at).
    rot = cv2.getRotationMatrix2D((cx, cy), angle_deg, 1.0)
    rot[0, 2] += out_w / 2 - cx
    rot[1, 2] += out_h / 2 - cy
    return np.asarray(
        cv2.warpAffine(image, rot, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    )


def _png(pixels: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _write(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly it; whether it was written."""
    try:
        if path.exists() and path.read_bytes() == data:
            return False
        write_atomic(path, data)
    except OSError as e:
        raise StorageError(f"Cannot write {path}: {e.strerror or e}.") from e
    return True


def page_angle(source: PageSource) -> float:
    """The page's skew in degrees, from the slope of its OCR words' baselines (0 without a layout).

    Positive when lines fall to the right in image coordinates, i.e. the angle cv2 turns by to level them.
    """
    lines = [[w["box"] for w in line["words"]] for line in (source.layout["lines"] if source.layout else [])]
    heights = [int(b[3]) for boxes in lines for b in boxes]
    if not heights:
        return 0.0
    typical = float(sorted(heights)[len(heights) // 2])
    return math.degrees(math.atan(page_slope(lines, typical)))


def page_pairs(source: PageSource, image: np.ndarray) -> list[tuple[str, bytes, bytes, dict[str, Any]]]:
    """The training pairs of one page: ``(name, png, gt text, manifest row)``."""
    chosen = exported_lines(source)
    angle = page_angle(source)
    per_image: dict[int, list[int]] = {}
    for i in chosen:
        per_image.setdefault(source.image_lines[i] or 0, []).append(i)
    out = []
    stem = safe_name(source.page_id)
    for i in chosen:
        j = source.image_lines[i]
        assert j is not None
        box = line_box(source.version.text, source.layout, i)
        if box is None:
            continue
        siblings = per_image[j]
        name = f"{stem}_l{j + 1:04d}" + (f"-{siblings.index(i) + 1}" if len(siblings) > 1 else "")
        text = nfc(" ".join(source.lines[i].split())) + "\n"
        row = {
            "name": name,
            "page": source.page_id,
            "version": source.version.number,
            "line": i + 1,
            "image_line": j + 1,
            "x": box[0],
            "y": box[1],
            "width": box[2],
            "height": box[3],
            "angle": f"{angle:.3f}",
            "lang": source.langs[i],
            "reviewed": "yes" if i in source.reviewed else "no",
            "corrected": "yes" if source.corrected(i) else "no",
        }
        out.append((name, _png(cut_line(image, box, angle)), text.encode("utf-8"), row))
    return out


def read_manifest(out_dir: Path) -> list[dict[str, str]]:
    """The rows of ``out_dir/manifest.tsv`` (none if there is no manifest yet)."""
    path = out_dir / MANIFEST
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _manifest_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: str(r["name"])):
        writer.writerow({k: row.get(k, "") for k in MANIFEST_FIELDS})
    return buf.getvalue().encode("utf-8")


def export_lines(
    project: Project,
    page_ids: Sequence[str],
    out_dir: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> LinesResult:
    """Write the training pairs of ``page_ids`` into ``out_dir`` and merge them into its manifest."""
    from workbench.scans import load_grey

    store = TranscriptStore(project)
    result = LinesResult()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(f"Cannot create {out_dir}: {e.strerror or e}.") from e
    old_rows = read_manifest(out_dir)
    new_rows: list[dict[str, Any]] = []
    done_pages: set[str] = set()
    for pid in page_ids:
        source = read_page(project, pid, store=store)
        done_pages.add(pid)
        chosen = [i for i, line in enumerate(source.lines) if line.strip() and i in source.reviewed]
        for i in chosen:
            if source.image_lines[i] is None:
                result.skipped.append(f"{pid} line {i + 1}: no image line (typed by a person, or no OCR layout)")
        if source.page is None or source.page.scan is None:
            if exported_lines(source):
                result.skipped.append(f"{pid}: no scan to cut lines from")
        elif exported_lines(source):
            image = load_grey(source.page.scan, source.page.frame)
            for name, png, gt, row in page_pairs(source, image):
                _write(out_dir / f"{name}.png", png)
                _write(out_dir / f"{name}.gt.txt", gt)
                new_rows.append(row)
                result.names.append(name)
        result.pages += 1
        if progress:
            progress(pid)
    kept = [r for r in old_rows if r.get("page") not in done_pages]
    new_names = {r["name"] for r in new_rows}
    for row in old_rows:
        name = str(row.get("name") or "")
        if row.get("page") in done_pages and name not in new_names and _NAME.fullmatch(name):
            for suffix in (".png", ".gt.txt"):
                (out_dir / f"{row['name']}{suffix}").unlink(missing_ok=True)
            result.removed += 1
    _write(out_dir / MANIFEST, _manifest_bytes([*kept, *new_rows]))
    result.written = len(new_rows)
    return result
