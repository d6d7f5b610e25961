"""Models for offline and air-gapped machines: pull (against a local stand-in for the hub), manifests and
verify, export/import, resolution order, offline refusal, pinned presets, safe loading of pickle weights.

The stand-in hub serves a tiny real checkpoint (``pipeline.testing.make_tiny_translator``) under the shipped
opus-mt-zh-en preset's hub id and pinned commit, so everything after the transfer is the real code path.
"""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.models
from pipeline.checkpoint import MANIFEST_FILE
from pipeline.cli import cli
from pipeline.errors import ModelNotFoundError, UsageError
from pipeline.manifest import CT2_FOLDER, read_manifest, verify_folder, weights_format
from pipeline.models import ROLES, describe_model, load_preset, model_preset_names, resolve_model
from pipeline.store import (
    RemoteFile,
    export_model,
    import_model,
    list_models,
    model_path,
    pull_model,
    select_files,
    verify_model,
)

PRESET = "opus-mt-zh-en"
HUB_ID = "Helsinki-NLP/opus-mt-zh-en"
COMMIT = load_preset(PRESET).revision


class FolderHub:
    """A hub repository served from a local folder: the listing of its files, and copies of the ones asked for.

    ``fail_after`` makes a download stop (as a dropped connection would) after that many files.
    """

    def __init__(self, folder: Path, fail_after: int | None = None) -> None:
        self.folder = folder
        self.fail_after = fail_after
        self.requested: list[list[str]] = []

    def list_files(self, hub_id: str, revision: str) -> list[RemoteFile]:
        assert (hub_id, revision) == (HUB_ID, COMMIT), "pull asked for another repository or commit"
        return [RemoteFile(p.relative_to(self.folder).as_posix(), p.stat().st_size)
                for p in sorted(self.folder.rglob("*")) if p.is_file()]

    def download(self, hub_id: str, revision: str, files: list[str], local_dir: Path) -> None:
        self.requested.append(list(files))
        for count, name in enumerate(files):
            if self.fail_after is not None and count == self.fail_after:
                raise ModelNotFoundError("connection dropped; run `brief models pull` again to resume")
            (local_dir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.folder / name, local_dir / name)


@pytest.fixture(scope="module")
def hub_repo(tmp_path_factory, tiny_model_dir):
    """What the hub holds for the preset: the tiny checkpoint plus files a pull must leave behind."""
    repo = tmp_path_factory.mktemp("hub") / "repo"
    shutil.copytree(tiny_model_dir, repo)
    (repo / "README.md").write_text("---\nlicense: cc-by-4.0\n---\nA model card.\n", encoding="utf-8")
    (repo / "pytorch_model.bin").write_bytes(b"pickle weights: not needed when safetensors exist")
    (repo / "tf_model.h5").write_bytes(b"TensorFlow weights")
    (repo / ".gitattributes").write_text("*.bin filter=lfs\n", encoding="utf-8")
    (repo / "onnx").mkdir()
    (repo / "onnx" / "encoder_model.onnx").write_bytes(b"an ONNX export")
    return repo


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    """An empty models folder (BRIEF_MODELS_DIR) and an empty Hugging Face cache for this test."""
    import huggingface_hub.constants

    folder = tmp_path / "models"
    monkeypatch.setenv("BRIEF_MODELS_DIR", str(folder))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    return folder


def pulled(models_dir, hub_repo, **options):
    return pull_model(PRESET, models_dir=models_dir, hub=FolderHub(hub_repo), offline=False, **options)


def brief(*args):
    return CliRunner().invoke(cli, list(args))


# --- pull -----------------------------------------------------------------------------------------------

