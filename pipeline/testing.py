"""Build small translation checkpoints on the spot, for tests and benchmarks: no download, no hub.

``make_tiny_translator`` writes a Marian checkpoint with random weights and a sentencepiece tokenizer trained
in-process on a few KB of generated Chinese/English text. It has the same files as a real opus-mt model, so
it exercises the real loading path: ``AutoModelForSeq2SeqLM.from_pretrained(directory)``,
``AutoTokenizer.from_pretrained(directory)``, ``brief translate --model DIRECTORY`` and the CTranslate2
conversion. Its output is gibberish; what it offers is the shape of the real thing in under a few seconds.

``make_marian`` writes the full-size opus-mt-zh-en architecture (random weights) for throughput benchmarks,
``make_t5(directory, FLAN_T5_BASE)`` the full-size flan-t5-base summariser.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

# Vocabulary for the generated training text. Domain words (a provincial CPPCC report) so that the
# sentencepiece model learns multi-character Chinese pieces as well as English words and digits.
_ZH_WORDS = [
    "政协", "委员", "贵阳", "贵州", "省会", "经济", "发展", "建设", "城市", "人民", "政府", "会议", "报告", "工作",
    "推进", "提升", "加快", "实施", "强省会", "行动", "产业", "数字", "大数据", "项目", "投资", "增长", "亿元",
    "百分之", "同比", "全年", "完成", "目标", "任务", "改革", "开放", "创新", "生态", "文明", "乡村", "振兴",
    "民生", "教育", "医疗", "就业", "收入", "居民", "企业", "市场", "服务", "质量", "交通", "高铁", "机场", "旅游",
    "文化", "科技", "人才", "安全", "稳定", "治理", "现代化", "协商", "民主", "监督", "提案", "建议", "调研",
    "我们", "今年", "去年", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "百", "千", "万",
]
_EN_WORDS = [
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "by", "at", "from", "this", "be",
    "are", "was", "it", "an", "which", "were", "CPPCC", "Guiyang", "Guizhou", "provincial", "capital", "economy",
    "development", "city", "people", "government", "meeting", "report", "work", "promote", "improve", "accelerate",
    "implement", "strong", "industry", "digital", "big", "data", "project", "investment", "growth", "billion",
    "yuan", "percent", "year", "on", "year", "target", "reform", "opening", "innovation", "ecology", "rural",
    "revitalization", "education", "medical", "employment", "income", "residents", "enterprises", "market",
    "service", "quality", "transport", "railway", "airport", "tourism", "culture", "technology", "talent",
    "security", "governance", "consultation", "democracy", "supervision", "proposal", "suggestion", "research",
    "we", "this", "last",
]
_ZH_PUNCT = "，，，、。；：！？"


def _save_quietly(model, directory: Path) -> None:
    """``model.save_pretrained(directory)`` without transformers' "Writing model shards" progress bar, which
    a builder run from the README or a test would otherwise print."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model.save_pretrained(directory)
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def training_text(seed: int = 0, lines: int = 160) -> list[str]:
    """Deterministic mixed Chinese/English lines (a few KB) to train the tiny sentencepiece model on."""
    rng = random.Random(seed)
    out = []
    for i in range(lines):
        if i % 3 == 2:
            words = rng.choices(_EN_WORDS, k=rng.randint(6, 16))
            figure = f"{rng.randint(1, 999)}.{rng.randint(0, 9)}"
            out.append(" ".join(words[:3]).capitalize() + f" {figure} " + " ".join(words[3:]) + ".")
        else:
            parts = []
            for _ in range(rng.randint(2, 4)):
                parts.append("".join(rng.choices(_ZH_WORDS, k=rng.randint(2, 6))))
                if rng.random() < 0.4:
                    parts[-1] += f"{rng.randint(1, 2023)}"
                parts.append(rng.choice(_ZH_PUNCT))
            out.append("".join(parts[:-1]) + "。")
    return out


def _train_sentencepiece(vocab_size: int, seed: int) -> bytes:
    import sentencepiece as spm

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(training_text(seed)),
        model_writer=model,
        model_type="unigram",
        vocab_size=vocab_size,
        # Small corpus: let sentencepiece stop below vocab_size rather than fail, and keep every character.
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
    )
    return model.getvalue()


