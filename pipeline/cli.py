"""The ``brief`` command line: a thin layer that reads options, calls one library function and prints.

Library functions raise ``pipeline.errors.BriefError`` for problems a user can fix; ``main`` turns them into
one line on stderr and the error's exit code. No traceback reaches the user for bad input. Every command
exits by one rule (``EXIT_CODES``, in the README).
"""

from __future__ import annotations

import json
import signal
import sys

import click

from pipeline import __version__
from pipeline.errors import BriefError


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def printable(text: str) -> str:
    """``text`` safe to print: a file name that is not valid UTF-8 (a GBK name, read as lone surrogates) is
    shown with its bytes escaped (\\xd6\\xd0.txt) instead of crashing the print."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# One rule for every command (issue 13).
EXIT_CODES = {
    0: "done",
    1: "some inputs failed, or issues found (brief check)",
    2: "usage or input error: a bad option, no input could be used, a missing or damaged model, outputs or "
       "memory that cannot be written",
    130: "interrupted (Ctrl-C)",
    143: "terminated (SIGTERM)",
}

# The packages of the `models` extra (and torch, installed first): a base install runs segment, figures
# and check without them.
MODEL_MODULES = {"torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub", "google"}


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, systemd, ``docker stop``), raised where the process is, so that it cleans up as
    on Ctrl-C: temporary files removed, claims released, the memory closed."""


def _terminate(signum, frame) -> None:
    raise Terminated


