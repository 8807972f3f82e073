"""Scan formats and bad scans: each bad file gets its own clear error, and the rest of the archive works."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from workbench.errors import ScanError
from workbench.project import Project
from workbench.scans import MAX_PIXELS, frame_count, load_grey, load_image


def _page(seed: int, size: tuple[int, int] = (60, 40)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, size=(size[1], size[0]), dtype=np.uint8), mode="L")


@pytest.mark.parametrize("suffix", [".png", ".tif", ".jpg"])
def test_single_image_formats_decode(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"p{suffix}"
    src = _page(1)
    src.save(path, quality=100) if suffix == ".jpg" else src.save(path)
    arr = load_grey(path)
    assert arr.shape == (40, 60) and arr.dtype == np.uint8
    if suffix != ".jpg":  # lossless formats give back the very pixels
        assert np.array_equal(arr, np.asarray(src))


def test_colour_and_16_bit_scans_become_grey(tmp_path: Path) -> None:
    rgb = tmp_path / "c.png"
    Image.new("RGB", (10, 10), (200, 100, 50)).save(rgb)
    assert load_image(rgb).mode == "RGB"
    assert load_grey(rgb).shape == (10, 10)
    deep = tmp_path / "d.tif"
    Image.fromarray(np.arange(100, dtype=np.uint16).reshape(10, 10) * 600).save(deep)
    grey = load_grey(deep)
    assert grey.min() == 0 and grey.max() == 255


def test_multipage_tiff_frames(tmp_path: Path) -> None:
    path = tmp_path / "m.tif"
    frames = [_page(i) for i in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    assert frame_count(path) == 3
    for i, frame in enumerate(frames):
        assert np.array_equal(load_grey(path, i), np.asarray(frame))
    with pytest.raises(ScanError, match="no page 4"):
        load_image(path, 3)


def test_pdf_pages_are_rasterised_at_300_dpi(tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    # Pillow writes the PDF at 72 dpi: a 144x72 image is a 2x1 inch page, which is 600x300 px at 300 dpi.
    black = Image.new("RGB", (144, 72), (0, 0, 0))
    white = Image.new("RGB", (144, 72), (255, 255, 255))
    black.save(path, save_all=True, append_images=[white], resolution=72)
    assert frame_count(path) == 2
    first, second = load_grey(path, 0), load_grey(path, 1)
    assert first.shape == (300, 600)
    assert first.mean() < 10 and second.mean() > 245


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.touch()
    with pytest.raises(ScanError, match="empty") as e:
        load_image(path)
    assert str(path) in str(e.value)


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "letter.png"
    path.write_text("Товарищ Сталин, …", encoding="utf-8")
    with pytest.raises(ScanError, match="not an image") as e:
        load_image(path)
    assert "Convert it" in str(e.value)


def test_truncated_image(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    _page(3, (400, 300)).save(good)
    bad = tmp_path / "bad.png"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ScanError, match="corrupt or truncated") as e:
        load_image(bad)
    assert str(bad) in str(e.value)


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    with pytest.raises(ScanError, match="not a readable PDF"):
        load_image(path)


def test_decompression_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    # A 1-bit 20000x20000 white PNG is a few kB on disk but 400 megapixels decoded.
    Image.new("1", (20_000, 20_000), 1).save(path)
    assert path.stat().st_size < 200_000
    assert 20_000 * 20_000 > MAX_PIXELS
    with pytest.raises(ScanError, match="far too large") as e:
        load_image(path)
    assert "Downscale" in str(e.value)


def test_bad_scans_do_not_stop_the_archive(tmp_project: Project) -> None:
    doc = tmp_project.scans_dir / "doc"
    doc.mkdir()
    _page(1).save(doc / "p1.png")
    (doc / "p2.png").touch()
    (doc / "p3.png").write_text("no image", encoding="utf-8")
    Image.new("1", (20_000, 20_000), 1).save(doc / "p4.png")
    (doc / "p5.tif").write_bytes(b"II*\x00garbage")
    _page(6).save(doc / "p6.png")
    pages = tmp_project.pages()
    assert [p.id for p in pages] == [f"doc/p{i}" for i in range(1, 7)]
    outcomes = {}
    for page in pages:
        assert page.scan is not None
        try:
            load_image(page.scan, page.frame)
            outcomes[page.name] = "ok"
        except ScanError as e:
            outcomes[page.name] = e.message
    assert outcomes["p1"] == "ok" and outcomes["p6"] == "ok"
    assert "empty" in outcomes["p2"]
    assert "not an image" in outcomes["p3"]
    assert "far too large" in outcomes["p4"]
    assert "p5.tif" in outcomes["p5"]
    assert len({outcomes[k] for k in ("p2", "p3", "p4", "p5")}) == 4  # each its own message
