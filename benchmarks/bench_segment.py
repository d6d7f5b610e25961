"""Segmenting is linear in input size: time `segment_text` on 1x, 10x and 100x the sample article, and on a
government work report pasted from a portal (page chrome, run-in headings) at 1x, 3x (about 50,000
characters) and 30x.

    python benchmarks/bench_segment.py [--repeat 3]

Prints characters, best-of-N seconds, characters per second and the time ratio to 1x; a linear stage
shows ratios near 10 and 100.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pipeline.segment import segment_text
from pipeline.textio import read_text

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
SAMPLE = FIXTURES / "guiyang-cppcc-2023.txt"
REPORT = FIXTURES / "shaanxi-gov-2026.txt"


def best_time(text: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        segment_text(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is reported")
    args = parser.parse_args()
    sample = read_text(SAMPLE).text
    base = None
    print(f"{'size':>5} {'chars':>9} {'seconds':>9} {'chars/s':>11} {'ratio':>7}")
    for factor in (1, 10, 100):
        text = "\n\n".join([sample] * factor)
        seconds = best_time(text, args.repeat)
        base = base or seconds
        print(f"{factor:>4}x {len(text):>9} {seconds:>9.4f} {len(text) / seconds:>11.0f} {seconds / base:>7.1f}")
    print("\na portal report with page chrome")
    report = read_text(REPORT).text
    base = None
    for factor in (1, 3, 30):
        text = "\n".join([report] * factor)
        seconds = best_time(text, args.repeat)
        base = base or seconds
        print(f"{factor:>4}x {len(text):>9} {seconds:>9.4f} {len(text) / seconds:>11.0f} {seconds / base:>7.1f}")
    # The worst case for joining: one paragraph hard-wrapped over thousands of lines.
    print("\none paragraph hard-wrapped over N lines")
    base = None
    for lines in (2000, 20000):
        text = "\n".join(["这是一行没有结束的文字，继续写下去"] * lines) + "。"
        seconds = best_time(text, args.repeat)
        base = base or seconds
        print(f"{lines:>6} lines {len(text):>9} chars {seconds:>9.4f} s {seconds / base:>7.1f}")


if __name__ == "__main__":
    main()
