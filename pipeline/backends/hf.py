"""The transformers backend: ``AutoModelForSeq2SeqLM.generate`` on padded batches, CPU or CUDA."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path

from pipeline.backends.common import (
    check_device,
    check_source_lengths,
    detect_family,
    languages,
    skip_blank,
    target_language_token,
)
from pipeline.checkpoint import content_hash
from pipeline.engine import Decoding
from pipeline.errors import ModelNotFoundError, UsageError


class TransformersTranslator:
    """A seq2seq checkpoint loaded with transformers (Marian by default; NLLB, M2M100, mBART with codes).

    ``directory`` is a checkpoint folder (config, weights, tokenizer files). ``revision`` defaults to the
    content hash of its files. ``source_lang``/``target_lang`` matter only for multilingual families and
    default to Chinese->English in that family's codes (zho_Hans/eng_Latn, zh/en, zh_CN/en_XX).
    """

    backend = "transformers"

    def __init__(
        self,
        directory: str | Path,
        *,
        model_id: str | None = None,
        revision: str | None = None,
        device: str = "cpu",
        source_lang: str | None = None,
        target_lang: str | None = None,
        max_source_tokens: int = 512,
        default_decoding: Decoding | None = None,
        threads: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        directory = Path(directory)
        self.device = check_device(device)
        if device == "cuda" and not torch.cuda.is_available():
            raise UsageError(f"--device cuda, but torch {torch.__version__} sees no CUDA device; use --device cpu")
        self.model_id = model_id or str(directory)
        self.revision = revision or content_hash(directory)
        self.family = detect_family(directory)
        self.source_lang, self.target_lang = languages(self.family, source_lang, target_lang)
        self.default_decoding = default_decoding or Decoding()
        if threads:
            torch.set_num_threads(threads)
        hf_logging.disable_progress_bar()  # the CLI draws its own progress bar
        tokenizer_args = {"src_lang": self.source_lang} if self.source_lang else {}
        try:
            with warnings.catch_warnings():
                # MarianTokenizer warns "Recommended: pip install sacremoses." on every load.
                warnings.simplefilter("ignore")
                self._tokenizer = AutoTokenizer.from_pretrained(directory, **tokenizer_args)
                self._model = AutoModelForSeq2SeqLM.from_pretrained(directory).to(device).eval()
        except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
            # TypeError: a tokenizer file missing (transformers passes None on as a path); RuntimeError: torch
            # on a damaged weights file. pipeline.checkpoint.check_model_files names these files first.
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelNotFoundError(f"cannot load model {self.model_id} with transformers: {reason}") from e
        # opus-mt configs force </s> as the last token when the length limit is hit, which costs one token
        # of text; CTranslate2 does not, and both backends should give the same lengths. (Set on the model's
        # own config: generate() fills a None in a passed config from it.)
        self._model.generation_config.forced_eos_token_id = None
        positions = getattr(self._model.config, "max_position_embeddings", None) or 10**9
        self.max_source_tokens = min(max_source_tokens, positions)
        self._max_positions = positions
        # transformers 5 decodes Marian output with the *source* sentencepiece model unless told otherwise.
        self._decode_args = {"use_source_tokenizer": False} if self.family == "marian" else {}
        self._forced_bos = None
        token = target_language_token(self.family, self.target_lang)
        if token is not None:
            token_id = self._tokenizer.convert_tokens_to_ids(token)
            if token_id is None or token_id == self._tokenizer.unk_token_id:
                raise UsageError(f"model {self.model_id} has no target language {self.target_lang!r} ({token})")
            self._forced_bos = token_id

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of source tokens of each text, end-of-sentence and language tokens included."""
        if not texts:
            return []
        return [len(ids) for ids in self._tokenizer(list(texts))["input_ids"]]

    def _generate(self, texts: list[str], decoding: Decoding):
        import torch

        batch = self._tokenizer(list(texts), return_tensors="pt", padding=True)
        counts = batch["attention_mask"].sum(dim=1).tolist()
        check_source_lengths(counts, self.max_source_tokens, self.model_id)
        # A multilingual model's forced language token is one more output token, not counted as text.
        extra = 1 if self._forced_bos is not None else 0
        # generate's lengths count the decoder start token too, hence +1; positions past the model's
        # table would crash, hence the cap.
        limit = min(max(decoding.length_limit(n) for n in counts), self._max_positions - 1 - extra)
        config = copy.deepcopy(self._model.generation_config)
        config.do_sample = False
        config.num_return_sequences = 1
        config.num_beams = decoding.beam_size
        config.max_new_tokens = None
        config.min_new_tokens = None
        config.max_length = limit + extra + 1
        config.min_length = min(decoding.min_length, limit) + extra + 1 if decoding.min_length else 0
        config.repetition_penalty = decoding.repetition_penalty
        config.no_repeat_ngram_size = decoding.no_repeat_ngram_size
        config.length_penalty = decoding.length_penalty if decoding.beam_size > 1 else 1.0
        config.forced_bos_token_id = self._forced_bos
        batch = batch.to(self.device)
        with torch.inference_mode():
            return self._model.generate(**batch, generation_config=config)

    def translate_batch(self, texts: list[str], decoding: Decoding) -> list[str]:
        """Translate ``texts`` as one padded batch; one string per input, in order."""
        def run(batch: list[str]) -> list[str]:
            output = self._generate(batch, decoding)
            texts = self._tokenizer.batch_decode(output, skip_special_tokens=True, **self._decode_args)
            return [text.strip() for text in texts]

        return skip_blank(texts, run, "")

    def generate_tokens(self, texts: list[str], decoding: Decoding) -> list[list[str]]:
        """Like ``translate_batch`` but returns the output tokens (special tokens dropped), for tests and
        benchmarks that count them."""
        # Drop what frames the text (decoder start, forced language token, end, padding) and nothing else:
        # <unk> and language tokens inside the text stay, as CTranslate2 returns them.
        tokenizer = self._tokenizer
        lead = 1 + (self._forced_bos is not None)
        end = {tokenizer.pad_token_id, tokenizer.eos_token_id}

        def frame(row: list[int]) -> list[int]:
            row = row[lead:]
            while row and row[-1] in end:
                row = row[:-1]
            return row

        def run(batch: list[str]) -> list[list[str]]:
            return [tokenizer.convert_ids_to_tokens(frame(row)) for row in self._generate(batch, decoding).tolist()]

        return skip_blank(texts, run, [])