def test_pull_fetches_the_needed_files_at_the_pinned_commit_and_writes_a_manifest(models_dir, hub_repo):
    result = pulled(models_dir, hub_repo)
    assert result.directory == models_dir / PRESET
    files = sorted(p.name for p in result.directory.iterdir())
    # Safetensors, not the pickle weights; no other framework's weights, exports or git files.
    assert "model.safetensors" in files and "config.json" in files and "README.md" in files
    assert not {"pytorch_model.bin", "tf_model.h5", ".gitattributes", "onnx"} & set(files)
    manifest = read_manifest(result.directory)
    assert (manifest.name, manifest.hub_id, manifest.revision, manifest.weights) == (
        PRESET, HUB_ID, COMMIT, "safetensors")
    weights = hub_repo / "model.safetensors"
    import hashlib

    assert manifest.files["model.safetensors"].sha256 == hashlib.sha256(weights.read_bytes()).hexdigest()
    assert manifest.files["model.safetensors"].size == weights.stat().st_size
    assert set(manifest.files) == set(files) - {MANIFEST_FILE}
    assert not list(models_dir.glob(".*"))  # no staging folder left


def test_select_files_prefers_safetensors_and_keeps_pickle_when_there_is_nothing_else():
    listing = [RemoteFile(name, 1) for name in ("config.json", "pytorch_model.bin", "model.safetensors",
                                                "training_args.bin", "flax_model.msgpack", "onnx/model.onnx")]
    assert select_files(listing) == ["config.json", "model.safetensors"]
    pickle_only = [f for f in listing if f.path != "model.safetensors"]
    assert select_files(pickle_only) == ["config.json", "pytorch_model.bin"]


def test_an_interrupted_pull_resumes_with_what_is_missing(models_dir, hub_repo):
    broken = FolderHub(hub_repo, fail_after=2)
    with pytest.raises(ModelNotFoundError, match="again to resume"):
        pull_model(PRESET, models_dir=models_dir, hub=broken, offline=False)
    assert not (models_dir / PRESET).exists()  # nothing half-installed
    first = broken.requested[0]
    hub = FolderHub(hub_repo)
    result = pull_model(PRESET, models_dir=models_dir, hub=hub, offline=False)
    assert hub.requested == [first[2:]]  # only the files the first try did not finish
    assert verify_folder(result.directory).ok


def test_pulling_again_downloads_nothing(models_dir, hub_repo):
    pulled(models_dir, hub_repo)
    hub = FolderHub(hub_repo)
    result = pull_model(PRESET, models_dir=models_dir, hub=hub, offline=False)
    assert hub.requested == [] and result.downloaded == []


def test_pull_is_refused_offline_before_any_request(models_dir, hub_repo):
    hub = FolderHub(hub_repo)
    with pytest.raises(ModelNotFoundError, match="offline mode is on") as info:
        pull_model(PRESET, models_dir=models_dir, hub=hub, offline=True)
    assert hub.requested == [] and "\n" not in str(info.value)


def test_an_unpinned_preset_is_reported_by_pull(models_dir, hub_repo, tmp_path, monkeypatch):
    presets = tmp_path / "presets"
    presets.mkdir()
    text = load_preset(PRESET).path.read_text(encoding="utf-8")
    text = text.replace(f'revision = "{COMMIT}"', 'revision = "main"').replace(
        'revision_note = "', 'revision_note = "could not be confirmed; ')
    (presets / f"{PRESET}.toml").write_text(text, encoding="utf-8")
    monkeypatch.setattr(pipeline.models, "_preset_dirs", lambda: [presets])
    assert not load_preset(PRESET).pinned
    with pytest.raises(UsageError, match="not pinned to a commit: revision 'main'") as info:
        pulled(models_dir, hub_repo)
    message = str(info.value)
    assert "could not be confirmed" in message and "--revision COMMIT" in message and "\n" not in message
    assert pulled(models_dir, hub_repo, revision=COMMIT).manifest.revision == COMMIT


def test_pull_ct2_converts_the_downloaded_folder_and_translation_uses_it(models_dir, hub_repo):
    from pipeline.loaders import load_translator

    result = pulled(models_dir, hub_repo, ct2=True)
    converted = result.directory / CT2_FOLDER
    assert (converted / "model.bin").is_file() and (converted / "source.spm").is_file()
    assert f"{CT2_FOLDER}/model.bin" in result.manifest.files  # verified and exported with the rest
    plan = describe_model(PRESET, offline=True)
    assert (plan.backend, plan.directory, plan.revision) == ("ctranslate2", converted, f"{COMMIT}+ct2-int8")
    translator = load_translator(PRESET, offline=True, plan=plan)
    [english] = translator.translate_batch(["全市经济发展。"], translator.default_decoding)
    assert isinstance(english, str) and translator.model_id == HUB_ID
    # transformers asked for: the checkpoint itself, same commit.
    assert describe_model(PRESET, "transformers", offline=True).revision == COMMIT


