"""Checking a translation's figures against its source: the verdicts of the figure checker.

reads: a Chinese source segment and its English translation; gives: a ``CheckResult`` with hard issues
(missing, mismatch, unsupported) and warnings (approx_lost).

Figures are compared by value, not by how they are written: 10万 = 100,000 = "100 thousand"; 90亿 = 9
billion; 两成 = 20%; 2024年1月17日 = January 17, 2024. A compound figure (a date, a time, a range, 十三届二次
会议) is broken into atoms (year, month, day; hour, minute; low, high; term, session) so that a dropped
day or a changed year is found even when the rest of the date is right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import regex

from pipeline.figures.en import extract_en
from pipeline.figures.model import CheckResult, Figure, Issue
from pipeline.figures.numbers import CN_DIGITS, parse_zh_number
from pipeline.figures.zh import extract_zh


@cache
def _rx(pattern: str, flags: int = 0) -> regex.Pattern:
    """A compiled pattern, cached: the patterns built inside functions are compiled once."""
    return regex.compile(pattern, flags)


# Chinese characters that make a small English number plausible even where no figure was extracted:
# 两岸 -> "the two sides", 三友 -> "three friends", 首次 -> "the first time", 双方 -> "the two sides".
LEXICAL_SUPPORT = {0: "零〇无", 1: "一壹首头单独", 2: "二两双俩贰对", 3: "三叁仨", 4: "四", 5: "五", 6: "六", 7: "七",
                   8: "八", 9: "九", 10: "十", 100: "百", 1000: "千", 10000: "万"}
# Ordinals in English often render words that are not numerals: 次席 -> "second", 亚军 -> "runner-up/second".
ORDINAL_SUPPORT = {1: ("首", "初", "头", "冠", "先"), 2: ("次席", "亚军", "其次", "再次", "第二", "下半", "后半"),
                   3: ("季军",)}
# Rounding a translator may do ("13.21万亿" -> "13.2 trillion") stays within this relative difference.
ROUNDING_TOLERANCE = 0.05


_NUMERAL = frozenset("零〇一二两三四五六七八九十百千万亿0123456789")
_CODE_KEY = regex.compile(r"[A-Za-z]+")


def _code_issues(source_figures: list[Figure], target: str) -> list[tuple[str, str | None]]:
    """Codes and model names must be copied as written: HMX-1 in the source, HMX-8 in the translation.

    Returns (source code, translation code or None) for each source code whose letters appear in the
    translation without its digits.
    """
    flat = regex.sub(r"[\s\-‑–]", "", target).upper()
    out = []
    for f in source_figures:
        if f.kind != "numeric_name" or not regex.search(r"[A-Za-z]", f.text) or not regex.search(r"\d", f.text):
            continue
        code = regex.sub(r"[\s\-‑–]", "", f.text).upper()
        if code in flat:
            continue
        letters = max(_CODE_KEY.findall(f.text), key=len)
        found = regex.search(rf"\b{regex.escape(letters)}[\s\-‑–]*\w*", target, regex.IGNORECASE)
        if len(letters) >= 2 and found:
            out.append((f.text, found.group()))
    return out


# Units a source and a translation must agree on, by family. Keys are the units the Chinese extractor
# gives (its English names, or the Chinese unit where it has none); values are (family, member).
SOURCE_UNITS = {
    "yuan": ("currency", "yuan"), "人民币": ("currency", "yuan"), "块": ("currency", "yuan"),
    "块钱": ("currency", "yuan"), "US dollars": ("currency", "US dollars"), "euros": ("currency", "euros"),
    "pounds": ("currency", "pounds"), "yen": ("currency", "yen"), "港元": ("currency", "Hong Kong dollars"),
    "韩元": ("currency", "won"), "卢布": ("currency", "roubles"),
    "km": ("length", "kilometres"), "m": ("length", "metres"), "英里": ("length", "miles"),
    "厘米": ("length", "centimetres"), "毫米": ("length", "millimetres"),
    "km2": ("area", "square kilometres"), "平方千米": ("area", "square kilometres"),
    "m2": ("area", "square metres"), "hectares": ("area", "hectares"), "mu": ("area", "mu"),
    "kg": ("mass", "kilograms"), "tonnes": ("mass", "tonnes"), "克": ("mass", "grams"), "斤": ("mass", "jin"),
}
# English units written next to a number (before it for currency signs, after it for words). A bare "$" or
# "dollars" is left out: Taiwanese and Hong Kong 元 are dollars, so only "US dollars" conflicts with 元.
_EN_UNIT_AFTER = regex.compile(
    r"[\s-]*(?:(?P<usd>(?:US|U\.S\.|American)\s*dollars?)|(?P<hkd>(?:Hong\s+Kong|HK)\s*dollars?)"
    r"|(?P<yuan>yuan|renminbi|RMB)|(?P<euros>euros?)|(?P<yen>yen)|(?P<won>won)|(?P<roubles>r(?:o)?ubles?)"
    r"|(?P<sqkm>(?:square|sq\.?)\s*(?:kilomet(?:re|er)s?|km))|(?P<sqmi>(?:square|sq\.?)\s*miles?)"
    r"|(?P<sqm>(?:square|sq\.?)\s*(?:met(?:re|er)s?|m)|m2|m²)|(?P<km2>km2|km²)|(?P<ha>hectares?|ha)"
    r"|(?P<acres>acres?)|(?P<km>kilomet(?:re|er)s?|km)|(?P<mi>miles?)|(?P<metres>met(?:re|er)s?)"
    r"|(?P<cm>centimet(?:re|er)s?|cm)|(?P<mm>millimet(?:re|er)s?|mm)|(?P<kg>kilo(?:gram)?s?|kg)"
    r"|(?P<tonnes>(?:metric\s+)?tonn?e?s)|(?P<lb>lbs?)|(?P<grams>grams?|g))\b", regex.IGNORECASE)
_EN_UNIT_NAMES = {"usd": ("currency", "US dollars"), "hkd": ("currency", "Hong Kong dollars"),
                  "yuan": ("currency", "yuan"), "euros": ("currency", "euros"), "yen": ("currency", "yen"),
                  "won": ("currency", "won"), "roubles": ("currency", "roubles"),
                  "sqkm": ("area", "square kilometres"), "km2": ("area", "square kilometres"),
                  "sqmi": ("area", "square miles"), "sqm": ("area", "square metres"), "ha": ("area", "hectares"),
                  "acres": ("area", "acres"), "km": ("length", "kilometres"), "mi": ("length", "miles"),
                  "metres": ("length", "metres"), "cm": ("length", "centimetres"),
                  "mm": ("length", "millimetres"), "kg": ("mass", "kilograms"), "tonnes": ("mass", "tonnes"),
                  "lb": ("mass", "pounds"), "grams": ("mass", "grams")}
_EN_SIGNS = {"US$": ("currency", "US dollars"), "USD": ("currency", "US dollars"),
             "HK$": ("currency", "Hong Kong dollars"), "HKD": ("currency", "Hong Kong dollars"),
             "€": ("currency", "euros"), "EUR": ("currency", "euros"), "£": ("currency", "pounds"),
             "GBP": ("currency", "pounds"), "JPY": ("currency", "yen"), "RMB": ("currency", "yuan"),
             "Rmb": ("currency", "yuan"), "CNY": ("currency", "yuan"), "KRW": ("currency", "won"),
             "RUB": ("currency", "roubles"), "km": ("length", "kilometres"), "m": ("length", "metres"),
             "cm": ("length", "centimetres"), "mm": ("length", "millimetres"), "kg": ("mass", "kilograms"),
             "t": ("mass", "tonnes"), "g": ("mass", "grams"), "ha": ("area", "hectares")}


def target_unit(target: str, figure: Figure) -> tuple[str, str] | None:
    """The (family, member) of the unit an English figure states, or ``None`` when it states none we know."""
    if figure.unit in _EN_SIGNS:
        return _EN_SIGNS[figure.unit]
    m = _EN_UNIT_AFTER.match(target, figure.end)
    if m:
        return _EN_UNIT_NAMES[m.lastgroup]
    return None


def _unit_conflict(s_fig: Figure, t_fig: Figure, target: str) -> tuple[str, str] | None:
    """(source unit, English unit) when both name a unit of one family and not the same one: 90亿美元 and
    "9 billion yuan", 30公里 and "30 miles". A unit the English leaves out is no conflict."""
    if s_fig.kind not in ("quantity", "range") or t_fig.kind not in ("quantity", "range"):
        return None
    s_unit = SOURCE_UNITS.get(s_fig.unit or "")
    t_unit = target_unit(target, t_fig)
    if s_unit and t_unit and s_unit[0] == t_unit[0] and s_unit[1] != t_unit[1]:
        return s_unit[1], t_unit[1]
    return None


@dataclass
class Atom:
    """One number inside a figure: its comparison family, acceptable values and whether it is hard."""

    family: str  # "num", "pct", "month" (of a date) or "months" (a range of months)
    values: tuple[float, ...]
    figure: Figure
    role: str  # "value", "year", "month", "day", "hour", "minute", "low", "high", "part"
    hard: bool
    index: int = 0
    # The hours on a 24-hour clock a time may be (7 a.m. is (7,); 七点 and "7 o'clock" are (7, 19)). Two
    # clock times agree when these meet; against a plain number, ``values`` (which add 12-hour forms) count.
    clock: tuple[float, ...] = ()


def atoms_of(figure: Figure, *, side: str) -> list[Atom]:
    """Break ``figure`` into comparable atoms; ``side`` is "source" or "target" (hardness rules differ)."""
    hard = not figure.soft
    if side == "source" and figure.written == "words" and figure.value == 1 and figure.kind in ("quantity", "ordinal"):
        hard = False  # 一 is often "a", "the", or nothing at all in English
    kind, value = figure.kind, figure.value
    if kind == "numeric_name" and figure.unit == "model":
        return [Atom("num", (float(value),), figure, "value", hard)]  # 米格-29: the number names the model
    if kind == "numeric_name" or value is None:
        # The numbers inside a slogan (双12, "3+1", 四同) may appear in the translation: soft atoms.
        return [Atom("num", (v,), figure, "part", False) for v in _numbers_in_name(figure.text)]
    if kind == "quantity" and figure.unit == "fraction":
        return [Atom("num", (float(value),), figure, "value", hard)] + [
            Atom("num", (float(p.value),), figure, "part", False) for p in figure.parts]
    if kind in ("quantity", "multiple", "year", "decade", "ordinal"):
        if figure.parts:
            return [a for p in figure.parts for a in atoms_of(p, side=side)]
        v = float(value)
        # "won by 42 points" may be a score or percentage points: it compares with either.
        family = "any" if figure.unit == "points" and side == "target" else "num"
        return [Atom(family, (v, *figure.alternatives), figure, "value", hard)]
    if kind in ("percent", "percentage_points"):
        return [Atom("pct", (float(value),), figure, "value", hard)]
    if kind == "range":
        # 1-11月 and "January to November" are months: they count as numbers ("the first 11 months") and as
        # the months of dates (2017年1月至10月).
        family = "pct" if figure.unit in ("%", "percent") else "months" if figure.unit == "months" else "num"
        # 1-9月 is "the first nine months": the 1 is rarely written out.
        low_hard = hard and not (figure.unit == "months" and value[0] == 1) \
            and not (side == "source" and figure.written == "words" and value[0] == 1)  # 一两年 "a year or two"
        return [Atom(family, (float(value[0]),), figure, "low", low_hard),
                Atom(family, (float(value[1]),), figure, "high", hard)]
    if kind == "date":
        return _date_atoms(figure, str(value), hard, side)
    if kind == "time":
        h, mi = (int(x) for x in str(value).split(":"))
        clock = (float(h), *figure.alternatives)
        hours = {float(h), float(h % 12 or 12)} | {float(a % 12 or 12) for a in figure.alternatives} | set(clock)
        out = [Atom("num", tuple(sorted(hours)), figure, "hour", hard, clock=clock)]
        if mi:
            out.append(Atom("num", (float(mi),), figure, "minute", hard))
        return out
    return []


def _numbers_in_name(text: str) -> list[float]:
    out = [float(d) for d in regex.findall(r"\d+", text)]
    for run in regex.findall(r"[零〇一二三四五六七八九十两百千]+", text):
        v = parse_zh_number(run)
        if v is not None:
            out.append(v)
        if len(run) > 1:  # 八一 is "August 1st": each numeral may stand alone in the English
            out.extend(float(CN_DIGITS[c]) for c in run if c in CN_DIGITS)
    return out


def _date_atoms(figure: Figure, value: str, hard: bool, side: str) -> list[Atom]:
    m = _rx(r"(\d{4}|-)-(\d{2}|-)?(?:-(\d{2}))?").fullmatch(value)
    if not m:
        return []
    out = []
    if m.group(1) != "-":
        out.append(Atom("num", (float(m.group(1)),), figure, "year", hard))
    # 元旦 is January 1 but is rendered "New Year's Day": its month and day are soft.
    holiday = "元旦" in figure.text
    if m.group(2) and m.group(2) != "-":
        # An English month name is never reported as unsupported: "on the 2nd" becomes "on November 2".
        out.append(Atom("month", (float(m.group(2)),), figure, "month",
                        hard and not holiday and side == "source"))
    if m.group(3):
        out.append(Atom("num", (float(m.group(3)),), figure, "day", hard and not holiday))
    return out


def _equal(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _precision(figure: Figure) -> float | None:
    """The unit of the last written digit of an English number: "13.2 trillion" -> 1e11; "120,000" -> 1e4."""
    m = _rx(r"(\d[\d,]*)(?:\.(\d+))?").search(figure.text)
    if not m or not isinstance(figure.value, float) or figure.value == 0:
        return None
    digits = m.group(1).replace(",", "")
    mantissa = float(digits + ("." + m.group(2) if m.group(2) else ""))
    if mantissa == 0:
        return None
    scale = figure.value / mantissa
    if m.group(2):
        return scale * 10 ** -len(m.group(2))
    zeros = len(digits) - len(digits.rstrip("0"))
    return scale * 10 ** zeros


def _rounds_to(source: float, target_atom: Atom) -> bool:
    """True when ``source`` rounded at the English figure's precision gives the English value."""
    p = _precision(target_atom.figure)
    if p is None or p <= 0:
        return False
    t = target_atom.values[0]
    if abs(source - t) > ROUNDING_TOLERANCE * max(abs(source), abs(t)):
        return False
    if target_atom.role != "value" or target_atom.figure.kind not in ("quantity", "percent"):
        return False
    return _equal(math.floor(source / p + 0.5) * p, t) or _equal(math.floor(source / p) * p, t) \
        or _equal(math.ceil(source / p) * p, t)