class _BriefGroup(click.Group):
    """A click group that turns the library's ``BriefError`` into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BriefError as e:
            click.echo(f"brief: error: {printable(str(e))}", err=True)
            ctx.exit(e.exit_code)
        except ModuleNotFoundError as e:
            if (e.name or "").split(".")[0] not in MODEL_MODULES:
                raise
            click.echo(f"brief: error: {ctx.invoked_subcommand} needs {e.name}, which is not installed; install the "
                       "model extras: pip install torch==2.13.0 && pip install 'bilingual-brief[models]'", err=True)
            ctx.exit(2)
        except Terminated:
            click.echo("brief: terminated", err=True)
            ctx.exit(143)
        except KeyboardInterrupt:
            click.echo("brief: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=_BriefGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="brief")
def cli() -> None:
    """bilingual-brief: Chinese news and reports into English, every figure checked against the source.

    \b
    Typical use:
      brief segment article.txt            outline of the article's structure
      brief figures article.txt            every figure in a Chinese text
      brief check source.txt english.txt   check a translation's figures against the source
      brief translate articles/ -o out/    translate a folder of articles
      brief summarize article.txt          executive and section summaries
      brief run article.txt -o briefs/     the bilingual brief: Markdown, HTML, Word, JSON
    """


@cli.command()
@click.argument("article", type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the structure as JSON (the contract other tools read).")
@click.option("--clause-budget", type=click.IntRange(min=8), default=None,
              help="Also split sentences longer than this many characters into clauses (as the model sees them).")
def segment(article: str, as_json: bool, clause_budget: int | None) -> None:
    """Print the structure of a Chinese ARTICLE: title, subtitle, byline, epigraph, sections, captions.

    Paragraphs broken by page or PDF extraction are joined back; every paragraph is split into sentences.
    """
    from pipeline.segment import document_to_json, format_outline, segment_file

    document = segment_file(article)
    if as_json:
        _print_json(document_to_json(document, clause_budget=clause_budget))
    else:
        click.echo(format_outline(document, clause_budget=clause_budget))


def _translation_options(command):
    """The options of every command that translates (``translate``, ``run``): model, engine, decoding,
    glossary, translation memory, resume and timings."""
    options = [
        click.option("--model", default=None, metavar="ID_OR_DIR",
                     help="Model preset, Hugging Face hub id or checkpoint directory (default: the opus-mt-zh-en "
                          "preset)."),
        click.option("--backend", type=click.Choice(["transformers", "ctranslate2"]), default=None,
                     help="Inference engine. ctranslate2 converts the checkpoint to int8 once and reuses it (the "
                          "fast CPU path). Default: ctranslate2 when a converted copy is cached, else transformers."),
        click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
                     help="Where the model runs."),
        click.option("--beam", type=click.IntRange(1, 32), default=None, help="Beam size (default: the model "
                                                                               "preset's)."),
        click.option("--batch-tokens", type=click.IntRange(min=16), default=4096, show_default=True,
                     help="Padded source tokens per batch (longest unit x units): larger is faster until memory "
                          "runs out."),
        click.option("--glossary", type=click.Path(dir_okay=False, path_type=str), default=None,
                     help="Your glossary, TSV lines 'Chinese<TAB>English' ('#' comments); it wins over the built-in "
                          "one. A line with no English names a person to romanise."),
        click.option("--tm", "tm_path", type=click.Path(dir_okay=False, path_type=str), default=None,
                     help="Translation memory file (default: $BRIEF_CACHE_DIR/tm.sqlite3, else in the user cache "
                          "folder)."),
        click.option("--no-tm", is_flag=True, help="Do not read or write the translation memory."),
        click.option("--force", is_flag=True, help="Run again even where the outputs are up to date (outputs you "
                     "edited are still kept; see --overwrite-edits)."),
        click.option("--overwrite-edits", is_flag=True,
                     help="Run again articles whose outputs you edited by hand; each edited file is kept beside the "
                          "new one as NAME.en.edited-<time>.txt."),
        click.option("--offline", is_flag=True, default=None,
                     help="Never download a model (as HF_HUB_OFFLINE=1); a model not on disk is an error."),
        click.option("--timings", is_flag=True,
                     help="Print the seconds spent per stage (segment, load, translate, summarise, check, render)."),
        click.option("-q", "--quiet", is_flag=True,
                     help="Print only errors and notices: no list of articles, no closing line."),
        click.option("-v", "--verbose", is_flag=True,
                     help="Also list the articles up to date, and each flagged sentence with its flags."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def ray_options(command):
    """Add --ray [ADDRESS], --workers, --cpus-per-worker and --gpus-per-worker to a command over articles (its
    function takes them as ``ray_address``, ``workers``, ``cpus_per_worker``, ``gpus_per_worker``)."""
    options = [
        click.option("--ray", "ray_address", is_flag=False, flag_value="local", default=None, metavar="[ADDRESS]",
                     help="Run on Ray: alone (or 'local') a Ray instance on this machine; 'auto' or "
                          "ray://HOST:PORT a running cluster. Needs the ray extra: "
                          "pip install 'bilingual-brief[ray]'."),
        click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                     help="With --ray: workers, each holding one copy of the model."),
        click.option("--cpus-per-worker", type=click.IntRange(min=1), default=1, show_default=True,
                     help="With --ray: CPU cores reserved for (and threads used by) each worker."),
        click.option("--gpus-per-worker", type=click.FloatRange(min=0), default=0, show_default=True,
                     help="With --ray: GPUs for each worker (0.5: two workers share a GPU); use with --device cuda."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _run_batch(inputs: tuple[str, ...], outdir: str | None, formats, *, model: str | None, backend: str | None,
               device: str, beam: int | None, batch_tokens: int, glossary: str | None, tm_path: str | None,
               no_tm: bool, force: bool, overwrite_edits: bool, offline: bool | None, timings: bool,
               ray_address: str | None = None, workers: int = 1, cpus_per_worker: int = 1,
               gpus_per_worker: float = 0, quiet: bool = False, verbose: bool = False, **batch) -> None:
    """Load what the options name, run ``pipeline.batch.translate_files`` and print its report (``batch``:
    further arguments for it: stages, summarizer_factory, stamp_extra)."""
    from pipeline.batch import translate_files
    from pipeline.errors import UsageError
    from pipeline.loaders import load_translator
    from pipeline.memory import TranslationMemory
    from pipeline.models import describe_model
    from pipeline.terminology import load_glossary
    from pipeline.translate import TranslateOptions

    if tm_path and no_tm:
        raise UsageError("--tm and --no-tm contradict each other; give one")
    if quiet and verbose:
        raise UsageError("--quiet and --verbose contradict each other; give one")
    terms = load_glossary(glossary)
    memory = None if no_tm else TranslationMemory(tm_path)
    plans = []  # describe_model's answer, if asked, so that loading does not find and hash the model again

    def describe():
        plans.append(describe_model(model, backend, device, offline=offline))
        return plans[-1]

    options = TranslateOptions(beam_size=beam, memory=memory, glossary=terms, batch_tokens=batch_tokens)
    try:
        if ray_address is not None:
            from pipeline.distributed import ray_translator_factory, translate_files_ray

            if overwrite_edits or "-" in inputs:
                raise UsageError("--ray reads files and folders and keeps edited outputs; run without --ray for "
                                 "standard input or --overwrite-edits")
            report = translate_files_ray(
                inputs, outdir, translator_factory=ray_translator_factory(model, backend, plans, device, offline,
                                                                          cpus_per_worker),
                describe=describe, options=options, formats=formats, force=force,
                cluster=_cluster(ray_address, workers, cpus_per_worker, gpus_per_worker), progress=_progress(True),
                **batch)
        else:
            report = translate_files(
                inputs, outdir,
                translator_factory=lambda: load_translator(model, backend, device, offline=offline,
                                                           plan=plans[-1] if plans else None),
                describe=describe, options=options, formats=formats, force=force, overwrite_edits=overwrite_edits,
                progress=_progress(False), stream=sys.stdout.buffer, **batch,
            )
    finally:
        if memory is not None:
            memory.close()
    to_stdout = "-" in inputs and outdir is None  # stdout holds the English then: the report goes to stderr
    if not quiet:
        for line in report.article_lines(verbose=verbose):
            click.echo(printable(line), err=to_stdout)
        click.echo(report.summary(), err=to_stdout)
    if timings:
        click.echo(report.timings_line(), err=to_stdout)
    for outcome in report.outcomes:
        if outcome.note:
            click.echo(f"brief: kept: {printable(outcome.note)}", err=True)
    for failure in report.failures:
        click.echo(f"brief: failed: {printable(failure.error)}", err=True)
    if report.stopped is not None:
        click.echo(f"brief: error: {printable(report.stopped)}", err=True)
    if report.exit_code:
        click.get_current_context().exit(report.exit_code)


def _cluster(address: str, workers: int, cpus_per_worker: int, gpus_per_worker: float):
    """The ``pipeline.distributed.Cluster`` that ``ray_options``' values name."""
    from pipeline.distributed import Cluster, cluster_address

    return Cluster(cluster_address(address), workers, cpus_per_worker, gpus_per_worker)


