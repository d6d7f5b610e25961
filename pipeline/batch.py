"""The batch layer of ``brief translate`` and ``brief run``: files and folders in, aligned Chinese/English
(or the bilingual brief) out.

reads: article files; writes per article the outputs of ``pipeline.outputs`` (``NAME.en.txt``,
``NAME.aligned.jsonl``, on request ``NAME.aligned.tsv``) and a run stamp ``NAME.run.json``. This module is
only the file side: finding inputs, stamps and resume, atomic writes, progress and failures. Each article
goes through the stages of ``pipeline.run.run_document`` (translate, then the figure check); outputs are
written atomically and flushed to disk; finished articles are skipped on a re-run; a bad file is recorded and
the batch goes on.

What is up to date is decided by content, never by file times (issue 13): a stamp records the sha256 of the
input as it was read and of each output as it was written (``write_outputs``), and outputs are up to date
when those hashes match the files now and the settings match (``is_up_to_date``). An output whose hash
changed was edited by hand and is never overwritten silently (``edited_outputs``). Two processes on one
folder share the work: each article is claimed with a lock (``claim_article``) before it is looked at.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal, Self

import regex

from pipeline.document import Document
from pipeline.engine import Decoding, Translator
from pipeline.errors import BriefError, InputError, ModelNotFoundError, OutputError, UsageError
from pipeline.fsfaults import PLACE_FAULTS, cause_of, check_folder_writable, where
from pipeline.memory import model_identity
from pipeline.outputs import DEFAULT_FORMATS, OUTPUT_FORMATS, output_formats
from pipeline.run import DEFAULT_STAGES, RunContext, run_document
from pipeline.terminology import Glossary
from pipeline.textio import MAX_INPUT_BYTES, STDIN, file_sha256
from pipeline.translate import TranslateOptions, TranslateStats
from pipeline.wording import plural

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
            # On disk before the rename publishes it: after a power cut the name holds the old file or the
            # whole new one, never an empty one (a rename can reach the disk before the data it names).
            handle.flush()
            os.fsync(handle.fileno())
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
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Flush a folder's entries (the rename just made) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(path: Path) -> None:
    """Remove the temporary files ``write_atomic`` left for ``path`` when a run was killed mid-write (only
    call this holding the article's claim: no other process is writing them then)."""
    for leftover in path.parent.glob(f".{_glob_escape(path.name)}.*.tmp"):
        leftover.unlink(missing_ok=True)


def remove_article_temporaries(article: Article) -> None:
    """Remove what a killed run left for ``article``: temporary files of any of its outputs and its stamp."""
    for path in [*article.outputs(OUTPUT_FORMATS), article.stamp_path]:
        remove_stale_temporaries(path)


def _glob_escape(name: str) -> str:
    return regex.sub(r"([*?\[])", r"[\1]", name)


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

    @property
    def is_stdin(self) -> bool:
        """True for ``-``: the article is standard input."""
        return str(self.path) == STDIN

    def outputs(self, formats: Iterable[str]) -> list[Path]:
        return [self.base.with_name(self.base.name + OUTPUT_FORMATS[f].suffix) for f in formats]

    @property
    def stamp_path(self) -> Path:
        """``NAME.run.json``: what made the outputs (see ``run_stamp``), written after them."""
        return self.base.with_name(self.base.name + STAMP_SUFFIX)

    @property
    def lock_path(self) -> Path:
        """``.NAME.lock``: held by the process working on the article (``claim_article``); hidden, and removed
        by the process that holds it when it is done."""
        return self.base.with_name(f".{self.base.name}.lock")


@dataclass
class Outcome:
    """What happened to one input: 'translated', 'skipped' (outputs up to date), 'kept' (outputs edited by
    hand, left as they are; ``note`` says which) or 'failed' (with why)."""

    path: str
    status: Literal["translated", "skipped", "kept", "failed"]
    outputs: list[str] = field(default_factory=list)
    error: str | None = None
    note: str | None = None
    sentences: int = 0
    flagged: int = 0
    # Sentences flagged, per kind of flag (``too_short``, ``glossary``, ``figures``...), and each flagged
    # sentence as (number from 1, its labels); the user's own edits (``reviewed``) are counted apart.
    flag_kinds: dict[str, int] = field(default_factory=dict)
    flagged_sentences: list[tuple[int, list[str]]] = field(default_factory=list)
    reviewed: int = 0
    edits_stored: int = 0


@dataclass
class BatchReport:
    """Every input's outcome, in input order, and counts of the translate calls."""

    outcomes: list[Outcome] = field(default_factory=list)
    stats: TranslateStats = field(default_factory=TranslateStats)
    # The fault that stopped the batch before every article was done (a full disk, say), with how to resume.
    stopped: str | None = None
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
        kept = f"{self.count('kept')} kept as edited, " if self.count("kept") else ""
        reviewed = f", {plural(self.stats.reviewed, 'sentence')} as you edited them" if self.stats.reviewed else ""
        return (f"{self.count('translated')} translated, {self.count('skipped')} up to date, {kept}"
                f"{self.count('failed')} failed; {plural(sentences, 'sentence')}, {flagged} with QA flags; "
                f"{plural(self.stats.from_memory, 'unit')} from the translation memory, "
                f"{self.stats.translated} by the model{reviewed}")

    def article_lines(self, *, verbose: bool = False) -> list[str]:
        """Per article, in input order: what happened, its sentences flagged by kind and where its outputs
        went; with ``verbose`` also the articles up to date and each flagged sentence with its flags."""
        lines = []
        for o in self.outcomes:
            outputs = f" -> {', '.join(o.outputs)}" if o.outputs else ""
            if o.status == "translated":
                kinds = ", ".join(f"{kind} {n}" for kind, n in o.flag_kinds.items())
                flagged = f", {o.flagged} flagged ({kinds})" if o.flagged else ", none flagged"
                reviewed = f", {o.reviewed} as you edited them" if o.reviewed else ""
                lines.append(f"{o.path}: {plural(o.sentences, 'sentence')}{flagged}{reviewed}{outputs}")
                if verbose:
                    lines.extend(f"  sentence {n}: {' | '.join(labels)}" for n, labels in o.flagged_sentences)
            elif o.status == "kept":
                lines.append(f"{o.path}: kept as you edited it{outputs}")
            elif o.status == "failed":
                lines.append(f"{o.path}: failed")
            elif verbose:
                lines.append(f"{o.path}: up to date{outputs}")
        return lines

    @property
    def exit_code(self) -> int:
        """0 every input done; 1 some inputs failed; 2 none could be used (an input error) or the batch
        stopped on a fault of the outputs or the memory (``stopped``)."""
        if self.stopped is not None:
            return 2
        if not self.failures:
            return 0
        return 1 if len(self.failures) < len(self.outcomes) else 2

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

    def loading(self, what: str) -> None:
        """A model is being loaded (``what`` names it): its own step, before any sentence is counted."""

    def loaded(self, seconds: float) -> None: ...

    def article(self, path: Path, sentences: int) -> None: ...

    def sentences(self, n: int) -> None: ...

    def finished(self, outcome: Outcome) -> None: ...

    def close(self) -> None: ...


class TqdmProgress(BatchProgress):
    """Progress on stderr: the model loading as its own line, a bar of articles (done/total, time so far, no
    estimate: articles differ too much in length), and a bar of the current article's sentences, labelled,
    whose rate and time left come from the sentences translated so far (the model load is not in them)."""

    def __init__(self) -> None:
        self._articles = None
        self._sentences = None
        self._loading = None

    def start(self, articles: int) -> None:
        from tqdm import tqdm

        self._articles = tqdm(total=articles, desc="articles", unit="article", position=0, dynamic_ncols=True,
                              bar_format="{desc}: {n_fmt}/{total_fmt} |{bar}| [{elapsed}]")

    def loading(self, what: str) -> None:
        from tqdm import tqdm

        self._loading = what
        tqdm.write(f"brief: loading {what} ...", file=sys.stderr)

    def loaded(self, seconds: float) -> None:
        from tqdm import tqdm

        tqdm.write(f"brief: loaded {self._loading} in {seconds:.1f} s", file=sys.stderr)

    def article(self, path: Path, sentences: int) -> None:
        from tqdm import tqdm

        if self._sentences is None:
            self._sentences = tqdm(total=sentences, unit=" sentences", position=1, leave=False, dynamic_ncols=True,
                                   bar_format="{desc}: {n_fmt}/{total_fmt} sentences |{bar}| "
                                              "[{elapsed}<{remaining}, {rate_fmt}]")
        else:
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
    stdin = False
    for item in inputs:
        if str(item) == STDIN:  # standard input: one article, written to outdir/stdin.* or to a stream
            stdin = True
            continue
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
        overwritten = [inputs[_resolved(p)] for p in [*article.outputs(OUTPUT_FORMATS), article.stamp_path]
                       if _resolved(p) in inputs]
        too_long = _name_too_long(article)
        if too_long:
            failed.append(Outcome(str(path), "failed", error=too_long))
        elif owner is not path:
            failed.append(Outcome(str(path), "failed", error=f"{path}: its outputs would overwrite those of "
                                                           f"{owner} ({base.name}.*); rename one of them"))
        elif overwritten:  # x.txt beside x.en.txt given as an input: never write over an input
            failed.append(Outcome(str(path), "failed", error=f"{path}: its output would overwrite the input "
                                                           f"{overwritten[0]}; rename one of them or use -o"))
        else:
            articles.append(article)
    if stdin:
        article = Article(Path(STDIN), (Path(outdir) if outdir is not None else Path(".")) / "stdin")
        owner = owners.get(_name_key(article.base)) if outdir is not None else None
        if owner is not None:  # a file stdin.txt written to the same folder: the file keeps its outputs
            failed.append(Outcome(STDIN, "failed", error=f"stdin: its outputs would overwrite those of {owner} "
                                                         f"({article.base.name}.*); rename the file or use "
                                                         "another -o for standard input"))
        else:
            articles.append(article)
    return articles, failed


# ``write_atomic``'s temporary files: ``.NAME.`` + 8 random characters + ``.tmp``.
_TEMPORARY_EXTRA = len(".") + len(".") + 8 + len(".tmp")


def _name_too_long(article: Article) -> str | None:
    """A one-line error when the longest name the article needs in its output folder (an output, the stamp,
    the lock, a temporary file) is longer than that folder's file system allows; None when all fit."""
    names = [p.name for p in [*article.outputs(OUTPUT_FORMATS), article.stamp_path]]
    longest = max([*(len(os.fsencode(n)) + _TEMPORARY_EXTRA for n in names),
                   len(os.fsencode(article.lock_path.name))])
    limit = _name_max(article.base.parent)
    if longest <= limit:
        return None
    return (f"{article.path}: its name is too long for its outputs ({longest} bytes with the longest suffix; "
            f"the file system allows {limit}); rename it shorter")


def _name_max(folder: Path) -> int:
    """The longest file name (bytes) the file system of ``folder`` (or of its nearest existing parent) allows."""
    probe = _resolved(folder)
    while not probe.is_dir() and probe.parent != probe:
        probe = probe.parent
    try:
        return os.pathconf(probe, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _name_key(base: Path) -> Path:
    # Two spellings of one folder (out/ and ./out/, a symlink) are one place.
    return _resolved(base.parent) / base.name


def _resolved(path: Path) -> Path:
    """``path`` resolved, or made absolute where it cannot be (a symlink loop on the way: the check before
    the work names it, ``check_folder_writable``)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


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


def read_stamp(article: Article, formats: Iterable[str] | None = None) -> dict | None:
    """The article's run stamp as written by ``write_outputs`` (``input``: the input's sha256 as read;
    ``outputs``: each output's name and sha256 as written; ``other_outputs``: those an earlier run wrote with
    other formats, still there), or None when there is none or it cannot be read. With ``formats``, also None
    unless the stamp names every output they ask for."""
    try:
        stamp = json.loads(article.stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(stamp, dict) and isinstance(stamp.get("outputs"), dict)
            and isinstance(stamp.get("input"), dict) and isinstance(stamp["input"].get("sha256"), str)
            and all(isinstance(h, str) for h in stamp["outputs"].values())
            and isinstance(stamp.get("other_outputs", {}), dict)
            and all(isinstance(h, str) for h in stamp.get("other_outputs", {}).values())):
        return None  # an older stamp (names and times, no hashes) or a damaged one: not up to date
    if formats is not None and not all(p.name in stamp["outputs"] for p in article.outputs(formats)):
        return None
    return stamp


def edited_outputs(article: Article, stamp: dict | None) -> list[Path]:
    """The outputs named in ``stamp`` (written by its run or an earlier one, ``stamped_outputs``) that are there
    but no longer what this tool wrote: edited by hand."""
    if stamp is None:
        return []
    folder = article.stamp_path.parent
    edited = []
    for name, digest in stamped_outputs(stamp).items():
        path = folder / name
        if path.exists() and file_sha256(path) != digest:
            edited.append(path)
    return edited


def stamped_outputs(stamp: dict) -> dict[str, str]:
    """Every output a stamp knows, name -> sha256 as written: those of its run (``outputs``) and those earlier
    runs wrote in other formats, still there when it was written (``other_outputs``)."""
    return {**stamp.get("other_outputs", {}), **stamp["outputs"]}


def is_up_to_date(article: Article, stamp: dict | None, formats: Iterable[str], current: dict,
                  extra: dict | None = None) -> bool:
    """True when ``stamp`` (``read_stamp``) says the outputs in ``formats`` are what a run with ``current``
    settings (``run_stamp`` plus ``extra``) would write now: the input's bytes are the ones translated (its
    sha256, whatever its time says: ``cp -p``, rsync and unzip keep old times), every requested output is
    the one written (its sha256), and the settings match."""
    if stamp is None or article.is_stdin or not same_settings(stamp, current, extra):
        return False
    try:
        regular = stat.S_ISREG(os.stat(article.path).st_mode)
    except OSError:
        return False
    if not regular:  # a named pipe or a device: its bytes are known only by reading them, so never up to date
        return False
    if file_sha256(article.path, max_bytes=MAX_INPUT_BYTES) != stamp["input"]["sha256"]:
        return False
    folder = article.stamp_path.parent
    return all(stamp["outputs"].get(p.name) is not None and file_sha256(folder / p.name) == stamp["outputs"][p.name]
               for p in article.outputs(formats))


def write_outputs(article: Article, formats: Iterable[str], rendered: dict[str, str | bytes], settings: dict,
                  input_sha256: str) -> dict:
    """Write an article's rendered outputs, each atomically and flushed to disk, then its stamp; returns the
    stamp. ``settings``: ``run_stamp`` (plus any further settings); ``input_sha256``: of the input's bytes
    as read for this run (``pipeline.textio.SourceText.sha256``), so that an input edited while it was
    being translated is not up to date on the next run.

    The old stamp goes first and the new one comes back last: outputs without a stamp are never up to date
    (an interrupted run leaves new and old files side by side). Temporary files an earlier, killed run left
    for these outputs are removed. Call it holding the article's claim (``claim_article``).
    """
    formats = list(formats)
    previous = read_stamp(article)
    article.stamp_path.unlink(missing_ok=True)
    hashes: dict[str, str] = {}
    for fmt, path in zip(formats, article.outputs(formats)):
        remove_stale_temporaries(path)
        content = rendered[fmt]
        data = content.encode("utf-8") if isinstance(content, str) else content
        write_atomic(path, data)
        hashes[path.name] = hashlib.sha256(data).hexdigest()
    stamp = {**settings, "input": {"name": article.path.name, "sha256": input_sha256}, "outputs": hashes}
    # Outputs of earlier runs in other formats, left on disk, keep their hashes as written: an edit of one is
    # still found (``edited_outputs``), never overwritten silently by a later run in its format. They are
    # apart from ``outputs``: made with other settings maybe, they never make the article up to date.
    folder = article.stamp_path.parent
    others = {name: digest for name, digest in (stamped_outputs(previous) if previous else {}).items()
              if name not in hashes and (folder / name).exists()}
    if others:
        stamp["other_outputs"] = others
    jsonl = article.outputs(["jsonl"])[0].name
    if "jsonl" in formats:
        # A short hash of each sentence's English as written, so that an edit of the aligned file is found
        # sentence by sentence (``aligned_edits``).
        stamp["aligned_en"] = [english_hash(row.get("en")) for row in _jsonl_rows(rendered["jsonl"])]
    elif jsonl in others and isinstance(previous.get("aligned_en"), list):
        stamp["aligned_en"] = previous["aligned_en"]
    remove_stale_temporaries(article.stamp_path)
    write_atomic(article.stamp_path, stamp_json(stamp))
    return stamp


def english_hash(english: object) -> str:
    """A short hash of one sentence's English (None and "" alike), for ``aligned_edits``."""
    return hashlib.sha256((english or "").encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _jsonl_rows(content: str | bytes) -> list[dict]:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        rows.append(row if isinstance(row, dict) else {})
    return rows


def aligned_edits(article: Article, stamp: dict | None) -> list[tuple[str, str]]:
    """``(Chinese sentence, English)`` for each sentence whose English the user changed in the article's
    ``NAME.aligned.jsonl`` since this tool wrote it (the row's ``en`` hash differs from the stamp's
    ``aligned_en``; rows whose ``zh`` was changed too, added or removed are left aside)."""
    if stamp is None or not isinstance(stamp.get("aligned_en"), list):
        return []
    path = article.outputs(["jsonl"])[0]
    try:
        if stamped_outputs(stamp).get(path.name) in (None, file_sha256(path)):
            return []
        rows = _jsonl_rows(path.read_bytes())
    except OSError:
        return []
    if len(rows) != len(stamp["aligned_en"]):
        return []  # rows added or removed: which English belongs to which sentence is no longer known
    return [(row["zh"], row["en"].strip()) for row, digest in zip(rows, stamp["aligned_en"])
            if isinstance(row.get("zh"), str) and isinstance(row.get("en"), str) and row["en"].strip()
            and english_hash(row["en"]) != digest]


def stamp_json(stamp: dict) -> str:
    """A stamp as JSON text that is always valid UTF-8: names that are not (a GBK file name read on a UTF-8
    system holds lone surrogates) are written as ``\\udcXX`` escapes, which read back to the same name."""
    text = json.dumps(stamp, ensure_ascii=False, indent=2) + "\n"
    return regex.sub(r"[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)


def keep_edited(path: Path, now: float | None = None) -> Path:
    """Move an output edited by hand out of the way, beside it: ``NAME.en.txt`` becomes
    ``NAME.en.edited-YYYYmmdd-HHMMSS.txt``. Returns the new path."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    stem, dot, suffix = path.name.rpartition(".")
    target = path.with_name(f"{stem}.edited-{stamp}.{suffix}" if dot else f"{path.name}.edited-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{stem}.edited-{stamp}-{n}.{suffix}" if dot else f"{path.name}.edited-{stamp}-{n}")
    os.replace(path, target)
    return target


class ArticleClaim:
    """A held claim on one article (``claim_article``): release it, or use it as a context manager."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def release(self) -> None:
        if self._fd < 0:
            return
        # Unlinked while still locked: a process that opened the old file finds it gone and retries.
        self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def claim_article(article: Article, *, wait: bool = False) -> ArticleClaim | None:
    """Claim ``article`` for this process: an exclusive ``flock`` on its ``.NAME.lock``. Returns the claim,
    or None when another process holds it (with ``wait``, waits for it instead). The lock dies with its
    process, so a killed run never leaves an article claimed."""
    path = article.lock_path
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            return ArticleClaim(path, fd)
        os.close(fd)  # the holder released and removed it between our open and our lock: start again


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
    overwrite_edits: bool = False,
    stream: BinaryIO | None = None,
) -> BatchReport:
    """Translate articles (files, folders searched for *.txt, ``-`` for standard input) and write their
    outputs; never stops at a bad file.

    Per article: ``NAME.en.txt``, ``NAME.aligned.jsonl`` and/or ``NAME.aligned.tsv`` (``formats``), each
    written atomically and flushed to disk, then ``NAME.run.json`` (``write_outputs``: the settings, the
    input's sha256 as read and each output's sha256 as written). An article is skipped as up to date,
    unless ``force``, only when ``is_up_to_date``: same input bytes, same output bytes, same model, decoding,
    glossary, package version and ``stamp_extra``. An output edited by hand since it was written (its hash
    changed) is never overwritten: the article is 'kept', with a note naming the file, even with ``force``;
    with ``overwrite_edits`` it is translated again and the edited file moved beside the new one
    (``keep_edited``). Each article is claimed (``claim_article``) while it is worked on: a second process
    on the same outputs takes the articles the first has not, and waits at the end for those it holds.

    A file that cannot be read or holds no Chinese is recorded as failed and the batch goes on.
    ``translator_factory`` is called once, just before the first article that needs the model, and so is
    ``summarizer_factory`` if given; a model that cannot be loaded (``ModelNotFoundError``, and any
    ``OSError`` on its files, turned into one) ends the batch: the model's fault is never reported per
    article. ``describe`` (e.g. ``pipeline.models.describe_model``) gives the model's id, revision, backend
    and default decoding without loading it, to compare with earlier stamps; without it the model is loaded
    for that. ``options`` (``pipeline.translate.TranslateOptions``) says how to translate. ``stages`` are the
    stages of ``pipeline.run``; ``formats`` name outputs of ``pipeline.outputs.OUTPUT_FORMATS``;
    ``stamp_extra`` holds further settings that make the outputs what they are (the summariser, say).
    Standard input (``-``) without ``outdir`` is written to ``stream`` in the first of ``formats``, with no
    stamp.
    """
    from pipeline.segment import segment_article
    from pipeline.textio import read_text

    options = options or TranslateOptions()
    formats = output_formats(formats)
    stages = list(stages)
    extra = dict(stamp_extra or {})
    articles, failed = collect_inputs(inputs, outdir)
    if stream is None and outdir is None and any(a.is_stdin for a in articles):
        raise UsageError("standard input (-) without -o needs a stream to write the translation to")
    report = BatchReport()
    progress = progress or BatchProgress()
    context = RunContext(options=options, progress=progress.sentences, stats=report.stats, timings=report.timings)
    settings: dict = {}

    # Before any work (issue 13): a fault of the output folders found after every sentence was translated
    # loses the work. The memory is checked before the model loads (a batch all up to date never writes it).
    check_output_folders(articles, outdir)
    checked: list[bool] = []

    def load_models() -> None:
        if options.memory is not None and not checked:
            options.memory.check_writable()
            checked.append(True)
        started = time.perf_counter()
        if context.translator is None:
            context.translator = _load(translator_factory, "the translation model", progress)
        if summarizer_factory is not None and context.summarizer is None:
            context.summarizer = _load(summarizer_factory, "the summary model", progress)
        context.timed("load", time.perf_counter() - started)

    def current_settings() -> dict:
        # What this run would stamp, found once: from describe() where given, so that a batch of up-to-date
        # articles never loads the model.
        if not settings:
            if context.translator is None and describe is None:
                load_models()
            model = context.translator if context.translator is not None else _model_fault(describe)
            settings.update(run_stamp(model, options), **extra)
        return settings

    def process(article: Article) -> Outcome:
        to_stream = article.is_stdin and outdir is None
        outputs = ["stdout"] if to_stream else [str(p) for p in article.outputs(formats)]
        name = str(article.path)
        try:
            if not to_stream:
                remove_article_temporaries(article)  # left by a killed run
            stamp = None if to_stream else read_stamp(article)
            stored = 0
            if options.memory is not None and stamp is not None:
                # Sentences whose English the user edited in the aligned file: into the memory, preferred
                # over the model's from now on (and in this run, if the article is translated again).
                stored = options.memory.put_edits(aligned_edits(article, stamp))
            if not force and stamp is not None and is_up_to_date(article, stamp, formats, current_settings(), extra):
                return Outcome(name, "skipped", outputs)
            edited = edited_outputs(article, stamp)
            if edited and not overwrite_edits:
                stored_note = (f"; its {plural(stored, 'edited sentence')} went into the "
                               "translation memory" if stored else "")
                return Outcome(name, "kept", outputs, edits_stored=stored, note=(
                    f"{edited[0]}: edited since brief wrote it, so {article.path} was not translated again"
                    f"{stored_note}; --overwrite-edits translates it and keeps the edited file beside the new one"))
            started = time.perf_counter()
            source = read_text(article.path)
            document = segment_article(source.text, path=source.path)
            document.encoding = source.encoding
            context.timed("segment", time.perf_counter() - started)
            sentences = list(document.sentences())
            load_models()
            progress.article(Path(source.path), len(sentences))
            run_document(document, context, stages)
            started = time.perf_counter()
            rendered = {fmt: OUTPUT_FORMATS[fmt].render(document) for fmt in formats}
            context.timed("render", time.perf_counter() - started)
        except InputError as e:
            return Outcome(name, "failed", error=str(e))
        try:
            if to_stream:
                content = rendered[formats[0]]
                stream.write(content.encode("utf-8") if isinstance(content, str) else content)
                stream.flush()
            else:
                for path in edited:
                    keep_edited(path)
                write_outputs(article, formats, rendered, {**run_stamp(context.translator, options), **extra},
                              source.sha256)
        except OSError as e:  # writing the outputs: disk full, no permission, a file-size limit
            if e.errno in PLACE_FAULTS:  # it would be the same for every article: stop, and say how to resume
                raise place_fault_stop(article, e, options.memory) from e
            return Outcome(name, "failed", error=f"{article.path}: cannot write outputs: {where(e)}{cause_of(e)}")
        return translated_outcome(name, outputs, sentences, stored)

    outcomes: dict[int, Outcome] = {}

    def run_all() -> None:
        waiting: list[int] = []
        for index, article in enumerate(articles):
            if article.is_stdin and outdir is None:
                outcomes[index] = process(article)
            else:
                try:
                    claim = claim_article(article)
                except OSError as e:  # its lock cannot be made (a name too long, say): this article only
                    outcomes[index] = Outcome(str(article.path), "failed", error=(
                        f"{article.path}: cannot claim it for this run: {where(e)}{cause_of(e)}"))
                    progress.finished(outcomes[index])
                    continue
                if claim is None:  # another process is on it: come back when it is done
                    waiting.append(index)
                    continue
                with claim:
                    outcomes[index] = process(article)
            progress.finished(outcomes[index])
        for index in waiting:
            with claim_article(articles[index], wait=True):
                outcomes[index] = process(articles[index])  # up to date by now, unless the other failed
            progress.finished(outcomes[index])

    progress.start(len(articles))
    try:
        run_all()
    except _Stop as stop:
        report.stopped = str(stop)
    finally:
        progress.close()
    report.outcomes.extend(outcomes[i] for i in range(len(articles)) if i in outcomes)
    report.outcomes.extend(failed)
    return report


def check_output_folders(articles: list[Article], outdir: str | Path | None) -> None:
    """Before any work: every folder the articles' outputs go to can be written, else one ``OutputError``."""
    for folder in dict.fromkeys(a.base.parent for a in articles if not (a.is_stdin and outdir is None)):
        try:
            check_folder_writable(folder)
        except OSError as e:
            place = where(e) if e.filename != str(folder) else ""
            raise OutputError(f"cannot write the outputs to {folder}: {place}{cause_of(e)}; "
                              "choose another folder with -o") from e


def place_fault_stop(article: Article, error: OSError, memory) -> _Stop:
    """The ``_Stop`` for a fault of the place the outputs go, worded with how to resume."""
    kept = (f"the translations so far are kept in the translation memory ({memory.path}); "
            "fix that and run the same command again to resume" if memory is not None else
            "nothing was kept (--no-tm): fix that and run the same command again")
    return _Stop(f"cannot write the outputs of {article.path}: {where(error)}{cause_of(error)}; {kept}")


class _Stop(Exception):
    """A fault of the place the outputs go (``PLACE_FAULTS``): the batch stops (``BatchReport.stopped``)."""


def translated_outcome(name: str, outputs: list[str], sentences: list, stored: int) -> Outcome:
    """The outcome of a translated article, with its flagged sentences by kind (``Outcome.flag_kinds``)."""
    kinds: dict[str, int] = {}
    flagged: list[tuple[int, list[str]]] = []
    reviewed = 0
    for number, sentence in enumerate(sentences, 1):
        flags = [f for f in sentence.flags if f.stage != "review"]
        reviewed += len(flags) < len(sentence.flags)
        if not flags:
            continue
        flagged.append((number, list(dict.fromkeys(f.label for f in flags))))
        for kind in dict.fromkeys(flag_kind(f) for f in flags):
            kinds[kind] = kinds.get(kind, 0) + 1
    return Outcome(name, "translated", outputs, sentences=len(sentences), flagged=len(flagged),
                   flag_kinds=dict(sorted(kinds.items())), flagged_sentences=flagged, reviewed=reviewed,
                   edits_stored=stored)


def flag_kind(flag) -> str:
    """What kind of flag a ``Flag`` is, for counts: the guard (``too_short``), ``glossary``, ``name``, or
    ``figures`` / ``figures-warning``."""
    if flag.stage == "figures":
        return "figures" if flag.severity == "issue" else "figures-warning"
    return flag.code


def _load(factory: Callable[[], object], what: str, progress: BatchProgress) -> object:
    progress.loading(what)
    start = time.perf_counter()
    model = _model_fault(factory)
    progress.loaded(time.perf_counter() - start)
    return model



def _model_fault(factory: Callable[[], object]) -> object:
    """Call a model factory; an ``OSError`` on the model's files is the model's fault (ModelNotFoundError,
    one line), never mistaken for a failure to write an article's outputs."""
    try:
        return factory()
    except BriefError:
        raise
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        raise ModelNotFoundError(f"cannot load the model: {where}{e.strerror or e}; check the model's files") from e


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
