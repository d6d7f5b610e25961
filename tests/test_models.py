"""Model lookup without loading weights: presets as data (retry settings included), damaged model files,
the environment's settings.

Loading and translating with tiny real checkpoints is in test_engine.py.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from fake_translators import LoopFake

import pipeline.models
from pipeline.backends.common import detect_family
from pipeline.backends.ct2 import SOURCE_INFO, read_source_info
from pipeline.checkpoint import read_json
from pipeline.cli import cli
from pipeline.engine import Decoding, RetryDecoding
from pipeline.errors import ModelNotFoundError, UsageError
from pipeline.models import describe_model, load_preset
from pipeline.settings import load_settings
from pipeline.translate import translate_texts

PRESET = """\
hub_id = "brief-tests/tiny"
architecture = "marian"
max_source_tokens = 256

[decoding]
beam_size = 2
max_length_ratio = 3.0

[retry]
repetition_penalty = 1.6
no_repeat_ngram_size = 4
max_length_ratio = 1.5
"""


@pytest.fixture
def preset_dir(tmp_path, monkeypatch):
    """A models/ folder of the test's own, the only one load_preset searches."""
    folder = tmp_path / "models"
    folder.mkdir()
    monkeypatch.setattr(pipeline.models, "_preset_dirs", lambda: [folder])
    return folder


# --- retry settings come from the preset ---------------------------------------------------------------

def test_retry_settings_are_read_from_the_preset(preset_dir):
    (preset_dir / "tiny.toml").write_text(PRESET, encoding="utf-8")
    decoding = load_preset("tiny").decoding
    assert decoding.retry == RetryDecoding(repetition_penalty=1.6, no_repeat_ngram_size=4, max_length_ratio=1.5)
    stricter = decoding.stricter()
    assert (stricter.repetition_penalty, stricter.no_repeat_ngram_size, stricter.max_length_ratio) == (1.6, 4, 1.5)
    assert stricter.beam_size == 2  # the rest of the preset's decoding stays


def test_a_preset_without_retry_gets_the_defaults(preset_dir):
    (preset_dir / "plain.toml").write_text(PRESET.split("[retry]")[0], encoding="utf-8")
    assert load_preset("plain").decoding.retry == RetryDecoding()


def test_shipped_presets_spell_out_the_retry_settings():
    for name in pipeline.models.preset_names():
        if load_preset(name).role != "translator":
            continue  # a summariser has no translate-stage retry
        text = load_preset(name).path.read_text(encoding="utf-8")
        assert "[retry]" in text and load_preset(name).decoding.retry == RetryDecoding()


def test_stricter_only_tightens():
    # A first pass already stricter than the retry's values keeps its own.
    strict = Decoding(repetition_penalty=2.0, no_repeat_ngram_size=2, max_length_ratio=1.2)
    assert strict.stricter() == strict


@pytest.mark.parametrize(("table", "message"), [
    ("[retry]\nrepetition_penaltie = 1.5\n", "unknown retry setting.*repetition_penaltie; known: max_length_ratio"),
    ("retry = 1.5\n", "retry must be a table"),
    ("[decoding]\nretry = 1.5\n", "unknown decoding setting.*retry"),
])
def test_bad_retry_settings_name_the_preset(preset_dir, table, message):
    (preset_dir / "bad.toml").write_text(f'hub_id = "brief-tests/tiny"\n{table}', encoding="utf-8")
    with pytest.raises(UsageError, match=message) as info:
        load_preset("bad")
    assert "bad.toml" in str(info.value) and "\n" not in str(info.value)


def test_default_retry_leaves_memory_keys_and_stamps_as_they_were():
    # The exact key of the default settings before retry settings existed: memories and run stamps stay valid.
    assert Decoding().key() == (
        '{"beam_size": 4, "length_penalty": 1.0, "max_length": 512, "max_length_ratio": 2.5, '
        '"max_length_slack": 10, "min_length": 0, "no_repeat_ngram_size": 0, "repetition_penalty": 1.0}'
    )
    # Other retry settings give other retry outputs, so they make another key.
    other = Decoding(retry=RetryDecoding(repetition_penalty=1.6))
    assert other.key() != Decoding().key() and json.loads(other.key())["retry"]["repetition_penalty"] == 1.6


