"""Terminology for the translate stage: the glossary and the romanisation of person names.

reads: source text; gives: the glossary terms and person names in it, with the English each must become.

The default glossary (``pipeline/data/glossary.tsv``) holds general terms of Chinese political and news
reporting (政协 -> CPPCC, 强省会 -> the "Strong Provincial Capital" initiative). A user glossary in the same
format (``Chinese<TAB>English``, ``#`` comments) wins over it. Lookup is leftmost, longest match first, so
政协委员 is one term and not 政协 + 委员.

Person names are romanised with pypinyin, surname first and the given name joined (石邦林 -> Shi Banglin).
A name is found when the glossary lists it (an entry with an empty English column), or by a deliberately
narrow rule: a title (主席, 书记, 记者, ...) followed by a common surname and one or two more characters,
followed in turn by punctuation, the end of the text, or a word that typically follows a name
(带队, 调研, 表示, ...). ``find_names`` runs over the whole document, so a name spotted once is romanised the
same way everywhere in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import regex

from pipeline.errors import InputError
from pipeline.segment import REPORTER_TITLES

# --- the glossary -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A source span that must come out as ``english``; ``kind`` is 'term' (glossary) or 'name' (person)."""

    start: int
    end: int
    chinese: str
    english: str
    kind: str


@dataclass
class Glossary:
    """Chinese term -> English, plus the person names the user listed (Chinese name -> romanisation)."""

    terms: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def merged(self, other: Glossary) -> Glossary:
        """A glossary with ``other``'s entries added; where both have an entry, ``other`` wins."""
        terms = {k: v for k, v in self.terms.items() if k not in other.names}
        names = {k: v for k, v in self.names.items() if k not in other.terms}
        return Glossary({**terms, **other.terms}, {**names, **other.names})

    def find(self, text: str, names: dict[str, str] | None = None) -> list[Term]:
        """Every glossary term and name in ``text``, leftmost-longest, not overlapping, in text order.

        ``names`` adds person names found in the document (see ``find_names``) to the glossary's own.
        """
        entries = {**{k: (v, "term") for k, v in self.terms.items()},
                   **{k: (v, "name") for k, v in {**self.names, **(names or {})}.items()}}
        if not entries or not text:
            return []
        pattern = _alternation(tuple(entries))
        return [Term(m.start(), m.end(), m.group(), *entries[m.group()]) for m in pattern.finditer(text)]


_PATTERNS: dict[tuple[str, ...], regex.Pattern] = {}


def _alternation(keys: tuple[str, ...]) -> regex.Pattern:
    """One regex over all keys, longest first: at any position the longest term wins."""
    pattern = _PATTERNS.get(keys)
    if pattern is None:
        ordered = sorted(keys, key=lambda k: (-len(k), k))
        pattern = regex.compile("|".join(regex.escape(k) for k in ordered))
        if len(_PATTERNS) > 64:  # a long batch with per-document names: keep the cache small
            _PATTERNS.clear()
        _PATTERNS[keys] = pattern
    return pattern


def parse_glossary(text: str, name: str = "glossary") -> Glossary:
    """Parse ``Chinese<TAB>English`` lines; ``#`` starts a comment, blank lines are skipped.

    An entry with an empty English column is a person's name, romanised with ``romanise_name``.
    Raises ``InputError`` naming the line for a line without a tab or with an empty Chinese column.
    """
    glossary = Glossary()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].rstrip("\r\n")
        if not line.strip():
            continue
        if "\t" not in line:
            raise InputError(f"{name}, line {number}: expected 'Chinese<TAB>English', got {line.strip()!r}")
        chinese, english = (part.strip() for part in line.split("\t", 1))
        if not chinese:
            raise InputError(f"{name}, line {number}: the Chinese column is empty")
        if english:
            glossary.terms[chinese] = english
        else:
            glossary.names[chinese] = romanise_name(chinese)
    return glossary


def default_glossary() -> Glossary:
    """The glossary shipped with the package (``pipeline/data/glossary.tsv``)."""
    data = resources.files("pipeline").joinpath("data/glossary.tsv").read_text(encoding="utf-8")
    return parse_glossary(data, "default glossary")


def load_glossary(path: str | Path | None = None, *, default: bool = True) -> Glossary:
    """The default glossary (unless ``default`` is False) with the user's TSV file at ``path`` over it."""
    glossary = default_glossary() if default else Glossary()
    if path is not None:
        from pipeline.textio import read_text

        glossary = glossary.merged(parse_glossary(read_text(path).text, str(path)))
    return glossary


# --- person names -----------------------------------------------------------------------------------------

# Two-character surnames (欧阳修 -> Ouyang Xiu).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 司徒 夏侯 公孙 长孙 尉迟 宇文 端木 澹台 南宫 西门 轩辕 呼延 独孤 "
    "万俟 闻人 赫连 申屠 钟离 东郭 单于".split()
)

# Common single-character surnames (roughly the most frequent 120). Characters that are far more often
# a function word or the start of a common word (于, 向, 成, 高, 严, 安, 方, 万, 常, 时, 文, 华, 来, 班) are
# left out: the title rule must not read 委员高度重视 or 书记严格要求 as a name.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付邱侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵钱覃武戴莫孔汤"
    "尤易殷喻耿鲁葛伍柳翁聂庞包施祝欧齐牛"
)