def _write_marian_tokenizer(directory: Path, spm_bytes: bytes, vocab_size: int | None) -> int:
    """Write source.spm, target.spm, vocab.json and tokenizer_config.json; return the vocabulary size.

    The layout follows the opus-mt checkpoints: ``</s>`` is 0, ``<unk>`` 1, the sentencepiece pieces next and
    ``<pad>`` last (Marian starts the decoder from the pad token). ``vocab_size`` pads the vocabulary with
    unused tokens up to that size, for the benchmark model whose embedding matrix is opus-mt's 65001 rows.
    """
    import sentencepiece as spm

    (directory / "source.spm").write_bytes(spm_bytes)
    (directory / "target.spm").write_bytes(spm_bytes)
    processor = spm.SentencePieceProcessor(model_proto=spm_bytes)
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(processor.get_piece_size()):
        if processor.is_control(i) or processor.is_unknown(i):
            continue
        vocab.setdefault(processor.id_to_piece(i), len(vocab))
    if vocab_size is not None:
        if vocab_size < len(vocab) + 1:
            raise ValueError(f"vocab_size {vocab_size} is below the tokenizer's {len(vocab) + 1} tokens")
        while len(vocab) < vocab_size - 1:
            vocab[f"<unused{len(vocab)}>"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    config = {
        "tokenizer_class": "MarianTokenizer",
        "source_lang": "zho",
        "target_lang": "eng",
        "model_max_length": 512,
        "separate_vocabs": False,
        "unk_token": "<unk>",
        "eos_token": "</s>",
        "pad_token": "<pad>",
    }
    (directory / "tokenizer_config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    return len(vocab)


def make_marian(
    directory: str | Path,
    *,
    d_model: int = 512,
    layers: int = 6,
    heads: int = 8,
    ffn: int = 2048,
    vocab_size: int | None = 65001,
    spm_vocab_size: int = 320,
    max_positions: int = 512,
    init_std: float = 0.02,
    english_output: bool = False,
    seed: int = 0,
) -> Path:
    """Write a Marian checkpoint with random weights to ``directory`` and return it.

    The defaults are the opus-mt-zh-en architecture (d_model 512, 6+6 layers, 8 heads, FFN 2048, 65001
    tokens), for benchmarks that need the real amount of computation. The tokenizer is always the small
    in-process sentencepiece model; ``vocab_size`` only sizes the embedding and output layers (None: the
    tokenizer's own size). ``init_std`` is the spread of the random weights. Weights come from
    ``torch.manual_seed(seed)``, so a seed gives the same files.

    ``english_output`` gives every token but whole English words (pieces "▁word") and ``</s>`` an output bias
    of -100, so the model writes English words, as a real one writes English, instead of mostly unused padding
    tokens; the computation is unchanged (the whole output layer is still evaluated), and the later
    stages (figure check, summariser) then see text of a translation's kind.
    """
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    size = _write_marian_tokenizer(directory, _train_sentencepiece(spm_vocab_size, seed), vocab_size)
    pad = size - 1
    # Values as in Helsinki-NLP/opus-mt-zh-en's config.json, scaled by the arguments.
    config = MarianConfig(
        vocab_size=size,
        decoder_vocab_size=size,
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=max_positions,
        activation_function="swish",
        init_std=init_std,
        scale_embedding=True,
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        architectures=["MarianMTModel"],
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    if english_output:
        vocab = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        kept = [i for piece, i in vocab.items() if i == 0 or (
            piece.startswith("\u2581") and piece[1:].isascii() and piece[1:].isalpha())]  # "▁word"
        with torch.no_grad():
            model.final_logits_bias.fill_(-100.0)
            model.final_logits_bias[0, kept] = 0.0
    model.generation_config = GenerationConfig(
        bad_words_ids=[[pad]],  # never generate <pad>: Marian uses it only to start the decoder
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        pad_token_id=pad,
        num_beams=4,
        max_length=max_positions,
    )
    _save_quietly(model, directory)
    return directory


def make_tiny_m2m100(directory: str | Path, *, seed: int = 0) -> Path:
    """Write a tiny random-weight M2M100 checkpoint: a multilingual model that needs language codes
    (source ``zh`` set on the tokenizer, ``__en__`` forced as the first output token)."""
    import sentencepiece as spm
    import torch
    from transformers import (
        GenerationConfig,
        M2M100Config,
        M2M100ForConditionalGeneration,
        M2M100Tokenizer,
    )
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spm_bytes = _train_sentencepiece(320, seed)
    (directory / "sentencepiece.bpe.model").write_bytes(spm_bytes)
    processor = spm.SentencePieceProcessor(model_proto=spm_bytes)
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}  # fairseq's layout
    for i in range(processor.get_piece_size()):
        if not (processor.is_control(i) or processor.is_unknown(i)):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = M2M100Tokenizer(
        str(directory / "vocab.json"), str(directory / "sentencepiece.bpe.model"), src_lang="zh", tgt_lang="en",
        # Listed as in the hub's tokenizer files, so CTranslate2's converter finds the language tokens.
        additional_special_tokens=[f"__{code}__" for code in FAIRSEQ_LANGUAGE_CODES["m2m100"]],
    )
    tokenizer.save_pretrained(directory)
    # Language tokens follow the vocabulary, then fairseq's "madeup" filler words.
    size = max(tokenizer.lang_token_to_id.values()) + 1 + tokenizer.num_madeup_words
    config = M2M100Config(
        vocab_size=size, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=512,
        init_std=0.3, scale_embedding=True, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=2, eos_token_id=2, pad_token_id=1, bos_token_id=0, num_beams=4, max_length=200,
    )
    _save_quietly(model, directory)
    return directory


def make_tiny_translator(directory: str | Path, *, arch: str = "marian", seed: int = 0) -> Path:
    """Write a tiny random-weight translation checkpoint (a few hundred KB) to ``directory`` and return it.

    ``arch`` is ``"marian"`` (opus-mt layout: source.spm, target.spm, vocab.json) or ``"m2m100"`` (a
    multilingual model with language codes). The checkpoint loads with ``AutoModelForSeq2SeqLM`` and
    ``AutoTokenizer``, converts with CTranslate2, and works as ``brief translate --model DIRECTORY``; its
    translations are random tokens.
    """
    if arch == "m2m100":
        return make_tiny_m2m100(directory, seed=seed)
    if arch != "marian":
        raise ValueError(f"unknown tiny architecture {arch!r}; choose from: marian, m2m100")
    return make_marian(
        directory, d_model=32, layers=2, heads=4, ffn=64, vocab_size=None, spm_vocab_size=320,
        # Weights ten times wider than a trained model's initialisation, so that the output depends on the
        # input (with the usual 0.02 every input gives the same few tokens, and tests of order prove nothing).
        max_positions=512, init_std=0.3, seed=seed,
    )


def _english_lines(seed: int) -> list[str]:
    """The English lines of ``training_text`` (a summariser reads English)."""
    return [line for line in training_text(seed) if line.isascii()] * 4


@dataclass(frozen=True)
class T5Shape:
    """The size of a random-weight T5 summariser (``make_t5``): the model's dimensions and its tokenizer's."""

    d_model: int
    layers: int  # encoder layers, and as many decoder layers
    heads: int
    d_kv: int
    d_ff: int
    # Rows of the embedding and output layers; None: the tokenizer's own size. CTranslate2's converter names
    # the rows past the tokenizer <extra_id_N>, as in the hub's T5 checkpoints.
    vocab_size: int | None
    # Spread of the random weights (T5's ``initializer_factor``).
    initializer_factor: float
    spm_vocab_size: int = 200

    def config(self, vocab_size: int | None = None):
        """The ``transformers.T5Config`` of this shape (gated-gelu feed-forward, as flan-t5); no weights built.
        ``vocab_size`` is the tokenizer's size, used when the shape names none."""
        from transformers import T5Config

        # tie_word_embeddings=False selects T5 v1.1's unscaled decoder output, as flan-t5's config does;
        # transformers 5 still shares the output layer with the embedding (T5Config forces the tie), so the
        # checkpoint holds 223M distinct parameters, not 248M: the same computation per token.
        return T5Config(vocab_size=self.vocab_size or vocab_size or self.spm_vocab_size, d_model=self.d_model,
                        d_kv=self.d_kv, d_ff=self.d_ff, num_layers=self.layers, num_decoder_layers=self.layers,
                        num_heads=self.heads, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
                        pad_token_id=0, eos_token_id=1, decoder_start_token_id=0,
                        initializer_factor=self.initializer_factor)


# Weights three times wider than T5's initialisation, so that the tiny model's output depends on its input.
TINY_T5 = T5Shape(d_model=32, layers=2, heads=4, d_kv=8, d_ff=64, vocab_size=None, initializer_factor=3.0)
# google/flan-t5-base's architecture (its config.json): 248M parameters, for benchmarks.
FLAN_T5_BASE = T5Shape(d_model=768, layers=12, heads=12, d_kv=64, d_ff=2048, vocab_size=32128,
                       initializer_factor=1.0)


def make_t5(directory: str | Path, shape: T5Shape = TINY_T5, *, seed: int = 0) -> Path:
    """A random-weight T5 summariser of ``shape`` with a sentencepiece model trained here (T5's ids: pad 0,
    eos 1, unk 2); ``FLAN_T5_BASE`` gives flan-t5-base's architecture for benchmarks (about 1 GB on disk)."""
    import sentencepiece as spm
    import torch
    from transformers import GenerationConfig, T5ForConditionalGeneration, T5Tokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_english_lines(seed)), model_writer=model, model_type="unigram",
        vocab_size=shape.spm_vocab_size, hard_vocab_limit=False, character_coverage=1.0, num_threads=1,
        minloglevel=2, pad_id=0, eos_id=1, unk_id=2, bos_id=-1, pad_piece="<pad>", eos_piece="</s>",
        unk_piece="<unk>",
    )
    (directory / "spiece.model").write_bytes(model.getvalue())
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    size = processor.get_piece_size()
    vocab = [(processor.id_to_piece(i), processor.get_score(i)) for i in range(size)]
    # T5 was trained on 512-token inputs; the hub's tokenizers say so, and a folder's limit is read from it.
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=512)
    tokenizer.save_pretrained(directory)
    config = shape.config(size)
    torch.manual_seed(seed)
    t5 = T5ForConditionalGeneration(config).eval()
    t5.generation_config = GenerationConfig(decoder_start_token_id=0, eos_token_id=1, pad_token_id=0, num_beams=4,
                                            max_length=64)
    _save_quietly(t5, directory)
    return directory


