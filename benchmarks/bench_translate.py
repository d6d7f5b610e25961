"""Translation throughput: one generate() per sentence vs the pipeline's transformers and CTranslate2 backends.

    python benchmarks/bench_translate.py [--quick] [--device cpu|cuda] [--threads N] [--only a,b,c,d,e]

The model is the full-size opus-mt-zh-en architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048,
vocabulary 65001) with random weights, built once by ``pipeline.testing.make_marian`` into the work folder
(default: ``$BRIEF_CACHE_DIR/bench``), so the amount of computation is the real model's; the output is
noise. Every engine does beam search (4) with the output forced to exactly 40 tokens, on the same 32
sentences of 15-60 source tokens, so each does the same work.

  a  transformers generate() once per sentence (what most wrappers do): the baseline
  b  the pipeline's transformers backend, length-sorted batches of 16
  c  the pipeline's CTranslate2 backend (int8 on CPU), length-sorted batches
  d  CTranslate2 called directly (sentencepiece + Translator.translate_batch), the same batches: c/d is
     the pipeline's overhead over the bare engine
  e  pipeline.translate.translate_texts with a translation memory, run twice (if that module is there):
     the second run should come from the memory

Each engine runs in its own process, so its peak RSS (model included) is its own. Prints sentences/s,
the speed-up over (a) and the peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINES = {
    "a": "transformers generate, one sentence at a time",
    "b": "pipeline transformers backend, batches",
    "c": "pipeline CTranslate2 backend, batches",
    "d": "CTranslate2 directly, batches",
    "e": "pipeline translate_texts + TM, 2nd run",
    "o": "c and d alternated in one process",
}


# ---------------------------------------------------------------- setup (main process)

def make_sentences(model_dir: Path, count: int, low: int, high: int, seed: int = 1) -> list[str]:
    """``count`` Chinese sentences of ``low``-``high`` source tokens (</s> included), deterministic."""
    import sentencepiece as spm

    from pipeline.testing import _ZH_WORDS

    processor = spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm"))
    rng = random.Random(seed)
    sentences = []
    for _ in range(count):
        target = rng.randint(low, high)
        text = ""
        while len(processor.encode(text)) + 1 < target:
            text += rng.choice(_ZH_WORDS) + ("，" if rng.random() < 0.12 else "")
        text = text.rstrip("，") + "。"
        while len(processor.encode(text)) + 1 > high:  # the last word overshot
            text = text[:-2] + "。"
        sentences.append(text)
    return sentences


def prepare(workdir: Path, device: str) -> tuple[Path, Path, float, float]:
    """Build the random full-size model and its CTranslate2 conversion once; return them and the seconds."""
    from pipeline.backends.ct2 import convert_to_ctranslate2
    from pipeline.testing import make_marian

    # "-en": the version whose output is English word pieces (make_marian's english_output), not padding tokens.
    model_dir = workdir / "opus-mt-zh-en-random-en"
    build_s = 0.0
    if not (model_dir / "model.safetensors").is_file():
        started = time.perf_counter()
        make_marian(model_dir, english_output=True)
        build_s = time.perf_counter() - started
    started = time.perf_counter()
    converted = convert_to_ctranslate2(model_dir, cache=workdir / "cache")
    convert_s = time.perf_counter() - started
    return model_dir, converted, build_s, convert_s


# ---------------------------------------------------------------- engines (one worker process each)

def best_of(runs: int, run) -> float:
    """The shortest of ``runs`` timed calls of ``run()``: the least disturbed by other work on the machine."""
    best = float("inf")
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _batches(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _length_sorted(texts: list[str], counts: list[int]) -> list[int]:
    return sorted(range(len(texts)), key=lambda i: counts[i])


def run_a(cfg: dict) -> dict:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    if cfg["threads"]:
        torch.set_num_threads(cfg["threads"])
    tokenizer = AutoTokenizer.from_pretrained(cfg["model_dir"])
    model = AutoModelForSeq2SeqLM.from_pretrained(cfg["model_dir"]).to(cfg["device"]).eval()
    length = cfg["length"]

    def translate(text: str) -> tuple[str, int]:
        batch = tokenizer([text], return_tensors="pt").to(cfg["device"])
        with torch.inference_mode():
            out = model.generate(**batch, num_beams=cfg["beam"], min_new_tokens=length, max_new_tokens=length)
        # The decoder start token plus `length` generated ones (opus-mt forces </s> as the last of them).
        return tokenizer.decode(out[0], skip_special_tokens=True), out.shape[1] - 1

    _, steps = translate(cfg["sentences"][0])  # warm-up
    outputs = []
    seconds = best_of(cfg["baseline_repeat"], lambda: outputs.extend(translate(t) for t in cfg["sentences"]))
    return {"seconds": seconds, "runs": cfg["baseline_repeat"],
            "check": all(n == length for _, n in outputs) and steps == length}


def _pipeline_run(cfg: dict, backend: str, batch: int) -> dict:
    from pipeline.engine import Decoding
    from pipeline.loaders import load_translator

    translator = load_translator(
        cfg["model_dir"], backend, cfg["device"], offline=True, cache_dir=cfg["cache"], threads=cfg["threads"]
    )
    decoding = Decoding(beam_size=cfg["beam"], min_length=cfg["length"], max_length=cfg["length"])
    texts = cfg["sentences"]
    check = [len(t) for t in translator.generate_tokens(texts[:2], decoding)] == [cfg["length"]] * 2  # warm-up
    results = [""] * len(texts)

    def run() -> None:
        order = _length_sorted(texts, translator.count_tokens(texts))
        for indices in _batches(order, batch):
            for i, out in zip(indices, translator.translate_batch([texts[i] for i in indices], decoding)):
                results[i] = out

    seconds = best_of(cfg["repeat"], run)
    return {"seconds": seconds, "runs": cfg["repeat"], "check": check and all(results),
            "revision": translator.revision}


def run_b(cfg: dict) -> dict:
    return _pipeline_run(cfg, "transformers", cfg["batch"])


def run_c(cfg: dict) -> dict:
    return _pipeline_run(cfg, "ctranslate2", cfg["ct2_batch"])


def _direct_ct2(cfg: dict):
    """(d)'s bare engine: a ctranslate2.Translator, sentencepiece in and out, the same batches as (c)."""
    import ctranslate2
    import sentencepiece as spm

    from pipeline.backends.common import default_threads

    converted = Path(cfg["converted"])
    translator = ctranslate2.Translator(
        str(converted), device=cfg["device"], compute_type=cfg["compute_type"], inter_threads=1,
        intra_threads=(cfg["threads"] or default_threads()) if cfg["device"] == "cpu" else 0,
    )
    source = spm.SentencePieceProcessor(model_file=str(converted / "source.spm"))
    target = spm.SentencePieceProcessor(model_file=str(converted / "target.spm"))
    options = {"beam_size": cfg["beam"], "min_decoding_length": cfg["length"], "max_decoding_length": cfg["length"]}
    texts = cfg["sentences"]
    warm = translator.translate_batch([source.encode(t, out_type=str) + ["</s>"] for t in texts[:2]], **options)
    check = [len(r.hypotheses[0]) for r in warm] == [cfg["length"]] * 2
    results = [""] * len(texts)

    def run() -> None:
        tokens = [source.encode(t, out_type=str) + ["</s>"] for t in texts]
        order = _length_sorted(texts, [len(t) for t in tokens])
        for indices in _batches(order, cfg["ct2_batch"]):
            for i, r in zip(indices, translator.translate_batch([tokens[i] for i in indices], **options)):
                pieces = [t for t in r.hypotheses[0] if t != "<unk>"]
                results[i] = target.decode_pieces(pieces).replace("\u2581", " ").strip()

    return run, check, results


