"""Beyond one machine: the batch layer's articles translated on a Ray cluster by Ray Data.

reads: article files (on the driver); writes: what ``pipeline.batch.translate_files`` writes, byte for byte
(per article its outputs and ``NAME.run.json``; the new entries of the translation memory).

The driver (this process) finds the inputs and decides what is up to date with the batch layer's own
functions (``collect_inputs``, ``read_stamp``, ``same_settings``, ``run_stamp``), segments every article to
be done and looks up the translation memory for all its units. Ray Data's ``map_batches`` then sends tasks,
groups of articles bounded by their total sentence count, to a pool of actors; each actor loads the model
once and runs ``pipeline.run.run_document`` over the articles it is given, and returns their rendered outputs,
their stamp and the memory entries they made. The driver alone writes: the outputs (atomically, where it
runs, so workers need no shared folder) and the memory (SQLite's WAL does not work on a network filesystem).

The same outputs as a local run: in a local run, a unit an earlier article (in input order) translated comes
from the memory in a later one. Here an article that needs a unit first translated by another article of the
run waits for a later wave, dispatched once the memory holds that unit; most runs have one or two waves.

Ray is imported only inside ``translate_files_ray``, so a normal run never loads it.
"""

from __future__ import annotations

import dataclasses
import logging
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex

from pipeline.batch import (
    Article,
    BatchProgress,
    BatchReport,
    Outcome,
    _Stop,
    aligned_edits,
    check_output_folders,
    collect_inputs,
    edited_outputs,
    is_up_to_date,
    place_fault_stop,
    read_stamp,
    run_stamp,
    same_settings,
    translated_outcome,
    write_outputs,
)
from pipeline.errors import BriefError, InputError, UsageError
from pipeline.fsfaults import PLACE_FAULTS, cause_of, where
from pipeline.memory import MemoryEntry
from pipeline.outputs import DEFAULT_FORMATS, OUTPUT_FORMATS, output_formats
from pipeline.run import DEFAULT_STAGES, RunContext, run_document
from pipeline.terminology import find_names
from pipeline.translate import TranslateOptions, TranslateStats, memory_keys

INSTALL_HINT = "--ray needs Ray, which is not installed; install it: pip install 'bilingual-brief[ray]'"
# Sentences per task: enough to keep a model's batches full, few enough that work spreads over the pool and a
# retried task redoes little. An article longer than this is a task of its own.
DEFAULT_TASK_SENTENCES = 256


@dataclass(frozen=True)
class Cluster:
    """Where and how wide to run: ``address`` None starts a local Ray instance, ``"auto"`` or
    ``"ray://host:port"`` joins a running cluster. ``workers`` actors each hold one model with
    ``cpus_per_worker`` CPUs and ``gpus_per_worker`` GPUs reserved. ``max_waves`` (None: no bound) caps the
    waves; articles past it translate units shared with earlier ones again instead of waiting for them."""

    address: str | None = None
    workers: int = 1
    cpus_per_worker: float = 1
    gpus_per_worker: float = 0
    task_sentences: int = DEFAULT_TASK_SENTENCES
    max_waves: int | None = None

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise UsageError(f"--workers must be at least 1, got {self.workers}")
        if self.cpus_per_worker <= 0 or self.gpus_per_worker < 0:
            raise UsageError(f"a worker needs some CPU and no negative GPU, got {self.cpus_per_worker} CPUs, "
                             f"{self.gpus_per_worker} GPUs")


def cluster_address(text: str) -> str | None:
    """The Ray address ``--ray`` names: None for a new local instance (``local``), else ``auto``,
    ``ray://HOST:PORT`` or ``HOST:PORT``; anything else is a one-line error (an input path taken for one)."""
    if text == "local":
        return None
    if text == "auto" or text.startswith("ray://") or regex.fullmatch(r"[\w.-]+:\d+", text):
        return text
    raise UsageError(f"--ray {text!r} is not a cluster address (auto, ray://HOST:PORT or HOST:PORT); for a Ray "
                     "instance on this machine put --ray after the inputs, or write --ray=local")


