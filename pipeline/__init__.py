"""bilingual-brief: Chinese news and reports into English, with every figure checked against the source.

The stages are importable on their own:

- ``pipeline.textio``: read an article file (encoding detection, normalising).
- ``pipeline.segment``: split it into title, sections, paragraphs and sentences (``pipeline.document``).
- ``pipeline.figures``: find figures in Chinese and English and check a translation against its source.
- ``pipeline.translate``: translate a document with a local seq2seq model.
- ``pipeline.brief``: the bilingual brief of a run (``Brief``: Markdown, HTML, Word, JSON).

The whole run in one call: ``Pipeline(translator=..., summarizer=...).run(text)`` returns a ``Brief``.

Importing the package is cheap: heavy libraries (torch, transformers, ctranslate2) are imported only by
the backend that needs them.
"""

from pipeline.version import __version__

__all__ = ["Brief", "Pipeline", "__version__"]


def __getattr__(name: str):
    # ``Pipeline`` and ``Brief`` are imported on first use, so ``import pipeline`` stays cheap.
    if name == "Pipeline":
        from pipeline.api import Pipeline

        return Pipeline
    if name == "Brief":
        from pipeline.brief import Brief

        return Brief
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