# --- verify ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("damage", "expected"), [
    ("flip", "changed: model.safetensors"),
    ("delete", "missing: vocab.json"),
    ("add", "extra: notes.txt"),
])
def test_verify_names_a_changed_missing_or_extra_file(models_dir, hub_repo, damage, expected):
    folder = pulled(models_dir, hub_repo).directory
    assert brief("models", "verify", PRESET).exit_code == 0
    if damage == "flip":
        weights = folder / "model.safetensors"
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 0x01  # one bit, same size: only the hash can tell
        weights.write_bytes(bytes(data))
    elif damage == "delete":
        (folder / "vocab.json").unlink()
    else:
        (folder / "notes.txt").write_text("mine", encoding="utf-8")
    [(name, check)] = verify_model(PRESET)
    assert name == PRESET and not check.ok and check.problems() == [expected]
    result = brief("models", "verify")
    assert result.exit_code == 1 and expected in result.output and "FAILED" in result.output


def test_verify_without_a_pulled_model_says_what_to_run(models_dir):
    result = brief("models", "verify", PRESET)
    assert result.exit_code == 2 and f"brief models pull {PRESET}" in result.output


# --- export / import -------------------------------------------------------------------------------------

def test_export_import_round_trip(models_dir, hub_repo, tmp_path):
    pulled(models_dir, hub_repo, ct2=True)
    archive = tmp_path / "carry" / f"{PRESET}.tar"
    result = brief("models", "export", PRESET, str(archive))
    assert result.exit_code == 0, result.output
    other = tmp_path / "air-gapped-models"
    result = brief("models", "import", str(archive), "--to", str(other))
    assert result.exit_code == 0, result.output
    installed = other / PRESET
    assert verify_folder(installed).ok
    assert read_manifest(installed).files == read_manifest(models_dir / PRESET).files
    # The air-gapped machine finds it, offline, through its models folder.
    resolved = resolve_model(PRESET, offline=True, models_dir=other)
    assert (resolved.directory, resolved.source, resolved.commit) == (installed, "models-dir", COMMIT)
    # Importing again needs --force.
    with pytest.raises(UsageError, match="--force"):
        import_model(archive, models_dir=other)
    assert import_model(archive, models_dir=other, force=True)[0] == installed


def _rewrite_archive(source: Path, target: Path, change) -> None:
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for member in old:
            data = old.extractfile(member).read()
            for name, content in change(member.name, data):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                new.addfile(info, io.BytesIO(content))


@pytest.mark.parametrize(("change", "expected"), [
    (lambda name, data: [(name, data[:-1] + bytes([data[-1] ^ 1]) if name.endswith("vocab.json") else data)],
     "changed: vocab.json"),
    (lambda name, data: [] if name.endswith("source.spm") else [(name, data)], "missing: source.spm"),
    (lambda name, data: [(name, data)] + ([("opus-mt-zh-en/../../evil.py", b"x")] if name.endswith("json") else []),
     "unexpected entry opus-mt-zh-en/../../evil.py"),
])
def test_import_checks_every_file_before_installing(models_dir, hub_repo, tmp_path, change, expected):
    pulled(models_dir, hub_repo)
    archive = export_model(PRESET, tmp_path / "good.tar")
    bad = tmp_path / "bad.tar"
    _rewrite_archive(archive, bad, change)
    other = tmp_path / "other"
    with pytest.raises(ModelNotFoundError, match="nothing was installed") as info:
        import_model(bad, models_dir=other)
    assert expected in str(info.value)
    assert not (other / PRESET).exists() and not (tmp_path / "evil.py").exists()
    assert [p for p in other.iterdir()] == []  # no staging folder left


def test_export_refuses_a_damaged_model(models_dir, hub_repo, tmp_path):
    folder = pulled(models_dir, hub_repo).directory
    (folder / "vocab.json").write_text("{}", encoding="utf-8")
    result = brief("models", "export", PRESET, str(tmp_path / "x.tar"))
    assert result.exit_code == 2 and "changed: vocab.json" in result.output and not (tmp_path / "x.tar").exists()