def run_d(cfg: dict) -> dict:
    run, check, results = _direct_ct2(cfg)
    seconds = best_of(cfg["repeat"], run)
    return {"seconds": seconds, "runs": cfg["repeat"], "check": check and all(results)}


def run_o(cfg: dict) -> dict:
    """(c) and (d) alternated in one process, so both see the same load from anything else on the machine."""
    import statistics

    from pipeline.engine import Decoding
    from pipeline.loaders import load_translator

    translator = load_translator(
        cfg["model_dir"], "ctranslate2", cfg["device"], offline=True, cache_dir=cfg["cache"], threads=cfg["threads"]
    )
    decoding = Decoding(beam_size=cfg["beam"], min_length=cfg["length"], max_length=cfg["length"])
    texts = cfg["sentences"]

    def pipeline_run() -> None:
        order = _length_sorted(texts, translator.count_tokens(texts))
        for indices in _batches(order, cfg["ct2_batch"]):
            translator.translate_batch([texts[i] for i in indices], decoding)

    direct_run, check, _ = _direct_ct2(cfg)
    pipeline_run()  # warm-up
    pairs = []
    for k in range(2 * cfg["repeat"]):
        first, second = (pipeline_run, direct_run) if k % 2 == 0 else (direct_run, pipeline_run)
        times = {f: best_of(1, f) for f in (first, second)}
        pairs.append((times[pipeline_run], times[direct_run]))
    best_c, best_d = min(p for p, _ in pairs), min(d for _, d in pairs)
    return {"seconds": best_c, "direct_seconds": best_d, "runs": len(pairs), "check": check,
            "median_ratio": statistics.median(p / d for p, d in pairs)}


