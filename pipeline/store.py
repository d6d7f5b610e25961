"""Models on disk for offline and air-gapped machines: pull at a pinned commit, list, verify, export, import.

The models folder (``BRIEF_MODELS_DIR``, ``pipeline.settings``) holds one folder per preset, each with a
manifest of its files' sha256 and size (``pipeline.manifest``), and, if asked, its CTranslate2 int8 copy
(``ctranslate2-int8/``). ``pipeline.models.resolve_model`` looks there before the Hugging Face cache.

- ``pull_model``: the files of a preset's pinned commit (safetensors where the repository has them, and
  only what a transformers checkpoint needs), into a staging folder that an interrupted pull resumes.
- ``verify_model``: every file re-hashed against the manifest; a changed, missing or extra file is named.
- ``export_model`` / ``import_model``: one tar file with the manifest; import checks every byte before it
  installs anything.
- ``list_models``: every preset and what is on this machine.

The hub is reached through a ``Hub`` (``HuggingFaceHub`` by default), so tests and mirrors can stand in.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath
from typing import Protocol

from pipeline import __version__
from pipeline.backends.ct2 import SOURCE_INFO
from pipeline.checkpoint import MANIFEST_FILE, read_json
from pipeline.errors import ModelNotFoundError, OutputError, UsageError
from pipeline.manifest import (
    CT2_FOLDER,
    Manifest,
    Verification,
    build_manifest,
    file_sha256,
    read_manifest,
    verify_folder,
    weights_format,
    write_manifest,
)
from pipeline.models import (
    Preset,
    load_preset,
    model_preset_names,
    resolve_model,
    scan_models,
    stored_model,
    stored_models,
)
from pipeline.settings import load_settings

Report = Callable[[str], None]

# Files of a hub repository that a transformers checkpoint does not need: other frameworks' weights and
# exports, training state. Only top-level files are fetched (onnx/, openvino/... subfolders never are).
SKIPPED_FILES = ("*.h5", "*.msgpack", "*.ot", "tf_model*", "flax_model*", "rust_model*", "*.onnx", "*.tflite",
                 "*.mlmodel", "training_args.bin", "optimizer.pt", "scheduler.pt", "rng_state*", ".*")
# torch pickle weights: skipped when the same commit has safetensors (which load without running code).
PICKLE_WEIGHTS = ("pytorch_model*.bin", "*.pt", "*.pth", "*.ckpt")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a hub repository at a commit: its path and size in bytes."""

    path: str
    size: int | None


class Hub(Protocol):
    """Where ``pull_model`` gets files: a listing at a commit, and a download of some files into a folder."""

    def list_files(self, hub_id: str, revision: str) -> list[RemoteFile]: ...

    def download(self, hub_id: str, revision: str, files: list[str], local_dir: Path) -> None: ...


class HuggingFaceHub:
    """The Hugging Face hub through ``huggingface_hub`` (``endpoint``: a mirror; default ``HF_ENDPOINT``).

    ``download`` is ``snapshot_download`` into ``local_dir`` with only the given files: it shows a progress
    bar per file and resumes a file cut short by an interrupted pull.
    """

    def __init__(self, endpoint: str | None = None) -> None:
        from huggingface_hub.utils import logging as hub_logging

        self.endpoint = endpoint
        # Its retry warnings ("... thrown while requesting GET ...") would stand beside our one-line error.
        hub_logging.set_verbosity_error()

    def list_files(self, hub_id: str, revision: str) -> list[RemoteFile]:
        from huggingface_hub import HfApi
        from huggingface_hub.hf_api import RepoFile

        with _hub_errors(hub_id, revision):
            entries = HfApi(endpoint=self.endpoint).list_repo_tree(hub_id, revision=revision, recursive=True)
            return [RemoteFile(e.path, e.size) for e in entries if isinstance(e, RepoFile)]

    def download(self, hub_id: str, revision: str, files: list[str], local_dir: Path) -> None:
        from huggingface_hub import snapshot_download

        with _hub_errors(hub_id, revision):
            snapshot_download(hub_id, revision=revision, local_dir=local_dir, allow_patterns=files,
                              endpoint=self.endpoint)


