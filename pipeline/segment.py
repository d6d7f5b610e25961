"""The segment stage: the structure of a Chinese news article or report.

reads: a normalised source text; gives: a ``Document`` (title, subtitle, byline, epigraph, sections of
paragraphs and photo captions, each block split into sentences with spans into the source).

The rules are those of Chinese newspapers and work reports in general:

- the title is the first line when it is short and does not read as a sentence; a subtitle opens with a
  dash (——); a byline names a reporter (本报记者, 记者, 通讯员, ...);
- an epigraph follows a label such as 题记 or 编者按, and runs over the short paragraphs under it;
- page chrome (buttons, breadcrumbs, the page's source and date labels, promotions, editors' credits; see
  ``pipeline.chrome``) is set apart as ``junk`` first, so the rest reads as the article alone;
- a report's header may put the occasion (2026年1月27日在…会议上, with or without a dash) and the speaker
  (省长 XXX) on one line: they are the subtitle and the byline; a speaker in brackets (（XXX，某大学校长）) is
  a byline too; a speech's date on a line of its own (（2025年12月20日）) is the subtitle, or its second line
  under the occasion, and the name over or under it the byline;
- a section heading is a short line with no sentence-final punctuation (often two phrases and a space); a
  numbered one (一、 / （一）) may end in a full stop, or run into its paragraph (（一）稳中求进。全年…): the
  heading is then the enumerator up to the first 。; a bracketed date alone is never a heading; a speaker's
  label (国家发展改革委副主任XXX：) heads what they said in a round-up; heading levels
  follow the enumerators (see ``outline_levels``);
- a photo caption is a short standalone one-sentence line that opens with a date with a month
  (2023年9月，...), or with 图为 / ▲, or ends with a photographer's credit (... 摄); in the body, a short
  line that only shows someone reporting or speaking (省长XXX作政府工作报告) is one too;
- a block that stops mid-sentence (no sentence-final mark) continues in the next block: page or PDF
  extraction broke it (贵 | 阳贵安), and it is joined back.

Every function here is pure: text in, spans out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.chrome import page_chrome
from pipeline.document import Block, BlockKind, Document, Piece, Section, Sentence
from pipeline.errors import NoChineseTextError
from pipeline.textio import has_chinese, normalise_text, read_text
from pipeline.wording import plural

# Sentence-final marks (Chinese and ASCII) and what may close a sentence after them.
SENTENCE_FINAL = "。！？；…!?;"
CLOSERS = "”’」』）》】〕〉\"')]"
# A block ending in one of these stops mid-sentence.
CONTINUING = "，、：,:（(《“‘—-～~·"

TITLE_MAX_CHARS = 64
HEADING_MAX_CHARS = 40
# A heading with a comma inside is a short parallel phrase (稳中求进，推动发展); a longer line with commas
# that stops without a full stop is the first half of a paragraph broken at a page or column end.
HEADING_WITH_COMMA_MAX_CHARS = 24
# Function words a phrase does not end on: a short line ending on one was cut mid-sentence.
MID_SENTENCE_ENDINGS = "的和与及或把被对从向将并而且"
NUMBERED_HEADING_MAX_CHARS = 60
CAPTION_MAX_CHARS = 100
BYLINE_MAX_CHARS = 60
EPIGRAPH_PARAGRAPH_MAX_CHARS = 120
# Labels of an editor's note, which is one paragraph (题记 and 引言 may run over several).
EDITORS_NOTE_LABELS = ("编者按", "编者的话", "编前语", "导语", "导读", "按语", "摘要")
# Lines scanned for title, subtitle, byline and epigraph label.
FRONT_MATTER_LINES = 8
# At most this many page numbers and captions stand between the two halves of a broken paragraph.
MAX_LINES_BETWEEN_HALVES = 3
DEFAULT_CLAUSE_BUDGET = 150
# Hard-wrapped text (PDF extraction, newspaper columns): most lines stop mid-sentence at one width. A line
# of at least this share of that width is a wrapped line, even when it is short enough for a heading.
WRAPPED_LINE_SHARE = 0.85
# Fewer unfinished lines than this are too few to tell a wrap width from chance.
WRAP_MIN_LINES = 6

_LINE = regex.compile(r"[^\n]+")
_EDGE_SPACE = regex.compile(r"^\s+|\s+$")
_DASH_OPENING = regex.compile(r"^(?:——|—|─{1,2}|―{1,2}|－{1,2}|-{2})")
# Who signs a news article: 本报记者 黄静, 通讯员 李四 (also read by ``pipeline.terminology`` for names).
REPORTER_TITLES = ("记者", "通讯员", "实习生", "特约撰稿", "撰稿", "撰文", "作者", "编辑", "摄影")
_REPORTER_TITLE = "(?:" + "|".join(REPORTER_TITLES) + ")"
# A reporter's title runs straight into the name only after an outlet (本报记者黄静, 新华社记者张三) or alone
# (记者张三); after other words it needs a space or a colon, or a headline (习近平同中外记者见面) reads as one.
_BYLINE = regex.compile(
    r"^[（(]?(?:(?:\p{Han}{0,9}[报社台网刊站闻体约席])?" + _REPORTER_TITLE
    + r"|\p{Han}{0,10}?" + _REPORTER_TITLE + r"(?=[\s\u3000:：/／｜|])|文|图|文/图|图/文|文／图"
    # The speaker of a report or speech: 贵阳市市长　马宁宇.
    r"|\p{Han}{0,12}?(?:市长|省长|县长|区长|主席|书记|主任|部长|总理|局长|厅长|委员长|院长|理事长|董事长)(?=[\s\u3000]))"
    r"\s*[:：/／｜|]?\s*\p{Han}{2,4}(?:[\s\u3000、,，]+\p{Han}{2,4})*\s*[）)]?$"
)
_EPIGRAPH_LABEL = regex.compile(r"^[【\[［]?(题记|编者按|编者的话|编前语|导语|导读|按语|引言|前言|摘要)"
                                r"[】\]］]?\s*(?:[:：]\s*)?")
_CAPTION_DATE = regex.compile(
    r"^(?:\d{4}|[〇零一二三四五六七八九]{4})年(?:\d{1,2}|[一二三四五六七八九十]{1,3})月"
    r"(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})日)?(?:[上下]午|晚|晚间)?[，,、\s]"
)
_CAPTION_MARK = regex.compile(r"^(?:图为|上图|下图|左图|右图|图片|▲|△|■)|(?:\s|（|\()?摄[）)]?$|摄影[）)]?$")
# Credits that close an article: (责任编辑：李四), 来源：新华社. Short, but not headings.
_CREDIT = regex.compile(r"^[（(【\[]?\s*(?:责任编辑|编辑|校对|审核|审校|(?:本文|稿件|文章)?来源"
                        r"|监制|统筹|值班编辑)\s*[:：]|^[（(]完[）)]$")
# A dateline or source line under the title: 2023-11-16 08:30　来源：人民网; 原标题：...
_META = regex.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s|$)|^(?:来源|发布时间|发布日期|原标题|原题)[:：]")
# Page furniture left by PDF extraction: a page number (4, — 3 —, 第3页, 3/12) on a line of its own.
_PAGE_MARK = regex.compile(r"^(?:[-—–－─\s]*\d{1,4}[-—–－─\s]*|第\s*\d{1,4}\s*页(?:\s*/?\s*共\s*\d{1,4}\s*页)?"
                           r"|\d{1,4}\s*/\s*\d{1,4})$")
_NUMBERED_HEADING = regex.compile(r"^(?:[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）"
                                  r"|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.、．]\s*\D)")
_HAN = regex.compile(r"\p{Han}")
# Enumerators of numbered headings, from the top level down, as official documents order them:
# 一、 / （一） / 1. 1、 1． / （1）.
_HEADING_LEVELS = (
    regex.compile(r"^[一二三四五六七八九十]{1,3}、"),
    regex.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]"),
    regex.compile(r"^\d{1,2}[.、．]"),
    regex.compile(r"^[（(]\d{1,2}[）)]"),
)
# An ordinal lead opens a paragraph, never a section: 第一，… / 一是… / 首先 (第一部分, 第一章 are headings).
_ORDINAL_LEAD = regex.compile(
    r"^(?:第[一二三四五六七八九十]{1,3}(?:[，,、：:]|是|个|条|点)|[一二三四五六七八九十]{1,3}是|首先|其次|此外|另外)")
# An appendix (附件, 附录 2) heads what follows it, whatever its enumerators: one level above them.
_APPENDIX = regex.compile(r"^(?:附件|附录|附表)\s*[\d一二三四五六七八九十]{0,2}\s*[:：]?$")
# Offices that name a speaker: a report's (省长 XXX), a bracketed one (（XXX，某大学副校长）) or the label
# that heads what one said in a round-up (国家发展改革委副主任XXX：).
SPEAKER_TITLES = (
    "委员长", "理事长", "董事长", "秘书长", "总经理", "总理", "主任", "部长", "局长", "主席", "书记", "省长",
    "市长", "县长", "区长", "州长", "行长", "署长", "司长", "厅长", "处长", "委员", "院长", "校长", "会长",
    "所长", "社长", "总裁", "教授", "研究员", "代表", "发言人", "经济学家", "专家", "学者", "院士",
)
_SPEAKER_TITLE = "(?:" + "|".join(SPEAKER_TITLES) + ")"
_BRACKETED_SPEAKER = regex.compile(
    r"^[（(]\p{Han}{2,4}[，,、]\s*[^（）()，。]{2,40}?" + _SPEAKER_TITLE + r"[）)]$")
_SPEAKER_LABEL = regex.compile(
    r"^\p{Han}[\p{Han}、·]{0,38}?" + _SPEAKER_TITLE + r"[\s\u3000]?(?P<name>\p{Han}{2,4})[：:]$")
# What follows a title in a sentence that quotes someone (局长表示：), where a name would stand in a label.
SPEECH_VERBS = (
    "说", "表示", "指出", "强调", "介绍", "认为", "提出", "称", "谈到", "坦言", "透露", "解释", "回答", "答",
    "问", "建议", "呼吁", "要求", "希望", "宣布",
)
# The occasion line under a report's title: ——2026年1月27日在…会议上 (the dash optional when the date is
# there, brackets allowed), with the speaker perhaps on the same line after a space.
_OCCASION = regex.compile(
    r"^(?P<subtitle>[（(]?(?P<dash>——|—|─{1,2}|―{1,2}|－{1,2}|-{2})?\s*"
    r"(?P<date>(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日)?\s*"
    r"在[^。；！？\s]{2,60}?[上时](?:的\p{Han}{0,6}(?:讲话|报告|发言|致辞|演讲))?[）)]?)"
    r"(?:[\s\u3000]+(?P<speaker>\S.*))?$"
)
# The date of a speech on a line of its own under its title or occasion: （2025年12月20日）, （二〇二五年十二月二十日）.
_DATE_LINE = regex.compile(
    r"^[（(]\s*(?:\d{4}|[〇零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日\s*[）)]$")
# The speaker under a report's occasion line: an office and a name (陕西省省长赵刚, 国务院总理 李强), or a
# name alone (李强, 王 沪 宁).
_SPEAKER_LINE = regex.compile(
    r"^(?:\p{Han}[\p{Han}、]{0,20}?" + _SPEAKER_TITLE + r"[\s\u3000]*\p{Han}{2,4}|\p{Han}(?:[\s\u3000]*\p{Han}){1,2})$")
# A photo of someone reporting or speaking, captioned without a credit: 省长XXX作政府工作报告.
_ACTION_CAPTION = regex.compile(r"^\p{Han}{2,20}(?:(?<!工)[作做]\p{Han}{0,10}报告|在\p{Han}{2,16}(?:讲话|致辞|发言))$")
ACTION_CAPTION_MAX_CHARS = 30
# A numbered heading run into its paragraph: 一、 or （一） up to the first 。 (and closing quotes after it).
_RUN_IN_HEADING = regex.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)])[^。；！？!?;\n]+。[”’」』]*")
_DIGIT = regex.compile(r"\d")
_LATIN_END = regex.compile(r"[A-Za-z0-9]$")
_LATIN_START = regex.compile(r"^[A-Za-z0-9]")


@dataclass(frozen=True)
class Line:
    """A non-blank source line, stripped of edge whitespace."""

    text: str
    start: int
    indented: bool = False  # the raw line opens with whitespace (　　 marks a new paragraph in many sources)
    wrapped: bool = False  # as wide as the text's hard wrap: it runs on into the next line

    @property
    def end(self) -> int:
        return self.start + len(self.text)


# --- sentences and clauses -------------------------------------------------------------------------------

def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` of ``text``, edge whitespace excluded, covering every other character.

    A sentence ends at 。！？；… (and ASCII ! ? ; and a full stop after a word), with any closing quotes or
    brackets that follow (”’）》」) kept in the sentence they close.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char in SENTENCE_FINAL or _is_full_stop(text, i):
            i += 1
            while i < n and (text[i] in SENTENCE_FINAL or text[i] == "."):
                i += 1
            while i < n and text[i] in CLOSERS:
                i += 1
            _add_span(spans, text, start, i)
            start = i
        else:
            i += 1
    _add_span(spans, text, start, n)
    return spans


def _is_full_stop(text: str, i: int) -> bool:
    """An ASCII full stop that ends an English sentence: after a letter or closer, before a space or the end."""
    if text[i] != "." or i == 0:
        return False
    before, after = text[i - 1], text[i + 1] if i + 1 < len(text) else " "
    return (before.isalpha() or before in CLOSERS) and (after.isspace() or _HAN.match(after) is not None)


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def split_clauses(text: str, budget: int = DEFAULT_CLAUSE_BUDGET) -> list[tuple[int, int]]:
    """Split an over-long sentence into clause spans of at most ``budget`` characters, for the model.

    Cuts go after ；/；, then ，/：, then 、; a clause with no such mark is cut at the budget. The spans
    cover ``text`` in order, so the parts can be mapped back to (and rejoined into) the parent sentence.
    """
    if budget < 1:
        raise ValueError(f"clause budget must be positive, got {budget}")
    if len(text) <= budget:
        return [(0, len(text))] if text else []
    for marks in ("；;", "，,：:", "、"):
        cuts = [m.end() for m in regex.finditer(f"[{regex.escape(marks)}][{regex.escape(CLOSERS)}]*", text)]
        cuts = [c for c in cuts if 0 < c < len(text) and not _inside_number(text, c)]
        if cuts:
            pieces = _pack([0, *cuts, len(text)], budget)
            return [span for a, b in pieces for span in _offset(split_clauses(text[a:b], budget), a)]
    return _hard_cuts(text, budget)


def _hard_cuts(text: str, budget: int) -> list[tuple[int, int]]:
    """Spans of at most ``budget`` characters, cut where no word or number is split when there is a choice."""
    spans, start = [], 0
    while len(text) - start > budget:
        cut = start + budget
        while cut > start + 1 and _joined(text[cut - 1], text[cut]):
            cut -= 1
        if cut == start + 1 and _joined(text[cut - 1], text[cut]):  # one long word: cut it at the budget
            cut = start + budget
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    return spans


def _joined(left: str, right: str) -> bool:
    """Two characters of one Latin word or one number (12.5, 12,345)."""
    word = "0123456789.,%"
    return (left.isascii() and right.isascii() and (left.isalnum() or left in word)
            and (right.isalnum() or right in word))


def _inside_number(text: str, cut: int) -> bool:
    """An ASCII comma or colon between digits is a thousands separator or a time (12,345; 9:30)."""
    return text[cut - 1] in ",:" and text[cut - 2: cut - 1].isdigit() and text[cut: cut + 1].isdigit()


def _pack(bounds: list[int], budget: int) -> list[tuple[int, int]]:
    """Greedily merge consecutive pieces between ``bounds`` while they fit the budget."""
    packed: list[tuple[int, int]] = []
    start = bounds[0]
    for previous, bound in itertools.pairwise(bounds):
        if bound - start > budget and previous > start:
            packed.append((start, previous))
            start = previous
    packed.append((start, bounds[-1]))
    return packed


def _offset(spans: list[tuple[int, int]], by: int) -> list[tuple[int, int]]:
    return [(a + by, b + by) for a, b in spans]


# --- line classification ---------------------------------------------------------------------------------

def heading_level(text: str) -> int:
    """The depth of a heading: 1 for 一、 parts and unnumbered headings, 2 for （一）, 3 for 1. / 1、, 4 for （1）."""
    for level, enumerator in enumerate(_HEADING_LEVELS, 1):
        if enumerator.match(text):
            return level
    return 1


def outline_levels(headings: list[str]) -> list[int]:
    """The level of each heading of an article, in order, from the enumerators and what encloses them.

    一、 parts are level 1, and so are unnumbered headings (a news piece's 小标题); （一）, 1. / 1、 / 1． and
    （1） go one level below the heading that encloses them, whatever it is: （一） under 一、 is 2, 1. under
    （一） is 3, （1） under 1. is 4, and 1. straight under an unnumbered 小标题 is 2. An appendix heading
    (附件) is level 1 and puts everything after it one level deeper.
    """
    levels: list[int] = []
    stack: list[int] = []  # the ranks of the open headings: 0 appendix, 1 一、 or unnumbered, 2 （一）, 3 1., 4 （1）
    for text in headings:
        rank = 0 if _APPENDIX.match(text) else heading_level(text)
        if rank == 0:
            stack = []
        elif rank == 1:  # a part or an unnumbered heading closes everything but an appendix
            stack = stack[:1] if stack and stack[0] == 0 else []
        else:
            while stack and stack[-1] >= rank:
                stack.pop()
        stack.append(rank)
        levels.append(len(stack))
    return levels


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with sentence-final punctuation (closing quotes and brackets aside)."""
    stripped = text.rstrip(CLOSERS + " ")
    return bool(stripped) and (stripped[-1] in SENTENCE_FINAL or stripped.endswith("."))


def is_heading(text: str) -> bool:
    """A short line that does not read as a sentence: no sentence-final mark, no trailing comma; and no
    ordinal lead (第一，… / 一是…), which opens a paragraph, never a section."""
    return _has_heading_shape(text) and not _ORDINAL_LEAD.match(text)


def _has_heading_shape(text: str) -> bool:
    numbered = _NUMBERED_HEADING.match(text) is not None
    limit = NUMBERED_HEADING_MAX_CHARS if numbered else HEADING_MAX_CHARS
    if (len(text) > limit or _CREDIT.match(text) or _META.search(text) or _PAGE_MARK.match(text)
            or _DATE_LINE.match(text) or ends_sentence(text) or text[-1] in CONTINUING
            or text[-1] in MID_SENTENCE_ENDINGS):
        return False
    # A numbered heading is often two parallel phrases (（一）着力扩大有效需求，推动经济稳中向好).
    if not numbered and len(text) > HEADING_WITH_COMMA_MAX_CHARS and any(mark in text for mark in "，,、"):
        return False
    # A heading is a phrase, not several sentences.
    return not any(mark in text for mark in "。；;")


def run_in_heading(text: str) -> int | None:
    """Where a numbered heading ending in a full stop ends, or None: （一）稳中求进，推动发展。全年… -> after 。.

    Only the top two enumerators (一、, （一）) head sections this way; the rest of the line, if any, is the
    section's first paragraph. A first sentence too long for a heading is a numbered paragraph.
    """
    match = _RUN_IN_HEADING.match(text)
    return match.end() if match and match.end() <= NUMBERED_HEADING_MAX_CHARS else None


def is_speaker_label(text: str) -> bool:
    """A line that names who speaks next, as in an interview round-up: 国家发展改革委副主任XXX：.

    Unlike a salutation (各位代表：) it names an office and a person; unlike a lead-in (局长表示：) the words
    after the office are a name, not a verb of saying.
    """
    match = _SPEAKER_LABEL.match(text)
    return match is not None and not any(verb in match.group("name") for verb in SPEECH_VERBS)


def is_action_caption(text: str) -> bool:
    """A photo caption with no credit that only shows someone reporting or speaking: 省长XXX作政府工作报告."""
    return len(text) <= ACTION_CAPTION_MAX_CHARS and _ACTION_CAPTION.match(text) is not None


def is_caption(text: str) -> bool:
    """A short one-sentence line opening with a date that has a month (2023年9月，), or marked as a photo."""
    if len(text) > CAPTION_MAX_CHARS:
        return False
    if _CAPTION_MARK.search(text):
        return True
    date = _CAPTION_DATE.match(text)
    if not date or not ends_sentence(text):
        return False
    # A caption names who did what (2023年9月，市长调研企业。); a line that goes on to give figures
    # (2024年1月，全市新增就业1.2万人。) is a report, a body paragraph.
    return len(split_sentences(text)) == 1 and not _DIGIT.search(text, date.end())


def is_byline(text: str) -> bool:
    """A reporter or speaker line: 本报记者 黄静, 新华社记者 张三 李四, 文/王五, 省长 XXX, （XXX，某大学副校长）."""
    return len(text) <= BYLINE_MAX_CHARS and (_BYLINE.match(text) is not None
                                              or _BRACKETED_SPEAKER.match(text) is not None)


def is_title(text: str) -> bool:
    """A short line that is not a sentence: no full stop in it (a 。 inside is prose cut by a line break)."""
    return (len(text) <= TITLE_MAX_CHARS and not text.endswith(("；", "，", "、", "：", ":"))
            and "。" not in text and not is_byline(text) and not is_caption(text) and not _DASH_OPENING.match(text))


def wrap_width(lines: list[Line]) -> int | None:
    """The width text was hard-wrapped at, or None: most lines stop mid-sentence, at nearly one length."""
    unfinished = sorted(len(line.text) for line in lines if not ends_sentence(line.text))
    if len(unfinished) < WRAP_MIN_LINES or len(unfinished) < 0.6 * len(lines):
        return None
    width = unfinished[len(unfinished) // 2]
    near = sum(1 for n in unfinished if abs(n - width) <= 0.15 * width)
    return width if near >= 0.7 * len(unfinished) else None


# --- the stage --------------------------------------------------------------------------------------------

def source_lines(source: str) -> list[Line]:
    """The non-blank lines of ``source``, edge whitespace stripped, with their offsets."""
    lines = []
    for match in _LINE.finditer(source):
        text = match.group()
        stripped = text.strip()
        if stripped:
            offset = text.index(stripped)
            lines.append(Line(stripped, match.start() + offset, indented=offset > 0))
    # Where most paragraphs open with an indent, an indent is a paragraph start, never a continuation.
    if sum(line.indented for line in lines) < len(lines) / 2:
        lines = [Line(line.text, line.start) for line in lines]
    # In hard-wrapped text a line as wide as the wrap is a wrapped line, even one short enough for a heading.
    width = wrap_width(lines)
    if width:
        lines = [Line(line.text, line.start, line.indented, len(line.text) >= WRAPPED_LINE_SHARE * width)
                 for line in lines]
    return lines


def segment_text(source: str, *, path: str | None = None, encoding: str | None = None) -> Document:
    """Segment a normalised source text into a ``Document``."""
    document = Document(source=source, path=path, encoding=encoding)
    lines = source_lines(source)
    chrome = page_chrome([line.text for line in lines])
    document.furniture.extend(_block("junk", lines[index]) for index in sorted(chrome))
    lines = [line for index, line in enumerate(lines) if index not in chrome]
    position = _front_matter(document, lines)
    position = _epigraph(document, lines, position)
    _body(document, lines[position:])
    document.furniture.sort(key=lambda block: block.start)
    headed = [section for section in document.sections if section.heading is not None]
    for section, level in zip(headed, outline_levels([section.heading.text for section in headed])):
        section.level = level
    for _, block in document.blocks():
        block.sentences = _sentences(block)
    return document


def _sentences(block: Block) -> list[Sentence]:
    """The block's sentences with their source spans (linear in the block's pieces and sentences)."""
    text, to_source = block.text, block.source_mapper()
    return [Sentence(text[a:b], to_source(a), to_source(b - 1) + 1) for a, b in split_sentences(text)]


def segment_file(path: str | Path) -> Document:
    """Read an article file (see ``pipeline.textio``) and segment it; refuses a text with no Chinese."""
    source = read_text(path)
    _require_chinese(source.text, source.path)
    return segment_text(source.text, path=source.path, encoding=source.encoding)


def segment_article(text: str, *, path: str | None = None) -> Document:
    """Normalise an article given as a string (``pipeline.textio.normalise_text``) and segment it; refuses a
    text with no Chinese, as ``segment_file`` does."""
    text = normalise_text(text)
    _require_chinese(text, path or "the text")
    return segment_text(text, path=path)


def _require_chinese(text: str, name: str) -> None:
    if not has_chinese(text):
        raise NoChineseTextError(f"{name}: no Chinese text found (it looks like English or another language); "
                                 "nothing to do")


def _block(kind: BlockKind, line: Line) -> Block:
    return Block(kind, [Piece(line.text, line.start)])


def _front_matter(document: Document, lines: list[Line]) -> int:
    """Kicker, title, subtitle and byline; returns the index of the first line after them.

    Newspapers stack up to three headlines: a kicker (引题), the main title, and a subtitle (副题, often
    opening with ——), then a byline or a date/source line. When such a line follows a few title-like
    lines, they are all headlines; otherwise only the first line can be the title.
    """
    if not lines or lines[0].wrapped or not is_title(lines[0].text) or _EPIGRAPH_LABEL.match(lines[0].text):
        return 0
    heads = 1
    for index, line in enumerate(lines[1:4], 1):
        if _is_meta(line.text):
            if all(is_title(x.text) or _DASH_OPENING.match(x.text) for x in lines[1:index]):
                heads = index
            break
    headlines = lines[:heads]
    dashed = [x for x in headlines[1:] if _DASH_OPENING.match(x.text)]
    plain = [x for x in headlines if x not in dashed]
    if len(plain) == 3 or (len(plain) == 2 and dashed):
        document.kicker = _block("kicker", plain[0])
        plain = plain[1:]
    document.title = _block("title", plain[0])
    subtitle = dashed[0] if dashed else (plain[1] if len(plain) > 1 else None)
    if subtitle is not None:
        document.subtitle = _block("subtitle", subtitle)
    position = heads
    while position < min(len(lines), FRONT_MATTER_LINES):
        line = lines[position]
        occasion = _OCCASION.match(line.text)
        if not document.subtitle and occasion and (occasion.group("dash") or occasion.group("date")) \
                and (not occasion.group("speaker") or _is_speaker(occasion.group("speaker"))):
            _occasion_line(document, line, occasion)
        elif _DATE_LINE.match(line.text) and not (document.subtitle and _is_dated(document.subtitle)):
            _add_to_subtitle(document, line)  # the speech's date: part of its subtitle
        elif not document.byline and _is_speaker(line.text) and (
                (document.subtitle and _is_occasion(document.subtitle))
                or (position + 1 < len(lines) and _DATE_LINE.match(lines[position + 1].text))):
            document.byline = _block("byline", line)  # under the occasion, or over the date (张三 | （…日）)
        elif not document.subtitle and _DASH_OPENING.match(line.text) and len(line.text) <= TITLE_MAX_CHARS \
                and not ends_sentence(line.text):
            document.subtitle = _block("subtitle", line)
        elif not document.byline and _is_meta(line.text):
            document.byline = _block("byline", line)
        else:
            break
        position += 1
    return position


def _occasion_line(document: Document, line: Line, occasion: regex.Match) -> None:
    """The subtitle, and the byline when the speaker shares its line (…会议上 陕西省省长 XXX)."""
    if not occasion.group("speaker") or document.byline:
        document.subtitle = _block("subtitle", line)
        return
    document.subtitle = Block("subtitle", [Piece(occasion.group("subtitle"), line.start)])
    document.byline = Block("byline", [Piece(occasion.group("speaker"), line.start + occasion.start("speaker"))])


def _add_to_subtitle(document: Document, line: Line) -> None:
    """The subtitle, or its next line: a speech's date under its occasion (——在…会议上的讲话 | （2025年12月20日）)."""
    if document.subtitle is None:
        document.subtitle = _block("subtitle", line)
    else:
        document.subtitle.pieces.append(Piece(line.text, line.start))


def _is_occasion(subtitle: Block) -> bool:
    """A subtitle that gives a report's or speech's occasion or date, so the line under it names the speaker."""
    return any(_OCCASION.match(piece.text) or _DATE_LINE.match(piece.text) for piece in subtitle.pieces)


def _is_dated(subtitle: Block) -> bool:
    return any(_DATE_LINE.match(piece.text) for piece in subtitle.pieces)


def _is_speaker(text: str) -> bool:
    """Who gives the report, on the occasion line or under it: 陕西省省长 XXX, 省长XXX, a name alone."""
    return is_byline(text) or _SPEAKER_LINE.match(text) is not None


def _is_meta(text: str) -> bool:
    """A byline, or a date and source line the page chrome left (2023年11月16日　人民网)."""
    return is_byline(text) or (_META.search(text) is not None and len(text) <= 80)


def _epigraph(document: Document, lines: list[Line], position: int) -> int:
    """An epigraph under a label (题记, 编者按, ...): the label's own line, then the paragraphs under it.

    An editor's note (编者按, 导语, ...) is one paragraph. Under 题记 or 引言 the epigraph runs over the short
    paragraphs that follow, up to the first long one, a heading or a caption, and never takes the whole
    article: if nothing ends it, it is the first paragraph alone.
    """
    if position >= len(lines):
        return position
    line = lines[position]
    label = _EPIGRAPH_LABEL.match(line.text)
    if not label:
        return position
    label_text = line.text[: label.end()].rstrip()
    document.epigraph_label = Block("epigraph_label", [Piece(label_text, line.start)])
    rest = line.text[label.end():]
    position += 1
    if rest:  # 编者按：text on the same line: that paragraph is the epigraph
        document.epigraph.append(Block("epigraph", [Piece(rest, line.start + label.end())]))
        return position
    one_paragraph = label.group(1) in EDITORS_NOTE_LABELS
    start = position
    while position < len(lines):
        if is_heading(lines[position].text) or is_caption(lines[position].text):
            break
        paragraph, after = _paragraph_at(lines, position, "epigraph")
        if len(paragraph.text) > EPIGRAPH_PARAGRAPH_MAX_CHARS and document.epigraph:
            break
        document.epigraph.append(paragraph)
        position = after
        if one_paragraph or len(paragraph.text) > EPIGRAPH_PARAGRAPH_MAX_CHARS:
            break
    if position >= len(lines) and len(document.epigraph) > 1:  # nothing ended it: the body was swallowed
        document.epigraph = document.epigraph[:1]
        position = start
        _, position = _paragraph_at(lines, position, "epigraph")
    for paragraph in document.epigraph:
        _record_joins(document, paragraph)
    return position


def _paragraph_at(lines: list[Line], position: int, kind: BlockKind,
                  aside: list[Line] | None = None) -> tuple[Block, int]:
    """The paragraph starting at ``lines[position]``, joined over breaks; returns it and the next index.

    Only whole lines that continue an unfinished one are joined; an indented line stops it. Page numbers
    and photo captions met between the two halves of a broken paragraph (PDF extraction puts them there)
    are stepped over and added to ``aside``, when given, for the caller to place.
    """
    pieces = [Piece(lines[position].text, lines[position].start)]
    position += 1
    while position < len(lines) and _unfinished(lines[position - 1]):
        between = position
        while aside is not None and between < len(lines) and between - position < MAX_LINES_BETWEEN_HALVES \
                and (_PAGE_MARK.match(lines[between].text) or is_caption(lines[between].text)):
            between += 1
        if between >= len(lines) or not _continues(lines[between]):
            break
        if aside is not None:
            aside.extend(lines[position:between])
        previous, line = pieces[-1].text, lines[between]
        joiner = " " if _LATIN_END.search(previous) and _LATIN_START.match(line.text) else ""
        pieces.append(Piece(line.text, line.start, joiner))
        position = between + 1
    return Block(kind, pieces), position


def _unfinished(line: Line) -> bool:
    # A line ending in a colon opens what follows (各位代表：, a quote, a list): the next line is its own,
    # unless the colon only fell at the end of a hard-wrapped line. So does a short ordinal lead standing as
    # a line of its own (第一，坚持稳中求进): a paragraph of one phrase, not half of one.
    if line.wrapped:
        return not ends_sentence(line.text)
    return not (ends_sentence(line.text) or line.text.endswith(("：", ":"))
                or (_ORDINAL_LEAD.match(line.text) and _has_heading_shape(line.text)))


def _continues(line: Line) -> bool:
    return not (line.indented or is_caption(line.text) or _NUMBERED_HEADING.match(line.text)
                or _PAGE_MARK.match(line.text))


def _body(document: Document, lines: list[Line]) -> None:
    """Sections of paragraphs and captions; levels are set afterwards, from all the headings."""
    section = Section(heading=None)
    document.sections.append(section)
    position = 0
    while position < len(lines):
        line = lines[position]
        run_in = None if line.wrapped else run_in_heading(line.text)
        if _PAGE_MARK.match(line.text):
            document.furniture.append(_block("page_number", line))
            position += 1
        elif is_caption(line.text) or is_action_caption(line.text):
            section.blocks.append(_block("caption", line))
            position += 1
        elif run_in is not None:
            section = Section(heading=Block("heading", [Piece(line.text[:run_in], line.start)]))
            document.sections.append(section)
            rest = line.text[run_in:]
            if rest.strip():  # the rest of the line is the section's first paragraph
                offset = run_in + len(rest) - len(rest.lstrip())
                lines[position] = Line(line.text[offset:], line.start + offset, wrapped=line.wrapped)
                position = _add_paragraph(document, section, lines, position)
            else:
                position += 1
        elif not line.wrapped and (is_heading(line.text) or is_speaker_label(line.text)):
            section = Section(heading=_block("heading", line))
            document.sections.append(section)
            position += 1
        elif _META.search(line.text) or _CREDIT.match(line.text):  # 原标题：..., （完）: a line of its own
            section.blocks.append(_block("paragraph", line))
            position += 1
        else:
            position = _add_paragraph(document, section, lines, position)
    if document.sections[0].heading is None and not document.sections[0].blocks:
        document.sections.pop(0)


def _add_paragraph(document: Document, section: Section, lines: list[Line], position: int) -> int:
    """Add the paragraph at ``lines[position]`` to ``section``, with the captions and page numbers met
    between its broken halves; returns the index of the line after it."""
    aside: list[Line] = []
    paragraph, position = _paragraph_at(lines, position, "paragraph", aside)
    section.blocks.append(paragraph)
    _record_joins(document, paragraph)
    for line in aside:  # after the paragraph, which starts before them
        if _PAGE_MARK.match(line.text):
            document.furniture.append(_block("page_number", line))
        else:
            section.blocks.append(_block("caption", line))
    return position


def _record_joins(document: Document, block: Block) -> None:
    text = block.text
    position = 0
    for piece in block.pieces[:-1]:
        position += len(piece.joiner) + len(piece.text)
        document.repaired_joins.append(text[max(0, position - 6): position + 6])


# --- views ------------------------------------------------------------------------------------------------

def document_to_json(document: Document, *, clause_budget: int | None = None) -> dict:
    """The JSON of ``brief segment --json``, built from ``Document.to_dict``.

    The contract other tools read (kicker, title, subtitle, byline, epigraph, sections with their
    ``level``, captions, ``junk``: the page chrome set apart, never translated) and spans and sentences for
    tools that point back at the source; ``document`` is the whole ``Document.to_dict()``, which
    ``Document.from_dict`` reads back.
    """
    data = document.to_dict()

    def text(block: dict | None) -> str | None:
        return block["text"] if block is not None else None

    def detail(block: dict) -> dict:
        sentences = []
        for sentence in block["sentences"]:
            item = {"text": sentence["text"], "start": sentence["start"], "end": sentence["end"]}
            if clause_budget:
                item["clauses"] = [sentence["text"][a:b] for a, b in split_clauses(sentence["text"], clause_budget)]
            sentences.append(item)
        return {"kind": block["kind"], "text": block["text"], "start": block["start"], "end": block["end"],
                "sentences": sentences}

    def of_kind(blocks: list[dict], kind: str) -> list[dict]:
        return [b for b in blocks if b["kind"] == kind]

    front = [data[name] for name in ("kicker", "title", "subtitle", "byline", "epigraph_label")]
    front = sorted((b for b in front + data["epigraph"] if b is not None), key=lambda b: b["start"])
    return {
        "schema_version": data["schema_version"],
        "kicker": text(data["kicker"]),
        "title": text(data["title"]),
        "subtitle": text(data["subtitle"]),
        "byline": text(data["byline"]),
        "epigraph_label": text(data["epigraph_label"]),
        "epigraph": [b["text"] for b in data["epigraph"]],
        "sections": [
            {
                "heading": text(section["heading"]),
                "level": section["level"],
                "paragraphs": [b["text"] for b in of_kind(section["blocks"], "paragraph")],
                "captions": [b["text"] for b in of_kind(section["blocks"], "caption")],
                "sentence_counts": [len(b["sentences"]) for b in of_kind(section["blocks"], "paragraph")],
                "blocks": [detail(b) for b in ([section["heading"]] if section["heading"] else [])
                           + section["blocks"]],
            }
            for section in data["sections"]
        ],
        "captions": [b["text"] for section in data["sections"] for b in of_kind(section["blocks"], "caption")],
        "repaired_joins": data["repaired_joins"],
        "page_numbers": [b["text"] for b in of_kind(data["furniture"], "page_number")],
        "junk": [b["text"] for b in of_kind(data["furniture"], "junk")],
        "front_matter": [detail(b) for b in front],
        "source": {"path": data["path"], "encoding": data["encoding"], "characters": len(data["source"])},
        "document": data,
    }


def format_outline(document: Document, *, clause_budget: int | None = None, width: int = 48) -> str:
    """A human-readable outline: front matter, then the sections as a tree indented by level, each with its
    paragraphs and captions, then the page chrome set apart (not translated)."""

    def short(text: str) -> str:
        return text if len(text) <= width else text[: width - 1] + "…"

    out = []
    front = (("kicker", document.kicker), ("title", document.title), ("subtitle", document.subtitle),
             ("byline", document.byline))
    out.extend(f"{label + ':':10}{block.text}" for label, block in front if block is not None)
    if document.epigraph:
        label = document.epigraph_label.text if document.epigraph_label else "epigraph"
        out.append(f"{'epigraph:':10}{len(document.epigraph)} paragraphs under {label}")
        out.extend(f"  ¶ {len(b.sentences):2d} sent  {short(b.text)}" for b in document.epigraph)
    for number, section in enumerate(document.sections, 1):
        indent = "  " * ((section.level or 1) - 1)
        heading = section.heading.text if section.heading else "(lead, no heading)"
        sentences = sum(len(b.sentences) for b in section.paragraphs)
        out.append(f"\n{indent}section {number}: {heading}")
        out.append(f"{indent}  {plural(len(section.paragraphs), 'paragraph')}, {plural(sentences, 'sentence')}, "
                   f"{plural(len(section.captions), 'caption')}")
        for block in section.blocks:
            if block.kind == "caption":
                out.append(f"{indent}  [caption]     {short(block.text)}")
                continue
            clauses = ""
            if clause_budget:
                count = sum(len(split_clauses(s.text, clause_budget)) for s in block.sentences)
                clauses = f" ({count} clauses)"
            out.append(f"{indent}  ¶ {len(block.sentences):2d} sent{clauses}  {short(block.text)}")
    junk = [block for block in document.furniture if block.kind == "junk"]
    if junk:
        out.append(f"\npage chrome, set apart and not translated ({plural(len(junk), 'line')}):")
        out.extend(f"  [junk]        {short(block.text)}" for block in junk)
    joins = len(document.repaired_joins)
    out.append(f"\n{plural(joins, 'broken paragraph')} joined; "
               f"{sum(1 for _ in document.sentences())} sentences in all")
    return "\n".join(out)
