"""The batch layer never loses or misreports work (issue 13): content-hash stamps, hand edits kept, a lock per
article, data on disk before the rename, non-UTF-8 names, standard input and output, model faults once."""

import hashlib
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import WordFake

import pipeline.batch
import pipeline.loaders
import pipeline.models
from pipeline.batch import Article, claim_article, read_stamp, translate_files
from pipeline.cli import cli

ARTICLE = ("全市新建公园\n\n本报记者 张三\n\n今年以来，全市新建公园12个。\n\n"
           "市政协主席石邦林调研公园建设。居民纷纷点赞。\n")
OTHER = "项目进展顺利\n\n一年来，贵阳市政协围绕“强省会”行动献计出力。\n"




def run(*args, input=None):
    return CliRunner().invoke(cli, ["translate", *map(str, args)], input=input)


def folder_of(tmp_path: Path, n: int = 2) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(n):
        (folder / f"a{i}.txt").write_text(ARTICLE if i % 2 == 0 else OTHER, encoding="utf-8")
    return folder


def test_an_input_replaced_by_a_copy_with_an_older_time_is_translated_again(tmp_path, fake):
    folder = folder_of(tmp_path)
    out = tmp_path / "out"
    assert run(folder, "-o", out, "--no-tm").exit_code == 0
    # `cp -p`, rsync, tar and unzip keep the copy's old time: the content decides.
    (folder / "a0.txt").write_text(ARTICLE.replace("12个", "15个"), encoding="utf-8")
    os.utime(folder / "a0.txt", (1_000_000_000, 1_000_000_000))
    assert "1 translated, 1 up to date" in run(folder, "-o", out, "--no-tm").output
    assert "15" in (out / "a0.en.txt").read_text(encoding="utf-8")


def test_an_input_edited_while_it_is_translated_is_translated_again_next_time(tmp_path):
    folder = folder_of(tmp_path, 1)
    source = folder / "a0.txt"

    class EditingFake(WordFake):
        def translate_batch(self, texts, decoding):
            source.write_text(ARTICLE.replace("12个", "15个"), encoding="utf-8")  # the user saves mid-run
            return super().translate_batch(texts, decoding)

    first = translate_files([folder], tmp_path / "out", translator_factory=EditingFake)
    assert first.count("translated") == 1
    stamp = json.loads((tmp_path / "out" / "a0.run.json").read_text(encoding="utf-8"))
    assert stamp["input"]["sha256"] == hashlib.sha256(ARTICLE.encode("utf-8")).hexdigest()  # what was read
    second = translate_files([folder], tmp_path / "out", translator_factory=WordFake)
    assert second.count("translated") == 1
    assert "15" in (tmp_path / "out" / "a0.en.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("again", [["--beam", "3"], ["--force"]])
def test_an_edited_output_survives_a_rerun(tmp_path, fake, again):
    folder = folder_of(tmp_path)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    edited = out / "a0.en.txt"
    edited.write_text("My own careful translation.\n", encoding="utf-8")
    result = run(folder, "-o", out, "--no-tm", *again)
    assert result.exit_code == 0, result.output
    assert edited.read_text(encoding="utf-8") == "My own careful translation.\n"
    notices = [line for line in result.output.splitlines() if line.startswith("brief: kept: ")]
    assert len(notices) == 1 and str(edited) in notices[0] and "--overwrite-edits" in notices[0]
    assert "1 kept as edited" in result.output
    # Asked to, it translates again and keeps the edited file beside the new one.
    result = run(folder, "-o", out, "--no-tm", "--overwrite-edits", *again)
    assert result.exit_code == 0 and "kept as edited" not in result.output
    assert edited.read_text(encoding="utf-8").startswith("quan shi xin jian")
    (kept,) = out.glob("a0.en.edited-*.txt")
    assert kept.read_text(encoding="utf-8") == "My own careful translation.\n"
    assert "up to date" in run(folder, "-o", out, "--no-tm", *again[:2 if again[0] == "--beam" else 0]).output


def test_an_old_stamp_without_hashes_is_not_up_to_date(tmp_path, fake):
    folder = folder_of(tmp_path, 1)
    out = tmp_path / "out"
    run(folder, "-o", out, "--no-tm")
    stamp = json.loads((out / "a0.run.json").read_text(encoding="utf-8"))
    stamp["outputs"] = list(stamp["outputs"])
    del stamp["input"]
    (out / "a0.run.json").write_text(json.dumps(stamp), encoding="utf-8")
    assert read_stamp(Article(folder / "a0.txt", out / "a0")) is None
    assert "1 translated" in run(folder, "-o", out, "--no-tm").output


def test_outputs_and_stamp_are_on_disk_before_the_rename(tmp_path, fake, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}"))),
                                                 real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda src, dst: (events.append(("replace", str(src))), real_replace(src, dst))[1])
    assert run(folder_of(tmp_path, 1), "-o", tmp_path / "out", "--no-tm").exit_code == 0
    replaced = [path for kind, path in events if kind == "replace"]
    assert len(replaced) == 3  # two outputs and the stamp
    for path in replaced:
        assert events.index(("fsync", path)) < events.index(("replace", path))


