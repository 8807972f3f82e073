"""The Tesseract wrapper with the real engine, and its failures turned into our errors (fake engines)."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from test_ocr_support import RUSSIAN, fake_tesseract, path_with, render_lines

from workbench.errors import EngineError, EngineTimeoutError, MissingDependencyError
from workbench.ocr import probe, tesseract


@pytest.fixture(autouse=True)
def _fresh_probe():
    probe.clear_cache()
    yield
    probe.clear_cache()


@pytest.mark.tesseract
def test_real_engine_reads_a_real_komi_line(shared: Path) -> None:
    image = next((shared / "data/real/komi_1939_newspaper_lines/data/1939_09").rglob("*.tif"))
    truth = image.with_name(image.name[:-4] + ".gt.txt").read_text("utf-8").strip()
    run = tesseract.run(image, "rus", psm=7, timeout=60)
    assert len(run.lines) == 1
    words = run.lines[0].words
    assert words and all(0 <= w.conf <= 100 for w in words)
    assert all(w.box[2] > 0 and w.box[3] > 0 for w in words)
    # The line shares most of its words' letters with the truth (the Komi letters ӧ і are beyond rus).
    from workbench.metrics import character_error_rate

    assert character_error_rate(truth, run.text) < 0.5
    assert run.version.count(".") >= 1 and run.models["rus"]["file"].endswith("rus.traineddata")


@pytest.mark.tesseract
def test_real_engine_on_an_array_gives_lines_words_and_nfc_text() -> None:
    run = tesseract.run(render_lines(RUSSIAN), "rus", timeout=60)
    assert [line.text for line in run.lines] == RUSSIAN  # clean FreeMono at 40 px is read exactly
    assert unicodedata.is_normalized("NFC", run.text)
    first = run.lines[0].words[0]
    assert first.text == "Уважаемый" and 40 <= first.box[0] <= 80


def test_parse_data_groups_words_into_lines_and_drops_empty() -> None:
    data = {
        "level": [4, 5, 5, 5, 4, 5],
        "page_num": [1] * 6,
        "block_num": [1, 1, 1, 1, 2, 2],
        "par_num": [1] * 6,
        "line_num": [1, 1, 1, 1, 1, 1],
        "left": [0, 0, 50, 90, 0, 0],
        "top": [0] * 6,
        "width": [100, 40, 30, 5, 60, 60],
        "height": [20] * 6,
        "conf": [-1, 91.5, 80, -1, -1, 70],
        "text": ["", "Е\u0308ж", "да", " ", "", "нет"],
    }
    lines = tesseract.parse_data(data)
    assert [line.text for line in lines] == ["Ёж да", "нет"]  # NFC: Е + combining diaeresis is Ё
    assert lines[0].box == (0, 0, 100, 20) and lines[1].block == 2
    assert lines[0].conf == pytest.approx((91.5 * 2 + 80 * 2) / 4)


def test_hanging_engine_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path_with(fake_tesseract(tmp_path / "bin", "exec sleep 30")))
    start = time.monotonic()
    with pytest.raises(EngineTimeoutError, match="did not finish within 1 s"):
        tesseract.run(render_lines(RUSSIAN[:1]), "rus", timeout=1)
    assert time.monotonic() - start < 10  # the hung process was killed, not waited for


def test_killed_engine_is_an_engine_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path_with(fake_tesseract(tmp_path / "bin", "kill -9 $$")))
    with pytest.raises(EngineError, match="signal 9"):
        tesseract.run(render_lines(RUSSIAN[:1]), "rus", timeout=30)


def test_failing_engine_message_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", path_with(fake_tesseract(tmp_path / "bin", "echo 'Error in pixReadStream' >&2; exit 1")))
    with pytest.raises(EngineError, match="pixReadStream"):
        tesseract.run(render_lines(RUSSIAN[:1]), "rus", timeout=30)


def test_missing_language_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    monkeypatch.setenv("TESSDATA_PREFIX", str(empty))
    with pytest.raises(MissingDependencyError, match="tesseract-ocr-aze-cyrl") as info:
        tesseract.run(render_lines(RUSSIAN[:1]), "aze_cyrl", timeout=30)
    assert info.value.exit_code == 4


def test_missing_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingDependencyError, match="not installed"):
        tesseract.run(render_lines(RUSSIAN[:1]), "rus", timeout=30)
