"""Parsing numerals: Chinese (十三, 两千, 三千五, 13.21万亿, 二〇一七) and English words (twenty-one).

Pure functions; they return ``None`` for a string that is not a number rather than guessing.
"""

from __future__ import annotations

from functools import cache

import regex

# Full-width forms that figures are written with; mapped one character to one character so that offsets
# into the normalised copy are offsets into the original text.
FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            "％": "%", "．": ".", "＋": "+", "－": "-", "～": "~", "\u3000": " ",
                            "：": ":", "／": "/", "﹪": "%"})

@cache
def compiled(pattern: str, flags: int = 0) -> regex.Pattern:
    """A compiled pattern, cached: the patterns the extractors build inside functions are compiled once."""
    return regex.compile(pattern, flags)


# Web addresses, e-mail addresses and file names: their digits are part of a name (www.12306.cn,
# report2023.pdf), in Chinese text and in English alike. Each pattern runs only where its mark is.
_URL = regex.compile(r"(?:https?://|www\.)[\w./%?=&#~+:-]+[\w/]", regex.ASCII | regex.IGNORECASE)
_EMAIL = regex.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", regex.ASCII)
_FILE_EXTENSION = regex.compile(r"(?<=\w)\.(?:pdf|docx?|xlsx?|pptx?|txt|csv|jpe?g|png|gif|zip|rar|html?|mp[34])\b",
                                regex.ASCII | regex.IGNORECASE)
_FILE_STEM = regex.compile(r"[\w.-]+$", regex.ASCII)


def address_spans(text: str) -> list[tuple[int, int]]:
    """The spans of web addresses, e-mail addresses and file names in ``text``."""
    spans = []
    if "www." in text or "://" in text:
        spans += [m.span() for m in _URL.finditer(text)]
    if "@" in text:
        spans += [m.span() for m in _EMAIL.finditer(text)]
    for m in _FILE_EXTENSION.finditer(text):
        stem = _FILE_STEM.search(text, 0, m.start())
        spans.append((stem.start() if stem else m.start(), m.end()))
    return spans


CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9, "壹": 1, "贰": 2, "貳": 2, "叁": 3, "參": 3, "肆": 4,
             "伍": 5, "陆": 6, "陸": 6, "柒": 7, "捌": 8, "玖": 9}
CN_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
# 兆 is 10^12 as a scale of money and counts (1.2兆元, Taiwan and Japan usage); before an SI unit it is the
# prefix mega (兆瓦 megawatt), which the extractors keep as part of the unit.
CN_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}

# Two-digit years (九八年, '98, 17年 as a year, 80后, 90年代) belong to the century that puts them closest to
# the news: 00-29 are 2000-2029, 30-99 are 1930-1999. One pivot for every extractor.
TWO_DIGIT_YEAR_PIVOT = 30


def full_year(two_digits: int) -> int:
    """The year a two-digit year stands for: 98 -> 1998, 5 -> 2005, 17 -> 2017 (pivot ``TWO_DIGIT_YEAR_PIVOT``)."""
    return (2000 if two_digits < TWO_DIGIT_YEAR_PIVOT else 1900) + two_digits


# A run of more digits than this is no figure a reader checks (an 18-digit ID number is the longest a news
# text holds); the extractors' patterns retry such a run from each of its digits, which is quadratic in its
# length: 42 s for 5,000 digits (issue 13). ``bound_digit_runs`` hides longer runs from them.
MAX_FIGURE_DIGITS = 40
_LONG_DIGIT_RUN = regex.compile(rf"\d(?:[,.， ]?\d){{{MAX_FIGURE_DIGITS},}}")
_HIDDEN_DIGIT = "\ue000"  # a private-use character: no pattern reads it as part of a number or a word


def bound_digit_runs(text: str) -> str:
    """``text`` with every run of more than ``MAX_FIGURE_DIGITS`` digits (separators between them included)
    replaced by as many private-use characters: same length, so offsets carry over, and no figure is found
    in it. Linear in the length of the text."""
    if len(text) <= MAX_FIGURE_DIGITS:
        return text
    return _LONG_DIGIT_RUN.sub(lambda m: _HIDDEN_DIGIT * len(m.group()), text)


