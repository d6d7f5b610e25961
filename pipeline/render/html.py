"""The brief as one self-contained HTML file, for the screen and for print. reads: a Brief; gives: text.

Nothing is fetched: the style sheet is inline, there is no script, and fonts are the reader's own (the
list names common CJK fonts; a browser falls back to any it has). For print: A4 pages, each part (summary,
sections, key figures, full text) starts a new page, table headers repeat and rows do not split.
Chinese text is marked ``lang="zh-Hans"``, English ``lang="en"``; a figure's status is a symbol and
words, the colour only repeats them; headings, captions and QA flags are labelled in the text.
"""

from __future__ import annotations

from html import escape

from pipeline.render import flag_text

CSS = """
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #c9c9c9; --ok: #1f6f3a; --warn: #8a5a00; --bad: #a11d1d; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 32px 48px; color: var(--ink); background: #fff;
       font: 15px/1.55 "Noto Serif", "Source Serif Pro", Georgia, "Times New Roman", serif; }
[lang="zh-Hans"] { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "Songti SC",
                   "SimSun", "Microsoft YaHei", serif; }
h1 { font-size: 1.9em; line-height: 1.25; margin: 0.2em 0; }
h2 { font-size: 1.35em; border-bottom: 2px solid var(--ink); padding-bottom: 0.2em; margin-top: 0; }
h3 { font-size: 1.12em; margin: 1.2em 0 0.3em; }
h4 { font-size: 1.02em; margin: 1em 0 0.3em; }
h3 .zh, h4 .zh, h5 .zh { display: block; font-weight: normal; color: var(--muted); font-size: 0.92em; }
.label { text-transform: uppercase; letter-spacing: 0.08em; font-size: 0.75em; color: var(--muted); margin: 0; }
.title-zh { font-size: 1.3em; margin: 0.1em 0 0.6em; }
.subtitle { font-size: 1.05em; font-style: italic; margin: 0.2em 0; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 1em 0 0;
        padding: 0.8em 1em; border: 1px solid var(--rule); font-size: 0.92em; }
.meta dt { font-weight: bold; }
.meta dd { margin: 0; }
.part { margin-top: 2.2em; }
.summary li { margin: 0.25em 0; }
.method { font-size: 0.8em; color: var(--muted); }
.source-zh { display: block; font-size: 0.88em; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid var(--rule); padding: 0.35em 0.5em; vertical-align: top; text-align: left; }
thead th { background: #f0f0f0; }
table.parallel td { width: 50%; }
table.figures td.num { white-space: nowrap; }
td p { margin: 0 0 0.3em; }
.status { font-weight: bold; white-space: nowrap; }
.status-ok { color: var(--ok); }
.status-review { color: var(--warn); }
.status-wrong { color: var(--bad); }
.note { display: block; font-weight: normal; white-space: normal; font-size: 0.85em; color: var(--muted); }
.tag { display: inline-block; font: bold 0.7em/1.4 sans-serif; text-transform: uppercase; letter-spacing: 0.05em;
       border: 1px solid var(--muted); color: var(--muted); padding: 0 0.35em; margin-right: 0.4em; }
tr.unit-heading td { font-weight: bold; background: #f7f7f7; }
tr.unit-caption td { font-style: italic; }
.flags { list-style: none; margin: 0.4em 0 0; padding: 0; font-size: 0.85em; }
.flag { border-left: 3px solid var(--bad); padding-left: 0.4em; margin-top: 0.2em; }
.flag-warning { border-left-color: var(--warn); }
.untranslated { color: var(--muted); font-style: italic; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .part { margin-top: 0; }
  .part + .part { break-before: page; page-break-before: always; }
  thead { display: table-header-group; }
  tr, li, .meta { break-inside: avoid; page-break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  thead th, tr.unit-heading td { background: none; }
}
"""


def _zh(text: str | None, tag: str = "span", cls: str = "") -> str:
    if not text:
        return ""
    attr = f' class="{cls}"' if cls else ""
    return f'<{tag} lang="zh-Hans"{attr}>{escape(text)}</{tag}>'


