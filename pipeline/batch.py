"""The batch layer of ``brief translate`` and ``brief run``: files and folders in, aligned Chinese/English
(or the bilingual brief) out.

reads: article files; writes per article the outputs of ``pipeline.outputs`` (``NAME.en.txt``,
``NAME.aligned.jsonl``, on request ``NAME.aligned.tsv``) and a run stamp ``NAME.run.json``. This module is
only the file side: finding inputs, stamps and resume, atomic writes, progress and failures. Each article
goes through the stages of ``pipeline.run.run_document`` (translate, then the figure check); outputs are
written atomically; finished articles are skipped on a re-run; a bad file is recorded and the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipeline.document import Document
from pipeline.engine import Decoding, Translator
from pipeline.errors import InputError, UsageError
from pipeline.memory import model_identity
from pipeline.outputs import DEFAULT_FORMATS, OUTPUT_FORMATS
from pipeline.run import DEFAULT_STAGES, RunContext, run_document
from pipeline.terminology import Glossary
from pipeline.translate import TranslateOptions, TranslateStats

STAMP_SUFFIX = ".run.json"
# The stamp fields that must match for earlier outputs to stand (the model is compared by
# ``model_identity``: its revision when that is a hash).
_SETTINGS = ("brief_version", "backend", "decoding", "glossary", "clause_budget")


# --- files ------------------------------------------------------------------------------------------------

def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8, or bytes) to ``path`` through a temporary file in the same folder and
    ``os.replace``: a reader (or a resumed batch) sees the old file or the whole new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    handle = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            handle.write(data)
        # NamedTemporaryFile creates its file 0600; an output is an ordinary file, so give it the mode of the
        # file it replaces, or what the umask gives a new file (0644 under the usual 022).
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(handle.name, mode)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    # The only portable way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- the batch layer --------------------------------------------------------------------------------------

@dataclass
class Article:
    """One input file and where its outputs go (``base`` + suffix per format)."""

    path: Path
    base: Path

    def outputs(self, formats: Iterable[str]) -> list[Path]:
        return [self.base.with_name(self.base.name + OUTPUT_FORMATS[f].suffix) for f in formats]

    @property
    def stamp_path(self) -> Path:
        """``NAME.run.json``: what made the outputs (see ``run_stamp``), written after them."""
        return self.base.with_name(self.base.name + STAMP_SUFFIX)


@dataclass
class Outcome:
    """What happened to one input: 'translated', 'skipped' (outputs up to date) or 'failed' (with why)."""

    path: str
    status: Literal["translated", "skipped", "failed"]
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    sentences: int = 0
    flagged: int = 0


@dataclass
class BatchReport:
    """Every input's outcome, in input order, and counts of the translate calls."""

    outcomes: list[Outcome] = field(default_factory=list)
    stats: TranslateStats = field(default_factory=TranslateStats)
    # Seconds per stage over the batch: segment, load (the models), the stages run, render (and write).
    timings: dict[str, float] = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        """One line: how many articles were translated, skipped, failed, and sentences flagged."""
        flagged = sum(o.flagged for o in self.outcomes)
        sentences = sum(o.sentences for o in self.outcomes)
        return (f"{self.count('translated')} translated, {self.count('skipped')} up to date, "
                f"{self.count('failed')} failed; {sentences} sentences, {flagged} with QA flags; "
                f"{self.stats.from_memory} units from the translation memory, {self.stats.translated} by the model")

    def timings_line(self) -> str:
        """Where the time went, per stage, e.g. 'segment 0.04 s (0.1%), ..., render 0.3 s (0.9%); ...'."""
        return format_timings(self.timings)


# How ``format_timings`` names each stage, in run order (a stage not listed keeps its own name).
TIMING_LABELS = {"segment": "segment", "load": "load models", "translate": "translate", "summarize": "summarise",
                 "figures": "check", "render": "render"}


def format_timings(timings: dict[str, float]) -> str:
    """Seconds per stage and share of the total, then the share of checking and rendering together."""
    total = sum(timings.values())
    if not total:
        return "timings: nothing was run"
    names = [*(n for n in TIMING_LABELS if n in timings), *(n for n in timings if n not in TIMING_LABELS)]
    parts = [f"{TIMING_LABELS.get(n, n)} {timings[n]:.2f} s ({100 * timings[n] / total:.1f}%)" for n in names]
    late = timings.get("figures", 0.0) + timings.get("render", 0.0)
    return f"timings: {', '.join(parts)}; total {total:.2f} s; check + render {100 * late / total:.1f}% of the run"


class BatchProgress:
    """Hooks ``translate_files`` calls as it goes; this base class does nothing (see ``TqdmProgress``)."""

    def start(self, articles: int) -> None: ...

    def article(self, path: Path, sentences: int) -> None: ...

    def sentences(self, n: int) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...

    def close(self) -> None: ...


