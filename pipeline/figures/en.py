"""Figures in English text: digits, spelled-out numbers, scales, percentages, ordinals, dates, times.

reads: an English string; gives: ``list[Figure]`` in text order, with spans into that string.

Words that are numbers only sometimes are marked soft: "one" (a pronoun in "one of the", "no one"),
"first", "once", "both", "a couple", "twice", "half", "a decade". A soft figure can stand for a source
figure but is never reported as unsupported by itself.
"""

from __future__ import annotations

import regex

from pipeline.figures.model import Claims, Figure
from pipeline.figures.numbers import (
    EN_ORDINALS,
    EN_SCALES,
    EN_TENS,
    EN_UNITS,
    address_spans,
    bound_digit_runs,
    clean_float,
    full_year,
    parse_arabic,
    parse_en_words,
)
from pipeline.figures.numbers import (
    compiled as _rx,
)

MONTHS = {"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
          "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
          "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
          r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?:\.|\b))")
_ABBREVIATED = frozenset(("Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"))
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUMBER_WORD = "|".join(sorted(list(EN_UNITS) + list(EN_TENS) + list(EN_ORDINALS) + list(EN_SCALES),
                               key=len, reverse=True))
_WORDS = regex.compile(
    rf"\b(?:a\s+(?=hundred|thousand|million|billion|trillion|dozen))?(?:{_NUMBER_WORD})"
    rf"(?:(?:\s*-\s*|\s+|(?<=hundred|thousand|million|billion|trillion)\s+and\s+)(?:{_NUMBER_WORD}))*\b"
    rf"(?:\s+and\s+a\s+half\b)?", regex.IGNORECASE)

APPROX = (("more than", "more_than"), ("over", "more_than"), ("above", "more_than"), ("in excess of", "more_than"),
          ("upwards of", "more_than"), ("exceeding", "more_than"), ("exceeded", "more_than"),
          ("exceeds", "more_than"), ("exceed", "more_than"), ("surpassed", "more_than"), ("topped", "more_than"),
          ("nearly", "less_than"),
          ("almost", "less_than"), ("close to", "less_than"), ("less than", "less_than"),
          ("fewer than", "less_than"), ("under", "less_than"), ("below", "less_than"), ("about", "about"),
          ("around", "about"), ("approximately", "about"), ("roughly", "about"), ("some", "about"),
          ("an estimated", "about"), ("estimated", "about"), ("at least", "at_least"), ("no less than", "at_least"),
          ("at most", "at_most"), ("up to", "at_most"), ("no more than", "at_most"), ("within", "at_most"),
          ("a maximum of", "at_most"), ("a minimum of", "at_least"))
# "60 or older", "500-plus", "10,000 or so": approximations written after the number.
_APPROX_AFTER = regex.compile(r"\s*(?:(?P<more>(?:or|and)\s+(?:more|above|over|older|higher|greater)|-?plus\b|\+)"
                              r"|(?P<less>(?:or|and)\s+(?:less|fewer|below|under|younger|lower))|(?P<about>or\s+so))\b?",
                              regex.IGNORECASE)
_APPROX = regex.compile(r"\b(" + "|".join(sorted((a for a, _ in APPROX), key=len, reverse=True))
                        + r")\s+(?:the\s+)?(?:US\$|\$|€|£|¥|RMB\s?)?$", regex.IGNORECASE)
_APPROX_MAP = dict(APPROX)

# Letters and digits in one token are a name or a code (G20, COVID-19, 4Corners7Seas), not a figure;
# ordinals, decades, times and glued units are taken before this runs.
_CURRENCY_CODES = ("RMB|USD|EUR|JPY|HKD|GBP|AUD|NZD|SGD|CHF|CAD|MYR|RUB|ZAR|KRW|AED|SAR|HUF|PLN|DKK|SEK|NOK|TRY|MXN|"
                   "CNY|INR|TWD|THB|BRL|Rmb")
_CODE_EN = regex.compile(rf"\b(?!(?:{_CURRENCY_CODES})\d)[A-Za-z]+[-‑]?\d+[A-Za-z\d]*\b|\b\d+[A-Za-z]+\d+\w*\b"
                      r"|\b(?:Five|5)-Year\s+Plans?\b|\b\d+/\d+\b(?=\s*(?:service|support|access|coverage|operation))")
