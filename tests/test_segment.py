"""The segment stage: structure of Chinese articles, sentences, clauses, and the no-loss invariant."""

import json
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.segment import (
    document_to_json,
    format_outline,
    is_action_caption,
    is_caption,
    is_heading,
    is_speaker_label,
    outline_levels,
    run_in_heading,
    segment_text,
    split_clauses,
    split_sentences,
)

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "guiyang-cppcc-2023.txt"
EXT_B = chr(0x20000)  # 𠀀, a CJK Extension B character (outside the BMP)


def _sample_json() -> dict:
    from pipeline.segment import segment_file

    return document_to_json(segment_file(SAMPLE))


def test_sample_article_matches_gold_structure():
    gold = json.loads((FIXTURES / "guiyang-cppcc-2023.structure.json").read_text(encoding="utf-8"))
    got = _sample_json()
    for key in ("title", "subtitle", "byline", "epigraph", "captions", "repaired_joins"):
        assert got[key] == gold[key], key
    assert [s["heading"] for s in got["sections"]] == [s["heading"] for s in gold["sections"]]
    assert [s["paragraphs"] for s in got["sections"]] == [s["paragraphs"] for s in gold["sections"]]
    assert [len(s["paragraphs"]) for s in got["sections"]] == [2, 4, 4, 2, 7, 5]
    assert len(got["captions"]) == 11


def test_sentence_spans_point_back_at_the_source():
    from pipeline.segment import segment_file

    document = segment_file(SAMPLE)
    for sentence in document.sentences():
        covered = document.source[sentence.start:sentence.end]
        assert regex.sub(r"\s", "", covered) == regex.sub(r"\s", "", sentence.text)


