"""The summarize stage: a short summary per section and an executive summary, none able to invent a figure.

reads: sections with their sentences (and translations, when the translate stage ran); adds:
``Section.summary`` and ``Document.executive_summary`` (lists of ``SummarySentence``), and the summariser
model in ``Document.models`` when one was used.

- **Extractive** (the default, no model): each section's Chinese sentences are ranked (``rank_sentences``:
  centrality, position, figure content, overlap with the heading, length) and the best are kept within the
  section's budget in sentences and words, in reading order; each stands for its own translation, so it is
  faithful by construction and deterministic.
- **Abstractive** (a ``pipeline.engine.Summarizer``): the model writes several candidate summaries of the
  section's English; every figure of every sentence is checked against the section's Chinese source
  (``pipeline.figures``) and the first candidate whose figures all check is kept. When none does, the best
  extractive sentence stands in (method ``fallback``, ``note`` says why). Person names are held to the
  romanisation the translate stage chose (``pipeline.terminology.find_names`` and the glossary's names).
- **Executive summary**: 3-5 points (``[budget]``), one per part of the article so that they come from
  across it, always extractive.

A ``SummarySentence`` of a source sentence has ``zh``/``start``/``end`` (the Chinese and its span) and ``en``,
the sentence's translation, or None when the document was not translated (``brief summarize`` without a
translator): a reader then shows ``zh``. An abstractive sentence has ``en`` only.

Every number that tunes the ranking and the budgets is in ``models/extractive.toml``, with a comment each.
"""

from __future__ import annotations

import math
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache
from itertools import pairwise

import regex

from pipeline.document import Document, Section, Sentence, SummarySentence
from pipeline.engine import Summarizer
from pipeline.errors import UsageError
from pipeline.figures import compare_figures, extract_en, extract_zh
from pipeline.segment import split_sentences
from pipeline.terminology import Glossary, find_names

# --- text features (pure functions) -----------------------------------------------------------------------

# One token: a Chinese character, a Latin word or a number.
_TOKEN = regex.compile(r"\p{Han}|[A-Za-z]+|\d+(?:\.\d+)?")
# Chinese function characters: a bigram made of these alone ("的是", "在这") says nothing about the topic.
FUNCTION_CHARACTERS = frozenset("的了是在和与及等也就都而对为以把被将其这那之着过个中上下有不一我你他她它们会能要可从"
                                "到让给于并或但又很更最所该此")


def tokens(text: str) -> list[str]:
    """The tokens of ``text``: each Chinese character, Latin word and number (punctuation dropped)."""
    return _TOKEN.findall(text)


def content_bigrams(text: str) -> Counter:
    """Counts of the token bigrams of ``text``, leaving out those made of function characters only."""
    items = tokens(text)
    return Counter(a + b for a, b in pairwise(items)
                   if not (a in FUNCTION_CHARACTERS and b in FUNCTION_CHARACTERS))


def weighted_vectors(texts: Sequence[str]) -> list[Counter]:
    """Each text's content bigrams, weighted by ``log(1 + n / df)``: a bigram few of the ``n`` texts share
    says more about the one that has it than one they all have."""
    vectors = [content_bigrams(t) for t in texts]
    documents = Counter(key for v in vectors for key in v)
    n = len(vectors)
    return [Counter({k: c * math.log(1 + n / documents[k]) for k, c in v.items()}) for v in vectors]


def cosine(a: Counter, b: Counter) -> float:
    """Cosine similarity of two sparse vectors (0 when either is empty)."""
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


# --- settings -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankWeights:
    """How ``rank_sentences`` scores a sentence (``models/extractive.toml`` ``[rank]`` explains each)."""

    centrality: float
    position: float
    heading: float
    figures: float
    length_target: int
    length_penalty: float
    min_length: int
    short_penalty: float
    lead_in_penalty: float


@dataclass(frozen=True)
class SummaryBudget:
    """How long summaries may be (``models/extractive.toml`` ``[budget]`` explains each)."""

    sentences: int
    words: int
    zh_chars_per_word: float
    executive_min: int
    executive_max: int
    redundancy: float


@cache
def _settings(name: str) -> tuple[RankWeights, SummaryBudget, int]:
    from pipeline.models import read_preset_data

    data, path = read_preset_data(name)
    if data.get("method") != "extractive":
        raise UsageError(f"{path} is not summary settings (it needs method = \"extractive\")")
    try:
        rank = RankWeights(**{f.name: data["rank"][f.name] for f in fields(RankWeights)})
        budget = SummaryBudget(**{f.name: data["budget"][f.name] for f in fields(SummaryBudget)})
        candidates = int(data["abstractive"]["candidates"])
    except (KeyError, TypeError) as e:
        raise UsageError(f"summary settings {path}: missing or invalid setting {e}") from e
    return rank, budget, candidates