def test_temporary_files_of_a_killed_run_are_removed(tmp_path, fake):
    folder = folder_of(tmp_path, 1)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".a0.en.txt.k3j2h1.tmp").write_text("half", encoding="utf-8")
    (out / ".a0.run.json.x9y8z7.tmp").write_text("{", encoding="utf-8")
    assert run(folder, "-o", out, "--no-tm").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["a0.aligned.jsonl", "a0.en.txt", "a0.run.json"]


def test_a_claimed_article_is_left_to_its_claimant_and_taken_if_it_gives_up(tmp_path):
    folder = folder_of(tmp_path)
    out = tmp_path / "out"
    other = claim_article(Article(folder / "a0.txt", out / "a0"))  # another process at work on a0
    assert other is not None and claim_article(Article(folder / "a0.txt", out / "a0")) is None
    done = {}
    worker = threading.Thread(target=lambda: done.update(
        report=translate_files([folder], out, translator_factory=WordFake)))
    worker.start()
    deadline = time.monotonic() + 30
    while not (out / "a1.run.json").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (out / "a1.run.json").exists() and not (out / "a0.run.json").exists()  # a1 done, a0 left alone
    other.release()  # the other process ends without finishing a0: this one takes it
    worker.join(30)
    assert [o.status for o in done["report"].outcomes] == ["translated", "translated"]
    assert not list(out.glob(".*.lock"))