class TqdmProgress(BatchProgress):
    """Two tqdm bars on stderr: articles, and the sentences of the current article (with rate and ETA)."""

    def __init__(self) -> None:
        self._articles = None
        self._sentences = None

    def start(self, articles: int) -> None:
        from tqdm import tqdm

        self._articles = tqdm(total=articles, unit="article", position=0, dynamic_ncols=True)
        self._sentences = tqdm(total=0, unit="sent", position=1, leave=False, dynamic_ncols=True)

    def article(self, path: Path, sentences: int) -> None:
        self._sentences.reset(total=sentences)
        self._sentences.set_description(path.name[:30])

    def sentences(self, n: int) -> None:
        self._sentences.update(n)

    def finished(self, outcome: Outcome) -> None:
        self._articles.update(1)

    def close(self) -> None:
        for bar in (self._sentences, self._articles):
            if bar is not None:
                bar.close()


def collect_inputs(inputs: Iterable[str | Path], outdir: str | Path | None) -> tuple[list[Article], list[Outcome]]:
    """The articles to translate, and an outcome 'failed' for each input that is no file or folder of *.txt.

    Folders are searched recursively for ``*.txt`` (sorted; hidden files and this tool's own ``*.en.txt``
    outputs left out). With ``outdir``, a file given by name is written to ``outdir/NAME.*`` and a file
    found in a folder to the same subfolder under ``outdir``; without it, outputs go next to each input.
    No two inputs ever share an output name: when some would, every input mirrors its path below the
    inputs' common folder; inputs that still clash (``x.txt`` and ``x.md`` in one folder) keep their
    extension in the name (``x.md.en.txt``), and an input that clashes even then fails with a one-line error.
    """
    found: list[tuple[Path, Path]] = []  # (file, its path relative to the argument that named it)
    failed: list[Outcome] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.txt") if p.is_file() and not _skipped(p.relative_to(path)))
            if not files:
                failed.append(Outcome(str(path), "failed", error=f"{path}: no .txt files in this folder"))
            found.extend((p, p.relative_to(path)) for p in files)
        elif path.exists():
            found.append((path, Path(path.name)))
        else:
            failed.append(Outcome(str(path), "failed", error=f"{path}: no such file or folder"))
    unique: dict[Path, tuple[Path, Path]] = {}
    for path, relative in found:
        unique.setdefault(path.resolve(), (path, relative))
    entries = list(unique.items())
    paths = [path for _, (path, _) in entries]
    if outdir is None:
        folders = [path.parent for path in paths]
    else:
        outdir = Path(outdir)
        folders = [outdir / relative.parent for _, (_, relative) in entries]
        if _clashes([folder / path.stem for folder, path in zip(folders, paths)]):
            # Mirror every input, not only the clashing ones: mirroring some could land one on the name
            # another keeps (d3/a.txt, d3/x/a.txt and x/a.txt: x/a.txt mirrored is d3/x/a.txt's x/a).
            root = Path(os.path.commonpath([str(resolved.parent) for resolved, _ in entries]))
            folders = [outdir / resolved.parent.relative_to(root) for resolved, _ in entries]
    bases = [folder / path.stem for folder, path in zip(folders, paths)]
    clashing = _clashes(bases)
    if clashing:
        # Left: inputs in one folder that differ only in their extension. The .txt one keeps the short name
        # (its outputs stay where an earlier run put them); the others keep their extension.
        bases = [folder / path.name if i in clashing and path.suffix.lower() != ".txt" else base
                 for i, (folder, path, base) in enumerate(zip(folders, paths, bases))]
    articles: list[Article] = []
    owners: dict[Path, Path] = {}
    inputs = {path.resolve(): path for path in paths}
    for path, base in zip(paths, bases):
        owner = owners.setdefault(_name_key(base), path)
        article = Article(path, base)
        overwritten = [inputs[p.resolve()] for p in [*article.outputs(OUTPUT_FORMATS), article.stamp_path]
                       if p.resolve() in inputs]
        if owner is not path:
            failed.append(Outcome(str(path), "failed", error=f"{path}: its outputs would overwrite those of "
                                                           f"{owner} ({base.name}.*); rename one of them"))
        elif overwritten:  # x.txt beside x.en.txt given as an input: never write over an input
            failed.append(Outcome(str(path), "failed", error=f"{path}: its output would overwrite the input "
                                                           f"{overwritten[0]}; rename one of them or use -o"))
        else:
            articles.append(article)
    return articles, failed


def _name_key(base: Path) -> Path:
    # Two spellings of one folder (out/ and ./out/, a symlink) are one place.
    return base.parent.resolve() / base.name