_DATE = regex.compile(
    rf"\b(?P<m>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{{4}})\b)?"
    rf"|\b(?:the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})(?:,?\s+(?P<y2>\d{{4}})\b)?"
    rf"|\b(?P<m3>{_MONTH}),?\s+(?P<y3>\d{{4}})\b"
    rf"|\b(?P<y4>\d{{4}})-(?P<m4>\d{{1,2}})-(?P<d4>\d{{1,2}})\b"
    rf"|\b(?P<m5>{_MONTH})(?!\w)")
# "May" and "March" are also verbs: months only after one of these words or before a day or year.
_MONTH_CONTEXT = regex.compile(r"\b(?:in|on|since|until|till|by|from|to|through|last|next|this|early|late|mid|"
                               r"end\s+of|of|before|after|during|between|and)[\s-]+$", regex.IGNORECASE)
_TIME = regex.compile(
    r"(?<![\d.:,])(?P<h>\d{1,2}):(?P<mi>\d{2})(?:\s*(?P<ap>[ap])\.?\s?m\b\.?)?(?![\d:])"
    r"|(?<![\d.:,])(?P<h2>\d{1,2})\s*(?P<ap2>[ap])\.?\s?m\b\.?"
    r"|\b(?P<h3>\d{1,2})\s+o'clock\b", regex.IGNORECASE)
_DECADE = regex.compile(r"(?:\b|')(?P<c>\d{4}|\d{2})['’]?s\b")
_SHORT_YEAR = regex.compile(r"(?<![\w'’])['’](?P<y>\d{2})\b(?!['’])")
_CURRENCY = rf"US\$|HK\$|A\$|C\$|S\$|NT\$|\$|€|£|¥|(?:{_CURRENCY_CODES}|Rs\.?)\s?"
_NUMBER = regex.compile(
    rf"(?<![\w.,])(?P<cur>{_CURRENCY})?\s*(?P<n>{_NUM})(?:(?P<ord>st|nd|rd|th)\b"
    rf"|(?P<unit>(?-i:km|kg|cm|mm|mg|m|g|t|GW|MW|kW|kWh|ha|x|hp|sq|ft|mph|mn|bn))\b|\b)"
    rf"(?:\s*-?\s*(?P<sc>hundred|thousand|million|billion|trillion|bn|mn|m|k)\b)?"
    rf"(?:\s*(?P<pct>(?:percentage|per\s*cent(?:age)?|%)\s+points?\b|%|per\s*cent\b|pct\b|points?\b))?",
    regex.IGNORECASE)
_SOFT_WORDS = {"century": 100, "centenary": 100, "centennial": 100, "trio": 3, "duo": 2, "twins": 2, "quartet": 4,
               "both": 2, "twice": 2, "double": 2, "doubled": 2, "pair": 2, "couple": 2, "dozen": 12,
               "half": 0.5, "once": 1, "single": 1, "decade": 10, "triple": 3, "tripled": 3, "thrice": 3,
               "quarter": 0.25}
_SOFT = regex.compile(r"\b(?:a\s+)?(?P<w>" + "|".join(_SOFT_WORDS) + r")\b", regex.IGNORECASE)
_VAGUE = regex.compile(r"\b(?:hundreds|thousands|millions|billions|tens|dozens|scores)\s+"
                       r"(?:of\s+(?:thousands|millions)\s+)?(?:of\b)?"
                       r"|\b(?:one|1)\s+(?=of\b|another\b|day\b|by\s+one)|\bno\s+one\b|\bone['’]s\b|\bthe\s+one\b",
                       regex.IGNORECASE)
# No. 3, Line 3, Route 66: a number that names, as 第三, 三号线 do.
_NUMBERED = regex.compile(r"\b(?:No|Nos|Number|Line|Route|Platform|Gate|Terminal)\s*\.?\s*#?(?P<n>\d+)\b|#(?P<n>\d+)\b")
# "one-third", "a quarter of", "two-thirds"; not "the first three quarters" nor "a third-party seller".
_FRACTION = regex.compile(r"(?<!\b(?:first|last|next|past|previous|following|the|every|each|per|consecutive)\s+)"
                          r"\b(?P<n>a|one|two|three|four|five|seven|nine)(?P<sep>[\s-]+)(?P<d>thirds?|quarters?|[a-z]+ths?)"
                          r"(?=\s+of\b|\s*[.,;:)]|\s*$)", regex.IGNORECASE)
