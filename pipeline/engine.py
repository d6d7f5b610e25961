"""The one interface every translation backend offers: translate a batch of strings.

The rest of the pipeline (batching, guards, translation memory, glossary) talks to a ``Translator`` and
never needs to know whether transformers or CTranslate2 is loaded behind it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class RetryDecoding:
    """How much stricter the one retry decodes (``Decoding.stricter``); from the preset's ``[retry]`` table.

    The defaults here are the presets' values, for a model loaded from a directory without a preset.
    """

    # A repetition penalty of at least this much.
    repetition_penalty: float = 1.3
    # No repeated n-grams of this size, unless the first pass already blocked some.
    no_repeat_ngram_size: int = 3
    # An output length bound of at most this ratio to the source.
    max_length_ratio: float = 2.0


@dataclass(frozen=True)
class Decoding:
    """Decoding settings for one call. Defaults come from the model preset (``models/*.toml``)."""

    beam_size: int = 4
    # Output length bound relative to the source: at most ratio * source tokens + slack, never above max_length.
    max_length_ratio: float = 2.5
    max_length_slack: int = 10
    max_length: int = 512
    # min_length > 0 forces at least that many output tokens (benchmarks force equal work on every engine).
    min_length: int = 0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    length_penalty: float = 1.0
    # What the retry after a repetition loop or a runaway output changes (``stricter``).
    retry: RetryDecoding = RetryDecoding()

    def stricter(self) -> Decoding:
        """Settings for the one retry after a repetition loop or a runaway output (``retry`` says how strict)."""
        return dataclasses.replace(
            self,
            repetition_penalty=max(self.repetition_penalty, self.retry.repetition_penalty),
            no_repeat_ngram_size=self.no_repeat_ngram_size or self.retry.no_repeat_ngram_size,
            max_length_ratio=min(self.max_length_ratio, self.retry.max_length_ratio),
        )

    def length_limit(self, source_tokens: int) -> int:
        """The most output tokens allowed for a source of ``source_tokens`` tokens."""
        bound = int(self.max_length_ratio * source_tokens) + self.max_length_slack
        return max(self.min_length, min(self.max_length, bound))

    def key(self) -> str:
        """A stable string of every setting, for translation-memory keys and brief stamps.

        The retry settings appear only when they differ from the defaults, so keys and stamps made before
        they were settable stay valid.
        """
        settings = dataclasses.asdict(self)
        if self.retry == RetryDecoding():
            del settings["retry"]
        return json.dumps(settings, sort_keys=True)


@runtime_checkable
class Translator(Protocol):
    """A loaded translation model.

    ``model_id`` is what the user named (hub id or directory); ``revision`` identifies the exact weights
    (a hub commit or a content hash), so translation-memory entries and briefs can say what made them.
    ``max_source_tokens`` is the longest source the model takes (units are split to fit it, never
    truncated); ``default_decoding`` the model preset's settings, used when a caller gives none.
    """

    model_id: str
    revision: str
    backend: str
    max_source_tokens: int
    default_decoding: Decoding

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of source tokens of each text, as the model will see it."""
        ...

    def translate_batch(self, texts: list[str], decoding: Decoding) -> list[str]:
        """Translate ``texts`` in one batch; the result has the same length and order."""
        ...



@runtime_checkable
class Summarizer(Protocol):
    """A loaded summariser model (seq2seq: flan-t5, BART): English text in, candidate summaries out.

    ``model_id``, ``revision`` and ``backend`` as for ``Translator``. ``max_source_tokens`` is the longest
    input it takes (the summarize stage fits whole sentences into it, never truncates); ``prompt`` its
    family's template (``prompts/NAME.txt``, placeholders ``{text}``, ``{sentences}``, ``{words}``), which the
    stage fills before calling ``summarize_batch``.
    """

    model_id: str
    revision: str
    backend: str
    max_source_tokens: int
    prompt: str

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of input tokens of each (prompted) text, as the model will see it."""
        ...

    def summarize_batch(self, texts: list[str], n_candidates: int) -> list[list[str]]:
        """Up to ``n_candidates`` summaries of each text, best first (beam search hypotheses), in input order."""
        ...