def _progress(ray: bool):
    """Progress bars on a terminal, none otherwise."""
    from pipeline.batch import BatchProgress, TqdmProgress

    if not sys.stderr.isatty():
        return BatchProgress()
    if ray:
        from pipeline.distributed import RayProgress

        return RayProgress()
    return TqdmProgress()


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Folder for the outputs (default: next to each input). Files found in a folder keep their "
                   "subfolders under it; two inputs with the same name keep their folder structure.")
@click.option("--format", "formats", multiple=True, type=click.Choice(["txt", "jsonl", "tsv"]),
              help="Output to write; repeat for several: txt (NAME.en.txt, the English), jsonl "
                   "(NAME.aligned.jsonl, one object per sentence), tsv (NAME.aligned.tsv). Default: txt and jsonl; "
                   "giving --format replaces the default.")
@_translation_options
@ray_options
def translate(inputs: tuple[str, ...], outdir: str | None, formats: tuple[str, ...], **settings) -> None:
    """Translate Chinese articles into English, sentence by sentence, with the alignment kept.

    INPUTS are article files, or folders searched recursively for *.txt; - reads standard input and, without
    -o, writes the English to standard output (the aligned JSONL with --format jsonl). Per article it writes
    NAME.en.txt and NAME.aligned.jsonl (see --format), then NAME.run.json: the model id, revision and
    backend, the decoding settings, a hash of the glossary, the package version, and the sha256 of the input
    as read and of each output as written. An article is skipped as up to date only when those hashes
    match the files now and the settings match. An output you edited is never overwritten (see
    --overwrite-edits). Two runs on one folder share the articles. A bad file is reported and the batch
    goes on. Exit status: 0 all done, 1 some inputs failed, 2 a usage or input error (no input could be
    used, a missing or damaged model, outputs or memory that cannot be written), 130 interrupted, 143
    terminated.
    """
    _run_batch(inputs, outdir, formats, **settings)


