"""The brief as a Word document (python-docx), the format briefing staff edit. reads: a Brief; gives: bytes.

The same parts as the HTML, in Word's own structure: Title and Heading styles (so the navigation pane
and a table of contents work), bulleted summaries, a key-figures table and the full text as a two-column
table (Chinese | English). Chinese runs carry the East Asian language tag ``zh-CN`` so that Word picks a
Chinese font and proofing language; a page break separates the parts.
"""

from __future__ import annotations

import io

import regex

from pipeline.render import flag_text

# Characters XML 1.0 cannot hold (control characters, lone surrogates): lxml refuses them, so a stray one
# in a source or a model's output would stop the whole document.
_NOT_XML = regex.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Word's limit on a core property such as the title.
_PROPERTY_LIMIT = 255


def xml_safe(text: str | None) -> str:
    """``text`` without the characters a .docx cannot hold ('' for None)."""
    return _NOT_XML.sub("", text or "")


def _mark_chinese(run) -> None:
    """Tag a run as Chinese (w:lang w:eastAsia) so that Word uses its East Asian font and proofing."""
    from docx.oxml.ns import qn

    properties = run._element.get_or_add_rPr()
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = properties.makeelement(qn("w:lang"), {})
        properties.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _add(paragraph, text: str | None, *, chinese: bool = False, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(xml_safe(text))
    run.bold = bold or None
    run.italic = italic or None
    if chinese:
        _mark_chinese(run)
    return run


def _summary(document, sentences, empty: str) -> None:
    if not sentences:
        _add(document.add_paragraph(), empty, italic=True)
        return
    for s in sentences:
        paragraph = document.add_paragraph(style="List Bullet")
        if s.en:
            _add(paragraph, s.en)
        else:  # a source sentence not translated: its Chinese, marked
            _add(paragraph, s.zh or "—", chinese=True)
            _add(paragraph, " (not translated)", italic=True)
        if s.method == "fallback":
            _add(paragraph, " (fallback: the summariser's sentence failed the figure check)", italic=True)
        elif s.method == "abstractive":
            _add(paragraph, " (written by the summariser; figures checked)", italic=True)
        if s.note:
            _add(paragraph, f" ({s.note})", italic=True)


def _header_row(table, labels: list[str]) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    row = table.rows[0]
    for cell, label in zip(row.cells, labels):
        cell.text = ""
        _add(cell.paragraphs[0], label, bold=True, chinese=any("\u4e00" <= c <= "\u9fff" for c in label))
    # Repeat the header row on each printed page.
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def render_docx(brief) -> bytes:
    """The whole brief as a .docx file's bytes (``brief``: a ``pipeline.brief.Brief``)."""
    from docx import Document as WordDocument
    from docx.enum.text import WD_BREAK

    document = WordDocument()
    document.core_properties.title = xml_safe(brief.title_en or brief.title_zh or "Brief")[:_PROPERTY_LIMIT]
    document.core_properties.comments = xml_safe(brief.generator)[:_PROPERTY_LIMIT]

    def page_break() -> None:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Header
    document.add_heading(xml_safe(brief.title_en or brief.title_zh or "Untitled"), level=0)
    if brief.title_zh:
        _add(document.add_paragraph(), brief.title_zh, chinese=True, bold=True)
    if brief.subtitle_zh:
        paragraph = document.add_paragraph()
        _add(paragraph, brief.subtitle_en or "", italic=True)
        paragraph.add_run().add_break()
        _add(paragraph, brief.subtitle_zh, chinese=True)
    if brief.byline_zh:
        paragraph = document.add_paragraph()
        _add(paragraph, f"{brief.byline_en or ''} · ")
        _add(paragraph, brief.byline_zh, chinese=True)
    for label, value in (("Source file: ", brief.source_file or "text given directly"),
                         ("Models: ", brief.models_line), ("", brief.figures_line)):
        paragraph = document.add_paragraph()
        _add(paragraph, label, bold=True)
        _add(paragraph, value)
    page_break()

    document.add_heading("Executive summary", level=1)
    _summary(document, brief.executive_summary, "No summary: the summarize stage did not run.")
    page_break()

    document.add_heading("Sections", level=1)
    for section in brief.sections:
        heading = document.add_heading(xml_safe(section.title), level=min(4, 1 + (section.level or 1)))
        if section.heading_zh and section.heading_en:
            heading.add_run().add_break()
            _add(heading, section.heading_zh, chinese=True)
        _summary(document, section.summary, "No summary.")
    page_break()

    document.add_heading("Key figures", level=1)
    _add(document.add_paragraph(), brief.figures_line)
    if brief.figures:
        table = document.add_table(rows=1, cols=6)
        table.style = "Table Grid"
        _header_row(table, ["#", "Source", "English", "Status", "Section", "Sentence"])
        for number, f in enumerate(brief.figures, 1):
            cells = table.add_row().cells
            cells[0].text = str(number)
            _add(cells[1].paragraphs[0], f.text, chinese=True)
            _add(cells[2].paragraphs[0], f.en or "—")
            _add(cells[3].paragraphs[0], f.verdict, bold=True)
            if f.note:
                _add(cells[3].add_paragraph(), f.note, italic=True)
            _add(cells[4].paragraphs[0], brief.section_title(f.section))
            _add(cells[5].paragraphs[0], f.sentence_zh, chinese=True)
            _add(cells[5].add_paragraph(), f.sentence_en or "(not translated)")
    page_break()

    document.add_heading("Full text", level=1)
    parts = [("Front matter", None, brief.front), *((s.title, s, s.units) for s in brief.sections)]
    for title, section, units in parts:
        if section is None and not units:
            continue
        document.add_heading(xml_safe(title), level=2)
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        _header_row(table, ["中文原文", "English"])
        rows = [("heading", section.heading_zh, section.heading_en, [])] if section and section.heading_zh else []
        rows += [(u.kind, u.zh, u.en, u.flags) for u in units]
        for kind, zh, en, flags in rows:
            cells = table.add_row().cells
            tag = "" if kind == "paragraph" else f"[{kind.replace('_', ' ')}] "
            zh_paragraph, en_paragraph = cells[0].paragraphs[0], cells[1].paragraphs[0]
            if tag:
                _add(zh_paragraph, tag, bold=True)
                _add(en_paragraph, tag, bold=True)
            _add(zh_paragraph, zh, chinese=True, bold=kind == "heading", italic=kind == "caption")
            _add(en_paragraph, en or "(not translated)", bold=kind == "heading", italic=kind == "caption" or not en)
            for flag in flags:
                _add(cells[1].add_paragraph(), flag_text(flag), italic=True)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
