"""The bilingual brief of one article: what a reader gets from a run. reads: a run Document; gives: a Brief.

A ``Brief`` holds, as plain data: the header (Chinese and English title, subtitle, byline, source file,
the models used and this package's version, one line on the figure check), the executive summary, each
section's headings and summary, the key figures with their check status, and the full text side by side.
It renders itself as Markdown, HTML, Word (.docx) and JSON (``to_dict``, under the schema shipped in
``pipeline/data/brief.schema.json``); the renderers are in ``pipeline.render``.

Figure statuses come from the figure check already on the document (``Sentence.figures`` and the
``figures`` flags), never from a new check: ``ok``, ``missing``, ``mismatch``, ``approx_lost`` (a warning)
or ``unsupported`` (a figure in the English that the source does not have). A percent given as percentage
points, or the other way round, is a ``mismatch`` marked ``review``: a warning to look at, not an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pipeline.document import Block, Document, Flag, Sentence, SummarySentence
from pipeline.version import __version__

# The version of ``Brief.to_dict``'s layout, stamped into the JSON (``brief.schema.json`` requires it).
BRIEF_SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "brief.schema.json"

FigureStatus = Literal["ok", "missing", "mismatch", "approx_lost", "unsupported"]
FIGURE_STATUSES: tuple[FigureStatus, ...] = ("ok", "missing", "mismatch", "approx_lost", "unsupported")
# How bad each figure flag is, worst first: a figure with several flags shows the worst.
_SEVERITY_ORDER = ("mismatch", "missing", "unsupported", "points_vs_percent", "approx_lost")
# A flag code of the figure check -> the status a key figure shows.
_STATUS_OF_CODE: dict[str, FigureStatus] = {"mismatch": "mismatch", "missing": "missing", "unsupported": "unsupported",
                                            "approx_lost": "approx_lost", "points_vs_percent": "mismatch"}
# Kinds that are not key figures unless the check flagged them: names built on a number (四同, "3+1").
_NOT_KEY_KINDS = frozenset({"numeric_name"})


@dataclass
class Unit:
    """One block of the full text, side by side: its kind, Chinese, English and QA flags.

    ``flags`` are the block's sentences' flags as JSON (``Flag.to_dict``) with ``label`` (the text shown)
    and ``sentence`` (the sentence's index in the block).
    """

    kind: str
    zh: str
    en: str | None
    flags: list[dict[str, Any]] = field(default_factory=list)
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict:
        return {"kind": self.kind, "zh": self.zh, "en": self.en, "flags": self.flags, "start": self.start,
                "end": self.end}


@dataclass
class BriefSection:
    """A section of the brief: its heading in both languages (None for the lead), level, summary and text."""

    heading_zh: str | None
    heading_en: str | None
    level: int | None
    summary: list[SummarySentence] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The heading as a reader sees it in the brief: the English, else the Chinese, else 'Opening'."""
        return self.heading_en or self.heading_zh or "Opening"

    def to_dict(self) -> dict:
        heading = {"zh": self.heading_zh, "en": self.heading_en} if self.heading_zh is not None else None
        return {"heading": heading, "level": self.level, "summary": [s.to_dict() for s in self.summary],
                "units": [u.to_dict() for u in self.units]}


@dataclass
class KeyFigure:
    """One figure of the article and its check: what the source says, the English, and the verdict.

    ``section`` is the index of its section in ``Brief.sections`` (None for the title and front matter);
    ``review`` marks a warning (an approximation lost, percent vs points) rather than an error; ``note``
    is the checker's message. ``start``/``end`` are offsets into the document source.
    """

    text: str
    kind: str
    value: Any
    en: str | None
    status: FigureStatus
    section: int | None
    sentence_zh: str
    sentence_en: str | None
    review: bool = False
    approx: str | None = None
    unit: str | None = None
    note: str | None = None
    start: int = 0
    end: int = 0

    @property
    def verdict(self) -> str:
        """The status in words, with a symbol, so that it never rests on colour: '✓ verified', ..."""
        if self.status == "ok":
            return "✓ verified"
        if self.review:
            reason = "approximation lost" if self.status == "approx_lost" else "percent vs points"
            return f"? to review: {reason}"
        return {"missing": "✗ missing in the English", "mismatch": "✗ changed in the English",
                "unsupported": "✗ not in the source"}.get(self.status, self.status)

    def to_dict(self) -> dict:
        return {"text": self.text, "kind": self.kind, "value": self.value, "approx": self.approx, "unit": self.unit,
                "en": self.en, "status": self.status, "review": self.review, "note": self.note,
                "section": self.section, "sentence": {"zh": self.sentence_zh, "en": self.sentence_en},
                "start": self.start, "end": self.end}


@dataclass
class Brief:
    """The brief of one article (see the module docstring); build it with ``Brief.from_document``."""

    title_zh: str | None
    title_en: str | None
    subtitle_zh: str | None = None
    subtitle_en: str | None = None
    byline_zh: str | None = None
    byline_en: str | None = None
    source_file: str | None = None
    models: list[dict[str, Any]] = field(default_factory=list)
    executive_summary: list[SummarySentence] = field(default_factory=list)
    sections: list[BriefSection] = field(default_factory=list)
    figures: list[KeyFigure] = field(default_factory=list)
    # The title, subtitle, byline, epigraph and the like, side by side, before the first section.
    front: list[Unit] = field(default_factory=list)
    generator: str = f"bilingual-brief {__version__}"

    @classmethod
    def from_document(cls, document: Document) -> Brief:
        """The brief of a run document (translated, figure-checked, perhaps summarised)."""
        return brief_of(document)

    # --- the header line on figures -----------------------------------------------------------------------

    @property
    def figure_counts(self) -> dict[str, int]:
        """Counts for the header: source figures, verified, to review, wrong; English figures without a source."""
        source = [f for f in self.figures if f.status != "unsupported"]
        return {"total": len(source), "verified": sum(f.status == "ok" for f in source),
                "review": sum(f.status != "ok" and f.review for f in source),
                "wrong": sum(f.status != "ok" and not f.review for f in source),
                "unsupported": len(self.figures) - len(source)}

    @property
    def figures_line(self) -> str:
        """'Figures: 57 of 58 verified against the source, 1 to review' (and what else the check found)."""
        counts = self.figure_counts
        if not counts["total"]:
            line = "Figures: none found in the source"
        else:
            line = f"Figures: {counts['verified']} of {counts['total']} verified against the source"
        if counts["review"]:
            line += f", {counts['review']} to review"
        if counts["wrong"]:
            line += f", {counts['wrong']} missing or changed in the English"
        if counts["unsupported"]:
            line += f"; {counts['unsupported']} in the English not found in the source"
        return line

    @property
    def models_line(self) -> str:
        """'translator: Helsinki-NLP/opus-mt-zh-en (rev abc123, ctranslate2)', one per model, and the generator."""
        parts = [f"{m.get('role', 'model')}: {m.get('model_id')} (revision {m.get('revision') or 'unknown'}, "
                 f"{m.get('backend') or 'unknown backend'})" for m in self.models]
        return "; ".join([*parts, self.generator])

    def section_title(self, index: int | None) -> str:
        """The heading a figure's ``section`` index stands for ('Front matter' for None)."""
        return "Front matter" if index is None else self.sections[index].title

    # --- outputs ------------------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        """Everything in the brief as JSON types, under ``brief.schema.json``."""
        return {
            "schema_version": BRIEF_SCHEMA_VERSION,
            "generator": self.generator,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "subtitle": {"zh": self.subtitle_zh, "en": self.subtitle_en} if self.subtitle_zh else None,
            "byline": {"zh": self.byline_zh, "en": self.byline_en} if self.byline_zh else None,
            "source_file": self.source_file,
            "models": [dict(m) for m in self.models],
            "figures_line": self.figures_line,
            "figure_counts": self.figure_counts,
            "executive_summary": [s.to_dict() for s in self.executive_summary],
            "sections": [s.to_dict() for s in self.sections],
            "figures": [f.to_dict() for f in self.figures],
            "front": [u.to_dict() for u in self.front],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_markdown(self) -> str:
        from pipeline.render.markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        from pipeline.render.html import render_html

        return render_html(self)

    def docx_bytes(self) -> bytes:
        """The brief as a Word document, in memory (python-docx)."""
        from pipeline.render.docx import render_docx

        return render_docx(self)

    def to_docx(self, path: str | Path) -> Path:
        """Write the brief as a Word document to ``path``; it is rendered whole before the file is opened."""
        path = Path(path)
        path.write_bytes(self.docx_bytes())
        return path


# --- building a brief from a document ---------------------------------------------------------------------

def brief_of(document: Document) -> Brief:
    """The ``Brief`` of a run document. reads: blocks, translations, flags, figure checks, summaries."""
    front_blocks = [b for section, b in document.blocks() if section is None]
    sections = [BriefSection(s.heading.text if s.heading else None, s.heading.translation if s.heading else None,
                             s.level, list(s.summary), [unit_of(b) for b in s.blocks])
                for s in document.sections]
    figures = [figure for index, block in document.blocks() for sentence in block.sentences
               for figure in key_figures(sentence, index)]
    return Brief(
        title_zh=_zh(document.title), title_en=_en(document.title),
        subtitle_zh=_zh(document.subtitle), subtitle_en=_en(document.subtitle),
        byline_zh=_zh(document.byline), byline_en=_en(document.byline),
        source_file=document.path, models=[dict(m) for m in document.models],
        executive_summary=list(document.executive_summary), sections=sections, figures=figures,
        front=[unit_of(b) for b in front_blocks],
    )


def _zh(block: Block | None) -> str | None:
    return block.text if block is not None else None


def _en(block: Block | None) -> str | None:
    return block.translation if block is not None else None


def unit_of(block: Block) -> Unit:
    """A block as a unit of the side-by-side text, with its sentences' flags."""
    flags = []
    for index, sentence in enumerate(block.sentences):
        for flag in sentence.flags:
            flags.append({**flag.to_dict(), "label": flag.label, "sentence": index})
    return Unit(block.kind, block.text, block.translation, flags, block.start, block.end)


def key_figures(sentence: Sentence, section: int | None) -> list[KeyFigure]:
    """The key figures of one checked sentence, in source order, then its English figures without a source.

    A source figure's status is the worst of the ``figures`` flags on it or on one of its parts (十三届 in
    十三届二次会议), ``ok`` when none; soft figures and numbers in names are left out unless flagged. The
    English rendering is the flag's target figure, else the English figure of the same value, else the
    nearest English figure of the same kind, else None.
    """
    if sentence.figures is None:
        return []
    flags = [f for f in sentence.flags if f.stage == "figures"]
    targets = list(sentence.figures.target)
    used: set[int] = set()
    out = []
    sources = list(sentence.figures.source)
    for index, figure in enumerate(sources):
        texts = {figure["text"], *(p["text"] for p in figure.get("parts", []))}
        later = {t for f in sources[index + 1:] for t in (f["text"], *(p["text"] for p in f.get("parts", [])))}
        own = _own_flags(flags, texts, later)
        if not own and (figure.get("soft") or figure["kind"] in _NOT_KEY_KINDS):
            continue
        for f in own:
            flags.remove(f)  # one flag, one figure: the same text twice in a sentence is two figures
        own.sort(key=_badness)
        worst = own[0] if own else None
        # A flagged figure's English is the flag's (None when missing); only a passed one looks for its English.
        en = worst.data.get("target") if worst is not None else _english_of(figure, targets, used, sentence)
        out.append(KeyFigure(
            text=figure["text"], kind=figure["kind"], value=figure.get("value"), en=en,
            status=_STATUS_OF_CODE.get(worst.code, "mismatch") if worst is not None else "ok",
            section=section, sentence_zh=sentence.text, sentence_en=sentence.translation,
            review=worst is not None and _to_review(worst), approx=figure.get("approx"),
            unit=figure.get("unit"), note="; ".join(f.message for f in own) or None,
            start=sentence.start + figure["start"], end=sentence.start + figure["end"]))
    # Left: English figures without a source, and verdicts on text that is no figure of its own (a code
    # written another way): rows of their own, so that no verdict of the check is lost.
    for flag in flags:
        unsupported = flag.code == "unsupported"
        text = flag.data.get("target" if unsupported else "source") or flag.data.get("target") or ""
        figure = next((t for t in (targets if unsupported else sentence.figures.source) if t["text"] == text), None)
        kind = figure["kind"] if figure else ("code" if flag.data.get("subtype") == "code" else "quantity")
        out.append(KeyFigure(
            text=text, kind=kind, value=figure.get("value") if figure else None, en=flag.data.get("target"),
            status=_STATUS_OF_CODE.get(flag.code, "mismatch"), section=section, sentence_zh=sentence.text,
            sentence_en=sentence.translation, review=_to_review(flag), note=flag.message,
            start=sentence.start, end=sentence.end))
    return out


def _own_flags(flags: list[Flag], texts: set[str], later: set[str]) -> list[Flag]:
    """The flags that belong to one occurrence of a source figure whose texts (its own and its parts') are
    ``texts``: one flag of each code per text while a later figure of the sentence has that text too (the
    check gives one flag per occurrence, in source order), else all that are left for the text."""
    own: list[Flag] = []
    taken: set[tuple[str, str]] = set()
    for f in flags:
        text = f.data.get("source")
        if text not in texts:
            continue
        if text in later:
            if (text, f.code) in taken:
                continue
            taken.add((text, f.code))
        own.append(f)
    return own


def _code(flag: Flag) -> str:
    # Percentage points written as percent is a mismatch of its own subtype (pipeline.figures): to review.
    return "points_vs_percent" if flag.data.get("subtype") == "points_vs_percent" else flag.code


def _to_review(flag: Flag) -> bool:
    """A warning, or percent written for percentage points: a reader should look, but it is not wrong."""
    return flag.severity == "warning" or _code(flag) == "points_vs_percent"


def _badness(flag: Flag) -> int:
    code = _code(flag)
    return _SEVERITY_ORDER.index(code) if code in _SEVERITY_ORDER else len(_SEVERITY_ORDER)


def _english_of(figure: dict, targets: list[dict], used: set[int], sentence: Sentence) -> str | None:
    """The English figure that renders a source figure the check passed: same value first, then same kind
    nearest in relative position; ``used`` keeps one English figure from standing for two source figures."""
    values = [figure.get("value"), *(p.get("value") for p in figure.get("parts", []))]
    free = [i for i in range(len(targets)) if i not in used]
    same = [i for i in free if _same_value(targets[i].get("value"), values)]
    if not same:
        where = figure["start"] / max(1, len(sentence.text))
        length = max(1, len(sentence.translation or ""))
        same = sorted((i for i in free if targets[i]["kind"] == figure["kind"]),
                      key=lambda i: abs(targets[i]["start"] / length - where))
    if not same:
        return None
    used.add(same[0])
    return targets[same[0]]["text"]


def _same_value(value: Any, values: list[Any]) -> bool:
    for other in values:
        if value is None or other is None:
            continue
        if isinstance(value, (int, float)) and isinstance(other, (int, float)):
            if abs(value - other) <= 1e-9 * max(1.0, abs(other)):
                return True
        elif value == other:
            return True
    return False
