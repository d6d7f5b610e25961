"""The settings the environment gives: the cache folder, the models folder and offline mode, read in this one place.

- ``BRIEF_CACHE_DIR``: where converted models, the translation memory and benchmark files go; else the
  user cache folder (``platformdirs.user_cache_dir('bilingual-brief')``, e.g. ``~/.cache/bilingual-brief``).
- ``BRIEF_MODELS_DIR``: where ``brief models pull`` and ``brief models import`` put models, one folder per
  preset, each with its manifest; else the user data folder's ``models`` (``platformdirs.user_data_dir``,
  e.g. ``~/.local/share/bilingual-brief/models``). Not a cache: on an air-gapped machine it may hold the
  only copy.
- ``HF_HUB_OFFLINE``: a true value (1, true, yes, on) forbids downloading models.

``load_settings`` reads them when called, not at import, so importing stays free of side effects; a caller
resolves them once (``pipeline.models.describe_model`` does, for a run) and passes plain values down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    """What the environment says: the cache folder, the models folder, whether downloads are forbidden."""

    cache_dir: Path
    offline: bool
    models_dir: Path


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    configured = environ.get("BRIEF_CACHE_DIR")
    models = environ.get("BRIEF_MODELS_DIR")
    if not configured or not models:
        import platformdirs
    cache = Path(configured).expanduser() if configured else Path(platformdirs.user_cache_dir("bilingual-brief"))
    models_dir = (Path(models).expanduser() if models
                  else Path(platformdirs.user_data_dir("bilingual-brief")) / "models")
    return Settings(cache_dir=cache, offline=environ.get("HF_HUB_OFFLINE", "").strip().lower() in _TRUE,
                    models_dir=models_dir)
