"""Words that contain a numeral: which numerals in a Chinese text belong to a name or a word, not a figure.

reads: a Chinese string; gives: the spans (start, end) of dictionary words (jieba's dictionary, 349,000 words with a
frequency and a part of speech) that hold a numeral character without counting anything: places and
firms (三峡, 八达岭, 五粮液, 五角大楼), proper nouns (三星), common nouns and idioms (八卦, 三明治, 四面八方).

The dictionary is read once, on the first text that needs it (about 0.2 s), and only its words with a
numeral character are kept (23,000). Only names, common nouns and idioms count: words tagged as numerals,
measures, times or attributes (三个, 十年, 九月, 三级) are figures.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import regex

NUMERALS = "零〇○一二三四五六七八九两兩十百千万萬亿億"
# Parts of speech (jieba's tags, from the ICTCLAS tag set) whose numerals belong to the word: names of a
# place (ns), organisation (nt), person (nr, nrt, nrfg) or other proper noun (nz); common nouns (n), idioms
# (i) and fixed phrases (l). The tags are a guide, not the truth (二十大 "the 20th Congress" is tagged nrt), so
# the extractor looks for dates, ordinals and percentages first and marks a word's numeral soft, not absent.
WORD_TAGS = frozenset({"ns", "nt", "nr", "nrt", "nrfg", "nz", "n", "i", "l"})
# A dictionary word this rare is as likely a chance string (两国 is tagged a place, 3 occurrences).
MIN_FREQUENCY = 10
LONGEST_WORD = 7


@cache
def _numeral_words() -> frozenset[str]:
    """The dictionary's names, nouns and idioms with a numeral character."""
    import jieba  # only its dictionary file is read, not its tokenizer

    path = Path(jieba.__file__).parent / "dict.txt"
    text = path.read_text(encoding="utf-8")
    return frozenset(word for word, freq, tag in regex.findall(rf"(?m)^(\S*[{NUMERALS}]\S*) (\d+) (\w+)$", text)
                     if int(freq) >= MIN_FREQUENCY and len(word) <= LONGEST_WORD and tag in WORD_TAGS)


_RUN = regex.compile(rf"[{NUMERALS}]+")


def numeral_words(text: str) -> list[tuple[int, int]]:
    """The dictionary words of ``text`` that hold a numeral without counting with it: at each run of
    numerals, the longest such word that covers part of the run."""
    words = None
    out: list[tuple[int, int]] = []
    taken_to = 0
    for run in _RUN.finditer(text):
        if run.start() < taken_to:
            continue
        if words is None:
            words = _numeral_words()
        best = None
        for start in range(max(taken_to, run.start() - LONGEST_WORD + 1), run.end()):
            for end in range(min(len(text), start + LONGEST_WORD), max(start + 1, run.start() + 1), -1):
                if end - start < 2 or end <= run.start():
                    continue
                word = text[start:end]
                if word not in words or not _word_edges_ok(text, start, end):
                    continue
                if best is None or end - start > best[1] - best[0]:
                    best = (start, end)
                break
        if best is None:
            continue
        out.append(best)
        taken_to = best[1]
    return out


def _word_edges_ok(text: str, start: int, end: int) -> bool:
    """A word found inside a longer numeral is a chance string: 三亚 in 一三亚 is not the city."""
    before = text[start - 1:start]
    after = text[end:end + 1]
    return not (before and before in NUMERALS + "第" and text[start] in NUMERALS) \
        and not (after and after in NUMERALS and text[end - 1] in NUMERALS)
