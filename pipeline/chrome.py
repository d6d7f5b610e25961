"""Page chrome: the lines a web page or portal puts around an article, which are not the article's text.

reads: an article's non-blank lines, edge whitespace stripped; gives: the indices of the lines that are chrome.
``pipeline.segment`` keeps those lines as ``junk`` blocks (with their spans), never as text to translate.

What counts is what every Chinese news site and government portal prints, never one site's wording:

- buttons: 下载 / 打印 / 全屏 / 收藏 / 分享 / 【字号：加大 还原 减小】 / 关闭窗口, alone or several on a line,
  and the lone brackets left when a button row is split over lines;
- breadcrumbs: ``首页 > 政府信息公开 > …`` or ``当前位置：…`` on one line, or one crumb a line between bare
  ``>`` lines;
- the page's source and date labels: ``来源：…``, ``时间：…``, ``2026-02-02 09:20``, and a bare ``来源：`` or
  ``时间：`` with its value on the next line; read counts and 上一篇：/下一篇： links;
- QR-code and app promotions (扫一扫在手机打开当前页, 尽在…APP), editors' credits (责任编辑：…), disclaimers
  (免责声明：…) and a trailing list of related articles (相关报道：);
- the article's header printed twice by the page: the first copy of a line repeated among the first lines.

Labels, dates and promotions read like text an article may hold itself (时间：3月5日至11日, a sub-heading
about an app), so they count only where a page prints them: in its header, before the article's first
paragraph, or in its footer, after the last one; between them they are the article's (an event's 时间：and
地点： lines often stand just before its closing sentence). A paragraph here is a line after the first that
ends a sentence and is no chrome of the other kinds. A label never ends a sentence, and a
promotion has the wording of one: 扫一扫/扫码 with what to do (在手机打开, 关注, 阅读), or 下载/关注/尽在 an
APP or 客户端 that ends the line.
"""

from __future__ import annotations

import regex

# Words of buttons and toolbars, longest first within a family so that a line splits into whole words.
BUTTON_WORDS = (
    "打印本页", "打印文章", "打印", "下载文档", "下载", "全屏阅读", "全屏", "加入收藏", "收藏本页", "收藏",
    "分享到", "分享至", "分享", "转发", "关闭窗口", "关闭本页", "关闭", "返回顶部", "回到顶部", "返回首页",
    "返回", "字号", "字体", "加大", "还原", "减小", "放大", "缩小", "默认", "大", "中", "小",
    "新浪微博", "腾讯微博", "微博", "微信", "QQ空间", "QQ", "朋友圈", "复制链接", "我要纠错", "纠错",
    "评论", "点赞", "举报",
)
# What stands between buttons: spaces, brackets, bars, colons.
_BETWEEN = r"[\s:：|｜/／·•【】\[\]（）()]"
BUTTON_LINE_MAX_CHARS = 40
_BUTTONS = regex.compile(rf"^{_BETWEEN}*+(?:(?>{'|'.join(BUTTON_WORDS)}){_BETWEEN}*+)+$")
_BRACKETS_ONLY = regex.compile(r"^[【】\[\]［］]+$")

# Breadcrumbs: a bare separator line, or a whole trail on one line.
_CRUMB_SEPARATOR = regex.compile(r"^[>＞›»→]+$")
_CRUMB_TRAIL = regex.compile(r"^(?:(?:当前位置|您的位置|您现在的位置|所在位置)\s*[:：]|首页\s*[>＞›»/]|首页$)")
CRUMB_MAX_CHARS = 24
CRUMB_TRAIL_MAX_CHARS = 100

# The page's own labels: where the article comes from, when it was posted, how often it was read.
_PAGE_LABEL = regex.compile(
    r"^[（(【\[]?\s*(?:(?:信息|文章|稿件|本文|新闻|内容)?来源|稿源|出处|(?:发布|更新|发表|上传)?(?:时间|日期)|浏览(?:次数|量)?"
    r"|阅读(?:次数|量|数)?|点击(?:数|量|率)?|访问量|上一篇|下一篇)\s*[:：]"
)
# A posting date as pages print it (2026-02-02 09:20, 2023/11/16, 2023年11月16日 08:30), alone or with labels.
_PAGE_DATE = regex.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}:\d{2}(?::\d{2})?)\s*"
)
PAGE_LABEL_MAX_CHARS = 80
# The value printed on the line after a bare label (来源： | 陕西省人民政府).
LABEL_VALUE_MAX_CHARS = 30

