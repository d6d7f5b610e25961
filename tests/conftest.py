"""Shared test setup: never touch the network, never write to the user's cache, one tiny model per session."""

from __future__ import annotations

import os
import tempfile

import pytest

# Set before anything imports huggingface_hub (it reads this once): no test may try to download.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir():
    """Converted models, translation memories, pulled models and other caches go to a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="brief-test-cache-") as folder, pytest.MonkeyPatch.context() as patch:
        patch.setenv("BRIEF_CACHE_DIR", folder)
        patch.setenv("BRIEF_MODELS_DIR", os.path.join(folder, "models"))
        yield folder


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny random-weight Marian checkpoint (``pipeline.testing.make_tiny_translator``), built once."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("sentencepiece")
    from pipeline.testing import make_tiny_translator

    return make_tiny_translator(tmp_path_factory.mktemp("tiny-model") / "opus-mt-tiny")


@pytest.fixture
def fake(monkeypatch):
    """Every model the command line loads is a ``WordFake``; ``fake.loads`` counts how often it was loaded."""
    from fake_translators import WordFake

    import pipeline.loaders
    import pipeline.models

    translator = WordFake()
    translator.loads = 0

    def load(*args, **kwargs):
        translator.loads += 1
        return translator

    monkeypatch.setattr(pipeline.loaders, "load_translator", load)
    # What the fake is, without "loading" it (as describe_model does for a real model).
    monkeypatch.setattr(pipeline.models, "describe_model", lambda *args, **kwargs: translator)
    return translator
