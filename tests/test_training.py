"""Training: the Tesseract training-tool wrappers, the project's model folder, and ``workbench train``.

The end-to-end tests train for real but tiny (a few iterations on a handful of rendered lines): they check
that the pipeline runs, resumes, reports and keeps or replaces the model by the rule, not that it learns.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from workbench.errors import EngineError, InputError, MetadataError
from workbench.ocr.models import BUNDLED_MODEL, PROJECT_MODEL, engine_lang, project_model, tessdata_with
from workbench.project import Project
from workbench.training import finetune, tools

FONT = Path("/usr/share/fonts/truetype/freefont/FreeMono.ttf")  # Debian fonts-freefont-ttf (./dev installs it)
SYSTEM_TESSDATA = Path("/usr/share/tesseract-ocr/5/tessdata")
LINES = [
    "Азәрбайҹан ССР-нин Ғәрб һиссәси",
    "КП(б) 1946-ҹы ил, 12 декабр",
    "Шүрү чөрәк вә ҝүл",
    "Һөкумәтин гәрары № 347",
    "Бакы шәһәриндә ишләйир",
    "Мәктуб ҹавабсыз галды.",
    "Совет иттифагы, 1953",
    "Өлкәнин үмуми планы",
]


def render_line(text: str, path: Path) -> None:
    """A clean typed line as a PNG (FreeMono, 300 dpi-like size)."""
    font = ImageFont.truetype(str(FONT), 44)
    width = int(font.getlength(text)) + 40
    im = Image.new("L", (width, 70), 255)
    ImageDraw.Draw(im).text((20, 10), text, font=font, fill=0)
    im.save(path)


@pytest.fixture
def lines_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lines"
    folder.mkdir()
    for i, text in enumerate(LINES):
        render_line(text, folder / f"line{i:02d}.png")
        (folder / f"line{i:02d}.gt.txt").write_text(text + "\n", encoding="utf-8")
    return folder


def tree_digest(root: Path) -> dict[str, str]:
    """Every file of the project except the training work folder and models/, with its content hash."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and not rel.startswith((".workbench-cache/", "models/")):
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def test_wordstr_box_gives_the_whole_region_one_text() -> None:
    assert tools.wordstr_box("Ғәрб  һиссәси\n", 10, 20, 110, 60) == (
        "WordStr 10 20 110 60 0 #Ғәрб һиссәси\n\t 110 20 111 60 0\n"
    )


def test_find_lines_pairs_images_with_texts_and_names_what_is_missing(tmp_path: Path, lines_dir: Path) -> None:
    (lines_dir / "orphan.png").write_bytes((lines_dir / "line00.png").read_bytes())  # no .gt.txt: skipped
    pairs = finetune.find_lines(lines_dir)
    assert [img.name for img, _ in pairs] == [f"line{i:02d}.png" for i in range(len(LINES))]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="No line images"):
        finetune.find_lines(empty)
    with pytest.raises(InputError, match="not a folder"):
        finetune.find_lines(tmp_path / "missing")


def test_held_out_split_is_stable_and_about_the_share() -> None:
    names = [f"doc-p{i}-l{j}" for i in range(50) for j in range(40)]
    held = [n for n in names if finetune.is_held_out(n, 0.1)]
    assert held == [n for n in names if finetune.is_held_out(n, 0.1)]
    assert 0.07 < len(held) / len(names) < 0.13


