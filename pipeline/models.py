"""Model management: presets, finding a checkpoint (directory, hub cache, download), the CTranslate2 cache.

``load_translator`` is the one entry point: it resolves a preset name, hub id or directory to a checkpoint on
disk, picks the backend and returns a loaded ``pipeline.engine.Translator``.

- Presets are the TOML files in the repository's ``models/`` folder (one per model, a comment per value).
- A hub id is looked up in the Hugging Face cache and downloaded only when offline mode is off
  (``HF_HUB_OFFLINE=1`` or ``offline=True`` means never).
- ``--backend ctranslate2`` converts a transformers checkpoint once to int8, into the cache folder
  (``BRIEF_CACHE_DIR``, else the user cache dir), keyed by a hash of the checkpoint's files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from pipeline.engine import Decoding, Translator
from pipeline.errors import ModelNotFoundError, UsageError

DEFAULT_PRESET = "opus-mt-zh-en"
BACKENDS = ("transformers", "ctranslate2")
# Files a checkpoint is made of that do not matter to translation (other frameworks' weights, docs).
_IGNORED_FILES = ("*.h5", "*.msgpack", "*.ot", "tf_model*", "flax_model*", "rust_model*", "*.md", ".*")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class Preset:
    """One ``models/NAME.toml`` file: where a model comes from and how to decode with it."""

    name: str
    hub_id: str
    revision: str | None
    architecture: str
    source_lang: str | None
    target_lang: str | None
    max_source_tokens: int
    decoding: Decoding
    path: Path


def _preset_dirs() -> list[Path]:
    # One source of truth: the repository's models/ folder. An installed (non-editable) package finds the
    # same files as the package data ``pipeline/presets`` if pyproject maps models/ there. (Installed, the
    # folder above the package is site-packages, whose models/ would be someone else's: hence the check.)
    root = Path(__file__).resolve().parent.parent
    dirs = [root / "models"] if (root / "pyproject.toml").is_file() else []
    try:
        from importlib.resources import files

        dirs.append(Path(str(files("pipeline") / "presets")))
    except (ModuleNotFoundError, TypeError):
        pass
    return [d for d in dirs if d.is_dir()]


def preset_names() -> list[str]:
    """Names of the presets found, sorted."""
    return sorted({p.stem for d in _preset_dirs() for p in d.glob("*.toml")})


def load_preset(name: str) -> Preset:
    """Read preset ``name`` (``models/NAME.toml``); UsageError listing the presets if there is none."""
    for directory in _preset_dirs():
        path = directory / f"{name}.toml"
        if path.is_file():
            break
    else:
        raise UsageError(f"unknown model preset {name!r}; presets: {', '.join(preset_names()) or 'none found'}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        known = {f.name for f in fields(Decoding)}
        settings = data.get("decoding", {})
        unknown = sorted(set(settings) - known)
        if unknown:
            raise UsageError(f"preset {path}: unknown decoding setting(s) {', '.join(unknown)}")
        return Preset(
            name=name,
            hub_id=data["hub_id"],
            revision=data.get("revision") or None,
            architecture=data.get("architecture", "marian"),
            source_lang=data.get("source_lang") or None,
            target_lang=data.get("target_lang") or None,
            max_source_tokens=int(data.get("max_source_tokens", 512)),
            decoding=Decoding(**settings),
            path=path,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise UsageError(f"preset {path} is not valid: {e}") from e


def cache_dir() -> Path:
    """The folder for converted models (and other caches): ``BRIEF_CACHE_DIR``, else the user cache dir."""
    configured = os.environ.get("BRIEF_CACHE_DIR")
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("bilingual-brief"))


def is_offline(offline: bool | None = None) -> bool:
    """Whether downloads are forbidden: ``offline`` if given, else ``HF_HUB_OFFLINE`` set to a true value."""
    if offline is not None:
        return offline
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _model_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.iterdir()
        if p.is_file() and not any(p.match(pattern) for pattern in _IGNORED_FILES)
    )


def content_hash(directory: str | Path) -> str:
    """A hash of a checkpoint's files (names and bytes: config, weights, tokenizer), 16 hex digits.

    It names a checkpoint by what it is, not where it is: the CTranslate2 cache key and, when there is no
    hub commit, the revision recorded in translation-memory entries and brief stamps.
    """
    digest = hashlib.sha256()
    for path in _model_files(Path(directory)):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as f:
            digest.update(hashlib.file_digest(f, "sha256").digest())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk: its folder, the name the user gave, its hub commit if known, its preset."""

    directory: Path
    model_id: str
    commit: str | None
    preset: Preset | None


