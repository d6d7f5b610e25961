"""What the translate stage costs on top of the engine, and what the translation memory saves.

    python benchmarks/bench_pipeline.py [--quick] [--repeat 3] [--device cpu|cuda] [--workdir DIR]

(a) Pipeline overhead. ``pipeline.translate.translate_texts`` through the CTranslate2 backend (clause
    units, tokenizer counts, dedup, length sort, token-budget batches, detokenising, guards, reassembly)
    against ``ctranslate2.Translator.translate_batch`` called directly on the same sentences, tokenised
    beforehand and cut into the same batches. The guards' retry is off for this comparison so both do the
    same decoding work (the random model's output is all noise, so every unit would be retried); the run
    with the retry on is printed too. Target: under 10% overhead.
(b) Translation memory. ``translate_document`` over the sample article twice with one memory: the first
    run goes to the model, the second should come from the memory. Target: over 50x. The speed-up is
    measured against a first run with the guards' retry off: with the random model every unit is retried,
    which would double the first run and inflate the ratio. A first run with the retry on (into another
    fresh memory) is printed separately.

The model is the full-size opus-mt-zh-en architecture with random weights (``pipeline.testing.make_marian``,
built once by ``bench_translate.prepare`` into the work folder), int8 on CPU; beam 4 and the output forced
to 40 tokens, so every engine does the same work on every sentence. ``--quick`` uses the tiny test model
and 12 output tokens: a smoke test of the script, not a measurement.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_translate import make_sentences, peak_rss_mb, prepare  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "guiyang-cppcc-2023.txt"


def direct_ct2(translator, tokens: list[list[str]], batches: list[list[int]], length: int, beam: int) -> float:
    """Seconds for the bare engine: ``translate_batch`` on pre-tokenised batches, nothing else."""
    engine = translator._translator  # the ctranslate2.Translator inside the backend: the same loaded model
    started = time.perf_counter()
    for batch in batches:
        engine.translate_batch([tokens[i] for i in batch], beam_size=beam, num_hypotheses=1,
                               max_decoding_length=length, min_decoding_length=length, max_batch_size=0)
    return time.perf_counter() - started


def overhead(translator, sentences: list[str], decoding, batch_tokens: int, repeat: int) -> dict:
    from pipeline.translate import TranslateOptions, batches_by_tokens, translate_texts

    # The batches translate_texts forms: unique units, longest first, cut by the padded-token budget.
    tokens = [translator._tokenizer.encode(text) for text in sentences]
    order = sorted(range(len(sentences)), key=lambda i: -len(tokens[i]))
    batches = batches_by_tokens(order, [len(tokens[i]) for i in order], batch_tokens)
    length = decoding.length_limit(0)
    translate_texts(sentences[:2], translator, TranslateOptions(decoding=decoding, retry=False))  # warm-up
    direct, pipeline, with_retry = [], [], []
    for _ in range(repeat):  # interleaved, so drifting machine load hits both alike
        direct.append(direct_ct2(translator, tokens, batches, length, decoding.beam_size))
        started = time.perf_counter()
        translate_texts(sentences, translator,
                        TranslateOptions(decoding=decoding, batch_tokens=batch_tokens, retry=False))
        pipeline.append(time.perf_counter() - started)
    started = time.perf_counter()
    translate_texts(sentences, translator, TranslateOptions(decoding=decoding, batch_tokens=batch_tokens))
    with_retry.append(time.perf_counter() - started)
    return {"direct": min(direct), "pipeline": min(pipeline), "with_retry": with_retry[0], "batches": len(batches)}


def memory_speedup(translator, decoding, batch_tokens: int) -> dict:
    from pipeline.memory import TranslationMemory
    from pipeline.segment import segment_file
    from pipeline.terminology import default_glossary
    from pipeline.translate import TranslateOptions, TranslateStats, translate_document

    glossary = default_glossary()

    def timed(memory, retry: bool):
        stats = TranslateStats()
        started = time.perf_counter()
        document = segment_file(SAMPLE)
        options = TranslateOptions(decoding=decoding, memory=memory, glossary=glossary, batch_tokens=batch_tokens,
                                   retry=retry)
        translate_document(document, translator, options, stats=stats)
        return time.perf_counter() - started, stats, document

    class Echo:
        """The translator's tokenizer and no model: warms up segmenting and the glossary's patterns."""

        model_id, revision, backend = translator.model_id, translator.revision, "echo"
        max_source_tokens, default_decoding = translator.max_source_tokens, decoding
        count_tokens = translator.count_tokens

        def translate_batch(self, texts, decoding):
            return list(texts)

    translate_document(segment_file(SAMPLE), Echo(),
                       TranslateOptions(decoding=decoding, glossary=glossary, retry=False))
    with tempfile.TemporaryDirectory() as folder:
        with TranslationMemory(Path(folder) / "tm.sqlite3") as memory:
            first = timed(memory, retry=False)
            second = timed(memory, retry=False)
        with TranslationMemory(Path(folder) / "tm-retry.sqlite3") as memory:
            with_retry = timed(memory, retry=True)
    return {"sentences": sum(1 for _ in first[2].sentences()), "runs": [first[:2], second[:2]],
            "with_retry": with_retry[:2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, 12 output tokens: a smoke test")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of (a); the best is reported")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--batch-tokens", type=int, default=4096, help="the pipeline's padded-token budget")
    parser.add_argument("--workdir", type=Path, default=None, help="where the model and conversion are kept")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.engine import Decoding
    from pipeline.loaders import load_translator
    from pipeline.settings import load_settings
    from pipeline.testing import make_tiny_translator

    workdir = args.workdir or load_settings().cache_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    if args.quick:
        model_dir = workdir / "tiny"
        if not (model_dir / "config.json").is_file():
            make_tiny_translator(model_dir)
        count, length = 8, 12
    else:
        model_dir, _, _, _ = prepare(workdir, args.device)
        count, length = 32, 40
    translator = load_translator(str(model_dir), "ctranslate2", args.device, offline=True,
                                 cache_dir=workdir / "cache")
    decoding = Decoding(beam_size=4, min_length=length, max_length=length)
    sentences = make_sentences(model_dir, count, 15, 60)
    counts = translator.count_tokens(sentences)
    print(f"model: {'tiny test model' if args.quick else 'random full-size opus-mt-zh-en'} "
          f"({translator.backend}, {translator.revision}), device {args.device}, cores {os.cpu_count()}")
    print(f"(a) {count} sentences of {min(counts)}-{max(counts)} tokens, beam 4, output forced to {length} tokens, "
          f"--batch-tokens {args.batch_tokens}, best of {args.repeat}")
    a = overhead(translator, sentences, decoding, args.batch_tokens, args.repeat)
    print(f"    ctranslate2 translate_batch, pre-tokenised ({a['batches']} batches): {a['direct']:7.3f} s  "
          f"{count / a['direct']:6.2f} sent/s")
    print(f"    translate_texts, retry off:                          {a['pipeline']:7.3f} s  "
          f"{count / a['pipeline']:6.2f} sent/s")
    print(f"    pipeline overhead: {(a['pipeline'] / a['direct'] - 1) * 100:+.1f}%  (target < 10%)")
    print(f"    translate_texts, retry on (noise output: every unit retried once): {a['with_retry']:.3f} s")

    b = memory_speedup(translator, decoding, args.batch_tokens)
    (first, s1), (second, s2) = b["runs"]
    retry_s, retry_stats = b["with_retry"]
    print(f"(b) sample article, {b['sentences']} sentences, translate_document with a fresh translation memory")
    print(f"    1st run, retry off: {first:8.3f} s  ({s1.translated} units by the model)")
    print(f"    2nd run:            {second:8.3f} s  ({s2.from_memory} units from the memory, "
          f"{s2.translated} by the model)")
    print(f"    speed-up: {first / second:.0f}x  (target > 50x)")
    print(f"    1st run, retry on (another fresh memory): {retry_s:.3f} s  ({retry_stats.translated} units by the "
          f"model, {retry_stats.retried} retried; {retry_s / second:.0f}x the 2nd run)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
