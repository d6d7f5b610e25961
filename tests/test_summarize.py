"""The summarize stage: extractive summaries, the executive summary, the figure guard, ``brief summarize``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import WordFake

from pipeline.brief import Brief
from pipeline.cli import cli
from pipeline.errors import UsageError
from pipeline.figures import extract_en
from pipeline.models import load_preset, load_prompt, preset_names
from pipeline.run import DEFAULT_STAGES, STAGES, RunContext, run_document
from pipeline.segment import segment_article, segment_file
from pipeline.summarize import (
    figure_problems,
    hold_names,
    summarize_document,
    summary_options,
)
from pipeline.translate import translate_document

FIXTURE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"


def test_extractive_summaries_are_source_sentences_within_budget():
    document = summarize_document(segment_file(FIXTURE))
    budget = summary_options().budget
    for section in document.sections:
        if not section.paragraphs:
            continue
        assert 1 <= len(section.summary) <= budget.sentences
        for s in section.summary:
            assert s.method == "extractive" and s.en is None  # not translated: the Chinese stands
            assert document.source[s.start:s.end] == s.zh
        assert [s.start for s in section.summary] == sorted(s.start for s in section.summary)


def test_executive_summary_draws_from_across_the_article():
    document = summarize_document(segment_file(FIXTURE))
    points = document.executive_summary
    assert 3 <= len(points) <= 5
    sections = {i for i, section in enumerate(document.sections) for p in points
                if any(b.start <= p.start < b.end for b in section.blocks)}
    assert len(sections) >= 3
    assert max(p.start for p in points) > len(document.source) / 2


def test_summaries_are_deterministic_and_sentences_option_holds():
    first = summarize_document(segment_file(FIXTURE)).to_dict()
    assert summarize_document(segment_file(FIXTURE)).to_dict() == first
    one = summarize_document(segment_file(FIXTURE), options=summary_options(sentences=1))
    assert all(len(section.summary) <= 1 for section in one.sections)
    with pytest.raises(UsageError):
        summary_options(sentences=0)


def test_translated_summaries_use_the_sentence_translations():
    document = translate_document(segment_file(FIXTURE), WordFake())
    summarize_document(document)
    translations = {s.start: s.translation for s in document.sentences()}
    for s in [*document.executive_summary, *(x for section in document.sections for x in section.summary)]:
        assert s.en == translations[s.start]


def test_summarize_is_a_stage_not_run_by_default():
    assert list(STAGES)[-1] == "summarize" and DEFAULT_STAGES == ("translate", "figures")
    document = run_document("政协会议召开。全年投资增长8%，达到120亿元。", RunContext(), ["summarize"])
    assert document.executive_summary and document.executive_summary[0].zh


# --- the guard ---------------------------------------------------------------------------------------------

ARTICLE = "标题\n\n全市地区生产总值增长5.6%，达到5154亿元。市政协主席石邦林带队调研。新增就业8万人。\n"


class PlantedSummarizer:
    """Writes candidates that invent a figure (99%) and change one (5154 -> 6000) before an honest one, per
    ``honest``; records the prompts it was given."""

    model_id, revision, backend, max_source_tokens = "fake/planted", "1", "fake", 512
    prompt = "Summarize: {text}"

    def __init__(self, honest: bool) -> None:
        self.honest = honest
        self.prompts: list[str] = []

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]

    def summarize_batch(self, texts, n_candidates):
        self.prompts.extend(texts)
        bad = ["Output grew 99% this year.", "GDP reached 600 billion yuan, up 5.6%."]
        good = ["GDP grew 5.6% to 515.4 billion yuan, and Shi Bang Lin led a survey."]
        return [(bad + (good if self.honest else []))[:n_candidates] for _ in texts]


def _translated(text: str):
    document = segment_article(text)
    english = {"全市地区生产总值增长5.6%，达到5154亿元。": "GDP grew 5.6% to 515.4 billion yuan.",
               "市政协主席石邦林带队调研。": "CPPCC chairman Shi Banglin led a survey.",
               "新增就业8万人。": "80,000 new jobs were created."}
    for s in document.sentences():
        s.translation = english.get(s.text, "Title")
    return document


@pytest.mark.parametrize("honest", [True, False])
def test_no_invented_or_changed_figure_survives_and_fallbacks_are_recorded(honest):
    summarizer = PlantedSummarizer(honest)
    document = summarize_document(_translated(ARTICLE), summarizer)
    summaries = [s for section in document.sections for s in section.summary]
    assert summaries and summarizer.prompts
    for section in document.sections:
        source = "".join(b.text for b in section.blocks)
        for s in section.summary:
            assert figure_problems(source, s.en) == []
            assert not any(f.text in ("99%", "600 billion yuan") for f in extract_en(s.en))
    if honest:
        assert [s.method for s in summaries] == ["abstractive"]
        assert "Shi Banglin" in summaries[0].en  # the name as the translate stage romanised it
    else:
        assert all(s.method == "fallback" and "figure check" in s.note and s.zh for s in summaries)
    assert {"role": "summarizer", "model_id": "fake/planted", "revision": "1", "backend": "fake"} in document.models


def _misstated(gdp_english: str):
    """The article translated, with the GDP sentence's English as given, and figure-checked."""
    document = _translated(ARTICLE)
    for s in document.sentences():
        if s.text.startswith("全市地区生产总值"):
            s.translation = gdp_english
    return run_document(document, RunContext(), stages=("figures",))


