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


# --- bounded reads, standard input (issue 13) --------------------------------------------------------------

def test_dash_reads_standard_input_in_every_command(tmp_path):
    english = tmp_path / "en.txt"
    english.write_text("Title\n\nThe city built 12 parks this year.\n", encoding="utf-8")
    outline = CliRunner().invoke(cli, ["segment", "-"], input=ARTICLE.encode("utf-8"))
    assert outline.exit_code == 0 and "今年以来，全市新建公园12个。" in outline.output
    figures = CliRunner().invoke(cli, ["figures", "--json", "-"], input=ARTICLE.encode("gb18030"))
    assert figures.exit_code == 0 and [f["text"] for f in json.loads(figures.output)] == ["12个"]
    check = CliRunner().invoke(cli, ["check", "-", str(english)], input=ARTICLE.encode("utf-8"))
    assert check.exit_code == 0 and "no issues" in check.output.lower(), check.output


def test_standard_input_errors_name_stdin():
    result = CliRunner().invoke(cli, ["segment", "-"], input=b"")
    assert result.exit_code == 2 and result.output.strip() == "brief: error: stdin: the file is empty"


@pytest.mark.parametrize("source", ["file", "stdin", "device"])
def test_every_read_is_bounded_by_one_limit_with_one_message(tmp_path, monkeypatch, source):
    import io
    import sys

    data = ARTICLE.encode("utf-8") * 40  # over the limit passed below
    path = tmp_path / "big.txt"
    path.write_bytes(data)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    name = {"file": str(path), "stdin": "-", "device": "/dev/zero"}[source]
    with pytest.raises(InputError) as error:
        read_text(name, max_bytes=1000)
    shown = "stdin" if name == "-" else name
    assert str(error.value) == f"{shown}: more than the 1000 bytes limit for one article; split it into articles"


def test_dev_zero_is_refused_through_the_cli_in_bounded_memory():
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for command in (["segment"], ["figures"], ["check", "/dev/zero"]):
        result = CliRunner().invoke(cli, [*command, "/dev/zero"])
        assert result.exit_code == 2 and "/dev/zero: more than the 10 MB limit" in result.output, result.output
    # Peak memory grew by at most a few times the 10 MB limit (unbounded, it grew by 0.5 GB/s).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100 * 1024


def test_a_named_pipe_is_read_and_one_without_a_writer_is_given_up(tmp_path, monkeypatch):
    import os
    import threading

    import pipeline.textio

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(ARTICLE.encode("utf-8")))
    writer.start()
    assert read_text(fifo).text == ARTICLE
    writer.join()
    monkeypatch.setattr(pipeline.textio, "PIPE_WAIT_SECONDS", 0.2)
    result = run("segment", str(fifo))
    assert result.exit_code == 2
    assert result.output.strip() == (f"brief: error: {fifo}: a named pipe that no program wrote to in 0.2 s; "
                                     "start the program that writes to it first")


def test_a_named_pipe_that_never_ends_is_bounded(tmp_path):
    import os
    import threading

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)

    def endless():
        try:
            with open(fifo, "wb") as f:
                while True:
                    f.write(b"\xe5\x85\xac" * 10000)
        except BrokenPipeError:  # the reader gave up: as it should
            pass

    writer = threading.Thread(target=endless)
    writer.start()
    with pytest.raises(InputError, match="more than the 1 MB limit"):
        read_text(fifo, max_bytes=1_000_000)
    writer.join()


def test_closed_standard_input_is_one_line(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    result = subprocess.run([sys.executable, "-c", "import sys; from pipeline.cli import main; main(sys.argv[1:])",
                             "segment", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env,
                            close_fds=True, preexec_fn=lambda: os.close(0), timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == "brief: error: stdin: no standard input"