def _same_family(a: str, b: str) -> bool:
    if a == b:
        return True
    if "months" in (a, b):
        return {a, b} - {"months"} <= {"num", "month", "any"}
    return "any" in (a, b) and "month" not in (a, b)


def _values_match(s: Atom, t: Atom) -> bool:
    if s.clock and t.clock:  # 上午七点 is not "7 p.m.", though both say 7
        return any(_equal(a % 24, b % 24) for a in s.clock for b in t.clock)
    if s.family == "month" and t.figure.kind == "ordinal":  # 农历九月: "the ninth month"
        return any(_equal(a, b) for a in s.values for b in t.values)
    return _same_family(s.family, t.family) and any(_equal(a, b) for a in s.values for b in t.values)


_RELATIVE_YEAR = regex.compile(r"今年|去年|明年|前年|后年|本年|当年|同年|年内|年初|年底|年末")


def _supported_lexically(atom: Atom, source: str) -> bool:
    v = atom.values[0]
    if atom.figure.kind in ("year", "date") and atom.role in ("value", "year") and 1900 <= v <= 2100 \
            and _RELATIVE_YEAR.search(source):
        return True  # 今年 "this year" is often written out as the year it is
    if atom.family not in ("num", "any", "months") or not float(v).is_integer() or int(v) not in LEXICAL_SUPPORT:
        return False
    if atom.figure.kind == "ordinal" and any(w in source for w in ORDINAL_SUPPORT.get(int(v), ())):
        return True
    # A numeral character on its own (两岸, 三友), not one inside a larger number (二 in 二十).
    chars = LEXICAL_SUPPORT[int(v)]
    return any(c in chars and not (i > 0 and source[i - 1] in _NUMERAL) and
               not (i + 1 < len(source) and source[i + 1] in _NUMERAL) for i, c in enumerate(source))


