"""Figures on whole documents (issue 10): one table per class of false alarm or miss found on professionally
translated news, each with a faithful rendering (no issue) and a wrong one (the right issue, naming both
values)."""

from __future__ import annotations

import pytest

from pipeline.figures import check, check_documents, extract_en, extract_zh


def _no_issue(source: str, target: str) -> None:
    result = check(source, target)
    assert result.issues == [], [i.message for i in result.issues]


def _one_issue(source: str, target: str, kind: str, *named: str):
    issues = check(source, target).issues
    assert [i.type for i in issues] == [kind], [i.message for i in issues]
    for value in named:
        assert value in issues[0].message, issues[0].message
    return issues[0]


# Numerals written out in full or spoken: decimals, two-digit years, dates run together, broadcast forms.
SPOKEN = [
    ("产值增长一百零二点五亿元。", "Output rose by 10.25 billion yuan.", "Output rose by 10.5 billion yuan.",
     ("10,250,000,000", "10,500,000,000")),
    ("九八年的洪水", "the 1998 floods", "the 1988 floods", ("1998", "1988")),
    ("零五年夏天", "in the summer of 2005", "in the summer of 2015", ("2005", "2015")),
    ("二〇一〇年", "in 2010", "in 2011", ("2010", "2011")),
    ("一千二百五十万人", "12.5 million people", "1.25 million people", ("12,500,000", "1,250,000")),
    ("三千五百人", "3,500 people", "3,050 people", ("3,500", "3,050")),
    ("两千五百名代表", "2,500 delegates", "2,005 delegates", ("2,500", "2,005")),
]


@pytest.mark.parametrize("source, good, bad, named", SPOKEN)
def test_numerals_written_out_or_spoken(source, good, bad, named):
    _no_issue(source, good)
    _one_issue(source, bad, "mismatch", *named)


@pytest.mark.parametrize("source, good, bad", [
    ("九一一事件后", "after the 9/11 attacks", "after the 9/12 attacks"),
    ("九一一事件后", "after the September 11 attacks", "after the September 12 attacks"),
    ("三一五晚会上", "at the March 15 gala", "at the March 16 gala"),
])
def test_events_named_by_their_date(source, good, bad):
    _no_issue(source, good)
    _one_issue(source, bad, "mismatch", "11" if "一一" in source else "15")


def test_hours_said_the_broadcast_way():
    _no_issue("晚上十一二点才下班", "finished work at 11 or 12 o'clock at night")
    (figure,) = [f for f in extract_zh("晚上十一二点才下班") if not f.soft]
    assert (figure.kind, figure.value) == ("range", [11, 12])


# Names that contain numerals are not figures.
@pytest.mark.parametrize("source, target", [
    ("三峡工程通过验收。", "The Three Gorges project passed inspection."),
    ("游客登上八达岭长城。", "Tourists climbed the Great Wall at Badaling."),
    ("五粮液股价上涨。", "Wuliangye shares rose."),
    ("九寨沟景区重新开放。", "The Jiuzhaigou scenic area reopened."),
    ("市民在七一广场集会。", "Residents gathered in July 1 Square."),
    ("五角大楼发表声明。", "The Pentagon issued a statement."),
    ("详见www.gov.cn/2023/123.html。", "See www.gov.cn/2023/123.html."),
    ("来信请寄abc123@163.com。", "Write to abc123@163.com."),
    ("附件为report2023.pdf。", "The attachment is report2023.pdf."),
])
def test_names_with_numerals_are_not_figures(source, target):
    _no_issue(source, target)
    assert not [f for f in extract_zh(source) if not f.soft]


def test_a_dictionary_name_keeps_the_figures_around_it():
    figures = [(f.text, f.value) for f in extract_zh("五角大楼说，3架飞机和两万名士兵已部署。") if not f.soft]
    assert figures == [("3架", 3), ("两万名", 20_000)]


def test_model_names_pair_and_a_changed_number_is_a_mismatch():
    _no_issue("两架米格-29战机起飞。", "Two MiG-29 fighters took off.")
    _one_issue("两架米格-29战机起飞。", "Two MiG-31 fighters took off.", "mismatch", "29", "31")
    _one_issue("两架米格-29战机起飞。", "Two fighters took off.", "missing", "29")


# Clock times carry a.m. and p.m.
@pytest.mark.parametrize("source, good, bad, named", [
    ("上午七点开会。", "The meeting starts at 7 a.m.", "The meeting starts at 7 p.m.", ("07:00", "19:00")),
    ("晚上八点开会。", "The meeting starts at 8 p.m.", "The meeting starts at 8 a.m.", ("20:00", "08:00")),
    ("20时开会。", "The meeting starts at 8 p.m.", "The meeting starts at 8 a.m.", ("20:00", "08:00")),
    ("20时开会。", "The meeting starts at 20:00.", "The meeting starts at 10:00.", ("20:00", "10:00")),
    ("凌晨3点发生地震。", "The quake struck at 3 a.m.", "The quake struck at 3 p.m.", ("03:00", "15:00")),
    ("中午12点开始。", "It starts at 12 noon.", "It starts at 12 a.m.", ("12:00", "00:00")),
    ("傍晚6点到达。", "They arrived at 6 p.m.", "They arrived at 6 a.m.", ("18:00", "06:00")),
    ("深夜11点仍在工作。", "Still working at 11 p.m.", "Still working at 11 a.m.", ("23:00", "11:00")),
])
def test_clock_times_carry_am_and_pm(source, good, bad, named):
    _no_issue(source, good)
    _one_issue(source, bad, "mismatch", *named)