def make_tiny_t5(directory: str | Path, *, seed: int = 0) -> Path:
    """A tiny random-weight T5 summariser (``make_t5`` with ``TINY_T5``)."""
    return make_t5(directory, TINY_T5, seed=seed)


def make_tiny_bart(directory: str | Path, *, seed: int = 0) -> Path:
    """A tiny random-weight BART summariser with a byte-level BPE tokenizer trained here (BART's special ids)."""
    import torch
    from tokenizers import ByteLevelBPETokenizer
    from transformers import (
        BartConfig,
        BartForConditionalGeneration,
        BartTokenizer,
        GenerationConfig,
    )

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(_english_lines(seed), vocab_size=400, min_frequency=2, show_progress=False,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    bpe.save_model(str(directory))  # vocab.json, merges.txt
    tokenizer = BartTokenizer(str(directory / "vocab.json"), str(directory / "merges.txt"))
    tokenizer.save_pretrained(directory)
    config = BartConfig(vocab_size=len(tokenizer), d_model=32, encoder_layers=2, decoder_layers=2,
                        encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
                        max_position_embeddings=1024, init_std=0.3, pad_token_id=1, bos_token_id=0, eos_token_id=2,
                        # As in the hub BART configs; CTranslate2's converter reads it.
                        normalize_before=False,
                        decoder_start_token_id=2, forced_bos_token_id=0, forced_eos_token_id=2)
    torch.manual_seed(seed)
    bart = BartForConditionalGeneration(config).eval()
    bart.generation_config = GenerationConfig(decoder_start_token_id=2, bos_token_id=0, eos_token_id=2, pad_token_id=1,
                                              forced_bos_token_id=0, forced_eos_token_id=2, num_beams=4, max_length=64)
    _save_quietly(bart, directory)
    return directory


def make_tiny_summarizer(directory: str | Path, *, arch: str = "t5", seed: int = 0) -> Path:
    """Write a tiny random-weight summariser checkpoint to ``directory`` and return it.

    ``arch`` is ``"t5"`` (sentencepiece tokenizer, the flan-t5 family) or ``"bart"`` (byte-level BPE, the
    bart-cnn family). It loads with ``AutoModelForSeq2SeqLM``, converts with CTranslate2 and works as
    ``brief summarize --summarizer DIRECTORY``; its summaries are random tokens.
    """
    if arch == "t5":
        return make_tiny_t5(directory, seed=seed)
    if arch == "bart":
        return make_tiny_bart(directory, seed=seed)
    raise ValueError(f"unknown tiny summariser architecture {arch!r}; choose from: t5, bart")
