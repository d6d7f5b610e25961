"""Summariser backends behind ``pipeline.engine.Summarizer``: transformers and CTranslate2.

Both take whole prompts (the summarize stage fills the template), refuse an input longer than the model's
real limit (the stage fits whole sentences into it first), and return the best ``n_candidates`` beam
hypotheses per input. Loading (presets, conversion, revisions) is ``pipeline.loaders.load_summarizer``'s.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

from pipeline.backends.common import (
    check_device,
    check_source_lengths,
    default_threads,
    skip_blank,
)
from pipeline.checkpoint import content_hash, read_json
from pipeline.engine import Decoding
from pipeline.errors import ModelNotFoundError, UsageError


def is_t5(directory: Path) -> bool:
    """True for a T5 checkpoint or conversion (its config or its tokenizer says so)."""
    model_type = str(read_json(directory / "config.json").get("model_type", ""))
    tokenizer = str(read_json(directory / "tokenizer_config.json").get("tokenizer_class", ""))
    return model_type in ("t5", "mt5", "umt5") or tokenizer.startswith(("T5", "MT5")) or \
        (directory / "spiece.model").is_file()


def _beams(decoding: Decoding, n_candidates: int) -> int:
    # Beam search returns at most as many hypotheses as it has beams.
    return max(decoding.beam_size, n_candidates)


class TransformersSummarizer:
    """A seq2seq summariser checkpoint (T5, BART) loaded with transformers, CPU or CUDA."""

    backend = "transformers"

    def __init__(self, directory: str | Path, *, prompt: str, model_id: str | None = None,
                 revision: str | None = None, device: str = "cpu", max_source_tokens: int = 512,
                 default_decoding: Decoding | None = None, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        directory = Path(directory)
        self.device = check_device(device)
        if device == "cuda" and not torch.cuda.is_available():
            raise UsageError(f"--device cuda, but torch {torch.__version__} sees no CUDA device; use --device cpu")
        self.model_id = model_id or str(directory)
        self.revision = revision or content_hash(directory)
        self.prompt = prompt
        self.decoding = default_decoding or Decoding()
        if threads:
            torch.set_num_threads(threads)
        hf_logging.disable_progress_bar()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._tokenizer = AutoTokenizer.from_pretrained(directory)
                self._model = AutoModelForSeq2SeqLM.from_pretrained(directory).to(device).eval()
        except (OSError, ValueError, KeyError) as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelNotFoundError(f"cannot load summariser {self.model_id} with transformers: {reason}") from e
        # BART's position table bounds its input; T5's relative positions do not, so its preset's limit stands.
        positions = getattr(self._model.config, "max_position_embeddings", None) or 10**9
        self.max_source_tokens = min(max_source_tokens, positions)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of input tokens of each text, special tokens included."""
        if not texts:
            return []
        return [len(ids) for ids in self._tokenizer(list(texts))["input_ids"]]

    def summarize_batch(self, texts: list[str], n_candidates: int) -> list[list[str]]:
        """The ``n_candidates`` best beam hypotheses for each text, best first."""
        import torch

        def run(batch: list[str]) -> list[list[str]]:
            inputs = self._tokenizer(batch, return_tensors="pt", padding=True)
            counts = inputs["attention_mask"].sum(dim=1).tolist()
            check_source_lengths(counts, self.max_source_tokens, self.model_id)
            limit = max(self.decoding.length_limit(n) for n in counts)
            config = copy.deepcopy(self._model.generation_config)
            config.do_sample = False
            config.num_beams = _beams(self.decoding, n_candidates)
            config.num_return_sequences = n_candidates
            config.max_new_tokens = None
            config.max_length = limit + 1  # the decoder start token counts
            config.min_new_tokens = min(self.decoding.min_length, limit) if self.decoding.min_length else None
            config.min_length = 0
            config.repetition_penalty = self.decoding.repetition_penalty
            config.no_repeat_ngram_size = self.decoding.no_repeat_ngram_size
            config.length_penalty = self.decoding.length_penalty
            with torch.inference_mode():
                output = self._model.generate(**inputs.to(self.device), generation_config=config)
            decoded = [t.strip() for t in self._tokenizer.batch_decode(output, skip_special_tokens=True)]
            return [decoded[i * n_candidates:(i + 1) * n_candidates] for i in range(len(batch))]

        return skip_blank(texts, run, [])


