"""Sentence alignment of a Chinese document and its English translation, by figures and positions.

reads: two texts; gives: aligned groups of source and target sentences (1-1, 1-2, 2-1, and 1-0 / 0-1 for
sentences with no counterpart), so that a whole translation can be checked without ``--aligned``.

Translators keep paragraphs far more often than sentences. When both texts have the same number of
non-empty lines, lines are paired first and sentences aligned within each pair; otherwise the sentences of
the whole documents are aligned. The alignment is a monotone dynamic programme (as Gale and Church's)
whose cost adds a length term (English runs about ``ratio`` times the Chinese length) and a figure term:
sentences sharing figure values attract, a figure left without a partner repels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.figures.compare import _values_match, atoms_of
from pipeline.figures.en import extract_en
from pipeline.figures.model import Figure
from pipeline.figures.zh import extract_zh
from pipeline.segment import split_sentences

# Cost of leaving a sentence unaligned, and of merging two into one group (in length-cost units).
SKIP_COST = 2.5
MERGE_COST = 0.6
LINE_CROSS_COST = 1.0
# Reward per figure value shared by the two sides, penalty per hard figure left over.
FIGURE_REWARD = 1.5
FIGURE_PENALTY = 0.6
# Documents longer than this many sentences are aligned within a band around the diagonal.
BAND_MIN = 12
BAND_MAX = 40


@dataclass
class Unit:
    """A sentence: its text, the 1-based line it starts on and its offset in the document."""

    text: str
    line: int
    start: int
    figures: list[Figure]


@dataclass
class Group:
    """Aligned source and target sentences (either side may be empty)."""

    source: list[Unit]
    target: list[Unit]

    @property
    def line(self) -> int | None:
        """The 1-based source line the group starts on (the target's when there is no source)."""
        units = self.source or self.target
        return units[0].line if units else None


def sentence_units(text: str, *, chinese: bool) -> list[list[Unit]]:
    """The sentences of ``text``, per non-empty line, with their figures."""
    extract = extract_zh if chinese else extract_en
    lines: list[list[Unit]] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), 1):
        units = []
        for s, e in split_sentences(line):
            sentence = line[s:e]
            units.append(Unit(sentence, number, offset + s, extract(sentence)))
        if units:
            lines.append(units)
        offset += len(line) + 1
    return lines


def align_documents(source: str, target: str) -> list[Group]:
    """Align the sentences of Chinese ``source`` and English ``target``; groups come in source order."""
    s_lines = sentence_units(source, chinese=True)
    t_lines = sentence_units(target, chinese=False)
    ratio = _length_ratio(s_lines, t_lines)
    if s_lines and len(s_lines) == len(t_lines):
        groups: list[Group] = []
        for s_units, t_units in zip(s_lines, t_lines):
            groups.extend(align_units(s_units, t_units, ratio))
        return groups
    return align_units([u for line in s_lines for u in line], [u for line in t_lines for u in line], ratio)


def _length_ratio(s_lines: list[list[Unit]], t_lines: list[list[Unit]]) -> float:
    s_len = sum(len(u.text) for line in s_lines for u in line)
    t_len = sum(len(u.text) for line in t_lines for u in line)
    return t_len / s_len if s_len and t_len else 3.0


def align_units(source: list[Unit], target: list[Unit], ratio: float = 3.0) -> list[Group]:
    """Monotone alignment of two sentence lists; returns the groups in order."""
    n, m = len(source), len(target)
    if n == 0 or m == 0:
        return [Group([u], []) for u in source] + [Group([], [u]) for u in target]
    # The band follows the proportional diagonal, so it only needs room for local drift.
    band = max(BAND_MIN, min(BAND_MAX, max(n, m) // 20))
    s_atoms = [[a for f in u.figures for a in atoms_of(f, side="source")] for u in source]
    t_atoms = [[a for f in u.figures for a in atoms_of(f, side="target")] for u in target]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    steps = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (1, 3), (3, 1), (2, 2))
    for i in range(n + 1):
        centre = i * m / n
        lo, hi = max(0, int(centre) - band), min(m, int(centre) + band)
        for j in range(lo, hi + 1):
            here = cost[i][j]
            if here == inf:
                continue
            for di, dj in steps:
                ni, nj = i + di, j + dj
                if ni > n or nj > m:
                    continue
                c = here + _group_cost(source, target, s_atoms, t_atoms, i, ni, j, nj, ratio)
                if c < cost[ni][nj]:
                    cost[ni][nj] = c
                    back[ni][nj] = (i, j)
    groups = []
    i, j = n, m
    while (i, j) != (0, 0):
        prev = back[i][j]
        if prev is None:  # outside the band: fall back to pairing what is left in order
            break
        pi, pj = prev
        groups.append(Group(source[pi:i], target[pj:j]))
        i, j = pi, pj
    groups.reverse()
    if (i, j) != (0, 0):
        head = [Group([u], []) for u in source[:i]] + [Group([], [u]) for u in target[:j]]
        groups = head + groups
    return groups


def _group_cost(source, target, s_atoms, t_atoms, i0, i1, j0, j1, ratio) -> float:
    s_units, t_units = source[i0:i1], target[j0:j1]
    sa = [a for k in range(i0, i1) for a in s_atoms[k]]
    ta = [a for k in range(j0, j1) for a in t_atoms[k]]
    if not s_units or not t_units:
        return SKIP_COST + FIGURE_PENALTY * sum(a.hard for a in sa + ta)
    s_len = sum(len(u.text) for u in s_units)
    t_len = sum(len(u.text) for u in t_units)
    c = abs(math.log((t_len + 10) / (ratio * s_len + 10)))
    if len(s_units) + len(t_units) > 2:
        c += MERGE_COST * (len(s_units) + len(t_units) - 2)
    # Paragraph ends are anchors: a group that runs across one, on either side, is suspect.
    c += LINE_CROSS_COST * ((s_units[0].line != s_units[-1].line) + (t_units[0].line != t_units[-1].line))
    used: set[int] = set()
    shared = 0
    for a in sa:
        for k, b in enumerate(ta):
            if k not in used and _values_match(a, b):
                used.add(k)
                shared += 1
                break
    left = sum(a.hard for a in sa) + sum(b.hard for k, b in enumerate(ta) if k not in used) - shared
    return c - FIGURE_REWARD * shared + FIGURE_PENALTY * max(0, left)