def test_two_runs_on_one_folder_share_the_articles(tmp_path):
    folder = folder_of(tmp_path, 8)
    out = tmp_path / "out"

    class SlowFake(WordFake):
        def translate_batch(self, texts, decoding):
            time.sleep(0.05)
            return super().translate_batch(texts, decoding)

    reports = []
    runs = [threading.Thread(target=lambda: reports.append(translate_files([folder], out, translator_factory=SlowFake)))
            for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(60)
    assert len(reports) == 2
    assert sum(r.count("translated") for r in reports) == 8  # each article translated once, by one of them
    assert all(r.count("translated") + r.count("skipped") == 8 and not r.failures for r in reports)


def test_a_gbk_file_name_translates_and_resumes(tmp_path, fake):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode("报告".encode("gbk") + b".txt")  # as a Chinese Windows archive unpacks on Linux
    (folder / name).write_text(ARTICLE, encoding="utf-8")
    result = run(folder, "-o", tmp_path / "out", "--no-tm")
    assert result.exit_code == 0 and "1 translated" in result.output, result.output
    stem = name[: -len(".txt")]
    assert (tmp_path / "out" / f"{stem}.en.txt").is_file()
    stamp = json.loads((tmp_path / "out" / f"{stem}.run.json").read_text(encoding="utf-8"))
    assert stamp["input"]["name"] == name
    assert "0 translated, 1 up to date" in run(folder, "-o", tmp_path / "out", "--no-tm").output
    # A failure message naming it is printable too.
    (folder / name).write_text("English only.\n", encoding="utf-8")
    failed = run(folder / name, "-o", tmp_path / "out", "--no-tm")
    assert failed.exit_code == 2 and "\\xb1\\xa8\\xb8\\xe6.txt: no Chinese text" in failed.output, failed.output


def test_standard_input_to_standard_output(tmp_path, fake):
    result = CliRunner().invoke(cli, ["translate", "-", "--no-tm"], input=ARTICLE.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("quan shi xin jian gong yuan\n\n") and "1 translated" in result.stderr
    jsonl = CliRunner().invoke(cli, ["translate", "-", "--no-tm", "--format", "jsonl"],
                                               input=ARTICLE.encode("gb18030"))
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [r["kind"] for r in rows] == ["title", "byline", "paragraph", "paragraph", "paragraph"]
    to_folder = run("-", "-o", tmp_path / "out", "--no-tm", input=ARTICLE.encode("utf-8"))
    assert to_folder.exit_code == 0 and (tmp_path / "out" / "stdin.en.txt").is_file()
    empty = run("-", "--no-tm", input=b"")
    assert empty.exit_code == 2 and "brief: failed: stdin: the file is empty" in empty.output


def test_a_model_fault_is_reported_once_before_any_article(tmp_path, monkeypatch):
    calls = []

    def unreadable(*args, **kwargs):
        calls.append(1)
        raise PermissionError(13, "Permission denied", "/models/opus/model.safetensors")

    monkeypatch.setattr(pipeline.loaders, "load_translator", unreadable)
    result = run(folder_of(tmp_path, 3), "-o", tmp_path / "out", "--no-tm", "--force")
    assert result.exit_code == 2 and len(calls) == 1
    assert result.output.strip().splitlines() == [(
        "brief: error: cannot load the model: /models/opus/model.safetensors: Permission denied; "
        "check the model's files")]


def _damage(directory: Path, case: str) -> str:
    weights = directory / "model.safetensors"
    if case in ("source.spm", "vocab.json"):
        (directory / case).unlink()
        return f"model file {directory / case} is missing"
    if case == "empty":
        weights.write_bytes(b"")
        return f"model file {weights} is damaged (empty, 0 bytes)"
    data = weights.read_bytes()
    weights.write_bytes(data[: 200 if case == "truncated header" else len(data) - 1000])
    return f"model file {weights} is damaged (truncated"


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
@pytest.mark.parametrize("case", ["source.spm", "vocab.json", "empty", "truncated header", "truncated data"])
def test_a_damaged_model_is_one_line_naming_the_file(tmp_path, tiny_model_dir, monkeypatch, backend, case):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    expected = _damage(model, case)
    loads = []
    real = pipeline.loaders.load_translator
    monkeypatch.setattr(pipeline.loaders, "load_translator", lambda *a, **k: (loads.append(1), real(*a, **k))[1])
    result = run(folder_of(tmp_path), "-o", tmp_path / "out", "--no-tm", "--model", model, "--backend", backend)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"brief: error: {expected}"), result.output
    assert len(loads) == 1


def test_a_conversion_without_model_bin_is_converted_again(tmp_path, tiny_model_dir):
    pytest.importorskip("ctranslate2")
    from pipeline.backends.ct2 import convert_to_ctranslate2

    converted = convert_to_ctranslate2(tiny_model_dir, cache=tmp_path)
    (converted / "model.bin").unlink()
    assert convert_to_ctranslate2(tiny_model_dir, cache=tmp_path) == converted
    assert (converted / "model.bin").is_file()
    assert [p.name for p in converted.parent.iterdir()] == [converted.name]  # nothing half-made left


def test_a_ctranslate2_folder_without_model_bin_is_named(tmp_path, tiny_model_dir):
    pytest.importorskip("ctranslate2")
    from pipeline.backends.ct2 import convert_to_ctranslate2

    converted = convert_to_ctranslate2(tiny_model_dir, cache=tmp_path / "cache")
    folder = tmp_path / "ct2"
    shutil.copytree(converted, folder)
    (folder / "model.bin").unlink()
    result = run(folder_of(tmp_path), "-o", tmp_path / "out", "--no-tm", "--model", folder, "--backend", "ctranslate2")
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [(
        f"brief: error: model file {folder / 'model.bin'} is missing: {folder} is a CTranslate2 conversion without "
        "its weights; convert the model again (--backend ctranslate2)")]


def test_progress_shows_the_model_loading_as_its_own_step(tmp_path, capsys):
    from pipeline.batch import TqdmProgress

    translate_files([folder_of(tmp_path)], tmp_path / "out", translator_factory=WordFake, progress=TqdmProgress())
    err = capsys.readouterr().err
    assert "brief: loading the translation model ..." in err and "brief: loaded the translation model in" in err
    assert err.index("loaded the translation model") < err.index("sentences")
    assert "articles: 2/2" in err and "0sent" not in err


def test_a_named_pipe_input_is_read_again_on_a_rerun_never_waited_on(tmp_path, monkeypatch):
    import pipeline.textio

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(ARTICLE.encode("utf-8")))
    writer.start()
    first = translate_files([fifo], tmp_path / "out", translator_factory=WordFake)
    writer.join()
    assert first.count("translated") == 1
    # Again, with no program writing: a pipe is never up to date (its bytes are known only by reading it), and
    # checking must not open it and wait forever; the read gives up with its one-line error.
    monkeypatch.setattr(pipeline.textio, "PIPE_WAIT_SECONDS", 0.2)
    reports = []
    rerun = threading.Thread(target=lambda: reports.append(
        translate_files([fifo], tmp_path / "out", translator_factory=WordFake)), daemon=True)
    rerun.start()
    rerun.join(30)
    assert not rerun.is_alive(), "the re-run waited on the named pipe"
    (outcome,) = reports[0].outcomes
    assert outcome.status == "failed" and "a named pipe that no program wrote to" in outcome.error