def _clashes(bases: list[Path]) -> set[int]:
    """Indexes of the bases that some other base equals."""
    seen: dict[Path, list[int]] = {}
    for i, base in enumerate(bases):
        seen.setdefault(_name_key(base), []).append(i)
    return {i for group in seen.values() if len(group) > 1 for i in group}


def _skipped(relative: Path) -> bool:
    return relative.name.endswith(OUTPUT_FORMATS["txt"].suffix) or any(part.startswith(".") for part in relative.parts)


def glossary_hash(glossary: Glossary | None) -> str:
    """A short hash of a glossary's entries (terms and names), for run stamps."""
    glossary = glossary or Glossary()
    data = json.dumps([sorted(glossary.terms.items()), sorted(glossary.names.items())], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:16]


def run_stamp(model, options: TranslateOptions) -> dict:
    """The settings that make an article's outputs what they are: ``model`` (a loaded ``Translator`` or a
    ``pipeline.models.ModelPlan``: id, revision, backend, default decoding), the decoding and glossary of
    ``options``, and the package version."""
    from pipeline import __version__

    decoding: Decoding = options.decoding_for(model)
    return {"brief_version": __version__, "model_id": model.model_id, "revision": model.revision,
            "backend": model.backend, "decoding": json.loads(decoding.key()),
            "glossary": glossary_hash(options.glossary), "clause_budget": options.clause_budget}


def same_settings(stamp: dict, current: dict, extra: dict | None = None) -> bool:
    """True when outputs stamped ``stamp`` are what a run with ``current`` settings would write (``extra``:
    the further settings of this run, compared as they are)."""
    return (all(stamp.get(k) == current[k] for k in [*_SETTINGS, *(extra or {})])
            and model_identity(str(stamp.get("model_id")), str(stamp.get("revision")))
            == model_identity(current["model_id"], current["revision"]))


