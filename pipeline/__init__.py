"""bilingual-brief: Chinese news and reports into English, with every figure checked against the source.

The stages are importable on their own:

- ``pipeline.textio``: read an article file (encoding detection, normalising).
- ``pipeline.segment``: split it into title, sections, paragraphs and sentences (``pipeline.document``).
- ``pipeline.figures``: find figures in Chinese and English and check a translation against its source.
- ``pipeline.translate``: translate a document with a local seq2seq model.

Importing the package is cheap: heavy libraries (torch, transformers, ctranslate2) are imported only by
the backend that needs them.
"""

__version__ = "0.1.0"
