"""Figures that differ between two runs of ``brief figures --json`` on the same article (before/after a change).

Usage: python scripts/diff_figures.py BEFORE.json AFTER.json

A figure is keyed by its span; one line per span whose kind, value, unit or softness changed, or that is new
or gone, with its 1-based line.
"""

from __future__ import annotations

import json
import sys


def _key(f: dict) -> tuple:
    return f["kind"], json.dumps(f["value"], ensure_ascii=False), f["unit"], f["soft"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    before, after = ({(f["start"], f["end"]): f for f in json.load(open(p, encoding="utf-8"))} for p in argv)
    changed = 0
    for span in sorted(set(before) | set(after)):
        b, a = before.get(span), after.get(span)
        if b and a and _key(b) == _key(a):
            continue
        changed += 1
        f = a or b
        show = [(x["kind"], x["value"], x["unit"], "soft" if x["soft"] else "hard") if x else "-" for x in (b, a)]
        print(f"line {f['line']:>4}  {f['text']!r:<16} {show[0]} -> {show[1]}")
    print(f"{changed} of {len(after)} figures changed ({len(before)} before)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