def _download_hint(hub_id: str) -> str:
    return f"run `hf download {hub_id}` on a connected machine and copy the Hugging Face cache, or pass --model DIRECTORY"


def _from_hub(hub_id: str, revision: str | None, offline: bool) -> tuple[Path, str | None]:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        path = Path(snapshot_download(
            hub_id, revision=revision, local_files_only=offline, ignore_patterns=list(_IGNORED_FILES),
        ))
    except LocalEntryNotFoundError as e:
        if offline:
            raise ModelNotFoundError(
                f"model {hub_id} is not in the local cache and offline mode is on; {_download_hint(hub_id)}"
            ) from e
        raise ModelNotFoundError(
            f"model {hub_id} is not in the local cache and could not be downloaded (no connection to the hub?); "
            f"{_download_hint(hub_id)}"
        ) from e
    except (RepositoryNotFoundError, GatedRepoError) as e:
        raise ModelNotFoundError(
            f"model {hub_id} was not found on the Hugging Face hub (or needs a login); check the name, "
            f"or pass a preset ({', '.join(preset_names())}) or --model DIRECTORY"
        ) from e
    except RevisionNotFoundError as e:
        raise ModelNotFoundError(f"model {hub_id} has no revision {revision!r} on the hub") from e
    except OSError as e:  # network errors surface as OSError subclasses (and httpx errors below)
        raise ModelNotFoundError(f"model {hub_id} could not be downloaded ({e}); {_download_hint(hub_id)}") from e
    except Exception as e:  # httpx and other transport errors have no common base we can import cheaply
        if type(e).__module__.split(".")[0] not in ("httpx", "httpx2", "requests", "urllib3", "huggingface_hub"):
            raise
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelNotFoundError(f"model {hub_id} could not be downloaded ({reason}); {_download_hint(hub_id)}") from e
    # A hub cache snapshot lives in .../snapshots/<commit hash>/.
    commit = path.name if path.parent.name == "snapshots" else None
    return path, commit


def resolve_model(model: str | None, *, offline: bool | None = None) -> ResolvedModel:
    """Find ``model`` on disk: a preset name, a checkpoint directory or a hub id (None: the default preset).

    Downloads a hub model only when offline mode is off. Raises ModelNotFoundError (one line: the model and
    how to get it) when it is not there.
    """
    name = model or DEFAULT_PRESET
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(f"model directory {path} has no config.json; is it a model checkpoint?")
        return ResolvedModel(path.resolve(), name, None, None)
    if name in preset_names():
        preset = load_preset(name)
        directory, commit = _from_hub(preset.hub_id, preset.revision, is_offline(offline))
        return ResolvedModel(directory, preset.hub_id, commit, preset)
    if path.exists():
        raise ModelNotFoundError(f"model {name} is a file, not a model directory")
    if _HUB_ID.match(name) and not name.startswith((".", "~")):
        directory, commit = _from_hub(name, None, is_offline(offline))
        return ResolvedModel(directory, name, commit, None)
    if os.sep in name or name.startswith((".", "~")):
        raise ModelNotFoundError(f"model directory {name} does not exist")
    raise ModelNotFoundError(
        f"unknown model {name!r}: not a directory, a preset ({', '.join(preset_names())}) or a hub id (ORG/NAME)"
    )


def is_ctranslate2_model(directory: Path) -> bool:
    """True for a CTranslate2 model folder (``model.bin`` and no transformers weights)."""
    return (directory / "model.bin").is_file() and not any(directory.glob("*.safetensors"))


