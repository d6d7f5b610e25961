"""The per-article run: an article's text (or a ``Document``) through the stages, no files involved.

reads: text or a segmented Document; gives: the Document with what each stage adds.

The stages, in the order they run, are listed once, in ``STAGES``; each is a function over the document
and a ``RunContext`` (the loaded models, the translation options, progress and counters):

- ``translate``: ``pipeline.translate.translate_document`` (adds translations and their flags);
- ``figures``: ``pipeline.figures.annotate_document`` (adds each sentence's figures and their verdicts);
- ``summarize``: ``pipeline.summarize.summarize_document`` (adds section summaries and the executive summary), run only
  when asked for (``brief run``, ``brief summarize``).

A new stage is a function and one line in ``STAGES``. The batch layer (``pipeline.batch``) calls
``run_document`` once per article and deals with the files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pipeline.document import Document
from pipeline.engine import Translator
from pipeline.errors import UsageError
from pipeline.translate import TranslateOptions, TranslateStats, translate_document


@dataclass
class RunContext:
    """What the stages share for a run: the translator, how to translate, progress and counts.

    ``progress(n)`` is called as each further ``n`` sentences are translated; ``stats`` adds up the
    translate calls over every article run with this context, ``timings`` the seconds spent in each stage
    (``segment`` and the names of ``STAGES``).
    """

    translator: Translator | None = None
    # The summarize stage's model (``pipeline.summarize``); None: extractive summaries, no model.
    summarizer: Any = None
    # The summarize stage's settings (``pipeline.summarize.SummaryOptions``); None: models/extractive.toml's.
    summary_options: Any = None
    options: TranslateOptions = field(default_factory=TranslateOptions)
    progress: Callable[[int], None] | None = None
    stats: TranslateStats = field(default_factory=TranslateStats)
    timings: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, seconds: float) -> None:
        """Add ``seconds`` to the time spent in stage ``name``."""
        self.timings[name] = self.timings.get(name, 0.0) + seconds


def translate_stage(document: Document, context: RunContext) -> Document:
    """reads: sentences; adds: translations and their flags (guards, glossary)."""
    if context.translator is None:
        raise UsageError("the translate stage needs a translator (RunContext.translator); load one with "
                         "pipeline.loaders.load_translator")
    translator = context.translator
    used = {"role": "translator", "model_id": translator.model_id, "revision": translator.revision,
            "backend": translator.backend}
    if used not in document.models:
        document.models.append(used)
    return translate_document(document, translator, context.options, progress=context.progress,
                              stats=context.stats)


def summarize_stage(document: Document, context: RunContext) -> Document:
    """reads: sections, sentences and translations; adds: section summaries and the executive summary."""
    from pipeline.summarize import summarize_document, summary_options

    # Names hold to the romanisation the translate stage used, the user's glossary included.
    options = context.summary_options or summary_options(glossary=context.options.glossary)
    return summarize_document(document, context.summarizer, options)


def figures_stage(document: Document, context: RunContext) -> Document:
    """reads: translated sentences; adds: each sentence's figures and the figure check's flags."""
    from pipeline.figures.report import annotate_document

    annotate_document(document)
    return document


Stage = Callable[[Document, RunContext], Document]
# Every stage after segmenting, in the order they run.
STAGES: dict[str, Stage] = {
    "translate": translate_stage,
    "figures": figures_stage,
    "summarize": summarize_stage,
}
# What ``brief translate`` runs; ``brief run`` adds the summaries.
DEFAULT_STAGES: tuple[str, ...] = ("translate", "figures")


def run_document(article: str | Document, context: RunContext | None = None,
                 stages: Iterable[str] = DEFAULT_STAGES) -> Document:
    """Run ``stages`` (names from ``STAGES``, run in ``STAGES`` order) over one article and return it.

    ``article`` is the article's text (normalised and segmented first, see
    ``pipeline.segment.segment_article``) or a ``Document`` (segmented already, perhaps read back with
    ``Document.from_dict``), which is changed in place.
    """
    from pipeline.segment import segment_article

    wanted = set(stages)
    unknown = sorted(wanted - set(STAGES))
    if unknown:
        raise UsageError(f"unknown stage {unknown[0]!r}; stages: {', '.join(STAGES)}")
    context = context or RunContext()
    started = time.perf_counter()
    if not isinstance(article, Document):
        article = segment_article(article)
        context.timed("segment", time.perf_counter() - started)
    document = article
    for name, stage in STAGES.items():
        if name in wanted:
            started = time.perf_counter()
            document = stage(document, context)
            context.timed(name, time.perf_counter() - started)
    return document
