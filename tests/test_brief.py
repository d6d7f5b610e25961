"""The bilingual brief: figure statuses from the check, the header line, JSON under the shipped schema,
Markdown, Word, `brief run` (files, bad input, atomic writes, timings) and the Python API."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_translators import WordFake

from pipeline.brief import FIGURE_STATUSES, SCHEMA_PATH, Brief
from pipeline.cli import cli
from pipeline.document import SummarySentence
from pipeline.run import STAGES, RunContext, run_document
from pipeline.segment import segment_text

SAMPLE = Path(__file__).parent / "fixtures" / "guiyang-cppcc-2023.txt"
ARTICLE = ("全市新建公园\n\n本报记者 张三\n\n一、公园建设\n\n今年以来，全市新建公园12个。全市新增10万名高校毕业生。\n\n"
           "二、会议活动\n\n全年开展活动20余次。居民纷纷点赞。\n")


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(data: dict) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)


def summarise_by_hand(document):
    """A stand-in for the summarize stage: each section's first sentence, the executive summary from three."""
    firsts = []
    for section in document.sections:
        sentences = [s for b in section.blocks for s in b.sentences if s.translation]
        section.summary = [SummarySentence(s.translation, s.text, s.start, s.end) for s in sentences[:1]]
        firsts += sentences[:1]
    document.executive_summary = [SummarySentence(s.translation, s.text, s.start, s.end) for s in firsts[:3]]
    return document


def checked(pairs: list[tuple[str, str]]):
    """A one-paragraph document whose sentences have the given English, figure-checked."""
    document = segment_text("标题\n\n" + "".join(zh for zh, _ in pairs) + "\n")
    sentences = list(document.sentences())
    document.title.sentences[0].translation = "Title"
    for sentence, (zh, en) in zip(sentences[1:], pairs):
        assert sentence.text == zh
        sentence.translation = en
    return run_document(document, RunContext(), stages=("figures",))


# --- figure statuses, from the figure check on the document -----------------------------------------------

@pytest.mark.parametrize("zh, en, status, review, english", [
    ("全市新建公园12个。", "The city built 12 parks.", "ok", False, "12"),
    ("全市新增10万名高校毕业生。", "The city added 10,000 graduates.", "mismatch", False, "10,000"),
    ("全市新增10万名高校毕业生。", "The city added many graduates.", "missing", False, None),
    ("全年开展活动20余次。", "It held 20 events in the year.", "approx_lost", True, "20"),
    ("失业率下降了2个百分点。", "Unemployment fell by 2%.", "mismatch", True, "2%"),
])
def test_figure_status_comes_from_the_check(zh, en, status, review, english):
    brief = Brief.from_document(checked([(zh, en)]))
    figure = next(f for f in brief.figures if f.status != "unsupported")
    assert (figure.status, figure.review, figure.en) == (status, review, english)
    assert figure.sentence_zh == zh and figure.sentence_en == en
    assert figure.status in FIGURE_STATUSES
    # The status is always written out, never left to colour.
    assert figure.verdict.split()[0] in {"✓", "✗", "?"} and len(figure.verdict) > 2


def test_a_figure_the_source_lacks_is_unsupported():
    brief = Brief.from_document(checked([("居民纷纷点赞。", "Residents, 300 of them, praised it.")]))
    assert [(f.text, f.status) for f in brief.figures] == [("300", "unsupported")]
    assert brief.figures_line == "Figures: none found in the source; 1 in the English not found in the source"


def test_figures_line_counts_verified_review_and_wrong():
    brief = Brief.from_document(checked([("全市新建公园12个。", "The city built 12 parks."),
                                         ("全年开展活动20余次。", "It held 20 events."),
                                         ("全市新增10万名高校毕业生。", "The city added 10,000 graduates.")]))
    assert brief.figure_counts == {"total": 3, "verified": 1, "review": 1, "wrong": 1, "unsupported": 0}
    assert brief.figures_line == ("Figures: 1 of 3 verified against the source, 1 to review, "
                                  "1 missing or changed in the English")