def converted_path(checkpoint_hash: str, quantization: str = "int8", *, cache: Path | None = None) -> Path:
    """Where the CTranslate2 conversion of the checkpoint with ``content_hash`` ``checkpoint_hash`` lives."""
    return (cache or cache_dir()) / "ctranslate2" / f"{checkpoint_hash}-{quantization}"


def convert_to_ctranslate2(
    directory: str | Path,
    *,
    quantization: str = "int8",
    model_id: str | None = None,
    revision: str | None = None,
    cache: Path | None = None,
    checkpoint_hash: str | None = None,
) -> Path:
    """Convert a transformers checkpoint to CTranslate2 once, into the cache, and return the converted folder.

    The conversion goes to a temporary folder renamed into place at the end, so a crash leaves no half
    model behind and two processes converting at once both end up with one complete copy.
    ``checkpoint_hash`` is the checkpoint's ``content_hash`` if the caller has it (hashing costs a read
    of every weight file).
    """
    from pipeline.backends.common import detect_family
    from pipeline.backends.ct2 import SOURCE_INFO

    directory = Path(directory)
    checkpoint_hash = checkpoint_hash or content_hash(directory)
    target = converted_path(checkpoint_hash, quantization, cache=cache)
    if (target / "model.bin").is_file():
        return target
    import warnings

    import ctranslate2
    from ctranslate2.converters import TransformersConverter
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Tokenizer files travel with the converted model, so it can be loaded without the checkpoint.
    weights = ("config.json", "generation_config.json")
    tokenizer_files = [
        p.name for p in _model_files(directory)
        if p.name not in weights and p.suffix not in (".safetensors", ".bin", ".pt", ".pth")
    ]
    with tempfile.TemporaryDirectory(prefix=f".{target.name}-", dir=target.parent) as tmp:
        staging = Path(tmp) / "model"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                TransformersConverter(str(directory), copy_files=tokenizer_files).convert(
                    str(staging), quantization=quantization
                )
        except (ValueError, NotImplementedError, OSError, KeyError) as e:
            raise ModelNotFoundError(f"cannot convert model {model_id or directory} to CTranslate2: {e}") from e
        info = {
            "model_id": model_id or str(directory),
            "revision": revision or checkpoint_hash,
            "content_hash": checkpoint_hash,
            "family": detect_family(directory),
            "quantization": quantization,
            "ctranslate2": ctranslate2.__version__,
        }
        (staging / SOURCE_INFO).write_text(json.dumps(info, indent=2), encoding="utf-8")
        try:
            staging.rename(target)
        except OSError:
            # Another process finished first (the target exists and is not empty): use its copy.
            if not (target / "model.bin").is_file():
                raise
    return target


@dataclass(frozen=True)
class ModelPlan:
    """What ``load_translator`` will load, found without loading weights (``describe_model``).

    ``model_id``, ``revision`` and ``backend`` are what the loaded translator will report, so a caller can
    tell whether earlier outputs came from this model before paying for loading it.
    """

    model_id: str
    backend: str
    directory: Path  # the checkpoint, or the CTranslate2 folder given as the model
    source_revision: str  # hub commit or content hash of the weights, before the compute type is added
    default_decoding: Decoding
    device: str = "cpu"
    checkpoint_hash: str | None = None  # of a transformers checkpoint; None when the model is a CT2 folder
    compute_type: str | None = None  # CTranslate2 only
    cache: Path | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    max_source_tokens: int = 512

    @property
    def revision(self) -> str:
        """The revision the loaded translator reports (CTranslate2 appends its compute type)."""
        if self.backend == "ctranslate2":
            return f"{self.source_revision}+ct2-{self.compute_type}"
        return self.source_revision


