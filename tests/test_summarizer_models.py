"""Tiny random-weight T5 and BART summarisers through both backends: contracts only, never which tokens."""

from __future__ import annotations

import json

import pytest
from fake_translators import WordFake

from pipeline.errors import UsageError
from pipeline.segment import segment_file
from pipeline.summarize import figure_problems, summarize_document
from pipeline.translate import translate_document

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("ctranslate2")


@pytest.fixture(scope="module", params=["t5", "bart"])
def tiny_summarizer_dir(request, tmp_path_factory):
    from pipeline.testing import make_tiny_summarizer

    return make_tiny_summarizer(tmp_path_factory.mktemp("tiny-summarizer") / request.param, arch=request.param)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_tiny_summarizer_contract(tiny_summarizer_dir, backend):
    from pipeline.loaders import load_summarizer

    summarizer = load_summarizer(str(tiny_summarizer_dir), backend, threads=1)
    assert summarizer.backend == backend and summarizer.model_id == str(tiny_summarizer_dir)
    assert summarizer.revision.endswith("+ct2-int8") == (backend == "ctranslate2")
    assert "{text}" in summarizer.prompt
    texts = ["The city grew 5.6 percent.", "", "Investment reached 12 billion yuan in 2023."]
    counts = summarizer.count_tokens(texts)
    assert len(counts) == 3 and all(isinstance(n, int) for n in counts) and counts[0] > 0
    out = summarizer.summarize_batch(texts, 2)
    assert len(out) == 3 and out[1] == []
    assert all(1 <= len(c) <= 2 and all(isinstance(s, str) for s in c) for c in (out[0], out[2]))
    with pytest.raises(UsageError, match="longer than"):
        summarizer.summarize_batch(["word " * (summarizer.max_source_tokens + 10)], 1)


def test_tiny_summarizer_in_the_stage_never_leaves_a_bad_figure(tiny_summarizer_dir):
    from pipeline.loaders import load_summarizer

    summarizer = load_summarizer(str(tiny_summarizer_dir), "ctranslate2", threads=1)
    document = translate_document(segment_file("tests/fixtures/guiyang-cppcc-2023.txt"), WordFake())
    summarize_document(document, summarizer)
    assert document.models[-1]["role"] == "summarizer"
    for section in document.sections:
        source = "".join(b.text for b in ([section.heading] if section.heading else []) + section.blocks)
        for s in section.summary:
            assert s.method in ("abstractive", "fallback") and s.en
            assert figure_problems(source, s.en) == []
            assert s.method != "fallback" or s.note


def test_benchmark_summariser_has_flan_t5_base_shape():
    # The benchmark's full-size summariser (benchmarks/bench_brief.py --summarizer random) must do flan-t5-base's
    # work: its config.json values. Only the config is made here; building the 1 GB of weights is the benchmark's.
    from pipeline.testing import FLAN_T5_BASE

    config = FLAN_T5_BASE.config()
    assert (config.d_model, config.num_layers, config.num_decoder_layers, config.num_heads, config.d_kv,
            config.d_ff, config.vocab_size) == (768, 12, 12, 12, 64, 2048, 32128)
    assert config.is_gated_act and config.feed_forward_proj == "gated-gelu"


def test_an_untied_t5_converts_without_rescaled_outputs(tmp_path):
    """flan-t5's config says tie_word_embeddings false; CTranslate2 must then score exactly as transformers
    does (float32), not with the decoder's output scaled by d_model^-0.5 as for the original, tied T5."""
    import ctranslate2
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from pipeline.backends.ct2 import convert_to_ctranslate2
    from pipeline.checkpoint import read_json
    from pipeline.testing import make_tiny_summarizer

    directory = make_tiny_summarizer(tmp_path / "t5", arch="t5")
    model = AutoModelForSeq2SeqLM.from_pretrained(directory)
    torch.manual_seed(1)
    model.lm_head.weight = torch.nn.Parameter(torch.randn_like(model.lm_head.weight))  # untied, as in flan-t5
    model.save_pretrained(directory)
    config = read_json(directory / "config.json")
    config["tie_word_embeddings"] = False
    (directory / "config.json").write_text(json.dumps(config), encoding="utf-8")

    converted = convert_to_ctranslate2(directory, quantization="float32", cache=tmp_path / "cache")
    tokenizer = AutoTokenizer.from_pretrained(directory)
    source, target = "The city grew five percent.", "City grew."
    source_tokens = tokenizer.convert_ids_to_tokens(tokenizer(source).input_ids)
    target_ids = tokenizer(text_target=target).input_ids
    ct2_score = ctranslate2.Translator(str(converted), compute_type="float32").score_batch(
        [source_tokens], [tokenizer.convert_ids_to_tokens(target_ids)])[0].log_probs
    model = AutoModelForSeq2SeqLM.from_pretrained(directory).eval()
    with torch.no_grad():
        logits = model(**tokenizer(source, return_tensors="pt"), labels=torch.tensor([target_ids])).logits
    hf_score = torch.log_softmax(logits[0], -1).gather(1, torch.tensor(target_ids)[:, None])[:, 0].tolist()
    assert len(ct2_score) >= len(hf_score)  # CTranslate2 also scores the end of the sequence
    assert max(abs(a - b) for a, b in zip(ct2_score, hf_score)) < 0.05
