"""Time the pathological inputs of issue 13: a 5,000-digit run and a 200,000-character sentence; memory on /dev/zero.

Usage: PYTHONPATH=. python benchmarks/bench_bounded.py [--digits N] [--sentence-chars N] [--skip-slow]

Reports, each in seconds: ``brief figures`` on an article with an N-digit run (the library call
``extract_zh``), the figure check of that article against an English with the same run (``check``), the
translate stage on it (``translate_texts`` with a deterministic character-for-syllable fake translator,
then the figure stage), and the translate stage's glossary check on one sentence of N characters full of
glossary terms (``translate_texts`` with the same fake). Then the peak memory (max RSS) of ``brief
segment /dev/zero`` and ``brief figures /dev/zero`` in a child process, and the one line they print.
Run it from the tree to measure (``PYTHONPATH`` decides which ``pipeline`` is timed).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import regex
from pypinyin import lazy_pinyin

from pipeline.engine import Decoding


class SyllableFake:
    """Every Han character becomes its pinyin syllable, everything else passes: a translator that costs
    nothing, so the timings are the pipeline's own work."""

    model_id, revision, backend = "bench/syllable", "1", "fake"
    max_source_tokens = 10**9
    default_decoding = Decoding(beam_size=1)

    def count_tokens(self, texts):
        return [len(text) + 1 for text in texts]

    def translate_batch(self, texts, decoding):
        return [regex.sub(r"\s+", " ", regex.sub(r"\p{Han}", lambda m: f" {lazy_pinyin(m.group())[0]} ", t)).strip()
                for t in texts]


def timed(label: str, function) -> None:
    start = time.perf_counter()
    try:
        function()
        failed = ""
    except (ValueError, ArithmeticError) as e:  # the code before issue 13 crashed on some: say so, time it
        failed = f"  (failed: {type(e).__name__}: {str(e)[:60]})"
    print(f"{label:62s} {time.perf_counter() - start:8.2f} s{failed}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=5000)
    parser.add_argument("--sentence-chars", type=int, default=200_000)
    parser.add_argument("--skip-slow", action="store_true", help="only the digit run in figures and check")
    args = parser.parse_args(argv)

    from pipeline.figures.compare import check
    from pipeline.figures.zh import extract_zh
    from pipeline.run import RunContext, run_document
    from pipeline.terminology import default_glossary
    from pipeline.translate import TranslateOptions, translate_texts

    digits = "7" * args.digits
    zh = f"标题\n\n今年全市新增{digits}个项目，新建公园12个。\n"
    en = f"Title\n\nThe city added {digits} projects and built 12 parks this year.\n"
    timed(f"figures: extract_zh, {args.digits}-digit run", lambda: extract_zh(zh))
    timed(f"check: check(zh, en), {args.digits}-digit run on both sides", lambda: check(zh, en))
    options = TranslateOptions(glossary=default_glossary())
    if not args.skip_slow:
        context = RunContext(translator=SyllableFake(), options=options)
        timed(f"translate: run_document (translate, figures), {args.digits} digits",
              lambda: run_document(zh, context))
        phrase = "全国人民代表大会和中国人民政治协商会议的代表、政协委员与省委、市委的同志，"
        sentence = (phrase * (args.sentence_chars // len(phrase) + 1))[: args.sentence_chars - 1] + "。"
        timed(f"translate: one {len(sentence):,}-character sentence with glossary terms",
              lambda: translate_texts([sentence], SyllableFake(), options))

    for command in ("segment", "figures"):
        code = ("import resource, sys; from pipeline.cli import main\n"
                "try:\n    main([sys.argv[1], '/dev/zero'])\n"
                "except SystemExit as e:\n"
                "    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
                "    print(f'exit {e.code}; max RSS {rss:.0f} MB')")
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", code, command], capture_output=True, text=True, timeout=60,
                                  check=False)
            result = f"{done.stdout.strip()} | {done.stderr.strip()[:100]}"
        except subprocess.TimeoutExpired:
            result = "still reading after 60 s (killed)"
        print(f"brief {command} /dev/zero: {result} ({time.perf_counter() - start:.1f} s)", flush=True)
    print(f"(this process's max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