@pytest.mark.parametrize("text, expected", [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("他说：“工业强则省会强。”市政协主席表示赞同。", ["他说：“工业强则省会强。”", "市政协主席表示赞同。"]),
    ("甲；乙。", ["甲；", "乙。"]),
    ("收集点……2024年1月17日，委员来到这里。", ["收集点……", "2024年1月17日，委员来到这里。"]),
    ("占全部提案数的46.5%，推动落实。", ["占全部提案数的46.5%，推动落实。"]),
    ("《关于推进托育机构建设的建议》（试行）。下一句", ["《关于推进托育机构建设的建议》（试行）。", "下一句"]),
    ("It rose 3.5 per cent. Then it fell!", ["It rose 3.5 per cent.", "Then it fell!"]),
    ("无标点的句子", ["无标点的句子"]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_long_sentence_is_split_into_clauses_under_budget():
    sentence = "，".join(["贵阳市政协坚持以中共二十大精神统一思想"] * 12) + "。"
    spans = split_clauses(sentence, 50)
    assert all(b - a <= 50 for a, b in spans)
    assert "".join(sentence[a:b] for a, b in spans) == sentence
    assert all(sentence[b - 1] in "，。" for a, b in spans)


def test_clause_with_no_mark_is_cut_at_budget():
    text = "长" * 25
    assert split_clauses(text, 10) == [(0, 10), (10, 20), (20, 25)]


def test_short_sentence_is_one_clause():
    assert split_clauses("短句。", 150) == [(0, 3)]


@pytest.mark.parametrize("line, heading", [
    ("围绕“强省会”献计出力 服务中心大局彰显新作为", True),
    ("一、坚持稳中求进 推动高质量发展", True),
    ("稳中求进，推动发展", True),
    ("委员们为贵阳点赞，也为自己点赞。", False),
    ("2023年，贵阳市政协围绕高质量发展主题、“强省会”行动、", False),
    ("近年来，市政协不断深化拓展政协“社区协商”，切实推动委员进", False),
    ("这个项目由特斯拉公司和", False),
    ("服务中心大局彰显新作为", True),
    ("第一，坚持稳中求进", False),  # ordinal leads open paragraphs, never sections
    ("一是经济增长好于预期", False),
    ("首先要看清形势", False),
    ("第一部分 总体要求", True),
])
def test_heading_rule(line, heading):
    assert is_heading(line) is heading


@pytest.mark.parametrize("line, caption", [
    ("2023年9月，贵阳市政协党组书记、主席石邦林调研建筑业和房地产业发展情况。", True),
    ("2023年10月12日，市长在会上讲话。", True),
    ("图为游客在景区参观。", True),
    ("市民在广场上跳舞。新华社记者 张三 摄", True),
    ("2023年，市政协提交民生提案186件。", False),  # a year alone opens body paragraphs
    ("2023年12月20日，石邦林赴白云区开展现场办公。融媒问政平台是重要载体。", False),
])
def test_caption_rule(line, caption):
    assert is_caption(line) is caption


def test_editors_note_on_one_line_and_bylines():
    text = ("暖心工程惠及万家\n\n新华社记者 张三 李四\n\n编者按：这是一组关于民生的报道。\n\n"
            "今年以来，全市新建公园12个。居民纷纷点赞。\n")
    document = segment_text(text)
    assert document.title.text == "暖心工程惠及万家"
    assert document.byline.text == "新华社记者 张三 李四"
    assert document.epigraph_label.text == "编者按："
    assert [b.text for b in document.epigraph] == ["这是一组关于民生的报道。"]
    assert [b.text for b in document.sections[0].paragraphs] == ["今年以来，全市新建公园12个。居民纷纷点赞。"]


def test_article_without_front_matter_starts_with_a_paragraph():
    text = "今年以来，全市新建公园12个，新增绿地面积300公顷，市民出门见绿。居民纷纷点赞，认为生活更加美好了。\n"
    document = segment_text(text)
    assert document.title is None
    assert len(document.sections) == 1 and document.sections[0].heading is None


def test_broken_paragraph_with_a_caption_and_a_page_number_between_its_halves():
    text = ("标题\n\n第一段话说到一半，被分页打断了，后半句在图片说明之后\n\n— 3 —\n\n"
            "2023年9月，市长调研企业。\n\n接着说完。\n\n4\n")
    document = segment_text(text)
    section = document.sections[0]
    assert [(b.kind, b.text) for b in section.blocks] == [
        ("paragraph", "第一段话说到一半，被分页打断了，后半句在图片说明之后接着说完。"),
        ("caption", "2023年9月，市长调研企业。"),
    ]
    assert [b.text for b in document.furniture] == ["— 3 —", "4"]


def test_english_words_broken_across_lines_are_joined_with_a_space():
    document = segment_text("标题\n\n这个项目由 Tesla Motors 和\n\nGeneral Motors 共同投资建设完成。\n")
    assert document.sections[0].paragraphs[0].text == "这个项目由 Tesla Motors 和General Motors 共同投资建设完成。"
    document = segment_text("标题\n\n这项研究由多所大学共同承担，它在国际上的英文名称一般被称为 deep\n\n"
                            "learning for translation 项目。\n")
    assert "deep learning for" in document.sections[0].paragraphs[0].text


def test_extension_b_and_full_width_digits_survive():
    text = f"标题\n\n{EXT_B}字在这里，数量为１２３个。第二句。\n"
    document = segment_text(text)
    assert [s.text for s in document.sentences()][1:] == [f"{EXT_B}字在这里，数量为１２３个。", "第二句。"]


def _without_space(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


_pieces = st.sampled_from([
    "贵阳", "政协", "委员", "2023年", "9月", "，", "。", "！", "？", "；", "……", "“", "”", "（", "）", "《", "》",
    "\n", "\n\n", "\n\n\n", " ", "\u3000", "——", "本报记者 黄静", "题记", "编者按：", "Hello", " world. ", "3.5%",
    "一、", "图为", "摄", EXT_B, "１２", "10万", "\t", "A", "a. b", "【导读】", "：", "— 3 —", "4", "（完）",
    "原标题：", "来源：", "贵阳市市长　马宁宇", "问：", "1.", "\u3000\u3000",
    # page chrome and report headers (junk, run-in headings, speakers)
    "下载", "分享:", "首页", ">", "【字号：", "】", "时间：", "2026-02-02 09:20", "扫一扫在手机打开当前页",
    "责任编辑：张玫", "相关报道：", "免责声明：", "尽在新浪财经APP", "——2026年1月27日在省人民代表大会第四次会议上",
    " 省长 张三", "（一）稳中求进，推动发展。", "国家发展改革委副主任张三：", "（张三，中国人民大学副校长）", "附件",
    "省长张三作政府工作报告",
])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(_pieces, max_size=60).map("".join), st.text(max_size=300)))
def test_segmentation_never_loses_duplicates_or_reorders_a_character(text):
    """Every character is in exactly one piece (a verbatim span of the source), and the pieces, in source
    order, spell the input. A paragraph repaired across a caption or page number is two pieces; page chrome
    (junk) and page numbers are pieces too, outside the text, and no sentence overlaps them."""
    document = segment_text(text)
    blocks = [block for _, block in document.blocks()] + document.furniture
    pieces = sorted((piece for block in blocks for piece in block.pieces), key=lambda p: p.start)
    assert all(text[p.start:p.start + len(p.text)] == p.text for p in pieces)
    assert _without_space("".join(p.text for p in pieces)) == _without_space(text)
    for _, block in document.blocks():  # sentences cover their block, in order
        assert _without_space("".join(s.text for s in block.sentences)) == _without_space(block.text)
    starts = [b.start for _, b in document.blocks()]
    assert starts == sorted(starts)
    # No text block takes a character of a junk line or page number (a sentence repaired across one spans
    # it, but its pieces leave it out).
    text_pieces = [piece for _, block in document.blocks() for piece in block.pieces]
    for block in document.furniture:
        assert block.kind in ("junk", "page_number")
        assert all(p.start + len(p.text) <= block.start or block.end <= p.start for p in text_pieces)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=400), st.integers(min_value=1, max_value=60))
