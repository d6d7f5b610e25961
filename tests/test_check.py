"""Checking translations against sources: verdicts on tiny pairs, document alignment, and `brief check`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from pipeline.errors import InputError
from pipeline.figures import annotate_document, check, check_documents, check_files


def _types(source: str, target: str) -> list[str]:
    return sorted(i.type for i in check(source, target).issues)


@pytest.mark.parametrize("source, target", [
    ("全市新增就业10万人。", "The city added 100,000 jobs."),
    ("全市新增就业10万人。", "The city added 100 thousand jobs."),
    ("全年GDP达13.21万亿元。", "GDP reached 13.21 trillion yuan."),
    ("投资90亿元。", "It invested 9 billion yuan."),
    ("节省成本超过两成。", "Costs fell by more than 20%."),
    ("２０２４年１月１７日，委员们来到这里。", "On January 17, 2024, members came here."),
    ("2024年元旦前亮了。", "The lights came on before New Year's Day 2024."),
    ("第十七届大会", "the 17th conference"),
    ("以中共二十大精神为引领", "guided by the spirit of the 20th CPC National Congress"),
    ("两人重新讨论了这个话题。", "The two revisited the topic."),
    ("两国关系良好。", "Relations between both countries are good."),
    ("我们一起努力，统一思想。", "We work together and unify our thinking."),
    ("一年来，市政协恪守“政治同心”。", "Over the past year, the CPPCC upheld political unity."),
    ("坚决做到“两个维护”。", "We resolutely uphold the Two Upholds."),
    ("这是其中之一。", "This is one of them."),
    ("他们于今天17时10分接到报警。", "They received the call at 17:10 today."),
    ("增长3.5%。", "Up 3.5 percent."),
    ("三到五年内建成。", "It will be built in three to five years."),
    ("约有3000人参加。", "About 3,000 people took part."),
    ("海洋为3.5亿人提供就业机会。", "The ocean provides jobs for 350 million people."),
    ("在上世纪70、80年代", "in the 1970s and 1980s"),
    ("占比三分之一。", "It accounts for one-third."),
])
def test_faithful_translations_raise_no_issue(source, target):
    assert _types(source, target) == []


@pytest.mark.parametrize("source, target, expected", [
    # scale: 10万 is 100,000, not 10,000; 90亿 is 9 billion, not 90 billion
    ("全市新增就业10万人。", "The city added 10,000 jobs.", ["mismatch"]),
    ("投资90亿元。", "It invested 90 billion yuan.", ["mismatch"]),
    # digit
    ("此案嫌疑人25岁。", "The suspect is 22 years old.", ["mismatch"]),
    ("２０１７年７月２７日", "July 24, 2017", ["mismatch"]),
    # drop
    ("已经协助一万多名游客回国。", "It helped more than tourists return home.", ["missing"]),
    ("第90届奥斯卡奖即将公布。", "Nominations for the Academy Awards will be announced.", ["missing"]),
    # word
    ("两人重新讨论了这个话题。", "The three revisited the topic.", ["mismatch"]),
    ("这是他第一次参加比赛。", "It was his second competition.", ["mismatch"]),
    # insert (a hallucinated figure)
    ("愿促进两国互联网企业合作。", "He will promote cooperation between Internet companies, down 80 percent.",
     ["unsupported"]),
    ("据悉，对他的判决将于明年二月宣布。", "His verdict will be announced next February (47 in total).",
     ["unsupported"]),
])
def test_seeded_errors_are_found(source, target, expected):
    assert _types(source, target) == expected


@pytest.mark.parametrize("source, target, units", [
    ("投资90亿元。", "It invested 9 billion US dollars.", ("yuan", "US dollars")),
    ("投资90亿美元。", "It invested 9 billion yuan.", ("US dollars", "yuan")),
    ("全长30公里。", "It is 30 miles long.", ("kilometres", "miles")),
    ("面积2.5万平方公里。", "It covers 25,000 square miles.", ("square kilometres", "square miles")),
    ("出口3万吨。", "It exported 30,000 kilograms.", ("tonnes", "kilograms")),
])
def test_a_unit_changed_within_its_family_is_a_mismatch(source, target, units):
    (issue,) = check(source, target).issues
    assert issue.type == "mismatch"
    assert all(u in issue.message for u in units)


@pytest.mark.parametrize("source, target", [
    ("投资90亿元。", "It invested 9 billion yuan."), ("投资90亿元。", "It invested RMB 9 billion."),
    ("投资90亿元。", "It invested $9 billion."),  # Taiwanese and Hong Kong 元 are dollars
    ("投资90亿元。", "It invested 9 billion."), ("投资90亿美元。", "It invested US$9 billion."),
    ("全长30公里。", "It is 30 km long."), ("全长30公里。", "It is 30 kilometers long."),
    ("面积2.5万平方公里。", "It covers 25,000 sq km."), ("出口3万吨。", "It exported 30,000 tons."),
    ("全市新增就业10万人。", "The city added 100,000 jobs."),
])
def test_units_agreeing_or_left_out_raise_no_issue(source, target):
    assert check(source, target).ok


@pytest.mark.parametrize("source, target", [
    ("六盘水市委书记到访。", "The Party chief of Liupanshui visited."),
    ("学习七一讲话精神。", "Studying the spirit of the July 1 speech."),
    ("学习七一讲话精神。", "Studying the spirit of the speech."),
    ("九一八事变", "the September 18 Incident"), ("九一八事变", "the Mukden Incident"),
    ("庆祝建党百年。", "Celebrating the Party's centenary."),
    ("1-11月，全市工业增长5%。", "From January to November, industry grew 5%."),
    ("1-11月，全市工业增长5%。", "In the first 11 months, industry grew 5%."),
    ("2017年1月至10月，贸易额增长。", "From January to October 2017, trade grew."),
])
def test_names_and_month_ranges_raise_no_issue(source, target):
    assert check(source, target).ok


def test_a_changed_month_range_is_a_mismatch():
    assert _types("1-10月，全市工业增长5%。", "From January to November, industry grew 5%.") == ["mismatch"]


@pytest.mark.parametrize("source, target, ok", [
    ("HMX-1 在白宫练习了 58 次着陆。", "HMX-1 conducted 58 practice landings.", True),
    ("HMX-1 在白宫练习了 58 次着陆。", "HMX-8 conducted 58 practice landings.", False),
    ("三星的Note7已被召回。", "Samsung's Note 7 phones have been recalled.", True),
])
def test_codes_must_be_copied_as_written(source, target, ok):
    assert check(source, target).ok == ok


def test_rounding_noise_does_not_hide_a_digit_change():
    assert _types("这将带来8.12亿个订单。", "This brings 811 million orders.") == ["mismatch"]
    assert _types("这将带来8.12亿个订单。", "This brings 812 million orders.") == []
    assert _types("全年GDP达13.21万亿元。", "GDP reached about 13.2 trillion yuan.") == []


@settings(deadline=None)
@given(st.integers(min_value=2, max_value=10**7))
def test_any_count_and_its_wan_scaling_check_out(n):
    assert check(f"共有{n}人参加。", f"There were {n:,} participants.").ok
    assert check(f"共有{n}万人参加。", f"There were {n * 10_000:,} participants.").ok
    assert not check(f"共有{n}万人参加。", f"There were {n * 1_000:,} participants.").ok


def test_issue_carries_both_texts_and_a_message():
    (issue,) = check("全市新增就业10万人。", "The city added 10,000 jobs.").issues
    assert (issue.source, issue.target) == ("10万人", "10,000")
    assert "100,000" in issue.message


def test_percentage_points_rendered_as_percent_is_a_mismatch_of_its_own_subtype():
    result = check("比上月上升1.1个百分点。", "It rose 1.1% from the previous month.")
    assert [(i.type, i.subtype) for i in result.issues] == [("mismatch", "points_vs_percent")]
    assert "percentage points" in result.issues[0].message and "1.1%" in result.issues[0].message


def test_approximation_lost_is_a_warning_not_an_issue():
    result = check("提出建议110余条。", "It made 110 suggestions.")
    assert result.ok
    assert [w.type for w in result.warnings] == ["approx_lost"]


@pytest.mark.parametrize("target", ["Forty-seven of them came.", "One of them came first.", "No one came."])
def test_no_figure_source_flags_only_real_numbers(target):
    result = check("他们都来了。", target)
    assert result.ok == (not target.startswith("Forty"))


def test_slogans_never_raise_hard_issues():
    assert check("紧扣“3+1”开展活动，做到“四同”。", "Activities were carried out.").ok


def test_document_mode_aligns_sentences_by_figures_and_positions():
    source = "全市新增就业10万人。今年增长3.5%。\n九月份举行了第二次会议。"
    target = "The city added 100,000 jobs. Growth was 3.5% this year.\nThe second meeting was held in September."
    segments = check_documents(source, target)
    assert all(s.result.ok for s in segments)
    assert [s.line for s in segments] == [1, 2]


def test_document_mode_with_paragraphs_merged_reports_no_false_alarm():
    source = "全市新增就业10万人。\n今年增长3.5%。\n九月份举行了第二次会议。\n会议共有120名代表参加。"
    target = ("The city added 100,000 jobs. Growth was 3.5% this year.\n"
              "The second meeting was held in September. It was attended by 120 delegates.")
    assert all(s.result.ok for s in check_documents(source, target))


def test_document_mode_finds_an_error_and_its_line():
    source = "全市新增就业10万人。\n今年增长3.5%。\n九月份举行了会议。"
    target = "The city added 100,000 jobs. Growth was 5.3% this year. A meeting was held in September."
    flagged = [s for s in check_documents(source, target) if s.result.issues]
    assert [s.line for s in flagged] == [2]


def test_document_mode_pairs_a_changed_figure_with_its_own_sentence():
    source = "全市新增就业10万人。\n今年增长3.5%，提出建议110余条。\n九月份举行了会议。"
    target = ("The city added 10,000 jobs. Growth was 3.5% this year, with 110 suggestions made. "
              "A meeting was held in September, attended by 47 people.")
    flagged = {s.line: [(i.type, i.source, i.target) for i in s.result.issues]
               for s in check_documents(source, target) if s.result.issues}
    assert flagged == {1: [("mismatch", "10万人", "10,000")], 3: [("unsupported", None, "47")]}


def test_document_mode_does_not_pair_paragraphs_blindly_when_line_counts_match():
    # One extra English line (a photo credit) and one paragraph left out: as many lines as the source.
    source = ("贵阳市经济稳步增长\n本报记者 张三\n2023年，全市新增城镇就业12.5万人，增长6.7%。\n"
              "全年固定资产投资增长3.4%，社会消费品零售总额1750亿元。\n2024年1月17日，近500名委员出席会议。")
    target = ("Guiyang's economy grows steadily\nPhoto: Xinhua\nBy Zhang San\n"
              "In 2023, the city added 125,000 urban jobs, up 6.7%.\n"
              "On January 17, 2024, nearly 500 members attended the meeting.")
    flagged = {s.line: sorted(i.type for i in s.result.issues) for s in check_documents(source, target)
               if s.result.issues}
    assert flagged == {4: ["missing", "missing"]}


def test_document_mode_alignment_memory_grows_with_the_band_not_the_square():
    import tracemalloc

    from pipeline.figures.align import Unit, align_with_cost

    n = 300
    source = [Unit("全市新增就业人员。", i + 1, 0, []) for i in range(n)]
    target = [Unit("The city added jobs.", i + 1, 0, []) for i in range(n)]
    tracemalloc.start()
    try:
        groups, _ = align_with_cost(source, target)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(groups) == n
    assert peak < (n + 1) ** 2 * 8  # one full table of pointers would take this much


def test_annotate_document_flags_translated_sentences():
    from pipeline.segment import segment_text

    document = segment_text("标题\n\n全市新增就业10万人。今年增长3.5%。\n")
    translations = iter(["Title", "The city added 10,000 jobs.", "Growth was 3.5%."])
    for sentence in document.sentences():
        sentence.translation = next(translations)
    checked = annotate_document(document)
    flags = {s.text: s.qa_flags for s in document.sentences()}
    assert flags["全市新增就业10万人。"] and flags["全市新增就业10万人。"][0].startswith("figures:mismatch")
    assert flags["今年增长3.5%。"] == []
    assert [c.line for c in checked if c.result.issues] == [3]


# --- files and the command line -----------------------------------------------------------------------

@pytest.fixture
def pair(tmp_path):
    def write(source: str, target: str | bytes):
        s, t = tmp_path / "source.txt", tmp_path / "target.txt"
        s.write_text(source, encoding="utf-8")
        if isinstance(target, bytes):
            t.write_bytes(target)
        else:
            t.write_text(target, encoding="utf-8")
        return str(s), str(t)
    return write


def test_check_files_aligned_needs_equal_line_counts(pair):
    s, t = pair("全市新增就业10万人。\n今年增长3.5%。\n", "The city added 100,000 jobs.\n")
    with pytest.raises(InputError, match="target.txt is shorter"):
        check_files(s, t, aligned=True)


def _run(*args):
    return CliRunner().invoke(cli, list(args))


def test_cli_check_exit_codes(pair):
    s, t = pair("全市新增就业10万人。\n今年增长3.5%。\n", "The city added 100,000 jobs.\nGrowth was 3.5%.\n")
    ok = _run("check", s, t, "--aligned")
    assert ok.exit_code == 0, ok.output
    assert "no issues" in ok.output
    s, t = pair("全市新增就业10万人。\n今年增长3.5%。\n", "The city added 10,000 jobs.\nGrowth was 3.5%.\n")
    bad = _run("check", s, t, "--aligned")
    assert bad.exit_code == 1
    assert "line 1" in bad.output and "10万人" in bad.output and "10,000" in bad.output


def test_cli_check_json_contract(pair):
    s, t = pair("全市新增就业10万人。\n提出建议110余条。\n", "The city added 10,000 jobs.\nIt made 110 suggestions.\n")
    result = _run("check", s, t, "--aligned", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    first, second = data["segments"]
    assert first["line"] == 1 and [i["type"] for i in first["issues"]] == ["mismatch"]
    assert set(first["issues"][0]) == {"type", "source", "target", "message"}
    assert second["line"] == 2 and second["issues"] == [] and second["warnings"][0]["type"] == "approx_lost"
    assert data["summary"]["flagged"] == 1


@pytest.mark.parametrize("source, target, message", [
    ("全市新增就业10万人。\n今年增长3.5%。\n", "The city added 100,000 jobs.\n", "target.txt is shorter"),
    ("全市新增就业10万人。\n", "", "empty"),
    ("全市新增就业10万人。\n", b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a text file"),
    ("全市新增就业10万人。\n", b"\x00\x01\x02\x03" * 20, "binary"),
    ("全市新增就业10万人。\n", b"The city added caf\xe9 \xe9\xe9 jobs\x80", "UTF-8"),
])
def test_cli_check_bad_inputs_are_one_line_errors_exit_2(pair, source, target, message):
    s, t = pair(source, target)
    result = _run("check", s, t, "--aligned")
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_check_aligned_ignores_trailing_blank_lines(pair):
    s, t = pair("全市新增就业10万人。\n\n\n", "The city added 100,000 jobs.\n")
    result = _run("check", s, t, "--aligned")
    assert result.exit_code == 0, result.output


def test_cli_check_chinese_against_itself_is_an_input_error(pair):
    s, _ = pair("全市新增就业10万人。\n", "")
    result = _run("check", s, s)
    assert result.exit_code == 2
    assert "has no English" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("source, target, subtype", [
    ("全市新增就业10万人。", "The city added 10,000 jobs.", "scale"),
    ("此案嫌疑人25岁。", "The suspect is 22 years old.", "value"),
    ("投资90亿元。", "It invested 9 billion US dollars.", "unit"),
    ("HMX-1 在白宫练习了 58 次着陆。", "HMX-8 conducted 58 practice landings.", "code"),
])
def test_mismatches_say_what_differs(source, target, subtype):
    assert [(i.type, i.subtype) for i in check(source, target).issues] == [("mismatch", subtype)]


@pytest.mark.parametrize("source, target, shown", [
    ("2019年经济增长。", "The economy grew in 2018.", "(2019)"),
    ("2019年5月开幕。", "It opened in May 2018.", "(2019)"),
])
def test_years_are_shown_without_a_thousands_separator(source, target, shown):
    (issue,) = check(source, target).issues
    assert shown in issue.message and "2,01" not in issue.message


def test_document_mode_keeps_a_unit_mismatch():
    source = "全市新增就业10万人。\n投资90亿元。\n九月份举行了会议。"
    target = "The city added 100,000 jobs. It invested 9 billion US dollars. A meeting was held in September."
    flagged = [(s.line, [i.subtype for i in s.result.issues])
               for s in check_documents(source, target) if s.result.issues]
    assert flagged == [(2, ["unit"])]


def test_cli_check_swapped_arguments_say_so(pair):
    s, t = pair("全市新增就业10万人。\n", "The city added 100,000 jobs.\n")
    result = _run("check", t, s)
    assert result.exit_code == 2 and "did you swap them?" in result.output


def test_cli_check_missing_file_exits_2(tmp_path):
    result = _run("check", str(tmp_path / "nope.txt"), str(tmp_path / "nope2.txt"))
    assert result.exit_code == 2 and "no such file" in result.output


def test_cli_figures_json_lists_figures_with_lines(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("标题\n\n2023年，全市新增就业10万人，提出“四同”要求。\n", encoding="utf-8")
    result = _run("figures", str(article), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [(f["text"], f["kind"], f["value"], f["line"], f["soft"]) for f in data] == [
        ("2023年", "year", 2023, 3, False), ("10万人", "quantity", 100000, 3, False),
        ("四同", "numeric_name", None, 3, True)]


def test_cli_figures_text_output(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("全市新增就业10万人。\n", encoding="utf-8")
    result = _run("figures", str(article))
    assert result.exit_code == 0 and "10万人" in result.output and "100000" in result.output