def test_a_file_that_is_not_an_archive_is_one_line(models_dir, tmp_path):
    not_tar = tmp_path / "model.tar"
    not_tar.write_text("hello", encoding="utf-8")
    result = brief("models", "import", str(not_tar))
    assert result.exit_code == 2 and result.output.startswith("brief: error: cannot read model archive")


# --- resolution order -------------------------------------------------------------------------------------

def _hub_cache_snapshot(tiny_model_dir) -> Path:
    """The preset's pinned commit in the (test's) Hugging Face cache, as `hf download` leaves it."""
    import huggingface_hub.constants

    snapshot = (Path(huggingface_hub.constants.HF_HUB_CACHE) / "models--Helsinki-NLP--opus-mt-zh-en"
                / "snapshots" / COMMIT)
    shutil.copytree(tiny_model_dir, snapshot)
    return snapshot


def test_resolution_order_model_option_then_models_dir_then_hub_cache(models_dir, hub_repo, tiny_model_dir,
                                                                     tmp_path):
    with pytest.raises(ModelNotFoundError):
        resolve_model(PRESET, offline=True)
    snapshot = _hub_cache_snapshot(tiny_model_dir)
    found = resolve_model(PRESET, offline=True)
    assert (found.directory, found.source, found.commit) == (snapshot, "hub-cache", COMMIT)
    pulled(models_dir, hub_repo)  # BRIEF_MODELS_DIR now has it too: it wins over the cache
    found = resolve_model(PRESET, offline=True)
    assert (found.directory, found.source, found.commit) == (models_dir / PRESET, "models-dir", COMMIT)
    assert resolve_model(HUB_ID, offline=True).directory == models_dir / PRESET  # a hub id finds it too
    own = shutil.copytree(tiny_model_dir, tmp_path / "my-model")
    found = resolve_model(str(own), offline=True)  # --model DIRECTORY wins over both
    assert (found.directory, found.source) == (own, "directory")
    assert model_path(PRESET) == models_dir / PRESET
    assert brief("models", "path", PRESET).output.strip() == str(models_dir / PRESET)


def test_a_models_folder_passed_as_model_keeps_its_commit_and_preset(models_dir, hub_repo):
    folder = pulled(models_dir, hub_repo).directory
    found = resolve_model(str(folder), offline=True)
    assert (found.model_id, found.commit, found.preset.name) == (HUB_ID, COMMIT, PRESET)


