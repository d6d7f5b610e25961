"""The library's one-call entry: an article's text in, its bilingual brief out, no files involved.

    from pipeline import Pipeline
    from pipeline.loaders import load_translator

    brief = Pipeline(translator=load_translator("opus-mt-zh-en")).run(text)
    brief.to_html()

``Pipeline`` holds the loaded models and the translate options; ``run`` segments, translates, checks the
figures and summarises, then builds the ``pipeline.brief.Brief``.
For files and folders, with resume and fault isolation, use ``pipeline.batch.translate_files`` (what
``brief run`` does).
"""

from __future__ import annotations

from typing import Any

from pipeline.brief import Brief
from pipeline.document import Document
from pipeline.engine import Translator
from pipeline.run import RunContext, run_document
from pipeline.translate import TranslateOptions

# What a brief is made of, in run order.
BRIEF_STAGES = ("translate", "figures", "summarize")


class Pipeline:
    """A translator (and optionally a summariser) ready to turn articles into briefs.

    ``translator`` is a loaded ``pipeline.engine.Translator`` (``pipeline.loaders.load_translator``);
    ``summarizer`` the summarize stage's model (None: extractive summaries); ``options`` how to translate
    (``pipeline.translate.TranslateOptions``: beam, glossary, translation memory...). After a run,
    ``timings`` holds its seconds per stage.
    """

    def __init__(self, translator: Translator, summarizer: Any = None, options: TranslateOptions | None = None):
        self.translator = translator
        self.summarizer = summarizer
        self.options = options or TranslateOptions()
        self.timings: dict[str, float] = {}

    def run_document(self, article: str | Document, path: str | None = None) -> Document:
        """The run document of ``article`` (text, or a segmented ``Document``): translated, checked, summarised."""
        context = RunContext(translator=self.translator, summarizer=self.summarizer, options=self.options)
        document = run_document(article, context, BRIEF_STAGES)
        if path is not None:
            document.path = path
        self.timings = context.timings
        return document

    def run(self, article: str | Document, path: str | None = None) -> Brief:
        """The brief of ``article`` (its text, or a segmented ``Document``); ``path`` names its source file."""
        return Brief.from_document(self.run_document(article, path))
