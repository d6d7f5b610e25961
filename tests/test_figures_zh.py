"""Figures in Chinese: tiny inline inputs and what a reader expects to be found, plus the sample article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures import extract_zh
from pipeline.figures.evaluation import score_against_gold
from pipeline.figures.numbers import normalise_digits, parse_zh_number
from pipeline.textio import read_text

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("text, value", [
    ("十三", 13), ("二十", 20), ("两", 2), ("一百一十", 110), ("三千五百", 3500), ("三千五", 3500),
    ("10万", 100_000), ("13.21万亿", 13.21e12), ("3.2亿", 3.2e8), ("1.5万亿", 1.5e12), ("二〇一七", 2017),
    ("三点五", 3.5), ("十万八千", 108_000), ("两万五", 25_000), ("百万", 1e6), ("四十五亿", 4.5e9),
    ("三亿五千万", 3.5e8), ("一千零一", 1001), ("零点五", 0.5), ("1,234", 1234),
])
def test_parse_zh_number(text, value):
    assert parse_zh_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["万", "亿", "三x", ""])
def test_parse_zh_number_refuses_non_numbers(text):
    assert parse_zh_number(text) is None


def _one(text: str):
    figures = [f for f in extract_zh(text) if not f.soft]
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize("text, figure, kind, value, approx", [
    ("全市新增就业10万人。", "10万人", "quantity", 100_000, None),
    ("全年GDP达13.21万亿元。", "13.21万亿元", "quantity", 13.21e12, None),
    ("投资90亿元建设。", "90亿元", "quantity", 9e9, None),
    ("增长１２．５％。", "１２．５％", "percent", 12.5, None),  # full-width digits, point and sign
    ("下降百分之三点五。", "百分之三点五", "percent", 3.5, None),
    ("提高2个百分点。", "2个百分点", "percentage_points", 2, None),
    ("节省成本超过两成。", "两成", "percent", 20, "more_than"),
    ("提出建议110余条。", "110余条", "quantity", 110, "more_than"),
    ("协助一万多名游客回国。", "一万多名", "quantity", 10_000, "more_than"),
    ("约有3000人参加。", "3000人", "quantity", 3000, "about"),
    ("共有三千五百名代表。", "三千五百名", "quantity", 3500, None),
    ("还有两个问题。", "两个", "quantity", 2, None),
    ("全长1,234公里。", "1,234公里", "quantity", 1234, None),
    ("耗时两个半小时。", "两个半小时", "quantity", 2.5, None),
    ("占总数的三分之一。", "三分之一", "quantity", 1 / 3, None),
])
def test_quantities_and_percentages(text, figure, kind, value, approx):
    f = _one(text)
    assert (f.text, f.kind, f.approx) == (figure, kind, approx)
    assert f.value == pytest.approx(value)
    assert text[f.start:f.end] == f.text


@pytest.mark.parametrize("text, figure, kind, value", [
    ("2024年1月17日，委员们来到这里。", "2024年1月17日", "date", "2024-01-17"),
    ("2023年9月，主席调研。", "2023年9月", "date", "2023-09"),
    ("２０１７年７月２７日", "２０１７年７月２７日", "date", "2017-07-27"),
    ("二〇一八年六月十四日开幕", "二〇一八年六月十四日", "date", "2018-06-14"),
    ("9日上午举行", "9日", "date", "---09"),
    ("在2023年初召开", "2023年初", "year", 2023),
    ("路灯在2024年元旦前亮了", "2024年元旦", "date", "2024-01-01"),
    ("今天17时10分接到报警", "17时10分", "time", "17:10"),
    ("上世纪90年代", "90年代", "decade", 1990),
    ("1-3个村", "1-3个", "range", [1, 3]),
    ("三到五年内", "三到五年", "range", [3, 5]),
])
def test_dates_times_ranges(text, figure, kind, value):
    f = _one(text)
    assert (f.text, f.kind) == (figure, kind)
    assert f.value == (pytest.approx(value) if isinstance(value, list) else value)



@pytest.mark.parametrize("text, figure, value", [
    ("每户补助3-5万元", "3-5万元", [30_000, 50_000]),
    ("每户补助三至五万元", "三至五万元", [30_000, 50_000]),
    ("吸引1至2千人参加", "1至2千人", [1000, 2000]),
    ("投资2000-3000万元", "2000-3000万元", [2e7, 3e7]),
    ("投资两千至三千万元", "两千至三千万元", [2e7, 3e7]),
    ("覆盖十至二十万人", "十至二十万人", [1e5, 2e5]),
    ("每户补助3万至5万元", "3万至5万元", [30_000, 50_000]),  # both ends scaled: nothing to share
    ("每户补助1.5-2万元", "1.5-2万元", [15_000, 20_000]),
    ("参观人数约3-5万。", "3-5万", [30_000, 50_000]),  # no unit after the scale
    ("投资3到5亿", "3到5亿", [3e8, 5e8]),
])
def test_one_scale_on_the_high_end_covers_both_ends(text, figure, value):
    f = _one(text)
    assert (f.text, f.kind) == (figure, "range")
    assert f.value == pytest.approx(value)


@pytest.mark.parametrize("text, figure, value", [
    ("还有两三个问题", "两三个", [2, 3]),
    ("吸引两三万人", "两三万人", [20_000, 30_000]),
    ("近两三年间", "两三年", [2, 3]),
    ("三五年内完成", "三五年", [3, 5]),
    ("来了两三千人", "两三千人", [2000, 3000]),
    ("来了两三百人", "两三百人", [200, 300]),
    ("投资七八千万元", "七八千万元", [7e7, 8e7]),
    ("十一二岁的孩子", "十一二岁", [11, 12]),
    ("七八十人", "七八十人", [70, 80]),
])
def test_adjacent_numerals_are_a_rough_range(text, figure, value):
    f = _one(text)
    assert (f.text, f.kind, f.approx) == (figure, "range", "about")
    assert f.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["两三", "三五", "七八", "九一八", "五四"])
def test_numerals_side_by_side_are_not_read_digit_by_digit(text):
    assert parse_zh_number(text) is None  # not 23, 35, 78, 918, 54; 二〇一七 (four, a year) still is


@pytest.mark.parametrize("text, figure", [
    ("他们有25\n\n人参加", "25"), ("共有25\n人", "25"), ("第3\n名", None), ("共有25 人", "25 人"),
    ("第3 名", "第3 名"), ("2024年\n1月", "2024年"),
])
def test_figures_do_not_run_over_line_breaks(text, figure):
    figures = [f.text for f in extract_zh(text) if not f.soft]
    assert all("\n" not in f for f in figures)
    if figure:
        assert figure in figures

@pytest.mark.parametrize("text, figure, value", [
    ("第十七届贵州旅游产业发展大会", "第十七届", 17),
    ("以中共二十大精神为引领", "二十大", 20),
    ("党的十九大报告", "十九大", 19),
    ("贵阳轨道交通三号线", "三号线", 3),
    ("成立75周年", "75周年", 75),
    ("深入实施“十四五”规划", "十四五", 14),
    ("第90届奥斯卡奖", "第90届", 90),
])
def test_ordinals(text, figure, value):
    f = _one(text)
    assert (f.text, f.kind, f.value) == (figure, "ordinal", value)


def test_term_and_session_are_one_ordinal_with_two_parts():
    (f,) = extract_zh("在市政协十三届二次会议开幕会上")
    assert (f.text, f.kind, f.value) == ("十三届二次会议", "ordinal", 13)
    assert [(p.text, p.value) for p in f.parts] == [("十三届", 13), ("二次会议", 2)]


@pytest.mark.parametrize("text", [
    "我们一起努力，一直坚持，统一思想。", "这一些问题十分重要。", "四川和三亚的零售业", "周六和星期三都行",
    "一路听、一路看", "进一步加强", "千方百计", "他是其中之一",
])
def test_idioms_and_names_are_not_hard_figures(text):
    assert [f for f in extract_zh(text) if not f.soft] == []


@pytest.mark.parametrize("text, slogan", [
    ("提出“四同”要求", "四同"), ("坚决做到“两个维护”", "两个维护"), ("以“五个一”为总揽", "五个一"),
    ("紧扣“3+1”开展活动", "3+1"), ("九三学社贵阳市委会", "九三学社"), ("推动实施四大工程", "四大工程"),
])
def test_slogans_are_soft_numeric_names(text, slogan):
    figures = extract_zh(text)
    assert [(f.text, f.kind, f.soft) for f in figures] == [(slogan, "numeric_name", True)]


def test_one_year_idiom_is_soft():
    (f,) = extract_zh("一年来，市政协恪守“政治同心”")
    assert (f.text, f.kind, f.value, f.soft) == ("一年来", "quantity", 1, True)


def test_codes_are_not_figures():
    assert [f for f in extract_zh("该机型IPX7防水，采用VH-3D直升机") if not f.soft] == []


def test_extension_b_characters_do_not_break_spans():
    text = "𠀀𠀁全市新增就业10万人"  # Extension B characters are single code points in Python strings
    (f,) = extract_zh(text)
    assert text[f.start:f.end] == "10万人"


@settings(deadline=None)
@given(st.text(alphabet="一二三四五六七八九十百千万亿两零年月日号个名%０１２３４５６７８９0123456789.,约余多第届",
               max_size=30))
def test_spans_always_point_at_the_figure_text(text):
    for f in extract_zh(text):
        assert text[f.start:f.end] == f.text
        assert 0 <= f.start < f.end <= len(text)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_full_width_normalising_keeps_length(text):
    assert len(normalise_digits(text)) == len(text)


def test_sample_article_meets_gold_recall_and_precision():
    text = read_text(FIXTURES / "guiyang-cppcc-2023.txt").text
    gold = json.loads((FIXTURES / "guiyang-cppcc-2023.figures.json").read_text(encoding="utf-8"))
    # The gold offsets are offsets into the text as read (the file has no BOM or CR to normalise away).
    assert all(text[g["start"]:g["end"]] == g["text"] for g in gold)
    score = score_against_gold(extract_zh(text), gold)
    assert score["recall"] >= 0.98, score["missed"]
    assert score["spurious_rate"] < 0.02, score["spurious"]


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_parse_zh_number_reads_what_cn2an_writes(n):
    import cn2an

    assert parse_zh_number(cn2an.an2cn(n)) == n


@pytest.mark.parametrize("text, name", [
    ("六盘水市委书记到访", "六盘水"), ("在六盘水调研", "六盘水"), ("四平市", "四平市"), ("七星关区", "七星关区"),
    ("三里屯", "三里屯"), ("三河镇", "三河镇"), ("五里村", "五里村"),
])
def test_place_names_with_a_numeral_are_soft(text, name):
    figures = extract_zh(text)
    assert [f for f in figures if not f.soft] == []
    assert name in [f.text for f in figures]


@pytest.mark.parametrize("text, figure, value", [
    ("三个村", "三个", 3), ("五名村干部", "五名", 5), ("二十多个村", "二十多个", 20), ("十一个县", "十一个", 11),
])
def test_counts_of_places_stay_hard(text, figure, value):
    f = _one(text)
    assert (f.text, f.value) == (figure, value)


@pytest.mark.parametrize("text, name, value", [
    ("学习七一讲话精神", "七一", "--07-01"), ("九一八事变", "九一八", "--09-18"), ("五四运动", "五四", "--05-04"),
    ("八一建军节", "八一", "--08-01"), ("十一黄金周", "十一", "--10-01"), ("十一国庆期间", "十一", "--10-01"),
    ("一二·九运动", "一二·九", "--12-09"),
])
def test_days_named_by_month_and_day_are_soft_dates(text, name, value):
    (f,) = extract_zh(text)
    assert (f.text, f.kind, f.value, f.soft) == (name, "date", value, True)


@pytest.mark.parametrize("text, figure, value", [
    ("九八年的洪水", "九八年", 1998), ("零五年夏天", "零五年", 2005), ("二〇一〇年", "二〇一〇年", 2010),
])
def test_two_digit_years_in_chinese_numerals(text, figure, value):
    f = _one(text)
    assert (f.text, f.kind, f.value) == (figure, "year", value)


@pytest.mark.parametrize("two_digits, year", [(0, 2000), (5, 2005), (17, 2017), (29, 2029), (30, 1930), (98, 1998)])
def test_two_digit_years_pivot_once(two_digits, year):
    from pipeline.figures.en import extract_en
    from pipeline.figures.numbers import full_year

    assert full_year(two_digits) == year
    (short,) = extract_en(f"in '{two_digits:02d}")
    assert short.value == year  # the English '98 reads with the same pivot as the Chinese 九八年
