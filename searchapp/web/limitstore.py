"""Rate-limit counts shared by every gunicorn worker: a `limits` storage in one SQLite file.

Flask-Limiter's memory storage lives in one process, so N workers allowed N times every limit
(the admin login's 10 attempts a minute became 20 with 2 workers). This storage keeps the
fixed-window counters in `ratelimit.sqlite` in the instance folder, which every worker of a
server (and only they) open: one small write transaction per counted request (WAL journal, no
fsync: the counts may be lost in a power cut, nothing else).

Registered with `limits` under the scheme `searchapp+sqlite:///<path>`.
"""

from __future__ import annotations

import logging
import os
import random
import sqlite3
import threading
import time

from limits.storage import Storage

SCHEME = "searchapp+sqlite"
log = logging.getLogger(__name__)
_SCHEMA = """CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL) WITHOUT ROWID"""
_INCR = """INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3 + ?4)
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN expires <= ?3 THEN ?2 ELSE count + ?2 END,
    expires = CASE WHEN expires <= ?3 THEN ?3 + ?4 ELSE expires END
RETURNING count"""
PURGE_EVERY = 1000  # about one increment in this many also deletes expired counters


def uri_for(folder: os.PathLike[str] | str) -> str:
    """The storage URI of the counters file in folder."""
    return f"{SCHEME}:///{os.path.join(os.fspath(folder), 'ratelimit.sqlite').lstrip('/')}"


def shared_or_memory(folder: os.PathLike[str] | str) -> str:
    """The counters file of folder when it can be opened; else per-process memory (a read-only
    instance folder), with a warning."""
    uri = uri_for(folder)
    try:
        SQLiteStorage(uri)
    except (OSError, sqlite3.Error) as exc:
        log.warning("rate limits counted per worker: %s cannot be written (%s)", uri, exc)
        return "memory://"
    return uri


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file, shared across processes."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: float | str | bool) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = "/" + (uri or "").split("://", 1)[1].lstrip("/")
        self._local = threading.local()
        self._db()  # fail at start (an unwritable instance folder), not at the first request

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (a new one after a fork)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.pid == os.getpid():
            return db
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        db.execute(_SCHEMA)
        self._local.db, self._local.pid = db, os.getpid()
        return db

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        db = self._db()
        now = time.time()
        row = db.execute(_INCR, (key, amount, now, float(expiry))).fetchone()
        if random.random() < 1 / PURGE_EVERY:
            db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._db().execute("SELECT expires FROM counters WHERE key = ? AND expires > ?",
                                 (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int | None:
        return int(self._db().execute("DELETE FROM counters").rowcount)

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