def test_summaries_prefer_sentences_whose_english_passed_the_figure_check():
    document = _misstated("GDP grew 6.5% to 515.4 billion yuan.")
    summarize_document(document, options=summary_options(sentences=1))
    chosen = [s for section in document.sections for s in section.summary]
    assert chosen and all("6.5%" not in (s.en or "") for s in chosen)
    fallback = summarize_document(_misstated("GDP grew 6.5% to 515.4 billion yuan."), PlantedSummarizer(False))
    assert all("6.5%" not in (s.en or "") for section in fallback.sections for s in section.summary)


def test_a_summary_sentence_with_a_misstated_figure_says_so():
    document = summarize_document(_misstated("GDP grew 6.5% to 515.4 billion yuan."))
    points = [*document.executive_summary, *(s for section in document.sections for s in section.summary)]
    wrong = [s for s in points if "6.5%" in (s.en or "")]
    assert wrong, "the executive summary takes every sentence of so short an article"
    assert all(s.note and "misstates a figure" in s.note and "5.6%" in s.note for s in wrong)
    assert all(s.note is None or "misstates" not in s.note for s in points if "6.5%" not in (s.en or ""))
    brief = Brief.from_document(document)
    assert "misstates a figure" in brief.to_markdown() and "misstates a figure" in brief.to_html()


def test_abstractive_needs_translations():
    with pytest.raises(UsageError, match="translate"):
        summarize_document(segment_article(ARTICLE), PlantedSummarizer(True))


@pytest.mark.parametrize(("text", "expected"), [
    ("Shi Bang Lin led it.", "Shi Banglin led it."),
    ("shi banglin led it.", "Shi Banglin led it."),
    ("Banglin Shi led it.", "Shi Banglin led it."),
    ("Shi led it.", "Shi led it."),
])
def test_names_are_held_to_the_chosen_romanisation(text, expected):
    assert hold_names(text, {"石邦林": "Shi Banglin"}) == expected


@pytest.mark.parametrize(("sentence", "ok"), [
    ("GDP grew 5.6%.", True),
    ("GDP grew 6.5%.", False),
    ("GDP reached 515.4 billion yuan.", True),
    ("Around 120,000 jobs were created.", False),
])
def test_figure_problems(sentence, ok):
    assert (figure_problems("全市地区生产总值增长5.6%，达到5154亿元。新增就业8万人。", sentence) == []) is ok



@pytest.mark.parametrize(("source", "sentence"), [
    ("今年增长10%。", "GDP rose 10% in 2030."),  # 今年 is no year a summary may name
    ("今年完成投资5亿元。", "In 2024 investment reached 500 million yuan."),
])
def test_figure_problems_wants_a_source_figure_of_the_same_value(source, sentence):
    assert figure_problems(source, sentence) != []


# --- presets and prompts -------------------------------------------------------------------------------------

def test_summarizer_presets_are_separate_from_translator_presets():
    assert {"flan-t5-base", "distilbart-cnn-12-6", "bart-large-cnn"} <= set(preset_names("summarizer"))
    assert not set(preset_names("summarizer")) & set(preset_names())
    for name, revision in [("flan-t5-base", "7bcac572ce56db69c1ea7c8af255c5d7c9672fc2"),
                           ("distilbart-cnn-12-6", "a4f8f3ea906ed274767e9906dbaede7531d660ff"),
                           ("bart-large-cnn", "37f520fa929c961707657b28798b30c003dd100b")]:
        preset = load_preset(name, "summarizer")
        assert preset.revision == revision and preset.summarizer.licence
        assert "{text}" in load_prompt(preset.summarizer.prompt)
    assert "float16" not in load_preset("flan-t5-base").summarizer.cuda_compute_type
    with pytest.raises(UsageError, match="summarizer preset"):
        load_preset("flan-t5-base", "translator")


# --- the command line --------------------------------------------------------------------------------------

def test_cli_summarize_json_lines_and_bad_inputs(tmp_path):
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = CliRunner().invoke(cli, ["summarize", str(FIXTURE), str(binary), "--json", "--sentences", "1"])
    assert result.exit_code == 1  # some inputs failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 1 and lines[0]["path"] == str(FIXTURE)
    assert set(lines[0]) == {"path", "executive_summary", "sections"}
    assert set(lines[0]["executive_summary"][0]) == {"zh", "en", "start", "end"}
    assert all(set(s) >= {"heading", "level", "summary"} for s in lines[0]["sections"])
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr


def test_cli_summarize_text_without_translator():
    result = CliRunner().invoke(cli, ["summarize", str(FIXTURE)])
    assert result.exit_code == 0 and "Executive summary:" in result.stdout and "贵阳" in result.stdout