def test_an_edited_output_survives_a_run_in_other_formats_between(tmp_path, fake):
    folder = folder_of(tmp_path, 1)
    out = tmp_path / "out"
    assert run(folder, "-o", out, "--no-tm").exit_code == 0
    assert "1 translated" in run(folder, "-o", out, "--no-tm", "--format", "tsv").output
    # The stamp of the tsv run still knows the text and aligned files the first run wrote.
    assert "up to date" in run(folder, "-o", out, "--no-tm", "--format", "tsv").output
    edited = out / "a0.en.txt"
    edited.write_text("My own careful translation.\n", encoding="utf-8")
    result = run(folder, "-o", out, "--no-tm")
    assert result.exit_code == 0 and "1 kept as edited" in result.output, result.output
    assert edited.read_text(encoding="utf-8") == "My own careful translation.\n"
    # Asked to, it translates again and keeps the edited file beside the new one.
    assert "1 translated" in run(folder, "-o", out, "--no-tm", "--overwrite-edits").output
    (kept,) = out.glob("a0.en.edited-*.txt")
    assert kept.read_text(encoding="utf-8") == "My own careful translation.\n"


def test_standard_input_never_writes_over_the_outputs_of_a_file_named_stdin(tmp_path, fake):
    named = tmp_path / "stdin.txt"
    named.write_text(OTHER, encoding="utf-8")
    out = tmp_path / "out"
    result = run("-", named, "-o", out, "--no-tm", input=ARTICLE.encode("utf-8"))
    assert result.exit_code == 1, result.output
    assert f"brief: failed: stdin: its outputs would overwrite those of {named} (stdin.*)" in result.output
    assert "1 translated" in result.output
    assert (out / "stdin.en.txt").read_text(encoding="utf-8").startswith("xiang mu jin zhan")  # the file's
