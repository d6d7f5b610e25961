"""Evaluate the figure checker on the development set, next to a naive digit-string comparison.

Usage: python scripts/eval_figcheck.py [--dev PATH] [--all PATH] [--show TYPE] [--limit N]

Reports, for ``brief check``'s checker and for the naive baseline (what CheckMate/Xbench do: compare the
digit strings of source and translation):
- false alarms on clean references whose source has a figure (figcheck-dev.tsv, ``en_clean``);
- false alarms on segments with no figure (wmt18-zh-en.tsv rows whose id is not in the dev set);
- detection rate per perturbation type, counted where the clean reference was not flagged.
``--show clean`` / ``--show nofig`` / ``--show digit`` (etc.) prints the failures of that group.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.figures import check
from pipeline.figures.numbers import normalise_digits

DATA = ROOT.parent / "shared" / "data"
TYPES = ("digit", "scale", "drop", "word", "insert")
_DIGITS = regex.compile(r"\d+(?:[.,]\d+)*")


def read_tsv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def naive_flags(source: str, target: str) -> bool:
    """The digit-string check of translators' QA tools: the multisets of digit strings must be equal."""
    def numbers(text: str) -> Counter:
        return Counter(n.replace(",", "") for n in _DIGITS.findall(normalise_digits(text)))
    return numbers(source) != numbers(target)


def ours_flags(source: str, target: str) -> bool:
    return not check(source, target).ok


def evaluate(flagger, dev: list[dict], nofig: list[dict]) -> dict:
    clean_flag = {r["id"]: flagger(r["zh"], r["en_clean"]) for r in dev}
    nofig_flag = {r["id"]: flagger(r["zh"], r["en"]) for r in nofig}
    per_type: dict[str, list[int]] = {t: [0, 0] for t in TYPES}
    missed: dict[str, list[dict]] = {t: [] for t in TYPES}
    for r in dev:
        t = r["perturbation_type"]
        if clean_flag[r["id"]]:
            continue
        per_type[t][1] += 1
        if flagger(r["zh"], r["en_perturbed"]):
            per_type[t][0] += 1
        else:
            missed[t].append(r)
    # Drops of a number the English spells out ("two", "four"): the note names what was dropped.
    spelled = [r for r in dev if r["perturbation_type"] == "drop" and not clean_flag[r["id"]]
               and not _DIGITS.search(r["note"].partition("->")[0])]
    spelled_hit = sum(r not in missed["drop"] for r in spelled)
    return {"clean": clean_flag, "nofig": nofig_flag, "per_type": per_type, "missed": missed,
            "spelled_drop": (spelled_hit, len(spelled))}


def report(name: str, result: dict) -> None:
    clean = result["clean"]
    nofig = result["nofig"]
    print(f"== {name}")
    print(f"  false alarms, clean references with figures: {sum(clean.values())}/{len(clean)} "
          f"= {sum(clean.values()) / len(clean):.1%}   (target <= 10%)")
    print(f"  false alarms, segments without figures:      {sum(nofig.values())}/{len(nofig)} "
          f"= {sum(nofig.values()) / max(1, len(nofig)):.1%}   (target <= 1%)")
    for t in TYPES:
        hit, n = result["per_type"][t]
        print(f"  detected {t:<7} {hit:>4}/{n:<4} = {hit / max(1, n):.1%}   (target >= 98%)")
    hit, n = result["spelled_drop"]
    print(f"  detected drop of a spelled-out English number {hit}/{n} = {hit / max(1, n):.1%}   (target >= 95%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DATA / "figcheck-dev.tsv")
    parser.add_argument("--all", type=Path, default=DATA / "wmt18-zh-en.tsv")
    parser.add_argument("--show", choices=("clean", "nofig") + TYPES, help="print the failures of one group")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    dev = read_tsv(args.dev)
    dev_ids = {r["id"] for r in dev}
    nofig = [r for r in read_tsv(args.all) if r["id"] not in dev_ids]
    t0 = time.perf_counter()
    ours = evaluate(ours_flags, dev, nofig)
    elapsed = time.perf_counter() - t0
    report("brief check (pipeline.figures.check)", ours)
    print(f"  ({elapsed:.1f} s for {len(dev) * 2 + len(nofig)} checks)")
    if not args.no_baseline:
        report("naive digit-string comparison (CheckMate/Xbench style)", evaluate(naive_flags, dev, nofig))
    if args.show:
        if args.show == "clean":
            rows = [(r["zh"], r["en_clean"], "") for r in dev if ours["clean"][r["id"]]]
        elif args.show == "nofig":
            rows = [(r["zh"], r["en"], "") for r in nofig if ours["nofig"][r["id"]]]
        else:
            rows = [(r["zh"], r["en_perturbed"], r["note"]) for r in ours["missed"][args.show]]
        print(f"\n== {args.show}: {len(rows)} failures")
        for zh, en, note in rows[:args.limit]:
            result = check(zh, en)
            print(f"- {note}\n  ZH {zh}\n  EN {en}")
            for i in result.issues:
                print(f"     {i.type}: {i.message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
