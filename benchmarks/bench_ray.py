"""What Ray costs: ``brief translate`` in one process against Ray Data with 1 and 2 workers on this machine.

    python benchmarks/bench_ray.py [--articles 200] [--sentences 4] [--length 40] [--workdir DIR]

The articles are short (a title and ``--sentences`` sentences of 12-30 source tokens, all different, so the
memory plays no part); the model is the full-size opus-mt-zh-en architecture with random weights
(``pipeline.testing.make_marian``, built once by ``bench_translate.prepare``), CTranslate2 int8 on CPU, beam 4
with the output forced to ``--length`` tokens, the guards' retry off: every configuration does the same work.

  local    ``pipeline.batch.translate_files``, one process, the model on every core
  ray x1   ``pipeline.distributed.translate_files_ray``, one worker with every core
  ray x2   two workers, one core each

Each time is the whole call (finding inputs, loading the model, writing every output); starting the local
Ray instance is timed apart. The local run goes first and last, and the faster of the two counts (the machine
is shared). Ray's overhead per article is (ray x1 - local) / articles. The outputs of
every run are compared with the local run's.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_translate import make_sentences, prepare


def write_articles(folder: Path, model_dir: Path, count: int, sentences: int) -> int:
    """``count`` articles (a title, then ``sentences`` sentences in two paragraphs); returns the sentences."""
    pool = make_sentences(model_dir, count * (sentences + 1), 12, 30, seed=7)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        title, *body = pool[i * (sentences + 1):(i + 1) * (sentences + 1)]
        half = max(1, len(body) // 2)
        text = f"{title.rstrip('。')}\n\n{''.join(body[:half])}\n\n{''.join(body[half:])}\n"
        (folder / f"article-{i:04d}.txt").write_text(text, encoding="utf-8")
    return count * (sentences + 1)


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--sentences", type=int, default=4, help="sentences per article besides the title")
    parser.add_argument("--length", type=int, default=40, help="output tokens forced per unit")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the model is built (default: $BRIEF_CACHE_DIR/bench, else a temp folder)")
    args = parser.parse_args()

    import ray

    from pipeline.backends.common import default_threads
    from pipeline.batch import translate_files
    from pipeline.distributed import Cluster, translate_files_ray
    from pipeline.engine import Decoding
    from pipeline.loaders import load_translator
    from pipeline.models import describe_model
    from pipeline.translate import TranslateOptions

    workdir = args.workdir or Path(os.environ.get("BRIEF_CACHE_DIR") or tempfile.mkdtemp()) / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    model_dir, _, _, _ = prepare(workdir, "cpu")
    cores = default_threads()
    scratch = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    sentences = write_articles(scratch / "in", model_dir, args.articles, args.sentences)
    cache = workdir / "cache"
    plan = describe_model(str(model_dir), "ctranslate2", cache_dir=cache, offline=True)
    options = TranslateOptions(decoding=Decoding(beam_size=4, min_length=args.length, max_length=args.length),
                               retry=False)

    def loader(threads: int):
        return functools.partial(load_translator, str(model_dir), "ctranslate2", "cpu", offline=True,
                                 cache_dir=cache, threads=threads)

    loader(cores)()  # converts once, outside the timings
    results = {}
    started = time.perf_counter()
    report = translate_files([scratch / "in"], scratch / "local", translator_factory=loader(cores),
                             describe=lambda: plan, options=options)
    results["local"] = time.perf_counter() - started
    assert report.count("translated") == args.articles, report.summary()
    expected = tree(scratch / "local")

    started = time.perf_counter()
    ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
             runtime_env={"env_vars": {"PYTHONPATH": os.pathsep.join(sys.path)}})
    ray_start = time.perf_counter() - started
    same = {}
    for name, workers in (("ray x1", 1), ("ray x2", 2)):
        threads = max(1, cores // workers)
        cluster = Cluster(workers=workers, cpus_per_worker=threads)
        out = scratch / name.replace(" ", "")
        started = time.perf_counter()
        report = translate_files_ray([scratch / "in"], out, translator_factory=loader(threads),
                                     describe=lambda: plan, options=options, cluster=cluster)
        results[name] = time.perf_counter() - started
        assert report.count("translated") == args.articles, report.summary()
        same[name] = tree(out) == expected
    ray.shutdown()
    # The local run once more, after the Ray runs, and the faster of the two kept: the machine is shared, and
    # load that comes and goes must not count against one side only.
    started = time.perf_counter()
    translate_files([scratch / "in"], scratch / "local2", translator_factory=loader(cores), describe=lambda: plan,
                    options=options)
    results["local"] = min(results["local"], time.perf_counter() - started)

    print(f"{args.articles} articles, {sentences} sentences; full-size random opus-mt, CTranslate2 int8, beam 4, "
          f"{args.length} output tokens forced; {cores} cores; local Ray start {ray_start:.1f} s (not counted)")
    print(f"{'run':8} {'seconds':>8} {'articles/s':>11} {'sent/s':>8} {'vs local':>9} {'same files':>11}")
    for name, seconds in results.items():
        print(f"{name:8} {seconds:8.1f} {args.articles / seconds:11.2f} {sentences / seconds:8.1f} "
              f"{seconds / results['local'] - 1:+9.1%} {same.get(name, True)!s:>11}")
    per_article = (results["ray x1"] - results["local"]) / args.articles
    print(f"Ray's overhead with one worker: {per_article * 1000:+.0f} ms per article "
          f"({results['ray x1'] / results['local'] - 1:+.1%}; target under +10%)")


if __name__ == "__main__":
    main()