def _split_formats(formats: tuple[str, ...]) -> list[str]:
    """``("md,html", "json")`` -> ``["md", "html", "json"]``; an unknown name is a usage error listing the choices."""
    from pipeline.errors import UsageError
    from pipeline.outputs import BRIEF_FORMATS, OUTPUT_FORMATS

    names = [name.strip().lower() for value in formats for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in OUTPUT_FORMATS]
    if unknown:
        raise UsageError(f"unknown --format {unknown[0]!r}; choose from: {', '.join(OUTPUT_FORMATS)} "
                         f"(the brief: {','.join(BRIEF_FORMATS)})")
    return names or list(BRIEF_FORMATS)


@cli.command(name="run")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--outdir", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Folder for the briefs (default: next to each input).")
@click.option("--format", "formats", multiple=True, metavar="LIST",
              help="Comma-separated outputs: md (NAME.brief.md), html (NAME.brief.html, one self-contained file), "
                   "docx (NAME.brief.docx, Word), json (NAME.brief.json, under brief.schema.json); also txt, jsonl, "
                   "tsv as in 'brief translate'. Default: md,html,docx,json.")
@click.option("--summarizer", default="extractive", show_default=True, metavar="extractive|PRESET|DIR",
              help="How sections are summarised: extractive (the article's own sentences, no extra model), or a "
                   "summariser preset or model directory (figures in its sentences are checked).")
@_translation_options
@ray_options
def run_command(inputs: tuple[str, ...], outdir: str | None, formats: tuple[str, ...], summarizer: str,
                **settings) -> None:
    """Write a bilingual brief per Chinese article: summaries, key figures checked, the full text side by side.

    INPUTS are article files, or folders searched recursively for *.txt. Each article is translated (with the
    translation memory, guards and glossary of 'brief translate'), its figures checked and its sections
    summarised; per article it writes NAME.brief.md, .html, .docx and .json (see --format), each whole or
    not at all, then NAME.run.json. Up-to-date briefs are skipped; a bad file is reported and the batch goes
    on. Exit status: 0 all done, 1 some inputs failed, 2 a usage or input error, 130 interrupted, 143
    terminated.
    """
    from pipeline.api import BRIEF_STAGES
    from pipeline.loaders import load_summarizer

    summarizer_factory = None
    if summarizer != "extractive":
        def summarizer_factory():
            return load_summarizer(summarizer, settings["backend"], settings["device"], offline=settings["offline"])

    _run_batch(inputs, outdir, _split_formats(formats), stages=BRIEF_STAGES, summarizer_factory=summarizer_factory,
               stamp_extra={"stages": list(BRIEF_STAGES), "summarizer": summarizer}, **settings)


@cli.command()
@click.argument("article", type=click.Path(dir_okay=True, path_type=str))
@click.option("--json", "as_json", is_flag=True,
              help="Print the figures as a JSON list (text, kind, value, approx, unit, start, end, line, soft).")
def figures(article: str, as_json: bool) -> None:
    """Print every figure in a Chinese ARTICLE: kind, normalised value, approximation, unit and line.

    Slogans built on a number (四同, "3+1") and idiomatic uses (一年来) are listed as soft.
    """
    from pipeline.figures.report import figures_file, figures_to_json, format_figures

    text, found = figures_file(article)
    if as_json:
        _print_json(figures_to_json(text, found))
    else:
        click.echo(format_figures(text, found))


@cli.command(name="check")
@click.argument("source", type=click.Path(dir_okay=True, path_type=str))
@click.argument("translation", type=click.Path(dir_okay=True, path_type=str))
@click.option("--aligned", is_flag=True,
              help="Line i of TRANSLATION translates line i of SOURCE (else whole documents are aligned).")
