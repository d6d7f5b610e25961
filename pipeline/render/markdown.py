"""The brief as Markdown, for mail and wikis. reads: a Brief; gives: text.

Parts in order: header, executive summary, section summaries, key figures, full text side by side (a
two-column table per section). Figure statuses are words with a symbol; QA flags follow the English.
"""

from __future__ import annotations

import regex

from pipeline.render import flag_text


def plain(text: str | None) -> str:
    """Text from the article made inert in Markdown: ``&``, ``<`` and ``>`` as entities, so that no HTML in
    it is rendered ('' for None)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str | None) -> str:
    """Text safe in a Markdown table cell: one line, HTML escaped, pipes escaped; an em dash for nothing."""
    if not text:
        return "—"
    return regex.sub(r"\s*[\r\n]+\s*", " ", plain(text)).replace("|", "\\|")


def summary_lines(sentences) -> list[str]:
    """A summary as bullets, a fallback or model sentence marked as such, with its note (why a fallback,
    or that its English misstates a figure)."""
    lines = []
    for s in sentences:
        note = " *(fallback: the model's sentence failed the figure check)*" if s.method == "fallback" else ""
        note = note or (" *(written by the summariser; figures checked)*" if s.method == "abstractive" else "")
        note += f" *({cell(s.note)})*" if s.note else ""
        text = plain(s.en) if s.en else f"{plain(s.zh) or '—'} *(not translated)*"
        lines.append(f"- {text}{note}")
    return lines


def render_markdown(brief) -> str:
    """The whole brief as one Markdown document (``brief``: a ``pipeline.brief.Brief``)."""
    out = [f"# {plain(brief.title_en or brief.title_zh or 'Untitled')}", ""]
    if brief.title_zh:
        out += [f"**{plain(brief.title_zh)}**", ""]
    if brief.subtitle_zh:
        out += [f"*{plain(brief.subtitle_en) or '—'}* ({plain(brief.subtitle_zh)})", ""]
    if brief.byline_zh:
        out += [f"{plain(brief.byline_en) or '—'} ({plain(brief.byline_zh)})", ""]
    out += [f"- Source file: `{brief.source_file or 'text given directly'}`",
            f"- Models: {plain(brief.models_line)}",
            f"- {brief.figures_line}", ""]

    out += ["## Executive summary", ""]
    out += summary_lines(brief.executive_summary) or ["*No summary: the summarize stage did not run.*"]
    out.append("")

    out += ["## Sections", ""]
    for section in brief.sections:
        depth = "#" * min(6, 2 + (section.level or 1))
        heading = plain(section.title) + (f" ({plain(section.heading_zh)})"
                                          if section.heading_zh and section.heading_en else "")
        out += [f"{depth} {heading}", ""]
        out += summary_lines(section.summary) or ["*No summary.*"]
        out.append("")

    out += ["## Key figures", "", brief.figures_line, ""]
    if brief.figures:
        out += ["| # | Figure (zh) | English | Status | Section | Sentence (zh) | Sentence (en) |",
                "|---|---|---|---|---|---|---|"]
        for number, f in enumerate(brief.figures, 1):
            status = f.verdict + (f" — {f.note}" if f.note else "")
            out.append(f"| {number} | {cell(f.text)} | {cell(f.en)} | {cell(status)} | "
                       f"{cell(brief.section_title(f.section))} | {cell(f.sentence_zh)} | {cell(f.sentence_en)} |")
        out.append("")

    out += ["## Full text", ""]
    parts = [("Front matter", None, brief.front), *((s.title, s, s.units) for s in brief.sections)]
    for title, section, units in parts:
        if not units and section is None:
            continue
        both = section is not None and section.heading_zh and section.heading_en  # else the title is the Chinese
        out += [f"### {plain(title)}" + (f" ({plain(section.heading_zh)})" if both else ""), ""]
        if not units:
            continue
        out += ["| 中文 | English |", "|---|---|"]
        for unit in units:
            marker = "" if unit.kind == "paragraph" else f"**[{unit.kind.replace('_', ' ')}]** "
            flags = "".join(f"<br>{cell(flag_text(flag))}" for flag in unit.flags)
            out.append(f"| {marker}{cell(unit.zh)} | {marker}{cell(unit.en)}{flags} |")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