def test_clauses_cover_the_sentence_in_order_under_budget(text, budget):
    spans = split_clauses(text, budget)
    assert "".join(text[a:b] for a, b in spans) == text
    assert all(0 < b - a <= budget for a, b in spans)


def test_newspaper_front_matter_with_kicker_numbered_headings_and_credit():
    text = ("聚焦高质量发展\n我国前三季度经济运行总体平稳\n——国家统计局新闻发言人答记者问\n本报记者  王浩  李心萍\n"
            "新华社北京10月18日电（记者 魏玉坤）国家统计局18日发布数据，前三季度国内生产总值913027亿元。\n"
            "一、工业生产稳步恢复\n前三季度，全国规模以上工业增加值同比增长4.0%。\n"
            "二、服务业较快增长\n前三季度，服务业增加值同比增长6.0%。\n"
            "图为10月18日，工人在江苏一家工厂车间内作业。新华社发（张三 摄）\n（责任编辑：李四）\n")
    document = segment_text(text)
    assert document.kicker.text == "聚焦高质量发展"
    assert document.title.text == "我国前三季度经济运行总体平稳"
    assert document.subtitle.text == "——国家统计局新闻发言人答记者问"
    assert document.byline.text == "本报记者  王浩  李心萍"
    assert [s.heading.text if s.heading else None for s in document.sections] == [
        None, "一、工业生产稳步恢复", "二、服务业较快增长"]
    assert [c.text for c in document.captions] == ["图为10月18日，工人在江苏一家工厂车间内作业。新华社发（张三 摄）"]
    # The editor's credit is page chrome: kept as junk, not text to translate.
    assert document.sections[-1].blocks[-1].kind == "caption"
    assert [(b.kind, b.text) for b in document.furniture] == [("junk", "（责任编辑：李四）")]


