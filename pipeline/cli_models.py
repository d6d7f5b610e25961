"""``brief models``: list, pull, verify, path, export and import models, for offline and air-gapped machines.

A thin click layer over ``pipeline.store``; registered on the ``brief`` group by ``pipeline.cli``, whose
group turns the library's errors into one line and an exit code (2 for a missing model, say).
"""

from __future__ import annotations

import json

import click


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.group(name="models")
def models() -> None:
    """Models for offline and air-gapped machines: list, pull, verify, path, export, import.

    \b
    Where a model is looked for, in order:
      --model DIRECTORY (or a hub id)   that folder; a hub id as below
      $BRIEF_MODELS_DIR/NAME            pulled or imported here, with a manifest
      the Hugging Face cache            at the preset's pinned commit
    With --offline or HF_HUB_OFFLINE=1 nothing is ever downloaded.

    \b
    Air-gapped recipe:
      connected$  brief models pull opus-mt-zh-en --ct2
      connected$  brief models export opus-mt-zh-en opus-mt-zh-en.tar
      offline$    brief models import opus-mt-zh-en.tar
      offline$    HF_HUB_OFFLINE=1 brief translate article.txt
    """


@models.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per model.")
@click.option("--verify", is_flag=True, help="Re-hash the files of every pulled model (else sizes only).")
def list_command(as_json: bool, verify: bool) -> None:
    """Every preset and what is on this machine: where, size, weights format, CTranslate2 copy, files checked."""
    from pipeline.store import format_models, list_models

    entries = list_models(verify=verify)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
    else:
        click.echo(format_models(entries))


@models.command()
@click.argument("name")
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Models folder to pull into (the model goes to DIR/NAME); default $BRIEF_MODELS_DIR.")
@click.option("--ct2", is_flag=True, help="Also convert to CTranslate2 int8 (the fast CPU path), from these files.")
@click.option("--revision", default=None, metavar="COMMIT",
              help="Hub commit to pull instead of the preset's (40 hex digits), for a preset not pinned yet.")
def pull(name: str, to: str | None, ct2: bool, revision: str | None) -> None:
    """Download preset NAME at its pinned commit, with a manifest of every file's sha256.

    Only the files the model needs (safetensors where the repository has them); an interrupted pull
    resumes where it stopped. Needs a connection: refused in offline mode.
    """
    from pipeline.store import pull_model

    result = pull_model(name, models_dir=to, ct2=ct2, revision=revision, report=_say)
    click.echo(result.directory)


@models.command()
@click.argument("name", required=False)
def verify(name: str | None) -> None:
    """Re-hash model NAME (default: every pulled model) against its manifest.

    A changed, missing or extra file is named; exit status 1 if any.
    """
    from pipeline.store import verify_model

    failed = False
    for model, check in verify_model(name, report=_say):
        if check.ok:
            click.echo(f"{model}: ok ({check.checked} files)")
        else:
            failed = True
            click.echo(f"{model}: FAILED")
            for problem in check.problems():
                click.echo(f"    {problem}")
    if failed:
        click.get_current_context().exit(1)


@models.command()
@click.argument("name")
def path(name: str) -> None:
    """Print the folder model NAME (preset, hub id or folder) loads from; never downloads."""
    from pipeline.store import model_path

    click.echo(model_path(name))


@models.command(name="export")
@click.argument("name")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=str))
def export_command(name: str, archive: str) -> None:
    """Write pulled model NAME, verified, with its manifest to ARCHIVE (.tar, or .tar.gz) to carry across."""
    from pipeline.store import export_model

    click.echo(export_model(name, archive, report=_say))


@models.command(name="import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=str))
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Models folder to install into; default $BRIEF_MODELS_DIR.")
@click.option("--force", is_flag=True, help="Replace a model of the same name already installed.")
def import_command(archive: str, to: str | None, force: bool) -> None:
    """Install a model ARCHIVE from `brief models export`; every file is checked before anything is installed."""
    from pipeline.store import import_model

    target, manifest = import_model(archive, models_dir=to, force=force, report=_say)
    click.echo(f"{manifest.name} ({manifest.hub_id}@{manifest.revision[:12]}): {target}")
