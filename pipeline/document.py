"""The document model that flows through the stages.

``segment`` builds it from a normalised source text; ``translate`` fills ``Sentence.translation`` and
adds ``Sentence.flags``; the figure check adds ``Sentence.figures`` and its own flags; the brief reads
it all. Every block and sentence keeps its character span
``[start, end)`` in ``Document.source``, so any later stage can point back at the exact source text.

A block whose text was broken by page extraction ("贵" | "阳贵安") is one ``Block``: ``text`` is the repaired
text, and ``pieces`` says where each part of it stands in the source.

``Document.to_dict`` and ``Document.from_dict`` round-trip a document through plain JSON types, stamped
with ``SCHEMA_VERSION``: ``brief segment --json`` carries it, and any stage can pick a document up there.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.errors import InputError

# The version of ``Document.to_dict``'s layout; ``from_dict`` refuses any other.
SCHEMA_VERSION = 1

BlockKind = Literal["kicker", "title", "subtitle", "byline", "epigraph_label", "epigraph", "heading", "paragraph",
                    "caption", "page_number", "junk"]


FlagSeverity = Literal["issue", "warning"]


@dataclass
class Flag:
    """Something a stage found wrong, or worth a second look, in one sentence's translation.

    ``stage`` is the stage that raised it (``translate``, ``terminology``, ``figures``); ``code`` what it is
    (a guard such as ``repetition``; ``glossary`` or ``name``; a figure verdict such as ``mismatch``).
    ``data`` holds what a reader needs to act on it, as plain JSON values: the guard that fired, the term,
    the source and target figure. ``label`` is the short text shown in aligned outputs.
    """

    stage: str
    code: str
    message: str = ""
    severity: FlagSeverity = "issue"
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """The flag as one string: ``repetition``, ``glossary:政协``, ``figures:missing: '10万人' ...``."""
        if self.stage == "terminology":
            return f"{self.code}:{self.data.get('term', '')}"
        if self.stage == "figures":
            prefix = "figures" if self.severity == "issue" else "figures-warning"
            return f"{prefix}:{self.code}: {self.message}"
        return self.code

    def to_dict(self) -> dict:
        return {"stage": self.stage, "code": self.code, "message": self.message, "severity": self.severity,
                "data": self.data}

    @classmethod
    def from_dict(cls, data: dict) -> Flag:
        return cls(data["stage"], data["code"], data.get("message", ""), data.get("severity", "issue"),
                   dict(data.get("data") or {}))


@dataclass
class FigureCheck:
    """The figure check of one translated sentence: the figures found on each side.

    Each figure is the JSON form of ``pipeline.figures.Figure`` (text, kind, value, approx, unit, start,
    end, soft), with offsets into the sentence or its translation; the verdicts are the sentence's
    ``figures`` flags (``data``: source, target, subtype).
    """

    source: list[dict] = field(default_factory=list)
    target: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"source": self.source, "target": self.target}

    @classmethod
    def from_dict(cls, data: dict) -> FigureCheck:
        return cls(list(data.get("source", [])), list(data.get("target", [])))


SummaryMethod = Literal["extractive", "abstractive", "fallback"]


@dataclass
class SummarySentence:
    """One sentence of a summary: its English, and the Chinese it stands on.

    ``method`` says how it was made: ``extractive`` (a source sentence's translation, ``zh``/``start``/
    ``end`` its text and span), ``abstractive`` (written by a summariser model; every figure in it checked
    against the section's source), ``fallback`` (the model's candidates all failed the figure check, so the
    best extractive sentence stands in; ``note`` says why). ``en`` is None for an extractive sentence of a
    document that was not translated (a reader shows ``zh`` then).
    """

    en: str | None
    zh: str | None = None
    start: int | None = None
    end: int | None = None
    method: SummaryMethod = "extractive"
    note: str | None = None

    def to_dict(self) -> dict:
        return {"en": self.en, "zh": self.zh, "start": self.start, "end": self.end, "method": self.method,
                "note": self.note}

    @classmethod
    def from_dict(cls, data: dict) -> SummarySentence:
        return cls(data["en"], data.get("zh"), data.get("start"), data.get("end"),
                   data.get("method", "extractive"), data.get("note"))


@dataclass
class Sentence:
    """One sentence of a block: its text, its span in the source and, once translated, its English."""

    text: str
    start: int
    end: int
    translation: str | None = None
    flags: list[Flag] = field(default_factory=list)
    figures: FigureCheck | None = None

    @property
    def qa_flags(self) -> list[str]:
        """The flags as strings (``Flag.label``), in the order raised."""
        return [flag.label for flag in self.flags]

    def set_flags(self, stages: tuple[str, ...], flags: list[Flag]) -> None:
        """Replace the flags of ``stages`` with ``flags`` (a stage run twice leaves one set of its flags)."""
        self.flags = [flag for flag in self.flags if flag.stage not in stages] + list(flags)

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end, "translation": self.translation,
                "flags": [f.to_dict() for f in self.flags],
                "figures": self.figures.to_dict() if self.figures is not None else None}

    @classmethod
    def from_dict(cls, data: dict) -> Sentence:
        figures = data.get("figures")
        return cls(data["text"], data["start"], data["end"], data.get("translation"),
                   [Flag.from_dict(f) for f in data.get("flags", [])],
                   FigureCheck.from_dict(figures) if figures is not None else None)


@dataclass
class Piece:
    """A run of block text copied verbatim from ``source[start:start + len(text)]``.

    ``joiner`` is text inserted before this piece when a broken block was repaired (a space between two
    English words; empty between Chinese characters).
    """

    text: str
    start: int
    joiner: str = ""

    def to_dict(self) -> dict:
        return {"text": self.text, "start": self.start, "joiner": self.joiner}


@dataclass
class Block:
    """A titled, headed or running unit of text: title, heading, paragraph, caption, ..."""

    kind: BlockKind
    pieces: list[Piece]
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.joiner + p.text for p in self.pieces)

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        last = self.pieces[-1]
        return last.start + len(last.text)

    @property
    def translation(self) -> str | None:
        """The block's English: its sentences' translations joined, or None before translation."""
        if not self.sentences or any(s.translation is None for s in self.sentences):
            return None
        return " ".join(s.translation for s in self.sentences if s.translation)

    def source_mapper(self) -> Callable[[int], int]:
        """A function from offsets into ``text`` to offsets into the document source.

        Built once per block, then a binary search a call. An offset inside a joiner maps to the break in
        the source that the joiner stands for.
        """
        starts, sources = [], []  # where each piece's own text begins in ``text``, and in the source
        position = 0
        for piece in self.pieces:
            position += len(piece.joiner)
            starts.append(position)
            sources.append(piece.start)
            position += len(piece.text)

        def to_source(offset: int) -> int:
            index = max(0, bisect.bisect_right(starts, offset) - 1)
            return sources[index] + offset - starts[index]

        return to_source

    def to_dict(self) -> dict:
        """The block with its derived text and span too, for readers that do not rebuild it."""
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end,
                "pieces": [p.to_dict() for p in self.pieces], "sentences": [s.to_dict() for s in self.sentences]}

    @classmethod
    def from_dict(cls, data: dict) -> Block:
        return cls(data["kind"], [Piece(p["text"], p["start"], p.get("joiner", "")) for p in data["pieces"]],
                   [Sentence.from_dict(s) for s in data.get("sentences", [])])


@dataclass
class Section:
    """A heading (None for the lead) and the paragraphs and captions under it, in source order.

    ``level`` is the heading's depth: 1 for top-level parts (一、) and unnumbered news sub-headings, 2 for
    the next numbered level (（一）), 3 below; None for the lead section. Sections stay a flat list.
    """

    heading: Block | None
    blocks: list[Block] = field(default_factory=list)
    level: int | None = None
    # Filled by the summarize stage: the section's summary, in reading order.
    summary: list[SummarySentence] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "paragraph"]

    @property
    def captions(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "caption"]

    def to_dict(self) -> dict:
        return {"heading": self.heading.to_dict() if self.heading is not None else None, "level": self.level,
                "blocks": [b.to_dict() for b in self.blocks], "summary": [s.to_dict() for s in self.summary]}

    @classmethod
    def from_dict(cls, data: dict) -> Section:
        heading = data.get("heading")
        return cls(Block.from_dict(heading) if heading is not None else None,
                   [Block.from_dict(b) for b in data.get("blocks", [])], data.get("level"),
                   [SummarySentence.from_dict(s) for s in data.get("summary", [])])


_FRONT = ("kicker", "title", "subtitle", "byline", "epigraph_label")


@dataclass
class Document:
    """A segmented article. ``source`` is the normalised text all spans refer to."""

    source: str
    kicker: Block | None = None  # 引题: a short line above the title, in newspapers
    title: Block | None = None
    subtitle: Block | None = None
    byline: Block | None = None
    epigraph_label: Block | None = None
    epigraph: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    path: str | None = None
    encoding: str | None = None
    # Text around each repaired break, six characters each side, e.g. "深刻感悟了贵阳贵安经济社".
    repaired_joins: list[str] = field(default_factory=list)
    # What is not the article's text, kept with its spans in source order but never translated: page numbers
    # left by PDF extraction (kind ``page_number``) and web-page chrome (kind ``junk``: buttons, breadcrumbs,
    # the page's source and date labels, promotions, editors' credits).
    furniture: list[Block] = field(default_factory=list)
    # Filled by the summarize stage: 3-5 points drawn from across the article.
    executive_summary: list[SummarySentence] = field(default_factory=list)
    # What made it: one entry per model used ({"role", "model_id", "revision", "backend"}), set by the run.
    models: list[dict[str, Any]] = field(default_factory=list)

    def blocks(self) -> Iterator[tuple[int | None, Block]]:
        """Every block in source order, with the index of its section (None for the front matter)."""
        front = [self.kicker, self.title, self.subtitle, self.byline, self.epigraph_label, *self.epigraph]
        for block in sorted((b for b in front if b is not None), key=lambda b: b.start):
            yield None, block
        for index, section in enumerate(self.sections):
            if section.heading is not None:
                yield index, section.heading
            for block in section.blocks:
                yield index, block

    def sentences(self) -> Iterator[Sentence]:
        for _, block in self.blocks():
            yield from block.sentences

    @property
    def captions(self) -> list[Block]:
        return [c for s in self.sections for c in s.captions]

    def to_dict(self) -> dict:
        """Everything the document holds, as JSON types, with ``schema_version``; ``from_dict`` reads it back."""
        data: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "source": self.source, "path": self.path,
                                "encoding": self.encoding}
        for name in _FRONT:
            block = getattr(self, name)
            data[name] = block.to_dict() if block is not None else None
        data["epigraph"] = [b.to_dict() for b in self.epigraph]
        data["sections"] = [s.to_dict() for s in self.sections]
        data["repaired_joins"] = list(self.repaired_joins)
        data["furniture"] = [b.to_dict() for b in self.furniture]
        data["executive_summary"] = [s.to_dict() for s in self.executive_summary]
        data["models"] = [dict(m) for m in self.models]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        """The document ``to_dict`` wrote (or the ``document`` member of ``brief segment --json``).

        Raises ``InputError`` (one line) for another schema version or a dict that is not a document.
        """
        if isinstance(data, dict) and isinstance(data.get("document"), dict):
            data = data["document"]
        if not isinstance(data, dict) or "source" not in data:
            raise InputError("not a bilingual-brief document: no 'source' (expected Document.to_dict output)")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise InputError(f"document schema version {version!r} is not supported; this version of "
                             f"bilingual-brief reads version {SCHEMA_VERSION}")
        try:
            front = {name: Block.from_dict(data[name]) if data.get(name) is not None else None for name in _FRONT}
            return cls(source=data["source"], **front,
                       epigraph=[Block.from_dict(b) for b in data.get("epigraph", [])],
                       sections=[Section.from_dict(s) for s in data.get("sections", [])],
                       path=data.get("path"), encoding=data.get("encoding"),
                       repaired_joins=list(data.get("repaired_joins", [])),
                       furniture=[Block.from_dict(b) for b in data.get("furniture", [])],
                       executive_summary=[SummarySentence.from_dict(s) for s in data.get("executive_summary", [])],
                       models=[dict(m) for m in data.get("models", [])])
        except (KeyError, TypeError, IndexError) as e:
            raise InputError(f"not a valid bilingual-brief document: {type(e).__name__} {e}") from e