def test_web_article_with_source_line_and_indented_paragraphs():
    text = ("习近平会见美国总统\n2023-11-16 08:30:15　来源：人民网－人民日报\n"
            "　　新华社旧金山11月15日电　国家主席习近平15日在旧金山会见美国总统拜登。\n"
            "　　两国元首同意，继续推进双边合作，双方将在明年举行第二轮会谈\n"
            "　　会谈在友好气氛中进行，持续约4个小时。\n")
    document = segment_text(text)
    assert document.byline is None  # the page's date and source label is chrome, not a byline
    assert [b.text for b in document.furniture] == ["2023-11-16 08:30:15　来源：人民网－人民日报"]
    # An indent opens a paragraph, so the unfinished line is not joined to the next one.
    assert len(document.sections[0].paragraphs) == 3


def test_text_hard_wrapped_in_narrow_columns_is_joined_into_paragraphs():
    text = ("工业强市\n近年来，贵阳市高度重视工业发\n展，强调强省会首先要强产业，强\n产业首先要强工业，工业强则省会\n"
            "强，并以新型工业化为主攻点。\n市政协主席石邦林以小切口着手对\n贵阳贵安工业园区标准厂房建设及\n"
            "企业入驻情况开展专题调研，走访\n部分重点企业，召开专题座谈会。\n")
    document = segment_text(text)
    assert document.title.text == "工业强市"
    assert [s.heading for s in document.sections] == [None]
    assert [p.text for p in document.sections[0].paragraphs] == [
        "近年来，贵阳市高度重视工业发展，强调强省会首先要强产业，强产业首先要强工业，工业强则省会强，并以新型工业化为主攻点。",
        "市政协主席石邦林以小切口着手对贵阳贵安工业园区标准厂房建设及企业入驻情况开展专题调研，走访部分重点企业，召开专题座谈会。",
    ]


@pytest.mark.parametrize("text, budget, clauses", [
    ("全市比上年同期增加了12,345人，就业人数达到1,234,567人，会议在9:30开始，结束",
     20, ["全市比上年同期增加了12,345人，", "就业人数达到1,234,567人，", "会议在9:30开始，结束"]),
    ("全市比上年同期增加了12345人就业人数达到", 12, ["全市比上年同期增加了", "12345人就业人数达到"]),
])
def test_clauses_never_cut_inside_a_number(text, budget, clauses):
    assert [text[a:b] for a, b in split_clauses(text, budget)] == clauses


@pytest.mark.parametrize("line, caption", [
    ("2024年1月，全市新增就业1.2万人，同比增长5%。", False),  # a date-led report, not a photo
    ("2023年5月，副市长带队开展“筑人才·强省会”招引活动。", True),
])
def test_captions_describe_a_scene_not_figures(line, caption):
    assert is_caption(line) is caption


def test_editors_note_is_one_paragraph_and_never_swallows_the_article():
    text = "标题\n\n编者按\n\n这是一段编者按。\n\n全市新建公园12个。\n\n居民纷纷点赞。\n"
    document = segment_text(text)
    assert [b.text for b in document.epigraph] == ["这是一段编者按。"]
    assert [b.text for b in document.sections[0].paragraphs] == ["全市新建公园12个。", "居民纷纷点赞。"]
    document = segment_text("标题\n\n题记\n\n短句一。\n\n短句二。\n\n短句三。\n")
    assert [b.text for b in document.epigraph] == ["短句一。"]
    assert len(document.sections[0].paragraphs) == 2


