"""Hostile input and faults, as a user meets them: one command each, its exit code, its message, and fsck after.

Every case runs the real CLI as a subprocess on a fresh project whose page ``d/p1`` has one saved version
(text ``ORIGINAL``). It checks the exit code, that the message names the file or key at fault, and that
``fsck`` finds the store clean afterwards (and version 1 unchanged). Some cases are the red-team run's
failures (issue 15), the others what already held (XXE, billion laughs, ``..`` ids, symlinks, …).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workbench.project import Project, init_project
from workbench.store import TranscriptStore

WORKBENCH = [sys.executable, "-m", "workbench"]
ORIGINAL = "Товарищ Багиров\nписьмо\n"

Setup = Callable[[Project, Path], list[str]]


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, the command, and what the user must see."""

    id: str
    setup: Setup
    exit: int
    message: str  # a piece of the output (stderr, else stdout) that names the file or key at fault
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    check: Callable[[Project, subprocess.CompletedProcess[bytes]], None] | None = None
    damaged: tuple[str, ...] = ()  # pages whose version 1 the case damages: fsck reports exactly those


def run(
    project: Project, args: list[str], env: dict[str, str], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The CLI as a user runs it, in the project's folder."""
    return subprocess.run(
        [*WORKBENCH, "-C", str(project.root), *args],
        capture_output=True,
        input=stdin,
        env={**os.environ, **env},
        timeout=120,
        check=False,
        cwd=project.root,
    )


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


# -- item 1: no command writes into transcripts/ ----------------------------------------------------------


def _export_into_version(_p: Project, _tmp: Path) -> list[str]:
    return ["export", "d/p1", "--format", "txt", "-o", "transcripts/d/p1/versions/0001"]


def _export_into_transcripts(p: Project, _tmp: Path) -> list[str]:
    return ["export", "--all", "--format", "alto", "-o", str(p.transcripts_dir)]


def _export_through_link(p: Project, tmp: Path) -> list[str]:
    (tmp / "out").symlink_to(p.transcripts_dir / "d" / "p1" / "versions")
    return ["export", "d/p1", "-o", str(tmp / "out" / "0001")]


def _export_subfolder_link(p: Project, tmp: Path) -> list[str]:
    # out/d is a link into transcripts/: the file out/d/p1.txt would land at transcripts/d/p1.txt
    (tmp / "out").mkdir()
    (tmp / "out" / "d").symlink_to(p.transcripts_dir / "d")
    return ["export", "d/p1", "-o", str(tmp / "out")]


def _preprocess_into_transcripts(p: Project, _tmp: Path) -> list[str]:
    _png(p.scans_dir / "d" / "p1.png")
    return ["preprocess", "d/p1", "-o", "transcripts/d/p1/versions/0001/x.png"]


def _init_inside_transcripts(p: Project, _tmp: Path) -> list[str]:
    return ["init", str(p.transcripts_dir / "d" / "p1" / "versions" / "0001")]


def _png(path: Path, size: tuple[int, int] = (400, 200), mode: str = "L") -> Path:
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new(mode, size, "white" if mode in ("L", "RGB") else (255, 255, 255, 255))
    ImageDraw.Draw(im).text((10, 10), "Товарищ", fill="black" if mode in ("L", "RGB") else (0, 0, 0, 255))
    im.save(path)
    return path


def _tiny(size: tuple[int, int], command: str) -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        from PIL import Image

        path = p.scans_dir / "d" / "t.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("L", size, 255).save(path)
        return ["preprocess", "d/t", "-o", "out.png"] if command == "preprocess" else [command, "d/t"]

    return setup


def _tiny_pdf(p: Project, _tmp: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(0.1, 0.1)
    (p.scans_dir / "d").mkdir(parents=True, exist_ok=True)
    pdf.save(str(p.scans_dir / "d" / "tiny.pdf"))
    return ["preprocess", "d/tiny", "-o", "out.png"]


def _alpha(mode: str) -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        from PIL import Image, ImageDraw

        im = Image.new(mode, (200, 100), (0, 0, 0, 0) if mode == "RGBA" else (0, 0))
        ImageDraw.Draw(im).rectangle((20, 40, 180, 60), fill=(0, 0, 0, 255) if mode == "RGBA" else (0, 255))
        path = p.scans_dir / "d" / "alpha.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        im.save(path)
        return ["preprocess", "d/alpha", "-o", "alpha-out.png", "--steps", "grayscale"]

    return setup


def _white_page_with_a_black_bar(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    import numpy as np
    from PIL import Image

    out = np.asarray(Image.open(p.root / "alpha-out.png"))
    assert out[5, 5] == 255 and out[50, 100] == 0  # paper white, the opaque bar black


def _nfd_name(p: Project, _tmp: Path) -> list[str]:
    import unicodedata

    _png(p.scans_dir / "d" / (unicodedata.normalize("NFD", "й1") + ".png"))
    return ["preprocess", unicodedata.normalize("NFC", "d/й1"), "-o", "nfd.png", "--steps", "grayscale"]


def _hash_beside_tiff(p: Project, _tmp: Path) -> list[str]:
    from PIL import Image

    folder = p.scans_dir / "d"
    folder.mkdir(parents=True, exist_ok=True)
    frames = [Image.new("L", (64, 64), 255) for _ in range(3)]
    frames[0].save(folder / "a.tif", save_all=True, append_images=frames[1:])
    _png(folder / "a#1.png")
    return ["doctor"]


def _odd_name(name: str, command: str = "doctor") -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        _png(p.scans_dir / "d" / name)
        _png(p.scans_dir / "d" / "good.png")
        return [command]

    return setup


def _save_bytes(data: bytes, name: str = "in.txt") -> Setup:
    def setup(_p: Project, tmp: Path) -> list[str]:
        return ["save", "d/p1", "--from", str(write(tmp / name, data))]

    return setup


def _import_bytes(data: bytes, name: str = "in.txt") -> Setup:
    def setup(_p: Project, tmp: Path) -> list[str]:
        return ["import", str(write(tmp / name, data)), "--page", "d/p2"]

    return setup


def _form_feed(_p: Project, tmp: Path) -> list[str]:
    return ["save", "d/p1", "--from", str(write(tmp / "ff.txt", b"page one\n\x0cpage two\n"))]


def _show_gives_form_feed(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    assert run(p, ["show", "d/p1", "2"], {}).stdout == b"page one\n\x0cpage two\n"


def _config(toml: str, args: list[str]) -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        with p.config_file.open("a", encoding="utf-8") as f:
            f.write(toml)
        return args

    return setup


def _document(toml: str, args: list[str]) -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        _png(p.scans_dir / "d" / "p1.png")
        write(p.scans_dir / "d" / "document.toml", toml)
        return args

    return setup


def _timeout_config(value: str, key: str = "timeout") -> Setup:
    def setup(p: Project, _tmp: Path) -> list[str]:
        text = p.config_file.read_text(encoding="utf-8").replace("timeout = 180", f"{key} = {value}")
        p.config_file.write_text(text, encoding="utf-8")
        return ["ocr"] if key == "timeout" else ["history", "d/p1"]

    return setup


def _limit(p: Project, tmp: Path) -> list[str]:
    text = p.config_file.read_text(encoding="utf-8").replace("[project]\n", "[project]\nmax_input_mb = 0.001\n")
    p.config_file.write_text(text, encoding="utf-8")
    return ["save", "d/p1", "--from", str(write(tmp / "big.txt", "x" * 2000))]


def _author_in_config(p: Project, tmp: Path) -> list[str]:
    text = p.config_file.read_text(encoding="utf-8").replace("[project]\n", '[project]\nauthor = "Ann\\nBob"\n')
    p.config_file.write_text(text, encoding="utf-8")
    return ["save", "d/p1", "--from", str(write(tmp / "x.txt", "x"))]


def _fake_tesseract(behaviour: str, *, probe_too: bool = False) -> Setup:
    """A ``tesseract`` in PROJECT/bin (the cases put it first on PATH) that answers the probe like the real one
    (unless ``probe_too``) and then does ``behaviour``; the page d/p1 gets a scan to OCR."""

    def setup(p: Project, _tmp: Path) -> list[str]:
        import shutil
        import stat

        real = shutil.which("tesseract")
        if real is None:
            pytest.skip("tesseract is not installed")
        _png(p.scans_dir / "d" / "p1.png")
        script = p.root / "bin" / "tesseract"
        probe = (
            ""
            if probe_too
            else f'for a in "$@"; do case "$a" in --version|--list-langs) exec {real} "$@";; esac; done\n'
        )
        write(script, "#!/bin/sh\n" + probe + behaviour + "\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return ["ocr", "d/p1", "--lang", "rus", "--timeout", "2"]

    return setup


FAKE_PATH = {"PATH": "{root}/bin" + os.pathsep + os.environ.get("PATH", "")}


def _no_orphan_sleep(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    import time

    pid = int((p.root / "child.pid").read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    status = Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else ""
    assert not status or ") Z " in status, f"the hung engine's child {pid} still runs"


ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="{pw}" HEIGHT="{ph}"><PrintSpace>
<TextBlock><TextLine HPOS="10" VPOS="10" WIDTH="300" HEIGHT="40">
<String ID="w1" CONTENT="Товарищ" HPOS="{x}" VPOS="10" WIDTH="{w}" HEIGHT="40" WC="{wc}"/>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>
"""
PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
<Page imageFilename="p.png" imageWidth="1000" imageHeight="500"><TextRegion id="r1">
<TextLine id="l1"><Coords points="{points}"/><TextEquiv><Unicode>Товарищ</Unicode></TextEquiv></TextLine>
</TextRegion></Page></PcGts>
"""
HOCR = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><body>
<div class="ocr_page" title="bbox 0 0 1000 500"><span class="ocr_line" id="line_1" title="bbox 10 10 310 50">
<span class="ocrx_word" id="word_1" title="{title}">Товарищ</span></span></div></body></html>
"""
ENTITY_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout><Page WIDTH="100" HEIGHT="100"><PrintSpace>
<TextBlock><TextLine HPOS="1" VPOS="1" WIDTH="9" HEIGHT="9"><String CONTENT="&lol4;" HPOS="1" VPOS="1" WIDTH="9"
 HEIGHT="9"/></TextLine></TextBlock></PrintSpace></Page></Layout></alto>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
<Page imageFilename="p.png" imageWidth="100" imageHeight="100"><TextRegion id="r1">
<TextLine id="l1"><Coords points="1,1 9,1 9,9 1,9"/><TextEquiv><Unicode>&xxe;</Unicode></TextEquiv></TextLine>
</TextRegion></Page></PcGts>
"""


def _import_file(name: str, text: str) -> Setup:
    def setup(_p: Project, tmp: Path) -> list[str]:
        return ["import", str(write(tmp / name, text)), "--page", "d/p2"]

    return setup


def _alto(x: str = "10", w: str = "100", wc: str = "0.9", pw: str = "1000", ph: str = "500") -> str:
    return ALTO.format(x=x, w=w, wc=wc, pw=pw, ph=ph)


def _no_root_secret(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    store = TranscriptStore(p)
    if store.latest_number("d/p2") is not None:
        assert "root:" not in store.read("d/p2").text


def _clipped(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    layout = TranscriptStore(p).read("d/p2").layout()
    assert layout is not None
    x, _y, w, _h = layout["lines"][0]["words"][0]["box"]
    assert x >= 0 and x + w <= 1000


def _symlinked_transcripts(p: Project, tmp: Path) -> list[str]:
    outside = tmp / "elsewhere"
    outside.mkdir()
    (p.transcripts_dir / "e").symlink_to(outside, target_is_directory=True)
    return ["save", "e/p1", "--from", str(write(tmp / "x.txt", "x\n"))]


def _symlinked_scan(p: Project, tmp: Path) -> list[str]:
    _png(tmp / "outside.png")
    (p.scans_dir / "d").mkdir(parents=True, exist_ok=True)
    (p.scans_dir / "d" / "s.png").symlink_to(tmp / "outside.png")
    return ["preprocess", "d/s", "-o", "s-out.png"]


# -- items 2-4: damaged metadata, pages the walk missed, a corrupt autosave -----------------------------


def _damage_meta(**fields: object) -> Callable[[Project], None]:
    def damage(p: Project) -> None:
        path = p.transcripts_dir / "d" / "p1" / "versions" / "0001" / "meta.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data.update(fields)
        path.write_text(json.dumps(data), encoding="utf-8")

    return damage


def _damaged_then(command: str, **fields: object) -> Setup:
    def setup(p: Project, tmp: Path) -> list[str]:
        _damage_meta(**fields)(p)
        args = {
            "save": ["save", "d/p1", "--from", str(write(tmp / "x.txt", "new text\n"))],
            "history": ["history", "d/p1"],
            "status": ["status", "d/p1", "done"],
            "import": ["import", str(write(tmp / "x.txt", "new text\n")), "--page", "d/p1"],
            "pages": ["pages"],
        }
        return args[command]

    return setup


def _nested_page(p: Project, _tmp: Path) -> list[str]:
    store = TranscriptStore(p)
    store.save("d/p1/sub", "inside a page folder\n", author="tester", source="import")
    store.save("d/.x", "in a dot-folder\n", author="tester", source="import")
    for pid in ("d/p1/sub", "d/.x"):
        (store.page_dir(pid) / "versions" / "0001" / "text.txt").write_text("tampered", encoding="utf-8")
    return ["fsck"]


def _corrupt_autosave(p: Project, _tmp: Path) -> list[str]:
    (p.transcripts_dir / "d" / "p1" / ".recovery.json").write_text('{"text": "half an autosave', encoding="utf-8")
    return ["fsck"]


def _both_damaged_named(_p: Project, result: subprocess.CompletedProcess[bytes]) -> None:
    out = result.stdout.decode()
    assert "DAMAGED d/p1/sub version 1" in out and "DAMAGED d/.x version 1" in out, out
    assert "checked 3 version(s): 2 damaged" in out, out


def _autosave_untouched(p: Project, _result: subprocess.CompletedProcess[bytes]) -> None:
    assert (p.transcripts_dir / "d" / "p1" / ".recovery.json").read_text(
        encoding="utf-8"
    ) == '{"text": "half an autosave'


def _escape_text(p: Project, _tmp: Path) -> list[str]:
    # The store now refuses control characters, so the version is one written before that rule: by hand.
    from workbench.store.model import VersionMeta, checksum

    text = "red \x1b[31mRED\x1b[0m\n"
    folder = p.transcripts_dir / "d" / "p1" / "versions" / "0002"
    folder.mkdir()
    (folder / "text.txt").write_bytes(text.encode("utf-8"))
    meta = VersionMeta(2, "2026-01-01T00:00:00+00:00", "tester", "edit", 1, "", "In progress", checksum(text))
    (folder / "meta.json").write_text(json.dumps(meta.to_json()), encoding="utf-8")
    return ["show", "d/p1", "2"]


def _shows_escape(_p: Project, result: subprocess.CompletedProcess[bytes]) -> None:
    assert result.stdout == b"red \x1b[31mRED\x1b[0m\n"


CASES: list[Case] = [
    Case("export-into-version-folder", _export_into_version, 2, "transcripts"),
    Case("export-all-into-transcripts", _export_into_transcripts, 2, "transcripts"),
    Case("export-through-symlink", _export_through_link, 2, "transcripts"),
    Case("export-subfolder-symlink", _export_subfolder_link, 2, "transcripts"),
    Case("preprocess-into-transcripts", _preprocess_into_transcripts, 2, "transcripts"),
    Case("init-inside-transcripts", _init_inside_transcripts, 2, "transcripts"),
    Case(
        "export-tei-into-transcripts",
        lambda _p, _t: ["export", "--all", "--format", "tei", "-o", "transcripts/d"],
        2,
        "transcripts",
    ),
    Case(
        "export-lines-into-transcripts",
        lambda _p, _t: ["export", "d/p1", "--format", "lines", "-o", "transcripts/x"],
        2,
        "transcripts",
    ),
    # item 7: transparency is paper, not ink
    Case("rgba-on-transparent", _alpha("RGBA"), 0, "alpha-out.png", check=_white_page_with_a_black_bar),
    Case("la-on-transparent", _alpha("LA"), 0, "alpha-out.png", check=_white_page_with_a_black_bar),
    # item 8: degenerate images are named with their size
    Case("1x1-preprocess", _tiny((1, 1), "preprocess"), 2, "t.png: is 1×1 pixels"),
    Case("2000x2-preprocess", _tiny((2000, 2), "preprocess"), 2, "t.png: is 2000×2 pixels"),
    Case("1x1-ocr", _tiny((1, 1), "ocr"), 1, "t.png: is 1×1 pixels"),
    Case("0.1pt-pdf", _tiny_pdf, 2, "tiny.pdf: page 1 is 0×0 pixels"),
    # item 9: a name written in NFD is found by its NFC id
    Case("nfd-file-name", _nfd_name, 0, "nfd.png"),
    # item 10: '#' in a file name would collide with a multi-page file's pages
    Case("hash-beside-tiff", _hash_beside_tiff, 1, "a#1.png"),
    Case("hash-listed-by-pages", _odd_name("x#2.png", "pages"), 0, "doctor"),
    # item 11: names no page id can hold are listed by doctor
    Case("newline-in-name", _odd_name("a\nb.png"), 1, "a\\nb.png"),
    Case("backslash-in-name", _odd_name("a\\b.png"), 1, "a\\\\b.png"),
    Case("del-in-name", _odd_name("a\x7fb.png"), 1, "a\\x7fb.png"),
    # item 14: UTF-16 is named; control characters are refused with their offset; form feed is kept
    Case("utf16-bom", _save_bytes("\ufeffТоварищ\n".encode("utf-16-le")), 2, "in.txt: the text is UTF-16"),
    Case("utf16le-no-bom", _save_bytes("Товарищ Багиров\n".encode("utf-16-le")), 2, "UTF-16LE without"),
    Case("utf16be-no-bom", _save_bytes("Товарищ Багиров\n".encode("utf-16-be")), 2, "UTF-16BE without"),
    Case("utf16-import", _import_bytes("Hello world\n".encode("utf-16-le")), 2, "in.txt: the text is UTF-16LE"),
    Case("nul-byte", _save_bytes(b"abc\x00def\n"), 2, "U+0000 at byte offset 3"),
    Case("escape-byte", _save_bytes("Ж\x1b[2J\n".encode()), 2, "U+001B at byte offset 2"),
    Case("nul-import", _import_bytes(b"abc\x00\n"), 2, "in.txt: control character U+0000"),
    Case("form-feed-kept", _form_feed, 0, "version 2", check=_show_gives_form_feed),
    Case("cp1251", _save_bytes("Товарищ".encode("cp1251")), 2, "in.txt: not valid UTF-8 at byte offset 0"),
    # item 15: input has a size limit
    Case("dev-zero", lambda _p, _t: ["save", "d/p1", "--from", "/dev/zero"], 2, "/dev/zero: larger than the input"),
    Case("over-configured-limit", _limit, 2, "big.txt: larger than the input limit of 1048 bytes"),
    # item 16: a malformed regions value names the file and key
    Case("regions-5-ocr", _document("[pages.p1]\nregions = 5\n", ["ocr", "d/p1"]), 1, "pages.p1.regions"),
    Case("regions-5-pages", _document("[pages.p1]\nregions = 5\n", ["pages"]), 0, "pages.p1.regions"),
    # item 17: timeouts that are no number of seconds; unknown keys are warned about
    Case("timeout-nan", _config("", ["ocr", "--timeout", "nan"]), 2, "--timeout"),
    Case("timeout-inf", _config("", ["ocr", "--timeout", "inf"]), 2, "--timeout"),
    Case("timeout-minus-1", _config("", ["ocr", "--timeout", "-1"]), 2, "--timeout"),
    Case("config-timeout-nan", _timeout_config("nan"), 2, "ocr.timeout"),
    Case("config-timeout-inf", _timeout_config("inf"), 2, "ocr.timeout"),
    Case("config-timeout-minus-1", _timeout_config("-1"), 2, "ocr.timeout"),
    Case("config-typo", _config("\n[ocr2]\n", ["history", "d/p1"]), 0, "unknown key 'ocr2'"),
    Case("config-timout", _timeout_config("180", key="timout"), 0, "did you mean 'timeout'"),
    Case("config-bogus-table", _config("\n[bogus]\nx = 1\n", ["history", "d/p1"]), 0, "workbench.toml: unknown key"),
    Case("document-lnag", _document('[pages.p1]\nlnag = "rus"\n', ["pages"]), 0, "did you mean 'lang'"),
    Case("document-unknown-top", _document('titel = "x"\n', ["pages"]), 0, "did you mean 'title'"),
    # item 18: control characters in ids and authors
    Case("author-newline", _save_bytes(b"x\n"), 2, "$WORKBENCH_AUTHOR", env={"WORKBENCH_AUTHOR": "Ann\nBob"}),
    Case("author-u2028", _save_bytes(b"x\n"), 2, "$WORKBENCH_AUTHOR", env={"WORKBENCH_AUTHOR": "Ann\u2028Bob"}),
    Case("config-author-newline", _author_in_config, 2, "project.author", env={"WORKBENCH_AUTHOR": ""}),
    Case("id-del", lambda _p, t: ["save", "d/p\x7f1", "--from", str(write(t / "x.txt", "x"))], 2, "control character"),
    Case("id-u2028", lambda _p, t: ["save", "d/p\u20281", "--from", str(write(t / "x.txt", "x"))], 2, "control char"),
    Case("id-bidi", lambda _p, t: ["save", "d/p\u202e1", "--from", str(write(t / "x.txt", "x"))], 2, "control char"),
    # item 6: a broken engine gives our errors, and a hung one is killed with its children
    Case("engine-random-bytes", _fake_tesseract("head -c 4096 /dev/urandom; exit 0"), 1, "not UTF-8", env=FAKE_PATH),
    Case(
        "engine-random-bytes-probe",
        _fake_tesseract("head -c 4096 /dev/urandom; exit 0", probe_too=True),
        4,
        "Cannot tell the version",
        env=FAKE_PATH,
    ),
    Case(
        "doctor-random-bytes-probe",
        lambda p, t: [*_fake_tesseract("printf '\\377\\376\\200'", probe_too=True)(p, t)[:0], "doctor"],
        4,
        "Cannot tell the version",
        env=FAKE_PATH,
    ),
    Case("engine-malformed-tsv", _fake_tesseract("printf 'level\\tx\\n5\\tzz\\n'"), 1, "not the TSV", env=FAKE_PATH),
    Case(
        "engine-malformed-row",
        _fake_tesseract(
            "printf 'level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth"
            "\\theight\\tconf\\ttext\\n5\\t1\\t1\\t1\\t1\\t1\\tx\\t0\\t9\\t9\\t90\\tword\\n'"
        ),
        1,
        "line 2 is not valid TSV",
        env=FAKE_PATH,
    ),
    Case(
        "engine-hangs-with-a-child",
        lambda p, t: _fake_tesseract(f"sleep 300 & echo $! > {p.root}/child.pid; wait")(p, t),
        1,
        "did not finish within 2 s",
        env=FAKE_PATH,
        check=_no_orphan_sleep,
    ),
    Case("engine-crashes", _fake_tesseract("kill -SEGV $$"), 1, "killed by signal 11", env=FAKE_PATH),
    # item 13: boxes in imported files are checked, the element named
    Case("hocr-inverted-box", _import_file("p.hocr", HOCR.format(title="bbox 300 40 10 10")), 2, "'word_1'"),
    Case("hocr-non-numeric-box", _import_file("p.hocr", HOCR.format(title="bbox a b c d")), 2, "'word_1'"),
    Case("hocr-bad-wconf", _import_file("p.hocr", HOCR.format(title="bbox 10 10 90 40; x_wconf 1e999")), 2, "word_1"),
    Case("alto-non-numeric-box", _import_file("p.alto.xml", _alto(x="abc")), 2, "<String id='w1'>"),
    Case("alto-inverted-box", _import_file("p.alto.xml", _alto(w="-50")), 2, "<String id='w1'> on line 4"),
    Case("alto-nan-box", _import_file("p.alto.xml", _alto(x="nan")), 2, "<String id='w1'>"),
    Case("alto-bad-wc", _import_file("p.alto.xml", _alto(wc="high")), 2, "WC that is not a number"),
    Case("alto-bad-page-size", _import_file("p.alto.xml", _alto(pw="wide")), 2, "<Page>"),
    Case("alto-box-off-page", _import_file("p.alto.xml", _alto(x="5000")), 2, "line 1, word 1 ('Товарищ') lies"),
    Case("alto-box-past-edge-clipped", _import_file("p.alto.xml", _alto(x="950")), 0, "d/p2", check=_clipped),
    Case("page-non-numeric-points", _import_file("p.page.xml", PAGE.format(points="1,1 x,y")), 2, "<Coords>"),
    Case("page-points-off-page", _import_file("p.page.xml", PAGE.format(points="2000,10 2100,50")), 2, "line 1"),
    # what already held: hostile XML, unsafe ids, links out of the project
    Case("alto-billion-laughs", _import_file("b.alto.xml", ENTITY_BOMB), 0, "d/p2"),
    Case("page-xxe", _import_file("x.page.xml", XXE), 0, "d/p2", check=_no_root_secret),
    Case("alto-not-well-formed", _import_file("x.alto.xml", "<alto><Layout>"), 2, "x.alto.xml: not well-formed"),
    Case("dotdot-id", lambda _p, t: ["save", "../x", "--from", str(write(t / "x.txt", "x"))], 2, "'../x'"),
    Case("dotdot-inside-id", lambda _p, t: ["save", "d/../../x", "--from", str(write(t / "x.txt", "x"))], 2, "'..'"),
    Case("absolute-id", lambda _p, t: ["save", "/etc/x", "--from", str(write(t / "x.txt", "x"))], 2, "absolute"),
    Case("reserved-id", lambda _p, t: ["save", "d/versions", "--from", str(write(t / "x.txt", "x"))], 2, "versions"),
    Case("symlinked-transcripts", _symlinked_transcripts, 2, "transcripts/e"),
    Case("symlinked-scan", _symlinked_scan, 2, "s.png points outside the project"),
    Case("missing-input", lambda _p, t: ["save", "d/p1", "--from", str(t / "nope.txt")], 2, "nope.txt: no such file"),
    Case("folder-input", lambda _p, t: ["save", "d/p1", "--from", str(t)], 2, "is a directory"),
    Case("no-page", lambda _p, _t: ["show", "d/p9"], 2, "d/p9"),
    Case("no-version", lambda _p, _t: ["show", "d/p1", "7"], 2, "version 7"),
    # items 2-4: damaged metadata is reported and skipped, never blocks a save; every page folder is checked
    Case(
        "meta-reviewed-mixed-save",
        _damaged_then("save", reviewed=[0, "1"]),
        0,
        "version 1 is damaged",
        damaged=("d/p1",),
    ),
    Case(
        "meta-reviewed-mixed-import",
        _damaged_then("import", reviewed=[0, "1"]),
        0,
        "not used as the base",
        damaged=("d/p1",),
    ),
    Case("meta-reviewed-mixed-status", _damaged_then("status", reviewed=[0, "1"]), 7, "restore", damaged=("d/p1",)),
    Case("meta-reviewed-mixed-history", _damaged_then("history", reviewed=[0, "1"]), 7, "meta.json", damaged=("d/p1",)),
    Case("meta-time-int-history", _damaged_then("history", time=5), 7, "'time' is 5", damaged=("d/p1",)),
    Case("meta-number-abc-history", _damaged_then("history", number="abc"), 7, "'number' is 'abc'", damaged=("d/p1",)),
    Case("meta-author-null-history", _damaged_then("history", author=None), 7, "'author' is None", damaged=("d/p1",)),
    Case("meta-author-null-pages", _damaged_then("pages", author=None), 0, "meta.json", damaged=("d/p1",)),
    Case("meta-bool-number-save", _damaged_then("save", number=True), 0, "version 1 is damaged", damaged=("d/p1",)),
    Case(
        "nested-and-dot-pages-fsck",
        _nested_page,
        7,
        "d/p1/sub",
        check=_both_damaged_named,
        damaged=("d/p1/sub", "d/.x"),
    ),
    Case("corrupt-autosave-kept", _corrupt_autosave, 0, "checked 1 version(s)", check=_autosave_untouched),
    # item 19: show prints the stored text byte for byte, escape sequences included
    Case("show-escape-sequence", _escape_text, 0, "", check=_shows_escape),
]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project whose page d/p1 has one version, ``ORIGINAL``."""
    proj = init_project(tmp_path / "proj", name="hostile")
    TranscriptStore(proj).save("d/p1", ORIGINAL, author="tester", source="import")
    return proj


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, project: Project, tmp_path: Path) -> None:
    args = case.setup(project, tmp_path)
    env = {k: v.replace("{root}", str(project.root)) for k, v in case.env.items()}
    result = run(project, args, env, case.stdin)
    out = (result.stderr + result.stdout).decode("utf-8", "replace")
    assert result.returncode == case.exit, out
    assert "Traceback" not in out
    assert case.message in out, out
    if case.check is not None:
        case.check(project, result)
    store = TranscriptStore(project)
    report = store.fsck()
    if case.damaged:
        assert sorted((p.page, p.number) for p in report.problems) == [(pid, 1) for pid in sorted(case.damaged)]
    else:
        assert report.ok and not report.problems, report.problems
        assert store.read("d/p1", 1).text == ORIGINAL
