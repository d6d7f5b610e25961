"""Model lookup: presets, finding a checkpoint (directory, models folder, hub cache, download), deciding how
to load it.

``describe_model`` resolves a preset name, hub id or directory to a checkpoint on disk and returns a
``ModelPlan`` (model id, revision, backend, decoding) without loading any weights;
``pipeline.loaders.load_translator`` (or ``load_summarizer``) loads a plan.

Resolution order (``resolve_model``):

1. ``--model DIRECTORY``: that folder, as it is.
2. The models folder (``BRIEF_MODELS_DIR``, see ``pipeline.settings``): a preset's folder there (put by
   ``brief models pull`` or ``brief models import``, with its manifest), or for a hub id the folder whose
   manifest names that hub id.
3. The Hugging Face cache, at the preset's pinned commit (a hub id: its latest cached snapshot).
4. Only when offline mode is off (``HF_HUB_OFFLINE=1`` or ``offline=True`` means never): a download into
   the Hugging Face cache. Offline, a missing model is one line naming it and the commands that fetch it on
   a connected machine (``brief models pull``, ``brief models export``, ``brief models import``).

- Presets are the TOML files in the repository's ``models/`` folder (one per model, a comment per value).
  Each has a ``role``: ``translator`` (the default) or ``summarizer``; a translator option only takes
  translator presets and ``--summarizer`` only summarizer ones. ``extractive.toml`` is the summary settings
  (``role = "summarizer"``, ``method = "extractive"``), not a model: it names no hub id.
- The CTranslate2 conversion and its cache are ``pipeline.backends.ct2``'s; the content hash that keys it
  is ``pipeline.checkpoint``'s.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from pipeline.backends.common import check_device
from pipeline.backends.ct2 import (
    converted_path,
    default_compute_type,
    is_ctranslate2_model,
    read_source_info,
)
from pipeline.checkpoint import IGNORED_FILES, content_hash, read_json
from pipeline.engine import Decoding, RetryDecoding
from pipeline.errors import ModelNotFoundError, UsageError
from pipeline.manifest import CT2_FOLDER, Manifest, read_manifest
from pipeline.settings import load_settings

DEFAULT_PRESET = "opus-mt-zh-en"
BACKENDS = ("transformers", "ctranslate2")
ROLES = ("translator", "summarizer")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")


# Decoding for a summariser folder given without a preset: the flan-t5-base preset's values (its comments say why).
SUMMARY_DECODING = Decoding(beam_size=4, max_length_ratio=1.0, max_length_slack=0, max_length=128,
                            no_repeat_ngram_size=3)


@dataclass(frozen=True)
class SummarizerSettings:
    """What a summarizer preset adds to a model preset (its ``[summarizer]`` table and licence facts)."""

    # The prompt template's name: ``prompts/NAME.txt`` (see ``pipeline.prompts``).
    prompt: str
    # CTranslate2 compute type on CUDA (None: the usual int8_float16). T5 needs one without float16.
    cuda_compute_type: str | None = None
    licence: str | None = None
    parameters: str | None = None


@dataclass(frozen=True)
class Preset:
    """One ``models/NAME.toml`` file: where a model comes from, what it is, and how to decode with it.

    Only ``hub_id`` is required; the metadata (role, licence, size, languages, preferred backend, prompt)
    may be absent. ``settings`` is the whole file as read, for tables this class does not know (a
    summariser's own settings, say).
    """

    name: str
    hub_id: str
    revision: str | None
    architecture: str
    source_lang: str | None
    target_lang: str | None
    max_source_tokens: int
    decoding: Decoding
    path: Path
    role: str = "translator"
    # Set for a summarizer preset (role "summarizer").
    summarizer: SummarizerSettings | None = None
    licence: str | None = None
    parameters: str | None = None  # e.g. "78M"
    download_mb: int | None = None  # what `brief models pull` fetches, about
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the languages it reads and writes
    backend: str | None = None  # preferred backend when --backend is not given
    prompt: str | None = None  # a summariser's prompt template (prompts/NAME.txt)
    revision_note: str | None = None  # where the pinned commit was checked, or why there is none
    settings: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def pinned(self) -> bool:
        """True when ``revision`` is a full commit hash (40 hex digits), never a branch or tag."""
        return bool(self.revision and _COMMIT.match(self.revision))


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


def _preset_files() -> dict[str, Path]:
    """Each preset name and its file (the first folder of ``_preset_dirs`` that has it wins)."""
    files: dict[str, Path] = {}
    for directory in _preset_dirs():
        for path in sorted(directory.glob("*.toml")):
            files.setdefault(path.stem, path)
    return files


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as e:
        raise UsageError(f"preset {path} is not valid: {e}") from e


def preset_role(name: str) -> str | None:
    """The role of preset ``name`` (``translator`` or ``summarizer``), None when there is no such preset."""
    path = _preset_files().get(name)
    return None if path is None else str(_read_toml(path).get("role", "translator"))


def preset_names(role: str | None = "translator") -> list[str]:
    """Names of the presets found with ``role`` (None: all of them), sorted."""
    return sorted(name for name, path in _preset_files().items()
                  if role is None or _read_toml(path).get("role", "translator") == role)


def model_preset_names() -> list[str]:
    """Every preset that names a model to download and load (translators and summarizers, not the
    extractive summary settings), sorted: what ``brief models`` manages."""
    return sorted(name for name, path in _preset_files().items() if _read_toml(path).get("method") != "extractive")


def read_preset_data(name: str) -> tuple[dict, Path]:
    """The raw TOML of preset ``name`` and its path; UsageError listing the presets if there is none."""
    path = _preset_files().get(name)
    if path is None:
        raise UsageError(f"unknown model preset {name!r}; presets: {', '.join(preset_names(None)) or 'none found'}")
    return _read_toml(path), path


def load_preset(name: str, role: str | None = None) -> Preset:
    """Read preset ``name`` (``models/NAME.toml``); UsageError listing the presets if there is none, or if
    ``role`` is given and the preset has another."""
    data, path = read_preset_data(name)
    found = str(data.get("role", "translator"))
    if role is not None and found != role:
        option = "--summarizer" if found == "summarizer" else "--model"
        raise UsageError(f"{name!r} is a {found} preset, not a {role} one; use it with {option}; {role} presets: "
                         f"{', '.join(preset_names(role)) or 'none'}")
    if data.get("method") == "extractive":
        raise UsageError(f"{name!r} holds the extractive summary settings; it is not a model to load")
    try:
        if found not in ROLES:
            raise UsageError(f"preset {path}: unknown role {found!r}; choose from: {', '.join(ROLES)}")
        backend = data.get("backend") or None
        if backend not in (None, *BACKENDS):
            raise UsageError(f"preset {path}: unknown backend {backend!r}; choose from: {', '.join(BACKENDS)}")
        known = {f.name for f in fields(Decoding)} - {"retry"}
        # A translator's [decoding] is all Decoding's; a summariser's may hold its own settings too (read
        # from ``settings`` by the summarise stage), so only the ones Decoding knows are taken here.
        settings = _table(data, "decoding", known, path, strict=found == "translator")
        retry = _table(data, "retry", {f.name for f in fields(RetryDecoding)}, path)
        summarizer = None
        if found == "summarizer":
            table = _table(data, "summarizer", {f.name for f in fields(SummarizerSettings)} - {"licence", "parameters"},
                           path)
            # The prompt may stand at the top level; a preset that names none gets its family's (t5 or bart).
            table.setdefault("prompt", data.get("prompt") or ("t5" if data.get("architecture") == "t5" else "bart"))
            summarizer = SummarizerSettings(**table, licence=data.get("licence"), parameters=data.get("parameters"))
        languages = data.get("languages", [])
        if not isinstance(languages, list):
            raise UsageError(f"preset {path}: languages must be a list of codes, e.g. [\"zh\", \"en\"]")
        return Preset(
            name=name,
            hub_id=data["hub_id"],
            revision=data.get("revision") or None,
            architecture=data.get("architecture", "marian"),
            source_lang=data.get("source_lang") or None,
            target_lang=data.get("target_lang") or None,
            max_source_tokens=int(data.get("max_source_tokens", 512)),
            decoding=Decoding(**{k: v for k, v in settings.items() if k in known}, retry=RetryDecoding(**retry)),
            path=path,
            role=found,
            summarizer=summarizer,
            licence=data.get("licence") or data.get("license") or None,
            parameters=str(data["parameters"]) if data.get("parameters") else None,
            download_mb=int(data["download_mb"]) if data.get("download_mb") else None,
            languages=tuple(str(code) for code in languages),
            backend=backend,
            prompt=data.get("prompt") or (summarizer.prompt if summarizer else None),
            revision_note=data.get("revision_note") or None,
            settings=data,
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise UsageError(f"preset {path} is not valid: {e}") from e


def _table(data: dict, name: str, known: set[str], path: Path, strict: bool = True) -> dict:
    """The ``[name]`` table of a preset; UsageError naming any setting it does not know (if ``strict``)."""
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise UsageError(f"preset {path}: {name} must be a table ([{name}])")
    unknown = sorted(set(table) - known)
    if unknown and strict:
        raise UsageError(
            f"preset {path}: unknown {name} setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return table


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk: its folder, the name the user gave, its hub commit if known, its preset.

    ``source`` says where it was found: ``directory`` (--model), ``models-dir`` (BRIEF_MODELS_DIR, with a
    manifest) or ``hub-cache`` (the Hugging Face cache, or downloaded into it).
    """

    directory: Path
    model_id: str
    commit: str | None
    preset: Preset | None
    source: str = "directory"
    manifest: Manifest | None = None


def _download_hint(hub_id: str) -> str:
    return (f"run `hf download {hub_id}` on a connected machine and copy the Hugging Face cache, "
            "or pass --model DIRECTORY")


def air_gap_hint(name: str) -> str:
    """How to get preset ``name`` onto a machine that cannot download it."""
    return (f"on a connected machine run `brief models pull {name}` and `brief models export {name} {name}.tar`, "
            f"then here `brief models import {name}.tar` (or pass --model DIRECTORY)")


def _from_hub(hub_id: str, revision: str | None, offline: bool, *, preset: str | None = None
              ) -> tuple[Path, str | None]:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    hint = air_gap_hint(preset) if preset else _download_hint(hub_id)
    label = f"model {preset} ({hub_id})" if preset else f"model {hub_id}"
    try:
        path = Path(snapshot_download(
            hub_id, revision=revision, local_files_only=offline, ignore_patterns=list(IGNORED_FILES),
        ))
    except LocalEntryNotFoundError as e:
        if offline:
            raise ModelNotFoundError(
                f"{label} is not on this machine (models folder or Hugging Face cache) and offline mode is on; "
                f"{hint}"
            ) from e
        raise ModelNotFoundError(
            f"{label} is not in the local cache and could not be downloaded (no connection to the hub?); {hint}"
        ) from e
    except (RepositoryNotFoundError, GatedRepoError) as e:
        raise ModelNotFoundError(
            f"model {hub_id} was not found on the Hugging Face hub (or needs a login); check the name, "
            f"or pass a preset ({', '.join(preset_names())}) or --model DIRECTORY"
        ) from e
    except RevisionNotFoundError as e:
        raise ModelNotFoundError(f"model {hub_id} has no revision {revision!r} on the hub") from e
    except OSError as e:  # network errors surface as OSError subclasses (and httpx errors below)
        raise ModelNotFoundError(f"{label} could not be downloaded ({e}); {hint}") from e
    except Exception as e:  # httpx and other transport errors have no common base we can import cheaply
        if type(e).__module__.split(".")[0] not in ("httpx", "httpx2", "requests", "urllib3", "huggingface_hub"):
            raise
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelNotFoundError(f"{label} could not be downloaded ({reason}); {hint}") from e
    # A hub cache snapshot lives in .../snapshots/<commit hash>/.
    commit = path.name if path.parent.name == "snapshots" else None
    return path, commit


def stored_model(models_dir: Path, name: str) -> tuple[Path, Manifest] | None:
    """Preset ``name``'s folder in the models folder and its manifest, if it is there."""
    folder = models_dir / name
    manifest = read_manifest(folder) if folder.is_dir() else None
    return (folder, manifest) if manifest else None


def scan_models(models_dir: Path) -> tuple[list[tuple[Path, Manifest]], list[tuple[Path, str]]]:
    """The model folders of the models folder, by folder name: those with a manifest, and those whose manifest
    is damaged (with the one-line reason). Folders without a manifest and hidden (staging) folders are left out."""
    stored: list[tuple[Path, Manifest]] = []
    damaged: list[tuple[Path, str]] = []
    if not models_dir.is_dir():
        return stored, damaged
    for folder in sorted(models_dir.iterdir()):
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        try:
            manifest = read_manifest(folder)
        except ModelNotFoundError as e:
            damaged.append((folder, str(e)))
            continue
        if manifest is not None:
            stored.append((folder, manifest))
    return stored, damaged


def stored_models(models_dir: Path) -> list[tuple[Path, Manifest]]:
    """Every model folder with a readable manifest in the models folder, by folder name (damaged manifests:
    ``scan_models``)."""
    return scan_models(models_dir)[0]


def resolve_model(model: str | None, *, offline: bool | None = None, role: str = "translator",
                  models_dir: str | Path | None = None) -> ResolvedModel:
    """Find ``model`` on disk: a preset name, a checkpoint directory or a hub id (None: the default preset).

    Looks in this order: the directory itself; the models folder (``models_dir``, default
    ``BRIEF_MODELS_DIR``); the Hugging Face cache; then downloads, only when offline mode is off
    (``offline``; None: ``pipeline.settings``). Raises ModelNotFoundError (one line: the model and how to
    get it) when it is not there, or when its ``config.json`` is damaged. ``role`` is the kind of preset a
    name may be (a summarizer preset given as a translator is a UsageError saying so).
    """
    name = model or DEFAULT_PRESET
    path = Path(name).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotFoundError(f"model directory {path} has no config.json; is it a model checkpoint?")
        manifest = read_manifest(path)
        if manifest is not None:  # a pulled or imported model: it knows its hub id, commit and preset
            preset = load_preset(manifest.name) if preset_role(manifest.name) is not None else None
            return _checked(ResolvedModel(path.resolve(), manifest.hub_id, manifest.revision, preset,
                                          "directory", manifest))
        return _checked(ResolvedModel(path.resolve(), name, None, None))
    if offline is None or models_dir is None:
        settings = load_settings()
        offline = settings.offline if offline is None else offline
        models_dir = settings.models_dir if models_dir is None else models_dir
    models_dir = Path(models_dir)
    if preset_role(name) is not None:
        preset = load_preset(name, role)
        if stored := stored_model(models_dir, name):
            folder, manifest = stored
            return _checked(ResolvedModel(folder, preset.hub_id, manifest.revision, preset, "models-dir", manifest))
        directory, commit = _from_hub(preset.hub_id, preset.revision, offline, preset=name)
        return _checked(ResolvedModel(directory, preset.hub_id, commit, preset, "hub-cache"))
    if path.exists():
        raise ModelNotFoundError(f"model {name} is a file, not a model directory")
    if _HUB_ID.match(name) and not name.startswith((".", "~")):
        for folder, manifest in stored_models(models_dir):
            if manifest.hub_id == name:
                preset = load_preset(manifest.name) if preset_role(manifest.name) is not None else None
                return _checked(ResolvedModel(folder, name, manifest.revision, preset, "models-dir", manifest))
        directory, commit = _from_hub(name, None, offline)
        return _checked(ResolvedModel(directory, name, commit, None, "hub-cache"))
    if os.sep in name or name.startswith((".", "~")):
        raise ModelNotFoundError(f"model directory {name} does not exist")
    raise ModelNotFoundError(
        f"unknown model {name!r}: not a directory, a preset ({', '.join(preset_names(role))}) or a hub id (ORG/NAME)"
    )


def _checked(resolved: ResolvedModel) -> ResolvedModel:
    # A damaged config.json is an error naming the file here, before hashing or loading (read_json raises).
    read_json(resolved.directory / "config.json")
    return resolved


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
    cache: Path | None = None  # the cache folder conversions go to (None: pipeline.settings')
    source_lang: str | None = None
    target_lang: str | None = None
    max_source_tokens: int = 512
    # A summarizer's settings (prompt, summary length...): its preset's, or the family defaults for a folder.
    summarizer: SummarizerSettings | None = None

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
    role: str = "translator",
    models_dir: str | Path | None = None,
) -> ModelPlan:
    """Find ``model`` and decide how it will be loaded (see ``pipeline.loaders.load_translator``), without
    loading it.

    ``offline``, ``cache_dir`` and ``models_dir`` default to the environment's settings
    (``pipeline.settings``), read here once for the run. The backend, when ``backend`` is None: the
    model's own CTranslate2 copy (``brief models pull --ct2``) or a converted copy in the cache if there
    is one, else the preset's preferred backend, else transformers. Costs a lookup on disk and one content
    hash of the checkpoint's files; raises what ``load_translator`` raises for a missing model or a bad option.
    """
    if backend not in (None, *BACKENDS):
        raise UsageError(f"unknown backend {backend!r}; choose from: {', '.join(BACKENDS)}")
    check_device(device)
    if offline is None or cache_dir is None or models_dir is None:
        settings = load_settings()
        offline = settings.offline if offline is None else offline
        cache_dir = settings.cache_dir if cache_dir is None else cache_dir
        models_dir = settings.models_dir if models_dir is None else models_dir
    resolved = resolve_model(model, offline=offline, role=role, models_dir=models_dir)
    preset = resolved.preset
    summarizer = None
    if role == "summarizer":
        summarizer = preset.summarizer if preset else default_summarizer_settings(resolved.directory)
        if compute_type is None and device == "cuda":
            compute_type = summarizer.cuda_compute_type
    common = {
        "model_id": resolved.model_id,
        "directory": resolved.directory,
        "default_decoding": preset.decoding if preset else (SUMMARY_DECODING if role == "summarizer" else Decoding()),
        "device": device,
        "cache": Path(cache_dir),
        "source_lang": preset.source_lang if preset else None,
        "target_lang": preset.target_lang if preset else None,
        "max_source_tokens": preset.max_source_tokens if preset else _max_source_tokens(resolved.directory),
        "summarizer": summarizer,
    }
    if is_ctranslate2_model(resolved.directory):
        if backend == "transformers":
            raise UsageError(f"{resolved.directory} is a CTranslate2 model; use --backend ctranslate2")
        revision = read_source_info(resolved.directory).get("revision") or content_hash(resolved.directory)
        return ModelPlan(backend="ctranslate2", source_revision=revision,
                         compute_type=compute_type or default_compute_type(device), **common)
    own_copy = resolved.directory / CT2_FOLDER
    if backend != "transformers" and is_ctranslate2_model(own_copy):
        # Converted by `brief models pull --ct2` from these very files, so it carries the same revision.
        revision = resolved.commit or read_source_info(own_copy).get("revision") or content_hash(own_copy)
        return ModelPlan(backend="ctranslate2", source_revision=revision,
                         compute_type=compute_type or default_compute_type(device), **{**common, "directory": own_copy})
    checkpoint_hash = content_hash(resolved.directory)
    revision = resolved.commit or checkpoint_hash
    converted = converted_path(checkpoint_hash, cache=common["cache"])
    if backend is None:
        backend = "ctranslate2" if (converted / "model.bin").is_file() else (preset.backend if preset else None)
    if backend == "ctranslate2":
        return ModelPlan(backend="ctranslate2", source_revision=revision, checkpoint_hash=checkpoint_hash,
                         compute_type=compute_type or default_compute_type(device), **common)
    return ModelPlan(backend="transformers", source_revision=revision, checkpoint_hash=checkpoint_hash, **common)