def run_e(cfg: dict) -> dict:
    try:
        from pipeline.memory import TranslationMemory
        from pipeline.translate import TranslateOptions, TranslateStats, translate_texts
    except ImportError as e:
        return {"skipped": f"pipeline.translate not available ({e})"}
    from pipeline.engine import Decoding
    from pipeline.loaders import load_translator

    translator = load_translator(
        cfg["model_dir"], "ctranslate2", cfg["device"], offline=True, cache_dir=cfg["cache"], threads=cfg["threads"]
    )
    decoding = Decoding(beam_size=cfg["beam"], min_length=cfg["length"], max_length=cfg["length"])
    with tempfile.TemporaryDirectory() as folder, TranslationMemory(Path(folder) / "tm.sqlite3") as memory:
        options = TranslateOptions(decoding=decoding, memory=memory)
        first = best_of(1, lambda: translate_texts(cfg["sentences"], translator, options))
        stats = TranslateStats()
        again = best_of(cfg["repeat"], lambda: translate_texts(cfg["sentences"], translator, options, stats=stats))
    # The first run includes the guards' retries of the random model's (looping) output.
    return {"seconds": again, "runs": cfg["repeat"], "first_run_seconds": first,
            "check": stats.translated == 0 and stats.from_memory > 0}


def peak_rss_mb() -> float:
    """This process's peak resident memory. (ru_maxrss would do, but Linux carries it over from the parent
    through fork and exec, so every worker would report the main process's peak.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(name: str, cfg_path: str) -> None:
    cfg = json.loads(Path(cfg_path).read_text(encoding="utf-8"))
    result = globals()[f"run_{name}"](cfg)
    result["peak_rss_mb"] = peak_rss_mb()
    print("RESULT " + json.dumps(result))


# ---------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 sentences, 12 output tokens: a smoke test")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, default=0, help="threads per engine (0: every usable core)")
    parser.add_argument("--batch", type=int, default=16, help="sentences per batch for (b)")
    parser.add_argument("--ct2-batch", type=int, default=32,
                        help="sentences per batch for (c) and (d); 32 is what the translate stage's default "
                             "4096-token budget gives here")
    parser.add_argument("--compute-type", default=None, help="CTranslate2 compute type for (d) (default int8 on CPU)")
    parser.add_argument("--only", default="abcdeo", help="engines to run, e.g. --only cd")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of (b)-(e); the best is reported")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="timed runs of the slow baseline (a)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the model and conversion are kept")
    parser.add_argument("--json", type=Path, default=None, help="also write the results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--config", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.config)
        return

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from pipeline.settings import load_settings

    workdir = args.workdir or load_settings().cache_dir / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    model_dir, converted, build_s, convert_s = prepare(workdir, args.device)
    count, length = (8, 12) if args.quick else (32, 40)
    sentences = make_sentences(model_dir, count, 15, 60)
    cfg = {
        "model_dir": str(model_dir), "converted": str(converted), "cache": str(workdir / "cache"),
        "device": args.device, "threads": args.threads, "beam": 4, "length": length, "batch": args.batch,
        "ct2_batch": args.ct2_batch, "sentences": sentences, "repeat": args.repeat,
        "baseline_repeat": args.baseline_repeat,
        "compute_type": args.compute_type or ("int8" if args.device == "cpu" else "int8_float16"),
    }
    cfg_path = workdir / "bench-config.json"
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")

    import sentencepiece as spm

    counts = [len(spm.SentencePieceProcessor(model_file=str(model_dir / "source.spm")).encode(s)) + 1
              for s in sentences]
    print(f"model: random opus-mt-zh-en architecture at {model_dir} (built in {build_s:.1f} s; "
          f"CTranslate2 int8 conversion {convert_s:.1f} s, 0 when cached)")
    print(f"work: {count} sentences of {min(counts)}-{max(counts)} tokens (mean {sum(counts) / count:.1f}), "
          f"beam 4, output forced to {length} tokens, device {args.device}, threads {args.threads or 'all'}, "
          f"cores {os.cpu_count()}")
    print(f"{'':2} {'engine (best of runs)':42} {'runs':>4} {'seconds':>8} {'sent/s':>8} {'vs a':>7} "
          f"{'peak RSS':>9}  check")
    results: dict[str, dict] = {}
    for name in args.only:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", name, "--config", str(cfg_path)],
            capture_output=True, text=True, check=False,  # a failed engine is reported, the others still run
        )
        lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
        if proc.returncode != 0 or not lines:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            print(f"{name:2} {ENGINES[name]:42} failed: {tail}")
            continue
        result = results[name] = json.loads(lines[-1][len("RESULT "):])
        if "skipped" in result:
            print(f"{name:2} {ENGINES[name]:42} skipped: {result['skipped']}")
            continue
        result["sent_per_s"] = count / result["seconds"]
        base = results.get("a", {}).get("sent_per_s")
        ratio = f"{result['sent_per_s'] / base:6.1f}x" if base else f"{'-':>7}"
        print(f"{name:2} {ENGINES[name]:42} {result['runs']:4} {result['seconds']:8.2f} "
              f"{result['sent_per_s']:8.2f} {ratio} "
              f"{result['peak_rss_mb']:7.0f} MB  {'ok' if result['check'] else 'CHECK FAILED'}")
        if "first_run_seconds" in result:
            print(f"{'':2} {'  (first run, model + guards + TM writes)':42} {1:4} {result['first_run_seconds']:8.2f} "
                  f"{count / result['first_run_seconds']:8.2f}   "
                  f"2nd run {result['first_run_seconds'] / result['seconds']:.0f}x faster")
    if "seconds" in results.get("o", {}):
        o = results["o"]
        print(f"pipeline overhead over the bare CTranslate2 engine, alternated runs: best {o['seconds']:.2f} s vs "
              f"{o['direct_seconds']:.2f} s ({(o['seconds'] / o['direct_seconds'] - 1) * 100:+.1f}%), "
              f"median of paired ratios {(o['median_ratio'] - 1) * 100:+.1f}%")
    elif "c" in results and "d" in results and "seconds" in results["c"] and "seconds" in results["d"]:
        overhead = results["c"]["seconds"] / results["d"]["seconds"] - 1
        print(f"pipeline overhead over the bare CTranslate2 engine (c vs d): {overhead * 100:+.1f}%")
    if args.json:
        args.json.write_text(json.dumps({"config": {k: v for k, v in cfg.items() if k != "sentences"},
                                         "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