def compare_figures(source: str, target: str, source_figures: list[Figure],
                    target_figures: list[Figure], *, pair_mismatches: bool = True,
                    lexical: bool = True) -> CheckResult:
    """Match figures already extracted from ``source`` and ``target`` and return the verdicts.

    A source figure left without a partner is reported as a mismatch with a leftover English figure of
    its kind, or as missing; ``pair_mismatches=False`` reports all leftovers as missing or unsupported.
    An English figure without a partner is supported by words of the source (今年 for a year, 二 in 二次
    for 2) unless ``lexical=False``, which asks every English figure for a source figure of its value.
    """
    s_atoms = [a for f in source_figures for a in atoms_of(f, side="source")]
    t_atoms = [a for f in target_figures for a in atoms_of(f, side="target")]
    for i, a in enumerate(s_atoms):
        a.index = i
    for i, a in enumerate(t_atoms):
        a.index = i
    pair_of_s: dict[int, Atom] = {}
    pair_of_t: dict[int, Atom] = {}

    def link(s: Atom, t: Atom) -> None:
        pair_of_s[s.index] = t
        pair_of_t[t.index] = s

    def place(s: Atom, t: Atom) -> float:
        """How far apart two atoms sit, as shares of their texts (0 = the same relative place)."""
        return abs(t.figure.start / max(1, len(target)) - s.figure.start / max(1, len(source)))

    # Exact matches first, same kind before any kind, hard source atoms before soft ones (so that a soft
    # 一 does not take the "one" a hard 1 needs), then roundings; among equal values, the nearest.
    for rule in ("same_kind", "any_kind", "rounding"):
        for s in sorted(s_atoms, key=lambda a: not a.hard):
            if s.index in pair_of_s:
                continue
            found = [t for t in t_atoms if t.index not in pair_of_t and (
                rule == "same_kind" and t.figure.kind == s.figure.kind and _values_match(s, t)
                or rule == "any_kind" and _values_match(s, t)
                or rule == "rounding" and s.family == t.family and s.family != "month"
                and any(_rounds_to(v, t) for v in s.values))]
            if found:
                link(s, min(found, key=lambda t: place(s, t)))

    issues: list[Issue] = []
    warnings: list[Issue] = []
    seen: set[tuple] = set()

    def report(kind: str, s_fig: Figure | None, t_fig: Figure | None, message: str, *, warning=False,
               subtype: str | None = None) -> None:
        key = (kind, subtype if kind == "mismatch" else None, id(s_fig), id(t_fig))
        if key in seen:
            return
        seen.add(key)
        (warnings if warning else issues).append(
            Issue(kind, s_fig.text if s_fig else None, t_fig.text if t_fig else None, message, subtype))

    # What is left is paired by one assignment over the whole segment: by value, unit and place together,
    # so that a dropped figure is reported missing rather than paired with an unrelated number nearby.
    left_s = [s for s in s_atoms if s.index not in pair_of_s and not (s.figure.kind == "numeric_name" and not s.hard)]
    left_t = [t for t in t_atoms if t.index not in pair_of_t]
    costs = [[_pair_cost(s, t, place(s, t), target) if pair_mismatches else None for t in left_t] for s in left_s]
    for i, j in _assign(costs, PAIR_LIMIT):
        s, t = left_s[i], left_t[j]
        link(s, t)
        hint = _scale_hint(s, t)
        report("mismatch", s.figure, t.figure, f"{_describe(s)} in the source, {_shown(t)} in the translation{hint}",
               subtype="scale" if hint else "value")
    for s in left_s:
        if s.index not in pair_of_s and s.hard and not _base_year_said_otherwise(s, source, target):
            report("missing", s.figure, None, f"{_describe(s)} is not in the translation")
    left_t = [t for t in left_t if t.index not in pair_of_t]
    for t in left_t:
        if t.hard and not (lexical and _supported_lexically(t, source)):
            report("unsupported", None, t.figure,
                   f"{t.figure.text!r} ({_fmt(t.values[0], _is_year(t))}) has no counterpart in the source")

    for code, found in _code_issues(source_figures, target):
        issues.append(Issue("mismatch", code, found, f"the code {code!r} is written {found!r} in the translation",
                            "code"))

    matches = []
    done = set()
    for s in s_atoms:
        t = pair_of_s.get(s.index)
        if t is None or (id(s.figure), id(t.figure)) in done:
            continue
        done.add((id(s.figure), id(t.figure)))
        matches.append((s.figure, t.figure))
        # Every difference is reported: 90亿元 as "90 billion US dollars" is a scale error and a currency change.
        conflict = _unit_conflict(s.figure, t.figure, target)
        if conflict:
            report("mismatch", s.figure, t.figure,
                   f"{s.figure.text!r} is in {conflict[0]}, the translation says {t.figure.text!r} in {conflict[1]}",
                   subtype="unit")
        measure = _points_or_percent(s), _points_or_percent(t)
        if None not in measure and measure[0] != measure[1]:
            report("mismatch", s.figure, t.figure,
                   f"{s.figure.text!r} is {_MEASURE_WORDS[measure[0]]}, the translation says {t.figure.text!r}, "
                   f"{_MEASURE_WORDS[measure[1]]}", subtype="points_vs_percent")
        if s.figure.approx in ("more_than", "about", "less_than", "at_least", "at_most") and t.figure.approx is None \
                and _values_match(s, t) and not s.figure.soft and s.figure.kind != "range" \
                and t.figure.kind not in ("decade", "range"):
            report("approx_lost", s.figure, t.figure,
                   f"the source says {s.figure.text!r} ({s.figure.approx.replace('_', ' ')}), the translation "
                   f"gives {t.figure.text!r} as exact", warning=True)
    return CheckResult(source=source, target=target, source_figures=source_figures,
                       target_figures=target_figures, issues=issues, warnings=warnings, matches=matches)


