"""Checking files: what ``brief figures`` and ``brief check`` call, and the reports they print.

reads: a Chinese article (figures) or a source and a translation (check); gives: a list of figures or a
``CheckReport`` (one ``SegmentCheck`` per source segment), as text for people or JSON for tools.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from pipeline.document import Document, FigureCheck, Flag
from pipeline.errors import InputError, NoChineseTextError
from pipeline.figures.align import align_document_pair
from pipeline.figures.compare import compare_figures
from pipeline.figures.en import extract_en
from pipeline.figures.model import CheckResult, Figure, Issue
from pipeline.figures.zh import extract_zh
from pipeline.textio import has_chinese, is_mostly_chinese, read_text
from pipeline.wording import plural


@dataclass
class SegmentCheck:
    """One checked segment: its 1-based source line and the verdicts."""

    line: int | None
    result: CheckResult


@dataclass
class CheckReport:
    """The verdicts for a whole translation."""

    source_path: str
    translation_path: str
    aligned: bool
    segments: list[SegmentCheck] = field(default_factory=list)

    @property
    def flagged(self) -> list[SegmentCheck]:
        """Segments with at least one hard issue."""
        return [s for s in self.segments if s.result.issues]

    def summary(self) -> dict:
        """Counts: segments, flagged segments, issues and warnings by type, figures checked."""
        issues = Counter(i.type for s in self.segments for i in s.result.issues)
        warnings = Counter(w.type for s in self.segments for w in s.result.warnings)
        return {"mode": "aligned" if self.aligned else "document", "segments": len(self.segments),
                "flagged": len(self.flagged), "issues": sum(issues.values()), "issues_by_type": dict(issues),
                "warnings": sum(warnings.values()), "warnings_by_type": dict(warnings),
                "source_figures": sum(len(s.result.source_figures) for s in self.segments),
                "target_figures": sum(len(s.result.target_figures) for s in self.segments)}


def check_lines(source_lines: list[str], target_lines: list[str]) -> list[SegmentCheck]:
    """Check line i of the translation against line i of the source (lines of equal count).

    Every line gets a segment, blank ones included, so that tools can read the verdicts line by line.
    """
    out = []
    for number, (s, t) in enumerate(zip(source_lines, target_lines), 1):
        out.append(SegmentCheck(number, compare_figures(s, t, extract_zh(s), extract_en(t))))
    return out


def check_documents(source: str, target: str) -> list[SegmentCheck]:
    """Check a whole translation against a whole source, aligning sentences by figures and positions.

    A source figure counts as translated when its value appears in the aligned English or in the groups
    just before and after (a sentence boundary moved by the translator, or an alignment off by one); an
    English figure counts as supported the same way.
    """
    groups, paired = align_document_pair(source, target)
    if paired:
        # Paragraphs kept: compare paragraph with paragraph, as --aligned does with lines.
        s_lines = [line for line in source.split("\n") if line.strip()]
        t_lines = [line for line in target.split("\n") if line.strip()]
        numbers = [i for i, line in enumerate(source.split("\n"), 1) if line.strip()]
        return [SegmentCheck(n, compare_figures(s, t, extract_zh(s), extract_en(t)))
                for n, s, t in zip(numbers, s_lines, t_lines)]
    s_texts = ["".join(u.text for u in g.source) for g in groups]
    t_texts = [" ".join(u.text for u in g.target) for g in groups]
    stricts = [compare_figures(s, t, extract_zh(s), extract_en(t)) for s, t in zip(s_texts, t_texts)]
    source_lines = source.split("\n")
    by_line: dict[int, tuple[list[str], list, list]] = {}
    line = 1
    for i, group in enumerate(groups):
        lo, hi = max(0, i - 1), min(len(groups), i + 2)
        strict = stricts[i]
        # The neighbours only excuse: a figure whose value is in the next sentence's English was moved by
        # the translator (or by the alignment), not lost. Only what the neighbour itself left unmatched can
        # excuse: a neighbour's 57 that renders its own 57 does not hide a 57 dropped here.
        t_context, t_figures = _context(t_texts, stricts, i, lo, hi, " ", target_side=True)
        s_context, s_figures = _context(s_texts, stricts, i, lo, hi, "", target_side=False)
        lost = {x.source for x in compare_figures(s_texts[i], t_context, strict.source_figures,
                                                  t_figures, pair_mismatches=False).issues
                if x.type == "missing"}
        added = {x.target for x in compare_figures(s_context, t_texts[i], s_figures,
                                                   strict.target_figures, pair_mismatches=False).issues
                 if x.type == "unsupported"}
        issues = _excuse(strict.issues, lost, added)
        # English with no source sentence is reported at the source line before it.
        line = group.source[0].line if group.source else line
        lines = sorted({u.line for u in group.source}) or [line]
        for n in lines:
            targets, _, _ = by_line.setdefault(n, ([], [], []))
            if t_texts[i] and t_texts[i] not in targets:
                targets.append(t_texts[i])
        for issue in issues:
            by_line.setdefault(_home_line(issue, group, lines), ([], [], []))[1].append(issue)
        by_line[lines[0]][2].extend(strict.warnings)
    out = []
    for n in sorted(by_line):
        targets, issues, warnings = by_line[n]
        s_line = source_lines[n - 1].strip() if 0 < n <= len(source_lines) else ""
        t_text = " ".join(targets)
        result = compare_figures(s_line, t_text, [], [])
        result.source_figures, result.target_figures = extract_zh(s_line), extract_en(t_text)
        result.issues, result.warnings = issues, warnings
        out.append(SegmentCheck(n, result))
    return out


def _context(texts: list[str], results: list[CheckResult], i: int, lo: int, hi: int, joiner: str, *,
             target_side: bool) -> tuple[str, list[Figure]]:
    """The text of groups ``lo..hi`` around group ``i`` and its figures: all of group ``i``'s, and of the
    neighbours' only those their own check left without a partner."""
    parts, figures, offset = [], [], 0
    for k in range(lo, hi):
        if not texts[k]:
            continue
        if parts:
            offset += len(joiner)
        result = results[k]
        own = result.target_figures if target_side else result.source_figures
        matched = {id(pair[1] if target_side else pair[0]) for pair in result.matches}
        for f in own:
            if k == i or id(f) not in matched:
                figures.append(replace(f, start=f.start + offset, end=f.end + offset,
                                       parts=tuple(replace(p, start=p.start + offset, end=p.end + offset)
                                                   for p in f.parts)))
        parts.append(texts[k])
        offset += len(texts[k])
    return joiner.join(parts), figures