def normalise_digits(text: str) -> str:
    """The text with full-width digits and signs made ASCII and over-long digit runs hidden
    (``bound_digit_runs``); same length, so offsets carry over."""
    return bound_digit_runs(text.translate(FULL_WIDTH))


def parse_arabic(text: str) -> float | None:
    """'1,234.5' -> 1234.5; ``None`` when it is not a plain decimal number."""
    try:
        return float(text.replace(",", "").replace(" ", ""))
    except ValueError:
        return None


def parse_zh_number(text: str) -> float | None:
    """Parse a Chinese or mixed numeral (see ``_parse_zh``), with float noise rounded away (8.12亿 = 812000000)."""
    value = _parse_zh(text)
    return None if value is None else clean_float(value)


def clean_float(value: float) -> float:
    """``value`` at 12 significant digits: 8.12 * 1e8 is 812000000, not 811999999.9999999."""
    return float(f"{value:.12g}")


def _parse_zh(text: str) -> float | None:
    """Parse a Chinese or mixed numeral: 十三, 两千, 三千五, 十万八千, 1.5万, 13.21万亿, 三点五, 二〇一七.

    Returns ``None`` for strings that are not numbers (a bare 万, stray characters).
    """
    text = text.replace(" ", "")
    if not text:
        return None
    for big in ("兆", "亿", "億", "万", "萬"):
        i = text.find(big)
        if i < 0:
            continue
        if i == 0:
            return None
        left = _parse_zh(text[:i])
        if left is None:
            return None
        scale = CN_BIG_UNITS[big]
        right_text = text[i + 1:]
        if not right_text:
            return left * scale
        # 两万五 is 25,000: a lone digit after the unit counts tenths of it.
        if len(right_text) == 1 and right_text in CN_DIGITS:
            return left * scale + CN_DIGITS[right_text] * scale / 10
        if right_text[0] in CN_BIG_UNITS:
            # 万亿: the first unit scales the left part, the second scales the result.
            inner = _parse_zh(text[:i + 1])
            rest = _parse_zh("1" + right_text)
            return None if inner is None or rest is None else inner * rest
        right = _parse_zh(right_text.lstrip("零〇"))
        return None if right is None else left * scale + right
    return _parse_small(text)


def _parse_small(text: str) -> float | None:
    """Below ten thousand: Arabic digits, 三千五百, 三千五, 二〇一七, 三点五, 3千."""
    arabic = parse_arabic(text)
    if arabic is not None:
        return arabic
    if text[0].isdigit():
        # 3千, 1.5百: Arabic digits scaled by one Chinese unit.
        j = 0
        while j < len(text) and (text[j].isdigit() or text[j] in ".,"):
            j += 1
        head = parse_arabic(text[:j])
        rest = text[j:]
        if head is None or rest not in CN_SMALL_UNITS:
            return None
        return head * CN_SMALL_UNITS[rest]
    if "点" in text:
        whole, _, frac = text.partition("点")
        if not frac or any(c not in CN_DIGITS for c in frac):
            return None
        w = _parse_small(whole) if whole else 0.0
        if w is None:
            return None
        return float(f"{int(w)}.{''.join(str(CN_DIGITS[c]) for c in frac)}")
    if all(c in CN_DIGITS for c in text):
        if len(text) == 1:
            return float(CN_DIGITS[text])
        # 二〇一七: digit by digit, as years and codes are read. Two or three numerals side by side with
        # no zero among them are a rough range (两三 "two or three", 七八 "seven or eight") or a name
        # (九一八, 五四), never 23 or 918: those are not a number.
        if len(text) == 4 or len(text) > 2 and any(c in "零〇○Ｏ" for c in text):
            return float("".join(str(CN_DIGITS[c]) for c in text))
        return None
    if any(c not in CN_DIGITS and c not in CN_SMALL_UNITS for c in text):
        return None
    if text[0] in CN_SMALL_UNITS and text[0] not in "十拾":
        text = "一" + text  # 百万, 千亿: a bare unit counts one of it
    value = _units_value(text)
    if value is not None:
        return float(value)
    import cn2an  # 0.1 s to import: only when a Chinese numeral with units needs it

    # strict reads written forms (一千零一); normal also reads spoken ones (三千五 = 3,500, 一百二 = 120).
    # Neither is asked about a run of bare numerals: normal reads 三四 as 34, where Chinese means "3 or 4".
    for mode in ("strict", "normal"):
        try:
            return float(cn2an.cn2an(text.replace("两", "二").replace("兩", "二"), mode))
        except (ValueError, KeyError, IndexError, TypeError):
            continue
    return None


