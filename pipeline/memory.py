"""Translation memory: a SQLite cache of model outputs, so a unit translated once is never translated again.

The key of an entry is the SHA-256 of the model's revision (with its id only when the revision is no hash:
see ``model_identity``), the backend, the decoding settings (``Decoding.key()``) and the normalised source
unit: change any of them and the entry no longer applies.
The database runs in WAL mode with a busy timeout, so two ``brief translate`` processes can share it:
readers never block, and a writer waits for the other's transaction instead of failing.

Each entry also keeps the guard flags its translation failed (``flags``) and where it came from
(``origin``): ``model`` (final), ``first`` (the model's first pass over a unit the guards flagged, stored the
moment its batch returned so that a kill loses no work; a later run still gives it its stricter retry) or
``edited`` (a sentence whose English the user edited in ``NAME.aligned.jsonl``: keyed by the sentence alone,
for any model, and preferred over the model's; see ``put_edits``).

Where it lives: ``--tm PATH``, else ``$BRIEF_CACHE_DIR/tm.sqlite3``, else ``tm.sqlite3`` in the user cache
folder (``platformdirs.user_cache_dir('bilingual-brief')``, e.g. ``~/.cache/bilingual-brief`` on Linux).
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import time
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import regex

from pipeline.errors import UsageError
from pipeline.fsfaults import cause_of, diagnose, where
from pipeline.settings import load_settings

# How long a writer waits for another process's transaction before giving up. A run writes one short
# transaction per model batch, so waiting is milliseconds in practice; the bound only guards a stuck process.
BUSY_TIMEOUT_MS = 60_000
# SQLite's default limit of host parameters in one statement is 32766 (999 before 3.32); stay well below.
_CHUNK = 500

_SPACE = regex.compile(r"\s+")
# A content hash (16 hex digits, pipeline.checkpoint.content_hash) or a hub commit (40), then maybe "+ct2-int8".
_HASH = regex.compile(r"^[0-9a-f]{16,64}(?:\+[\w.-]+)?$")

# Stamped into the file header (PRAGMA application_id, user_version) so that ``--tm`` pointed at another
# program's database is refused before anything is written to it. 0x62624D54 is "bbMT".
APPLICATION_ID = 0x62624D54
SCHEMA_VERSION = 2
_COLUMNS = {"key", "source", "translation", "model", "created"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID
"""
# Schema 2 over schema 1 (and over a memory from before the stamp): the flags and origin of each entry.
# Added columns with defaults: every entry written before is a final model translation with no flags.
_COLUMNS_2 = {"flags": "TEXT NOT NULL DEFAULT ''", "origin": "TEXT NOT NULL DEFAULT 'model'"}
ORIGINS = ("model", "first", "edited")


@dataclass(frozen=True)
class MemoryEntry:
    """One stored translation: its English, the guard flags it failed, and its ``origin`` (see the module)."""

    translation: str
    flags: tuple[str, ...] = ()
    origin: str = "model"


def default_memory_path() -> Path:
    """``tm.sqlite3`` in the cache folder: ``$BRIEF_CACHE_DIR``, else the user cache folder."""
    return load_settings().cache_dir / "tm.sqlite3"


def normalise_source(text: str) -> str:
    """The form of a source unit the key is built from: NFC, edge space stripped, inner runs of space as one."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def model_identity(model_id: str, revision: str) -> str:
    """What names a model's weights: the revision alone when it is a hash (a content hash of the files, or a
    hub commit, with a suffix such as ``+ct2-int8``), else the model id and the revision.

    The weights are what matter: ``--model tiny``, ``./tiny`` and ``/abs/tiny`` are one model and share
    translation-memory entries, where the typed name would have kept them apart.
    """
    return revision if _HASH.match(revision) else f"{model_id}\x1f{revision}"


def edit_key(source: str) -> str:
    """The key of a user's edited translation of one source sentence: the sentence alone, for any model."""
    return hashlib.sha256(("edited\x1f" + normalise_source(source)).encode("utf-8")).hexdigest()


def memory_key(model_id: str, revision: str, backend: str, decoding_key: str, source: str) -> str:
    """The SHA-256 hex key of one source unit translated by one model with one set of decoding settings.

    ``model_id`` counts only when ``revision`` is no hash (see ``model_identity``).
    """
    fields = (model_identity(model_id, revision), backend, decoding_key, normalise_source(source))
    # The unit separator cannot occur in any field, so no two different tuples give the same bytes.
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


class _RollBack(Exception):
    """Raised inside a transaction to roll it back (``check_writable``)."""


