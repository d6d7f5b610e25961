"""Fake translators for the translate-stage tests: no model, deterministic, and each with one behaviour.

They follow ``pipeline.engine.Translator`` and, like the real backends, refuse a unit over their token
limit, so a test fails if the stage ever hands the model something it would have to truncate.
"""

from __future__ import annotations

import regex
from pypinyin import lazy_pinyin

from pipeline.engine import Decoding

_PUNCT = str.maketrans({"。": ".", "，": ",", "、": ",", "；": ";", "：": ":", "！": "!", "？": "?",
                        "“": '"', "”": '"', "（": "(", "）": ")"})


class WordFake:
    """Every Han character becomes its pinyin syllable; Latin text, digits and punctuation pass through.

    Output length follows the source, ends like the source and has no Chinese, so it passes every guard:
    'zhu xi Shi Banglin diao yan.' for '主席 Shi Banglin 调研。'. Records each batch and its decoding.
    """

    model_id = "fake/word"
    revision = "1"
    backend = "fake"

    def __init__(self, max_source_tokens: int = 512) -> None:
        self.max_source_tokens = max_source_tokens
        self.default_decoding = Decoding(beam_size=2)
        self.batches: list[list[str]] = []
        self.decodings: list[Decoding] = []

    def count_tokens(self, texts: list[str]) -> list[int]:
        # One token per character plus end-of-sentence, like a character-level tokenizer.
        return [len(text) + 1 for text in texts]

    def translate_batch(self, texts: list[str], decoding: Decoding) -> list[str]:
        too_long = [n for n in self.count_tokens(texts) if n > self.max_source_tokens]
        assert not too_long, f"unit of {too_long[0]} tokens over the limit of {self.max_source_tokens}"
        self.batches.append(list(texts))
        self.decodings.append(decoding)
        return [self.render(text) for text in texts]

    def render(self, text: str) -> str:
        out = regex.sub(r"\p{Han}", lambda m: f" {lazy_pinyin(m.group())[0]} ", text).translate(_PUNCT)
        return regex.sub(r"\s+", " ", regex.sub(r"\s+([.,;:!?)])", r"\1", out)).strip()

    @property
    def units_seen(self) -> list[str]:
        return [text for batch in self.batches for text in batch]


class LoopFake(WordFake):
    """Falls into 'come on, come on, ...' on any unit with 循环 in it; with stricter decoding (a repetition
    penalty) it recovers, unless ``stubborn``."""

    def __init__(self, stubborn: bool = False) -> None:
        super().__init__()
        self.stubborn = stubborn

    def render(self, text: str) -> str:
        if "循环" in text and (self.stubborn or self.decodings[-1].repetition_penalty <= 1.0):
            return "Come on, " + "come on, " * 20 + "come on"
        return super().render(text)


class CopyFake(WordFake):
    """Leaves the text untranslated: returns the source as it is."""

    def render(self, text: str) -> str:
        return text


class DropLatinFake(WordFake):
    """Drops the Latin words the stage wrote into its input: a model that ignores the glossary."""

    def render(self, text: str) -> str:
        return super().render(regex.sub(r"[A-Za-z'\"]+", "", text))