def _units_value(text: str) -> int | None:
    """三千五百 -> 3500, 十三 -> 13, 一千零一 -> 1001; None when the units are out of order (cn2an decides)."""
    total, digit, last_unit = 0, None, 10**5
    if len(text) >= 3 and text[-1] in CN_DIGITS and text[-2] in CN_SMALL_UNITS and text[-2] not in "十拾":
        return None  # 三千五 is 3,500: the colloquial reading, below
    for c in text:
        if c in CN_DIGITS:
            if digit is not None and CN_DIGITS[c] != 0 and digit != 0:
                return None  # two digits in a row: colloquial or digit-by-digit
            digit = CN_DIGITS[c]
        else:
            unit = CN_SMALL_UNITS[c]
            if unit >= last_unit:
                return None
            total += (1 if digit is None and unit == 10 and total == 0 else digit or 0) * unit
            if digit is None and not (unit == 10 and total == 10):
                return None
            digit, last_unit = None, unit
    return total + (digit or 0)


# English number words.
EN_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
            "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19}
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
           "eighty": 80, "ninety": 90}
EN_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
EN_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
               "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
               "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
               "nineteenth": 19, "twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50,
               "sixtieth": 60, "seventieth": 70, "eightieth": 80, "ninetieth": 90, "hundredth": 100,
               "thousandth": 1000}


def parse_en_words(words: list[str]) -> tuple[float, bool] | None:
    """Value of a run of English number words ('twenty', 'one') -> (21, False); ordinals give True.

    ``words`` are lower-case tokens with 'and' and hyphens already removed. ``None`` when the run is not a
    well-formed number ("two two", "twenty thirty", "five twelve").
    """
    total = 0.0
    current = 0.0
    last = None  # class of the previous word: unit, teen, tens, hundred, scale
    ordinal = False
    scales_seen: list[int] = []
    for w in words:
        if ordinal:
            return None
        if w in EN_UNITS or w in EN_ORDINALS and EN_ORDINALS[w] < 20:
            value = EN_UNITS[w] if w in EN_UNITS else EN_ORDINALS[w]
            kind = "unit" if value < 10 else "teen"
            if last in ("unit", "teen") or last == "tens" and kind == "teen":
                return None
            current += value
            ordinal = w in EN_ORDINALS
            last = kind
        elif w in EN_TENS or w in EN_ORDINALS and EN_ORDINALS[w] < 100 and w not in ("hundredth",):
            if last in ("unit", "teen", "tens"):
                return None
            current += EN_TENS[w] if w in EN_TENS else EN_ORDINALS[w]
            ordinal = w in EN_ORDINALS
            last = "tens"
        elif w in ("hundred", "hundredth"):
            if last in ("hundred", "tens") or current >= 100:
                return None
            current = (current or 1) * 100
            ordinal = w == "hundredth"
            last = "hundred"
        elif w in EN_SCALES or w == "thousandth":
            scale = 1000 if w == "thousandth" else EN_SCALES[w]
            if scales_seen and scale >= scales_seen[-1]:
                return None
            scales_seen.append(scale)
            total += (current or 1) * scale
            current = 0
            ordinal = w.endswith("th")
            last = "scale"
        else:
            return None
    if last is None:
        return None
    return total + current, ordinal
