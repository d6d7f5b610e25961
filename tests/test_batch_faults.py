"""Work is never lost on a kill, and faults are found before the work and named by their real cause (issue 13):
every model batch in the memory, leftovers of killed runs removed, SIGTERM as Ctrl-C, the outputs and the
memory checked before the model loads, one line per fault."""

import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import LoopFake, WordFake

import pipeline.loaders
import pipeline.memory
import pipeline.models
from pipeline.cli import cli
from pipeline.memory import TranslationMemory, memory_key
from pipeline.translate import TranslateOptions, translate_texts

ROOT = Path(__file__).resolve().parent.parent
HOOKS = Path(__file__).resolve().parent / "hooks"
ARTICLE = ("全市新建公园\n\n本报记者 张三\n\n今年以来，全市新建公园12个。\n\n"
           "市政协主席石邦林调研公园建设。居民纷纷点赞。\n")
# Many short paragraphs (one model batch each with --batch-tokens 16), two of which loop on the fake model.
LONG = "城市建设报告\n\n" + "".join(
    f"第{i}项工程进展顺利，{'循环' if i % 9 == 4 else ''}各方协作{i}次。\n\n" for i in range(1, 25))




def run(*args, input=None):
    return CliRunner().invoke(cli, ["translate", *map(str, args)], input=input)


def brief_process(args, tmp_path, *, delay=0.0, pause_at=0, preexec_fn=None, **env):
    """A real `brief translate` process on the fake model of tests/hooks/sitecustomize.py."""
    environ = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HOOKS), str(ROOT)]), "BRIEF_TEST_FAKE": "1",
               "BRIEF_TEST_DELAY": str(delay), "BRIEF_TEST_PROGRESS": str(tmp_path / "batches"),
               "BRIEF_TEST_PAUSE_AT_REPLACE": str(pause_at), **env}
    code = "import sys; from pipeline.cli import main; main(sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, "translate", *map(str, args)], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=preexec_fn)


def wait_for(predicate, timeout=30.0):
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def batches_done(tmp_path) -> int:
    path = tmp_path / "batches"
    return len(path.read_text().splitlines()) if path.exists() else 0


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*") if p.suffix in (".tmp", ".lock"))


# --- every batch in the memory -----------------------------------------------------------------------------

class InterruptedRetry(LoopFake):
    """A model killed in the middle of the retry pass (the stricter decoding)."""

    def translate_batch(self, texts, decoding):
        if decoding.repetition_penalty > 1.0:
            raise KeyboardInterrupt
        return super().translate_batch(texts, decoding)


def test_flagged_units_are_stored_with_their_flags_as_their_batch_returns(tmp_path):
    texts = ["今年新建公园12个。", "大家一起循环往复地说。"]
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        options = TranslateOptions(memory=memory, batch_tokens=16)
        with pytest.raises(KeyboardInterrupt):
            translate_texts(texts, InterruptedRetry(), options)
        model = LoopFake()
        keys = [memory_key(model.model_id, model.revision, model.backend,
                           options.decoding_for(model).key(), t) for t in texts]
        entries = memory.get_entries(keys)
        # Both first passes were kept: the good one as final, the looping one as a first pass with its flag.
        assert entries[keys[0]].origin == "model" and entries[keys[0]].flags == ()
        assert entries[keys[1]].origin == "first" and "repetition" in entries[keys[1]].flags
        # The next run does not translate them again, but still gives the flagged one its retry,
        # and ends where an uninterrupted run ends.
        resumed = translate_texts(texts, model, options)
        assert model.units_seen == [texts[1]] and model.decodings[0].repetition_penalty > 1.0
        clean = translate_texts(texts, LoopFake(), TranslateOptions(batch_tokens=16))
        assert [r.translation for r in resumed] == [r.translation for r in clean]
        assert memory.get_entries([keys[1]])[keys[1]].origin == "model"