def test_a_clock_time_without_its_half_of_the_day_matches_either():
    _no_issue("晚上八点开会。", "The meeting starts at eight o'clock.")
    _no_issue("七点钟开会。", "The meeting starts at 7 p.m.")


# Percentage points vs percent: reported, as a distinct subtype.
@pytest.mark.parametrize("source, good, bad, named", [
    ("增长10个百分点。", "up 10 percentage points", "up 10%", ("percentage points", "a percent")),
    ("增长10个百分点。", "up 10 points", "up 10 percent", ("percentage points", "a percent")),
    ("利率下调0.74%。", "The rate was cut by 0.74%.", "The rate was cut by 0.74 points.",
     ("a percent", "points")),
])
def test_percentage_points_are_not_percent(source, good, bad, named):
    _no_issue(source, good)
    issue = _one_issue(source, bad, "mismatch", *named)
    assert issue.subtype == "points_vs_percent"


# Traditional characters and 兆.
@pytest.mark.parametrize("source, good, bad, named", [
    ("有五萬人參加。", "50,000 people took part.", "5,000 people took part.", ("50,000", "5,000")),
    ("投資三億元。", "It invested 300 million yuan.", "It invested 30 million yuan.", ("300,000,000", "30,000,000")),
    ("成本減少兩成。", "Costs fell by 20%.", "Costs fell by 2%.", ("20", "2")),
    ("兩千名學生", "2,000 students", "200 students", ("2,000", "200")),
    ("市值達1.2兆元。", "It is worth 1.2 trillion yuan.", "It is worth 1.2 billion yuan.",
     ("1,200,000,000,000", "1,200,000,000")),
    ("裝機100兆瓦。", "Capacity is 100 megawatts.", "Capacity is 10 megawatts.", ("100", "10")),
    ("文件有500兆字节。", "The file is 500 megabytes.", "The file is 50 megabytes.", ("500", "50")),
])
def test_traditional_characters_and_zhao(source, good, bad, named):
    _no_issue(source, good)
    _one_issue(source, bad, "mismatch", *named)


def test_every_difference_at_once():
    issues = check("投资90亿元。", "It invested 90 billion US dollars.").issues
    assert sorted(i.subtype for i in issues) == ["scale", "unit"]
    assert all(i.source == "90亿元" and i.target for i in issues)
    assert any("yuan" in i.message and "US dollars" in i.message for i in issues)


# Decades and centuries.
@pytest.mark.parametrize("target", ["in the 1990s", "in the 90s of the 20th century", "in the '90s"])
def test_decades_of_a_century(target):
    _no_issue("20世纪90年代", target)


def test_a_wrong_decade_is_a_mismatch():
    _one_issue("20世纪90年代", "in the 80s of the 20th century", "mismatch", "1990", "1980")
    _one_issue("20世纪90年代", "in the 1980s", "mismatch", "1990", "1980")


# English words that are not figures.
@pytest.mark.parametrize("text", [
    "an eleventh-hour deal", "They left one after the other.", "A third person was hurt.",
    "Act at once.", "First of all, thanks.", "a first-hand account", "second to none", "one by one",
])
def test_english_idioms_are_not_hard_figures(text):
    assert not [f for f in extract_en(text) if not f.soft]


def test_english_idioms_raise_no_issue_and_do_not_excuse_a_drop():
    _no_issue("他们先后离开。", "They left one after the other.")
    _one_issue("五十七人先后离开。", "The people left one after the other.", "missing", "57")


# Pairing in figure-dense paragraphs.
def test_a_dropped_figure_is_missing_not_paired_with_an_unrelated_number():
    source = "会上，57名代表发言，提出建议1200条，其中3条被采纳。"
    target = "At the meeting, delegates spoke and made 1,200 proposals, of which 3 were adopted."
    _one_issue(source, target, "missing", "57")


def test_pairing_is_by_value_unit_and_position_together():
    source = "今年投资25亿元，建设道路12公里，新增学校3所。"
    target = "This year 2.5 billion yuan was invested, 21 km of roads were built and 3 schools added."
    _one_issue(source, target, "mismatch", "12", "21")


def test_a_neighbouring_sentence_does_not_hide_a_real_omission():
    source = "第一段有57人参加。\n第二段有57人离开。"
    target = "In the first part, people took part. In the second part, 57 people left. And more."
    issues = [(s.line, i.type) for s in check_documents(source, target) for i in s.result.issues]
    assert (1, "missing") in issues
