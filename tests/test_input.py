"""Reading input files, and `brief segment` on good and bad input: one line on stderr, never a traceback."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.errors import InputError
from pipeline.textio import decode_bytes, read_text

SAMPLE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"
ARTICLE = "标题在这里\n\n本报记者 张三\n\n今年以来，全市新建公园12个。居民纷纷点赞。\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_supported_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "article.txt"
    path.write_bytes(ARTICLE.encode(encoding))
    assert read_text(path).text == ARTICLE


def test_line_ends_and_zero_width_characters_are_normalised(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes("\ufeff标题\r\n\r\n全市新建\u200b公园１２个。\r旧式换行。".encode("utf-8"))
    assert read_text(path).text == "标题\n\n全市新建公园１２个。\n旧式换行。"


def test_sample_segments_from_gb18030_like_from_utf8(tmp_path):
    path = tmp_path / "gb.txt"
    path.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gb18030"))
    utf8 = json.loads(run("segment", "--json", str(SAMPLE)).output)
    gb = json.loads(run("segment", "--json", str(path)).output)
    assert gb["sections"] == utf8["sections"] and gb["title"] == utf8["title"]


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\u3000\n\t\n", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "noise.txt").write_bytes(b"\x80\xff\xfe\x81\x30" * 50)
    (tmp_path / "english.txt").write_text("A plain English article.\n\nIt has no Chinese at all.\n", encoding="utf-8")
    with open(tmp_path / "huge.txt", "wb") as f:
        f.truncate(50 * 1024 * 1024)
    (tmp_path / "folder").mkdir()
    return {
        "missing": (tmp_path / "nope.txt", "no such file"),
        "directory": (tmp_path / "folder", "is a directory"),
        "empty": (tmp_path / "empty.txt", "empty"),
        "whitespace": (tmp_path / "blank.txt", "only whitespace"),
        "png": (tmp_path / "image.png", "PNG image"),
        "undecodable": (tmp_path / "noise.txt", "UTF-8"),
        "english": (tmp_path / "english.txt", "no Chinese text"),
        "huge": (tmp_path / "huge.txt", "limit"),
    }


@pytest.mark.parametrize(
    "case", ["missing", "directory", "empty", "whitespace", "png", "undecodable", "english", "huge"])
def test_bad_input_gives_one_line_error_and_nonzero_exit(tmp_path, case):
    path, words = _bad_inputs(tmp_path)[case]
    result = CliRunner().invoke(cli, ["segment", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brief: error: ") and words in lines[0], result.output
    assert "Traceback" not in result.output


def test_console_script_prints_no_traceback(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", "segment",
                             str(tmp_path / "nope.txt")], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr
    assert result.stdout == ""


def test_decode_rejects_nul_bytes():
    with pytest.raises(InputError, match="binary"):
        decode_bytes(b"abc\x00\x01\x02\x03def\xff", "x.bin")


def test_segment_outline_and_json(tmp_path):
    result = run("segment", str(SAMPLE))
    assert result.exit_code == 0
    assert "section 2: 围绕“强省会”献计出力 服务中心大局彰显新作为" in result.output
    assert "8 broken paragraphs joined" in result.output
    data = json.loads(run("segment", "--json", "--clause-budget", "40", str(SAMPLE)).output)
    assert data["title"] == "政治同心 事业同向 征程同行 履职同商"
    sentence = data["sections"][0]["blocks"][0]["sentences"][0]
    assert "".join(sentence["clauses"]) == sentence["text"]
    assert all(len(c) <= 40 for c in sentence["clauses"])


def test_help_explains_every_command():
    result = run("--help")
    assert result.exit_code == 0 and "segment" in result.output
    result = run("segment", "--help")
    assert "--json" in result.output and "--clause-budget" in result.output


def test_a_command_without_the_model_extras_says_how_to_install_them(monkeypatch, tmp_path):
    import pipeline.loaders
    import pipeline.models

    def no_hub(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'huggingface_hub'", name="huggingface_hub")

    monkeypatch.setattr(pipeline.loaders, "load_translator", no_hub)
    monkeypatch.setattr(pipeline.models, "describe_model", no_hub)
    result = run("translate", str(SAMPLE), "-o", str(tmp_path / "out"), "--no-tm")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "brief: error: translate needs huggingface_hub, which is not installed; install the model extras: "
        "pip install torch==2.13.0 && pip install 'bilingual-brief[models]'"]
