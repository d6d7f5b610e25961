"""Translation backends behind ``pipeline.engine.Translator``.

- ``pipeline.backends.hf``: transformers (``AutoModelForSeq2SeqLM``), CPU or CUDA.
- ``pipeline.backends.ct2``: CTranslate2 on a converted model, int8 on CPU (the fast path), and the
  conversion of a transformers checkpoint into the cache.
- ``pipeline.backends.common``: what both share (model families and their language codes, length checks).

Importing these modules is cheap; torch, transformers and ctranslate2 are imported when a model is loaded.
Use ``pipeline.loaders.load_translator`` to get a backend from a preset name, hub id or directory.
"""