def line_finder(text: str) -> Callable[[int], int]:
    """A function from an offset into ``text`` to its 1-based line (a binary search, not a count from 0)."""
    line_ends = [i for i, char in enumerate(text) if char == "\n"]
    return lambda offset: bisect.bisect_left(line_ends, offset) + 1


def annotate_document(document: Document) -> list[SegmentCheck]:
    """The figures stage on a translated ``Document``. reads: sentences with translations; adds:
    ``Sentence.figures`` (the figures on each side) and ``Sentence.flags`` (stage ``figures``).

    Each translated sentence (an empty translation too) is checked against its source; a figure the
    translator moved to another sentence of the same block is not reported. Each hard issue becomes a flag
    of severity ``issue`` (label "figures:missing: '10万人' (100,000) is not in the translation"), each
    warning one of severity ``warning``; ``data`` holds the source and target figure and the subtype
    (value, scale, unit, code).
    Returns one ``SegmentCheck`` per checked sentence (line = the sentence's 1-based source line).
    """
    out = []
    line_of = line_finder(document.source)
    for _, block in document.blocks():
        # An empty translation is checked too (its every figure missing); None is a sentence not translated.
        sentences = [x for x in block.sentences if x.translation is not None]
        block_source = "".join(x.text for x in sentences)
        block_target = " ".join(x.translation for x in sentences)
        # The block's figures, found once for all its sentences.
        block_source_figures, block_target_figures = extract_zh(block_source), extract_en(block_target)
        for sentence in sentences:
            strict = compare_figures(sentence.text, sentence.translation, extract_zh(sentence.text),
                                     extract_en(sentence.translation))
            lost = {x.source for x in compare_figures(sentence.text, block_target, strict.source_figures,
                                                      block_target_figures, pair_mismatches=False).issues
                    if x.type == "missing"}
            added = {x.target for x in compare_figures(block_source, sentence.translation, block_source_figures,
                                                       strict.target_figures, pair_mismatches=False).issues
                     if x.type == "unsupported"}
            strict.issues = _excuse(strict.issues, lost, added)
            sentence.figures = FigureCheck([f.to_json() for f in strict.source_figures],
                                           [f.to_json() for f in strict.target_figures])
            sentence.set_flags(("figures",), [_flag(x, "issue") for x in strict.issues]
                               + [_flag(x, "warning") for x in strict.warnings])
            out.append(SegmentCheck(line_of(sentence.start), strict))
    return out