def test_project_model_is_bundled_and_readable_beside_the_system_models(tmp_path: Path) -> None:
    assert BUNDLED_MODEL.is_file(), "the repository ships models/aze_cyrl_wb.traineddata"
    assert project_model(tmp_path) == BUNDLED_MODEL
    folder = tessdata_with(BUNDLED_MODEL, SYSTEM_TESSDATA)
    assert (folder / f"{PROJECT_MODEL}.traineddata").resolve() == BUNDLED_MODEL.resolve()
    assert (folder / "rus.traineddata").exists() and (folder / "configs").exists()
    assert engine_lang("rus+aze_cyrl", True) == f"rus+{PROJECT_MODEL}"
    assert engine_lang("aze_cyrl", False) == "aze_cyrl"
    render_line("Шүрү чөрәк", tmp_path / "l.png")
    out = subprocess.run(
        [
            "tesseract",
            str(tmp_path / "l.png"),
            "-",
            "-l",
            f"rus+{PROJECT_MODEL}",
            "--psm",
            "7",
            "--tessdata-dir",
            str(folder),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip()


def test_train_runs_resumes_and_keeps_the_model_by_the_held_out_rule(tmp_project: Project, lines_dir: Path) -> None:
    root = tmp_project.root
    (root / "transcripts" / "d").mkdir(parents=True, exist_ok=True)
    (root / "transcripts" / "d" / "p1.txt").write_text("a reviewed line\n", encoding="utf-8")
    before = tree_digest(root)
    report = finetune.train(root, lines_dir, iterations=3, held_out_share=0.25)
    assert report.lines == len(LINES)
    assert report.held_out_lines >= 1 and report.train_lines + report.held_out_lines == len(LINES)
    assert report.iterations == 3 and not report.resumed
    assert 0.0 <= report.cer_before and 0.0 <= report.cer_after
    installed = root / "models" / f"{PROJECT_MODEL}.traineddata"
    assert report.replaced == (report.cer_after < report.cer_before)
    if report.replaced:
        assert installed.read_bytes() == Path(report.candidate).read_bytes()
        assert (root / "models" / f"{PROJECT_MODEL}.previous.traineddata").read_bytes() == BUNDLED_MODEL.read_bytes()
    else:
        assert not installed.exists()
    # Run again with more iterations: it continues from the checkpoint instead of starting over.
    again = finetune.train(root, lines_dir, iterations=6, held_out_share=0.25)
    assert again.resumed and again.iterations == 6
    assert again.work_dir == report.work_dir
    assert tree_digest(root) == before, "training touched a transcript or another project file"


def test_train_resumes_after_lstmtraining_is_killed(
    tmp_project: Project, lines_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault (faked): the first lstmtraining is killed once it has written its first checkpoint, as a
    machine going down would. Everything else is real; running the command again continues from that
    checkpoint instead of starting over, and nothing but the work folder was written in between."""
    root = tmp_project.root
    before = tree_digest(root)
    real_run = tools._run
    killed: list[str] = []

    def run_or_kill(args: list[str], timeout: float = tools.TOOL_TIMEOUT) -> subprocess.CompletedProcess[str]:
        if args[0] != "lstmtraining" or "--stop_training" in args or killed:
            return real_run(args, timeout)
        exe = shutil.which(args[0])
        assert exe is not None
        proc = subprocess.Popen([exe, *args[1:]], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        for line in proc.stderr:  # lstmtraining reports each checkpoint once it is written
            if "wrote checkpoint" in line:
                killed.append(line.strip())
                break
        proc.kill()
        proc.wait(timeout=60)
        raise EngineError("lstmtraining was killed")

    monkeypatch.setattr(tools, "_run", run_or_kill)
    with pytest.raises(EngineError, match="killed"):
        finetune.train(root, lines_dir, iterations=200, held_out_share=0.25)
    assert killed and killed[0].startswith("At iteration"), "the run was not interrupted after a checkpoint"
    assert "/100/" in killed[0], killed[0]
    assert not (root / "models").exists() or not any((root / "models").iterdir()), "a killed run installed a model"
    report = finetune.train(root, lines_dir, iterations=200, held_out_share=0.25)
    assert report.resumed, "the second run started over instead of continuing from the checkpoint"
    assert report.iterations == 200
    assert tree_digest(root) == before, "training touched a transcript or another project file"


def test_train_cli_prints_a_json_report_and_rejects_a_bad_folder(tmp_project: Project, lines_dir: Path) -> None:
    cmd = [sys.executable, "-m", "workbench", "-C", str(tmp_project.root), "train"]
    ok = subprocess.run(
        [*cmd, str(lines_dir), "--iterations", "2", "--json"], capture_output=True, text=True, check=False, timeout=600
    )
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["iterations"] == 2 and report["lines"] == len(LINES)
    bad = subprocess.run([*cmd, str(tmp_project.root / "nope")], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "not a folder" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.tesseract
def test_the_project_model_reads_aze_cyrl_pages_by_default_and_the_system_one_when_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_ocr_support import AZERBAIJANI, make_project
    from test_ocr_support import render_lines as render_page

    from workbench.ocr.job import prepare_job
    from workbench.ocr.pipeline import run_job

    project = make_project(tmp_path / "p", {"p1": render_page(AZERBAIJANI[:2])}, languages=("aze_cyrl",))
    monkeypatch.delenv("WORKBENCH_AZE_MODEL", raising=False)
    assert prepare_job(project, "doc/p1").aze_model == str(BUNDLED_MODEL), "the project's model is the default"
    monkeypatch.setenv("WORKBENCH_AZE_MODEL", "tesseract")
    system_job = prepare_job(project, "doc/p1")
    assert system_job.aze_model is None
    system = run_job(system_job)
    # The system aze_cyrl needs the rus reading for ш and й (and records both models).
    assert system.meta["models"] == ["aze_cyrl", "rus"]
    monkeypatch.setenv("WORKBENCH_AZE_MODEL", "workbench")
    job = prepare_job(project, "doc/p1")
    assert job.aze_model == str(BUNDLED_MODEL)
    result = run_job(job)
    # The project's model has every letter: one run, no rus reading to merge from.
    assert result.meta["models"] == [PROJECT_MODEL]
    assert PROJECT_MODEL in result.meta["model_files"]
    assert result.meta["cache_key"] != system.meta["cache_key"]
    monkeypatch.setenv("WORKBENCH_AZE_MODEL", "elsewhere")
    with pytest.raises(MetadataError, match="aze_model"):
        prepare_job(project, "doc/p1")
