"""Loading models: a ``ModelPlan`` from ``pipeline.models.describe_model`` in, a loaded model out.

Lookup (presets, hub cache, offline mode, revision) is ``pipeline.models``'s; this module only builds what
a plan names. ``load_translator`` gives a ``pipeline.engine.Translator``; ``load_summarizer`` a
``pipeline.engine.Summarizer`` (None for extractive).

Safe loading: transformers reads ``*.safetensors`` where a checkpoint has them (no code runs while
loading); a pickle-only checkpoint (``pytorch_model.bin``) is read with torch's ``weights_only``, which
refuses anything but tensors. A refused file is a ModelNotFoundError naming it, never a traceback, and is
never retried without ``weights_only``.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pipeline.checkpoint import check_model_files
from pipeline.engine import Summarizer, Translator
from pipeline.errors import ModelNotFoundError
from pipeline.models import ModelPlan, describe_model

T = TypeVar("T")


def safely(plan: ModelPlan, load: Callable[[], T]) -> T:
    """Run ``load`` (which reads ``plan``'s weights); a pickle that is more than tensors is a one-line error."""
    try:
        return load()
    except pickle.UnpicklingError as e:
        reason = (str(e).splitlines() or ["refused"])[0].strip().rstrip(".")
        raise ModelNotFoundError(
            f"model {plan.model_id}: the pickle weights in {plan.directory} hold more than tensors and were "
            f"refused (torch weights_only: {reason}); they may run code when loaded, so brief never loads them: "
            "use a safetensors copy or a checkpoint from a source you trust"
        ) from e


def load_translator(
    model: str | None = None,
    backend: str | None = None,
    device: str = "cpu",
    *,
    offline: bool | None = None,
    cache_dir: str | Path | None = None,
    compute_type: str | None = None,
    threads: int | None = None,
    plan: ModelPlan | None = None,
) -> Translator:
    """Load ``model`` (preset name, hub id or directory; None: the opus-mt-zh-en preset) for translation.

    ``backend`` None picks CTranslate2 when a converted copy of this checkpoint is in the cache (int8 on
    CPU), else transformers; ``"ctranslate2"`` converts the checkpoint first if needed (once). ``cache_dir``
    overrides where conversions are kept. ``plan``, from ``describe_model`` with the same arguments, saves
    finding and hashing the model again. Raises ModelNotFoundError or UsageError, one line each: a missing
    or damaged model file is named (``pipeline.checkpoint.check_model_files``) before anything is loaded.
    """
    try:
        if plan is None:
            plan = describe_model(model, backend, device, offline=offline, cache_dir=cache_dir,
                                  compute_type=compute_type)
        check_model_files(plan.directory)
        return _build(plan, threads)
    except OSError as e:  # a model file that cannot be read: the model's fault, never the outputs'
        where = f"{e.filename}: " if e.filename else ""
        raise ModelNotFoundError(f"cannot load model {model or 'opus-mt-zh-en'}: {where}{e.strerror or e}; "
                                 "check the model folder's files and permissions") from e


def _build(plan: ModelPlan, threads: int | None) -> Translator:
    options = {
        "model_id": plan.model_id,
        "revision": plan.source_revision,
        "device": plan.device,
        "source_lang": plan.source_lang,
        "target_lang": plan.target_lang,
        "max_source_tokens": plan.max_source_tokens,
        "default_decoding": plan.default_decoding,
        "threads": threads,
    }
    if plan.backend == "ctranslate2":
        from pipeline.backends.ct2 import CTranslate2Translator

        return CTranslate2Translator(_ctranslate2_folder(plan), compute_type=plan.compute_type, **options)
    from pipeline.backends.hf import TransformersTranslator

    return safely(plan, lambda: TransformersTranslator(plan.directory, **options))


def load_summarizer(
    model: str,
    backend: str | None = None,
    device: str = "cpu",
    *,
    offline: bool | None = None,
    cache_dir: str | Path | None = None,
    compute_type: str | None = None,
    threads: int | None = None,
    plan: ModelPlan | None = None,
) -> Summarizer | None:
    """Load summariser ``model`` (a summarizer preset such as flan-t5-base, a hub id or a directory).

    ``"extractive"`` (or None) is no model: returns None, and the summaries are extractive. ``backend`` and
    the other arguments as for ``load_translator``; T5 never runs float16 in CTranslate2 (its preset's
    ``cuda_compute_type``). Raises ModelNotFoundError or UsageError, one line each.
    """
    from pipeline.models import load_prompt

    if model in (None, "extractive"):
        return None
    if plan is None:
        plan = describe_model(model, backend, device, offline=offline, cache_dir=cache_dir,
                              compute_type=compute_type, role="summarizer")
    options = {
        "model_id": plan.model_id,
        "revision": plan.source_revision,
        "device": plan.device,
        "max_source_tokens": plan.max_source_tokens,
        "default_decoding": plan.default_decoding,
        "threads": threads,
        "prompt": load_prompt(plan.summarizer.prompt),
    }
    if plan.backend == "ctranslate2":
        from pipeline.backends.summarizers import CTranslate2Summarizer

        return CTranslate2Summarizer(_ctranslate2_folder(plan), compute_type=plan.compute_type, **options)
    from pipeline.backends.summarizers import TransformersSummarizer

    return safely(plan, lambda: TransformersSummarizer(plan.directory, **options))


def _ctranslate2_folder(plan: ModelPlan) -> Path:
    """The CTranslate2 folder of ``plan``: the model itself, or its conversion (made once, cached)."""
    from pipeline.backends.ct2 import convert_to_ctranslate2

    if plan.checkpoint_hash is None:  # the model is a converted folder already
        return plan.directory
    return safely(plan, lambda: convert_to_ctranslate2(
        plan.directory, model_id=plan.model_id, revision=plan.source_revision, cache=plan.cache,
        checkpoint_hash=plan.checkpoint_hash))