@pytest.mark.parametrize("zh, en", [
    ("甲增长5%，乙也增长5%。", "A grew, and B grew too."),
    ("今年8个项目，明年8个项目。", "This year 9 projects, next year 9 projects."),
])
def test_a_figure_twice_wrong_twice_is_never_shown_verified(zh, en):
    brief = Brief.from_document(checked([(zh, en)]))
    assert len(brief.figures) == 2
    assert all(f.status != "ok" for f in brief.figures)
    assert brief.figure_counts["verified"] == 0


def test_a_figure_twice_wrong_once_is_one_wrong_and_one_verified():
    brief = Brief.from_document(checked([("甲增长5%，乙也增长5%。", "A grew 5%, and B grew too.")]))
    assert sorted(f.status for f in brief.figures) == ["missing", "ok"]


def test_a_missing_figure_shows_no_english_of_another_figure():
    brief = Brief.from_document(checked([("收入增长5%，利润增长3%。", "Income grew, profit grew 3%.")]))
    by_text = {f.text: f for f in brief.figures}
    assert (by_text["5%"].status, by_text["5%"].en) == ("missing", None)
    assert (by_text["3%"].status, by_text["3%"].en) == ("ok", "3%")


def test_an_empty_translation_leaves_its_figures_missing_not_out():
    brief = Brief.from_document(checked([("全市新建公园12个。", ""), ("全年开展活动20余次。", "It held 20 events.")]))
    by_text = {f.text: f for f in brief.figures}
    assert (by_text["12个"].status, by_text["12个"].en) == ("missing", None)
    assert brief.figure_counts["wrong"] == 1 and brief.figure_counts["total"] == 2


def test_soft_figures_and_numeric_names_are_not_key_figures():
    brief = Brief.from_document(checked([("提出“四同”要求。", "It set out the 'four togethers'.")]))
    assert brief.figures == []


# --- the brief of a whole article ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_document():
    document = run_document(SAMPLE.read_text(encoding="utf-8"), RunContext(translator=WordFake()),
                            stages=("translate", "figures"))
    document.path = str(SAMPLE)
    return summarise_by_hand(document)


def test_brief_of_the_sample_has_every_part(sample_document):
    brief = Brief.from_document(sample_document)
    assert brief.title_zh == sample_document.title.text and brief.title_en == sample_document.title.translation
    assert brief.models == [{"role": "translator", "model_id": "fake/word", "revision": "1", "backend": "fake"}]
    assert [s.heading_zh for s in brief.sections] == [s.heading.text if s.heading else None
                                                      for s in sample_document.sections]
    assert len(brief.executive_summary) == 3 and all(s.summary for s in brief.sections)
    # Every checked figure flag of the document is on some key figure's row.
    flagged = sum(1 for s in sample_document.sentences() for f in s.flags if f.stage == "figures")
    notes = sum(len(f.note.split("; ")) for f in brief.figures if f.note)
    assert notes >= flagged > 0
    # The full text keeps every block, in both languages.
    units = brief.front + [u for s in brief.sections for u in s.units]
    headings = sum(1 for s in brief.sections if s.heading_zh)
    assert len(units) + headings == sum(1 for _ in sample_document.blocks())
    assert all(sample_document.source[u.start:u.end] == u.zh or u.kind != "paragraph" or "\n" in
               sample_document.source[u.start:u.end] for u in units)


def test_json_validates_against_the_shipped_schema(sample_document):
    data = Brief.from_document(sample_document).to_dict()
    validate(data)
    assert data["title"] == {"zh": sample_document.title.text, "en": sample_document.title.translation}
    assert {"heading", "level", "summary", "units"} <= set(data["sections"][1])
    assert set(data["sections"][1]["units"][0]) >= {"kind", "zh", "en", "flags"}
    assert {"text", "kind", "value", "en", "status", "section"} <= set(data["figures"][0])
    assert {f["status"] for f in data["figures"]} <= set(FIGURE_STATUSES)
    assert data["models"][0].keys() >= {"model_id", "revision", "backend"}
    # The schema ships with the package (package data), beside the code that writes it.
    assert SCHEMA_PATH.parent.name == "data" and SCHEMA_PATH.parent.parent.name == "pipeline"