_TIME_DOT = regex.compile(r"(?<![\d.])(?P<h>\d{1,2})\.(?P<mi>\d{2})\s*(?P<ap>[ap])\.?m\b\.?", regex.IGNORECASE)
_AND_A_HALF = regex.compile(r"\b(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+"
                            r"(?P<u>years?|months?|days?|hours?|weeks?|decades?|centuries|century)\s+and\s+a\s+half\b",
                            regex.IGNORECASE)
ROMAN = {r: i for i, r in enumerate(("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
                                     "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"), 1)}
# Roman numerals only after the words that number things with them: Phase II, Volume III, World War II.
_ROMAN = regex.compile(r"\b(?:Phase|Volume|Vol\.|Part|Chapter|Book|Season|Class|Type|War|Level|Grade|Stage|Category|"
                       r"Article|Section|Round|Division)\s+(?P<r>[IVX]{1,5})\b")
# Number words in idioms, which count nothing: "one after the other", "at once", "one by one".
_IDIOMS = regex.compile(
    r"\b(?:one\s+after\s+(?:the\s+)?(?:other|another)|one\s+by\s+one|one\s+another|(?:all\s+)?at\s+once"
    r"|for\s+one\s+thing|(?:one\s+)?way\s+or\s+another|one[-\s]on[-\s]one|one-off|at\s+sixes\s+and\s+sevens"
    r"|(?:on\s+)?cloud\s+nine|every\s+once\s+in\s+a\s+while)\b", regex.IGNORECASE)
# Ordinal idioms: "at the eleventh hour", "first of all", "a third person" (another person, not a third of
# one), "second to none", "third-party". Soft ordinals: they may render 第三方 or 首先, and are never
# reported on their own.
_ORDINAL_IDIOMS = regex.compile(
    r"\b(?:(?:the\s+)?(?P<o>eleventh)[-\s]hour|(?P<o>first)\s+of\s+all|(?P<o>first)\s+and\s+foremost"
    r"|at\s+(?P<o>first)(?:\s+(?:sight|glance|hand))?|in\s+the\s+(?P<o>first)\s+place|(?P<o>first|second)[-\s]hand"
    r"|(?P<o>second)\s+to\s+none|on\s+(?P<o>second)\s+thoughts?|a\s+(?P<o>third)\s+person"
    r"|(?P<o>third)[-\s](?:part(?:y|ies)|rate|world)|(?P<o>first|second)[-\s](?:rate|class|guess)"
    r"|a\s+(?P<o>second)\s+(?:look|chance|opinion|thought))\b", regex.IGNORECASE)
# "the 90s of the 20th century" is the 1990s, as 20世纪90年代 is.
_DECADE_OF_CENTURY = regex.compile(r"\b(?:the\s+)?(?P<d>[1-9]0)['’]?s\s+of\s+the\s+"
                                   r"(?P<c>\d{1,2})(?:st|nd|rd|th)\s+century\b",
                                   regex.IGNORECASE)
_HALF_SCALE = regex.compile(r"\bhalf\s+a\s+(?P<sc>million|billion|trillion)\b", regex.IGNORECASE)
_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3}
_SCALE = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6,
          "m": 1e6, "k": 1e3}