def _en(text: str | None, tag: str = "span", cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    if not text:
        return f'<{tag} lang="en" class="untranslated{" " + cls if cls else ""}">(not translated)</{tag}>'
    return f'<{tag} lang="en"{attr}>{escape(text)}</{tag}>'


def _summary(sentences, empty: str) -> str:
    if not sentences:
        return f'<p class="untranslated">{escape(empty)}</p>'
    items = []
    for s in sentences:
        method = {"abstractive": "written by the summariser, figures checked",
                  "fallback": "fallback: the summariser's sentence failed the figure check"}.get(s.method)
        if not s.en and s.zh:  # a source sentence not translated: its Chinese, marked
            items.append(f"<li>{_zh(s.zh)} {_en(None)}"
                         + (f' <span class="note" lang="en">({escape(s.note)})</span>' if s.note else "") + "</li>")
            continue
        items.append(f"<li>{_en(s.en)}" + (f' <span class="method">({escape(method)})</span>' if method else "")
                     + (f' <span class="note" lang="en">({escape(s.note)})</span>' if s.note else "")
                     + (_zh(s.zh, cls="source-zh") if s.zh else "") + "</li>")
    return '<ul class="summary">' + "".join(items) + "</ul>"


def _status(figure) -> str:
    cls = "status-ok" if figure.status == "ok" else "status-review" if figure.review else "status-wrong"
    note = f'<span class="note">{escape(figure.note)}</span>' if figure.note else ""
    return f'<td class="status {cls}">{escape(figure.verdict)}{note}</td>'


def _unit_row(unit) -> str:
    kind = unit.kind.replace("_", " ")
    tag = "" if unit.kind == "paragraph" else f'<span class="tag">{escape(kind)}</span>'
    flags = ""
    if unit.flags:
        items = "".join(f'<li class="flag flag-{escape(f["severity"])}">{escape(flag_text(f))}</li>'
                        for f in unit.flags)
        flags = f'<ul class="flags" aria-label="QA flags">{items}</ul>'
    return (f'<tr class="unit unit-{escape(unit.kind)}"><td lang="zh-Hans">{tag}{escape(unit.zh)}</td>'
            f'<td lang="en">{tag}{escape(unit.en) if unit.en else "<span class=untranslated>(not translated)</span>"}'
            f"{flags}</td></tr>")


def _heading(section, tag: str) -> str:
    """A section's heading: the English with the Chinese under it; the Chinese alone if untranslated."""
    if section.heading_en:
        return f"<{tag}>{_en(section.heading_en)}{_zh(section.heading_zh, cls='zh')}</{tag}>"
    if section.heading_zh:
        return f"<{tag}>{_zh(section.heading_zh)}</{tag}>"
    return f"<{tag}>{_en(section.title)}</{tag}>"


def render_html(brief) -> str:
    """The whole brief as one HTML document (``brief``: a ``pipeline.brief.Brief``)."""
    title = brief.title_en or brief.title_zh or "Untitled"
    out = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Brief: {escape(title)}</title>", f'<meta name="generator" content="{escape(brief.generator)}">',
           f"<style>{CSS}</style>", "</head>", "<body>"]

    # Header
    out.append('<header class="part" id="header">')
    out.append('<p class="label">Bilingual brief</p>')
    # The English title, else the Chinese (marked Chinese), else "Untitled" as in <title> and the Markdown.
    heading = _en(brief.title_en) if brief.title_en else _zh(brief.title_zh) if brief.title_zh else _en("Untitled")
    out.append(f"<h1>{heading}</h1>")
    if brief.title_zh:
        out.append(_zh(brief.title_zh, "p", "title-zh"))
    if brief.subtitle_zh:
        out.append(f'<p class="subtitle">{_en(brief.subtitle_en)}<br>{_zh(brief.subtitle_zh)}</p>')
    meta = []
    if brief.byline_zh:
        meta.append(("Byline", f"{_en(brief.byline_en)} · {_zh(brief.byline_zh)}"))
    meta.append(("Source file", f"<code>{escape(brief.source_file or 'text given directly')}</code>"))
    models = "<br>".join(escape(f"{m.get('role', 'model')}: {m.get('model_id')} (revision "
                                f"{m.get('revision') or 'unknown'}, {m.get('backend') or 'unknown backend'})")
                         for m in brief.models)
    meta.append(("Models", (models + "<br>" if models else "") + escape(brief.generator)))
    meta.append(("Figures", escape(brief.figures_line)))
    out.append('<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>")
    out.append("</header>")

    # Executive summary
    out.append('<section class="part" id="executive-summary"><h2>Executive summary</h2>')
    out.append(_summary(brief.executive_summary, "No summary: the summarize stage did not run."))
    out.append("</section>")

    # Section summaries
    out.append('<section class="part" id="sections"><h2>Sections</h2>')
    for index, section in enumerate(brief.sections):
        tag = f"h{min(5, 2 + (section.level or 1))}"
        out.append(f'<div class="section-summary" id="section-{index}">{_heading(section, tag)}')
        out.append(_summary(section.summary, "No summary."))
        out.append("</div>")
    out.append("</section>")

    # Key figures
    out.append('<section class="part" id="key-figures"><h2>Key figures</h2>')
    out.append(f"<p>{escape(brief.figures_line)}. Each row: the figure in the source, its English rendering, "
               "the check's verdict and the sentence in both languages.</p>")
    if brief.figures:
        out.append('<table class="figures"><caption class="label">Figures checked against the source</caption>'
                   "<thead><tr><th>#</th><th>Source</th><th>English</th><th>Status</th><th>Section</th>"
                   "<th>Sentence</th></tr></thead><tbody>")
        for number, f in enumerate(brief.figures, 1):
            out.append(f'<tr class="figure" id="figure-{number}"><td class="num">{number}</td>'
                       f'<td class="num">{_en(f.text) if f.status == "unsupported" else _zh(f.text)}</td>'
                       f'<td class="num" lang="en">{escape(f.en) if f.en else "—"}</td>{_status(f)}'
                       f'<td lang="en">{escape(brief.section_title(f.section))}</td>'
                       f"<td>{_zh(f.sentence_zh, 'p')}{_en(f.sentence_en, 'p')}</td></tr>")
        out.append("</tbody></table>")
    out.append("</section>")

    # Full text
    out.append('<section class="part" id="full-text"><h2>Full text</h2>')
    parts = [("front", None, brief.front), *((f"section-text-{i}", s, s.units) for i, s in enumerate(brief.sections))]
    for anchor, section, units in parts:
        if section is None and not units:
            continue
        out.append(f'<div class="text-part" id="{anchor}">')
        out.append(_heading(section, "h3") if section is not None else "<h3>Front matter</h3>")
        rows = []
        if section is not None and section.heading_zh:
            rows.append(f'<tr class="unit unit-heading"><td lang="zh-Hans"><span class="tag">heading</span>'
                        f'{escape(section.heading_zh)}</td><td lang="en"><span class="tag">heading</span>'
                        f'{escape(section.heading_en or "(not translated)")}</td></tr>')
        rows += [_unit_row(u) for u in units]
        out.append('<table class="parallel"><thead><tr><th lang="zh-Hans">中文原文</th><th lang="en">English</th>'
                   "</tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>")
    out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
