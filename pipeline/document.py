"""The document model that flows through the stages.

``segment`` builds it from a normalised source text; ``translate`` fills ``Sentence.translation`` and
``Sentence.qa_flags``; ``figures`` and ``brief`` read it. Every block and sentence keeps its character span
``[start, end)`` in ``Document.source``, so any later stage can point back at the exact source text.

A block whose text was broken by page extraction ("贵" | "阳贵安") is one ``Block``: ``text`` is the repaired
text, and ``pieces`` says where each part of it stands in the source.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal

BlockKind = Literal["kicker", "title", "subtitle", "byline", "epigraph_label", "epigraph", "heading", "paragraph",
                    "caption", "page_number"]


@dataclass
class Sentence:
    """One sentence of a block: its text, its span in the source and, once translated, its English."""

    text: str
    start: int
    end: int
    translation: str | None = None
    qa_flags: list[str] = field(default_factory=list)


@dataclass
class Piece:
    """A run of block text copied verbatim from ``source[start:start + len(text)]``.

    ``joiner`` is text inserted before this piece when a broken block was repaired (a space between two
    English words; empty between Chinese characters).
    """

    text: str
    start: int
    joiner: str = ""


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


@dataclass
class Section:
    """A heading (None for the lead) and the paragraphs and captions under it, in source order."""

    heading: Block | None
    blocks: list[Block] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "paragraph"]

    @property
    def captions(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "caption"]


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
    # Page numbers left by PDF extraction: kept with their spans, but not part of the text to translate.
    furniture: list[Block] = field(default_factory=list)

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
