"""The translation memory: keys, storage, its location, and two processes writing at once."""

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from pipeline.engine import Decoding
from pipeline.errors import UsageError
from pipeline.memory import TranslationMemory, default_memory_path, memory_key


def key(source: str, **changes) -> str:
    fields = {"model_id": "opus", "revision": "abc", "backend": "ctranslate2", "decoding_key": Decoding().key()}
    fields.update(changes)
    return memory_key(source=source, **fields)


def test_key_depends_on_every_field_but_not_on_spacing():
    base = key("政协委员")
    assert key("  政协委员\n") == base
    assert key("政协委员", model_id="other") != base
    assert key("政协委员", revision="def") != base
    assert key("政协委员", backend="transformers") != base
    assert key("政协委员", decoding_key=Decoding(beam_size=1).key()) != base
    assert key("政协委员们") != base


def test_a_hashed_revision_names_the_model_whatever_its_directory_is_called():
    # --model tiny, ./tiny and /abs/tiny are one checkpoint: same content hash, same entries.
    revision = "0123456789abcdef"
    keys = {key("政协委员", model_id=name, revision=revision) for name in ("tiny", "./tiny", "/abs/tiny")}
    assert len(keys) == 1
    assert key("政协委员", model_id="a", revision=f"{revision}+ct2-int8") == key(
        "政协委员", model_id="b", revision=f"{revision}+ct2-int8")
    assert key("政协委员", revision=revision) != key("政协委员", revision="fedcba9876543210")


def test_put_then_get(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite3") as memory:
        assert memory.get_many([key("一"), key("二")]) == {}
        memory.put_many([(key("一"), "一", "one"), (key("二"), "二", "two")], model="opus")
        assert memory.get_many([key("一"), key("二"), key("三")]) == {key("一"): "one", key("二"): "two"}
        memory.put_many([(key("一"), "一", "One")])
        assert memory.get_many([key("一")]) == {key("一"): "One"}
        assert len(memory) == 2


def test_entries_survive_reopening_and_large_lookups(tmp_path):
    path = tmp_path / "tm.sqlite3"
    entries = [(key(f"句子{i}"), f"句子{i}", f"sentence {i}") for i in range(1200)]
    with TranslationMemory(path) as memory:
        memory.put_many(entries)
    with TranslationMemory(path) as memory:
        found = memory.get_many(k for k, _, _ in entries)  # more keys than one SQL statement takes
    assert len(found) == 1200 and found[key("句子7")] == "sentence 7"


def test_wal_mode(tmp_path):
    TranslationMemory(tmp_path / "tm.sqlite3").close()
    mode = sqlite3.connect(tmp_path / "tm.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path / "cache"))
    assert default_memory_path() == tmp_path / "cache" / "tm.sqlite3"
    monkeypatch.delenv("BRIEF_CACHE_DIR")
    assert default_memory_path().parts[-2:] == ("bilingual-brief", "tm.sqlite3")


def test_unusable_path_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="--no-tm"):
        TranslationMemory(blocker / "tm.sqlite3")


def _writer(path: str, worker: int, rounds: int) -> None:
    with TranslationMemory(path) as memory:
        for r in range(rounds):
            batch = [(key(f"{worker}-{r}-{i}"), f"{worker}-{r}-{i}", f"w{worker} r{r} i{i}") for i in range(20)]
            memory.put_many(batch)
            # Read while the other process writes: WAL readers are not blocked.
            assert memory.get_many([batch[0][0]]) == {batch[0][0]: batch[0][2]}


def test_two_processes_write_at_once(tmp_path):
    path = str(tmp_path / "tm.sqlite3")
    TranslationMemory(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 25)) for w in range(2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
    assert [p.exitcode for p in workers] == [0, 0]
    with TranslationMemory(path) as memory:
        assert len(memory) == 2 * 25 * 20
        assert memory.get_many([key("1-24-19")]) == {key("1-24-19"): "w1 r24 i19"}


def test_two_connections_in_one_process_interleave(tmp_path):
    path = Path(tmp_path / "tm.sqlite3")
    with TranslationMemory(path) as a, TranslationMemory(path) as b:
        for i in range(50):
            (a if i % 2 else b).put_many([(key(str(i)), str(i), f"#{i}")])
        assert len(a.get_many(key(str(i)) for i in range(50))) == 50


def test_another_programs_database_is_refused_untouched(tmp_path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE units (id INTEGER PRIMARY KEY, name TEXT)")
    before = foreign.read_bytes()
    with pytest.raises(UsageError, match=r"other\.db.*not a bilingual-brief translation memory.*--no-tm"):
        TranslationMemory(foreign)
    assert foreign.read_bytes() == before  # not switched to WAL, not stamped


def test_a_file_that_is_no_database_is_one_usage_error(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database\n" * 100)
    with pytest.raises(UsageError, match=r"notes\.txt.*--tm PATH"):
        TranslationMemory(tmp_path / "notes.txt")


def test_new_memory_is_stamped_and_an_unstamped_one_is_adopted(tmp_path):
    from pipeline.memory import _SCHEMA, APPLICATION_ID

    TranslationMemory(tmp_path / "new.sqlite3").close()
    with sqlite3.connect(tmp_path / "new.sqlite3") as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:  # as written before the stamp existed
        db.execute(_SCHEMA)
        db.execute("INSERT INTO units VALUES (?, '一', 'one', 'opus', 0)", (key("一"),))
    with TranslationMemory(tmp_path / "old.sqlite3") as memory:
        assert memory.get_many([key("一")]) == {key("一"): "one"}


def test_errors_during_a_run_are_usage_errors_naming_the_file(tmp_path):
    path = tmp_path / "tm.sqlite3"
    memory = TranslationMemory(path)
    with sqlite3.connect(path) as db:  # the table goes away under the open memory (a damaged file, say)
        db.execute("DROP TABLE units")
    with pytest.raises(UsageError, match=r"tm\.sqlite3.*no such table.*--no-tm"):
        memory.get_many([key("一")])
    with pytest.raises(UsageError, match=r"tm\.sqlite3.*--no-tm"):
        memory.put_many([(key("一"), "一", "one")])
    memory.close()


def test_foreign_tm_through_the_cli_is_one_line(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    (tmp_path / "a.txt").write_text("标题\n\n全市新建公园12个。\n", encoding="utf-8")
    with sqlite3.connect(tmp_path / "other.db") as db:
        db.execute("CREATE TABLE units (id INTEGER PRIMARY KEY)")
    result = CliRunner().invoke(cli, ["translate", str(tmp_path / "a.txt"), "--tm", str(tmp_path / "other.db")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [result.output.strip()] and "--no-tm" in result.output
