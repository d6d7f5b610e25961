"""Evaluate document mode (``brief check`` without ``--aligned``) on documents built from the dev set.

Usage: python scripts/eval_align.py [--dev PATH] [--size N] [--per-paragraph K]

Consecutive dev segments make a document of N source lines; the translation puts K English segments in each
paragraph, so line counts differ and sentences must be aligned. For each document one segment's English is
replaced by its perturbed version. Reports: segments flagged on the clean documents (against aligned mode on
the same segments) and the share of perturbations found on the right source line.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.figures import check, check_documents


def _english(doc: list[dict], replace: int | None, per_paragraph: int) -> str:
    """The English of ``doc``, ``per_paragraph`` segments a line, segment ``replace`` perturbed."""
    texts = [r["en_perturbed"] if i == replace else r["en_clean"] for i, r in enumerate(doc)]
    return "\n".join(" ".join(texts[i:i + per_paragraph]) for i in range(0, len(texts), per_paragraph))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "figcheck-dev.tsv")
    parser.add_argument("--size", type=int, default=12)
    parser.add_argument("--per-paragraph", type=int, default=3)
    args = parser.parse_args(argv)
    with open(args.dev, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    docs = [rows[i:i + args.size] for i in range(0, len(rows) - args.size + 1, args.size)]
    clean_doc_flags = clean_aligned_flags = found = eligible = 0
    for d, doc in enumerate(docs):
        source = "\n".join(r["zh"] for r in doc)
        k = args.per_paragraph

        clean_lines = {s.line for s in check_documents(source, _english(doc, None, k)) if s.result.issues}
        clean_doc_flags += len(clean_lines)
        clean_aligned_flags += sum(1 for r in doc if not check(r["zh"], r["en_clean"]).ok)
        target = d % len(doc)
        perturbed_lines = {s.line for s in check_documents(source, _english(doc, target, k)) if s.result.issues}
        if target + 1 in clean_lines:
            continue  # as for aligned mode: count only where the clean translation was not flagged
        eligible += 1
        found += target + 1 in perturbed_lines
    n = sum(len(doc) for doc in docs)
    print(f"{len(docs)} documents of {args.size} lines, {args.per_paragraph} English segments per paragraph")
    print(f"clean documents: {clean_doc_flags} source lines flagged in document mode, "
          f"{clean_aligned_flags} of {n} segments flagged in aligned mode")
    print(f"perturbations found on the right line: {found}/{eligible} = {found / max(1, eligible):.1%} "
          "(where that line was not flagged in the clean document)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
