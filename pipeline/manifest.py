"""A model folder's manifest: every file's sha256 and size, written when a model is pulled or imported.

``brief models verify`` re-hashes a folder against it; ``export`` and ``import`` carry it in the archive so
that the receiving machine can check every byte before it installs anything. A leaf module (it imports
nothing from the pipeline but its errors and ``checkpoint``), so model lookup can read manifests.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.checkpoint import MANIFEST_FILE, read_json
from pipeline.errors import ModelNotFoundError

# The CTranslate2 int8 copy that `brief models pull --ct2` converts into the model's own folder.
CT2_FOLDER = "ctranslate2-int8"
MANIFEST_VERSION = 1
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


@dataclass(frozen=True)
class FileEntry:
    """One file of a model folder: its sha256 (hex) and size in bytes."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    """What a pulled model folder holds and where it came from (``brief-manifest.json``)."""

    name: str
    hub_id: str
    revision: str
    files: dict[str, FileEntry]  # path relative to the folder, with / separators -> entry
    role: str = "translator"
    weights: str | None = None  # safetensors, pickle or ctranslate2 (``weights_format``)
    created: str = ""
    extra: dict = field(default_factory=dict)  # what the writer added (licence, brief version...)

    @property
    def size(self) -> int:
        """Bytes of all its files together."""
        return sum(entry.size for entry in self.files.values())

    def to_dict(self) -> dict:
        return {
            "manifest_version": MANIFEST_VERSION,
            "name": self.name,
            "hub_id": self.hub_id,
            "revision": self.revision,
            "role": self.role,
            "weights": self.weights,
            "created": self.created,
            **self.extra,
            "files": {path: {"sha256": e.sha256, "size": e.size} for path, e in sorted(self.files.items())},
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "manifest") -> Manifest:
        """A manifest from its JSON object; ModelNotFoundError naming ``source`` if it is not one."""
        try:
            files = {str(path): FileEntry(str(e["sha256"]), int(e["size"])) for path, e in data["files"].items()}
            known = {"manifest_version", "name", "hub_id", "revision", "role", "weights", "created", "files"}
            return cls(name=str(data["name"]), hub_id=str(data["hub_id"]), revision=str(data["revision"]),
                       files=files, role=str(data.get("role") or "translator"), weights=data.get("weights"),
                       created=str(data.get("created") or ""),
                       extra={k: v for k, v in data.items() if k not in known})
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise ModelNotFoundError(f"{source} is not a brief model manifest ({type(e).__name__}: {e}); "
                                     "pull or import the model again") from e


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, hex."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def folder_files(directory: Path) -> list[str]:
    """Every file under ``directory`` (relative, / separated, sorted), the manifest itself left out."""
    return sorted(
        p.relative_to(directory).as_posix() for p in directory.rglob("*")
        if (p.is_file() or p.is_symlink()) and p.relative_to(directory).as_posix() != MANIFEST_FILE
    )


def weights_format(directory: Path) -> str | None:
    """How a model folder stores its weights: ``safetensors``, ``pickle`` (torch's .bin/.pt, loaded with
    ``weights_only``), ``ctranslate2`` (a converted model.bin only), or None when it has no weights."""
    names = [p.name for p in directory.iterdir() if p.is_file()] if directory.is_dir() else []
    if any(n.endswith(".safetensors") for n in names):
        return "safetensors"
    if "model.bin" in names and (directory / "config.json").is_file() and not any(
            n.startswith("pytorch_model") for n in names):
        config = read_json(directory / "config.json")
        if "architectures" not in config and "model_type" not in config:
            return "ctranslate2"
    if any(n.endswith(_PICKLE_SUFFIXES) for n in names):
        return "pickle"
    return None


def build_manifest(directory: Path, *, name: str, hub_id: str, revision: str, role: str = "translator",
                   extra: dict | None = None, progress: Callable[[str], None] | None = None) -> Manifest:
    """Hash every file of ``directory`` into a manifest (the manifest file itself left out)."""
    files = {}
    for relative in folder_files(directory):
        if progress:
            progress(relative)
        path = directory / relative
        files[relative] = FileEntry(file_sha256(path), path.stat().st_size)
    return Manifest(name=name, hub_id=hub_id, revision=revision, files=files, role=role,
                    weights=weights_format(directory), created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    extra=dict(extra or {}))


def write_manifest(directory: Path, manifest: Manifest) -> Path:
    """Write ``manifest`` as ``directory/brief-manifest.json`` and return its path."""
    path = directory / MANIFEST_FILE
    path.write_text(json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest of a model folder, None when it has none; a damaged one is a ModelNotFoundError."""
    path = directory / MANIFEST_FILE
    if not path.is_file():
        return None
    return Manifest.from_dict(read_json(path), source=str(path))


@dataclass(frozen=True)
class Verification:
    """What ``verify_folder`` found: files whose bytes changed, files missing, files not in the manifest,
    listed files replaced by a symbolic link, or (``damaged``) a manifest that cannot be read at all."""

    directory: Path
    changed: list[str]
    missing: list[str]
    extra: list[str]
    checked: int  # files compared
    links: list[str] = field(default_factory=list)  # listed files that are now symbolic links (never followed)
    damaged: str | None = None  # why the manifest cannot be read; nothing was compared

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.links or self.damaged)

    def problems(self) -> list[str]:
        """One line per problem, naming the file."""
        return ([f"damaged manifest: {self.damaged}"] if self.damaged else []) + (
            [f"changed: {p}" for p in self.changed] + [f"changed (a link): {p}" for p in self.links]
            + [f"missing: {p}" for p in self.missing] + [f"extra: {p}" for p in self.extra])


def verify_folder(directory: Path, manifest: Manifest | None = None, *, quick: bool = False,
                  progress: Callable[[str], None] | None = None) -> Verification:
    """Compare ``directory`` with its manifest (or ``manifest``): every file's size and (unless ``quick``)
    sha256. Only regular files count: a listed file that is now a symbolic link (dangling or not) is reported,
    never followed; one that cannot be read is changed. ModelNotFoundError when there is no manifest."""
    manifest = manifest or read_manifest(directory)
    if manifest is None:
        raise ModelNotFoundError(f"{directory} has no {MANIFEST_FILE}; nothing to verify against "
                                 "(pull or import the model with brief models pull/import)")
    present = set(folder_files(directory))
    changed, links = [], []
    for relative, entry in sorted(manifest.files.items()):
        if relative not in present:
            continue
        path = directory / relative
        if progress:
            progress(relative)
        if path.is_symlink() or not path.is_file():
            links.append(relative)
            continue
        try:
            if path.stat().st_size != entry.size or (not quick and file_sha256(path) != entry.sha256):
                changed.append(relative)
        except OSError:  # unreadable (permissions, I/O error): not the bytes the manifest lists
            changed.append(relative)
    return Verification(directory=directory, changed=changed,
                        missing=sorted(set(manifest.files) - present), extra=sorted(present - set(manifest.files)),
                        checked=len(present & set(manifest.files)), links=links)