class CTranslate2Summarizer:
    """A CTranslate2 conversion of a summariser checkpoint (int8 on CPU); tokenized with its transformers tokenizer.

    T5 refuses a float16 compute type: CTranslate2 gives NaN with T5 in float16 (use int8 or int8_float32).
    """

    backend = "ctranslate2"

    def __init__(self, directory: str | Path, *, prompt: str, model_id: str | None = None,
                 revision: str | None = None, device: str = "cpu", compute_type: str | None = None,
                 max_source_tokens: int = 512, default_decoding: Decoding | None = None,
                 threads: int | None = None) -> None:
        import ctranslate2

        from pipeline.backends.ct2 import (
            HubTokenizer,
            default_compute_type,
            read_source_info,
        )

        directory = Path(directory)
        if not (directory / "model.bin").is_file():
            raise ModelNotFoundError(f"{directory} is not a CTranslate2 model (no model.bin); pass the checkpoint "
                                     "with --backend ctranslate2 to convert it")
        self.device = check_device(device)
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise UsageError("--device cuda, but CTranslate2 sees no CUDA device; use --device cpu")
        info = read_source_info(directory)
        self.model_id = model_id or info.get("model_id") or str(directory)
        self.compute_type = compute_type or default_compute_type(device)
        if is_t5(directory) and "float16" in self.compute_type:
            raise UsageError(f"T5 models give NaN in CTranslate2 with compute type {self.compute_type}; use int8 "
                             "(CPU) or int8_float32 (CUDA)")
        base = revision or info.get("revision") or content_hash(directory)
        self.revision = f"{base}+ct2-{self.compute_type}"
        self.prompt = prompt
        self.max_source_tokens = max_source_tokens
        self.decoding = default_decoding or Decoding()
        try:
            self._translator = ctranslate2.Translator(
                str(directory), device=device, compute_type=self.compute_type, inter_threads=1,
                intra_threads=(threads or default_threads()) if device == "cpu" else 0)
        except (RuntimeError, ValueError) as e:
            raise ModelNotFoundError(f"cannot load CTranslate2 model {self.model_id} from {directory}: {e}") from e
        try:
            self._tokenizer = HubTokenizer(directory, None)
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise ModelNotFoundError(f"CTranslate2 summariser {self.model_id} has no usable tokenizer files in "
                                     f"{directory}; convert the checkpoint with --backend ctranslate2") from e

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of input tokens of each text, special tokens included."""
        return [len(self._tokenizer.encode(text)) for text in texts]

    def summarize_batch(self, texts: list[str], n_candidates: int) -> list[list[str]]:
        """The ``n_candidates`` best beam hypotheses for each text, best first."""
        def run(batch: list[str]) -> list[list[str]]:
            sources = [self._tokenizer.encode(text) for text in batch]
            counts = [len(tokens) for tokens in sources]
            check_source_lengths(counts, self.max_source_tokens, self.model_id)
            decoding = self.decoding
            limit = max(decoding.length_limit(n) for n in counts)
            results = self._translator.translate_batch(
                sources, beam_size=_beams(decoding, n_candidates), num_hypotheses=n_candidates,
                max_decoding_length=limit,
                min_decoding_length=min(decoding.min_length, limit) if decoding.min_length else 0,
                repetition_penalty=decoding.repetition_penalty, no_repeat_ngram_size=decoding.no_repeat_ngram_size,
                length_penalty=decoding.length_penalty,
                # The model's real limit, not CTranslate2's default of 1,024 (longer inputs were refused above).
                max_input_length=self.max_source_tokens, max_batch_size=0)
            return [[self._tokenizer.decode(h) for h in result.hypotheses] for result in results]

        return skip_blank(texts, run, [])
