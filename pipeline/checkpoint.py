"""What a model folder is made of: the files that matter, their content hash, its JSON configuration files.

A leaf module (it imports nothing from the pipeline but its errors), so model lookup and every backend can
use it without importing each other.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline.errors import ModelNotFoundError

# The list of a pulled model's files with their sha256 (``pipeline.manifest``): not part of the model.
MANIFEST_FILE = "brief-manifest.json"
# Files a checkpoint is made of that do not matter to translation (other frameworks' weights, docs).
IGNORED_FILES = ("*.h5", "*.msgpack", "*.ot", "tf_model*", "flax_model*", "rust_model*", "*.md", ".*", MANIFEST_FILE)


def model_files(directory: Path) -> list[Path]:
    """The files of a model folder that matter to translation, sorted (``IGNORED_FILES`` left out)."""
    return sorted(
        p for p in directory.iterdir()
        if p.is_file() and not any(p.match(pattern) for pattern in IGNORED_FILES)
    )


def content_hash(directory: str | Path) -> str:
    """A hash of a checkpoint's files (names and bytes: config, weights, tokenizer), 16 hex digits.

    It names a checkpoint by what it is, not where it is: the CTranslate2 cache key and, when there is no
    hub commit, the revision recorded in translation-memory entries and brief stamps.
    """
    digest = hashlib.sha256()
    for path in model_files(Path(directory)):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()[:16]


def read_json(path: Path) -> dict:
    """A model folder's JSON file (``config.json``, ``tokenizer_config.json``...) as a dict; {} if it is absent.

    A file that is there but cannot be read or parsed is a ModelNotFoundError naming it, never an empty dict:
    falling back to defaults would load the model as something it is not.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else type(e).__name__
        raise ModelNotFoundError(
            f"model file {path} cannot be read ({reason}); download or convert the model again"
        ) from e
    try:
        data = json.loads(text)
    except ValueError as e:
        reason = f"{e.msg} at line {e.lineno}" if isinstance(e, json.JSONDecodeError) else str(e)
        raise ModelNotFoundError(
            f"model file {path} is damaged (not valid JSON: {reason}); download or convert the model again"
        ) from e
    if not isinstance(data, dict):
        raise ModelNotFoundError(
            f"model file {path} is damaged (a JSON {type(data).__name__}, not an object); "
            "download or convert the model again"
        )
    return data
