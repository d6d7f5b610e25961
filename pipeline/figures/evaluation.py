"""Scoring the extractor against a gold figure list (used by the evaluation script and the tests)."""

from __future__ import annotations

from pipeline.figures.model import Figure


def _same_value(gold: object, found: object) -> bool:
    if gold is None or found is None:
        return gold is None and found is None
    if isinstance(gold, (list, tuple)) and isinstance(found, (list, tuple)):
        return len(gold) == len(found) and all(_same_value(a, b) for a, b in zip(gold, found))
    if isinstance(gold, (int, float)) and isinstance(found, (int, float)):
        return abs(gold - found) <= 1e-9 * max(1.0, abs(gold))
    return str(gold) == str(found)


def score_against_gold(figures: list[Figure], gold: list[dict]) -> dict:
    """Match extracted ``figures`` to ``gold`` entries (dicts with text, kind, value, start, end).

    A gold entry is found when an extracted figure overlaps its span with the same kind and value; an
    extracted figure overlapping no gold span is spurious. Returns found/missed/spurious lists and rates.
    """
    found, missed = [], []
    used: set[int] = set()
    for g in gold:
        overlapping = [i for i, f in enumerate(figures) if f.start < g["end"] and g["start"] < f.end]
        good = [i for i in overlapping if i not in used and figures[i].kind == g["kind"]
                and _same_value(g["value"], figures[i].value)]
        if good:
            used.add(good[0])
            found.append(g)
        else:
            got = ", ".join(f"{figures[i].text!r} {figures[i].kind} {figures[i].value}" for i in overlapping)
            missed.append((g, f"got {got}" if got else "not found"))
    spurious = [f for f in figures if not any(f.start < g["end"] and g["start"] < f.end for g in gold)]
    return {"found": found, "missed": missed, "spurious": spurious,
            "recall": len(found) / len(gold) if gold else 1.0,
            "spurious_rate": len(spurious) / len(figures) if figures else 0.0}
