"""The figures stage: find figures in Chinese and English text and check a translation against its source.

reads: a Chinese source and an English translation (segments or whole documents); gives: figures with
kind, normalised value, approximation, unit and span, and per-segment issues (missing, mismatch,
unsupported figures; approximation lost as a warning).

    >>> from pipeline.figures import check
    >>> [i.type for i in check("全市新增就业10万人。", "The city added 10,000 jobs.").issues]
    ['mismatch']
"""

from pipeline.figures.compare import check, compare_figures
from pipeline.figures.en import extract_en
from pipeline.figures.model import CheckResult, Figure, Issue
from pipeline.figures.report import (
    CheckReport,
    SegmentCheck,
    annotate_document,
    check_documents,
    check_files,
    check_lines,
)
from pipeline.figures.zh import extract_zh

__all__ = ["CheckReport", "CheckResult", "Figure", "Issue", "SegmentCheck", "annotate_document", "check",
           "check_documents",
           "check_files", "check_lines", "compare_figures", "extract_en", "extract_zh"]