# Surnames whose reading differs from the character's common reading (曾 Zeng, not Ceng).
SURNAME_READINGS = {
    "单": "Shan", "曾": "Zeng", "解": "Xie", "区": "Ou", "查": "Zha", "朴": "Piao", "乐": "Yue", "仇": "Qiu",
    "覃": "Qin", "盖": "Ge", "缪": "Miao", "翟": "Zhai", "种": "Chong", "召": "Shao", "员": "Yun",
    "秘": "Bi", "宓": "Mi", "黑": "He", "折": "She", "句": "Gou", "祭": "Zhai", "长孙": "Zhangsun",
    "尉迟": "Yuchi", "万俟": "Moqi", "单于": "Chanyu", "令狐": "Linghu",
}

# Titles a name follows in news text (记者 黄静, 市委书记胡忠雄, 副主席宋平).
NAME_TITLES = ("主席", "书记", "记者", "委员", "主委", "主任", "市长", "省长", "区长", "县长")

# Words that typically follow a name. A three-character name may be followed by any of them; a two-character
# one (surname + one character, more often an ordinary word: 任务, 周密) only by those of AFTER_NAME, so that
# 书记任务在 does not yield a name 任务.
AFTER_NAME = (
    "带队 调研 主持 出席 参加 指出 强调 表示 介绍 认为 要求 讲话 致辞 发言 会见 看望 走访 深入 前往 陪同 宣布 听取 "
    "提出 希望 一行 同志 率队 率领 首先 随后 说 等"
).split()
AFTER_LONG_NAME = AFTER_NAME + "在 对 向 为 到 率 以 从 与 和 及 也 还 又 就 赴 作 称 是 的".split()

_NAME_AFTER_TITLE = regex.compile(
    "(?:" + "|".join(NAME_TITLES) + r")[ \t\u3000]*(\p{Han}{2,4})"
)
_BYLINE_NAMES = regex.compile(r"(?:" + "|".join(REPORTER_TITLES) + r")[\s:：/／]*((?:\p{Han}{2,3}[\s\u3000、,，]*)+)$")
_BOUNDARY = regex.compile(r"^(?:$|[\s\p{P}\p{S}\p{N}A-Za-z])")


def is_name_end(text: str, end: int, *, given_length: int = 2) -> bool:
    """True when a name may end at ``text[end]``: punctuation, space, the end, or a word that follows names.

    ``given_length`` is the length of the given name: after a one-character given name only the words of
    ``AFTER_NAME`` count, after a longer one those of ``AFTER_LONG_NAME``.
    """
    rest = text[end:end + 2]
    words = AFTER_LONG_NAME if given_length >= 2 else AFTER_NAME
    return _BOUNDARY.match(rest) is not None or any(rest.startswith(w) for w in words)


def _surname_length(candidate: str) -> int:
    """1 or 2 for a candidate that opens with a common single or a compound surname, else 0."""
    if candidate[:2] in COMPOUND_SURNAMES:
        return 2
    return 1 if candidate[:1] in COMMON_SURNAMES else 0


def find_names(text: str) -> dict[str, str]:
    """Person names in ``text`` found by the title rule (副主席宋平带队 -> 宋平), each with its romanisation.

    The rule is narrow on purpose: a title from ``NAME_TITLES``, then a common surname and one or two
    given-name characters (two or three after a compound surname), then punctuation, the end of the text
    or a word from ``AFTER_NAME``. A three-character reading is preferred when both fit. Names in a byline
    (本报记者 张三 李四) are found too.
    """
    names: dict[str, str] = {}
    for match in _NAME_AFTER_TITLE.finditer(text, overlapped=True):
        candidate, start = match.group(1), match.start(1)
        surname = _surname_length(candidate)
        if not surname:
            continue
        for length in (surname + 2, surname + 1):
            if length <= len(candidate) and is_name_end(text, start + length, given_length=length - surname):
                name = candidate[:length]
                names.setdefault(name, romanise_name(name))
                break
    for line in text.splitlines():
        byline = _BYLINE_NAMES.search(line.strip())
        if byline:
            for name in regex.split(r"[\s\u3000、,，]+", byline.group(1).strip()):
                if 2 <= len(name) <= 3 and _surname_length(name):
                    names.setdefault(name, romanise_name(name))
    return names


def romanise_name(name: str) -> str:
    """Hanyu Pinyin of a Chinese person's name, surname first: 石邦林 -> 'Shi Banglin', 欧阳修 -> 'Ouyang Xiu'.

    Surnames with a special reading use it (曾 -> Zeng, 单 -> Shan); syllables of the given name are joined,
    with an apostrophe before one that opens with a, o or e (建安 -> Jian'an); ü is written ü (吕 -> Lü).
    """
    from pypinyin import Style, lazy_pinyin

    name = name.strip()
    if not name:
        return name
    length = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    surname, given = name[:length], name[length:]
    surname_latin = SURNAME_READINGS.get(surname) or _join(lazy_pinyin(surname, style=Style.NORMAL, v_to_u=True))
    parts = [surname_latin.capitalize()]
    if given:
        parts.append(_join(lazy_pinyin(given, style=Style.NORMAL, v_to_u=True)).capitalize())
    return " ".join(parts)


def _join(syllables: list[str]) -> str:
    out = ""
    for syllable in syllables:
        if out and syllable[:1] in "aoe":
            out += "'"
        out += syllable
    return out
