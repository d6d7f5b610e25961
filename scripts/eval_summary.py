"""Score the extractive sentence choice on the LCSTS development set, next to the first sentence and TextRank.

Usage: python scripts/eval_summary.py [--data PATH] [--show N]

Protocol (../shared/data/README.md): for each post, pick the one sentence of ``text`` that best summarises it
and score it with character-level ROUGE-1/2/L F1 (x100) against the human ``summary``, tokenised by character
(whitespace dropped). Sentences are split as the product splits them (``pipeline.segment.split_sentences``).
Rows: the first sentence, TextRank over sentences (PageRank on word-overlap similarity, Mihalcea & Tarau 2004,
characters as words), the summarize stage's choice (``pipeline.summarize.best_sentence``, settings from
models/extractive.toml), and the best single sentence (the oracle, an upper bound). The README's reference
points on this half: first sentence 21.3, TextRank 22.0, oracle 30.7 (ROUGE-L).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.segment import split_sentences
from pipeline.summarize import SummaryOptions, rank_sentences

DATA = ROOT.parent / "shared" / "data" / "lcsts-dev.tsv"


def characters(text: str) -> list[str]:
    return [c for c in text if not c.isspace()]


def lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def f1(overlap: float, candidate: int, reference: int) -> float:
    if not overlap:
        return 0.0
    precision, recall = overlap / candidate, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge(candidate: str, reference: str) -> dict[str, float]:
    """Character ROUGE-1, -2 and -L F1 of ``candidate`` against ``reference``."""
    c, r = characters(candidate), characters(reference)
    scores = {}
    for n in (1, 2):
        cn = Counter(tuple(c[i:i + n]) for i in range(len(c) - n + 1))
        rn = Counter(tuple(r[i:i + n]) for i in range(len(r) - n + 1))
        scores[f"rouge{n}"] = f1(sum((cn & rn).values()), sum(cn.values()), sum(rn.values()))
    scores["rougeL"] = f1(lcs_length(c, r), len(c), len(r))
    return scores


def textrank(sentences: list[str], damping: float = 0.85, iterations: int = 50) -> int:
    """Index of the top TextRank sentence: PageRank over overlap / (log|a| + log|b|) similarities."""
    sets = [Counter(characters(s)) for s in sentences]
    n = len(sentences)
    weights = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i != j and len(sets[i]) > 1 and len(sets[j]) > 1:
                common = sum((sets[i] & sets[j]).values())
                weights[i][j] = common / (math.log(sum(sets[i].values())) + math.log(sum(sets[j].values())))
    out_sums = [sum(row) for row in weights]
    rank = [1.0] * n
    for _ in range(iterations):
        rank = [(1 - damping) + damping * sum(weights[j][i] / out_sums[j] * rank[j]
                                              for j in range(n) if out_sums[j]) for i in range(n)]
    return max(range(n), key=lambda i: (rank[i], -i))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", type=int, default=0, help="print the first N posts where the choice is not first")
    args = parser.parse_args()
    with open(args.data, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    weights = SummaryOptions().rank
    totals: dict[str, Counter] = {name: Counter() for name in ("first sentence", "TextRank", "summarize", "oracle")}
    shown = 0
    started = time.perf_counter()
    for row in rows:
        sentences = [row["text"][a:b] for a, b in split_sentences(row["text"])]
        scores = rank_sentences(sentences, weights)
        chosen = max(range(len(sentences)), key=lambda i: (scores[i], -i))
        per_sentence = [rouge(s, row["summary"]) for s in sentences]
        picks = {"first sentence": 0, "TextRank": textrank(sentences), "summarize": chosen,
                 "oracle": max(range(len(sentences)), key=lambda i: per_sentence[i]["rougeL"])}
        for name, index in picks.items():
            totals[name].update(per_sentence[index])
        if shown < args.show and chosen != 0:
            shown += 1
            print(f"{row['id']}: {row['summary']}\n  first: {sentences[0]}\n  chosen: {sentences[chosen]}\n")
    seconds = time.perf_counter() - started
    print(f"LCSTS dev ({len(rows)} posts), character ROUGE F1 x100")
    print(f"{'':16} {'R-1':>6} {'R-2':>6} {'R-L':>6}")
    for name, total in totals.items():
        print(f"{name:16} " + " ".join(f"{100 * total[k] / len(rows):6.1f}" for k in ("rouge1", "rouge2", "rougeL")))
    print(f"reference points (README, R-L): first sentence 21.3, TextRank 22.0, oracle 30.7; {seconds:.1f} s")


if __name__ == "__main__":
    main()