# Who edited, checked and approved the page (责任编辑：张三 SF014), in or out of brackets.
_EDITOR_CREDIT = regex.compile(
    r"^[（(【\[]?\s*(?:责任编辑|责编|值班编辑|编辑|校对|审核|审校|初审|复审|终审|监制)\s*[:：]"
)
CREDIT_MAX_CHARS = 60
# A promotion says what to scan and what for (扫一扫在手机打开当前页, 扫码关注), or names the app to get as the
# last thing on its line (尽在新浪财经APP, 下载客户端); 市民扫码即可办理 or 下载某APP一站办 are the article's.
_PROMOTION = regex.compile(
    r"(?:扫一扫|扫码|扫描二维码|识别二维码|长按二维码).*?(?:手机|打开|关注|阅读|浏览|观看|收听|下载)"
    r"|(?:尽在|下载|打开|关注|订阅)\S{0,20}?(?:APP|App|app|客户端|公众号)[\s”’」』》）)】!！~～]*$"
)
PROMOTION_MAX_CHARS = 50
_DISCLAIMER = regex.compile(r"^[（(【\[]?\s*(?:(?:免责|版权|特别|郑重)?声明\s*[:：]|版权所有|Copyright\b|©)")
# A label over links to other articles; the link titles under it are chrome too.
_RELATED = regex.compile(
    r"^[【\[]?(?:相关(?:报道|阅读|新闻|链接|文章|稿件)|延伸阅读|推荐阅读|更多(?:阅读|报道|精彩)|热点推荐|热门推荐|猜你喜欢)"
    r"[】\]]?\s*[:：]?$"
)
LINK_TITLE_MAX_CHARS = 64
# A page prints its header twice (above and below the breadcrumb): the first copy is among the first few
# lines that are not chrome, the second within this many lines of the top.
HEADER_LINES = 16
FIRST_COPY_LINES = 4
HEADER_MIN_CHARS = 4
SENTENCE_MARKS = "。！？；!?;"


def page_chrome(lines: list[str]) -> set[int]:
    """The indices of ``lines`` (non-blank, stripped) that are page chrome, not the article's text."""
    chrome: set[int] = set()
    related = False
    first, last = _article_extent(lines)
    for index, text in enumerate(lines):
        at_edge = index < first or index > last
        if related and len(text) <= LINK_TITLE_MAX_CHARS and not _ends_sentence(text):
            chrome.add(index)
            continue
        related = False
        if _CRUMB_SEPARATOR.match(text):
            chrome.add(index)
            for neighbour in (index - 1, index + 1):
                if 0 <= neighbour < len(lines) and _is_crumb(lines[neighbour]):
                    chrome.add(neighbour)
        elif _RELATED.match(text):
            chrome.add(index)
            related = True
        elif _chrome_anywhere(text) or (at_edge and _edge_chrome(text)):
            chrome.add(index)
            if _is_bare_label(text) and index + 1 < len(lines) and _is_label_value(lines[index + 1]):
                chrome.add(index + 1)
    chrome |= _repeated_header(lines, chrome)
    return chrome


def is_chrome_line(text: str) -> bool:
    """A line that is chrome on its own in a page's header or footer: buttons, a breadcrumb trail, a page
    label, a promotion, a credit, a disclaimer (labels and promotions count only there: see ``page_chrome``)."""
    return _chrome_anywhere(text) or _edge_chrome(text)


def _chrome_anywhere(text: str) -> bool:
    """Chrome wherever it stands: buttons, a breadcrumb trail, an editor's credit, a disclaimer."""
    if len(text) <= BUTTON_LINE_MAX_CHARS and (_BUTTONS.match(text) or _BRACKETS_ONLY.match(text)):
        return True
    if len(text) <= CRUMB_TRAIL_MAX_CHARS and _CRUMB_TRAIL.match(text):
        return True
    if len(text) <= CREDIT_MAX_CHARS and _EDITOR_CREDIT.match(text):
        return True
    return _DISCLAIMER.match(text) is not None


def _edge_chrome(text: str) -> bool:
    """Chrome in a page's header or footer only: the page's labels and dates, a promotion; never a sentence."""
    if _ends_sentence(text):
        return False
    if len(text) <= PAGE_LABEL_MAX_CHARS and (_PAGE_LABEL.match(text) or _is_page_date(text)):
        return True
    return len(text) <= PROMOTION_MAX_CHARS and _PROMOTION.search(text) is not None


def _article_extent(lines: list[str]) -> tuple[int, int]:
    """The indices of the article's first and last paragraphs: lines after the title that end a sentence and
    are no chrome of the kinds found anywhere; (len, -1) when there is none, so every line is at an edge."""
    prose = [i for i, text in enumerate(lines) if i > 0 and _ends_sentence(text) and not _chrome_anywhere(text)]
    return (prose[0], prose[-1]) if prose else (len(lines), -1)


def _is_page_date(text: str) -> bool:
    """A posting date and time, alone or followed by page labels (2023-11-16 08:30　来源：人民网)."""
    date = _PAGE_DATE.match(text)
    if not date:
        return False
    rest = text[date.end():]
    return not rest or _PAGE_LABEL.match(rest) is not None


def _is_bare_label(text: str) -> bool:
    return _PAGE_LABEL.match(text) is not None and text.rstrip()[-1] in ":："


def _is_label_value(text: str) -> bool:
    return len(text) <= LABEL_VALUE_MAX_CHARS and not _ends_sentence(text) and "，" not in text


def _is_crumb(text: str) -> bool:
    return len(text) <= CRUMB_MAX_CHARS and not any(mark in text for mark in SENTENCE_MARKS + "，,")


def _ends_sentence(text: str) -> bool:
    return text.rstrip("”’」』）》】\"') ")[-1:] in tuple(SENTENCE_MARKS) or text.endswith("…")


def _repeated_header(lines: list[str], chrome: set[int]) -> set[int]:
    """The first copy of each header line the page printed twice near the top (title, subtitle line)."""
    top = [i for i in range(min(len(lines), HEADER_LINES)) if i not in chrome]
    first = {lines[i]: i for i in reversed(top[:FIRST_COPY_LINES])}
    repeated: set[int] = set()
    for index in top:
        text = lines[index]
        if len(text) >= HEADER_MIN_CHARS and not _ends_sentence(text) and first.get(text, index) < index:
            repeated.add(first[text])
    return repeated