@dataclass(frozen=True)
class SummaryOptions:
    """How to summarise: the ranking, the budgets, the number of candidates a summariser writes, and the
    glossary whose person names hold (the translate stage's). Defaults: ``models/extractive.toml``."""

    rank: RankWeights = field(default_factory=lambda: _settings("extractive")[0])
    budget: SummaryBudget = field(default_factory=lambda: _settings("extractive")[1])
    candidates: int = field(default_factory=lambda: _settings("extractive")[2])
    glossary: Glossary | None = None


def summary_options(*, sentences: int | None = None, glossary: Glossary | None = None,
                    settings: str = "extractive") -> SummaryOptions:
    """``SummaryOptions`` from the settings file ``models/SETTINGS.toml``, with ``sentences`` (per section)
    overriding its budget; UsageError for a count below 1."""
    rank, budget, candidates = _settings(settings)
    if sentences is not None:
        if sentences < 1:
            raise UsageError(f"--sentences must be at least 1, got {sentences}")
        budget = replace(budget, sentences=sentences)
    return SummaryOptions(rank, budget, candidates, glossary)


# --- ranking ------------------------------------------------------------------------------------------------

def has_figure(text: str) -> bool:
    """True when ``text`` states a figure (a hard one: not a slogan number or an idiom such as 一年来)."""
    return any(not f.soft for f in extract_zh(text))


# A sentence that ends in a colon announces what follows (各位代表：, 主要做了6个方面工作：).
_LEAD_IN = regex.compile(r"[:：]\s*[”’」』]?\s*$")


def rank_sentences(texts: Sequence[str], weights: RankWeights, *, heading: str | None = None,
                   vectors: list[Counter] | None = None) -> list[float]:
    """A score for each of a section's Chinese sentences ``texts`` (in reading order); higher is better.

    The terms, each weighted by ``weights``: centrality (similarity to the rest of the section, divided by
    the section's highest), position (1 / (1 + index)), overlap with ``heading``, whether it states a
    figure, and the distance of its length from a target (with a penalty for fragments). ``vectors`` are
    ``weighted_vectors(texts)`` if the caller has them.
    """
    if not texts:
        return []
    vectors = vectors if vectors is not None else weighted_vectors(texts)
    total = Counter()
    for v in vectors:
        total.update(v)
    central = []
    for v in vectors:
        rest = total.copy()
        rest.subtract(v)
        rest = +rest  # drop what is left at zero
        central.append(cosine(v, rest) if rest else 1.0)
    top = max(central) or 1.0
    heading_vector = content_bigrams(heading) if heading else None
    scores = []
    for i, (text, v) in enumerate(zip(texts, vectors)):
        length = len(tokens(text))
        score = (weights.centrality * central[i] / top
                 + weights.position / (1 + i)
                 - weights.length_penalty * abs(length - weights.length_target) / weights.length_target)
        if heading_vector:
            score += weights.heading * cosine(v, heading_vector)
        if weights.figures and has_figure(text):
            score += weights.figures
        if length < weights.min_length:
            score -= weights.short_penalty
        if _LEAD_IN.search(text):
            score -= weights.lead_in_penalty
        scores.append(score)
    return scores


def best_sentence(text: str, weights: RankWeights | None = None) -> tuple[int, int]:
    """The span of the sentence of ``text`` (one paragraph) that best summarises it."""
    spans = split_sentences(text)
    if not spans:
        raise UsageError("no sentence to choose from: the text is empty")
    scores = rank_sentences([text[a:b] for a, b in spans], weights or SummaryOptions().rank)
    return spans[max(range(len(spans)), key=lambda i: (scores[i], -i))]


# --- the extractive summaries ------------------------------------------------------------------------------

@dataclass
class _Candidate:
    """A sentence a summary may use: the sentence, its section, its score and vector, its length in words."""

    sentence: Sentence
    section: int
    score: float
    vector: Counter
    words: int


def _words(sentence: Sentence, budget: SummaryBudget) -> int:
    if sentence.translation:
        return len(sentence.translation.split())
    return math.ceil(len(tokens(sentence.text)) / budget.zh_chars_per_word)


