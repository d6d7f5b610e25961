"""Recall and precision of ``extract_zh`` against a gold figure list (such as the sample article's).

Usage: python scripts/eval_figures_gold.py [ARTICLE] [GOLD_JSON] [--verbose]

A gold figure is found when an extracted figure overlaps its span (offsets into the file's text as read by
``pipeline.textio.read_text``) with the same kind and value. An extracted figure is spurious when it
overlaps no gold figure at all.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.figures import extract_zh
from pipeline.figures.evaluation import score_against_gold
from pipeline.textio import read_text

DEFAULT_ARTICLE = ROOT.parent / "shared" / "corpus" / "guiyang-cppcc-2023.txt"


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    article = Path(args[0]) if args else DEFAULT_ARTICLE
    gold_path = Path(args[1]) if len(args) > 1 else article.with_suffix(".figures.json")
    text = read_text(article).text
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    figures = extract_zh(text)
    score = score_against_gold(figures, gold)
    by_kind_total = Counter(g["kind"] for g in gold)
    by_kind_found = Counter(g["kind"] for g in score["found"])
    print(f"article: {article}")
    print(f"gold figures: {len(gold)}   extracted: {len(figures)}")
    print(f"recall (right kind and value): {len(score['found'])}/{len(gold)} = {score['recall']:.1%}")
    print(f"spurious: {len(score['spurious'])}/{len(figures)} = {score['spurious_rate']:.1%}")
    for kind in sorted(by_kind_total):
        print(f"  {kind:<18} {by_kind_found[kind]:>3}/{by_kind_total[kind]:<3}")
    if verbose or score["missed"] or score["spurious"]:
        for g, why in score["missed"]:
            print(f"  MISSED  line {g.get('line')}: {g['text']!r} {g['kind']} {g['value']}  ({why})")
        for f in score["spurious"]:
            print(f"  SPURIOUS {f.text!r} {f.kind} {f.value} at {f.start}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