_COMPARED_WITH = regex.compile(r"(?:比|较|同比|与|和|跟)[ \t]*$")
_YEAR_ON_YEAR = regex.compile(r"\byear[-\s]on[-\s]year\b|\ba\s+year\s+(?:earlier|ago|before)\b|\b(?:the\s+)?"
                              r"(?:previous|prior|preceding|last)\s+year\b|\bannual(?:ly)?\b|\byoy\b", regex.IGNORECASE)


def _base_year_said_otherwise(atom: Atom, source: str, target: str) -> bool:
    """比2016年增长 is "up year on year" when 2016 is the year before: the base year of a comparison may be
    written as "year-on-year", "a year earlier" or "the previous year"."""
    f = atom.figure
    return f.kind == "year" and bool(_COMPARED_WITH.search(source[max(0, f.start - 3):f.start])) \
        and bool(_YEAR_ON_YEAR.search(target))


# A leftover source figure is paired with a leftover English one (a mismatch) only below this cost; above
# it the source figure is missing and the English one unsupported. See ``_pair_cost``.
PAIR_LIMIT = 1.0
_MEASURE_WORDS = {"points": "percentage points", "percent": "a percent"}


def _points_or_percent(atom: Atom) -> str | None:
    """"points" for percentage points (10个百分点, "10 points"), "percent" for a percent, else ``None``."""
    f = atom.figure
    if f.kind == "percentage_points" or f.kind == "quantity" and f.unit == "points":
        return "points"
    if f.kind == "percent" or f.kind == "range" and f.unit == "%":
        return "percent"
    return None