def test_offline_missing_model_is_one_line_with_the_air_gap_recipe(models_dir, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("全市新建公园12个。\n", encoding="utf-8")
    result = brief("translate", str(article), "-o", str(tmp_path / "out"), "--no-tm", "--offline")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert f"model {PRESET} ({HUB_ID})" in line and "offline mode is on" in line
    assert f"brief models pull {PRESET}" in line and f"brief models export {PRESET}" in line
    assert "brief models import" in line
    result = brief("models", "path", "nllb-200-distilled-600M")
    assert result.exit_code == 2 and "brief models pull nllb-200-distilled-600M" in result.output


def test_hf_hub_offline_means_offline(models_dir, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="offline mode is on"):
        pull_model(PRESET, hub=FolderHub(Path("/nonexistent")))


# --- list -------------------------------------------------------------------------------------------------

def test_list_says_what_is_on_this_machine(models_dir, hub_repo):
    result = brief("models", "list", "--json")
    assert result.exit_code == 0
    entries = {e["name"]: e for e in json.loads(result.output)}
    assert set(entries) == set(model_preset_names())
    assert entries[PRESET]["location"] is None and entries[PRESET]["status"] == "not present"
    pulled(models_dir, hub_repo, ct2=True)
    entries = {e.name: e for e in list_models(verify=True)}
    entry = entries[PRESET]
    assert (entry.location, entry.source, entry.weights, entry.status) == (
        models_dir / PRESET, "models-dir", "safetensors", "verified")
    assert entry.ct2 == models_dir / PRESET / CT2_FOLDER and entry.local_revision == COMMIT
    text = brief("models", "list").output
    assert f"models folder: {models_dir / PRESET}" in text and "files: sizes ok" in text


# --- presets ---------------------------------------------------------------------------------------------

def test_every_shipped_preset_is_pinned_and_described():
    for name in model_preset_names():
        preset = load_preset(name)
        assert preset.pinned, f"{name}: revision {preset.revision!r} is not a commit"
        assert preset.role in ROLES and preset.licence and preset.parameters and preset.download_mb
        assert len(preset.languages) == 2 and preset.backend in ("transformers", "ctranslate2")
        assert preset.revision_note
        if preset.role == "summarizer":
            assert preset.prompt, f"{name}: a summariser names its prompt template"
    summarizers = {n for n in model_preset_names() if load_preset(n).role == "summarizer"}
    assert {"flan-t5-base", "distilbart-cnn-12-6", "bart-large-cnn"} <= summarizers
    assert load_preset("flan-t5-base").revision == "7bcac572ce56db69c1ea7c8af255c5d7c9672fc2"


def test_a_preset_without_the_new_metadata_still_loads(tmp_path, monkeypatch):
    presets = tmp_path / "presets"
    presets.mkdir()
    (presets / "bare.toml").write_text('hub_id = "brief-tests/bare"\n', encoding="utf-8")
    (presets / "summary.toml").write_text(
        'hub_id = "brief-tests/s"\nrole = "summarizer"\n[decoding]\nbeam_size = 2\ncandidates = 3\n', encoding="utf-8")
    (presets / "odd.toml").write_text('hub_id = "brief-tests/o"\nrole = "poet"\n', encoding="utf-8")
    monkeypatch.setattr(pipeline.models, "_preset_dirs", lambda: [presets])
    bare = load_preset("bare")
    assert (bare.role, bare.licence, bare.languages, bare.backend, bare.pinned) == ("translator", None, (), None, False)
    summary = load_preset("summary")  # a summariser's own decoding settings stay readable, not an error
    assert summary.decoding.beam_size == 2 and summary.settings["decoding"]["candidates"] == 3
    with pytest.raises(UsageError, match="unknown role 'poet'; choose from: translator, summarizer"):
        load_preset("odd")


# --- safe loading ------------------------------------------------------------------------------------------

def _pickle_checkpoint(tiny_model_dir, folder: Path) -> Path:
    import torch
    from transformers import AutoModelForSeq2SeqLM

    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").unlink()
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_model_dir)
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    return folder


