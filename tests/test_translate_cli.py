"""`brief translate` on batches: outputs, a bad file among good ones, resuming, --force, atomic writes."""

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import WordFake

import pipeline.loaders
import pipeline.models
from pipeline.batch import collect_inputs
from pipeline.cli import cli
from pipeline.errors import ModelNotFoundError

ARTICLE = ("全市新建公园\n\n本报记者 张三\n\n今年以来，全市新建公园12个。\n\n"
           "市政协主席石邦林调研公园建设。居民纷纷点赞。\n")
OTHER = "项目进展顺利\n\n一年来，贵阳市政协围绕“强省会”行动献计出力。\n"




def run(*args):
    return CliRunner().invoke(cli, ["translate", *map(str, args)])


def articles(folder: Path) -> Path:
    (folder / "in" / "sub").mkdir(parents=True)
    (folder / "in" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "in" / "sub" / "b.txt").write_text(OTHER, encoding="utf-8")
    return folder / "in"


def test_folder_is_translated_with_txt_and_jsonl(tmp_path, fake):
    result = run(articles(tmp_path), "-o", tmp_path / "out", "--tm", tmp_path / "tm.sqlite3")
    assert result.exit_code == 0, result.output
    assert "2 translated, 0 up to date, 0 failed" in result.output
    out = tmp_path / "out"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.aligned.jsonl", "a.en.txt", "a.run.json", "sub/b.aligned.jsonl", "sub/b.en.txt", "sub/b.run.json"]
    english = (out / "a.en.txt").read_text(encoding="utf-8")
    assert english.split("\n\n")[0] == "quan shi xin jian gong yuan"  # the title, then a blank line
    assert "Shi Banglin" in english and len(english.split("\n\n")) == 4
    rows = [json.loads(line) for line in (out / "a.aligned.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["kind"] for r in rows] == ["title", "byline", "paragraph", "paragraph", "paragraph"]
    assert set(rows[0]) == {"section", "block", "kind", "zh", "en", "start", "end", "qa_flags"}
    assert all(ARTICLE[r["start"]:r["end"]] == r["zh"] for r in rows)
    assert fake.loads == 1


def test_bad_file_among_good_ones(tmp_path, fake):
    folder = articles(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "english.txt").write_text("Only English here.\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = run(folder, tmp_path / "missing.txt", "-o", tmp_path / "out", "--no-tm")
    assert result.exit_code == 1
    assert (tmp_path / "out" / "a.en.txt").is_file() and (tmp_path / "out" / "sub" / "b.en.txt").is_file()
    failures = [line for line in result.output.splitlines() if line.startswith("brief: failed: ")]
    assert len(failures) == 4
    for name, why in [("empty.txt", "empty"), ("english.txt", "no Chinese"), ("image.txt", "PNG"),
                      ("missing.txt", "no such file")]:
        assert any(name in line and why in line for line in failures), result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "empty.en.txt").exists()


def test_resume_skips_finished_articles_and_force_redoes_them(tmp_path, fake):
    folder = articles(tmp_path)
    out = tmp_path / "out"
    assert run(folder, "-o", out, "--no-tm").exit_code == 0
    first = (out / "a.en.txt").stat().st_mtime_ns
    seen = len(fake.units_seen)

    again = run(folder, "-o", out, "--no-tm")
    assert again.exit_code == 0 and "0 translated, 2 up to date" in again.output
    assert len(fake.units_seen) == seen and fake.loads == 1  # the model was not even loaded
    assert (out / "a.en.txt").stat().st_mtime_ns == first

    # Up to date is decided by content: a newer time alone changes nothing ...
    later = (out / "a.en.txt").stat().st_mtime + 10
    os.utime(folder / "a.txt", (later, later))
    assert "0 translated, 2 up to date" in run(folder, "-o", out, "--no-tm").output
    # ... an edited input is translated again, the other is not.
    (folder / "a.txt").write_text(ARTICLE + "居民纷纷点赞。\n", encoding="utf-8")
    assert "1 translated, 1 up to date" in run(folder, "-o", out, "--no-tm").output

    forced = run(folder, "-o", out, "--no-tm", "--force")
    assert forced.exit_code == 0 and "2 translated, 0 up to date" in forced.output


def test_run_stamp_says_what_made_the_outputs(tmp_path, fake):
    from pipeline import __version__

    run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm", "--beam", "3")
    stamp = json.loads((tmp_path / "out" / "a.run.json").read_text(encoding="utf-8"))
    assert (stamp["model_id"], stamp["revision"], stamp["backend"]) == ("fake/word", "1", "fake")
    assert stamp["decoding"]["beam_size"] == 3 and stamp["brief_version"] == __version__
    assert list(stamp["outputs"]) == ["a.en.txt", "a.aligned.jsonl"] and len(stamp["glossary"]) == 16
    # Each output's sha256 as written, and the input's as read.
    for name, digest in stamp["outputs"].items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == digest
    assert stamp["input"] == {"name": "a.txt",
                              "sha256": hashlib.sha256((tmp_path / "in" / "a.txt").read_bytes()).hexdigest()}


def test_run_stamp_glossary_follows_the_entries(tmp_path, fake):
    # The stamp identifies the glossary by what it says, not by its file: the same entries give the same
    # stamp, another entry another one.
    folder = articles(tmp_path)
    (tmp_path / "same.tsv").write_text("# already in the built-in glossary\n政协\tCPPCC\n", encoding="utf-8")
    (tmp_path / "mine.tsv").write_text("公园\tparks\n", encoding="utf-8")

    def stamped_glossary(*options):
        out = tmp_path / f"out{len(list(tmp_path.glob('out*')))}"
        assert run(folder, "-o", out, "--no-tm", *options).exit_code == 0
        return json.loads((out / "a.run.json").read_text(encoding="utf-8"))["glossary"]

    default = stamped_glossary()
    assert stamped_glossary() == default
    assert stamped_glossary("--glossary", tmp_path / "same.tsv") == default
    assert stamped_glossary("--glossary", tmp_path / "mine.tsv") != default


@pytest.mark.parametrize("change", [["--beam", "3"], ["--glossary", "GLOSSARY"], ["--model", "other"]])
def test_other_settings_are_not_up_to_date(tmp_path, fake, monkeypatch, change):
    folder = articles(tmp_path)
    out = tmp_path / "out"
    (tmp_path / "mine.tsv").write_text("公园\tparks\n", encoding="utf-8")
    assert "2 translated" in run(folder, "-o", out, "--no-tm").output
    if change[0] == "--model":
        monkeypatch.setattr(fake, "revision", "2", raising=False)  # another model's weights
    change = [str(tmp_path / "mine.tsv") if c == "GLOSSARY" else c for c in change]
    result = run(folder, "-o", out, "--no-tm", *change)
    assert "2 translated, 0 up to date" in result.output, result.output
    assert "0 translated, 2 up to date" in run(folder, "-o", out, "--no-tm", *change).output


def test_outputs_without_their_stamp_are_not_up_to_date(tmp_path, fake):
    # An interrupted --force: a new .en.txt beside the old .aligned.jsonl, and no stamp for either.
    folder = articles(tmp_path)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    (out / "a.run.json").unlink()
    assert "1 translated, 1 up to date" in run(folder, "-o", out, "--no-tm").output
    (out / "a.run.json").write_text("{not json", encoding="utf-8")
    assert "1 translated, 1 up to date" in run(folder, "-o", out, "--no-tm").output


def test_a_run_that_fails_while_writing_leaves_no_stamp(tmp_path, fake, monkeypatch):
    folder = articles(tmp_path)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    real = os.replace

    def fail_on_jsonl(src, dst):
        if str(dst).endswith(".aligned.jsonl"):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_jsonl)
    assert run(folder, "-o", out, "--no-tm", "--force").exit_code == 2  # a fault of the place: the batch stops
    assert (out / "a.en.txt").is_file() and not (out / "a.run.json").exists()
    monkeypatch.setattr(os, "replace", real)
    # The batch stopped at the first article: the second was left as it was, up to date.
    assert "1 translated, 1 up to date" in run(folder, "-o", out, "--no-tm").output


def test_a_missing_output_format_is_not_up_to_date(tmp_path, fake):
    folder = articles(tmp_path)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    result = run(folder, "-o", out, "--no-tm", "--format", "tsv")
    assert "2 translated" in result.output
    header, *rows = (out / "a.aligned.tsv").read_text(encoding="utf-8").splitlines()
    assert header.split("\t") == ["section", "block", "kind", "start", "end", "zh", "en", "qa_flags"]
    assert len(rows) == 5 and all(len(r.split("\t")) == 8 for r in rows)


def test_tsv_flags_are_joined_with_a_bar_not_a_comma():
    # Figure flags quote numbers with commas (100,000): a comma join could not be split back.
    from pipeline.document import Flag
    from pipeline.outputs import aligned_tsv
    from pipeline.segment import segment_text

    document = segment_text("标题\n\n全市新增10万名高校毕业生。\n")
    mismatch = Flag("figures", "mismatch", "'10万名' (100,000) in the source, 10 in the translation",
                    data={"source": "10万名", "target": "10", "subtype": "scale"})
    flags = ["figures:mismatch: '10万名' (100,000) in the source, 10 in the translation", "truncated"]
    for sentence in document.sentences():
        sentence.translation, sentence.flags = "English", [mismatch, Flag("translate", "truncated")]
    rows = aligned_tsv(document).splitlines()[1:]
    assert rows and all(row.split("\t")[-1].split(" | ") == flags for row in rows)


def test_writes_are_atomic(tmp_path, fake, monkeypatch):
    folder = articles(tmp_path)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    before = (out / "a.en.txt").read_text(encoding="utf-8")
    assert not list(out.rglob("*.tmp"))

    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = run(folder, "-o", out, "--no-tm", "--force")
    assert result.exit_code == 2 and "no space left on the device" in result.output
    assert (out / "a.en.txt").read_text(encoding="utf-8") == before  # the old output is whole
    assert not list(out.rglob("*.tmp"))  # and no half-written file is left behind


def test_same_name_in_two_folders_keeps_the_folder_structure(tmp_path):
    for folder in ("2023/jan", "2024/jan"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "report.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "2024" / "solo.txt").write_text(ARTICLE, encoding="utf-8")
    found, failed = collect_inputs([tmp_path / "2023/jan/report.txt", tmp_path / "2024/jan/report.txt",
                                    tmp_path / "2024/solo.txt"], tmp_path / "out")
    assert not failed
    assert [a.base.relative_to(tmp_path / "out").as_posix() for a in found] == [
        "2023/jan/report", "2024/jan/report", "2024/solo"]


def test_mirroring_never_makes_a_new_clash(tmp_path, monkeypatch):
    # Mirroring only the clashing d3/a.txt and x/a.txt put x/a.txt on d3/x/a.txt's x/a.
    monkeypatch.chdir(tmp_path)
    for name in ("d3/a.txt", "d3/x/a.txt", "x/a.txt"):
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        Path(name).write_text(ARTICLE, encoding="utf-8")
    found, failed = collect_inputs(["d3", "x/a.txt"], "o3")
    assert not failed
    assert [a.base.as_posix() for a in found] == ["o3/d3/a", "o3/d3/x/a", "o3/x/a"]


@pytest.mark.parametrize("outdir", [None, "out"])
def test_same_stem_different_extension_both_translated(tmp_path, fake, monkeypatch, outdir):
    monkeypatch.chdir(tmp_path)
    Path("x.txt").write_text(ARTICLE, encoding="utf-8")
    Path("x.md").write_text(OTHER, encoding="utf-8")
    result = run("x.txt", "x.md", *(["-o", outdir] if outdir else []), "--no-tm")
    assert result.exit_code == 0 and "2 translated, 0 up to date" in result.output, result.output
    where = Path(outdir or ".")
    assert (where / "x.en.txt").read_text(encoding="utf-8").startswith("quan shi xin jian")
    assert (where / "x.md.en.txt").read_text(encoding="utf-8").startswith("xiang mu jin zhan")
    assert "2 up to date" in run("x.txt", "x.md", *(["-o", outdir] if outdir else []), "--no-tm").output


def test_inputs_that_clash_even_with_their_extension_fail_one_line(tmp_path):
    for name in ("x.txt", "x"):  # no extension to keep: both would be x.en.txt
        (tmp_path / name).write_text(ARTICLE, encoding="utf-8")
    found, failed = collect_inputs([tmp_path / "x.txt", tmp_path / "x"], tmp_path / "out")
    assert [a.path.name for a in found] == ["x.txt"]
    assert len(failed) == 1 and "would overwrite" in failed[0].error and "\n" not in failed[0].error


def test_outputs_get_the_usual_file_mode(tmp_path, fake):
    old = os.umask(0o022)
    try:
        run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out" / "a.en.txt").stat().st_mode) == 0o644
    (tmp_path / "out" / "a.en.txt").chmod(0o664)  # a replaced file keeps its mode
    run(tmp_path / "in", "-o", tmp_path / "out", "--no-tm", "--force")
    assert stat.S_IMODE((tmp_path / "out" / "a.en.txt").stat().st_mode) == 0o664


def test_folders_skip_hidden_files_and_own_outputs(tmp_path):
    folder = articles(tmp_path)
    (folder / ".git").mkdir()
    (folder / ".git" / "notes.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "a.en.txt").write_text("English.", encoding="utf-8")
    found, failed = collect_inputs([folder], None)
    assert [a.path.relative_to(folder).as_posix() for a in found] == ["a.txt", "sub/b.txt"] and not failed


def test_outputs_go_next_to_inputs_without_outdir_and_are_not_read_back(tmp_path, fake):
    folder = articles(tmp_path)
    assert run(folder, "--no-tm").exit_code == 0
    assert (folder / "a.en.txt").is_file() and (folder / "sub" / "b.aligned.jsonl").is_file()
    # The second run must not take a.en.txt for an article.
    assert "0 translated, 2 up to date, 0 failed" in run(folder, "--no-tm").output


def test_translation_memory_is_used_across_runs(tmp_path, fake):
    folder = articles(tmp_path)
    tm = tmp_path / "tm.sqlite3"
    run(folder, "-o", tmp_path / "one", "--tm", tm)
    seen = len(fake.units_seen)
    result = run(folder, "-o", tmp_path / "two", "--tm", tm)
    assert len(fake.units_seen) == seen and "0 by the model" in result.output
    assert (tmp_path / "one" / "a.en.txt").read_text() == (tmp_path / "two" / "a.en.txt").read_text()


def test_no_tm_writes_no_memory(tmp_path, fake, monkeypatch):
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm")
    assert not (tmp_path / "cache" / "tm.sqlite3").exists()
    run(tmp_path / "in", "-o", tmp_path / "out2")
    assert (tmp_path / "cache" / "tm.sqlite3").exists()


def test_user_glossary_and_beam_reach_the_model(tmp_path, fake):
    glossary = tmp_path / "mine.tsv"
    glossary.write_text("公园\tparks\n", encoding="utf-8")
    run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm", "--glossary", glossary, "--beam", "3")
    assert any("parks" in unit for unit in fake.units_seen)
    assert {d.beam_size for d in fake.decodings} == {3}


@pytest.mark.parametrize("args, message", [
    (["--tm", "x.sqlite3", "--no-tm"], "contradict"),
    (["--glossary", "missing.tsv"], "no such file"),
])
def test_usage_errors_exit_2(tmp_path, fake, args, message):
    result = run(articles(tmp_path), *args)
    assert result.exit_code == 2 and message in result.output


def test_missing_model_is_one_line_and_exit_2(tmp_path, monkeypatch):
    def missing(*args, **kwargs):
        raise ModelNotFoundError("model Helsinki-NLP/opus-mt-zh-en is not in the local cache and offline mode is on")

    monkeypatch.setattr(pipeline.loaders, "load_translator", missing)
    result = run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "brief: error: model Helsinki-NLP/opus-mt-zh-en is not in the local cache and offline mode is on"]


def test_missing_model_directory_through_the_real_loader(tmp_path):
    result = run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm", "--model", tmp_path / "no-model")
    assert result.exit_code == 2 and "does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_quiet_when_piped(tmp_path, fake):
    result = run(articles(tmp_path), "-o", tmp_path / "out", "--no-tm")
    lines = result.output.strip().splitlines()  # one line per article, then the summary line; no bar
    assert len(lines) == 3 and lines[-1].startswith("2 translated") and all(" -> " in line for line in lines[:2])
    assert "it/s" not in result.output and "sent/s" not in result.output


def test_progress_bars_count_articles_and_sentences(tmp_path, capsys):
    from pipeline.batch import TqdmProgress, translate_files

    report = translate_files([articles(tmp_path)], tmp_path / "out", translator_factory=WordFake,
                             progress=TqdmProgress())
    assert report.count("translated") == 2
    bars = capsys.readouterr().err
    assert "2/2" in bars and "article" in bars and "sent" in bars


def test_tiny_model_end_to_end(tmp_path, tiny_model_dir):
    result = run(articles(tmp_path), "-o", tmp_path / "out", "--tm", tmp_path / "tm.sqlite3",
                 "--model", tiny_model_dir, "--backend", "ctranslate2", "--beam", "1", "--format", "txt")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a.en.txt").read_text(encoding="utf-8").strip()


def test_figures_of_the_english_are_checked_against_the_source(tmp_path, fake):
    # WordFake writes 10万 as '10 wan': the English says 10 where the source says 100,000.
    (tmp_path / "a.txt").write_text("标题\n\n全市新增10万名高校毕业生。全市新建公园12个。\n", encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", "--no-tm")
    assert result.exit_code == 0, result.output
    jsonl = (tmp_path / "out" / "a.aligned.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in jsonl.splitlines()]
    flags = {row["zh"]: row["qa_flags"] for row in rows}
    assert any(f.startswith("figures:mismatch") and "100,000" in f for f in flags["全市新增10万名高校毕业生。"])
    assert not any(f.startswith("figures") for f in flags["全市新建公园12个。"])


def test_one_model_directory_spelled_two_ways_shares_the_memory(tmp_path, tiny_model_dir, monkeypatch):
    monkeypatch.chdir(tiny_model_dir.parent)
    folder = articles(tmp_path)
    tm = tmp_path / "tm.sqlite3"
    common = ["--tm", tm, "--backend", "ctranslate2", "--beam", "1", "--format", "txt"]
    first = run(folder, "-o", tmp_path / "one", "--model", tiny_model_dir.name, *common)
    second = run(folder, "-o", tmp_path / "two", "--model", f"./{tiny_model_dir.name}/", *common)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert " 0 by the model" not in first.output and " 0 by the model" in second.output
    # The run stamp knows the model by its weights too: the outputs are up to date (the model unloaded).
    third = run(folder, "-o", tmp_path / "two", "--model", tiny_model_dir.resolve(), *common)
    assert "0 translated, 2 up to date" in third.output, third.output


def test_cli_choices_match_the_library():
    # cli.py spells these out rather than import pipeline.batch (~120 ms of figure patterns) for `brief --help`.
    from pipeline.models import BACKENDS
    from pipeline.outputs import FORMATS
    from pipeline.translate import DEFAULT_BATCH_TOKENS

    options = {p.name: p for p in cli.commands["translate"].params}
    assert tuple(options["formats"].type.choices) == FORMATS
    assert tuple(options["backend"].type.choices) == BACKENDS
    assert options["batch_tokens"].default == DEFAULT_BATCH_TOKENS


def test_an_output_never_overwrites_an_input(tmp_path, fake):
    (tmp_path / "x.txt").write_text(ARTICLE, encoding="utf-8")
    other = tmp_path / "x.en.txt"
    other.write_text(OTHER, encoding="utf-8")
    result = run(tmp_path / "x.txt", other, "--no-tm")
    assert result.exit_code == 1
    assert other.read_text(encoding="utf-8") == OTHER
    assert "would overwrite the input" in result.output