def test_the_translate_stage_retries_with_the_translators_retry_settings():
    fake = LoopFake()
    fake.default_decoding = Decoding(beam_size=2, retry=RetryDecoding(repetition_penalty=1.6, no_repeat_ngram_size=4))
    [result] = translate_texts(["陷入循环的句子。"], fake)
    assert result.qa_flags == []
    assert len(fake.decodings) == 2
    assert (fake.decodings[-1].repetition_penalty, fake.decodings[-1].no_repeat_ngram_size) == (1.6, 4)


def test_retry_settings_reach_the_plan_from_the_preset(preset_dir, tmp_path, monkeypatch):
    checkpoint = tmp_path / "snapshots" / "0123abc"
    checkpoint.mkdir(parents=True)
    (checkpoint / "config.json").write_text('{"model_type": "marian"}', encoding="utf-8")
    (preset_dir / "tiny.toml").write_text(PRESET, encoding="utf-8")
    monkeypatch.setattr(pipeline.models, "_from_hub", lambda hub_id, revision, offline, **kw: (checkpoint, "0123abc"))
    plan = describe_model("tiny", "transformers", cache_dir=tmp_path / "cache")
    assert plan.default_decoding == load_preset("tiny").decoding
    assert plan.default_decoding.retry.repetition_penalty == 1.6
    assert (plan.model_id, plan.revision, plan.max_source_tokens) == ("brief-tests/tiny", "0123abc", 256)


# --- damaged model files are errors, not a "generic" model --------------------------------------------

def test_damaged_config_json_is_one_line_and_exit_2(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "marian",', encoding="utf-8")  # cut short
    article = tmp_path / "a.txt"
    article.write_text("全市新建公园12个。\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["translate", str(article), "-o", str(tmp_path / "out"), "--no-tm",
                                      "--model", str(model)])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("brief: error: model file ") and str(model / "config.json") in line
    assert "damaged" in line and not (tmp_path / "out" / "a.en.txt").exists()


@pytest.mark.parametrize("content", ['{"model_type": ', "[1, 2]", "\udcff"])
def test_damaged_json_names_the_file(tmp_path, content):
    (tmp_path / "tokenizer_config.json").write_text(content, encoding="utf-8", errors="surrogateescape")
    with pytest.raises(ModelNotFoundError, match="tokenizer_config.json") as info:
        detect_family(tmp_path)
    assert "\n" not in str(info.value)


def test_damaged_ctranslate2_info_file_is_an_error(tmp_path):
    (tmp_path / SOURCE_INFO).write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match=SOURCE_INFO):
        read_source_info(tmp_path)


def test_missing_optional_files_are_fine(tmp_path):
    assert read_json(tmp_path / "tokenizer_config.json") == {}
    assert read_source_info(tmp_path) == {}
    (tmp_path / "config.json").write_text('{"model_type": "m2m_100"}', encoding="utf-8")
    assert detect_family(tmp_path) == "m2m100"


def test_directory_with_damaged_config_is_refused_before_hashing(tmp_path, monkeypatch):
    (tmp_path / "config.json").write_text("", encoding="utf-8")
    monkeypatch.setattr(pipeline.models, "content_hash", lambda d: pytest.fail("hashed a damaged model"))
    with pytest.raises(ModelNotFoundError, match="config.json is damaged"):
        describe_model(str(tmp_path))


# --- settings from the environment ---------------------------------------------------------------------

def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings({"BRIEF_CACHE_DIR": str(tmp_path), "HF_HUB_OFFLINE": "True"})
    assert settings.cache_dir == tmp_path and settings.offline
    default = load_settings({})
    assert default.cache_dir.name == "bilingual-brief" and not default.offline
    assert not load_settings({"HF_HUB_OFFLINE": "0"}).offline


def test_memory_and_conversions_use_the_cache_folder(tmp_path, monkeypatch):
    from pipeline.backends.ct2 import converted_path
    from pipeline.memory import default_memory_path

    monkeypatch.setenv("BRIEF_CACHE_DIR", str(tmp_path))
    assert default_memory_path() == tmp_path / "tm.sqlite3"
    assert converted_path("0123456789abcdef") == tmp_path / "ctranslate2" / "0123456789abcdef-int8"

