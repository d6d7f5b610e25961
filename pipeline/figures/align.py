"""Sentence alignment of a Chinese document and its English translation, by figures and positions.

reads: two texts; gives: aligned groups of source and target sentences (1-1, 1-2, 2-1, and 1-0 / 0-1 for
sentences with no counterpart), so that a whole translation can be checked without ``--aligned``.

Translators keep paragraphs far more often than sentences. When both texts have the same number of
non-empty lines and pairing line k with line k costs about what the free alignment of all sentences costs,
sentences are aligned within each pair of lines; otherwise the sentences of the whole documents are
aligned. The alignment is a monotone dynamic programme (as Gale and Church's) whose cost adds a length
term (English runs about ``ratio`` times the Chinese length) and a figure term:
sentences sharing figure values attract, a figure left without a partner repels.
"""

from __future__ import annotations

import math
from array import array
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
# A one-to-one pairing of paragraphs is kept when it costs at most this much per line (and at least
# PAIRING_SLACK_MIN) more than the free alignment, and the free alignment pairs at least this share of
# sentences with English from the paragraph of the same rank. On the dev documents kept line for line,
# the pairing costs up to 3.6 more (12 lines), with agreement of 0.82 or more; with one line added and
# one left out, agreement is 0.58 at the median.
PAIRING_SLACK = 0.35
PAIRING_SLACK_MIN = 2.0
PAIRING_AGREEMENT = 0.8
# The groups a step of the alignment makes: (source sentences, target sentences).
STEPS = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (1, 3), (3, 1), (2, 2))
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


def align_document_pair(source: str, target: str) -> tuple[list[Group], bool]:
    """The aligned groups, and whether the paragraphs correspond one to one (line k translates line k).

    Equal numbers of non-empty lines are no proof: an English file with one extra line (a photo credit)
    and one paragraph left out has as many lines as its source. The paragraph pairing is kept only when
    it costs little more than the free alignment of all sentences (``PAIRING_SLACK`` per line) and the free
    alignment itself mostly pairs a sentence of line k with English of line k (``PAIRING_AGREEMENT``).
    """
    s_lines = sentence_units(source, chinese=True)
    t_lines = sentence_units(target, chinese=False)
    ratio = _length_ratio(s_lines, t_lines)
    groups, cost = align_with_cost([u for line in s_lines for u in line], [u for line in t_lines for u in line],
                                   ratio)
    if s_lines and len(s_lines) == len(t_lines):
        paired: list[Group] = []
        paired_cost = 0.0
        for s_units, t_units in zip(s_lines, t_lines):
            g, c = align_with_cost(s_units, t_units, ratio)
            paired.extend(g)
            paired_cost += c
        slack = max(PAIRING_SLACK_MIN, PAIRING_SLACK * len(s_lines))
        if paired_cost <= cost + slack and _line_agreement(groups, s_lines, t_lines) >= PAIRING_AGREEMENT:
            return paired, True
    return groups, False


def _line_agreement(groups: list[Group], s_lines: list[list[Unit]], t_lines: list[list[Unit]]) -> float:
    """The share of aligned source sentences whose group holds English from the paragraph of the same rank."""
    s_rank = {id(u): k for k, line in enumerate(s_lines) for u in line}
    t_rank = {id(u): k for k, line in enumerate(t_lines) for u in line}
    agree = total = 0
    for g in groups:
        if g.source and g.target:
            ranks = {t_rank[id(u)] for u in g.target}
            agree += sum(s_rank[id(u)] in ranks for u in g.source)
            total += len(g.source)
    return agree / total if total else 0.0


def _length_ratio(s_lines: list[list[Unit]], t_lines: list[list[Unit]]) -> float:
    s_len = sum(len(u.text) for line in s_lines for u in line)
    t_len = sum(len(u.text) for line in t_lines for u in line)
    return t_len / s_len if s_len and t_len else 3.0


