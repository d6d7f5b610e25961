"""Translation memory: a SQLite cache of model outputs, so a unit translated once is never translated again.

The key of an entry is the SHA-256 of the model id, its revision, the backend, the decoding settings
(``Decoding.key()``) and the normalised source unit: change any of them and the entry no longer applies.
The database runs in WAL mode with a busy timeout, so two ``brief translate`` processes can share it:
readers never block, and a writer waits for the other's transaction instead of failing.

Where it lives: ``--tm PATH``, else ``$BRIEF_CACHE_DIR/tm.sqlite3``, else ``tm.sqlite3`` in the user cache
folder (``platformdirs.user_cache_dir('bilingual-brief')``, e.g. ``~/.cache/bilingual-brief`` on Linux).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
import unicodedata
from pathlib import Path
from typing import Iterable

import regex

from pipeline.errors import UsageError

# How long a writer waits for another process's transaction before giving up. A batch writes one short
# transaction per article, so waiting is milliseconds in practice; the bound only guards a stuck process.
BUSY_TIMEOUT_MS = 60_000
# SQLite's default limit of host parameters in one statement is 32766 (999 before 3.32); stay well below.
_CHUNK = 500

_SPACE = regex.compile(r"\s+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS units (
    key TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    translation TEXT NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID
"""


def default_memory_path() -> Path:
    """``tm.sqlite3`` in the cache folder: ``$BRIEF_CACHE_DIR``, else the user cache folder."""
    from pipeline.models import cache_dir

    return cache_dir() / "tm.sqlite3"


def normalise_source(text: str) -> str:
    """The form of a source unit the key is built from: NFC, edge space stripped, inner runs of space as one."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def memory_key(model_id: str, revision: str, backend: str, decoding_key: str, source: str) -> str:
    """The SHA-256 hex key of one source unit translated by one model with one set of decoding settings."""
    fields = (model_id, revision, backend, decoding_key, normalise_source(source))
    # The unit separator cannot occur in any field, so no two different tuples give the same bytes.
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


class TranslationMemory:
    """A SQLite translation memory at ``path`` (created with its folder if missing).

    Use as a context manager, or call ``close``. Safe to share between processes; one object per thread.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_memory_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in put_many).
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._db.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable in WAL mode except for the last transactions on a power cut: a cache can
            # afford to lose them, and it saves an fsync per article.
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise UsageError(f"cannot open the translation memory {self.path}: {e}; "
                             "give another file with --tm PATH, or run with --no-tm") from e

    def get_many(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored translations of those ``keys`` that are in the memory."""
        keys = list(dict.fromkeys(keys))
        found: dict[str, str] = {}
        for i in range(0, len(keys), _CHUNK):
            chunk = keys[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT key, translation FROM units WHERE key IN ({marks})", chunk)
            found.update(rows.fetchall())
        return found

    def put_many(self, entries: Iterable[tuple[str, str, str]], *, model: str = "") -> int:
        """Store ``(key, source, translation)`` entries in one transaction; returns how many were given.

        An existing key is overwritten: the same key means the same model, settings and source.
        """
        now = time.time()
        rows = [(key, source, translation, model, now) for key, source, translation in entries]
        if not rows:
            return 0
        # BEGIN IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout instead of
        # one failing with "database is locked" when it upgrades a read lock.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR REPLACE INTO units (key, source, translation, model, created) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return len(rows)

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM units").fetchone()[0]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "TranslationMemory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