def extract_en(text: str) -> list[Figure]:
    """Find every figure in English ``text``; spans are offsets into ``text`` itself."""
    text = bound_digit_runs(text)  # issue 13: a 5,000-digit run is no figure (same length: offsets hold)
    claims = Claims(len(text))
    free, claim, add = claims.free, claims.claim, claims.add

    for start, end in address_spans(text):
        claim(start, end)
    for m in _IDIOMS.finditer(text):
        claim(m.start(), m.end())
    for m in _ORDINAL_IDIOMS.finditer(text):
        add(Figure(m.group(), "ordinal", float(EN_ORDINALS[m.group("o").lower()]), m.start(), m.end(), soft=True,
                   written="words"))
    for m in _DECADE_OF_CENTURY.finditer(text):
        decade = (int(m.group("c")) - 1) * 100 + int(m.group("d"))
        add(Figure(m.group(), "decade", decade, m.start(), m.end()))
    _dates(text, free, add)
    for m in _TIME_DOT.finditer(text):
        h, mi = int(m.group("h")), int(m.group("mi"))
        if m.group("ap").lower() == "p" and h < 12:
            h += 12
        if h <= 24 and mi < 60 and free(m.start(), m.end()):
            add(Figure(m.group(), "time", f"{h:02d}:{mi:02d}", m.start(), m.end()))
    for m in _TIME.finditer(text):
        if not free(m.start(), m.end()):
            continue
        raw = m.group("h") or m.group("h2") or m.group("h3")
        h = int(raw)
        mi = int(m.group("mi") or 0)
        ap = (m.group("ap") or m.group("ap2") or "").lower()
        if ap == "p" and h < 12:
            h += 12
        if ap == "a" and h == 12:
            h = 0  # 12 a.m. is midnight
        # "7 o'clock" and "7:00" may be morning or evening; "7 p.m.", "19:00" and "07:00" are not.
        other = (float((h + 12) % 24),) if not ap and 0 < h <= 12 and not raw.startswith("0") else ()
        if h <= 24 and mi < 60:
            add(Figure(m.group(), "time", f"{h:02d}:{mi:02d}", m.start(), m.end(), alternatives=other))
    for m in _DECADE.finditer(text):
        if free(m.start(), m.end()):
            raw = int(m.group("c"))
            c = raw if raw >= 1000 else full_year(raw)
            # "in their 30s" is an age: the 2-digit form also stands for the number itself, and "the 20s"
            # for the 1920s as well as the 2020s.
            if c % 10 == 0:
                add(Figure(m.group(), "decade", c, m.start(), m.end(),
                           alternatives=(float(raw), float(c - 100 if c >= 2000 else c + 100)) if raw < 100 else ()))
    for m in _NUMBERED.finditer(text):
        if free(m.start(), m.end()):
            add(Figure(m.group(), "ordinal", float(m.group("n")), m.start(), m.end()))
    for m in _SHORT_YEAR.finditer(text):
        if free(m.start(), m.end()):
            y = int(m.group("y"))
            add(Figure(m.group(), "year", full_year(y), m.start(), m.end()))
    for m in _VAGUE.finditer(text):
        if free(m.start(), m.end()):
            claim(m.start(), m.end())
    for m in _ROMAN.finditer(text):
        if free(m.start("r"), m.end("r")) and m.group("r") in ROMAN:
            add(Figure(m.group("r"), "ordinal", float(ROMAN[m.group("r")]), m.start("r"), m.end("r")))
    for m in _HALF_SCALE.finditer(text):
        if free(m.start(), m.end()):
            add(Figure(m.group(), "quantity", 0.5 * EN_SCALES[m.group("sc").lower()], m.start(), m.end(),
                       approx=_approx_before(text, m.start()), written="words"))
    for m in _FRACTION.finditer(text):
        if free(m.start(), m.end()):
            n = 1 if m.group("n").lower() in ("a", "one") else EN_UNITS[m.group("n").lower()]
            word = m.group("d").lower()
            d = 4 if word.startswith("quarter") else EN_ORDINALS.get(word, EN_ORDINALS.get(word[:-1]))
            if d == 4 and m.group("n").lower() in ("a", "one") and not _rx(r"\s+of\b").match(text, m.end()) \
                    and (not _approx_before(text, m.start())
                         or _rx(r"\b(?:within|in|per|each|every)\s+$", regex.IGNORECASE).search(text[:m.start()])):
                continue  # "within a quarter" is a season of the year, not 25%
            if d and d > 2:
                add(Figure(m.group(), "quantity", n / d, m.start(), m.end(), approx=_approx_before(text, m.start()),
                           written="words", unit="fraction"))
    for m in _AND_A_HALF.finditer(text):
        if free(m.start(), m.end()):
            raw = m.group("n").lower()
            n = 1 if raw in ("a", "an") else float(raw) if raw.isdigit() else EN_UNITS[raw]
            add(Figure(m.group(), "quantity", n + 0.5, m.start(), m.end(), approx=_approx_before(text, m.start()),
                       written="words"))
    for m in _CODE_EN.finditer(text):
        if free(m.start(), m.end()):
            add(Figure(m.group(), "numeric_name", None, m.start(), m.end(), soft=True))
    _numbers(text, free, add)
    _words(text, free, add)
    for m in _SOFT.finditer(text):
        if free(m.start(), m.end()):
            w = m.group("w").lower()
            kind = "multiple" if w in ("twice", "double", "doubled", "triple", "tripled", "thrice") else "quantity"
            add(Figure(m.group(), kind, float(_SOFT_WORDS[w]), m.start(), m.end(), soft=True, written="words",
                       approx=_approx_before(text, m.start())))
    return _merge_ranges(text, claims.in_order())