def _candidates(document: Document, options: SummaryOptions) -> list[list[_Candidate]]:
    """Each section's paragraph sentences, scored; in reading order."""
    out = []
    for index, section in enumerate(document.sections):
        sentences = [s for block in section.paragraphs for s in block.sentences]
        texts = [s.text for s in sentences]
        vectors = weighted_vectors(texts)
        heading = section.heading.text if section.heading is not None else None
        scores = rank_sentences(texts, options.rank, heading=heading, vectors=vectors)
        out.append([_Candidate(s, index, score, v, _words(s, options.budget))
                    for s, score, v in zip(sentences, scores, vectors)])
    return out


def figure_issue(sentence: Sentence) -> str | None:
    """The message of the first figure-check issue on ``sentence`` (its English misstates a figure), else None."""
    return next((f.message for f in sentence.flags if f.stage == "figures" and f.severity == "issue"), None)


def _by_score(candidates: list[_Candidate]) -> list[_Candidate]:
    # Sentences whose English the figure check passed first, then the highest score; ties go to the earlier
    # sentence, so the order never depends on anything else.
    return sorted(candidates, key=lambda c: (figure_issue(c.sentence) is not None, -c.score, c.sentence.start))


def _repeats(candidate: _Candidate, picked: list[_Candidate], limit: float) -> bool:
    return any(cosine(candidate.vector, other.vector) >= limit for other in picked)


def _select(candidates: list[_Candidate], budget: SummaryBudget) -> list[_Candidate]:
    """The best candidates within the budget (sentences and words, the best one always), in reading order."""
    picked: list[_Candidate] = []
    words = 0
    for candidate in _by_score(candidates):
        if len(picked) == budget.sentences:
            break
        if picked and (words + candidate.words > budget.words or _repeats(candidate, picked, budget.redundancy)
                       or _LEAD_IN.search(candidate.sentence.text)):
            continue  # over budget, a repeat, or a lead-in that only the lack of anything better lets in
        picked.append(candidate)
        words += candidate.words
    return sorted(picked, key=lambda c: c.sentence.start)


def _extractive(candidate: _Candidate, method: str = "extractive", note: str | None = None) -> SummarySentence:
    """A source sentence as a summary sentence; ``note`` says so when its English misstates a figure."""
    s = candidate.sentence
    issue = figure_issue(s) if s.translation else None
    if issue is not None:
        note = "; ".join(filter(None, [note, f"its English misstates a figure: {issue}"]))
    return SummarySentence(en=s.translation or None, zh=s.text, start=s.start, end=s.end, method=method, note=note)


def executive_points(sections: list[list[_Candidate]], budget: SummaryBudget,
                     title_vector: Counter | None = None, heading_weight: float = 0.0) -> list[_Candidate]:
    """The executive summary's sentences: one from each of k parts of the article, k in [min, max].

    The parts are runs of whole sections of about equal length when the article has at least k sections
    with text, else equal runs of sentences: either way the points come from across the article. In each
    part the best sentence that does not repeat an earlier point wins (one whose English the figure check
    passed before one it did not); a part with none is made up for by the best sentence left anywhere. In
    reading order.
    """
    filled = [s for s in sections if s]
    everything = [c for s in filled for c in s]
    if not everything:
        return []
    wanted = min(max(budget.executive_min, min(len(filled), budget.executive_max)), len(everything))

    def score(c: _Candidate) -> float:
        return c.score + (heading_weight * cosine(c.vector, title_vector) if title_vector else 0.0)

    def order(c: _Candidate) -> tuple:
        # A sentence whose English the figure check passed before one it did not, then the best.
        return figure_issue(c.sentence) is not None, -score(c), c.sentence.start

    units = filled if len(filled) >= wanted else [[c] for c in everything]
    total = sum(len(u) for u in units)
    parts: list[list[_Candidate]] = [[] for _ in range(wanted)]
    seen = 0
    for unit in units:
        middle = seen + len(unit) / 2
        parts[min(wanted - 1, int(wanted * middle / total))].extend(unit)
        seen += len(unit)
    picked: list[_Candidate] = []
    for part in parts:
        for c in sorted(part, key=order):
            if not _repeats(c, picked, budget.redundancy):
                picked.append(c)
                break
    for c in sorted(everything, key=order):
        if len(picked) >= wanted:
            break
        if c not in picked and not _repeats(c, picked, budget.redundancy):
            picked.append(c)
    return sorted(picked, key=lambda c: c.sentence.start)


# --- the abstractive summaries and their guard ---------------------------------------------------------------

_LATIN_WORD = regex.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")


