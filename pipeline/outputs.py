"""Renderers: a translated ``Document`` as the files a user reads. reads: a Document; gives: text.

- ``english_text``: ``NAME.en.txt``, the English, one block a paragraph;
- ``aligned_jsonl``: ``NAME.aligned.jsonl``, one object per sentence (section, block, kind, zh, en, span,
  QA flags as strings);
- ``aligned_tsv``: ``NAME.aligned.tsv``, the same rows as TSV;
- the brief (``pipeline.brief``): ``NAME.brief.md``, ``NAME.brief.html``, ``NAME.brief.docx`` (bytes) and
  ``NAME.brief.json`` (under ``pipeline/data/brief.schema.json``).

Flags are structured on the document (``pipeline.document.Flag``); they become strings only here.
Writing files, stamps and resume are the batch layer's (``pipeline.batch``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import regex

from pipeline.document import Document
from pipeline.errors import UsageError

Format = Literal["txt", "jsonl", "tsv"]
# The formats of ``brief translate``, and those it writes when none is named.
FORMATS: tuple[Format, ...] = ("txt", "jsonl", "tsv")
DEFAULT_FORMATS: tuple[Format, ...] = ("txt", "jsonl")


def english_text(document: Document) -> str:
    """The English of a translated document: one block a paragraph, a blank line between blocks."""
    blocks = [block.translation for _, block in document.blocks()]
    return "\n\n".join(b for b in blocks if b) + "\n"


def aligned_rows(document: Document) -> list[dict]:
    """One row per sentence: section, block number, kind, Chinese, English, source span, QA flags."""
    rows = []
    for number, (section, block) in enumerate(document.blocks()):
        kind = "epigraph" if block.kind == "epigraph_label" else block.kind
        for sentence in block.sentences:
            rows.append({"section": section, "block": number, "kind": kind, "zh": sentence.text,
                         "en": sentence.translation, "start": sentence.start, "end": sentence.end,
                         "qa_flags": sentence.qa_flags})
    return rows


def aligned_jsonl(document: Document) -> str:
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in aligned_rows(document))


def aligned_tsv(document: Document) -> str:
    """The aligned rows as TSV with a header; tabs and line breaks inside text become spaces."""
    columns = ("section", "block", "kind", "start", "end", "zh", "en", "qa_flags")

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, list):
            # Not ",": figure flags quote numbers with commas ("figures:mismatch: '10万名' (100,000) ...").
            value = " | ".join(value)
        return regex.sub(r"[\t\r\n]+", " ", str(value))

    lines = ["\t".join(columns)]
    lines += ["\t".join(cell(row[c]) for c in columns) for row in aligned_rows(document)]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class OutputFormat:
    """One kind of output file: ``NAME + suffix``, made by ``render`` (text, or bytes for a binary format)."""

    name: str
    suffix: str
    render: Callable[[Document], str | bytes]


def brief_markdown(document: Document) -> str:
    from pipeline.brief import Brief

    return Brief.from_document(document).to_markdown()


def brief_html(document: Document) -> str:
    from pipeline.brief import Brief

    return Brief.from_document(document).to_html()


def brief_docx(document: Document) -> bytes:
    from pipeline.brief import Brief

    return Brief.from_document(document).docx_bytes()


def brief_json(document: Document) -> str:
    from pipeline.brief import Brief

    return Brief.from_document(document).to_json()


# Every output the batch layer can write, by name.
OUTPUT_FORMATS: dict[str, OutputFormat] = {
    "txt": OutputFormat("txt", ".en.txt", english_text),
    "jsonl": OutputFormat("jsonl", ".aligned.jsonl", aligned_jsonl),
    "tsv": OutputFormat("tsv", ".aligned.tsv", aligned_tsv),
    "md": OutputFormat("md", ".brief.md", brief_markdown),
    "html": OutputFormat("html", ".brief.html", brief_html),
    "docx": OutputFormat("docx", ".brief.docx", brief_docx),
    "json": OutputFormat("json", ".brief.json", brief_json),
}


def output_formats(formats: Iterable[str], default: Iterable[str] = DEFAULT_FORMATS) -> list[str]:
    """``formats`` without repeats, in order (``default`` when none is named); UsageError naming the choices
    for a format that ``OUTPUT_FORMATS`` does not have."""
    chosen = list(dict.fromkeys(formats)) or list(default)
    unknown = [f for f in chosen if f not in OUTPUT_FORMATS]
    if unknown:
        raise UsageError(f"unknown output format {unknown[0]!r}; choose from: {', '.join(OUTPUT_FORMATS)}")
    return chosen


# The outputs of ``brief run``, and those it writes when none is named.
BRIEF_FORMATS: tuple[str, ...] = ("md", "html", "docx", "json")
