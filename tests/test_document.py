"""The document model and the per-article run: round trips, structured flags, levels, the stage list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import LoopFake, WordFake
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import cli
from pipeline.document import SCHEMA_VERSION, Document, Flag
from pipeline.errors import InputError, UsageError
from pipeline.figures.report import annotate_document
from pipeline.run import STAGES, RunContext, run_document
from pipeline.segment import document_to_json, heading_level, segment_text
from pipeline.terminology import default_glossary
from pipeline.translate import TranslateOptions, translate_document

SAMPLE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"

_pieces = st.sampled_from([
    "贵阳", "政协", "委员", "2023年", "10万人", "增长3.5%", "，", "。", "\n", "\n\n", "——", "本报记者 黄静",
    "题记", "一、坚持稳中求进", "（二）推动发展", "1．强化保障", "图为", "摄", "Hello", " ", "— 3 —", "市政协主席",
])
_articles = st.lists(_pieces, min_size=1, max_size=50).map("".join)


def _through_json(document: Document) -> Document:
    return Document.from_dict(json.loads(json.dumps(document.to_dict(), ensure_ascii=False)))


@settings(max_examples=150, deadline=None)
@given(_articles)
def test_a_segmented_document_reads_back_equal(text):
    document = segment_text(text)
    assert Document.from_dict(document.to_dict()) == document
    assert _through_json(document) == document


@settings(max_examples=60, deadline=None)
@given(_articles)
def test_a_translated_and_checked_document_reads_back_equal(text):
    document = segment_text(text)
    translate_document(document, LoopFake(stubborn=True), TranslateOptions(glossary=default_glossary()))
    annotate_document(document)
    restored = _through_json(document)
    assert restored == document
    assert [s.qa_flags for s in restored.sentences()] == [s.qa_flags for s in document.sentences()]


def test_the_sample_reads_back_with_translations_flags_figures_and_levels():
    document = run_document(SAMPLE.read_text(encoding="utf-8"), RunContext(translator=WordFake()))
    data = json.loads(json.dumps(document.to_dict(), ensure_ascii=False))
    assert data["schema_version"] == SCHEMA_VERSION
    restored = Document.from_dict(data)
    assert restored == document
    assert all(s.translation for s in restored.sentences())
    assert any(s.figures and s.figures.source for s in restored.sentences())
    assert [s.level for s in restored.sections] == [s.level for s in document.sections]


def test_from_dict_refuses_another_schema_version_in_one_line():
    data = segment_text("标题\n\n正文一句。\n").to_dict()
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(InputError, match="schema version"):
        Document.from_dict(data)
    with pytest.raises(InputError, match="not a bilingual-brief document"):
        Document.from_dict({"title": "x"})


def test_segment_json_reads_back_into_the_document(tmp_path):
    result = CliRunner().invoke(cli, ["segment", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    restored = Document.from_dict(data)  # the whole output, or its "document" member
    assert restored == Document.from_dict(data["document"])
    assert [s.heading.text if s.heading else None for s in restored.sections] == \
        [s["heading"] for s in data["sections"]]
    assert all("level" in s for s in data["sections"])


@pytest.mark.parametrize("heading, level", [
    ("一、过去一年工作回顾", 1),
    ("十二、加强政府自身建设", 1),
    ("（一）坚持稳中求进", 2),
    ("(三)推动高质量发展", 2),
    ("1．强化要素保障", 3),
    ("2、深化改革", 3),
    ("（3）扩大开放", 4),  # official-document order: 一、 / （一） / 1． / （1）
    ("(3)扩大开放", 4),
    ("紧扣中心大局 助推强省会", 1),  # an unnumbered news sub-heading
])
def test_heading_levels(heading, level):
    assert heading_level(heading) == level


def test_sections_carry_levels_and_the_lead_has_none():
    document = segment_text("政府工作报告\n\n各位代表：\n\n一、过去一年工作回顾\n\n全年经济增长5%。\n\n（一）稳增长\n\n"
                            "投资增长8%。\n\n二、今年工作安排\n\n我们要继续努力。\n")
    assert [(s.heading.text if s.heading else None, s.level) for s in document.sections] == [
        (None, None), ("一、过去一年工作回顾", 1), ("（一）稳增长", 2), ("二、今年工作安排", 1)]
    json_sections = document_to_json(document)["sections"]
    assert [s["level"] for s in json_sections] == [None, 1, 2, 1]


def test_figure_flags_are_structured_and_kept_on_the_sentence():
    class TenThousand(WordFake):
        def render(self, text: str) -> str:
            return "The city added 10,000 jobs."

    document = run_document("新闻\n\n全市新增就业10万人。\n", RunContext(translator=TenThousand()))
    [sentence] = [s for s in document.sentences() if "10万" in s.text]
    [flag] = [f for f in sentence.flags if f.stage == "figures"]
    assert (flag.code, flag.severity) == ("mismatch", "issue")
    assert flag.data["source"] == "10万人" and flag.data["target"] == "10,000"
    assert flag.label == f"figures:mismatch: {flag.message}"
    assert [f["value"] for f in sentence.figures.source] == [100000]
    assert [f["value"] for f in sentence.figures.target] == [10000]


def test_guard_and_glossary_flags_say_what_fired():
    document = run_document("标题\n\n陷入循环的句子。市政协主席石邦林调研。\n",
                            RunContext(translator=LoopFake(stubborn=True),
                                       options=TranslateOptions(glossary=default_glossary())), stages=["translate"])
    flags = [f for s in document.sentences() for f in s.flags]
    loop = next(f for f in flags if f.code == "repetition")
    assert loop.stage == "translate" and loop.data["retried"] is True and loop.message
    assert all(s.figures is None for s in document.sentences())  # the figures stage was not asked for


def test_a_flag_label_is_only_made_when_asked():
    assert Flag("terminology", "glossary", data={"term": "政协"}).label == "glossary:政协"
    assert Flag("figures", "approx_lost", "about lost", "warning").label == "figures-warning:approx_lost: about lost"
    assert Flag("translate", "too_long").label == "too_long"


def test_running_a_stage_twice_adds_no_flag_twice():
    context = RunContext(translator=LoopFake(stubborn=True))
    document = run_document("标题\n\n陷入循环的句子。\n", context)
    before = [list(s.flags) for s in document.sentences()]
    run_document(document, context, stages=["figures"])
    assert [s.flags for s in document.sentences()] == before


def test_stages_are_listed_once_and_unknown_ones_refused():
    assert list(STAGES) == ["translate", "figures", "summarize"]
    with pytest.raises(UsageError, match="unknown stage 'summarise'"):
        run_document("标题\n\n正文。\n", RunContext(translator=WordFake()), stages=["summarise"])
    with pytest.raises(UsageError, match="needs a translator"):
        run_document("标题\n\n正文。\n")
