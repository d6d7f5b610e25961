"""Score `brief segment --json` on every article of a structure corpus against its gold file.

Usage: python scripts/eval_structure.py [CORPUS_DIR] [--verbose]

CORPUS_DIR holds NAME.txt and NAME.structure.json pairs (default: the copies in tests/fixtures; the
development corpus is shared/corpus). Scores with the corpus scorer (score_structure.py, the copy in
tests/fixtures), one line per article and the total; --verbose also prints each mismatch.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.segment import document_to_json, segment_file

FIXTURES = ROOT / "tests" / "fixtures"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score_structure", FIXTURES / "score_structure.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else FIXTURES
    golds = sorted(corpus.glob("*.structure.json"))
    if not golds:
        print(f"eval_structure: no NAME.structure.json files in {corpus}", file=sys.stderr)
        return 2
    scorer = load_scorer()
    matched = total = 0
    for gold_path in golds:
        name = gold_path.name.removesuffix(".structure.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        output = document_to_json(segment_file(corpus / f"{name}.txt"))
        ok, items, mismatches = scorer.score(gold, output)
        matched, total = matched + ok, total + items
        print(f"{name:40} {ok:4}/{items}")
        if verbose:
            print("".join(f"    {line}\n" for line in mismatches), end="")
    print(f"{'all':40} {matched:4}/{total}")
    return 0 if matched == total else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