def _letters(text: str) -> str:
    return regex.sub(r"[^a-z]", "", text.lower())


def hold_names(text: str, names: dict[str, str]) -> str:
    """``text`` with every spelling of a name in ``names`` (Chinese -> romanisation) written as chosen.

    A run of one to four Latin words whose letters are those of a romanisation, in either order of surname
    and given name ("Shi Bang Lin", "shi banglin", "Banglin Shi" for "Shi Banglin"), becomes the romanisation.
    """
    wanted: dict[str, str] = {}
    for english in names.values():
        parts = english.split()
        wanted.setdefault(_letters(english), english)
        if len(parts) == 2:
            wanted.setdefault(_letters(parts[1] + parts[0]), english)
    if not wanted or not text:
        return text
    words = list(_LATIN_WORD.finditer(text))
    out, position, i = [], 0, 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            run = words[i:i + size]
            if len(run) < size or any(regex.fullmatch(r"[\s\-‐]+", text[a.end():b.start()]) is None
                                       for a, b in pairwise(run)):
                continue
            english = wanted.get(_letters("".join(w.group() for w in run)))
            if english is not None:
                out.append(text[position:run[0].start()] + english)
                position = run[-1].end()
                i += size
                break
        else:
            i += 1
    return "".join(out) + text[position:]


def figure_problems(source: str, sentence: str, source_figures: list | None = None) -> list[str]:
    """Why an English summary ``sentence`` misstates the figures of its Chinese ``source`` (empty: it is fine).

    Every figure of the sentence must have its value in a figure of the source, not only in its words (an
    ``unsupported`` figure was invented, a ``mismatch`` changed, an ``approx_lost`` one made exact); a source
    figure the summary leaves out is fine.
    """
    figures = source_figures if source_figures is not None else extract_zh(source)
    # Strict: a summary may not turn 今年 into a year or 二次 into a 2 of its own.
    result = compare_figures(source, sentence, figures, extract_en(sentence), pair_mismatches=False, lexical=False)
    return [issue.message for issue in [*result.issues, *result.warnings]
            if issue.type in ("unsupported", "mismatch", "approx_lost")]


def english_sentences(text: str) -> list[str]:
    """The sentences of an English text."""
    return [text[a:b] for a, b in split_sentences(text)]


def _fit_input(summarizer: Summarizer, candidates: list[_Candidate], budget: SummaryBudget) -> str | None:
    """The prompt for a section: its English in reading order, cut to the best-ranked whole sentences that fit
    the model's input limit (never a truncated sentence). None when no sentence is translated or none fits."""
    translated = [c for c in candidates if c.sentence.translation]
    if not translated:
        return None

    def prompt(chosen: list[_Candidate]) -> str:
        text = " ".join(c.sentence.translation for c in sorted(chosen, key=lambda c: c.sentence.start))
        return string.Formatter().vformat(summarizer.prompt, (), {"text": text, "sentences": budget.sentences,
                                                                  "words": budget.words})

    whole = prompt(translated)
    if summarizer.count_tokens([whole])[0] <= summarizer.max_source_tokens:
        return whole
    chosen: list[_Candidate] = []
    for candidate in _by_score(translated):
        trial = prompt([*chosen, candidate])
        if summarizer.count_tokens([trial])[0] <= summarizer.max_source_tokens:
            chosen.append(candidate)
    return prompt(chosen) if chosen else None


def _clip(summary: str, budget: SummaryBudget) -> list[str]:
    """The first sentences of a model's summary within the budget (the first one always)."""
    kept: list[str] = []
    words = 0
    for sentence in english_sentences(summary):
        count = len(sentence.split())
        if len(kept) == budget.sentences or (kept and words + count > budget.words):
            break
        kept.append(sentence)
        words += count
    return kept


def _guarded(outputs: list[str], source: str, names: dict[str, str], budget: SummaryBudget,
             best: _Candidate) -> list[SummarySentence]:
    """The first candidate whose every figure checks against ``source``, else ``best`` as a fallback."""
    source_figures = extract_zh(source)
    reasons = []
    for number, output in enumerate(outputs, 1):
        sentences = _clip(hold_names(output.strip(), names), budget)
        if not sentences:
            reasons.append(f"candidate {number} is empty")
            continue
        problems = [p for s in sentences for p in figure_problems(source, s, source_figures)]
        if not problems:
            return [SummarySentence(en=s, method="abstractive") for s in sentences]
        reasons.append(f"candidate {number}: {problems[0]}")
    why = "; ".join(reasons[:2]) if reasons else "the summariser wrote nothing"
    note = f"none of {len(outputs)} summariser candidates passed the figure check ({why})"
    return [_extractive(best, "fallback", note)]