def _flag(issue: Issue, severity: str) -> Flag:
    return Flag("figures", issue.type, issue.message, severity,  # type: ignore[arg-type]
                {"source": issue.source, "target": issue.target, "subtype": issue.subtype})


def _excuse(issues: list[Issue], lost: set[str | None], added: set[str | None]) -> list[Issue]:
    """Keep the issues of a sentence group that its neighbours do not explain (see ``check_documents``)."""
    kept = []
    for x in issues:
        if x.type == "missing" and x.source not in lost or x.type == "unsupported" and x.target not in added:
            continue
        if x.type == "mismatch" and x.source not in lost and x.target not in added \
                and x.subtype not in ("code", "unit", "points_vs_percent"):
            continue  # both figures are found next door: a value moved, not changed (a code or unit stays wrong)
        if x.type == "mismatch" and x.source not in lost and x.target in added:
            x = Issue("unsupported", None, x.target, f"{x.target!r} has no counterpart in the source")
        elif x.type == "mismatch" and x.source in lost and x.target not in added:
            x = Issue("missing", x.source, None, f"{x.source!r} is not in the translation")
        kept.append(x)
    return kept


def _home_line(issue: Issue, group, lines: list[int]) -> int:
    """The source line an issue belongs to: the line of its source figure, else the sentence at the same
    relative place as its English figure."""
    if issue.source:
        for u in group.source:
            if issue.source in u.text:
                return u.line
    k = next((j for j, u in enumerate(group.target) if issue.target and issue.target in u.text), 0)
    units = group.source
    return units[min(len(units) - 1, k * len(units) // max(1, len(group.target)))].line if units else lines[0]


def check_files(source_path: str, translation_path: str, aligned: bool = False) -> CheckReport:
    """Check the figures of the English ``translation_path`` against the Chinese ``source_path``.

    With ``aligned``, line i of the translation translates line i of the source, and the two files must
    have the same number of lines (``InputError`` otherwise, naming the shorter one).
    """
    source = read_text(source_path)
    target = read_text(translation_path)
    if not has_chinese(source.text):
        hint = (f"; did you swap them? {target.path} has Chinese text" if has_chinese(target.text)
                else "; give the Chinese source first, then the English translation")
        raise NoChineseTextError(f"{source.path}: the source has no Chinese text{hint}")
    if is_mostly_chinese(target.text):
        raise InputError(f"{target.path}: the translation has no English text (it is mostly Chinese); give the "
                         f"Chinese source first, then its English translation")
    report = CheckReport(source.path, target.path, aligned)
    if aligned:
        s_lines = _lines(source.text)
        t_lines = _lines(target.text)
        if len(s_lines) != len(t_lines):
            shorter, longer = (target, source) if len(t_lines) < len(s_lines) else (source, target)
            raise InputError(
                f"--aligned needs one translation line per source line, but {shorter.path} is shorter: "
                f"{min(len(s_lines), len(t_lines))} lines against {max(len(s_lines), len(t_lines))} in "
                f"{longer.path}; fix the files or check whole documents without --aligned")
        report.segments = check_lines(s_lines, t_lines)
    else:
        report.segments = check_documents(source.text, target.text)
    return report


def _lines(text: str) -> list[str]:
    """The lines of a file; blank lines at the end do not count (an editor's trailing newlines)."""
    text = text.rstrip("\n")
    return text.split("\n") if text else []


def report_to_json(report: CheckReport) -> dict:
    """The JSON contract of ``brief check --json``: segments (1-based line, issues, warnings), summary."""
    return {
        "source": report.source_path,
        "translation": report.translation_path,
        "segments": [{"line": s.line, "source": s.result.source, "target": s.result.target,
                      "issues": [i.to_json() for i in s.result.issues],
                      "warnings": [w.to_json() for w in s.result.warnings]} for s in report.segments],
        "summary": report.summary(),
    }


def format_report(report: CheckReport, *, width: int = 100) -> str:
    """The human-readable report: each segment with issues or warnings, both texts, then a summary."""
    out = []
    for seg in report.segments:
        r = seg.result
        if not r.issues and not r.warnings:
            continue
        where = f"line {seg.line}" if seg.line is not None else "unaligned"
        out.append(f"{where}: {plural(len(r.issues), 'issue')}"
                   + (f", {plural(len(r.warnings), 'warning')}" if r.warnings else ""))
        out.append(f"  source: {_clip(r.source, width)}")
        out.append(f"  target: {_clip(r.target, width) if r.target else '(no translation)'}")
        for i in r.issues:
            out.append(f"  - {i.type}: {i.message}")
        for w in r.warnings:
            out.append(f"  ~ {w.type}: {w.message}")
        out.append("")
    summary = report.summary()
    by_type = ", ".join(f"{n} {t}" for t, n in sorted(summary["issues_by_type"].items()))
    line = (f"{summary['flagged']} of {summary['segments']} segments flagged"
            + (f" ({by_type})" if by_type else "") + f"; {plural(summary['warnings'], 'warning')}; "
            f"{summary['source_figures']} source figures checked")
    out.append(line if summary["flagged"] or summary["warnings"] else f"no issues: {line}")
    return "\n".join(out)


def _pad(text: str, width: int) -> str:
    """Pad to a display width, counting a wide (Chinese) character as two columns."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - shown)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def figures_file(path: str) -> tuple[str, list[Figure]]:
    """Read a Chinese article and return its text and figures (offsets into the text as read)."""
    source = read_text(path)
    if not has_chinese(source.text):
        raise NoChineseTextError(f"{source.path}: no Chinese text to find figures in")
    return source.text, extract_zh(source.text)


def figures_to_json(text: str, figures: list[Figure]) -> list[dict]:
    """Figures as JSON objects with their 1-based line and their occurrence (nth figure with that text)."""
    seen: Counter = Counter()
    out = []
    line_of = line_finder(text)
    for f in figures:
        seen[f.text] += 1
        data = f.to_json()
        data["line"] = line_of(f.start)
        data["occurrence"] = seen[f.text]
        out.append(data)
    return out


def format_figures(text: str, figures: list[Figure]) -> str:
    """One figure per line: line number, text, kind, value, approximation, unit; soft ones marked."""
    rows = [f"{'line':>5}  {_pad('figure', 16)} {'kind':<18} {'value':<14}  notes"] if figures else []
    line_of = line_finder(text)
    for f in figures:
        line = line_of(f.start)
        value = f.to_json()["value"]
        shown = "-" if value is None else value  # a numeric name has no value: never Python's None
        extra = "".join([f"  approx={f.approx}" if f.approx else "", f"  unit={f.unit}" if f.unit else "",
                         "  (soft)" if f.soft else ""])
        rows.append(f"{line:>5}  {_pad(f.text, 16)} {f.kind:<18} {shown!s:<14}{extra}".rstrip())
    rows.append(f"{plural(len(figures), 'figure')} ({sum(f.soft for f in figures)} soft)")
    return "\n".join(rows)