def require_ray() -> None:
    """Raise a one-line ``UsageError`` saying how to install Ray when it is missing."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ModuleNotFoundError as e:
        raise UsageError(INSTALL_HINT) from e


@dataclass
class TranslatorLoader:
    """Loads the translator on a worker (``pipeline.loaders.load_translator``): the model by name, or by
    absolute path when it is a folder here; the backend the driver's ``describe_model`` chose (in ``plans``,
    filled by the time this is sent), so every worker loads the model the driver described."""

    model: str | None
    backend: str | None
    plans: list
    device: str = "cpu"
    offline: bool | None = None
    threads: int | None = None

    def __call__(self):
        from pipeline.loaders import load_translator

        backend = self.plans[-1].backend if self.plans else self.backend
        return load_translator(self.model, backend, self.device, offline=self.offline, threads=self.threads)


def ray_translator_factory(model: str | None, backend: str | None, plans: list, device: str = "cpu",
                           offline: bool | None = None, threads: int | None = None) -> TranslatorLoader:
    """A picklable translator factory for ``translate_files_ray`` (see ``TranslatorLoader``)."""
    if model is not None and Path(model).exists():
        model = str(Path(model).resolve())
    return TranslatorLoader(model, backend, plans, device, offline, threads)


# --- the worker side --------------------------------------------------------------------------------------

@dataclass
class _Job:
    """What every actor needs, sent once when the pool starts."""

    translator_factory: Callable[[], object]
    summarizer_factory: Callable[[], object] | None
    options: TranslateOptions  # without its memory: workers get theirs per article
    use_memory: bool
    stages: list[str]
    formats: list[str]
    stamp_extra: dict


@dataclass
class _ArticleTask:
    index: int
    path: str
    text: str
    encoding: str | None
    memory: dict[str, MemoryEntry]  # the memory's entries for this article's units, looked up by the driver
    edits: dict[str, str] = field(default_factory=dict)  # the user's English for some of its sentences


@dataclass
class _ArticleResult:
    index: int
    rendered: dict[str, str | bytes] | None = None
    stamp: dict | None = None
    error: str | None = None
    outcome: Outcome | None = None  # as the local run reports it: flagged sentences by kind
    # What the run would store, in order: (key, source, English, origin, guard flags).
    entries: list[tuple[str, str, str, str, tuple[str, ...]]] = field(default_factory=list)
    model: str = ""
    stats: TranslateStats = field(default_factory=TranslateStats)
    sentences: int = 0
    flagged: int = 0


class MemorySnapshot:
    """The translation memory as a worker sees it: the driver's entries for its units, read-only; what the run
    would store is kept in ``new`` for the driver to write. Has ``TranslationMemory``'s ``get_many``/``put_many``."""

    def __init__(self, entries: dict[str, MemoryEntry], edits: dict[str, str] | None = None):
        self.entries = entries
        self.edits = edits or {}
        self.new: list[tuple[str, str, str, str, tuple[str, ...]]] = []
        self.model = ""

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        return {key: self.entries[key].translation for key in keys if key in self.entries}

    def get_entries(self, keys: Iterable[str]) -> dict[str, MemoryEntry]:
        return {key: self.entries[key] for key in keys if key in self.entries}

    def get_edits(self, sources: Iterable[str]) -> dict[str, str]:
        return {source: self.edits[source] for source in sources if source in self.edits}

    def put_many(self, entries: Iterable[tuple[str, str, str]], *, model: str = "",
                 flags: Mapping[str, Sequence[str]] | None = None, origin: str = "model") -> int:
        flags = flags or {}
        rows = [(key, source, english, origin, tuple(flags.get(key, ()))) for key, source, english in entries]
        self.new.extend(rows)
        self.model = model or self.model
        return len(rows)