def _approx_after(text: str, end: int) -> str | None:
    m = _APPROX_AFTER.match(text, end)
    if not m:
        return None
    return "more_than" if m.group("more") else "at_most" if m.group("less") else "about"


def _approx_before(text: str, start: int) -> str | None:
    m = _APPROX.search(text[max(0, start - 30):start])
    return _APPROX_MAP.get(m.group(1).lower()) if m else None


# "the 9/11 attacks", "after 9/11": an event named by its month and day, as 九一一事件 is.
_EVENT_DATE = regex.compile(r"(?<![\d/.])(?P<m>1[0-2]|[1-9])/(?P<d>[12]\d|3[01]|[1-9])(?![\d/])"
                            r"(?=\s+(?:attacks?|terror|events?|incident|anniversary|commission|memorial|era)\b"
                            r"|\s*[,.;)]|\s*$)")


def _dates(text, free, add) -> None:
    for m in _EVENT_DATE.finditer(text):
        if free(m.start(), m.end()):
            mo, d = int(m.group("m")), int(m.group("d"))
            add(Figure(m.group(), "date", f"--{mo:02d}-{d:02d}", m.start(), m.end(), soft=True))
    for m in _DATE.finditer(text):
        month = m.group("m") or m.group("m2") or m.group("m3") or m.group("m5")
        day = m.group("d") or m.group("d2") or m.group("d4")
        year = m.group("y") or m.group("y2") or m.group("y3") or m.group("y4")
        if m.group("m4"):
            mo = int(m.group("m4"))
        else:
            mo = MONTHS[month.lower().rstrip(".")]
        s = m.start("m5") if m.group("m5") else m.start()
        if m.group("m5") and month in ("May", "March") and not _MONTH_CONTEXT.search(text[max(0, s - 12):s]):
            continue
        if m.group("m5") and month in _ABBREVIATED:
            continue  # "Jan", "Mar" with no day or year are a name or a verb; "Jan. 17" and "Mar 2024" are dates
        if not free(s, m.end()):
            continue
        d = int(day) if day else None
        y = int(year) if year else None
        if d is not None and not 1 <= d <= 31 or not 1 <= mo <= 12:
            continue
        if y is not None:
            value = f"{y:04d}-{mo:02d}" + (f"-{d:02d}" if d else "")
        else:
            value = f"--{mo:02d}" + (f"-{d:02d}" if d else "")
        add(Figure(text[s:m.end()], "date", value, s, m.end(), written="words"))


def _numbers(text, free, add) -> None:
    for m in _NUMBER.finditer(text):
        s, e = m.start("cur") if m.group("cur") else m.start("n"), m.end()
        if not free(m.start("n"), m.end("n")):
            continue
        while e > m.end("n") and not free(s, e):
            e -= 1
        raw = m.group("n")
        v = parse_arabic(raw)
        if v is None:
            continue
        if text[e:e + 1] in _VULGAR and m.end() == m.end("n"):
            v += _VULGAR[text[e]]
            e += 1
        sc = (m.group("sc") or "").lower()
        unit = m.group("unit")
        if unit in ("m", "k") and m.group("cur") or unit in ("bn", "mn"):
            sc, unit = unit, None  # $5m is five million dollars, 2bn two billion; 5m is five metres
        if sc in ("m", "k") and not m.group("cur"):
            sc = ""
            e = m.end("n")
        if sc:
            v = clean_float(v * _SCALE[sc])
        pct = (m.group("pct") or "").lower()
        approx = _approx_before(text, s)
        approx = _approx_after(text, e) or approx
        if m.group("ord"):
            add(Figure(text[s:m.end("ord")], "ordinal", v, s, m.end("ord"), soft=_congress(text, m.end("ord"))))
            continue
        if pct.startswith("point") and pct:
            # "2.5 points" is a percentage point only next to a rate; plain "points" stay a quantity.
            add(Figure(text[s:e], "quantity", v, s, e, approx=approx, unit="points"))  # a score or a rate
            continue
        if pct.startswith(("percentage", "per", "%")) and "point" in pct:
            add(Figure(text[s:e], "percentage_points", v, s, e, approx=approx, unit="points"))
            continue
        if pct:
            add(Figure(text[s:e], "percent", v, s, e, approx=approx, unit="%"))
            continue
        cur = (m.group("cur") or "").strip() or None
        if not sc and not cur and _rx(r"\d{4}").fullmatch(raw) and 1900 <= v <= 2100:
            add(Figure(text[s:e], "year", int(v), s, e))
            continue
        nxt = _rx(r"[\s-]*(times|fold)\b", regex.IGNORECASE).match(text[e:])
        if nxt:
            e += nxt.end()
            add(Figure(text[s:e], "multiple", v, s, e, approx=approx))
            continue
        add(Figure(text[s:e], "quantity", v, s, e, approx=approx, unit=unit or cur,
                   alternatives=_unit_multiples(text, e, v)))


