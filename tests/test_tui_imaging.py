"""The TUI's image helpers (Textual-free): page views with outlines, line strips, and the why of no image."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from workbench.errors import ScanError
from workbench.tui.imaging import LINE_COLOUR, WORD_COLOUR, PageImage, ViewState, load_page_image
from workbench.tui.letters import letter_for, palette
from workbench.tui.sample import DEFAULT_LINES, render_page


@pytest.fixture(scope="module")
def page() -> tuple[PageImage, dict]:
    image, layout = render_page(DEFAULT_LINES)
    return PageImage(image), layout


def test_view_fits_the_page_and_outlines_line_and_word(page) -> None:
    im, layout = page
    line = tuple(layout["lines"][1]["box"])
    word = tuple(layout["lines"][1]["words"][2]["box"])
    out = im.view((200, 200), ViewState(), line_box=line, word_box=word)
    assert out.size == (200, 200)
    colours = set(out.getdata())
    assert LINE_COLOUR in colours and WORD_COLOUR in colours
    # The word's outline sits where the word is: scale is 200 / page width (the page is wider than tall).
    scale = 200 / im.width
    x, y, w, _h = word
    top = (200 - im.height * scale) / 2
    xs = [i % 200 for i, c in enumerate(out.getdata()) if c == WORD_COLOUR]
    assert min(xs) == pytest.approx(x * scale - 2, abs=2)
    assert max(xs) == pytest.approx((x + w) * scale + 1, abs=2)
    ys = [i // 200 for i, c in enumerate(out.getdata()) if c == WORD_COLOUR]
    assert min(ys) == pytest.approx(top + y * scale - 2, abs=2)


def test_zoomed_view_is_centred_on_the_given_point(page) -> None:
    im, layout = page
    word = tuple(layout["lines"][3]["words"][0]["box"])
    cx, cy = word[0] + word[2] / 2, word[1] + word[3] / 2
    out = im.view((100, 60), ViewState(zoom=8, cx=cx, cy=cy), word_box=word)
    xs = [i % 100 for i, c in enumerate(out.getdata()) if c == WORD_COLOUR]
    # At 8x the word fills much of the view and its outline is around the centre column.
    assert min(xs) < 50 < max(xs) and max(xs) - min(xs) > 20


def test_line_strip_is_a_window_on_the_word_under_the_cursor(page) -> None:
    im, layout = page
    line = layout["lines"][2]
    box = tuple(line["box"])
    first, last = tuple(line["words"][0]["box"]), tuple(line["words"][-1]["box"])
    heights = sorted(w["box"][3] for w in line["words"])
    a = im.strip((60, 12), box, word_box=first, text_height=heights[len(heights) // 2], letter_pixels=10)
    b = im.strip((60, 12), box, word_box=last, text_height=heights[len(heights) // 2], letter_pixels=10)
    assert a.size == b.size == (60, 12)
    assert list(a.getdata()) != list(b.getdata())  # the window moved with the word
    dark = sum(1 for p in a.convert("L").getdata() if p < 128)
    assert dark > 30  # letters, not blank paper


def test_broken_scans_say_why(tmp_path: Path) -> None:
    bad = tmp_path / "p1.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(ScanError, match=r"p1\.png"):
        load_page_image(bad, None)
    with pytest.raises(ScanError, match="missing"):
        load_page_image(tmp_path / "gone.png", None)
    with pytest.raises(ScanError, match="no scan"):
        load_page_image(None, None)
    Image.new("L", (40, 30), 255).save(tmp_path / "ok.png")
    assert load_page_image(tmp_path / "ok.png", None).width == 40


def test_letters_follow_the_orthography() -> None:
    assert letter_for("j", "1939") == "й" and letter_for("J", "1939") == "Й"
    assert letter_for("j", "1958") == "ј" and letter_for("J", "1958") == "Ј"
    assert [letter_for(k, "1939") for k in "agkhouc"] == list("әғҝһөүҹ")
    assert letter_for("z", "1939") is None
    assert {letter for _, letter in palette("1958")} >= set("әғҝһөүҹјйӘҒҜҺӨҮҸЈЙ")


def test_line_languages_come_from_the_app_then_document_regions_then_layout(tmp_path: Path) -> None:
    from workbench.session import PageSession
    from workbench.store import TranscriptStore
    from workbench.tui.sample import make_demo_project

    project = make_demo_project(tmp_path / "p", pages={"p1": DEFAULT_LINES})
    toml = project.scans_dir / "demo" / "document.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[pages.p1]\nregions = [{ lines = [3, 4], lang = "aze_cyrl" }]\n',
        encoding="utf-8",
    )
    from workbench.project import Project

    session = PageSession.open(Project(project.root), TranscriptStore(project), "demo/p1")
    assert [session.lang_of_line(i) for i in range(4)] == ["rus", "rus", "aze_cyrl", "aze_cyrl"]
    session.line_langs[3] = "rus"
    assert session.lang_of_line(3) == "rus"


@pytest.mark.parametrize(
    ("width", "height", "pane"), [(999, 1000, (698, 408)), (1200, 1200, (464, 463)), (1000, 1414, (698, 474))]
)
def test_a_view_that_fits_the_page_to_a_rounding_error_draws(width: int, height: int, pane: tuple[int, int]) -> None:
    # A page that fits the pane exactly can start 1e-13 pixels before it; the background strip outside it was
    # an inverted rectangle, Pillow raised, and the TUI stayed on "Loading the scan…" (issue 15, item 12: the
    # 144-megapixel scan hit it). Now the view draws, paper white where the page is.
    image = PageImage(Image.new("L", (width, height), 255))
    out = image.view(pane, ViewState(), line_box=(10, 10, 100, 20), word_box=(10, 10, -5, 20))
    assert out.size == pane
    assert out.getpixel((pane[0] // 2, pane[1] // 2)) == (255, 255, 255)


def test_half_block_strip_is_the_line_alone_in_ink_and_paper(page) -> None:
    """Issue 9: in half-blocks the strip shows the current line alone, as tall as the strip, binarised."""
    im, layout = page
    line = layout["lines"][1]
    box = tuple(line["box"])
    heights = sorted(w["box"][3] for w in line["words"])
    out = im.strip((120, 40), box, text_height=heights[len(heights) // 2], alone=True, binarise=True)
    grey = out.convert("L")
    assert set(grey.getdata()) <= {0, 255}
    rows = [[grey.getpixel((x, y)) for x in range(grey.width)] for y in range(grey.height)]
    inked = [y for y, row in enumerate(rows) if 0 in row]
    # Letters as tall as most of the strip, and nothing of the lines above and below at its edges.
    assert inked[-1] - inked[0] >= 0.5 * grey.height
    assert 0 not in rows[0] and 0 not in rows[-1]
    # Zoomed out, the strip takes in the lines above and below; `alone` blanks them.
    zoom = {"text_height": heights[len(heights) // 2], "binarise": True, "zoom": 0.2}

    def inked_rows(strip) -> int:
        grey = strip.convert("L")
        return sum(1 for y in range(grey.height) if any(grey.getpixel((x, y)) == 0 for x in range(grey.width)))

    alone, plain = im.strip((120, 40), box, alone=True, **zoom), im.strip((120, 40), box, **zoom)
    assert inked_rows(plain) >= 2 * inked_rows(alone) > 0