def _pair_cost(s: Atom, t: Atom, distance: float, target: str) -> float | None:
    """The cost of calling ``t`` a wrong rendering of ``s`` (lower is likelier), ``None`` when it cannot be.

    Sums how alike the values look (a power of ten apart: a scale error; one digit apart: a typo), the
    kinds (a year for a year), the units (yuan for 元, no tonnes for 公里) and the places in the two texts.
    """
    if not _same_family(t.family, s.family):
        return None
    if not s.hard:
        # A soft source figure (第一, 第二天, 九一一) still conflicts with a leftover English figure of its own
        # kind ("the second time" for 第一次); it is never reported missing.
        if t.figure.kind != s.figure.kind or s.figure.kind not in ("ordinal", "date"):
            return None
    elif not (t.hard or t.figure.kind == s.figure.kind):
        return None
    cost = distance + (0.0 if t.figure.kind == s.figure.kind and s.figure.kind != "quantity" else 0.15)
    a, b = s.values[0], t.values[0]
    if (t.figure.kind == s.figure.kind
            and s.figure.kind in ("year", "date", "time", "ordinal", "percent", "percentage_points", "decade")
            or _scale_hint(s, t) or _digits_apart(a, b) <= 1):
        cost += 0.1
    elif _digits_apart(a, b) <= 2:
        cost += 0.35
    else:
        cost += 0.6
    s_unit, t_unit = SOURCE_UNITS.get(s.figure.unit or ""), target_unit(target, t.figure)
    if s_unit and t_unit and s_unit[0] != t_unit[0]:
        cost += 0.6  # 12公里 and "12 tonnes" measure different things
    if not t.hard:
        cost += 0.3
    return cost