_WORD_TOKEN = regex.compile(rf"\b(?:{_NUMBER_WORD}|a)\b", regex.IGNORECASE)


def _word_numbers(text: str, m: regex.Match):
    """Split a run of number words into well-formed numbers: "two two-year-olds" is 2 and 2, not 4.

    Yields (start, end, value, ordinal, words); the longest well-formed prefix is taken each time.
    """
    run = m.group()
    half = run.lower().endswith(" half")
    tokens = [t for t in _WORD_TOKEN.finditer(run)]
    if half:
        tokens = tokens[:-1] if tokens and tokens[-1].group().lower() == "a" else tokens
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            words = [t.group().lower() for t in tokens[i:j]]
            if words[-1] == "a":
                continue
            if words[0] == "a":
                words = ["one"] + words[1:]
            parsed = parse_en_words(words)
            if parsed is not None:
                v, ordinal = parsed
                end = tokens[j - 1].end()
                if half and j == len(tokens):
                    v, end = v + 0.5, len(run)
                yield m.start() + tokens[i].start(), m.start() + end, v, ordinal, words
                i = j
                break
        else:
            i += 1


def _words(text, free, add) -> None:
    for m in _WORDS.finditer(text):
        if not free(m.start(), m.end()):
            continue
        for s, e, v, ordinal, words in _word_numbers(text, m):
            _add_word_number(text, add, s, e, v, ordinal, words)


def _add_word_number(text, add, s, e, v, ordinal, words) -> None:
    """Add one spelled-out number: a percent, an ordinal, a multiple or a quantity."""
    approx = _approx_after(text, e) or _approx_before(text, s)
    tail = _rx(r"[\s-]*((?:percentage|percent|per\s+cent)\s+points?|percent|per\s+cent|%)",
               regex.IGNORECASE).match(text[e:])
    soft = v == 1 and words in (["one"], ["first"]) or bool(
        _rx(r"\b(?:several|a\s+few|few|many|some)\s+$", regex.IGNORECASE).search(text[max(0, s - 10):s]))
    if tail:
        e += tail.end()
        kind = "percentage_points" if "point" in tail.group().lower() else "percent"
        add(Figure(text[s:e], kind, v, s, e, approx=approx, written="words"))
        return
    if text[max(0, s - 4):s].lower() == "the " and words == ["two"] or \
            _rx(r"\b(?:these|those)\s+$", regex.IGNORECASE).search(text[max(0, s - 7):s]) and words == ["two"]:
        soft = True  # "the two (countries)" refers back as often as it counts
    if ordinal:
        add(Figure(text[s:e], "ordinal", v, s, e, soft=soft or _congress(text, e), written="words"))
        return
    nxt = _rx(r"[\s-]*(times|fold)\b", regex.IGNORECASE).match(text[e:])
    if nxt and v > 1:
        e += nxt.end()
        add(Figure(text[s:e], "multiple", v, s, e, approx=approx, written="words"))
        return
    add(Figure(text[s:e], "quantity", v, s, e, approx=approx, soft=soft, written="words",
               alternatives=_unit_multiples(text, e, v)))


_CONGRESS = regex.compile(r"\s+(?:(?:CPC|Communist\s+Party\s+of\s+China|Party|NPC|National|Central)\s+)*"
                          r"(?:Congress|Central\s+Committee)\b", regex.IGNORECASE)