@click.option("--json", "as_json", is_flag=True,
              help="Print the verdicts as JSON: segments (line, issues, warnings) and a summary.")
def check_command(source: str, translation: str, aligned: bool, as_json: bool) -> None:
    """Check the figures of an English TRANSLATION against its Chinese SOURCE.

    Reports figures missing from the translation, figures changed (digit, scale, unit), figures the
    translation has and the source does not, and (as warnings) approximations lost. Exit code: 0 no
    issues, 1 issues found, 2 usage or input error.
    """
    from pipeline.figures.report import check_files, format_report, report_to_json

    report = check_files(source, translation, aligned=aligned)
    if as_json:
        _print_json(report_to_json(report))
    else:
        click.echo(format_report(report))
    if report.flagged:
        click.get_current_context().exit(1)


# --- brief summarize ----------------------------------------------------------------------------------------

@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--sentences", type=click.IntRange(min=1), default=None,
              help="Sentences per section summary (default: models/extractive.toml's budget).")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON Lines, one object per input: path, executive_summary [{zh, en, start, end}], "
                   "sections [{heading, level, summary}].")
@click.option("--summarizer", default="extractive", show_default=True, metavar="extractive|PRESET|DIR",
              help="extractive (no model), a summariser preset (flan-t5-base, distilbart-cnn-12-6, bart-large-cnn), "
                   "a hub id or a checkpoint directory. A model needs --model: it summarises the English.")
@click.option("--model", default=None, metavar="ID_OR_DIR",
              help="Translate first with this model (preset, hub id or directory): summaries in English. "
                   "Without it the summaries are the Chinese sentences.")
@click.option("--backend", type=click.Choice(["transformers", "ctranslate2"]), default=None,
              help="Inference engine for both models (default: ctranslate2 when a converted copy is cached).")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="Where the models run.")
@click.option("--offline", is_flag=True, default=None, help="Never download a model (as HF_HUB_OFFLINE=1).")
def summarize(inputs: tuple[str, ...], sentences: int | None, as_json: bool, summarizer: str, model: str | None,
              backend: str | None, device: str, offline: bool | None) -> None:
    """Summarise Chinese articles: an executive summary and a short summary per section.

    INPUTS are article files, or folders searched recursively for *.txt. Extractive by default: the best
    sentences of each section, which need no model. A bad file is reported and the batch goes on. Exit
    status: 0 all done, 1 some inputs failed, 2 a usage or input error (no input could be used).
    """
    from pipeline.batch import summarize_files
    from pipeline.errors import UsageError
    from pipeline.loaders import load_summarizer, load_translator
    from pipeline.summarize import format_summary, summary_options, summary_to_json

    if summarizer != "extractive" and model is None:
        raise UsageError("--summarizer with a model summarises the English: give --model to translate first")
    outcomes = summarize_files(
        inputs,
        translator_factory=(lambda: load_translator(model, backend, device, offline=offline)) if model else None,
        summarizer=load_summarizer(summarizer, backend, device, offline=offline),
        options=summary_options(sentences=sentences),
    )
    failed = done = 0
    for outcome in outcomes:
        if outcome.error is not None:
            failed += 1
            click.echo(f"brief: failed: {printable(outcome.error)}", err=True)
            continue
        done += 1
        if as_json:
            click.echo(json.dumps(summary_to_json(outcome.document), ensure_ascii=False))
        else:
            click.echo(format_summary(outcome.document))
    if failed:  # EXIT_CODES: 1 when some inputs failed, 2 when none could be used
        click.get_current_context().exit(1 if done else 2)


def _add_models_group() -> None:
    from pipeline.cli_models import models

    cli.add_command(models)


_add_models_group()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``brief`` console script."""
    signal.signal(signal.SIGTERM, _terminate)
    # Over the file-size limit (ulimit -f) a write fails with EFBIG, which names the cause, instead of the
    # signal killing the process with a half-written file.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        cli.main(args=argv, prog_name="brief")
    except BrokenPipeError:  # `brief ... | head`: the reader left; nothing more to say
        sys.exit(0)