def align_with_cost(source: list[Unit], target: list[Unit], ratio: float = 3.0) -> tuple[list[Group], float]:
    """Monotone alignment of two sentence lists: the groups in order and their cost (lower is better).

    Only a band around the proportional diagonal is searched and stored (row i keeps columns
    ``lo[i]..hi[i]``), so memory grows with the number of sentences, not with its square.
    """
    n, m = len(source), len(target)
    if n == 0 or m == 0:
        groups = [Group([u], []) for u in source] + [Group([], [u]) for u in target]
        return groups, sum(_skip_cost(atoms_of_unit(u, "source")) for u in source) \
            + sum(_skip_cost(atoms_of_unit(u, "target")) for u in target)
    # The band follows the proportional diagonal, so it only needs room for local drift.
    band = max(BAND_MIN, min(BAND_MAX, max(n, m) // 20))
    group_cost = _GroupCost(source, target, ratio)
    inf = float("inf")
    lo = [max(0, int(i * m / n) - band) for i in range(n + 1)]
    hi = [min(m, int(i * m / n) + band) for i in range(n + 1)]
    # Per row: the costs (8 bytes a cell) and the step that reached each cell (1 byte, 0 for none).
    cost = [array("d", [inf]) * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    back = [bytearray(hi[i] - lo[i] + 1) for i in range(n + 1)]
    cost[0][0] = 0.0
    steps = STEPS
    for i in range(n + 1):
        row = cost[i]
        for j in range(lo[i], hi[i] + 1):
            here = row[j - lo[i]]
            if here == inf:
                continue
            for step, (di, dj) in enumerate(steps, 1):
                ni, nj = i + di, j + dj
                if ni > n or nj > m or not lo[ni] <= nj <= hi[ni]:
                    continue  # outside the band: a cell that would never be extended
                c = here + group_cost(i, ni, j, nj)
                k = nj - lo[ni]
                if c < cost[ni][k]:
                    cost[ni][k] = c
                    back[ni][k] = step
    total = cost[n][m - lo[n]]
    groups = []
    i, j = n, m
    while (i, j) != (0, 0):
        step = back[i][j - lo[i]]
        if not step:  # unreachable within the band: fall back to pairing what is left in order
            break
        pi, pj = i - steps[step - 1][0], j - steps[step - 1][1]
        groups.append(Group(source[pi:i], target[pj:j]))
        i, j = pi, pj
    groups.reverse()
    if (i, j) != (0, 0):
        head = [Group([u], []) for u in source[:i]] + [Group([], [u]) for u in target[:j]]
        groups = head + groups
    return groups, total


def atoms_of_unit(unit: Unit, side: str) -> list:
    """The comparable atoms of a sentence's figures."""
    return [a for f in unit.figures for a in atoms_of(f, side=side)]


class _GroupCost:
    """The cost of aligning source[i0:i1] with target[j0:j1], from sums over the sentences computed once
    (the dynamic programme asks for it about 16 times per sentence times the band width)."""

    def __init__(self, source: list[Unit], target: list[Unit], ratio: float) -> None:
        self.ratio = ratio
        self.s_atoms = [atoms_of_unit(u, "source") for u in source]
        self.t_atoms = [atoms_of_unit(u, "target") for u in target]
        self.s_line = [u.line for u in source]
        self.t_line = [u.line for u in target]
        self.s_len = _prefix(len(u.text) for u in source)
        self.t_len = _prefix(len(u.text) for u in target)
        self.s_hard = _prefix(sum(a.hard for a in atoms) for atoms in self.s_atoms)
        self.t_hard = _prefix(sum(a.hard for a in atoms) for atoms in self.t_atoms)
        # The values of each sentence's atoms at 9 significant digits: two sentences whose sets are disjoint
        # share no figure, and most pairs the programme tries are such (the exact test is slow).
        self.s_keys = [_value_keys(atoms) for atoms in self.s_atoms]
        self.t_keys = [_value_keys(atoms) for atoms in self.t_atoms]

    def __call__(self, i0: int, i1: int, j0: int, j1: int) -> float:
        hard = self.s_hard[i1] - self.s_hard[i0] + self.t_hard[j1] - self.t_hard[j0]
        if i0 == i1 or j0 == j1:
            return SKIP_COST + FIGURE_PENALTY * hard
        s_len = self.s_len[i1] - self.s_len[i0]
        t_len = self.t_len[j1] - self.t_len[j0]
        c = abs(math.log((t_len + 10) / (self.ratio * s_len + 10)))
        size = i1 - i0 + j1 - j0
        if size > 2:
            c += MERGE_COST * (size - 2)
        # Paragraph ends are anchors: a group that runs across one, on either side, is suspect.
        c += LINE_CROSS_COST * ((self.s_line[i0] != self.s_line[i1 - 1]) + (self.t_line[j0] != self.t_line[j1 - 1]))
        shared = 0
        if any(not self.s_keys[a].isdisjoint(self.t_keys[b]) for a in range(i0, i1) for b in range(j0, j1)):
            ta = [a for k in range(j0, j1) for a in self.t_atoms[k]]
            used: set[int] = set()
            for a in (a for k in range(i0, i1) for a in self.s_atoms[k]):
                for k, b in enumerate(ta):
                    if k not in used and _values_match(a, b):
                        used.add(k)
                        shared += 1
                        break
            # A shared English atom no longer counts as left over; a soft one never did.
            hard -= sum(ta[k].hard for k in used)
        return c - FIGURE_REWARD * shared + FIGURE_PENALTY * max(0, hard - shared)


def _value_keys(atoms: list) -> frozenset[float]:
    return frozenset(float(f"{v:.9g}") for a in atoms for v in a.values)


def _prefix(values) -> list[int]:
    out = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _skip_cost(atoms: list) -> float:
    """The cost of a sentence left without a counterpart: a fixed price and one per hard figure in it."""
    return SKIP_COST + FIGURE_PENALTY * sum(a.hard for a in atoms)