def _congress(text: str, end: int) -> bool:
    """'the 19th CPC National Congress': translators spell out the congress a source calls 大会 or 党的大会, so
    an ordinal there is soft (a changed one still shows as a mismatch with the source's 十九大)."""
    return bool(_CONGRESS.match(text, end))


def _unit_multiples(text: str, end: int, v: float) -> tuple[float, ...]:
    """"three decades" is also 30 (years), "two centuries" 200, "four dozen" 48."""
    m = _rx(r"[\s-]+(decades?|centuries|century|dozens?)\b", regex.IGNORECASE).match(text[end:])
    if not m:
        return ()
    word = m.group(1).lower()
    return (v * (10 if word.startswith("decade") else 100 if word.startswith("centur") else 12),)


def _merge_ranges(text: str, figures: list[Figure]) -> list[Figure]:
    """'1-3', '1 to 3', 'between one and three', 'from 5 to 10': two quantities become one range."""
    out: list[Figure] = []
    i = 0
    while i < len(figures):
        a = figures[i]
        if i + 1 < len(figures):
            b = figures[i + 1]
            gap = text[a.end:b.start]
            before = text[max(0, a.start - 9):a.start].lower()
            joined = _rx(r"\s*(?:-|–|—|to)\s*").fullmatch(gap) or (
                _rx(r"\s+and\s+").fullmatch(gap) and before.rstrip().endswith("between"))
            months = _month_range(text, a, b)
            if months:
                out.extend(months)  # "January to November", "January-November 2023": the first 11 months
                i += 2
                continue
            if joined and a.kind == "quantity" and b.kind == "percent" and a.unit is None and not a.soft \
                    and isinstance(a.value, float) and a.value < b.value:
                # "10-12%": the percent sign covers both ends
                out.append(Figure(text[a.start:b.end], "range", [a.value, b.value], a.start, b.end,
                                  approx=a.approx, unit="%", written=a.written))
                i += 2
                continue
            if joined and a.kind == b.kind and (a.unit is None or b.unit is None or a.unit == b.unit) \
                    and a.kind in ("quantity", "percent") and not a.soft and not b.soft \
                    and isinstance(a.value, float) and isinstance(b.value, float) and (a.value < b.value):
                low = a.value
                scale = _rx(r"(hundred|thousand|million|billion|trillion|bn|mn)\b", regex.IGNORECASE).search(b.text)
                a_scaled = _rx(r"\d\s*-?\s*(?:hundred|thousand|million|billion|trillion|bn|mn|m)\b",
                               regex.IGNORECASE).search(a.text)
                if scale and not a_scaled and low * _SCALE[scale.group(1).lower()] < b.value:
                    low *= _SCALE[scale.group(1).lower()]  # "6-7 million": the scale covers both ends
                out.append(Figure(text[a.start:b.end], "range", [low, b.value], a.start, b.end,
                                  approx=a.approx, unit=b.unit, written=a.written))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _month_range(text: str, a: Figure, b: Figure) -> list[Figure]:
    """'January to November' as a range of months [1, 11] (and the year of 'January-November 2023' as a
    year of its own); ``[]`` when ``a`` and ``b`` are not two bare months joined by to, through or a dash."""
    gap = text[a.end:b.start]
    between = (_rx(r"\s+and\s+").fullmatch(gap)
               and text[max(0, a.start - 9):a.start].rstrip().lower().endswith("between"))
    if a.kind != "date" or b.kind != "date" or not (
            between or _rx(r"\s*(?:-|–|—|to|through|till|until)\s*").fullmatch(gap)):
        return []
    ma = _rx(r"--(\d\d)").fullmatch(str(a.value))
    mb = _rx(r"(\d{4}|-)-(\d\d)").fullmatch(str(b.value))
    if not ma or not mb or int(ma.group(1)) >= int(mb.group(2)):
        return []
    month_end = b.start + len(_rx(r"[A-Za-z.]+").match(b.text).group())
    out = [Figure(text[a.start:month_end], "range", [float(ma.group(1)), float(mb.group(2))], a.start, month_end,
                  unit="months", written="words")]
    if mb.group(1) != "-":
        y = _rx(r"\d{4}").search(text, month_end, b.end)
        out.append(Figure(y.group(), "year", int(y.group()), y.start(), y.end()))
    return out