def test_headlines_before_a_byline_and_trailers_are_not_headings():
    text = ("聚焦高质量发展\n我国前三季度经济运行总体平稳\n稳中向好态势持续巩固\n本报记者 赵六\n"
            "原标题：经济运行总体平稳\n国家统计局18日发布数据，前三季度经济增长5.2%。\n（完）\n")
    document = segment_text(text)
    assert (document.kicker.text, document.title.text, document.subtitle.text, document.byline.text) == (
        "聚焦高质量发展", "我国前三季度经济运行总体平稳", "稳中向好态势持续巩固", "本报记者 赵六")
    assert [s.heading for s in document.sections] == [None]
    assert [b.text for b in document.sections[0].blocks] == [
        "原标题：经济运行总体平稳", "国家统计局18日发布数据，前三季度经济增长5.2%。", "（完）"]


def test_work_report_with_speaker_salutation_and_dash_led_points():
    text = ("政府工作报告\n——2024年1月15日在贵阳市第十五届人民代表大会第四次会议上\n贵阳市市长　马宁宇\n各位代表：\n"
            "现在，我代表市人民政府向大会报告工作，请予审议。\n一、2023年工作回顾\n"
            "——经济运行稳中向好。地区生产总值增长5%左右。\n——改革开放持续深化。新增市场主体15.2万户。\n")
    document = segment_text(text)
    assert document.subtitle.text.startswith("——2024年1月15日")
    assert document.byline.text == "贵阳市市长　马宁宇"
    assert [b.text for b in document.sections[0].paragraphs] == [
        "各位代表：", "现在，我代表市人民政府向大会报告工作，请予审议。"]
    assert document.sections[1].heading.text == "一、2023年工作回顾"
    assert len(document.sections[1].paragraphs) == 2


def test_dash_led_sentence_right_after_the_title_is_not_a_subtitle():
    document = segment_text("经济运行稳中向好\n——地区生产总值增长5%左右，就业形势总体稳定。\n")
    assert document.subtitle is None


def test_interview_with_bracketed_lead_list_items_and_source_credit():
    text = ("专访贵阳市大数据局局长：数字经济如何赋能高质量发展\n记者 李明 王芳\n"
            "【导读】近年来，贵阳大数据产业规模持续扩大。\n"
            "问：下一步有哪些打算？\n答：主要有三方面：\n1.加快算力基础设施建设；\n2.推动数据要素市场化配置。\n"
            "新华社记者 张三 摄\n（本文来源：贵阳日报）\n")
    document = segment_text(text)
    assert document.epigraph_label.text == "【导读】"
    assert [b.text for b in document.epigraph] == ["近年来，贵阳大数据产业规模持续扩大。"]
    assert [s.heading for s in document.sections] == [None]
    assert [(b.kind, b.text) for b in document.sections[0].blocks] == [
        ("paragraph", "问：下一步有哪些打算？"), ("paragraph", "答：主要有三方面："),
        ("paragraph", "1.加快算力基础设施建设；"), ("paragraph", "2.推动数据要素市场化配置。"),
        ("caption", "新华社记者 张三 摄")]
    assert [(b.kind, b.text) for b in document.furniture] == [("junk", "（本文来源：贵阳日报）")]


def test_prose_cut_by_a_line_break_is_not_a_title():
    text = ("今年以来，全市经济运行总体平稳，主要指标好于预期。市发改委负\n责人在新闻发布会上表示：\n"
            "“我们将继续推进重点项目建设，确保全年目标任务顺利完成。”\n")
    document = segment_text(text)
    assert document.title is None
    assert document.sections[0].paragraphs[0].text == (
        "今年以来，全市经济运行总体平稳，主要指标好于预期。市发改委负责人在新闻发布会上表示：")


# --- real reports and news: headers, chrome, run-in headings, speakers, levels ----------------------------

def _outline(document) -> list[tuple[str | None, int | None]]:
    return [(s.heading.text if s.heading else None, s.level) for s in document.sections]