class TranslationMemory:
    """A SQLite translation memory at ``path`` (created with its folder if missing).

    Use as a context manager, or call ``close``. Safe to share between processes; one object per thread.
    A file that is some other program's SQLite database is refused when opened, before anything is written
    to it. Database errors later on (a full disk, a damaged file) are ``UsageError``s naming the file.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_memory_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in put_many).
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise self._error(e) from e
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            version = self._check_identity()  # before WAL mode: that would rewrite someone else's file
            self._db.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable in WAL mode except for the last transactions on a power cut: a cache can
            # afford to lose them, and it saves an fsync per batch.
            self._db.execute("PRAGMA synchronous = NORMAL")
            if version < SCHEMA_VERSION:
                with self._transaction():
                    self._db.execute(_SCHEMA)
                    columns = {row[1] for row in self._db.execute("PRAGMA table_info(units)")}
                    for name, kind in _COLUMNS_2.items():
                        if name not in columns:
                            self._db.execute(f"ALTER TABLE units ADD COLUMN {name} {kind}")
                    self._db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException as e:
            self._db.close()
            if isinstance(e, sqlite3.Error):
                raise self._error(e) from e
            raise

    def _error(self, cause: BaseException | str) -> UsageError:
        return UsageError(f"translation memory {self.path}: {self._real_cause(cause)}; "
                          "give another file with --tm PATH, or run with --no-tm")

    def _real_cause(self, cause: BaseException | str) -> str:
        """SQLite's message, or the cause behind it where SQLite names a symptom ("unable to open database
        file" for a read-only file system, "disk I/O error" for a file-size limit): see ``diagnose``."""
        text = str(cause)
        if isinstance(cause, OSError):
            return f"{where(cause)}{cause_of(cause)}"
        if isinstance(cause, sqlite3.Error) and any(
                symptom in text for symptom in ("unable to open", "disk I/O", "readonly", "read-only", "full")):
            found = diagnose(self.path)
            if found is not None:
                place = f" ({found.filename})" if found.filename and found.filename != str(self.path) else ""
                return f"{found.strerror}{place}"
        return text

    def check_writable(self) -> None:
        """Raise the one-line ``UsageError`` of ``put_many`` now, before any work, if the memory cannot be
        written (a read-only file or file system, a full disk): a write that is rolled back."""
        try:
            with self._transaction():
                self._db.execute("INSERT OR REPLACE INTO units (key, source, translation, model, created) "
                                 "VALUES ('', '', '', '', 0)")
                raise _RollBack
        except _RollBack:
            pass
        except sqlite3.Error as e:
            raise self._error(e) from e

    def _check_identity(self) -> int:
        """Refuse a database this module did not create (another program's, or a newer schema's); returns
        its schema version: 0 when the file is new or from before the stamp, and so needs the schema."""
        application_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if application_id == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise self._error(f"written by a newer bilingual-brief (schema {version}, this one reads "
                                  f"{SCHEMA_VERSION})")
            return version
        if application_id == 0 and version == 0:
            if not tables:
                return 0  # a new file
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(units)")}
            if tables == {"units"} and columns == _COLUMNS:
                return 0  # a memory written before the file was stamped
        raise self._error("not a bilingual-brief translation memory (another program's SQLite database)")

    @contextlib.contextmanager
    def _transaction(self):
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored translations of those ``keys`` that are in the memory."""
        return {key: entry.translation for key, entry in self.get_entries(keys).items()}

    def get_entries(self, keys: Iterable[str]) -> dict[str, MemoryEntry]:
        """The stored entries (translation, flags, origin) of those ``keys`` that are in the memory."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, MemoryEntry] = {}
        try:
            for i in range(0, len(keys), _CHUNK):
                chunk = keys[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, translation, flags, origin FROM units WHERE key IN ({marks})", chunk)
                for key, translation, flags, origin in rows:
                    found[key] = MemoryEntry(translation, tuple(f for f in flags.split(",") if f), origin)
        except sqlite3.Error as e:
            raise self._error(e) from e
        return found

    def put_many(self, entries: Iterable[tuple[str, str, str]], *, model: str = "",
                 flags: Mapping[str, Sequence[str]] | None = None, origin: str = "model") -> int:
        """Store ``(key, source, translation)`` entries in one transaction; returns how many were given.

        ``flags`` (key -> guard names) are the guards each translation failed; ``origin`` says what the
        entries are (``ORIGINS``). An existing key is overwritten: the same key means the same model,
        settings and source, and a later pass of the model knows better than an earlier one.
        """
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
        now = time.time()
        flags = flags or {}
        rows = [(key, source, translation, model, now, ",".join(flags.get(key, ())), origin)
                for key, source, translation in entries]
        if not rows:
            return 0
        try:
            with self._transaction():
                self._db.executemany(
                    "INSERT OR REPLACE INTO units (key, source, translation, model, created, flags, origin) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as e:
            raise self._error(e) from e
        return len(rows)

    def put_edits(self, edits: Iterable[tuple[str, str]]) -> int:
        """Store the user's English for source sentences (``(sentence, english)`` pairs): preferred over the
        model's by every later run, whatever the model (``get_edits``). Returns how many were given."""
        return self.put_many(((edit_key(source), source, english) for source, english in edits), origin="edited")

    def get_edits(self, sources: Iterable[str]) -> dict[str, str]:
        """The user's English (``put_edits``) for those of ``sources`` (sentences) that have it."""
        sources = list(dict.fromkeys(sources))
        keys = {edit_key(s): s for s in sources}
        return {keys[k]: e.translation for k, e in self.get_entries(keys).items() if e.origin == "edited"}

    def __len__(self) -> int:
        try:
            return self._db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
        except sqlite3.Error as e:
            raise self._error(e) from e

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