class _RunsCode:
    """Unpickling this would create a file: what a malicious checkpoint does with a shell command."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_weights_load_with_weights_only_and_code_in_them_never_runs(tiny_model_dir, tmp_path):
    import torch

    from pipeline.loaders import load_translator

    folder = _pickle_checkpoint(tiny_model_dir, tmp_path / "pickled")
    assert weights_format(folder) == "pickle" and weights_format(tiny_model_dir) == "safetensors"
    translator = load_translator(str(folder), "transformers")  # plain tensors: loads
    assert isinstance(translator.translate_batch(["经济发展。"], translator.default_decoding)[0], str)
    marker = tmp_path / "code-ran"
    torch.save({"weights": _RunsCode(marker)}, folder / "pytorch_model.bin")
    for backend in ("transformers", "ctranslate2"):
        with pytest.raises(ModelNotFoundError, match="refused") as info:
            load_translator(str(folder), backend, cache_dir=tmp_path / "cache")
        assert "weights_only" in str(info.value) and "\n" not in str(info.value)
    assert not marker.exists()


def test_the_listing_says_a_pulled_model_is_pickle(models_dir, tiny_model_dir, tmp_path):
    repo = _pickle_checkpoint(tiny_model_dir, tmp_path / "pickle-repo")
    pull_model(PRESET, models_dir=models_dir, hub=FolderHub(repo), offline=False)
    assert read_manifest(models_dir / PRESET).weights == "pickle"
    assert "pickle (loaded with torch weights_only)" in brief("models", "list").output


# --- damaged archives and folders: one line, or a report, never a traceback -------------------------------

def _hand_made_archive(path: Path, name: str, files: dict[str, bytes]) -> Path:
    """An archive as `brief models export` writes one (NAME/manifest, then NAME/files), .tar or .tar.gz."""
    import hashlib

    manifest = {"manifest_version": 1, "name": name, "hub_id": "someone/model", "revision": "0" * 40,
                "files": {k: {"sha256": hashlib.sha256(v).hexdigest(), "size": len(v)} for k, v in files.items()}}
    with tarfile.open(path, "w:gz" if path.name.endswith(".gz") else "w") as tar:
        for member, data in [(MANIFEST_FILE, json.dumps(manifest).encode()), *files.items()]:
            info = tarfile.TarInfo(f"{name}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _weights_bytes(size: int = 300_000) -> bytes:
    import random

    return random.Random(0).randbytes(size)  # incompressible, so a cut .tar.gz is cut inside the weights


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz"])
def test_a_cut_short_archive_is_one_line_and_installs_nothing(models_dir, tmp_path, suffix):
    good = _hand_made_archive(tmp_path / f"good{suffix}", "m5",
                              {"config.json": b"{}", "model.safetensors": _weights_bytes()})
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    other = tmp_path / "other"
    result = brief("models", "import", str(cut), "--to", str(other))
    assert result.exit_code == 2, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith(f"brief: error: cannot import {cut}: the archive is damaged or incomplete: ")
    assert last.endswith("copy it again") and "Traceback" not in result.output
    assert list(other.iterdir()) == []  # the staging folder is gone too
    assert brief("models", "import", str(good), "--to", str(other)).exit_code == 0


def test_a_name_that_is_both_file_and_folder_is_one_line(models_dir, tmp_path):
    archive = _hand_made_archive(tmp_path / "clash.tar", "m3", {"a": b"1", "a/b": b"2", "config.json": b"{}"})
    other = tmp_path / "other"
    result = brief("models", "import", str(archive), "--to", str(other))
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert "nothing was installed" in result.output and "a is listed both as a file and as a folder" in result.output
    assert not other.exists() or list(other.iterdir()) == []


def test_imported_folders_get_the_usual_permissions(models_dir, tmp_path):
    import os

    archive = _hand_made_archive(tmp_path / "m.tar", "m6", {"config.json": b"{}", "tokenizer/vocab.json": b"{}"})
    target, _ = import_model(archive, models_dir=models_dir)
    umask = os.umask(0)
    os.umask(umask)
    assert [oct(folder.stat().st_mode & 0o777) for folder in (target, target / "tokenizer")] == [
        oct(0o755 & ~umask)] * 2


def test_list_shows_an_imported_model_without_config_or_under_another_folder_name(models_dir, tmp_path):
    import_model(_hand_made_archive(tmp_path / "m4.tar", "m4", {"w.safetensors": b"abc"}), models_dir=models_dir)
    import_model(_hand_made_archive(tmp_path / "m5.tar", "m5", {"config.json": b"{}", "w.safetensors": b"abc"}),
                 models_dir=models_dir)
    (models_dir / "m5").rename(models_dir / "renamed")
    entries = {e.name: e for e in list_models()}
    assert entries["m4"].location == models_dir / "m4" and entries["m4"].hub_id == "someone/model"
    assert entries["m4"].status == "sizes ok; no config.json, so brief cannot load it"
    assert (entries["renamed"].location, entries["renamed"].status) == (models_dir / "renamed", "sizes ok")
    result = brief("models", "list")
    assert result.exit_code == 0 and f"models folder: {models_dir / 'renamed'}" in result.output, result.output


def test_verify_reports_a_listed_file_replaced_by_a_dangling_link(models_dir, tmp_path):
    archive = _hand_made_archive(tmp_path / "m.tar", "m7", {"config.json": b"{}", "w.safetensors": b"abc"})
    folder, _ = import_model(archive, models_dir=models_dir)
    (folder / "config.json").unlink()
    (folder / "config.json").symlink_to(tmp_path / "nonexistent")
    result = brief("models", "verify", str(folder))
    assert result.exit_code == 1 and "changed (a link): config.json" in result.output, result.output
    assert "changed (a link): config.json" in {e.name: e for e in list_models()}["m7"].status


def test_one_damaged_manifest_is_reported_and_the_other_models_still_checked(models_dir, tmp_path):
    import_model(_hand_made_archive(tmp_path / "m.tar", "m8", {"config.json": b"{}"}), models_dir=models_dir)
    (models_dir / "broken").mkdir()
    (models_dir / "broken" / MANIFEST_FILE).write_text("{", encoding="utf-8")
    result = brief("models", "verify")
    assert result.exit_code == 1, result.output
    assert "broken: FAILED\n    damaged manifest: " in result.output and "m8: ok (1 files)" in result.output
    entries = {e.name: e for e in list_models()}
    assert entries["broken"].status.startswith("damaged manifest: ") and entries["m8"].status == "sizes ok"
    result = brief("models", "list", "--json")
    assert result.exit_code == 0 and {"broken", "m8"} <= {e["name"] for e in json.loads(result.output)}


# --- the real huggingface_hub client against a local stand-in for the hub -----------------------------------

@pytest.fixture
def local_hub(hub_repo, monkeypatch):
    """huggingface_hub online again (the suite sets HF_HUB_OFFLINE=1), talking only to 127.0.0.1."""
    import huggingface_hub.constants
    from local_hub import LocalHub

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    hub = LocalHub({(HUB_ID, COMMIT): hub_repo})
    yield hub
    hub.close()


def test_pull_with_huggingface_hub_from_a_local_hub_resumes_after_a_failure(models_dir, local_hub):
    from pipeline.store import HuggingFaceHub

    local_hub.failing = {"model.safetensors"}
    with pytest.raises(ModelNotFoundError, match="run the same `brief models pull` again to resume") as info:
        pull_model(PRESET, models_dir=models_dir, hub=HuggingFaceHub(local_hub.endpoint), offline=False)
    assert "\n" not in str(info.value) and not (models_dir / PRESET).exists()
    fetched = set(local_hub.downloaded())
    assert "config.json" in fetched and not {"pytorch_model.bin", "tf_model.h5", "encoder_model.onnx"} & fetched

    local_hub.failing = set()
    local_hub.requests.clear()
    result = pull_model(PRESET, models_dir=models_dir, hub=HuggingFaceHub(local_hub.endpoint), offline=False)
    assert local_hub.downloaded() == ["model.safetensors"]  # the rest was kept from the first try
    assert verify_folder(result.directory).ok and result.manifest.revision == COMMIT
    assert not (result.directory / ".cache").exists()  # huggingface_hub's resume state is not part of the model


def test_a_download_cut_halfway_resumes_from_where_it_stopped(models_dir, local_hub, hub_repo, monkeypatch):
    import huggingface_hub.constants

    from pipeline.store import HuggingFaceHub

    # Chunks smaller than the tiny weights, so that the bytes before the cut reach the disk (the default is
    # 10 MB: a real model's weights are hundreds of such chunks).
    monkeypatch.setattr(huggingface_hub.constants, "DOWNLOAD_CHUNK_SIZE", 4096)
    local_hub.cut_once = {"model.safetensors"}
    result = pull_model(PRESET, models_dir=models_dir, hub=HuggingFaceHub(local_hub.endpoint), offline=False)
    assert verify_folder(result.directory).ok
    assert (result.directory / "model.safetensors").read_bytes() == (hub_repo / "model.safetensors").read_bytes()
    half = (hub_repo / "model.safetensors").stat().st_size // 2
    [resumed] = [int(r[2].split("=")[1].rstrip("-")) for r in local_hub.ranges
                 if r[2] and r[1].endswith("/model.safetensors")]
    assert half - 4096 < resumed <= half  # the second request asked only for the bytes still missing


def test_a_commit_the_hub_does_not_have_is_one_line(models_dir, local_hub):
    from pipeline.store import HuggingFaceHub

    local_hub.repos = {}
    with pytest.raises(ModelNotFoundError, match=f"cannot download {HUB_ID} at {COMMIT[:12]}") as info:
        pull_model(PRESET, models_dir=models_dir, hub=HuggingFaceHub(local_hub.endpoint), offline=False)
    assert "\n" not in str(info.value)