@pytest.mark.parametrize("headings, levels", [
    (["一、回顾", "（一）稳增长", "1．投资", "2．消费", "（二）促改革", "二、安排"], [1, 2, 3, 3, 2, 1]),
    (["大国竞争", "十大趋势", "1． 目标具象化", "2． 科技自立", "机遇与挑战", "1． 机遇"], [1, 1, 2, 2, 1, 2]),
    (["一、回顾", "1．投资", "二、安排"], [1, 2, 1]),  # 1. straight under a part: one level down
    (["三、安排", "（八）安全", "附件", "《政府工作报告》名词注释", "附录2", "一、说明"], [1, 2, 1, 2, 1, 2]),
    (["小标题一", "一、要点"], [1, 1]),  # a part is never under an unnumbered heading
    (["一、情况", "（一）预算", "1．收入", "（1）税收", "（2）非税", "2．支出", "二、问题"], [1, 2, 3, 4, 4, 3, 1]),
    (["一、情况", "（一）预算", "（1）税收", "（二）决算"], [1, 2, 3, 2]),  # （1） straight under （一）: one down
])
def test_outline_levels_follow_the_enclosing_heading(headings, levels):
    assert outline_levels(headings) == levels


@pytest.mark.parametrize("line, end", [
    ("（一）聚焦扩大内需，确保经济平稳运行。紧抓政策机遇，投资增长6%。", len("（一）聚焦扩大内需，确保经济平稳运行。")),
    ("（二）关于发展的总体要求。", len("（二）关于发展的总体要求。")),
    ("一、总体要求。全面贯彻落实。", len("一、总体要求。")),
    ("（三）推动城乡融合，促进百姓共同富裕", None),  # no full stop: a heading line, not a run-in one
    ("1.“2030启航计划”：面向2030年，支持科研人员。", None),  # a numbered glossary entry is a paragraph
    ("一是经济增长好于预期。地区生产总值增长5.2%。", None),  # an ordinal lead never heads a section
    ("（一）" + "加强组织领导" * 12 + "。后文。", None),  # too long for a heading: a numbered paragraph
])
def test_run_in_heading_ends_at_the_first_full_stop(line, end):
    assert run_in_heading(line) == end


@pytest.mark.parametrize("line, label", [
    ("国家发展改革委副主任张三：", True),
    ("中国人民银行党委书记、中国银行保险监督管理委员会主席李四：", True),
    ("全国人大代表王五：", True),
    ("中国工程院院士 欧阳明高：", True),
    ("市统计局局长表示同意：", False),
    ("各位代表：", False),  # a salutation
    ("省委书记强调：", False),  # a lead-in to a quote
    ("市统计局局长表示：", False),
    ("问：", False),
    ("会议指出：", False),
])
def test_speaker_label_rule(line, label):
    assert is_speaker_label(line) is label


@pytest.mark.parametrize("line, caption", [
    ("省长张三作政府工作报告", True),
    ("市长李四在开幕式上致辞", True),
    ("代表们认真审议政府工作报告", False),  # 工作 is not 作 (to give)
    ("委员们讨论工作报告", False),
    ("2026年江西省政府工作报告", False),
])
def test_action_caption_rule(line, caption):
    assert is_action_caption(line) is caption