def describe_model(
    model: str | None = None,
    backend: str | None = None,
    device: str = "cpu",
    *,
    offline: bool | None = None,
    cache_dir: str | Path | None = None,
    compute_type: str | None = None,
) -> ModelPlan:
    """Find ``model`` and decide how it will be loaded (see ``load_translator``), without loading it.

    Costs a lookup on disk and one content hash of the checkpoint's files; raises what ``load_translator``
    raises for a missing model or a bad option.
    """
    from pipeline.backends.common import check_device

    if backend not in (None, *BACKENDS):
        raise UsageError(f"unknown backend {backend!r}; choose from: {', '.join(BACKENDS)}")
    check_device(device)
    resolved = resolve_model(model, offline=offline)
    preset = resolved.preset
    common = {
        "model_id": resolved.model_id,
        "directory": resolved.directory,
        "default_decoding": preset.decoding if preset else Decoding(),
        "device": device,
        "cache": Path(cache_dir) if cache_dir is not None else None,
        "source_lang": preset.source_lang if preset else None,
        "target_lang": preset.target_lang if preset else None,
        "max_source_tokens": preset.max_source_tokens if preset else _max_source_tokens(resolved.directory),
    }
    if is_ctranslate2_model(resolved.directory):
        if backend == "transformers":
            raise UsageError(f"{resolved.directory} is a CTranslate2 model; use --backend ctranslate2")
        from pipeline.backends.ct2 import default_compute_type, read_source_info

        revision = read_source_info(resolved.directory).get("revision") or content_hash(resolved.directory)
        return ModelPlan(backend="ctranslate2", source_revision=revision,
                         compute_type=compute_type or default_compute_type(device), **common)
    checkpoint_hash = content_hash(resolved.directory)
    revision = resolved.commit or checkpoint_hash
    converted = converted_path(checkpoint_hash, cache=common["cache"])
    if backend == "ctranslate2" or (backend is None and (converted / "model.bin").is_file()):
        from pipeline.backends.ct2 import default_compute_type

        return ModelPlan(backend="ctranslate2", source_revision=revision, checkpoint_hash=checkpoint_hash,
                         compute_type=compute_type or default_compute_type(device), **common)
    return ModelPlan(backend="transformers", source_revision=revision, checkpoint_hash=checkpoint_hash, **common)


def load_translator(
    model: str | None = None,
    backend: str | None = None,
    device: str = "cpu",
    *,
    offline: bool | None = None,
    cache_dir: str | Path | None = None,
    compute_type: str | None = None,
    threads: int | None = None,
    plan: ModelPlan | None = None,
) -> Translator:
    """Load ``model`` (preset name, hub id or directory; None: the opus-mt-zh-en preset) for translation.

    ``backend`` None picks CTranslate2 when a converted copy of this checkpoint is in the cache (int8 on
    CPU), else transformers; ``"ctranslate2"`` converts the checkpoint first if needed (once). ``cache_dir``
    overrides where conversions are kept. ``plan``, from ``describe_model`` with the same arguments, saves
    finding and hashing the model again. Raises ModelNotFoundError or UsageError, one line each.
    """
    if plan is None:
        plan = describe_model(model, backend, device, offline=offline, cache_dir=cache_dir,
                              compute_type=compute_type)
    options = {
        "model_id": plan.model_id,
        "revision": plan.source_revision,
        "device": plan.device,
        "source_lang": plan.source_lang,
        "target_lang": plan.target_lang,
        "max_source_tokens": plan.max_source_tokens,
        "default_decoding": plan.default_decoding,
        "threads": threads,
    }
    if plan.backend == "ctranslate2":
        from pipeline.backends.ct2 import CTranslate2Translator

        directory = plan.directory
        if plan.checkpoint_hash is not None:
            directory = convert_to_ctranslate2(plan.directory, model_id=plan.model_id, revision=plan.source_revision,
                                               cache=plan.cache, checkpoint_hash=plan.checkpoint_hash)
        return CTranslate2Translator(directory, compute_type=plan.compute_type, **options)
    from pipeline.backends.hf import TransformersTranslator

    return TransformersTranslator(plan.directory, **options)


def _max_source_tokens(directory: Path, default: int = 512) -> int:
    """A checkpoint's source length limit from its configs, for models without a preset."""
    limits = []
    for name, key in (("tokenizer_config.json", "model_max_length"), ("config.json", "max_position_embeddings")):
        try:
            value = json.loads((directory / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and 0 < value < 1_000_000:  # tokenizers say 1e30 for "no limit"
            limits.append(value)
    return min(limits, default=default)