def _max_source_tokens(directory: Path, default: int = 512) -> int:
    """A checkpoint's source length limit from its configs, for models without a preset."""
    limits = []
    for name, key in (("tokenizer_config.json", "model_max_length"), ("config.json", "max_position_embeddings")):
        value = read_json(directory / name).get(key)
        if isinstance(value, int) and 0 < value < 1_000_000:  # tokenizers say 1e30 for "no limit"
            limits.append(value)
    return min(limits, default=default)


def default_summarizer_settings(directory: Path) -> SummarizerSettings:
    """Settings for a summarizer checkpoint given as a folder (no preset): its family's prompt, and no float16
    on CUDA for T5 (CTranslate2 gives NaN with T5 in float16)."""
    model_type = str(read_json(directory / "config.json").get("model_type", ""))
    if model_type in ("t5", "mt5", "umt5") or (directory / "spiece.model").is_file():
        return SummarizerSettings(prompt="t5", cuda_compute_type="int8_float32")
    return SummarizerSettings(prompt="bart")


# --- prompt templates -------------------------------------------------------------------------------------

PROMPT_FIELDS = ("text", "sentences", "words")


def _prompt_dirs() -> list[Path]:
    # As for presets: the repository's prompts/ folder, else the installed package data.
    root = Path(__file__).resolve().parent.parent
    dirs = [root / "prompts"] if (root / "pyproject.toml").is_file() else []
    try:
        from importlib.resources import files

        dirs.append(Path(str(files("pipeline") / "prompt_templates")))
    except (ModuleNotFoundError, TypeError):
        pass
    return [d for d in dirs if d.is_dir()]


def load_prompt(name: str) -> str:
    """The prompt template ``prompts/NAME.txt``, its ``#`` comment lines left out.

    A template is plain text with named placeholders in braces: ``{text}`` (the section's English, required),
    ``{sentences}`` and ``{words}`` (the summary budget). UsageError for a missing template or an unknown
    placeholder.
    """
    import string

    for directory in _prompt_dirs():
        path = directory / f"{name}.txt"
        if path.is_file():
            break
    else:
        known = sorted({p.stem for d in _prompt_dirs() for p in d.glob("*.txt")})
        raise UsageError(f"unknown prompt template {name!r}; templates: {', '.join(known) or 'none found'}")
    lines = path.read_text(encoding="utf-8").splitlines()
    template = "\n".join(line for line in lines if not line.startswith("#")).strip("\n")
    try:
        fields_used = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as e:
        raise UsageError(f"prompt template {path} is not valid: {e}") from e
    unknown = sorted(fields_used - set(PROMPT_FIELDS))
    if unknown or "text" not in fields_used:
        raise UsageError(f"prompt template {path} must use {{text}} and only {', '.join(PROMPT_FIELDS)} as "
                         f"placeholders; found {', '.join(sorted(fields_used)) or 'none'}")
    return template