def _digits_apart(a: float, b: float) -> int:
    """How many digits differ between two numbers as written (edit distance): 25 and 22 are 1 apart."""
    x, y = f"{a:.10g}", f"{b:.10g}"
    row = list(range(len(y) + 1))
    for i, cx in enumerate(x, 1):
        prev, row[0] = row[0], i
        for j, cy in enumerate(y, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (cx != cy))
    return row[-1]


def _assign(costs: list[list[float | None]], limit: float) -> list[tuple[int, int]]:
    """The pairs (row, column) of least total cost, where leaving a row and a column unpaired costs ``limit``
    (so a pair is made only below it) and ``None`` forbids a pair: the Hungarian method on a square matrix
    padded with "unpaired" rows and columns."""
    n = len(costs)
    m = len(costs[0]) if n else 0
    if not n or not m:
        return []
    size, big = n + m, 1e6
    half = limit / 2
    matrix = [[(costs[i][j] if costs[i][j] is not None else big) if i < n and j < m
               else half if (i < n) != (j < m) else 0.0 for j in range(size)] for i in range(size)]
    # Jonker-Volgenant style shortest augmenting paths (the O(n^3) Hungarian method), 1-based potentials.
    u, v = [0.0] * (size + 1), [0.0] * (size + 1)
    owner, way = [0] * (size + 1), [0] * (size + 1)
    for i in range(1, size + 1):
        owner[0], j0 = i, 0
        low, used = [float("inf")] * (size + 1), [False] * (size + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], float("inf"), 0
            for j in range(1, size + 1):
                if not used[j]:
                    cur = matrix[i0 - 1][j - 1] - u[i0] - v[j]
                    if cur < low[j]:
                        low[j], way[j] = cur, j0
                    if low[j] < delta:
                        delta, j1 = low[j], j
            for j in range(size + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    low[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1)
                  if 0 < owner[j] <= n and costs[owner[j] - 1][j - 1] is not None
                  and costs[owner[j] - 1][j - 1] < limit)


