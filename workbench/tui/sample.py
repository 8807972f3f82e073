"""A small typed page with its OCR layout, for tests and benchmarks of the TUI (Textual-free).

The page is rendered with FreeMono like a typescript, and the layout's word boxes are measured from the
font, so the outlines and line strips the app draws can be checked against known geometry.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from workbench.layout import Layout, LayoutLine, LayoutWord
from workbench.project import Project, init_project
from workbench.store import TranscriptStore

FONT = Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf")

DEFAULT_LINES = [
    "Товарищу Сталину И. В.",
    "Докладываю о ходе работ по",
    "уборке хлопка в Азербайджанской ССР.",
    "Секретарь ЦК КП Азербайджана Батиров",
]


def render_page(lines: list[str], *, size: int = 28, margin: int = 60, width: int = 1240) -> tuple[Image.Image, Layout]:
    """Render ``lines`` as a typed page; return the image and a layout (boxes in its pixels)."""
    font = ImageFont.truetype(str(FONT), size)
    step = int(size * 1.6)
    height = max(400, margin * 2 + step * len(lines))
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    out_lines: list[LayoutLine] = []
    space = draw.textlength(" ", font=font)
    for i, line in enumerate(lines):
        y = margin + i * step
        x = float(margin)
        words: list[LayoutWord] = []
        for k, word in enumerate(line.split()):
            draw.text((x, y), word, font=font, fill=0)
            x0, y0, x1, y1 = (round(v) for v in draw.textbbox((x, y), word, font=font))
            # Every fourth word pretends Tesseract was unsure of it, so low-confidence marks can be tested.
            words.append({"text": word, "box": [x0, y0, x1 - x0, y1 - y0], "conf": 42.0 if k % 4 == 3 else 93.0})
            x = x1 + space
        if words:
            xs = [w["box"][0] for w in words]
            ys = [w["box"][1] for w in words]
            x_end = max(w["box"][0] + w["box"][2] for w in words)
            y_end = max(w["box"][1] + w["box"][3] for w in words)
            box = [min(xs), min(ys), x_end - min(xs), y_end - min(ys)]
        else:
            box = [margin, y, 1, step]
        out_lines.append({"box": box, "lang": "rus", "conf": 90.0, "words": words})
    layout: Layout = {"width": width, "height": height, "image": "", "frame": None, "lines": out_lines}
    return image, layout


def make_demo_project(root: Path, pages: dict[str, list[str]] | None = None, *, orthography: str = "1939") -> Project:
    """A project with one document ``demo`` whose pages are rendered scans with an OCR version each."""
    project = init_project(root, name="demo")
    pages = pages or {"p1": DEFAULT_LINES, "p2": [*reversed(DEFAULT_LINES)]}
    doc = project.scans_dir / "demo"
    doc.mkdir(parents=True, exist_ok=True)
    (doc / "document.toml").write_text(
        f'title = "Demo"\ndate = "1955"\nlanguages = ["rus", "aze_cyrl"]\northography = "{orthography}"\n',
        encoding="utf-8",
    )
    store = TranscriptStore(project)
    for name, lines in pages.items():
        image, layout = render_page(lines)
        image.save(doc / f"{name}.png")
        layout["image"] = f"scans/demo/{name}.png"
        store.save(
            f"demo/{name}",
            "\n".join(lines),
            source="ocr",
            author="tesseract",
            layout=layout,
            message="OCR",
            ocr={"engine": "demo"},
        )
    return Project(project.root)