def read_stamp(article: Article, formats: Iterable[str]) -> dict | None:
    """The article's run stamp if its outputs may be up to date: the stamp is newer than the input, names
    every requested output, and those exist. None otherwise (and for a stamp that cannot be read)."""
    try:
        if article.stamp_path.stat().st_mtime < article.path.stat().st_mtime:
            return None
        stamp = json.loads(article.stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or not isinstance(stamp.get("outputs"), list):
        return None
    wanted = article.outputs(formats)
    if not all(p.name in stamp["outputs"] and p.is_file() for p in wanted):
        return None
    return stamp


def translate_files(
    inputs: Iterable[str | Path],
    outdir: str | Path | None,
    *,
    translator_factory: Callable[[], Translator],
    describe: Callable[[], object] | None = None,
    options: TranslateOptions | None = None,
    formats: Iterable[str] = DEFAULT_FORMATS,
    force: bool = False,
    progress: BatchProgress | None = None,
    stages: Iterable[str] = DEFAULT_STAGES,
    summarizer_factory: Callable[[], object] | None = None,
    stamp_extra: dict | None = None,
) -> BatchReport:
    """Translate articles (files, or folders searched for *.txt) and write their outputs; never stops at a
    bad file.

    Per article: ``NAME.en.txt``, ``NAME.aligned.jsonl`` and/or ``NAME.aligned.tsv`` (``formats``), each
    written atomically, then ``NAME.run.json`` (``run_stamp`` and the outputs' names), written last. An
    article is skipped as up to date, unless ``force``, only when its ``NAME.run.json`` is newer than it,
    names every requested output (all present) and matches the current model, decoding, glossary and
    package version. A file that cannot be read or holds no Chinese is recorded as failed and the batch
    goes on. ``translator_factory`` is called once, just before the first article that needs the model;
    its errors (a missing model: ``ModelNotFoundError``) propagate and end the batch. ``describe`` (e.g.
    ``pipeline.models.describe_model``) gives the model's id, revision, backend and default decoding
    without loading it, to compare with earlier stamps; without it the model is loaded for that.
    ``options`` (``pipeline.translate.TranslateOptions``) says how to translate. ``stages`` are the
    stages of ``pipeline.run`` each article goes through; ``formats`` name outputs of
    ``pipeline.outputs.OUTPUT_FORMATS``. ``summarizer_factory``, if given, loads the summarize stage's model
    once, like the translator; ``stamp_extra`` holds further settings that make the outputs what they are
    (the summariser, say): they are written into each stamp, and a stamp that differs is not up to date.
    """
    from pipeline.segment import segment_file

    options = options or TranslateOptions()
    formats = list(dict.fromkeys(formats)) or list(DEFAULT_FORMATS)
    unknown = [f for f in formats if f not in OUTPUT_FORMATS]
    if unknown:
        raise UsageError(f"unknown output format {unknown[0]!r}; choose from: {', '.join(OUTPUT_FORMATS)}")
    stages = list(stages)
    extra = dict(stamp_extra or {})
    articles, failed = collect_inputs(inputs, outdir)
    report = BatchReport()
    progress = progress or BatchProgress()
    context = RunContext(options=options, progress=progress.sentences, stats=report.stats, timings=report.timings)
    stamps = {} if force else {id(a): s for a in articles if (s := read_stamp(a, formats)) is not None}
    current = None
    if stamps:
        # Earlier outputs stand only if this run would write the same: compare with what the model is.
        if describe is not None:
            model = describe()
        else:
            started = time.perf_counter()
            model = context.translator = translator_factory()
            context.timed("load", time.perf_counter() - started)
        current = {**run_stamp(model, options), **extra}
    progress.start(len(articles))
    try:
        for article in articles:
            outputs = [str(p) for p in article.outputs(formats)]
            try:
                if id(article) in stamps and same_settings(stamps[id(article)], current, extra):
                    outcome = Outcome(str(article.path), "skipped", outputs)
                else:
                    started = time.perf_counter()
                    document = segment_file(article.path)
                    context.timed("segment", time.perf_counter() - started)
                    sentences = list(document.sentences())
                    started = time.perf_counter()
                    if context.translator is None:
                        context.translator = translator_factory()
                    if summarizer_factory is not None and context.summarizer is None:
                        context.summarizer = summarizer_factory()
                    context.timed("load", time.perf_counter() - started)
                    progress.article(article.path, len(sentences))
                    run_document(document, context, stages)
                    started = time.perf_counter()
                    rendered = {fmt: OUTPUT_FORMATS[fmt].render(document) for fmt in formats}
                    _write_outputs(article, formats, rendered, {**run_stamp(context.translator, options), **extra})
                    context.timed("render", time.perf_counter() - started)
                    outcome = Outcome(str(article.path), "translated", outputs, sentences=len(sentences),
                                      flagged=sum(1 for s in sentences if s.flags))
            except InputError as e:
                outcome = Outcome(str(article.path), "failed", error=str(e))
            except OSError as e:  # writing the outputs: disk full, no permission
                outcome = Outcome(str(article.path), "failed", error=f"{article.path}: cannot write outputs: {e}")
            report.outcomes.append(outcome)
            progress.finished(outcome)
    finally:
        progress.close()
    report.outcomes.extend(failed)
    return report


def _write_outputs(article: Article, formats: list[str], rendered: dict[str, str | bytes], stamp: dict) -> None:
    """Write an article's rendered outputs, each atomically, then its stamp.

    The stamp goes first and comes back last: outputs without a stamp are never up to date, whatever their
    times say (an interrupted --force leaves new and old files side by side).
    """
    article.stamp_path.unlink(missing_ok=True)
    for fmt, path in zip(formats, article.outputs(formats)):
        write_atomic(path, rendered[fmt])
    stamp = {**stamp, "outputs": [p.name for p in article.outputs(formats)]}
    write_atomic(article.stamp_path, json.dumps(stamp, ensure_ascii=False, indent=2) + "\n")


# --- summaries only (``brief summarize``) -----------------------------------------------------------------

@dataclass
class SummaryOutcome:
    """One input of ``summarize_files``: its summarised document, or the one-line error that stopped it."""

    path: str
    document: Document | None = None
    error: str | None = None


def summarize_files(inputs: Iterable[str | Path], *, translator_factory: Callable[[], Translator] | None = None,
                    summarizer=None, options=None) -> Iterable[SummaryOutcome]:
    """Summarise each article of ``inputs`` (files, or folders searched for ``*.txt``), one outcome each, in order.

    With ``translator_factory`` the articles are translated first (loaded once, at the first article), and the
    summaries carry English; without, they are extractive Chinese sentences (``en`` None). ``summarizer`` and
    ``options`` go to the summarize stage. A bad input (``InputError``: missing, binary, no Chinese...) is an
    outcome with its error and the batch goes on; a problem with the models or options stops it. Writes nothing.
    """
    from pipeline.segment import segment_file

    articles, failed = collect_inputs(inputs, None)
    for outcome in failed:
        yield SummaryOutcome(outcome.path, error=outcome.error)
    context = RunContext(summarizer=summarizer, summary_options=options)
    stages = ["translate", "summarize"] if translator_factory is not None else ["summarize"]
    for article in articles:
        try:
            document = segment_file(article.path)
        except InputError as e:
            yield SummaryOutcome(str(article.path), error=str(e))
            continue
        if translator_factory is not None and context.translator is None:
            context.translator = translator_factory()  # a missing model stops the batch: UsageError, not per file
        yield SummaryOutcome(str(article.path), run_document(document, context, stages))