def check(source: str, target: str) -> CheckResult:
    """Check the figures of English ``target`` against Chinese ``source`` (one segment each)."""
    return compare_figures(source, target, extract_zh(source), extract_en(target))


def _scale_hint(s: Atom, t: Atom) -> str:
    """' (scale: 10 times smaller)' when the two values differ by a power of ten, as 10万 and 10,000 do."""
    a, b = s.values[0], t.values[0]
    if not a or not b:
        return ""
    ratio = math.log10(abs(b / a))
    if abs(ratio - round(ratio)) < 1e-9 and round(ratio) != 0:
        factor = f"{10 ** abs(round(ratio)):,}"
        return f" (scale: {factor} times {'larger' if ratio > 0 else 'smaller'})"
    return ""


def _is_year(atom: Atom) -> bool:
    return atom.role == "year" or atom.figure.kind in ("year", "decade") and atom.role == "value"


def _fmt(v: float, year: bool = False) -> str:
    """A value as a reader writes it: 100,000, 3.5; a year without a separator (2019, not 2,019)."""
    if float(v).is_integer():
        return f"{int(v)}" if year else f"{int(v):,}"
    return f"{v:,.6g}" if abs(v) < 1e6 else f"{v:,.0f}"


def _clock(atom: Atom) -> str:
    """A clock time's possible readings: "07:00", or "07:00 or 19:00" when the text does not say which."""
    minute = str(atom.figure.value).partition(":")[2] or "00"
    return " or ".join(f"{int(h) % 24:02d}:{minute}" for h in atom.clock)


def _shown(atom: Atom) -> str:
    """An English atom in a message: its text and value ('7 p.m.' (19:00)), or the value alone."""
    if atom.clock:
        return f"{atom.figure.text!r} ({_clock(atom)})"
    return _fmt(atom.values[0], _is_year(atom))


def _describe(atom: Atom) -> str:
    f = atom.figure
    if atom.clock:
        return f"{f.text!r} ({_clock(atom)})"
    if atom.role in ("value",) and f.kind != "date":
        return f"{f.text!r} ({_fmt(atom.values[0], _is_year(atom))}{'%' if atom.family == 'pct' else ''})"
    return f"the {atom.role} of {f.text!r} ({_fmt(atom.values[0], _is_year(atom))})"