class _hub_errors:
    """Turns what huggingface_hub raises into one-line ModelNotFoundErrors naming the model."""

    def __init__(self, hub_id: str, revision: str) -> None:
        self.label = f"{hub_id} at {revision[:12]}"

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or isinstance(error, (ModelNotFoundError, UsageError, KeyboardInterrupt)):
            return False
        from huggingface_hub.errors import (
            GatedRepoError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        if isinstance(error, OfflineModeIsEnabled):
            reason = "huggingface_hub is in offline mode (HF_HUB_OFFLINE)"
        elif isinstance(error, (RepositoryNotFoundError, GatedRepoError)):
            reason = "not found on the hub (or it needs a login)"
        elif isinstance(error, RevisionNotFoundError):
            reason = "the hub has no such commit; check the preset's revision"
        elif isinstance(error, OSError) or type(error).__module__.split(".")[0] in (
                "httpx", "httpx2", "requests", "urllib3", "huggingface_hub"):
            reason = (str(error).splitlines() or [type(error).__name__])[0]
        else:
            return False
        raise ModelNotFoundError(f"cannot download {self.label}: {reason}; what was downloaded is kept, "
                                 "run the same `brief models pull` again to resume") from error


def select_files(remote: list[RemoteFile]) -> list[str]:
    """The files of a repository listing that a checkpoint needs (see ``SKIPPED_FILES``, ``PICKLE_WEIGHTS``)."""
    top = [f.path for f in remote if "/" not in f.path and not any(fnmatch(f.path, p) for p in SKIPPED_FILES)]
    if any(path.endswith(".safetensors") for path in top):
        top = [path for path in top if not any(fnmatch(path, p) for p in PICKLE_WEIGHTS)]
    return sorted(top)


@dataclass(frozen=True)
class PullResult:
    """What ``pull_model`` left on disk: the folder, its manifest, and whether anything was downloaded."""

    directory: Path
    manifest: Manifest
    downloaded: list[str]
    converted: bool


def _models_dir(models_dir: str | Path | None) -> Path:
    return Path(models_dir) if models_dir is not None else load_settings().models_dir


def _pinned_revision(preset: Preset, revision: str | None) -> str:
    revision = revision or preset.revision
    if revision and re.fullmatch(r"[0-9a-f]{40}", revision):
        return revision
    note = f" ({preset.revision_note})" if preset.revision_note else ""
    raise UsageError(
        f"preset {preset.name} is not pinned to a commit: revision {revision or 'none'!r}{note}; look the commit "
        f"up at https://huggingface.co/{preset.hub_id}/commits/main and pass --revision COMMIT (40 hex digits), "
        f"or set revision in {preset.path}"
    )


def pull_model(
    name: str,
    *,
    models_dir: str | Path | None = None,
    ct2: bool = False,
    revision: str | None = None,
    offline: bool | None = None,
    hub: Hub | None = None,
    report: Report | None = None,
) -> PullResult:
    """Download preset ``name`` at its pinned commit into ``models_dir/name`` and write its manifest.

    ``revision`` overrides the preset's commit (for a preset that is not pinned). ``ct2`` also converts
    the downloaded folder to CTranslate2 int8 (into ``ctranslate2-int8/``, so the tokenizer matches the
    pinned weights). Files go to a staging folder first (``.NAME.partial``), renamed into place at the
    end; an interrupted pull leaves it, and the next one fetches only what is still missing. Raises
    UsageError (unknown or unpinned preset) or ModelNotFoundError (offline, hub errors), one line each.
    """
    report = report or (lambda message: None)
    preset = load_preset(name)
    rev = _pinned_revision(preset, revision)
    if offline if offline is not None else load_settings().offline:
        raise ModelNotFoundError(f"offline mode is on (HF_HUB_OFFLINE or --offline), so nothing is downloaded; "
                                 f"run `brief models pull {name}` on a connected machine, then "
                                 f"`brief models export {name} {name}.tar` and import it here")
    root = _models_dir(models_dir)
    target = root / name
    existing = read_manifest(target) if target.is_dir() else None
    if existing and existing.revision == rev and verify_folder(target, existing, quick=True).ok:
        report(f"{name} is already in {target} at {rev[:12]}")
        converted = False
        if ct2 and not (target / CT2_FOLDER / "model.bin").is_file():
            _convert_into(target, preset, rev, report)
            write_manifest(target, _manifest(target, preset, rev, report))
            converted = True
        return PullResult(target, read_manifest(target), [], converted)

    hub = hub or HuggingFaceHub()
    staging = root / f".{name}.partial"
    staging.mkdir(parents=True, exist_ok=True)
    remote = hub.list_files(preset.hub_id, rev)
    wanted = select_files(remote)
    if not any(path == "config.json" for path in wanted):
        raise ModelNotFoundError(f"{preset.hub_id} at {rev[:12]} has no config.json; it is not a transformers "
                                 "checkpoint brief can load")
    sizes = {f.path: f.size for f in remote}
    needed = [path for path in wanted if not _complete(staging / path, sizes.get(path))]
    total = sum(sizes.get(path) or 0 for path in needed)
    if needed:
        report(f"pulling {preset.hub_id} at {rev[:12]}: {len(needed)} of {len(wanted)} files, "
               f"{total / 1e6:.1f} MB, into {staging}")
        hub.download(preset.hub_id, rev, needed, staging)
    incomplete = [path for path in wanted if not _complete(staging / path, sizes.get(path))]
    if incomplete:
        raise ModelNotFoundError(f"the download of {preset.hub_id} stopped short ({', '.join(incomplete)} "
                                 f"missing or cut); run `brief models pull {name}` again to resume")
    shutil.rmtree(staging / ".cache", ignore_errors=True)  # huggingface_hub's resume state, done with
    for stray in set(_top_files(staging)) - set(wanted):
        (staging / stray).unlink()  # left by an earlier pull of another commit
    if ct2:
        _convert_into(staging, preset, rev, report)
    write_manifest(staging, _manifest(staging, preset, rev, report))
    _replace(staging, target)
    report(f"{name}: {target}")
    return PullResult(target, read_manifest(target), needed, ct2)


def _top_files(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if p.is_file()]


def _complete(path: Path, size: int | None) -> bool:
    return path.is_file() and (size is None or path.stat().st_size == size)


def _manifest(directory: Path, preset: Preset, revision: str, report: Report) -> Manifest:
    report(f"hashing the files of {preset.name} for its manifest")
    extra = {"licence": preset.licence, "brief_version": __version__}
    return build_manifest(directory, name=preset.name, hub_id=preset.hub_id, revision=revision, role=preset.role,
                          extra={k: v for k, v in extra.items() if v})


def _convert_into(directory: Path, preset: Preset, revision: str, report: Report) -> Path:
    """Convert the checkpoint in ``directory`` to CTranslate2 int8 into ``directory/ctranslate2-int8``."""
    from pipeline.backends.ct2 import convert_to_ctranslate2

    report(f"converting {preset.name} to CTranslate2 int8")
    with tempfile.TemporaryDirectory(prefix=".convert-", dir=directory.parent) as scratch:
        try:
            converted = convert_to_ctranslate2(directory, model_id=preset.hub_id, revision=revision,
                                               cache=Path(scratch))
        except pickle.UnpicklingError as e:  # torch weights_only refused a pickle that is more than tensors
            raise ModelNotFoundError(f"model {preset.name}: its pickle weights hold more than tensors and were "
                                     f"refused (torch weights_only); not converting them") from e
        shutil.rmtree(directory / CT2_FOLDER, ignore_errors=True)
        shutil.move(str(converted), str(directory / CT2_FOLDER))
    return directory / CT2_FOLDER


def _replace(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``, replacing what was there only once the new folder is complete."""
    old = target.parent / f".{target.name}.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


# --- verify, path -----------------------------------------------------------------------------------------

def stored_folder(name: str, models_dir: str | Path | None = None) -> tuple[Path, Manifest]:
    """The folder and manifest of ``name``: a model in the models folder, or a folder with a manifest.

    ModelNotFoundError (one line: what to run) when there is none.
    """
    root = _models_dir(models_dir)
    path = Path(name).expanduser()
    if path.is_dir() and (manifest := read_manifest(path)):
        return path, manifest
    if found := stored_model(root, name):
        return found
    for folder, manifest in stored_models(root):
        if manifest.hub_id == name:
            return folder, manifest
    if path.is_dir():
        raise ModelNotFoundError(f"{path} has no {MANIFEST_FILE}; only pulled or imported models can be verified "
                                 "or exported")
    if name in model_preset_names():
        raise ModelNotFoundError(f"model {name} is not in the models folder ({root}); run `brief models pull {name}` "
                                 f"(a copy in the Hugging Face cache has no manifest to verify against)")
    raise ModelNotFoundError(f"unknown model {name!r}: not in the models folder ({root}); presets: "
                             f"{', '.join(model_preset_names())}")


def verify_model(name: str | None = None, *, models_dir: str | Path | None = None,
                 report: Report | None = None) -> list[tuple[str, Verification]]:
    """Re-hash model ``name`` (None: every model in the models folder) against its manifest.

    Returns (name, verification) pairs, by folder; ``Verification.ok`` says whether the files are as pulled.
    A folder whose manifest is damaged is one failed pair (``Verification.damaged``); the others are still checked.
    """
    damaged: list[tuple[Path, str]] = []
    if name is not None:
        folders = [stored_folder(name, models_dir)]
    else:
        folders, damaged = scan_models(_models_dir(models_dir))
        if not folders and not damaged:
            raise ModelNotFoundError(f"no models in the models folder ({_models_dir(models_dir)}); "
                                     "pull or import one first (brief models pull NAME)")
    results = [(folder.name, Verification(folder, [], [], [], 0, damaged=reason)) for folder, reason in damaged]
    for folder, manifest in folders:
        if report:
            report(f"verifying {manifest.name} ({len(manifest.files)} files, {manifest.size / 1e6:.1f} MB)")
        results.append((manifest.name, verify_folder(folder, manifest)))
    return sorted(results, key=lambda result: result[1].directory.name)


def model_path(name: str | None, *, models_dir: str | Path | None = None) -> Path:
    """The folder model ``name`` loads from (see ``resolve_model``), never downloading anything."""
    return resolve_model(name, offline=True, models_dir=_models_dir(models_dir)).directory


# --- export, import -------------------------------------------------------------------------------------

def export_model(name: str, archive: str | Path, *, models_dir: str | Path | None = None,
                 report: Report | None = None) -> Path:
    """Write model ``name`` (from the models folder, verified first) and its manifest to one tar file.

    ``.tar.gz``/``.tgz`` compresses (weights barely shrink; plain ``.tar`` is faster). The archive is
    written next to ``archive`` and renamed into place, so a stopped export leaves no half archive.
    """
    folder, manifest = stored_folder(name, models_dir)
    archive = Path(archive)
    if report:
        report(f"verifying {manifest.name} before export")
    check = verify_folder(folder, manifest)
    if not check.ok:
        raise ModelNotFoundError(f"{manifest.name} in {folder} does not match its manifest "
                                 f"({'; '.join(check.problems())}); pull it again before exporting")
    mode = "w:gz" if archive.name.endswith((".tar.gz", ".tgz")) else "w"
    partial = archive.with_name(f".{archive.name}.partial")
    archive.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(partial, mode, format=tarfile.PAX_FORMAT) as tar:
            tar.add(folder / MANIFEST_FILE, arcname=f"{manifest.name}/{MANIFEST_FILE}")
            for relative in sorted(manifest.files):
                if report:
                    report(f"adding {relative}")
                tar.add(folder / relative, arcname=f"{manifest.name}/{relative}", recursive=False)
        partial.replace(archive)
    finally:
        partial.unlink(missing_ok=True)
    return archive


def import_model(archive: str | Path, *, models_dir: str | Path | None = None, force: bool = False,
                 report: Report | None = None) -> tuple[Path, Manifest]:
    """Install a model exported with ``export_model`` into the models folder, after checking every file.

    Every entry of the archive must be a plain file listed in its manifest, with that sha256 and size, and
    every listed file must be there; otherwise nothing is installed (ModelNotFoundError naming the file).
    A damaged or cut-short archive is a one-line ModelNotFoundError too, and a folder that cannot be
    written an OutputError; either way the staging folder is removed. The installed folders get the usual
    permissions (0755 less the umask). An installed model of the same name is replaced only with ``force``.
    """
    archive = Path(archive)
    root = _models_dir(models_dir)
    with _open_archive(archive) as tar:
        manifest = _archive_manifest(tar, archive)
        target = root / manifest.name
        if target.exists() and not force:
            raise UsageError(f"model {manifest.name} is already installed in {target}; pass --force to replace it")
        clashes = _name_clashes(manifest)
        if clashes:
            raise ModelNotFoundError(f"model archive {archive} failed verification, nothing was installed: "
                                     f"{'; '.join(clashes)}")
        try:
            root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{manifest.name}.import-", dir=root))
        except OSError as e:
            raise OutputError(f"cannot write to the models folder {root} ({_reason(e)}); nothing was installed") from e
        try:
            problems = _extract_checked(tar, manifest, staging, archive, report)
            if problems:
                raise ModelNotFoundError(f"model archive {archive} failed verification, nothing was installed: "
                                         f"{'; '.join(problems)}")
            try:
                write_manifest(staging, manifest)
                _open_up(staging)
                _replace(staging, target)
            except OSError as e:
                raise OutputError(f"cannot install {manifest.name} into {target} ({_reason(e)}); "
                                  "nothing was installed") from e
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target, manifest


def _reason(error: BaseException) -> str:
    """One line saying why: an OSError's strerror and file, else the message, else the exception's type."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    return (str(error).splitlines() or [type(error).__name__])[0]


# What reading a cut-short or corrupt archive raises (gzip's BadGzipFile is an OSError; tarfile lets
# EOFError and zlib.error through from a compressed stream).
_DAMAGED_ARCHIVE = (tarfile.TarError, EOFError, zlib.error, OSError)


class _reading:
    """Turns what reading a damaged archive raises into one line: damaged or incomplete, copy it again."""

    def __init__(self, archive: Path) -> None:
        self.archive = archive

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None or not isinstance(error, _DAMAGED_ARCHIVE):
            return False
        raise ModelNotFoundError(f"cannot import {self.archive}: the archive is damaged or incomplete: "
                                 f"{_reason(error)}; copy it again") from error


def _members(tar: tarfile.TarFile, archive: Path) -> Iterator[tarfile.TarInfo]:
    """The archive's entries, read one by one (so a big .tar.gz is decompressed once), damage as one line."""
    entries = iter(tar)
    while True:
        with _reading(archive):
            member = next(entries, None)
        if member is None:
            return
        yield member


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:*")
    except (OSError, tarfile.TarError) as e:
        raise ModelNotFoundError(f"cannot read model archive {archive}: {e}") from e


def _archive_manifest(tar: tarfile.TarFile, archive: Path) -> Manifest:
    import json

    for member in _members(tar, archive):
        parts = PurePosixPath(member.name).parts
        if len(parts) == 2 and parts[1] == MANIFEST_FILE and member.isfile():
            with _reading(archive):
                raw = tar.extractfile(member).read()
            try:
                data = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                raise ModelNotFoundError(f"model archive {archive}: its manifest is damaged ({e})") from e
            manifest = Manifest.from_dict(data if isinstance(data, dict) else {}, source=f"{archive}:{member.name}")
            if manifest.name != parts[0] or not _SAFE_NAME.match(manifest.name):
                raise ModelNotFoundError(f"model archive {archive}: manifest name {manifest.name!r} does not match "
                                         f"its folder {parts[0]!r}")
            return manifest
    raise ModelNotFoundError(f"{archive} is not a brief model archive (no NAME/{MANIFEST_FILE} in it); "
                             "make one with `brief models export NAME ARCHIVE`")


def _name_clashes(manifest: Manifest) -> list[str]:
    """Listed paths that are both a file and a folder (``a`` and ``a/b``), which no folder can hold."""
    listed = set(manifest.files) | {MANIFEST_FILE}
    return sorted(f"{folder} is listed both as a file and as a folder (of {relative})"
                  for relative in manifest.files
                  for folder in (p.as_posix() for p in PurePosixPath(relative).parents if p.parts)
                  if folder in listed)


def _extract_checked(tar: tarfile.TarFile, manifest: Manifest, staging: Path, archive: Path,
                     report: Report | None) -> list[str]:
    """Extract the archive's files into ``staging``, hashing each; the problems found, one line each."""
    problems, seen = [], set()
    for member in _members(tar, archive):
        parts = PurePosixPath(member.name).parts
        relative = "/".join(parts[1:])
        if relative == MANIFEST_FILE and parts[0] == manifest.name:
            continue
        if (not member.isfile() or parts[:1] != (manifest.name,) or relative not in manifest.files
                or ".." in parts or member.name.startswith("/")):
            # Never written anywhere: links, devices, absolute or climbing paths and unlisted files stop the import.
            problems.append(f"unexpected entry {member.name}")
            continue
        if report:
            report(f"checking {relative}")
        destination = staging / relative
        _copy_member(tar, member, destination, archive)
        seen.add(relative)
        entry = manifest.files[relative]
        if destination.stat().st_size != entry.size or file_sha256(destination) != entry.sha256:
            problems.append(f"changed: {relative}")
    problems += [f"missing: {relative}" for relative in sorted(set(manifest.files) - seen)]
    return problems


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path, archive: Path) -> None:
    """Copy one archive entry to ``destination``: a read error is a damaged archive, a write error an OutputError."""
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        out = destination.open("wb")
    except OSError as e:
        raise OutputError(f"cannot write {destination} ({_reason(e)}); nothing was installed") from e
    with out:
        with _reading(archive):
            source = tar.extractfile(member)
        while True:
            with _reading(archive):
                chunk = source.read(1 << 20)
            if not chunk:
                break
            try:
                out.write(chunk)
            except OSError as e:
                raise OutputError(f"cannot write {destination} ({_reason(e)}); nothing was installed") from e


def _open_up(staging: Path) -> None:
    """Give the staging folder and its subfolders the permissions of any new folder (0755 less the umask):
    ``mkdtemp`` made the top one 0700, so the installed model would be readable by its owner only."""
    umask = os.umask(0)
    os.umask(umask)
    for folder in [staging, *(p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink())]:
        folder.chmod(0o755 & ~umask)


# --- list -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ModelEntry:
    """One line of ``brief models list``: a preset (or an imported model) and what of it is on this machine."""

    name: str
    role: str | None  # None: not known (an imported model whose manifest is damaged)
    hub_id: str | None
    revision: str | None  # the preset's pinned commit
    pinned: bool
    licence: str | None
    parameters: str | None
    download_mb: int | None
    languages: tuple[str, ...]
    backend: str | None
    location: Path | None  # where it loads from, None when not on this machine
    source: str | None  # models-dir, hub-cache or None
    local_revision: str | None  # the commit of the local copy
    weights: str | None  # safetensors, pickle (loaded with weights_only) or ctranslate2
    size_mb: float | None
    ct2: Path | None  # a CTranslate2 int8 copy: the model's own or a conversion in the cache
    status: str  # verified / sizes ok / changed: ... / damaged manifest: ... / no manifest / not present

    def to_dict(self) -> dict:
        data = dict(self.__dict__)
        data.update(location=str(self.location) if self.location else None, ct2=str(self.ct2) if self.ct2 else None,
                    languages=list(self.languages))
        return data


def list_models(*, models_dir: str | Path | None = None, cache_dir: str | Path | None = None,
                verify: bool = False) -> list[ModelEntry]:
    """Every preset, and every other model in the models folder (by folder name), with what is on this machine.

    ``status`` compares the files with the manifest by size (``verify``: by sha256 as well); a copy in
    the Hugging Face cache has no manifest. A folder whose manifest is damaged, or that brief cannot load
    (no config.json), is listed with what is known and says so in ``status``. Never downloads.
    """
    settings = load_settings()
    root = _models_dir(models_dir)
    cache = Path(cache_dir) if cache_dir is not None else settings.cache_dir
    stored, damaged = scan_models(root)
    manifests = {folder.name: manifest for folder, manifest in stored}
    broken = {folder.name: reason for folder, reason in damaged}
    names = model_preset_names()
    others = sorted((set(manifests) | set(broken)) - set(names))
    entries = []
    for name in names + others:
        preset = load_preset(name) if name in names else None
        manifest = manifests.get(name)
        location, source, local_revision = None, None, None
        if manifest or name in broken:
            location, source = root / name, "models-dir"
            local_revision = manifest.revision if manifest else None
        elif preset:  # not in the models folder: the Hugging Face cache, if it has the pinned commit
            try:
                resolved = resolve_model(name, offline=True, models_dir=root, role=preset.role)
                location, source, local_revision = resolved.directory, resolved.source, resolved.commit
            except (ModelNotFoundError, UsageError):
                pass
        hub_id = preset.hub_id if preset else manifest.hub_id if manifest else None
        entries.append(ModelEntry(
            name=name, role=preset.role if preset else manifest.role if manifest else None, hub_id=hub_id,
            revision=preset.revision if preset else None, pinned=preset.pinned if preset else False,
            licence=preset.licence if preset else manifest.extra.get("licence") if manifest else None,
            parameters=preset.parameters if preset else None, download_mb=preset.download_mb if preset else None,
            languages=preset.languages if preset else (), backend=preset.backend if preset else None,
            location=location, source=source, local_revision=local_revision,
            weights=_weights(location) if location else None,
            size_mb=round(_folder_size(location) / 1e6, 1) if location else None,
            ct2=_ct2_copy(location, hub_id, local_revision, cache) if location and hub_id else None,
            status=_status(location, manifest, broken.get(name), verify),
        ))
    return entries


def _status(location: Path | None, manifest: Manifest | None, damaged: str | None, verify: bool) -> str:
    """The ``files:`` line of a listed model: how its files compare with its manifest, and what stops loading."""
    if location is None:
        return "not present"
    if damaged:
        return f"damaged manifest: {damaged}"
    if manifest is None:
        return "no manifest"
    check = verify_folder(location, manifest, quick=not verify)
    status = ("verified" if verify else "sizes ok") if check.ok else "; ".join(check.problems())
    if not (location / "config.json").is_file():
        status += "; no config.json, so brief cannot load it"
    return status


def _weights(directory: Path) -> str | None:
    try:
        return weights_format(directory)
    except ModelNotFoundError:  # a damaged config.json: the status line says what is wrong
        return None


def _folder_size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _ct2_copy(directory: Path, hub_id: str, revision: str | None, cache: Path) -> Path | None:
    """The model's own CTranslate2 copy, or a conversion of the same commit in the cache (by its info file)."""
    if (directory / CT2_FOLDER / "model.bin").is_file():
        return directory / CT2_FOLDER
    if revision is None or not (cache / "ctranslate2").is_dir():
        return None
    for info_file in sorted((cache / "ctranslate2").glob(f"*/{SOURCE_INFO}")):
        try:
            info = read_json(info_file)
        except ModelNotFoundError:
            continue
        if info.get("model_id") == hub_id and info.get("revision") == revision:
            return info_file.parent
    return None


def format_models(entries: list[ModelEntry]) -> str:
    """The table ``brief models list`` prints: one block of lines per model."""
    lines = []
    for e in entries:
        pin = e.revision[:12] if e.pinned else f"NOT PINNED ({e.revision or 'no revision'})"
        facts = ", ".join(x for x in (e.role, e.parameters and f"{e.parameters} parameters", e.licence,
                                      e.download_mb and f"~{e.download_mb} MB download") if x)
        lines.append(f"{e.name}  {e.hub_id or 'unknown hub id'}@{pin}  ({facts})")
        if e.location is None:
            lines.append(f"    not on this machine: brief models pull {e.name}")
            continue
        where = {"models-dir": "models folder", "hub-cache": "Hugging Face cache"}.get(e.source or "", e.source)
        weights = "pickle (loaded with torch weights_only)" if e.weights == "pickle" else e.weights or "no weights"
        lines.append(f"    {where}: {e.location}  ({e.size_mb} MB, {weights})")
        if e.local_revision and e.revision and e.pinned and e.local_revision != e.revision:
            lines.append(f"    local copy is commit {e.local_revision[:12]}, the preset pins {e.revision[:12]}")
        lines.append(f"    ctranslate2 int8: {e.ct2 or 'none (brief models pull ' + e.name + ' --ct2)'}")
        lines.append(f"    files: {e.status}")
    return "\n".join(lines)