def test_a_schema_1_memory_is_upgraded_and_keeps_its_entries(tmp_path):
    from pipeline.memory import _SCHEMA, APPLICATION_ID, SCHEMA_VERSION

    with sqlite3.connect(tmp_path / "v1.sqlite3") as db:
        db.execute(_SCHEMA)
        db.execute("INSERT INTO units VALUES ('k', '一', 'one', 'opus', 0)")
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
    with TranslationMemory(tmp_path / "v1.sqlite3") as memory:
        entry = memory.get_entries(["k"])["k"]
        assert (entry.translation, entry.flags, entry.origin) == ("one", (), "model")
    with sqlite3.connect(tmp_path / "v1.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- leftovers of a killed run ------------------------------------------------------------------------------

def test_temporary_files_of_a_killed_run_are_removed_even_when_up_to_date(tmp_path, fake):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert run(tmp_path / "a.txt", "-o", out, "--no-tm").exit_code == 0
    for name in (".a.en.txt.x1y2.tmp", ".a.run.json.zz.tmp", ".a.aligned.tsv.q.tmp"):
        (out / name).write_text("half")
    result = run(tmp_path / "a.txt", "-o", out, "--no-tm")
    assert "0 translated, 1 up to date" in result.output
    assert not list(out.glob(".*"))


def test_half_made_conversion_folders_are_removed_and_running_ones_kept(tmp_path):
    import fcntl

    from pipeline.backends.ct2 import remove_abandoned_conversions

    killed = tmp_path / ".abc-int8-x1"
    (killed / "model").mkdir(parents=True)
    (killed / ".lock").write_text("")
    running = tmp_path / ".abc-int8-x2"
    running.mkdir()
    fd = os.open(running / ".lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = tmp_path / "abc-int8"
    done.mkdir()
    try:
        assert remove_abandoned_conversions(tmp_path) == [killed]
    finally:
        os.close(fd)
    assert not killed.exists() and running.exists() and done.exists()


def test_sigterm_is_one_line_cleans_up_and_exits_143(tmp_path):
    (tmp_path / "long.txt").write_text(LONG, encoding="utf-8")
    out = tmp_path / "out"
    process = brief_process([tmp_path / "long.txt", "-o", out, "--tm", tmp_path / "tm.sqlite3",
                             "--batch-tokens", 16], tmp_path, delay=0.05)
    wait_for(lambda: batches_done(tmp_path) >= 5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143 and err.strip() == "brief: terminated", err
    assert leftovers(out) == []
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        assert len(memory) >= 5  # the batches done before the signal


# --- faults found before the work, named by their cause -----------------------------------------------------

def test_an_output_path_that_is_a_file_fails_before_the_model_loads(tmp_path, fake):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE.replace("12", "13"), encoding="utf-8")
    (tmp_path / "out").write_text("a file")
    result = run(tmp_path / "a.txt", tmp_path / "b.txt", "-o", tmp_path / "out" / "sub", "--no-tm")
    assert result.exit_code == 2 and fake.loads == 0
    assert result.output.strip().splitlines() == [
        f"brief: error: cannot write the outputs to {tmp_path / 'out' / 'sub'}: {tmp_path / 'out'}: a file is "
        "where a folder should be; choose another folder with -o"]


def test_a_symlink_loop_as_the_output_folder_is_named(tmp_path, fake):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "loop" / "out", "--no-tm")
    assert result.exit_code == 2 and fake.loads == 0
    assert len(result.output.strip().splitlines()) == 1 and "symlink loop" in result.output, result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
@pytest.mark.parametrize("what", ["outputs", "memory"])
def test_a_read_only_folder_or_memory_fails_before_the_model_loads(tmp_path, what):
    tmp_path.chmod(0o755)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(3):
        (inputs / f"a{i}.txt").write_text(ARTICLE.replace("12", str(20 + i)), encoding="utf-8")
    out, memory = tmp_path / "out", tmp_path / "tm.sqlite3"
    out.mkdir(mode=0o777)
    out.chmod(0o555 if what == "outputs" else 0o777)
    TranslationMemory(memory).close()
    for path in tmp_path.glob("tm.sqlite3*"):
        path.chmod(0o444 if what == "memory" else 0o666)
    if what == "memory":
        tmp_path.chmod(0o555)  # nor can SQLite make its journal beside it
    try:
        process = brief_process([inputs, "-o", out, "--tm", memory], tmp_path, BRIEF_TEST_PROGRESS="/dev/null")
        _, err = process.communicate(timeout=60)
    finally:
        tmp_path.chmod(0o755)
    assert process.returncode == 2 and len(err.strip().splitlines()) == 1, err
    assert "permission denied" in err or "readonly" in err or "read-only" in err, err
    assert ("--no-tm" in err) == (what == "memory") and ("-o" in err) == (what == "outputs")
    assert not list(out.glob("*.en.txt"))


class ReadOnlyMemory(TranslationMemory):
    """A memory SQLite may read but not write (as a read-only file is, for a user other than root)."""

    def __init__(self, path=None):
        super().__init__(path)
        self._db.execute("PRAGMA query_only = ON")


def test_a_memory_that_cannot_be_written_fails_before_the_model_loads(tmp_path, fake, monkeypatch):
    monkeypatch.setattr(pipeline.memory, "TranslationMemory", ReadOnlyMemory)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", "--tm", tmp_path / "tm.sqlite3")
    assert result.exit_code == 2 and fake.loads == 0
    assert len(result.output.strip().splitlines()) == 1 and "readonly database" in result.output
    assert "--no-tm" in result.output and not list((tmp_path / "out").glob("*.en.txt"))


def test_a_file_size_limit_mid_run_is_one_line_and_the_work_is_kept(tmp_path):
    (tmp_path / "long.txt").write_text(LONG * 4, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    memory = tmp_path / "tm.sqlite3"
    TranslationMemory(memory).close()
    limit = 6000  # above the memory's first pages, below the long article's aligned output

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    process = brief_process([tmp_path / "a.txt", tmp_path / "long.txt", "-o", out, "--no-tm"], tmp_path,
                            preexec_fn=limited)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 2, err
    errors = [line for line in err.splitlines() if line.startswith("brief: ")]
    assert len(errors) == 1 and "file-size limit" in errors[0] and "run the same command again" in errors[0], err
    assert leftovers(out) == [] and not (out / "long.run.json").exists()
    # Without the limit, the same command resumes: the first article is up to date.
    process = brief_process([tmp_path / "a.txt", tmp_path / "long.txt", "-o", out, "--no-tm"], tmp_path)
    stdout, err = process.communicate(timeout=60)
    assert process.returncode == 0 and "1 translated, 1 up to date" in stdout, err


# --- edited aligned lines into the memory -------------------------------------------------------------------

def test_an_edited_aligned_line_becomes_the_memorys_entry_and_is_used_next(tmp_path, fake):
    import json

    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out, tm = tmp_path / "out", tmp_path / "tm.sqlite3"
    assert run(tmp_path / "a.txt", "-o", out, "--tm", tm).exit_code == 0
    aligned = out / "a.aligned.jsonl"
    rows = [json.loads(line) for line in aligned.read_text(encoding="utf-8").splitlines()]
    sentence = "今年以来，全市新建公园12个。"
    index = next(i for i, r in enumerate(rows) if r["zh"] == sentence)
    rows[index]["en"] = "Since the start of the year the city has built 12 new parks."
    aligned.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    kept = run(tmp_path / "a.txt", "-o", out, "--tm", tm)
    assert kept.exit_code == 0 and "its 1 edited sentence went into the translation memory" in kept.output
    with TranslationMemory(tm) as memory:
        assert memory.get_edits([sentence]) == {sentence: rows[index]["en"]}

    # The next run uses it (it outranks the model's), and marks the sentence as reviewed.
    again = run(tmp_path / "a.txt", "-o", out, "--tm", tm, "--overwrite-edits")
    assert again.exit_code == 0 and "1 sentence as you edited them" in again.output, again.output
    assert rows[index]["en"] in (out / "a.en.txt").read_text(encoding="utf-8")
    new_rows = [json.loads(line) for line in aligned.read_text(encoding="utf-8").splitlines()]
    assert new_rows[index]["en"] == rows[index]["en"] and new_rows[index]["qa_flags"] == ["reviewed"]
    assert all(r["qa_flags"] == [] for i, r in enumerate(new_rows) if i != index)
    # Another article with the same sentence gets it too, and the brief's JSON says it was reviewed.
    (tmp_path / "b.txt").write_text("另一篇报道\n\n" + sentence + "\n", encoding="utf-8")
    assert run(tmp_path / "b.txt", "-o", out, "--tm", tm).exit_code == 0
    assert rows[index]["en"] in (out / "b.en.txt").read_text(encoding="utf-8")


def test_a_reviewed_sentence_round_trips_through_the_document_json():
    from pipeline.document import Document
    from pipeline.segment import segment_article
    from pipeline.translate import reviewed_flag

    document = segment_article(ARTICLE)
    sentence = next(iter(document.sentences()))
    sentence.translation = "Edited."
    sentence.set_flags(("review",), [reviewed_flag()])
    again = Document.from_dict(document.to_dict())
    assert again.to_dict() == document.to_dict()
    assert next(iter(again.sentences())).qa_flags == ["reviewed"]


# --- kill -9 at any moment ----------------------------------------------------------------------------------

def _translate_to(out: Path, tmp_path: Path, tm: Path, **kwargs) -> subprocess.Popen:
    args = [tmp_path / "long.txt", tmp_path / "a.txt", "-o", out, "--tm", tm, "--batch-tokens", 16]
    return brief_process(args, tmp_path, **kwargs)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("moment", ["mid-translation", "at-a-write"])
def test_kill_9_and_a_rerun_give_the_outputs_of_an_uninterrupted_run(tmp_path, moment):
    (tmp_path / "long.txt").write_text(LONG, encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    clean = _translate_to(tmp_path / "clean", tmp_path, tmp_path / "clean.sqlite3")
    assert clean.wait(60) == 0

    out = tmp_path / "out"
    (tmp_path / "batches").unlink()
    if moment == "mid-translation":  # while the model works on the first article, its batches half stored
        killed = _translate_to(out, tmp_path, tmp_path / "tm.sqlite3", delay=0.03)
        wait_for(lambda: batches_done(tmp_path) >= 10)
    else:  # between the outputs of the first article: one published, the next a temporary file
        killed = _translate_to(out, tmp_path, tmp_path / "tm.sqlite3", pause_at=2)
        wait_for(lambda: (tmp_path / "batches.paused").exists())
    killed.kill()
    killed.wait(30)
    left = leftovers(out)
    assert ".long.lock" in left and (moment != "at-a-write" or any(n.endswith(".tmp") for n in left)), left
    rerun = _translate_to(out, tmp_path, tmp_path / "tm.sqlite3")
    stdout, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr
    assert _files(out) == _files(tmp_path / "clean")  # byte for byte, and no temporary or lock file left
    # The work done before the kill was not done again.
    assert int(re.search(r"(\d+) units? from the translation memory", stdout).group(1)) >= 5, stdout


@pytest.mark.parametrize("stem", [251, 247, 228])
def test_a_name_too_long_for_its_outputs_fails_up_front_in_one_line(tmp_path, stem):
    from pipeline.batch import translate_files

    folder = tmp_path / "in"
    folder.mkdir()
    long_name = folder / ("x" * (stem - 255 + os.pathconf(folder, "PC_NAME_MAX")) + ".txt")
    long_name.write_text(ARTICLE, encoding="utf-8")
    (folder / "short.txt").write_text(ARTICLE, encoding="utf-8")
    report = translate_files([long_name, folder / "short.txt"], None, translator_factory=WordFake)
    assert report.count("translated") == 1 and (folder / "short.en.txt").is_file()
    (failed,) = report.failures
    assert failed.error.startswith(f"{long_name}: its name is too long for its outputs") and "\n" not in failed.error
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(("x", ".x"))) == [long_name.name]


def test_the_longest_name_whose_outputs_fit_is_translated(tmp_path):
    from pipeline.batch import translate_files

    # NAME.aligned.jsonl's temporary file, .NAME.aligned.jsonl.XXXXXXXX.tmp, is the longest name needed.
    limit = os.pathconf(tmp_path, "PC_NAME_MAX")
    path = tmp_path / ("x" * (limit - len(".aligned.jsonl") - len("..XXXXXXXX.tmp")) + ".txt")
    path.write_text(ARTICLE, encoding="utf-8")
    report = translate_files([path], None, translator_factory=WordFake)
    assert report.count("translated") == 1, report.failures