def _abstractive(document: Document, scored: list[list[_Candidate]], summarizer: Summarizer,
                 options: SummaryOptions) -> list[list[SummarySentence] | None]:
    """Each section's abstractive summary (None where the section has no English to summarise)."""
    names = {**(options.glossary.names if options.glossary else {}), **find_names(document.source)}
    prompts = [_fit_input(summarizer, candidates, options.budget) for candidates in scored]
    wanted = [i for i, p in enumerate(prompts) if p is not None]
    outputs = summarizer.summarize_batch([prompts[i] for i in wanted], options.candidates) if wanted else []
    results: list[list[SummarySentence] | None] = [None] * len(scored)
    for i, candidates in zip(wanted, outputs):
        section = document.sections[i]
        source = "".join(b.text for b in ([section.heading] if section.heading else []) + section.blocks)
        local = {zh: en for zh, en in names.items() if zh in source}
        results[i] = _guarded(list(candidates), source, local, options.budget, _by_score(scored[i])[0])
    return results


# --- the stage ----------------------------------------------------------------------------------------------

def summarize_document(document: Document, summarizer: Summarizer | None = None,
                       options: SummaryOptions | None = None) -> Document:
    """The summarize stage. reads: sections, sentences and their translations; adds: ``Section.summary``,
    ``Document.executive_summary`` (and the summariser in ``Document.models``).

    Without ``summarizer`` every summary is extractive and works on an untranslated document too (``en``
    None). With one, section summaries are the model's, guarded (see the module docstring); it needs the
    translations. Replaces summaries from an earlier run. Changes ``document`` in place and returns it.
    """
    options = options or SummaryOptions()
    scored = _candidates(document, options)
    abstractive: list[list[SummarySentence] | None] = [None] * len(scored)
    if summarizer is not None:
        if not any(s.translation for s in document.sentences()):
            raise UsageError("abstractive summaries need the English: run the translate stage first "
                             "(brief summarize --model ...), or summarise extractively (no --summarizer)")
        used = {"role": "summarizer", "model_id": summarizer.model_id, "revision": summarizer.revision,
                "backend": summarizer.backend}
        if used not in document.models:
            document.models.append(used)
        abstractive = _abstractive(document, scored, summarizer, options)
    for section, candidates, written in zip(document.sections, scored, abstractive):
        section.summary = written if written is not None else [_extractive(c) for c in _select(candidates,
                                                                                                options.budget)]
    title = document.title.text if document.title is not None else None
    points = executive_points(scored, options.budget, content_bigrams(title) if title else None, options.rank.heading)
    document.executive_summary = [_extractive(c) for c in points]
    return document


def summary_to_json(document: Document) -> dict:
    """The summaries of a document as plain JSON (``brief summarize --json``): ``path``, ``executive_summary``
    [{zh, en, start, end}] and ``sections`` [{heading, level, summary [{zh, en, start, end, method, note}]}]."""
    def point(s: SummarySentence) -> dict:
        return {"zh": s.zh, "en": s.en, "start": s.start, "end": s.end}

    return {
        "path": document.path,
        "executive_summary": [point(s) for s in document.executive_summary],
        "sections": [{"heading": section_heading(section), "level": section.level,
                      "summary": [{**point(s), "method": s.method, "note": s.note} for s in section.summary]}
                     for section in document.sections],
    }


def section_heading(section: Section) -> dict | None:
    """A section's heading as {zh, en} (None for the lead section)."""
    if section.heading is None:
        return None
    return {"zh": section.heading.text, "en": section.heading.translation}


def format_summary(document: Document) -> str:
    """The summaries as text for a terminal: the executive summary, then each section's, English where there
    is a translation and Chinese where not."""
    def line(s: SummarySentence) -> str:
        mark = {"abstractive": " [model]", "fallback": " [fallback]"}.get(s.method, "")
        return f"  - {s.en or s.zh}{mark}"

    out = [f"== {document.path or 'article'}", "Executive summary:"]
    out += [line(s) for s in document.executive_summary] or ["  (no text to summarise)"]
    for section in document.sections:
        heading = section_heading(section)
        name = (heading["en"] or heading["zh"]) if heading else "(lead)"
        indent = "  " * max(0, (section.level or 1) - 1)
        out.append(f"{indent}# {name}")
        out += [indent + line(s) for s in section.summary]
    return "\n".join(out)
