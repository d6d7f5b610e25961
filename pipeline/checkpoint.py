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


# The tokenizer files a Marian (opus-mt) model cannot load without, in a checkpoint and in its conversion.
MARIAN_FILES = ("source.spm", "target.spm", "vocab.json")
# Files only a CTranslate2 conversion has: a folder with one of them and no model.bin is a broken conversion.
_CT2_MARKERS = ("brief-source.json", "shared_vocabulary.json", "shared_vocabulary.txt", "source_vocabulary.json")


def check_model_files(directory: str | Path) -> None:
    """Refuse a model folder that lacks a file it needs or holds a damaged weights file, naming the file.

    Checked before loading, since the loaders' own errors are tracebacks that name neither (issue 13): the
    Marian tokenizer files (``MARIAN_FILES``) where the model is Marian, a CTranslate2 conversion's
    ``model.bin``, and each weights file: not empty, and a ``.safetensors`` file as long as its header says.
    Raises ModelNotFoundError, one line.
    """
    directory = Path(directory)
    names = {p.name for p in directory.iterdir()} if directory.is_dir() else set()
    config = read_json(directory / "config.json")
    tokenizer = read_json(directory / "tokenizer_config.json")
    marian = (config.get("model_type") == "marian" or str(tokenizer.get("tokenizer_class", "")).startswith("Marian")
              or "source.spm" in names or "target.spm" in names)  # vocab.json: other tokenizers have one too
    missing = [name for name in MARIAN_FILES if marian and name not in names]
    if missing:
        raise ModelNotFoundError(f"model file {directory / missing[0]} is missing (a Marian model needs "
                                 f"{', '.join(MARIAN_FILES)}); download or convert the model again")
    weights = sorted(name for name in names if name.endswith(".safetensors") or name in ("pytorch_model.bin",))
    if not weights and "model.bin" not in names and any(marker in names for marker in _CT2_MARKERS):
        raise ModelNotFoundError(f"model file {directory / 'model.bin'} is missing: {directory} is a CTranslate2 "
                                 "conversion without its weights; convert the model again (--backend ctranslate2)")
    for name in weights or (["model.bin"] if "model.bin" in names else []):
        _check_weights(directory / name)


def _check_weights(path: Path) -> None:
    try:
        size = path.stat().st_size
        problem = "empty, 0 bytes" if size == 0 else None
        if problem is None and path.suffix == ".safetensors":
            problem = _safetensors_problem(path, size)
    except OSError as e:
        raise ModelNotFoundError(f"model file {path} cannot be read ({e.strerror or e}); "
                                 "fix its permissions or download the model again") from e
    if problem:
        raise ModelNotFoundError(f"model file {path} is damaged ({problem}); download or convert the model again")


def _safetensors_problem(path: Path, size: int) -> str | None:
    """Why a safetensors file cannot be whole (its 8-byte header length, JSON header, data offsets), or None."""
    with path.open("rb") as f:
        head = f.read(8)
        if len(head) < 8:
            return f"{size} bytes, shorter than a safetensors header"
        length = int.from_bytes(head, "little")
        if 8 + length > size:
            return f"truncated: {size} bytes, its header alone says {8 + length}"
        try:
            header = json.loads(f.read(length))
            end = max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return "its safetensors header is not valid JSON with data offsets"
    if 8 + length + end > size:
        return f"truncated: {size} bytes of the {8 + length + end} its header lists"
    return None
