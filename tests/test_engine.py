"""The engine layer: both backends on a tiny real checkpoint, the CTranslate2 conversion cache, model lookup.

The tiny model's translations are random tokens; these tests check what a user relies on regardless:
one output per input in order, lengths bounded as asked, no silent truncation, one-line errors, caching.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline.backends.ct2 import convert_to_ctranslate2, converted_path
from pipeline.checkpoint import content_hash
from pipeline.engine import Decoding, Translator
from pipeline.errors import ModelNotFoundError, UsageError
from pipeline.loaders import load_translator
from pipeline.models import DEFAULT_PRESET, load_preset, preset_names, resolve_model

pytest.importorskip("ctranslate2")

BACKENDS = ["transformers", "ctranslate2"]
TEXTS = ["贵阳市政协委员提出建议。", "今年经济增长百分之五。", "强省会行动", "一二三四五六七八九十",
         "The people of Guiyang"]
GREEDY = Decoding(beam_size=1, max_length=12)


@pytest.fixture(scope="module")
def translators(tiny_model_dir, tmp_path_factory):
    cache = tmp_path_factory.mktemp("ct2-cache")
    return {backend: load_translator(str(tiny_model_dir), backend, cache_dir=cache) for backend in BACKENDS}


def test_import_pipeline_stays_light():
    code = (
        "import sys, pipeline, pipeline.engine, pipeline.models, pipeline.loaders, pipeline.testing, pipeline.cli\n"
        "import pipeline.backends.hf, pipeline.backends.ct2, pipeline.checkpoint, pipeline.settings\n"
        "print(sorted(m for m in ('torch', 'transformers', 'ctranslate2', 'sentencepiece') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")
def test_tiny_model_loads_with_auto_classes(tiny_model_dir):
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_model_dir)
    assert model.config.model_type == "marian"
    assert "政协" in tokenizer.convert_ids_to_tokens(tokenizer("政协委员")["input_ids"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_backend_identity(translators, tiny_model_dir, backend):
    translator = translators[backend]
    assert isinstance(translator, Translator)
    assert translator.backend == backend
    assert translator.model_id == str(tiny_model_dir)
    assert translator.revision.startswith(content_hash(tiny_model_dir))


@pytest.mark.parametrize("backend", BACKENDS)
def test_one_translation_per_input_in_order(translators, backend):
    translator = translators[backend]
    # The same batch in reverse: the same shapes and padding, so each row's numbers are the same and only
    # the order can differ (comparing with one-text batches would also test how the kernels round).
    batch = translator.translate_batch(["", *TEXTS, "  "], GREEDY)
    reverse = translator.translate_batch(["  ", *reversed(TEXTS), ""], GREEDY)
    assert len(batch) == len(TEXTS) + 2
    assert batch == list(reversed(reverse))
    # Blank texts never reach the model: they come back empty, in their places.
    assert batch[0] == batch[-1] == ""
    assert translator.translate_batch([], GREEDY) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_forced_output_length(translators, backend):
    forced = Decoding(beam_size=4, min_length=9, max_length=9)
    assert [len(tokens) for tokens in translators[backend].generate_tokens(TEXTS, forced)] == [9] * len(TEXTS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_output_bounded_relative_to_source(translators, backend):
    translator = translators[backend]
    tight = Decoding(beam_size=2, max_length_ratio=0.5, max_length_slack=1)
    counts = translator.count_tokens(TEXTS)
    limit = max(tight.length_limit(n) for n in counts)
    assert all(len(tokens) <= limit for tokens in translator.generate_tokens(TEXTS, tight))


def test_backends_count_tokens_alike(translators):
    assert translators["transformers"].count_tokens(TEXTS) == translators["ctranslate2"].count_tokens(TEXTS)




def test_backends_score_alike_on_the_converted_weights(tiny_model_dir, tmp_path):
    # The conversion keeps the weights: float32 CTranslate2 gives the same log-probabilities as transformers
    # for the same source and target tokens, up to kernel differences (under 0.2 on these random weights;
    # a wrong conversion is off by whole units). Compared as numbers, not as which token wins: int8, and
    # near-ties of a random model, differ between CPUs.
    import torch

    hf = load_translator(str(tiny_model_dir), "transformers", cache_dir=tmp_path)
    ct2 = load_translator(str(tiny_model_dir), "ctranslate2", cache_dir=tmp_path, compute_type="float32")
    targets = [["▁the", "▁people", "▁of", "▁Guiyang", "."], ["▁CPPCC"], ["1", "2", "3"], [], ["政协", "委员"]]
    tokenizer = hf._tokenizer
    scores = ct2._translator.score_batch([ct2._tokenizer.encode(text) for text in TEXTS], targets)
    for text, target, score in zip(TEXTS, targets, scores):
        labels = torch.tensor([tokenizer.convert_tokens_to_ids(target) + [tokenizer.eos_token_id]])
        with torch.inference_mode():
            logits = hf._model(**tokenizer([text], return_tensors="pt"), labels=labels).logits
        expected = torch.log_softmax(logits, -1)[0].gather(1, labels[0][:, None])[:, 0].tolist()
        assert len(score.log_probs) == len(expected) == len(target) + 1
        assert max(abs(a - b) for a, b in zip(expected, score.log_probs)) < 0.5


@pytest.mark.parametrize("backend", BACKENDS)
def test_over_long_source_is_refused_not_truncated(translators, backend):
    translator = translators[backend]
    long_text = "政协委员" * 400
    assert translator.count_tokens([long_text])[0] > translator.max_source_tokens
    with pytest.raises(UsageError, match="longer than the 512 tokens") as info:
        translator.translate_batch(["短句。", long_text], GREEDY)
    assert "\n" not in str(info.value)


def test_ctranslate2_conversion_is_cached_and_reused(tiny_model_dir, tmp_path, monkeypatch):
    assert load_translator(str(tiny_model_dir), None, cache_dir=tmp_path).backend == "transformers"
    converted = converted_path(content_hash(tiny_model_dir), cache=tmp_path)
    assert not converted.exists()

    first = load_translator(str(tiny_model_dir), "ctranslate2", cache_dir=tmp_path)
    assert (converted / "model.bin").is_file()
    stamp = (converted / "model.bin").stat().st_mtime_ns

    import ctranslate2.converters

    def no_conversion(*args, **kwargs):
        raise AssertionError("the cached conversion should have been reused")

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", no_conversion)
    second = load_translator(str(tiny_model_dir), "ctranslate2", cache_dir=tmp_path)
    # With a conversion in the cache, the default backend is CTranslate2.
    default = load_translator(str(tiny_model_dir), None, cache_dir=tmp_path)
    assert default.backend == "ctranslate2"
    assert (converted / "model.bin").stat().st_mtime_ns == stamp
    assert first.revision == second.revision == default.revision
    assert second.translate_batch(TEXTS, GREEDY) == first.translate_batch(TEXTS, GREEDY)


def test_conversion_race_ends_with_one_complete_copy(tiny_model_dir, tmp_path, monkeypatch):
    # Two processes converting the same checkpoint: simulate the other one finishing while this one is
    # still converting (threads would not do: torch's loading is not thread-safe).
    import ctranslate2.converters

    real = ctranslate2.converters.TransformersConverter
    winner = converted_path(content_hash(tiny_model_dir), cache=tmp_path)

    class OvertakenConverter(real):
        def convert(self, output_dir, **kwargs):
            result = real.convert(self, output_dir, **kwargs)
            shutil.copytree(output_dir, winner)
            (winner / "winner").write_text("the other process")
            return result

    monkeypatch.setattr(ctranslate2.converters, "TransformersConverter", OvertakenConverter)
    assert convert_to_ctranslate2(tiny_model_dir, cache=tmp_path) == winner
    assert (winner / "winner").is_file() and (winner / "model.bin").is_file()
    # No staging folder left behind.
    assert [p.name for p in (tmp_path / "ctranslate2").iterdir()] == [winner.name]


def test_converted_folder_loads_directly(tiny_model_dir, tmp_path):
    converted = convert_to_ctranslate2(tiny_model_dir, cache=tmp_path)
    translator = load_translator(str(converted))
    assert translator.backend == "ctranslate2"
    # Same weights, same revision as when loaded through the checkpoint: translation-memory entries carry over.
    assert translator.revision == f"{content_hash(tiny_model_dir)}+ct2-int8"
    with pytest.raises(UsageError, match="--backend ctranslate2"):
        load_translator(str(converted), "transformers")
    # A CTranslate2 folder made by other tools without the tokenizer: one line, not a traceback.
    bare = shutil.copytree(converted, tmp_path / "bare", ignore=shutil.ignore_patterns("*.spm", "vocab.json", "tok*"))
    with pytest.raises(ModelNotFoundError, match="no usable tokenizer files"):
        load_translator(str(bare))


def test_describe_model_says_what_load_translator_loads(tiny_model_dir, tmp_path):
    from pipeline.models import describe_model

    converted = convert_to_ctranslate2(tiny_model_dir, cache=tmp_path)
    for model, backend in [(tiny_model_dir, "transformers"), (tiny_model_dir, "ctranslate2"),
                           (tiny_model_dir, None), (converted, None)]:
        plan = describe_model(str(model), backend, cache_dir=tmp_path)
        translator = load_translator(str(model), backend, cache_dir=tmp_path, plan=plan)
        assert (plan.model_id, plan.revision, plan.backend) == (
            translator.model_id, translator.revision, translator.backend)
        assert plan.default_decoding == translator.default_decoding


def test_loading_hashes_the_checkpoint_once(tiny_model_dir, tmp_path, monkeypatch):
    import pipeline.backends.ct2
    import pipeline.backends.hf
    import pipeline.models

    calls = []
    for module in (pipeline.models, pipeline.backends.ct2, pipeline.backends.hf):
        monkeypatch.setattr(module, "content_hash", lambda d: calls.append(d) or content_hash(d))
    load_translator(str(tiny_model_dir), "ctranslate2", cache_dir=tmp_path)  # converts, then loads
    assert len(calls) == 1


def test_content_hash_follows_the_files(tiny_model_dir, tmp_path):
    copy = shutil.copytree(tiny_model_dir, tmp_path / "copy")
    assert content_hash(copy) == content_hash(tiny_model_dir)
    (copy / "config.json").write_text((copy / "config.json").read_text().replace("swish", "gelu"))
    assert content_hash(copy) != content_hash(tiny_model_dir)


def test_missing_model_directory(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelNotFoundError, match="does not exist") as info:
        load_translator(str(missing))
    assert str(missing) in str(info.value) and "\n" not in str(info.value)


def test_directory_without_checkpoint(tmp_path):
    with pytest.raises(ModelNotFoundError, match="no config.json"):
        load_translator(str(tmp_path))


def test_unknown_hub_id_offline_is_one_line():
    with pytest.raises(ModelNotFoundError) as info:
        load_translator("brief-tests/no-such-model", offline=True)
    message = str(info.value)
    assert "brief-tests/no-such-model" in message and "offline" in message
    assert "hf download brief-tests/no-such-model" in message and "\n" not in message


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hugging Face hub cache in place of this machine's (which may or may not hold real models)."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    return tmp_path / "hub"


def test_default_preset_offline_names_the_model(hub_cache):
    with pytest.raises(ModelNotFoundError, match="Helsinki-NLP/opus-mt-zh-en") as info:
        resolve_model(None, offline=True)
    assert "offline" in str(info.value) and "brief models pull opus-mt-zh-en" in str(info.value)
    assert "\n" not in str(info.value)


def test_default_preset_offline_finds_the_cached_model(hub_cache):
    # The hub cache's layout, as `hf download Helsinki-NLP/opus-mt-zh-en --revision COMMIT` leaves it, at the
    # commit the preset pins.
    from pipeline.models import load_preset

    commit = load_preset("opus-mt-zh-en").revision
    repo = hub_cache / "models--Helsinki-NLP--opus-mt-zh-en"
    (repo / "snapshots" / commit).mkdir(parents=True)
    (repo / "snapshots" / commit / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    resolved = resolve_model(None, offline=True)
    assert resolved.model_id == "Helsinki-NLP/opus-mt-zh-en"
    assert resolved.directory.resolve() == (repo / "snapshots" / commit).resolve()


@pytest.mark.parametrize("error", ["no snapshot", "connection refused"])
def test_download_failure_is_one_line(monkeypatch, error):
    import huggingface_hub
    from huggingface_hub.errors import LocalEntryNotFoundError

    # What snapshot_download raises with no network: its own error wrapping the connection error, or an
    # OSError from the transport. Simulated, since tests never reach for the network.
    def unreachable(*args, **kwargs):
        if error == "no snapshot":
            raise LocalEntryNotFoundError(
                "An error happened while trying to locate the files on the Hub.\nGot: ConnectError")
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(huggingface_hub, "snapshot_download", unreachable)
    with pytest.raises(ModelNotFoundError, match="could not be downloaded") as info:
        resolve_model("Helsinki-NLP/opus-mt-zh-en", offline=False)
    assert "hf download Helsinki-NLP/opus-mt-zh-en" in str(info.value) and "\n" not in str(info.value)


def test_presets_are_data():
    assert {"opus-mt-zh-en", "nllb-200-distilled-600M", "m2m100_418M"} <= set(preset_names())
    default = load_preset(DEFAULT_PRESET)
    assert default.hub_id == "Helsinki-NLP/opus-mt-zh-en"
    assert default.architecture == "marian" and default.max_source_tokens == 512
    assert default.decoding.beam_size == 4
    nllb = load_preset("nllb-200-distilled-600M")
    assert (nllb.source_lang, nllb.target_lang) == ("zho_Hans", "eng_Latn")
    assert (load_preset("m2m100_418M").source_lang, load_preset("m2m100_418M").target_lang) == ("zh", "en")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: load_preset("opus-mt-xx"), "presets: .*opus-mt-zh-en"),
        (lambda: load_translator("brief-tests/x", backend="onnx", offline=True),
         "choose from: transformers, ctranslate2"),
        (lambda: load_translator("brief-tests/x", device="tpu", offline=True), "choose from: cpu, cuda"),
    ],
)
def test_bad_options_list_the_choices(call, message):
    with pytest.raises(UsageError, match=message):
        call()


@pytest.fixture(scope="module")
def tiny_m2m100_dir(tmp_path_factory):
    from pipeline.testing import make_tiny_translator

    return make_tiny_translator(tmp_path_factory.mktemp("tiny-m2m100") / "m2m100-tiny", arch="m2m100")


def test_multilingual_model_gets_its_language_codes(tiny_m2m100_dir, tmp_path, monkeypatch):
    hf = load_translator(str(tiny_m2m100_dir), "transformers", cache_dir=tmp_path)
    ct2 = load_translator(str(tiny_m2m100_dir), "ctranslate2", cache_dir=tmp_path)
    for translator in (hf, ct2):
        assert (translator.family, translator.source_lang, translator.target_lang) == ("m2m100", "zh", "en")
    # The source language token (__zh__) is part of what the model sees, on both backends.
    assert hf.count_tokens(TEXTS) == ct2.count_tokens(TEXTS)
    # The forced target-language token is not part of the text, and does not count against its length.
    forced = Decoding(beam_size=2, min_length=6, max_length=6)
    for translator in (hf, ct2):
        outputs = translator.generate_tokens(TEXTS, forced)
        assert [len(tokens) for tokens in outputs] == [6] * len(TEXTS)

    # What each engine itself returns: __en__ first, on both backends, and generate_tokens drops it and nothing
    # else. (Which tokens follow is the random model's choice, and int8 rounding differs between CPUs, so the
    # two backends' texts are not compared.)
    raw = {}

    def recording(name, call):
        def record(*args, **kwargs):
            raw[name] = call(*args, **kwargs)
            return raw[name]
        return record

    monkeypatch.setattr(hf, "_generate", recording("hf", hf._generate))
    monkeypatch.setattr(ct2, "_call_engine", recording("ct2", ct2._call_engine))
    hf_tokens = hf.generate_tokens(TEXTS, GREEDY)
    ct2_tokens = ct2.generate_tokens(TEXTS, GREEDY)
    tokenizer = hf._tokenizer
    hf_raw = [tokenizer.convert_ids_to_tokens(row) for row in raw["hf"].tolist()]
    ct2_raw = [result.hypotheses[0] for result in raw["ct2"]]
    assert [row[1] for row in hf_raw] == [row[0] for row in ct2_raw] == ["__en__"] * len(TEXTS)
    assert [row[0] for row in hf_raw] == [tokenizer.eos_token] * len(TEXTS)  # M2M100's decoder start
    assert ct2_tokens == [row[1:] for row in ct2_raw]
    ends = {tokenizer.eos_token, tokenizer.pad_token}
    for row, tokens in zip(hf_raw, hf_tokens):
        while row[-1] in ends:
            row = row[:-1]
        assert tokens == row[2:]


def test_ctranslate2_without_cuda_12_libraries_is_one_line(translators, monkeypatch):
    # What a CUDA 13 GPU machine gives CTranslate2's PyPI wheel on the first GPU call (seen on an H200).
    translator = translators["ctranslate2"]

    def missing_cublas(*args, **kwargs):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")

    monkeypatch.setattr(translator, "device", "cuda")
    monkeypatch.setattr(translator, "_call_engine", missing_cublas)
    with pytest.raises(UsageError, match="--backend transformers --device cuda"):
        translator.translate_batch(["贵阳市政协委员提出建议。"], GREEDY)
