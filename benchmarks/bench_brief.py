"""Where the time of `brief run` goes, per stage: segment, load, translate, summarise, check, render.

    python benchmarks/bench_brief.py [--quick] [--repeat 2] [--length 40] [--device cpu|cuda] [--workdir DIR]
                                     [--summarizer extractive|random|PRESET|DIR] [--summary-length 64]

Runs what `brief run` runs (``pipeline.batch.translate_files`` with the brief's stages and its four
formats: md, html, docx, json) on the sample article, with the full-size opus-mt-zh-en architecture and
random weights (``pipeline.testing.make_marian``, built once by ``bench_translate.prepare``), CTranslate2
int8 on CPU, beam 4 and every output forced to ``--length`` tokens, so the model does a real model's work.
Its output is English words (``make_marian(english_output=True)``), so the figure check and the summariser
get text of a translation's kind and length, not padding tokens.
No translation memory (every sentence goes to the model) and the guards' retry off (the random output is
noise, every unit would be retried). Each repeat writes the briefs afresh (``force``); the best repeat is
reported. The issue's target: checking and rendering together under 5% of the run.

``--summarizer random`` adds the full-size flan-t5-base architecture with random weights
(``pipeline.testing.make_t5(DIR, FLAN_T5_BASE)``, built once into the work folder), CTranslate2 int8, beam 4,
4 candidates per section and every candidate forced to ``--summary-length`` tokens; the prompts are the
sections' (random) English, cut to T5's 512 input tokens as in a real run; the guard then keeps or replaces
each section's candidates, and the script prints how many summary sentences came out which way. Another
``--summarizer`` (a preset or a folder) is loaded with ``pipeline.loaders.load_summarizer`` and decodes as
its preset says. ``--quick`` uses the tiny test models and 12 output tokens: a smoke test, not a measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_translate import peak_rss_mb, prepare  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "guiyang-cppcc-2023.txt"


def run_once(translator, summarizer, decoding, outdir: Path) -> dict[str, float]:
    """One `brief run` of the sample into ``outdir``; the seconds per stage."""
    from pipeline.api import BRIEF_STAGES
    from pipeline.batch import translate_files
    from pipeline.outputs import BRIEF_FORMATS
    from pipeline.translate import TranslateOptions

    report = translate_files([SAMPLE], outdir, translator_factory=lambda: translator,
                             summarizer_factory=(lambda: summarizer) if summarizer is not None else None,
                             options=TranslateOptions(decoding=decoding, retry=False), formats=BRIEF_FORMATS,
                             force=True, stages=BRIEF_STAGES)
    if report.failures:
        raise SystemExit(f"bench_brief: the run failed: {report.failures[0].error}")
    return report.timings


def summary_methods(outdir: Path) -> Counter:
    """How the section summaries of the JSON brief in ``outdir`` were made (abstractive, fallback, extractive)."""
    brief = json.loads(next(outdir.rglob("*.brief.json")).read_text(encoding="utf-8"))
    return Counter(s.get("method") for section in brief["sections"] for s in section["summary"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, 12 output tokens: a smoke test")
    parser.add_argument("--repeat", type=int, default=2, help="timed runs; the best is reported")
    parser.add_argument("--length", type=int, default=40, help="output tokens forced per unit")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--workdir", type=Path, default=None, help="where the model and conversion are kept")
    parser.add_argument("--summarizer", default="extractive",
                        help="extractive; random (the random-weight flan-t5-base architecture); or a summariser "
                             "preset/directory")
    parser.add_argument("--summary-length", type=int, default=64,
                        help="output tokens forced per summary candidate with --summarizer random")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline import loaders
    from pipeline.api import BRIEF_STAGES
    from pipeline.batch import format_timings
    from pipeline.engine import Decoding
    from pipeline.settings import load_settings
    from pipeline.testing import FLAN_T5_BASE, make_t5, make_tiny_summarizer, make_tiny_translator

    workdir = args.workdir or load_settings().cache_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    if args.quick:
        model_dir = workdir / "tiny"
        if not (model_dir / "config.json").is_file():
            make_tiny_translator(model_dir)
        length = 12
    else:
        model_dir, _, _, _ = prepare(workdir, args.device)
        length = args.length
    translator = loaders.load_translator(str(model_dir), "ctranslate2", args.device, offline=True,
                                         cache_dir=workdir / "cache")
    summarizer = None
    summary_note = ""
    if args.summarizer == "random":
        summary_dir = workdir / ("tiny-t5" if args.quick else "flan-t5-base-random")
        if not (summary_dir / "model.safetensors").is_file():
            started = time.perf_counter()
            if args.quick:
                make_tiny_summarizer(summary_dir)
            else:
                make_t5(summary_dir, FLAN_T5_BASE)
            print(f"built the random summariser in {summary_dir} in {time.perf_counter() - started:.0f} s")
        summarizer = loaders.load_summarizer(str(summary_dir), "ctranslate2", args.device, offline=True,
                                             cache_dir=workdir / "cache")
        summary_length = 12 if args.quick else args.summary_length
        # Every candidate exactly summary_length tokens, as the translator's output is forced: fixed work.
        summarizer.decoding = replace(summarizer.decoding, beam_size=4, min_length=summary_length,
                                      max_length=summary_length)
        summary_note = (f" ({'tiny test model' if args.quick else 'random full-size flan-t5-base'}, "
                        f"{summarizer.backend}, beam 4, 4 candidates per section forced to {summary_length} tokens)")
    elif args.summarizer != "extractive":
        summarizer = loaders.load_summarizer(args.summarizer, device=args.device, offline=True)
        summary_note = f" ({summarizer.model_id}, {summarizer.backend}, its preset's decoding)"
    decoding = Decoding(beam_size=4, min_length=length, max_length=length)
    stages = BRIEF_STAGES
    print(f"model: {'tiny test model' if args.quick else 'random full-size opus-mt-zh-en'} "
          f"({translator.backend}, {translator.revision}), device {args.device}, cores {os.cpu_count()}")
    print(f"sample: {SAMPLE.name}; stages {', '.join(stages)}; summariser {args.summarizer}{summary_note}; "
          f"beam 4, output forced to {length} tokens; formats md, html, docx, json; best of {args.repeat}")
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        run_once(translator, summarizer, decoding, Path(folder) / "warm-up")  # imports, pattern compiling
        runs = [run_once(translator, summarizer, decoding, Path(folder) / f"run{i}") for i in range(args.repeat)]
        methods = summary_methods(Path(folder) / "warm-up")
    best = min(runs, key=lambda t: sum(t.values()))
    best.pop("load", None)  # the models were loaded once, before the runs
    print("section summary sentences: " + ", ".join(f"{n} {m}" for m, n in sorted(methods.items())))
    print(format_timings(best).replace("timings: ", "per stage: "))
    share = 100 * (best.get("figures", 0.0) + best.get("render", 0.0)) / sum(best.values())
    print(f"check + render: {share:.1f}% of the run (target < 5%: {'met' if share < 5 else 'NOT met'})")
    print(f"load average (1, 5, 15 min) after the runs: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
