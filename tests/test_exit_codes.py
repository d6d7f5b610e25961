"""One exit-code rule for every command (issue 13; the README's table): 0 done, 1 some inputs failed or
issues found, 2 usage or input error, 130 interrupted, 143 terminated."""

import pytest
from click.testing import CliRunner
from fake_translators import WordFake

import pipeline.loaders
import pipeline.models
import pipeline.textio
from pipeline.cli import EXIT_CODES, Terminated, cli

ARTICLE = "全市新建公园\n\n今年以来，全市新建公园12个。居民纷纷点赞。\n"
GOOD_EN = "New parks across the city\n\nSince the start of the year, the city built 12 new parks. Residents like it.\n"
BAD_EN = GOOD_EN.replace("12", "15")


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline.loaders, "load_translator", lambda *args, **kwargs: WordFake())
    monkeypatch.setattr(pipeline.models, "describe_model", lambda *args, **kwargs: WordFake())
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "good.en.txt").write_text(GOOD_EN, encoding="utf-8")
    (tmp_path / "bad.en.txt").write_text(BAD_EN, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# (command line, exit code); "out" is a fresh output folder.
TABLE = [
    ("segment a.txt", 0),
    ("segment missing.txt", 2),
    ("segment a.txt --clause-budget 1", 2),
    ("figures a.txt", 0),
    ("figures missing.txt", 2),
    ("check a.txt good.en.txt", 0),
    ("check a.txt bad.en.txt", 1),
    ("check a.txt missing.txt", 2),
    ("translate a.txt -o out --no-tm", 0),
    ("translate a.txt missing.txt -o out --no-tm", 1),
    ("translate missing.txt -o out --no-tm", 2),
    ("translate a.txt -o out --no-tm --beam 0", 2),
    ("run a.txt -o out --no-tm --format md", 0),
    ("run a.txt missing.txt -o out --no-tm --format md", 1),
    ("run missing.txt -o out --no-tm", 2),
    ("run a.txt -o out --no-tm --format nope", 2),
    ("summarize a.txt", 0),
    ("summarize a.txt missing.txt", 1),
    ("summarize missing.txt", 2),
    ("nonsense", 2),
]


@pytest.mark.parametrize(("line", "code"), TABLE, ids=[line for line, _ in TABLE])
def test_exit_code_table(files, line, code):
    result = CliRunner().invoke(cli, line.split())
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output


COMMANDS = ["segment a.txt", "figures a.txt", "check a.txt good.en.txt", "translate a.txt -o out --no-tm",
            "run a.txt -o out --no-tm", "summarize a.txt"]


@pytest.mark.parametrize("line", COMMANDS)
@pytest.mark.parametrize(("signal", "code", "said"), [(KeyboardInterrupt, 130, "brief: interrupted"),
                                                     (Terminated, 143, "brief: terminated")])
def test_interrupted_and_terminated(files, monkeypatch, line, signal, code, said):
    def stop(*args, **kwargs):
        raise signal

    monkeypatch.setattr(pipeline.textio, "read_bytes", stop)
    result = CliRunner().invoke(cli, line.split())
    assert result.exit_code == code and result.output.strip() == said


def test_the_readme_lists_the_rule():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} |" in readme
