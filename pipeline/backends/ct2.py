"""The CTranslate2 backend: a converted model, int8 on CPU, tokenized with sentencepiece (or transformers).

Also the conversion: ``convert_to_ctranslate2`` converts a transformers checkpoint once to int8, into the
cache folder (``pipeline.settings``), keyed by the checkpoint's content hash (``converted_path``).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from pipeline.backends.common import (
    check_device,
    check_source_lengths,
    default_threads,
    detect_family,
    languages,
    skip_blank,
    target_language_token,
)
from pipeline.checkpoint import content_hash, model_files, read_json
from pipeline.engine import Decoding
from pipeline.errors import ModelNotFoundError, UsageError
from pipeline.settings import load_settings

# Written next to model.bin by convert_to_ctranslate2: what the model was converted from.
SOURCE_INFO = "brief-source.json"

_SPIECE_UNDERLINE = "\u2581"


class MarianSentencePiece:
    """Marian's tokenization without transformers (and so without torch): source.spm in, target.spm out.

    Matches ``MarianTokenizer`` without sacremoses: sentencepiece pieces plus ``</s>``, an optional leading
    ``>>lang<<`` code kept as one token, special tokens dropped on the way out.
    """

    special = frozenset({"</s>", "<pad>", "<unk>"})

    def __init__(self, directory: Path) -> None:
        import sentencepiece as spm

        self._source = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
        target = directory / "target.spm"
        self._target = spm.SentencePieceProcessor(model_file=str(target)) if target.is_file() else self._source

    def encode(self, text: str) -> list[str]:
        code = []
        if text.startswith(">>") and (end := text.find("<<")) != -1:
            code, text = [text[: end + 2]], text[end + 2 :]
        return code + self._source.encode(text, out_type=str) + ["</s>"]

    def decode(self, tokens: list[str]) -> str:
        pieces = [t for t in tokens if t not in self.special]
        return self._target.decode_pieces(pieces).replace(_SPIECE_UNDERLINE, " ").strip()


class HubTokenizer:
    """Any transformers tokenizer saved next to the converted model (NLLB, M2M100, mBART...)."""

    def __init__(self, directory: Path, source_lang: str | None) -> None:
        import warnings

        from transformers import AutoTokenizer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            args = {"src_lang": source_lang} if source_lang else {}
            self._tokenizer = AutoTokenizer.from_pretrained(directory, **args)
        self.special = frozenset(self._tokenizer.all_special_tokens)

    def encode(self, text: str) -> list[str]:
        return self._tokenizer.convert_ids_to_tokens(self._tokenizer.encode(text))

    def decode(self, tokens: list[str]) -> str:
        ids = self._tokenizer.convert_tokens_to_ids(list(tokens))
        return self._tokenizer.decode(ids, skip_special_tokens=True).strip()


def default_compute_type(device: str) -> str:
    """int8 on CPU (the fast path), int8 weights with float16 activations on CUDA."""
    return "int8" if device == "cpu" else "int8_float16"


def read_source_info(directory: Path) -> dict:
    """What ``directory`` was converted from (empty for a model converted by other tools).

    A damaged file is a ModelNotFoundError naming it: without it the revision would silently change.
    """
    return read_json(directory / SOURCE_INFO)


def is_ctranslate2_model(directory: Path) -> bool:
    """True for a CTranslate2 model folder (``model.bin`` and no transformers weights)."""
    return (directory / "model.bin").is_file() and not any(directory.glob("*.safetensors"))


def converted_path(checkpoint_hash: str, quantization: str = "int8", *, cache: Path | None = None) -> Path:
    """Where the CTranslate2 conversion of the checkpoint with ``content_hash`` ``checkpoint_hash`` lives
    (under ``cache``, default: the cache folder of ``pipeline.settings``)."""
    return (cache or load_settings().cache_dir) / "ctranslate2" / f"{checkpoint_hash}-{quantization}"


def convert_to_ctranslate2(
    directory: str | Path,
    *,
    quantization: str = "int8",
    model_id: str | None = None,
    revision: str | None = None,
    cache: Path | None = None,
    checkpoint_hash: str | None = None,
) -> Path:
    """Convert a transformers checkpoint to CTranslate2 once, into the cache, and return the converted folder.

    The conversion goes to a temporary folder renamed into place at the end, so a crash leaves no half
    model behind and two processes converting at once both end up with one complete copy.
    ``checkpoint_hash`` is the checkpoint's ``content_hash`` if the caller has it (hashing costs a read
    of every weight file).
    """
    directory = Path(directory)
    checkpoint_hash = checkpoint_hash or content_hash(directory)
    target = converted_path(checkpoint_hash, quantization, cache=cache)
    remove_abandoned_conversions(target.parent)
    if (target / "model.bin").is_file():
        return target
    family = detect_family(directory)  # before the slow part: a damaged config stops here, named
    import warnings

    import ctranslate2
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Tokenizer files travel with the converted model, so it can be loaded without the checkpoint.
    weights = ("config.json", "generation_config.json")
    tokenizer_files = [
        p.name for p in model_files(directory)
        if p.name not in weights and p.suffix not in (".safetensors", ".bin", ".pt", ".pth")
    ]
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as tmp, _held(Path(tmp)):
        staging = Path(tmp) / "model"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _converter(TransformersConverter, directory)(str(directory), copy_files=tokenizer_files).convert(
                    str(staging), quantization=quantization
                )
        except (ValueError, NotImplementedError, OSError, KeyError, TypeError, RuntimeError) as e:
            raise ModelNotFoundError(f"cannot convert model {model_id or directory} to CTranslate2: {e}") from e
        info = {
            "model_id": model_id or str(directory),
            "revision": revision or checkpoint_hash,
            "content_hash": checkpoint_hash,
            "family": family,
            "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
        }
        (staging / SOURCE_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        if target.exists() and not (target / "model.bin").is_file():
            # A conversion folder without its model.bin (deleted, or damaged by hand): not a copy to keep.
            # Moved into the temporary folder, it goes with it.
            target.rename(Path(tmp) / "damaged")
        try:
            staging.rename(target)
        except OSError:
            # Another process finished first (the target exists and is not empty): use its copy.
            if not (target / "model.bin").is_file():
                raise
    return target


def _converter(base: type, directory: Path) -> type:
    """``TransformersConverter`` that keeps the checkpoint's own ``tie_word_embeddings``.

    transformers 5 reports ``tie_word_embeddings=True`` for every T5 config, whatever config.json says (it
    then loads a separate ``lm_head`` anyway); CTranslate2's T5 converter reads that flag and scales the
    decoder's output by d_model^-0.5, right for the original T5 but wrong for flan-t5, whose config says
    false. The value in config.json is what the weights were trained with.
    """
    written = read_json(directory / "config.json").get("tie_word_embeddings")

    class Converter(base):
        def load_model(self, model_class, model_name_or_path, **kwargs):
            model = super().load_model(model_class, model_name_or_path, **kwargs)
            if isinstance(written, bool):
                model.config.tie_word_embeddings = written
            return model

    return Converter


# A staging folder with no lock file yet (its process was killed between making it and locking it) is
# abandoned when it is older than this.
_UNLOCKED_STAGING_SECONDS = 600


@contextlib.contextmanager
def _held(staging: Path):
    """Hold an exclusive lock on ``staging/.lock`` while a conversion runs there: the lock dies with the
    process, so ``remove_abandoned_conversions`` can tell a killed conversion from a running one."""
    fd = os.open(staging / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def remove_abandoned_conversions(folder: Path) -> list[Path]:
    """Remove the half-made conversion folders (``.HASH-int8-*``) that a killed run left in ``folder`` (the
    CTranslate2 cache), and return them; folders of conversions still running (locked) are left alone."""
    removed = []
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(".") and p.is_dir()]
    except OSError:
        return removed
    for staging in candidates:
        try:
            fd = os.open(staging / ".lock", os.O_RDWR)
        except FileNotFoundError:
            try:
                old = time.time() - staging.stat().st_mtime > _UNLOCKED_STAGING_SECONDS
            except OSError:
                continue
            if old:
                shutil.rmtree(staging, ignore_errors=True)
                removed.append(staging)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a conversion is running there
        try:
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
        finally:
            os.close(fd)
    return removed


class CTranslate2Translator:
    """A CTranslate2 model directory (``model.bin``), the fast CPU path.

    ``compute_type`` defaults to int8 on CPU and int8_float16 on CUDA; ``threads`` to every usable core.
    ``revision`` (default: the one recorded at conversion, else the files' content hash) gets the compute
    type appended, since int8 weights translate slightly differently from the checkpoint they came from.
    """

    backend = "ctranslate2"

    def __init__(
        self,
        directory: str | Path,
        *,
        model_id: str | None = None,
        revision: str | None = None,
        device: str = "cpu",
        compute_type: str | None = None,
        threads: int | None = None,
        source_lang: str | None = None,
        target_lang: str | None = None,
        max_source_tokens: int = 512,
        default_decoding: Decoding | None = None,
    ) -> None:
        import ctranslate2

        directory = Path(directory)
        if not (directory / "model.bin").is_file():
            raise ModelNotFoundError(
                f"{directory} is not a CTranslate2 model (no model.bin); pass the transformers checkpoint "
                "with --backend ctranslate2 to convert it"
            )
        self.device = check_device(device)
        if device == "cuda" and ctranslate2.get_cuda_device_count() == 0:
            raise UsageError("--device cuda, but CTranslate2 sees no CUDA device; use --device cpu")
        info = read_source_info(directory)
        self.model_id = model_id or info.get("model_id") or str(directory)
        self.compute_type = compute_type or default_compute_type(device)
        base = revision or info.get("revision") or content_hash(directory)
        self.revision = f"{base}+ct2-{self.compute_type}"
        self.family = info.get("family") or detect_family(directory)
        self.source_lang, self.target_lang = languages(self.family, source_lang, target_lang)
        self.max_source_tokens = max_source_tokens
        self.default_decoding = default_decoding or Decoding()
        try:
            self._translator = ctranslate2.Translator(
                str(directory),
                device=device,
                compute_type=self.compute_type,
                # One translation at a time, every core on it: batches are already formed by the caller.
                inter_threads=1,
                intra_threads=(threads or default_threads()) if device == "cpu" else 0,
            )
        except (RuntimeError, ValueError) as e:
            raise ModelNotFoundError(f"cannot load CTranslate2 model {self.model_id} from {directory}: {e}") from e
        try:
            if (directory / "source.spm").is_file():
                self._tokenizer = MarianSentencePiece(directory)
            else:
                self._tokenizer = HubTokenizer(directory, self.source_lang)
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise ModelNotFoundError(
                f"CTranslate2 model {self.model_id} has no usable tokenizer files in {directory}; convert the "
                "checkpoint with --backend ctranslate2 (which copies them), or copy them there"
            ) from e
        self._prefix = target_language_token(self.family, self.target_lang)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of source tokens of each text, end-of-sentence and language tokens included."""
        return [len(self._tokenizer.encode(text)) for text in texts]

    def generate_tokens(self, texts: list[str], decoding: Decoding) -> list[list[str]]:
        """Translate ``texts`` in one ``translate_batch`` call and return the output tokens of each."""
        def run(batch: list[str]) -> list[list[str]]:
            return self.translate_tokens([self._tokenizer.encode(text) for text in batch], decoding)

        return skip_blank(texts, run, [])

    def translate_tokens(self, sources: list[list[str]], decoding: Decoding) -> list[list[str]]:
        """The engine call itself, on already tokenized sources."""
        if not sources:
            return []
        counts = [len(tokens) for tokens in sources]
        check_source_lengths(counts, self.max_source_tokens, self.model_id)
        limit = max(decoding.length_limit(n) for n in counts)
        # The target-language token of a multilingual model is given as a prefix and counts as output.
        extra = 1 if self._prefix else 0
        try:
            results = self._call_engine(sources, decoding, limit, extra)
        except RuntimeError as e:
            # CTranslate2 loads cuBLAS/cuDNN on the first GPU call; its PyPI wheels need CUDA 12's (seen on a
            # CUDA 13 H200: "Library libcublas.so.12 is not found or cannot be loaded").
            if self.device == "cuda" and "Library" in str(e):
                raise UsageError(f"CTranslate2 cannot run on this GPU: {e}; install CUDA 12 cuBLAS "
                                 "(pip install nvidia-cublas-cu12) or use --backend transformers --device cuda") from e
            raise
        outputs = [result.hypotheses[0] for result in results]
        if self._prefix:
            outputs = [tokens[1:] if tokens[:1] == [self._prefix] else tokens for tokens in outputs]
        return outputs

    def _call_engine(self, sources: list[list[str]], decoding: Decoding, limit: int, extra: int):
        return self._translator.translate_batch(
            sources,
            target_prefix=[[self._prefix]] * len(sources) if self._prefix else None,
            beam_size=decoding.beam_size,
            num_hypotheses=1,
            max_decoding_length=limit + extra,
            min_decoding_length=(min(decoding.min_length, limit) + extra) if decoding.min_length else 0,
            repetition_penalty=decoding.repetition_penalty,
            no_repeat_ngram_size=decoding.no_repeat_ngram_size,
            length_penalty=decoding.length_penalty,
            max_input_length=0,  # never truncate the source: over-long units were refused above
            max_batch_size=0,
        )

    def translate_batch(self, texts: list[str], decoding: Decoding) -> list[str]:
        """Translate ``texts`` in one batch; one string per input, in order."""
        return [self._tokenizer.decode(tokens) for tokens in self.generate_tokens(texts, decoding)]