class ArticleWorker:
    """A Ray Data actor: loads the models once, then runs tasks (pickled lists of ``_ArticleTask``)."""

    def __init__(self, job: _Job):
        self.job = job
        self.translator = job.translator_factory()
        self.summarizer = job.summarizer_factory() if job.summarizer_factory is not None else None
        self.stamp = {**run_stamp(self.translator, job.options), **job.stamp_extra}

    def __call__(self, batch):
        import pyarrow as pa

        results = [pickle.dumps([self.run(task) for task in pickle.loads(payload)])
                   for payload in batch.column("payload").to_pylist()]
        return pa.table({"results": pa.array(results, type=pa.binary())})

    def run(self, task: _ArticleTask) -> _ArticleResult:
        """One article through the stages and the renderers, as ``pipeline.batch.translate_files`` runs it."""
        from pipeline.segment import segment_text

        memory = MemorySnapshot(task.memory, task.edits)
        stats = TranslateStats()
        options = dataclasses.replace(self.job.options, memory=memory if self.job.use_memory else None)
        context = RunContext(translator=self.translator, summarizer=self.summarizer, options=options, stats=stats)
        result = _ArticleResult(task.index, stats=stats, model=self.translator.model_id)
        try:
            document = segment_text(task.text, path=task.path, encoding=task.encoding)
            run_document(document, context, self.job.stages)
            result.rendered = {fmt: OUTPUT_FORMATS[fmt].render(document) for fmt in self.job.formats}
        except InputError as e:
            result.error = str(e)
        else:
            sentences = list(document.sentences())
            result.stamp = self.stamp
            result.sentences = len(sentences)
            result.flagged = sum(1 for s in sentences if s.flags)
            result.outcome = translated_outcome(task.path, [], sentences, 0)
        result.entries = memory.new
        return result


# --- the driver -------------------------------------------------------------------------------------------

class RayProgress(BatchProgress):
    """Two tqdm bars on stderr: articles done, and sentences translated (with their rate)."""

    def __init__(self) -> None:
        self._bars: list = []

    def start(self, articles: int) -> None:
        from tqdm import tqdm

        self._bars = [tqdm(total=articles, unit="article", position=0, dynamic_ncols=True),
                      tqdm(unit="sent", position=1, dynamic_ncols=True)]

    def sentences(self, n: int) -> None:
        self._bars[1].update(n)

    def finished(self, outcome: Outcome) -> None:
        self._bars[0].update(1)

    def close(self) -> None:
        for bar in self._bars:
            bar.close()


@dataclass
class _Pending:
    index: int
    article: Article
    sentences: int
    keys: dict[str, str]  # model input -> memory key
    wave: int = 0
    edits: dict[str, str] = field(default_factory=dict)  # sentence -> the user's English (``put_edits``)
    sha256: str = ""  # of the input's bytes as read for the task: what the stamp records


def translate_files_ray(
    inputs: Iterable[str | Path],
    outdir: str | Path | None,
    *,
    translator_factory: Callable[[], object],
    describe: Callable[[], object] | None = None,
    options: TranslateOptions | None = None,
    formats: Iterable[str] = DEFAULT_FORMATS,
    force: bool = False,
    progress: BatchProgress | None = None,
    stages: Iterable[str] = DEFAULT_STAGES,
    summarizer_factory: Callable[[], object] | None = None,
    stamp_extra: dict | None = None,
    cluster: Cluster | None = None,
) -> BatchReport:
    """``pipeline.batch.translate_files`` on Ray: the same arguments, files and report, plus ``cluster``.

    ``translator_factory`` (and ``summarizer_factory``) run on the workers, once per actor: they are pickled
    (cloudpickle), and the model they name must be on every node. ``describe`` gives the model's identity on
    the driver without loading it (else the driver loads the model once). A worker that dies is replaced and
    its task run again by Ray; a worker that loads some other model than the driver described is an error.
    """
    from pipeline.segment import segment_file

    require_ray()
    options = options or TranslateOptions()
    cluster = cluster or Cluster()
    formats = output_formats(formats)
    extra = dict(stamp_extra or {})
    memory = options.memory
    articles, failed = collect_inputs(inputs, outdir)
    check_output_folders(articles, outdir)  # as in a local run: before any work
    report = BatchReport()
    progress = progress or BatchProgress()
    model = describe() if describe is not None else translator_factory()
    current = {**run_stamp(model, options), **extra}
    outcomes: dict[int, Outcome] = {}
    pending: list[_Pending] = []

    progress.start(len(articles))
    try:
        for index, article in enumerate(articles):
            stamp = read_stamp(article)  # read once; is_up_to_date asks it for every requested output
            if memory is not None:
                # As in a local run: sentences the user edited in the aligned file go into the memory first.
                memory.put_edits(aligned_edits(article, stamp))
            if not force and is_up_to_date(article, stamp, formats, current, extra):
                _finish(outcomes, progress, index, Outcome(str(article.path), "skipped", _names(article, formats)))
                continue
            edited = edited_outputs(article, stamp)
            if edited:  # as in a local run: an output edited by hand is never overwritten
                _finish(outcomes, progress, index, Outcome(
                    str(article.path), "kept", _names(article, formats),
                    note=f"{edited[0]}: edited since brief wrote it, so {article.path} was not translated again; "
                         "run without --ray and with --overwrite-edits to translate it and keep the edited file"))
                continue
            try:
                document = segment_file(article.path)
            except InputError as e:
                _finish(outcomes, progress, index, Outcome(str(article.path), "failed", error=str(e)))
                continue
            sentences = list(document.sentences())
            keys = (memory_keys([s.text for s in sentences], model, options, names=find_names(document.source))
                    if memory is not None else {})
            edits = memory.get_edits(s.text for s in sentences) if memory is not None else {}
            pending.append(_Pending(index, article, len(sentences), keys, edits=edits))
        if pending and memory is not None:
            memory.check_writable()
        if pending:
            _plan_waves(pending, memory, cluster.max_waves)
            job = _Job(translator_factory, summarizer_factory, dataclasses.replace(options, memory=None),
                       memory is not None, list(stages), formats, extra)
            _dispatch(pending, job, cluster, memory, current, extra, report, outcomes, progress)
    except _Stop as stop:
        report.stopped = str(stop)
    finally:
        progress.close()
    report.outcomes = [outcomes[i] for i in sorted(outcomes)] + failed
    return report


