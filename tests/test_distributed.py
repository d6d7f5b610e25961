"""`brief translate --ray`: Ray Data in local mode gives the files, stamps and memory of the local run."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.batch import translate_files
from pipeline.cli import cli
from pipeline.distributed import INSTALL_HINT, Cluster, cluster_address, translate_files_ray
from pipeline.errors import UsageError
from pipeline.memory import TranslationMemory
from pipeline.translate import TranslateOptions

# Sentences shared between articles (a dateline, a closing line) make later articles wait for the memory:
# b, c and e need units that a translates first (two waves).
ARTICLES = {
    "a.txt": ("全市新建公园\n\n本报记者 张三\n\n今年以来，全市新建公园12个。\n\n"
              "市政协主席调研公园建设。居民纷纷点赞。（完）\n"),
    "b.txt": "省会城市发展\n\n经济增长百分之五。全年完成投资三百亿元。\n\n居民纷纷点赞。（完）\n",
    "sub/c.txt": "乡村振兴\n\n推进乡村振兴，加快产业发展。\n\n今年以来，全市新建公园12个。\n",
    "sub/d.txt": "数字经济\n\n大数据产业增长百分之二十。\n\n人才服务质量提升。交通建设加快。\n",
    "e.txt": "教育民生\n\n新建学校十所。\n\n市政协主席调研公园建设。居民纷纷点赞。\n",
    "english.txt": "This article has no Chinese in it at all.\n",
}


@pytest.fixture(scope="module")
def ray_local():
    """One local Ray instance with 2 CPUs for the whole module (starting one takes seconds)."""
    ray = pytest.importorskip("ray", reason="the Ray tests need the ray extra: pip install -e '.[ray]'")
    pytest.importorskip("ray.data", reason="the Ray tests need the ray extra: pip install -e '.[ray]'")
    # Workers import the package from where this process does.
    root = str(Path(__file__).resolve().parent.parent)
    path = os.pathsep.join([root, os.environ["PYTHONPATH"]]) if os.environ.get("PYTHONPATH") else root
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
             runtime_env={"env_vars": {"PYTHONPATH": path}})
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("articles")
    for name, text in ARTICLES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    """The tiny model on CTranslate2 (converted here once), described and loaded as the CLI does."""
    pytest.importorskip("ctranslate2")
    from pipeline.distributed import ray_translator_factory
    from pipeline.models import describe_model

    plans = [describe_model(str(tiny_model_dir), "ctranslate2")]
    factory = ray_translator_factory(str(tiny_model_dir), "ctranslate2", plans)
    factory()  # converts the checkpoint into the cache, so the workers only load it
    return {"describe": lambda: plans[-1], "factory": factory}


class CountingMemory(TranslationMemory):
    """A translation memory that records every key written to it."""

    def __init__(self, path):
        super().__init__(path)
        self.written: list[str] = []

    def put_many(self, entries, *, model="", **kwargs):
        entries = list(entries)
        self.written.extend(key for key, _, _ in entries)
        return super().put_many(entries, model=model, **kwargs)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def memory_rows(path: Path) -> dict[str, tuple[str, str, str]]:
    import sqlite3

    with sqlite3.connect(path) as db:
        return {key: (source, translation, model)
                for key, source, translation, model in db.execute("SELECT key, source, translation, model FROM units")}


@pytest.fixture(scope="module")
def local_run(inputs, model, tmp_path_factory):
    """The single-machine run over the inputs: its outputs, memory and report."""
    out = tmp_path_factory.mktemp("local")
    with CountingMemory(out.parent / f"{out.name}-tm.sqlite3") as memory:
        report = translate_files([inputs], out / "out", translator_factory=model["factory"],
                                 describe=model["describe"], options=TranslateOptions(memory=memory),
                                 formats=["txt", "jsonl", "tsv"])
    return {"files": files(out / "out"), "memory": memory_rows(memory.path), "report": report,
            "written": memory.written}


def ray_run(inputs, out: Path, model, cluster: Cluster, force: bool = False):
    with CountingMemory(out.parent / f"{out.name}-tm.sqlite3") as memory:
        report = translate_files_ray([inputs], out, translator_factory=model["factory"],
                                     describe=model["describe"], options=TranslateOptions(memory=memory),
                                     formats=["txt", "jsonl", "tsv"], cluster=cluster, force=force)
    return report, memory


def test_ray_run_writes_the_local_runs_files_stamps_and_memory(ray_local, inputs, model, local_run, tmp_path):
    report, memory = ray_run(inputs, tmp_path / "out", model, Cluster(workers=2, task_sentences=4))

    assert files(tmp_path / "out") == local_run["files"]
    assert any(name.endswith(".run.json") for name in local_run["files"])
    assert memory_rows(memory.path) == local_run["memory"]
    # Every new unit is written once, by the driver; some came from the memory, as in the local run.
    assert sorted(memory.written) == sorted(set(memory.written)) == sorted(local_run["memory"])
    assert report.stats == local_run["report"].stats
    assert report.stats.from_memory > 0
    assert [(o.path, o.status) for o in report.outcomes] == [(o.path, o.status) for o in local_run["report"].outcomes]
    # The bad file is reported as the local run reports it, and the rest go on.
    [failure] = report.failures
    assert failure.path.endswith("english.txt") and "no Chinese text" in failure.error
    assert report.count("translated") == len(ARTICLES) - 1

    # Run again: everything is up to date, nothing is dispatched, nothing written.
    again, memory = ray_run(inputs, tmp_path / "out", model, Cluster(workers=2))
    assert again.count("skipped") == len(ARTICLES) - 1 and memory.written == []
    assert files(tmp_path / "out") == local_run["files"]


class ExitOnce:
    """A translator factory whose translator kills its worker process at its first batch, once per run
    (a marker file says it happened): Ray must replace the worker and run the task again."""

    def __init__(self, factory, marker: Path):
        self.factory, self.marker = factory, marker

    def __call__(self):
        translator = self.factory()
        marker = self.marker
        translate_batch = translator.translate_batch

        def dying(texts, decoding):
            if not marker.exists():
                marker.write_text(str(os.getpid()))
                os._exit(1)
            return translate_batch(texts, decoding)

        translator.translate_batch = dying
        return translator


def test_a_worker_that_dies_mid_run_changes_nothing(ray_local, inputs, model, tmp_path):
    import ray.cloudpickle

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = tmp_path / "died"
    local = translate_files([inputs], tmp_path / "local", translator_factory=model["factory"],
                            describe=model["describe"])
    report = translate_files_ray([inputs], tmp_path / "ray", translator_factory=ExitOnce(model["factory"], marker),
                                 describe=model["describe"], cluster=Cluster(workers=2, task_sentences=8))
    assert marker.exists()  # a worker did die
    assert files(tmp_path / "ray") == files(tmp_path / "local")
    assert [(o.path, o.status) for o in report.outcomes] == [(o.path, o.status) for o in local.outcomes]
    assert report.count("translated") == len(ARTICLES) - 1


@pytest.mark.parametrize("command", ["translate", "run"])
def test_cli_ray_option(ray_local, inputs, tiny_model_dir, model, tmp_path, command):
    def brief(name: str, *extra: str):
        formats = ["--format", "json,md"] if command == "run" else []
        return CliRunner().invoke(cli, [command, str(inputs), "-o", str(tmp_path / name), "--model",
                                        str(tiny_model_dir), "--backend", "ctranslate2", "--no-tm", *formats, *extra])

    local = brief("local")
    result = brief("ray", "--workers", "2", "--cpus-per-worker", "1", "--ray")
    assert result.exit_code == local.exit_code == 1, result.output  # the English-only file
    # The same report, article by article, but for the output folder's name.
    assert result.output.replace(str(tmp_path / "ray"), "OUT") == local.output.replace(str(tmp_path / "local"), "OUT")
    assert "5 translated, 0 up to date, 1 failed" in result.output
    assert "english.txt: no Chinese text" in result.output
    assert files(tmp_path / "ray") == files(tmp_path / "local")


def test_a_pool_larger_than_the_cluster_is_refused(ray_local, inputs, model, tmp_path):
    with pytest.raises(UsageError, match="3 workers x 1 CPUs is more than the cluster's 2"):
        ray_run(inputs, tmp_path / "out", model, Cluster(workers=3))


# --- without Ray ------------------------------------------------------------------------------------------

def test_without_ray_installed_the_option_says_how_to_install_it(monkeypatch, tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)
    result = CliRunner().invoke(cli, ["translate", str(tmp_path / "a.txt"), "--no-tm", "--ray"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"brief: error: {INSTALL_HINT}"]


def test_a_normal_run_never_imports_ray(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLES["a.txt"], encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    script = (
        "import sys, pipeline.cli\n"
        "from fake_translators import WordFake\n"
        "from pipeline.batch import translate_files\n"
        f"report = translate_files([{str(tmp_path / 'a.txt')!r}], None, translator_factory=WordFake)\n"
        "print(report.count('translated'), sorted(m for m in sys.modules if m.split('.')[0] == 'ray'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "tests")])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "[]"]
    assert json.loads((tmp_path / "a.run.json").read_text(encoding="utf-8"))["model_id"] == "fake/word"


@pytest.mark.parametrize("text, address", [
    ("local", None), ("auto", "auto"), ("ray://head:10001", "ray://head:10001"), ("10.0.0.5:6379", "10.0.0.5:6379"),
])
def test_cluster_addresses(text, address):
    assert cluster_address(text) == address


def test_an_input_taken_for_an_address_is_a_one_line_error():
    with pytest.raises(UsageError, match="put --ray after the inputs"):
        cluster_address("articles/")


def test_the_driver_counts_every_stat_the_local_run_counts_reviewed_too(tmp_path):
    from pipeline.batch import Article, BatchProgress, BatchReport
    from pipeline.distributed import _ArticleResult, _collect
    from pipeline.translate import TranslateStats

    report, outcomes = BatchReport(), {}
    stats = TranslateStats(units=3, unique=3, from_memory=1, translated=1, retried=1, reviewed=1)
    result = _ArticleResult(0, error="a.txt: no Chinese text", stats=stats)
    _collect(result, Article(tmp_path / "a.txt", tmp_path / "a"), "", ["txt"], {}, {}, None, set(), report,
             outcomes, BatchProgress())
    assert report.stats == stats and outcomes[0].status == "failed"
