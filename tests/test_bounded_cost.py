"""Pathological inputs cost linear time (issue 13): a 5,000-digit run, a 200,000-character sentence.

These tests assert what the user gets (the other figures still found, the glossary still checked); the
timings are measured by benchmarks/bench_bounded.py, not asserted here. Before the fix each of them took
from 40 s to several minutes, which a run of this file would show.
"""

from click.testing import CliRunner
from fake_translators import WordFake

from pipeline.cli import cli
from pipeline.figures.compare import check
from pipeline.figures.en import extract_en
from pipeline.figures.numbers import MAX_FIGURE_DIGITS, bound_digit_runs
from pipeline.figures.zh import extract_zh
from pipeline.terminology import parse_glossary
from pipeline.translate import TranslateOptions, translate_texts

DIGITS = "7" * 5000


def test_bounding_digit_runs_keeps_offsets_and_ordinary_figures():
    text = f"新增{DIGITS}个，身份证号110101199001011234，增长１２.５%，共1,234,567元。"
    bounded = bound_digit_runs(text)
    assert len(bounded) == len(text)
    assert bounded.count("7") == text.count("7") - 5000  # the run is hidden ...
    assert bounded[bounded.index("身份证号"):] == text[text.index("身份证号"):]  # ... the rest is as written
    assert bound_digit_runs("1" * MAX_FIGURE_DIGITS) == "1" * MAX_FIGURE_DIGITS


def test_a_5000_digit_run_is_no_figure_and_the_others_are_still_found(tmp_path):
    zh = f"今年全市新增{DIGITS}个项目，新建公园12个。"
    assert [f.text for f in extract_zh(zh)] == ["12个"]
    assert [f.value for f in extract_en(f"It added {DIGITS} projects and 12 parks.")] == [12]
    result = check(zh, f"The city added {DIGITS} projects and built 12 parks.")
    assert not result.issues and len(result.matches) == 1
    assert check(zh, f"The city added {DIGITS} projects and built 13 parks.").issues  # still checked


def test_figures_and_check_commands_on_a_5000_digit_run(tmp_path):
    (tmp_path / "zh.txt").write_text(f"标题\n\n今年全市新增{DIGITS}个项目，新建公园12个。\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text(f"Title\n\nThe city added {DIGITS} projects and 12 parks.\n", encoding="utf-8")
    figures = CliRunner().invoke(cli, ["figures", str(tmp_path / "zh.txt")])
    assert figures.exit_code == 0 and "1 figure (" in figures.output
    checked = CliRunner().invoke(cli, ["check", str(tmp_path / "zh.txt"), str(tmp_path / "en.txt")])
    assert checked.exit_code == 0, checked.output


def test_translate_a_5000_digit_run(tmp_path):
    from pipeline.run import RunContext, run_document

    document = run_document(f"标题\n\n今年全市新增{DIGITS}个项目，新建公园12个。\n", RunContext(translator=WordFake()))
    sentence = list(document.sentences())[-1]
    # Split for the model's token limit, the run comes back whole in digits; the 12 parks are checked.
    assert sentence.translation.count("7") == 5000 and "12 ge" in sentence.translation
    assert [f["value"] for f in sentence.figures.source] == [12] == [f["value"] for f in sentence.figures.target]
    assert not [f for f in sentence.flags if f.stage == "figures"], sentence.flags


def test_a_200000_character_sentence_is_checked_against_the_glossary_once_per_term():
    glossary = parse_glossary("全国人大\tthe NPC\n政协\tCPPCC\n")
    phrase = "全国人大和政协的代表，"
    sentence = phrase * (200_000 // len(phrase)) + "。"
    result = translate_texts([sentence], WordFake(), TranslateOptions(glossary=glossary))[0]
    assert len(result.translation) > 200_000
    # WordFake keeps the Latin the stage writes in: both terms are used, so nothing is flagged ...
    assert not [f for f in result.flags if f.stage == "terminology"]


def test_a_term_the_long_sentence_misses_is_flagged_once():
    from fake_translators import DropLatinFake

    glossary = parse_glossary("全国人大\tthe NPC\n")
    sentence = "全国人大的代表，" * 20_000 + "。"
    result = translate_texts([sentence], DropLatinFake(), TranslateOptions(glossary=glossary))[0]
    assert [f.data["term"] for f in result.flags if f.stage == "terminology"] == ["全国人大"]