def test_portal_report_with_chrome_a_doubled_header_and_a_one_line_occasion_and_speaker():
    text = ("分享:\n某省2026年政府工作报告\n"
            "2026年1月27日在某省第十四届人民代表大会第四次会议上 某省省长 张三\n首页\n>\n"
            "政府信息公开\n>\n省政府工作报告\n某省2026年政府工作报告\n"
            "2026年1月27日在某省第十四届人民代表大会第四次会议上 某省省长 张三\n时间：\n2026-02-02 09:20\n来源：\n"
            "某省人民政府\n省长张三作政府工作报告\n各位代表：\n现在，我代表省人民政府向大会报告工作，请予审议。\n"
            "一、2025年工作回顾\n一年来，主要做了6个方面工作：\n"
            "（一）聚焦扩大内需，确保经济平稳运行。投资增长6%。消费增长5%。\n"
            "（二）强化科技创新，建设现代化产业体系\n技术合同成交额增长10%。\n扫一扫在手机打开当前页\n")
    document = segment_text(text)
    assert document.title.text == "某省2026年政府工作报告"
    assert document.subtitle.text == "2026年1月27日在某省第十四届人民代表大会第四次会议上"
    assert document.byline.text == "某省省长 张三"
    assert document.title.start > text.index("省政府工作报告\n")  # the article's header, not the page's copy
    assert [c.text for c in document.captions] == ["省长张三作政府工作报告"]
    assert _outline(document) == [(None, None), ("一、2025年工作回顾", 1),
                                  ("（一）聚焦扩大内需，确保经济平稳运行。", 2),
                                  ("（二）强化科技创新，建设现代化产业体系", 2)]
    assert document.sections[0].paragraphs[0].text == "各位代表："
    run_in = document.sections[2]
    assert [b.text for b in run_in.paragraphs] == ["投资增长6%。消费增长5%。"]
    paragraph = run_in.paragraphs[0]
    assert text[paragraph.start:paragraph.end] == paragraph.text  # its own span, after the heading's
    assert run_in.heading.end == paragraph.start
    junk = [b.text for b in document.furniture if b.kind == "junk"]
    assert junk[:3] == ["分享:", "某省2026年政府工作报告",
                        "2026年1月27日在某省第十四届人民代表大会第四次会议上 某省省长 张三"]
    assert junk[-1] == "扫一扫在手机打开当前页" and len(junk) == 13
    assert document_to_json(document)["junk"] == junk
    outline = format_outline(document)
    assert "\n  section 3: （一）聚焦扩大内需" in outline and "[junk]        扫一扫在手机打开当前页" in outline


def test_newspaper_site_report_with_buttons_dashed_occasion_speaker_line_and_appendix():
    text = ("下载\n打印\n【字号：\n加大\n还原\n】\n2026年某省政府工作报告\n"
            "——2026年1月27日在某省第十四届人民代表大会第四次会议上\n"
            "来源：某省日报\n时间：2026-02-05\n省长 张三\n省长张三作政府工作报告。本报记者 李四摄\n各位代表：\n"
            "现在，我代表省人民政府，向大会报告工作，请予审议。\n二、“十五五”时期发展的主要考虑\n"
            "（一）关于“十五五”时期发展的时代背景。“十五五”时期是关键时期。\n附件\n《政府工作报告》有关内容名词注释\n"
            "1.“启航计划”：面向长远发展，支持青年科研人员。\n2.“一张图”：推动信息互通共享。\n相关报道：\n")
    document = segment_text(text)
    assert (document.title.text, document.byline.text) == ("2026年某省政府工作报告", "省长 张三")
    assert document.subtitle.text.startswith("——2026年1月27日")
    assert _outline(document) == [(None, None), ("二、“十五五”时期发展的主要考虑", 1),
                                  ("（一）关于“十五五”时期发展的时代背景。", 2), ("附件", 1),
                                  ("《政府工作报告》有关内容名词注释", 2)]
    assert len(document.sections[-1].paragraphs) == 2  # glossary entries are paragraphs
    assert [b.text for b in document.furniture][-3:] == ["来源：某省日报", "时间：2026-02-05", "相关报道："]


def test_talk_with_bracketed_speaker_unnumbered_and_numbered_headings_and_trailing_chrome():
    text = ("\u3000\u3000张三：未来5年是关键时点\n\u3000\u3000来源：某某官方账号\n"
            "\u3000\u3000（张三，某某大学副校长）\n"
            "\u3000\u3000大国竞争，拼谁能“咬住”\n\u3000\u3000今天很高兴跟大家分享我们的研究。\n"
            "\u3000\u3000未来五年的十大趋势\n\u3000\u30001． 战略目标具象化\n"
            "\u3000\u3000考验很重要的时点到了，能不能咬得住？\n"
            "\u3000\u30002． 科技自立自强\n\u3000\u3000科技是核心。\n"
            "免责声明：内容均源自自媒体，版权归原作者所有。\n海量资讯、精准解读，尽在某某财经APP\n责任编辑：王五\n")
    document = segment_text(text)
    assert document.byline.text == "（张三，某某大学副校长）"
    assert _outline(document) == [("大国竞争，拼谁能“咬住”", 1), ("未来五年的十大趋势", 1),
                                  ("1． 战略目标具象化", 2), ("2． 科技自立自强", 2)]
    assert len([b for b in document.furniture if b.kind == "junk"]) == 4


