"""What the backends share: model families and their language codes, source length checks, thread counts.

A family is one of marian, nllb, m2m100, mbart or generic (``detect_family``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.checkpoint import read_json
from pipeline.errors import UsageError

# Multilingual families need a source language set on the tokenizer and the target language forced as the
# first output token. Marian (opus-mt) checkpoints are one language pair and need neither.
DEFAULT_LANGUAGES = {
    "nllb": ("zho_Hans", "eng_Latn"),
    "m2m100": ("zh", "en"),
    "mbart": ("zh_CN", "en_XX"),
}


def detect_family(directory: str | Path) -> str:
    """The model family of a checkpoint (or converted) directory, from its config and tokenizer config.

    NLLB shares M2M100's architecture (``model_type`` m2m_100) but not its language codes, so the tokenizer
    class decides. A damaged config file is a ModelNotFoundError naming it (``pipeline.checkpoint.read_json``),
    not a "generic" model.
    """
    directory = Path(directory)
    tokenizer_class = str(read_json(directory / "tokenizer_config.json").get("tokenizer_class", ""))
    model_type = str(read_json(directory / "config.json").get("model_type", ""))
    if tokenizer_class.startswith("Nllb"):
        return "nllb"
    if tokenizer_class.startswith("M2M100") or model_type == "m2m_100":
        return "m2m100"
    if tokenizer_class.startswith("MBart") or model_type == "mbart":
        return "mbart"
    if tokenizer_class.startswith("Marian") or model_type == "marian" or (directory / "source.spm").is_file():
        return "marian"
    return "generic"


def languages(family: str, source_lang: str | None, target_lang: str | None) -> tuple[str | None, str | None]:
    """Source and target language codes for ``family``: the given ones, else the Chinese->English defaults."""
    default_source, default_target = DEFAULT_LANGUAGES.get(family, (None, None))
    return source_lang or default_source, target_lang or default_target


def target_language_token(family: str, target_lang: str | None) -> str | None:
    """The token a multilingual model must emit first to write ``target_lang`` (None: no such token)."""
    if target_lang is None or family not in DEFAULT_LANGUAGES:
        return None
    # M2M100 spells language tokens __en__; NLLB and mBART-50 use the code itself (eng_Latn, en_XX).
    return f"__{target_lang}__" if family == "m2m100" else target_lang


def check_source_lengths(counts: list[int], limit: int, model_id: str) -> None:
    """Refuse sources longer than the model accepts, rather than let the model truncate them silently."""
    longest = max(counts, default=0)
    if longest > limit:
        raise UsageError(
            f"a unit of {longest} tokens is longer than the {limit} tokens model {model_id} accepts; "
            "split it into clauses first (pipeline.segment.split_clauses)"
        )


def default_threads() -> int:
    """Threads for one model: every core this process may use (2 on the reference machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_device(device: str) -> str:
    """Validate a device name; CUDA availability is checked by the backend that loads the model."""
    if device not in ("cpu", "cuda"):
        raise UsageError(f"unknown device {device!r}; choose from: cpu, cuda")
    return device


def skip_blank(texts: list[str], run, empty):
    """``run`` on the non-blank texts only; a blank text translates to ``empty`` without touching the model
    (a random or real model asked to translate nothing writes something anyway)."""
    wanted = [i for i, text in enumerate(texts) if text.strip()]
    results = run([texts[i] for i in wanted]) if wanted else []
    out = [empty] * len(texts)
    for i, result in zip(wanted, results):
        out[i] = result
    return out