def _names(article: Article, formats: list[str]) -> list[str]:
    return [str(p) for p in article.outputs(formats)]


def _finish(outcomes: dict[int, Outcome], progress: BatchProgress, index: int, outcome: Outcome) -> None:
    outcomes[index] = outcome
    progress.finished(outcome)


def _plan_waves(pending: list[_Pending], memory, max_waves: int | None) -> None:
    """Give each article its wave: one after the waves of the earlier articles (input order) that first
    translate a unit it needs and the memory lacks, so it finds that unit in the memory as a local run does."""
    if memory is None:
        return
    stored = memory.get_many(key for p in pending for key in p.keys.values())
    owner: dict[str, int] = {}
    for position, item in enumerate(pending):
        waits = [owner.setdefault(key, position) for key in item.keys.values() if key not in stored]
        item.wave = max((pending[o].wave + 1 for o in waits if o != position), default=0)
        if max_waves is not None:
            item.wave = min(item.wave, max_waves - 1)


def _dispatch(pending: list[_Pending], job: _Job, cluster: Cluster, memory, current: dict, extra: dict,
              report: BatchReport, outcomes: dict[int, Outcome], progress: BatchProgress) -> None:
    """Run the pending articles wave by wave on a Ray actor pool; write each result as it comes back."""
    from pipeline.textio import read_text

    ray, started = _connect(cluster)
    try:
        _check_resources(ray, cluster)
        written: set[str] = set()
        by_index = {item.index: item for item in pending}
        for wave in range(max(item.wave for item in pending) + 1):
            items = [item for item in pending if item.wave == wave]
            stored = (memory.get_entries(k for item in items for k in item.keys.values())
                      if memory is not None else {})
            tasks: list[list[_ArticleTask]] = []
            size = 0
            for item in items:
                try:
                    source = read_text(item.article.path)
                except InputError as e:
                    _finish(outcomes, progress, item.index, Outcome(str(item.article.path), "failed", error=str(e)))
                    continue
                item.sha256 = source.sha256
                entries = {k: stored[k] for k in item.keys.values() if k in stored}
                if not tasks or size + item.sentences > cluster.task_sentences:
                    tasks.append([])
                    size = 0
                tasks[-1].append(_ArticleTask(item.index, source.path, source.text, source.encoding, entries,
                                              item.edits))
                size += item.sentences
            if not tasks:
                continue
            for result in _run_tasks(ray, tasks, job, cluster):
                item = by_index[result.index]
                _collect(result, item.article, item.sha256, job.formats, current, extra, memory, written,
                         report, outcomes, progress)
    finally:
        if started:
            ray.shutdown()