def test_round_up_speaker_labels_head_sections_and_a_salutation_does_not():
    text = ("冲刺四季度 部委负责人谈经济\n\u3000\u3000迈入四季度，各领域攻坚力度加码。\n"
            "\u3000\u3000国家发展改革委副主任张三：\n\u3000\u3000建设高标准市场体系是重要任务。\n"
            "\u3000\u3000商务部部长李四：\n\u3000\u3000要进一步打通国内国际两个市场。\n"
            "\u3000\u3000各位代表：\n\u3000\u3000让我们共同努力。\n")
    document = segment_text(text)
    assert document.byline is None
    assert _outline(document) == [(None, None), ("国家发展改革委副主任张三：", 1), ("商务部部长李四：", 1)]
    assert [b.text for b in document.sections[-1].paragraphs] == [
        "要进一步打通国内国际两个市场。", "各位代表：", "让我们共同努力。"]


def test_a_speech_with_a_headline_naming_reporters_and_ordinal_lead_lines():
    text = ("习近平同中外记者见面\n2024-03-11 10:30:00　来源：新华网\n【字体：大 中 小】\n"
            "新华社北京3月11日电（记者 张三 李四）会议11日闭幕。\n二、扎实做好今年经济工作\n第一，坚持稳中求进\n"
            "要把稳增长放在更加突出的位置。\n（完）\n【纠错】\n责任编辑：赵六\n")
    document = segment_text(text)
    assert document.title.text == "习近平同中外记者见面"  # 记者见面 is no byline
    assert _outline(document) == [(None, None), ("二、扎实做好今年经济工作", 1)]
    assert [b.text for b in document.sections[1].paragraphs] == [
        "第一，坚持稳中求进", "要把稳增长放在更加突出的位置。", "（完）"]
    assert [b.text for b in document.furniture] == [
        "2024-03-11 10:30:00　来源：新华网", "【字体：大 中 小】", "【纠错】", "责任编辑：赵六"]


@pytest.mark.parametrize("text, subtitle, byline", [
    ("在全省经济工作会议上的讲话\n（2025年12月20日）\n张三\n", "（2025年12月20日）", "张三"),
    ("奋力开创新局面\n——在全省经济工作会议上的讲话\n（2025年12月20日）\n张三\n",
     "——在全省经济工作会议上的讲话（2025年12月20日）", "张三"),  # the date is the occasion's second line
    ("在全市干部大会上的讲话\n李四\n（二〇二五年十二月二十日）\n", "（二〇二五年十二月二十日）", "李四"),
])
def test_speech_header_with_a_date_line_and_a_name_line(text, subtitle, byline):
    body = "同志们：\n这次会议的主要任务是部署明年工作。\n一、充分肯定成绩\n今年以来，发展取得新成效。\n"
    document = segment_text(text + body)
    assert (document.subtitle.text, document.byline.text) == (subtitle, byline)
    assert _outline(document) == [(None, None), ("一、充分肯定成绩", 1)]
    assert [b.text for b in document.sections[0].paragraphs] == ["同志们：", "这次会议的主要任务是部署明年工作。"]
    for sentence in document.subtitle.sentences:  # spans point back at the source over the line break
        assert "".join(document.source[sentence.start:sentence.end].split()) == sentence.text


def test_a_bracketed_date_alone_in_the_body_is_not_a_heading():
    assert not is_heading("（2025年12月20日）")
