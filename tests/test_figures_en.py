"""Figures in English: digits, words, scales, percentages, ordinals, dates; pronoun 'one' is not a count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures import extract_en
from pipeline.figures.numbers import parse_en_words


def _hard(text: str):
    return [f for f in extract_en(text) if not f.soft]


def _one(text: str):
    figures = _hard(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize("words, value, ordinal", [
    (["twenty", "one"], 21, False), (["one", "hundred", "five"], 105, False), (["three", "million"], 3e6, False),
    (["twenty", "first"], 21, True), (["nineteenth"], 19, True), (["two", "thousand", "and", "eighteen"], None, None),
])
def test_parse_en_words(words, value, ordinal):
    words = [w for w in words if w != "and"]
    parsed = parse_en_words(words)
    if value is None:
        assert parsed == (2018, False)
    else:
        assert parsed == (pytest.approx(value), ordinal)


@pytest.mark.parametrize("text, figure, kind, value, approx", [
    ("to help more than 10,000 tourists", "10,000", "quantity", 10_000, "more_than"),
    ("net worth of $4.5 billion", "$4.5 billion", "quantity", 4.5e9, None),
    ("an output of 13.21 trillion yuan", "13.21 trillion", "quantity", 13.21e12, None),
    ("100 thousand graduates", "100 thousand", "quantity", 1e5, None),
    ("invested £5m at the site", "£5m", "quantity", 5e6, None),
    ("a $2bn deal", "$2bn", "quantity", 2e9, None),
    ("RMB250,000 in prizes", "RMB250,000", "quantity", 250_000, None),
    ("growth of 12.5%", "12.5%", "percent", 12.5, None),
    ("down 19 percent", "19 percent", "percent", 19, None),
    ("up 3 per cent", "3 per cent", "percent", 3, None),
    ("up 2 percentage points", "2 percentage points", "percentage_points", 2, None),
    ("twenty-one people", "twenty-one", "quantity", 21, None),
    ("nearly three thousand people", "three thousand", "quantity", 3000, "less_than"),
    ("about a dozen eggs", "a dozen", "quantity", 12, "about"),
    ("one and a half hours", "one and a half", "quantity", 1.5, None),
    ("one-third of imports", "one-third", "quantity", 1 / 3, None),
    ("half a billion dollars", "half a billion", "quantity", 5e8, None),
    ("the 19th CPC Central Committee", "19th", "ordinal", 19, None),
    ("ranked eighth", "eighth", "ordinal", 8, None),
    ("Phase II of the project", "II", "ordinal", 2, None),
    ("Executive Order No. 77", "No. 77", "ordinal", 77, None),
    ("a 24-year-old native", "24", "quantity", 24, None),
    ("a 10km race", "10km", "quantity", 10, None),
    ("three times as many", "three times", "multiple", 3, None),
])
def test_numbers(text, figure, kind, value, approx):
    figures = [f for f in extract_en(text) if f.kind != "numeric_name"]
    assert len(figures) == 1, figures
    f = figures[0]
    assert (f.text, f.kind, f.approx) == (figure, kind, approx)
    assert f.value == pytest.approx(value)
    assert text[f.start:f.end] == f.text


@pytest.mark.parametrize("text, value", [
    ("on January 17, 2024", "2024-01-17"), ("on 17 January 2024", "2024-01-17"), ("on Jan. 17", "--01-17"),
    ("dated 2024-01-17", "2024-01-17"), ("in September 2023", "2023-09"), ("in May", "--05"),
    ("the 12th of March 2018", "2018-03-12"),
])
def test_dates(text, value):
    (f,) = extract_en(text)
    assert (f.kind, f.value) == ("date", value)


@pytest.mark.parametrize("text, value", [
    ("on Jan 17 they met", "--01-17"), ("in Feb 2024", "2024-02"), ("17 Jan 2024", "2024-01-17"),
    ("Sept 5, 2023", "2023-09-05"), ("on Mar 3", "--03-03"), ("by Dec 31", "--12-31"),
])
def test_abbreviated_months_need_no_full_stop(text, value):
    (f,) = extract_en(text)
    assert (f.kind, f.value) == ("date", value)


@pytest.mark.parametrize("text", ["Jan Smith spoke", "since Mar", "Dec said so"])
def test_abbreviated_month_without_day_or_year_is_not_a_date(text):
    assert [f for f in extract_en(text) if f.kind == "date"] == []


@pytest.mark.parametrize("text, kind, value", [
    ("at 9:30 a.m.", "time", "09:30"), ("at 7 p.m.", "time", "19:00"), ("at 17:10 today", "time", "17:10"),
    ("in the 1990s", "decade", 1990), ("in the '90s", "decade", 1990), ("in '18", "year", 2018),
    ("in 2018", "year", 2018),
])
def test_times_decades_years(text, kind, value):
    (f,) = extract_en(text)
    assert (f.kind, f.value) == (kind, value)


@pytest.mark.parametrize("text, values", [
    ("two two-year-olds", [2, 2]), ("Season three and four", [3, 4]), ("one hundred and five", [105]),
    ("twenty thirty", [20, 30]),
])
def test_runs_of_number_words_split_into_well_formed_numbers(text, values):
    assert [f.value for f in extract_en(text)] == values


@pytest.mark.parametrize("text, value", [("1-3 villages", [1, 3]), ("from 5 to 10 days", [5, 10]),
                                         ("RUB6-7 million", [6e6, 7e6])])
def test_ranges(text, value):
    (f,) = extract_en(text)
    assert f.kind == "range" and f.value == pytest.approx(value)


@pytest.mark.parametrize("text", [
    "one of the best", "no one knows", "one another", "this one is better", "you may go", "they march on",
    "the G20 summit", "COVID-19 cases", "iPhone 6s", "the 4Corners7Seas blog", "the 13th Five-Year Plan"[9:],
    "hundreds of people", "thousands of fans",
])
def test_false_positives_are_not_hard_figures(text):
    assert _hard(text) == [] or all(f.kind == "numeric_name" for f in _hard(text))


@pytest.mark.parametrize("text, value", [("both sides", 2), ("twice as many", 2), ("the first time", 1),
                                         ("a trio of winners", 3), ("over the past decade", 10)])
def test_soft_words_stand_for_numbers_but_are_soft(text, value):
    (f,) = extract_en(text)
    assert f.soft and f.value == value


def test_may_after_a_preposition_is_a_month():
    assert [f.value for f in extract_en("since May, prices may rise")] == ["--05"]


@settings(deadline=None)
@given(st.text(alphabet="0123456789 ,.%-$abcdefghijklmnoprstuvwy", max_size=40))
def test_spans_always_point_at_the_figure_text(text):
    for f in extract_en(text):
        assert text[f.start:f.end] == f.text


@pytest.mark.parametrize("text, value", [("on Line 3", 3), ("No. 5 Middle School", 5), ("ticket #12", 12)])
def test_numbered_names_are_ordinals_once(text, value):
    assert [(f.kind, f.value) for f in extract_en(text)] == [("ordinal", value)]


@pytest.mark.parametrize("text, value", [
    ("from January to November", [1, 11]), ("in January-November", [1, 11]),
    ("between January and October", [1, 10]),
])
def test_month_names_joined_are_a_range_of_months(text, value):
    (f,) = extract_en(text)
    assert (f.kind, f.value, f.unit) == ("range", value, "months")


def test_month_range_keeps_its_year():
    assert [(f.kind, f.value) for f in extract_en("January-November 2023")] == [
        ("range", [1, 11]), ("year", 2023)]