def _connect(cluster: Cluster):
    """The ``ray`` module, connected to ``cluster.address`` or a new local instance (an instance this process
    runs already is kept), and whether this call started it."""
    try:
        import ray
    except ModuleNotFoundError as e:
        raise UsageError(INSTALL_HINT) from e
    started = not ray.is_initialized()
    if started:
        settings = {"logging_level": logging.WARNING, "log_to_driver": False}
        if cluster.address is None:
            settings["include_dashboard"] = False
        try:
            ray.init(address=cluster.address, **settings)
        except (ConnectionError, ValueError, RuntimeError) as e:
            raise UsageError(f"cannot reach the Ray cluster at {cluster.address!r}: {e}; start one with "
                             "`ray start --head`, or give --ray without an address for a local one") from e
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    return ray, started


def _check_resources(ray, cluster: Cluster) -> None:
    """Refuse a pool the cluster cannot hold (Ray Data would wait for it for ever)."""
    have = ray.cluster_resources()
    for name, each in (("CPU", cluster.cpus_per_worker), ("GPU", cluster.gpus_per_worker)):
        if each and cluster.workers * each > have.get(name, 0):
            raise UsageError(f"{cluster.workers} workers x {each:g} {name}s is more than the cluster's "
                             f"{have.get(name, 0):g}; use fewer --workers or add nodes")


def _run_tasks(ray, tasks: list[list[_ArticleTask]], job: _Job, cluster: Cluster):
    """Yield every ``_ArticleResult`` of ``tasks``, as Ray Data's actor pool finishes them."""
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    rows = [{"payload": pickle.dumps(task)} for task in tasks]
    dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
        ArticleWorker, fn_constructor_kwargs={"job": job}, batch_size=1, batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=min(cluster.workers, len(rows))),
        num_cpus=cluster.cpus_per_worker, num_gpus=cluster.gpus_per_worker or None)
    try:
        for batch in dataset.iter_batches(batch_size=None, batch_format="pyarrow"):
            for payload in batch.column("results").to_pylist():
                yield from pickle.loads(payload)
    except BriefError:
        raise
    except Exception as e:  # a worker's BriefError (a model missing on a node) arrives wrapped by Ray
        cause = _brief_cause(e)
        if cause is None:
            raise
        raise type(cause)(f"on a Ray worker: {cause}") from e


def _brief_cause(error: BaseException) -> BriefError | None:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, BriefError):
            return error
        cause = getattr(error, "cause", None)
        error = cause if isinstance(cause, BaseException) else (error.__cause__ or error.__context__)
    return None


def _collect(result: _ArticleResult, article: Article, input_sha256: str, formats: list[str], current: dict,
             extra: dict, memory, written: set[str], report: BatchReport, outcomes: dict[int, Outcome],
             progress: BatchProgress) -> None:
    """Write one article's memory entries (each key once), then its outputs and stamp; record its outcome."""
    # Each key once, its last entry (a first pass, then its retry): what the local run leaves in the memory.
    new = [entry for entry in {e[0]: e for e in result.entries}.values() if entry[0] not in written]
    if memory is not None and new:
        for origin in dict.fromkeys(e[3] for e in new):
            rows = [e for e in new if e[3] == origin]
            memory.put_many([(key, source, english) for key, source, english, _, _ in rows], model=result.model,
                            origin=origin, flags={e[0]: e[4] for e in rows})
        written.update(e[0] for e in new)
    for counter in dataclasses.fields(report.stats):  # every counter the local run counts (``reviewed`` too)
        setattr(report.stats, counter.name, getattr(report.stats, counter.name) + getattr(result.stats, counter.name))
    path = str(article.path)
    if result.error is not None:
        _finish(outcomes, progress, result.index, Outcome(path, "failed", error=result.error))
        return
    if not same_settings(result.stamp, current, extra):
        raise UsageError(f"a Ray worker loaded {result.stamp.get('model_id')} ({result.stamp.get('revision')}, "
                         f"{result.stamp.get('backend')}), not {current['model_id']} ({current['revision']}, "
                         f"{current['backend']}) as on this machine; give every node the same model")
    try:
        write_outputs(article, formats, result.rendered, result.stamp, input_sha256)
        outcome = dataclasses.replace(result.outcome, path=path, outputs=_names(article, formats))
    except OSError as e:
        if e.errno in PLACE_FAULTS:  # as in a local run: the same for every article, so stop and say how to resume
            raise place_fault_stop(article, e, memory) from e
        outcome = Outcome(path, "failed", error=f"{article.path}: cannot write outputs: {where(e)}{cause_of(e)}")
    progress.sentences(result.sentences)
    _finish(outcomes, progress, result.index, outcome)