def test_schema_rejects_an_unknown_status(sample_document):
    jsonschema = pytest.importorskip("jsonschema")
    data = Brief.from_document(sample_document).to_dict()
    data["figures"][0]["status"] = "wrong"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema(), cls=jsonschema.Draft202012Validator)


def test_markdown_has_the_parts_in_order(sample_document):
    brief = Brief.from_document(sample_document)
    markdown = brief.to_markdown()
    positions = [markdown.index(part) for part in ("## Executive summary", "## Sections", "## Key figures",
                                                   "## Full text")]
    assert positions == sorted(positions)
    assert brief.figures_line in markdown and f"`{SAMPLE}`" in markdown
    table = markdown[markdown.index("## Key figures"):markdown.index("## Full text")]
    assert sum(1 for line in table.splitlines() if line.startswith("| ") and line[2:3].isdigit()) == len(brief.figures)
    assert "| 中文 | English |" in markdown


def docx_contents(data: bytes) -> tuple[list[str], list[list[str]]]:
    """The headings (style Heading N) and the key-figures table rows of a .docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    rows = [[c.text for c in row.cells] for row in document.tables[0].rows]
    return headings, rows


def test_docx_holds_the_same_sections_and_figures(sample_document):
    pytest.importorskip("docx")
    brief = Brief.from_document(sample_document)
    headings, rows = docx_contents(brief.docx_bytes())
    for section in brief.sections:
        assert any(h.startswith(section.title) for h in headings)
    assert rows[0][:4] == ["#", "Source", "English", "Status"]
    assert [r[1] for r in rows[1:]] == [f.text for f in brief.figures]
    assert [r[3].split("\n")[0] for r in rows[1:]] == [f.verdict for f in brief.figures]


def test_an_untranslated_summary_shows_its_chinese_marked():
    from pipeline.summarize import summarize_document

    brief = Brief.from_document(summarize_document(segment_text(ARTICLE)))
    assert brief.executive_summary and all(s.en is None for s in brief.executive_summary)
    validate(brief.to_dict())
    markdown = brief.to_markdown()
    assert "- None" not in markdown
    for s in brief.executive_summary:
        assert f"- {s.zh} *(not translated)*" in markdown
        assert s.zh in brief.to_html()
    assert "(not translated)" in brief.to_html()
    pytest.importorskip("docx")
    import docx

    bullets = [p.text for p in docx.Document(io.BytesIO(brief.docx_bytes())).paragraphs
               if p.style.name == "List Bullet"]
    assert bullets and all(b.strip() and "(not translated)" in b for b in bullets)


def test_markdown_renders_no_html_from_the_article():
    text = "标题<script>alert(1)</script>\n\n一、总体 & <b>要点</b>\n\n我们投入了3亿元<img src=x>，A & B。\n"
    brief = summarise_by_hand(run_document(text, RunContext(translator=WordFake()), stages=("translate", "figures")))
    markdown = Brief.from_document(brief).to_markdown()
    for tag in ("<script", "<b>", "<img"):
        assert tag not in markdown
    assert "&lt;script&gt;" in markdown and "&lt;img src=x&gt;" in markdown and "&amp; " in markdown


class ChineseHeadings(WordFake):
    """Leaves titles and headings untranslated (empty English)."""

    def render(self, text):
        return "" if ("总体" in text or "标题" in text) else super().render(text)


def test_headings_without_english_agree_across_formats():
    brief = Brief.from_document(run_document("标题\n\n一、总体\n\n增长了5%。\n",
                                             RunContext(translator=ChineseHeadings()), stages=("translate",)))
    html = brief.to_html()
    assert '<h1><span lang="zh-Hans">标题</span></h1>' in html
    assert "### 一、总体 (一、总体)" not in brief.to_markdown()
    untitled = Brief.from_document(run_document("增长了5%。\n", RunContext(translator=WordFake()), stages=()))
    assert "<h1>" in untitled.to_html() and "Untitled</span></h1>" in untitled.to_html()
    assert untitled.to_markdown().startswith("# Untitled")


def test_an_english_figure_without_a_source_is_marked_english_in_html():
    html = Brief.from_document(checked([("居民纷纷点赞。", "Residents, 300 of them, praised it.")])).to_html()
    assert '<td class="num"><span lang="en">300</span></td>' in html


def test_to_docx_writes_a_file(sample_document, tmp_path):
    pytest.importorskip("docx")
    path = Brief.from_document(sample_document).to_docx(tmp_path / "brief.docx")
    assert path.read_bytes()[:2] == b"PK"  # a zip, as every .docx


# --- the Python API ---------------------------------------------------------------------------------------

def test_pipeline_api_runs_text_to_a_brief():
    from pipeline import Pipeline

    brief = Pipeline(translator=WordFake()).run(ARTICLE)
    assert isinstance(brief, Brief)
    assert brief.title_en == "quan shi xin jian gong yuan"
    assert [s.heading_zh for s in brief.sections] == ["一、公园建设", "二、会议活动"]
    assert {f.text: f.status for f in brief.figures} == {"12个": "ok", "10万名": "mismatch", "20余次": "approx_lost"}
    assert brief.to_markdown() and brief.to_html().startswith("<!DOCTYPE html>") and brief.to_dict()["sections"]


def test_import_pipeline_does_not_load_the_brief():
    code = "import sys, pipeline; print(sorted(m for m in sys.modules if m.startswith(('pipeline.', 'docx'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}).stdout
    assert out.strip() == "['pipeline.version']"


# --- brief run --------------------------------------------------------------------------------------------



def run(*args):
    return CliRunner().invoke(cli, ["run", *map(str, args)])


BRIEF_FILES = ["a.brief.docx", "a.brief.html", "a.brief.json", "a.brief.md", "a.run.json"]


def test_brief_run_writes_the_four_formats(tmp_path, fake):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", "--no-tm", "--timings")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == BRIEF_FILES
    timings = next(line for line in result.output.splitlines() if line.startswith("timings: "))
    for stage in ("segment", "translate", "check", "render", "check + render"):
        assert f"{stage} " in timings
    data = json.loads((tmp_path / "out" / "a.brief.json").read_text(encoding="utf-8"))
    validate(data)
    assert data["source_file"] == str(tmp_path / "a.txt")
    stamp = json.loads((tmp_path / "out" / "a.run.json").read_text(encoding="utf-8"))
    assert stamp["stages"][:2] == ["translate", "figures"] and sorted(stamp["outputs"]) == BRIEF_FILES[:4]
    # Up to date: a second run skips it.
    assert "0 translated, 1 up to date" in run(tmp_path / "a.txt", "-o", tmp_path / "out", "--no-tm").output


def test_brief_run_format_list(tmp_path, fake):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", "--no-tm", "--format", "md,json", "--format", "txt")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.brief.json", "a.brief.md", "a.en.txt",
                                                                    "a.run.json"]


@pytest.mark.parametrize("args, message", [
    (["--format", "pdf"], "brief: error: unknown --format 'pdf'; choose from: "),
    (["--tm", "x.db", "--no-tm"], "brief: error: --tm and --no-tm contradict each other"),
])
def test_brief_run_usage_errors_are_one_line(tmp_path, fake, args, message):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.output.startswith(message) and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_a_model_summariser_writes_checked_summaries_and_is_named(tmp_path, fake):
    from pipeline.testing import make_tiny_summarizer

    summarizer = make_tiny_summarizer(tmp_path / "tiny-t5", arch="t5")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "a.txt", "-o", tmp_path / "out", "--format", "json", "--no-tm",
                 "--summarizer", str(summarizer), "--backend", "ctranslate2")
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "out" / "a.brief.json").read_text(encoding="utf-8"))
    validate(data)
    assert {m["role"] for m in data["models"]} >= {"translator", "summarizer"}
    summaries = [s for section in data["sections"] for s in section["summary"]]
    # A random model's sentences are kept only when every figure in them checks; else the extractive one.
    assert summaries and all(s["method"] in ("abstractive", "fallback") for s in summaries)
    assert all(s["note"] for s in summaries if s["method"] == "fallback")
    stamp = json.loads((tmp_path / "out" / "a.run.json").read_text(encoding="utf-8"))
    assert stamp["summarizer"] == str(summarizer)
    missing = run(tmp_path / "a.txt", "-o", tmp_path / "out2", "--summarizer", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1


def test_bad_input_is_one_line_and_writes_no_brief(tmp_path, fake):
    (tmp_path / "english.txt").write_text("Only English here.\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    result = run(tmp_path / "english.txt", tmp_path / "missing.txt", tmp_path / "a.txt", "-o", tmp_path / "out",
                 "--no-tm")
    assert result.exit_code == 1
    failures = [line for line in result.output.splitlines() if line.startswith("brief: failed: ")]
    assert len(failures) == 2 and "no Chinese" in failures[0] and "no such file" in failures[1]
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == BRIEF_FILES  # the good one is done


def test_a_brief_is_never_half_written(tmp_path, fake, monkeypatch):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out"
    assert run(tmp_path / "a.txt", "-o", out, "--no-tm").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = os.replace

    def replace(source, target):
        if str(target).endswith(".brief.html"):
            raise OSError(28, "No space left on device")
        return real(source, target)

    monkeypatch.setattr(os, "replace", replace)
    result = run(tmp_path / "a.txt", "-o", out, "--no-tm", "--force")
    assert result.exit_code == 2 and "cannot write the outputs" in result.output
    # The old HTML stands whole, no temporary file is left, and without a stamp nothing counts as up to date.
    assert (out / "a.brief.html").read_bytes() == before["a.brief.html"]
    assert sorted(p.name for p in out.iterdir()) == BRIEF_FILES[:4]


def test_tiny_model_brief_run_on_the_sample(tmp_path, tiny_model_dir):
    pytest.importorskip("docx")
    result = CliRunner().invoke(cli, ["run", str(SAMPLE), "-o", str(tmp_path), "--model", str(tiny_model_dir),
                                      "--backend", "ctranslate2", "--beam", "1", "--tm", str(tmp_path / "tm.sqlite3"),
                                      "--offline"])
    assert result.exit_code == 0, result.output
    name = SAMPLE.stem
    for suffix in (".brief.md", ".brief.html", ".brief.docx", ".brief.json"):
        assert (tmp_path / (name + suffix)).stat().st_size > 0
    data = json.loads((tmp_path / f"{name}.brief.json").read_text(encoding="utf-8"))
    validate(data)
    assert data["models"][0]["backend"] == "ctranslate2" and data["title"]["zh"]
    if "summarize" in STAGES:
        assert data["executive_summary"] and all(s["summary"] for s in data["sections"] if s["units"])
    headings, rows = docx_contents((tmp_path / f"{name}.brief.docx").read_bytes())
    for section in data["sections"]:
        title = (section["heading"] or {}).get("en") or (section["heading"] or {}).get("zh") or "Opening"
        assert any(h.startswith(title.strip()[:30]) for h in headings)
    assert [r[1] for r in rows[1:]] == [f["text"] for f in data["figures"]]
    html = (tmp_path / f"{name}.brief.html").read_text(encoding="utf-8")
    assert html.count('<tr class="figure"') == len(data["figures"])


def test_docx_takes_any_text_a_model_may_write():
    # A random model once wrote a 1,000-character title (Word caps its title property at 255 characters);
    # control characters cannot be stored in a .docx at all.
    pytest.importorskip("docx")
    brief = Brief.from_document(checked([("全市新建公园12个。", "The city \x0bbuilt 12 parks.\x00")]))
    brief.title_en = "<unused58125>" * 80
    import docx

    data = brief.docx_bytes()
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text == brief.title_en  # the Title paragraph
    assert docx_contents(data)[1][1][1] == "12个"
