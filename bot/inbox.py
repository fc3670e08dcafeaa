"""The curators' inbox: unanswered questions and reply counts in SQLite under DATA_DIR; file I/O.

Two tables, and nothing in either says who asked:
  questions  one row per question the bot could not answer well: a fallback, a "did you mean"
             (turned into "declined" when the person presses "None of these"), or an answer
             that got a 👎. The text is redacted first (bot.redact); time to the minute, the
             outcome, the best topic guess and its probability.
  counts     how many replies of each kind (and topic) per hour, for /stats: no text at all.
Rows older than the retention are deleted at start and then hourly. The file is mode 0600 in
WAL mode, so `python -m bot unanswered` reads while the bot writes, and each record is one
transaction: a crash loses at most the one being written.

The bot must never stop for its inbox: when the file cannot be opened or written (a read-only
DATA_DIR, a full disk) recording turns off with one warning, and every method does nothing.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar, cast

from bot.redact import redact
from bot.reply import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")

FILE_NAME = "inbox.sqlite3"
Outcome = Literal["fallback", "clarify", "declined", "unhelpful"]
OUTCOMES: tuple[Outcome, ...] = ("fallback", "clarify", "declined", "unhelpful")
DAY = 24 * 3600
HOUR = 3600
MAX_TEXT = 500  # characters of a question kept: enough to read, not a place to store essays
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    text TEXT NOT NULL,
    guess TEXT,
    score REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_at ON questions (at);
CREATE TABLE IF NOT EXISTS counts (
    hour INTEGER NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, kind, topic)
);
"""


@dataclass(frozen=True, slots=True)
class Question:
    """One stored question."""

    id: int
    at: int  # unix time, to the minute
    outcome: Outcome
    text: str
    guess: str | None
    score: float


@dataclass(frozen=True, slots=True)
class Asked:
    """A redacted question the bot replied to, kept (in memory) until feedback may come."""

    text: str
    topic: str | None  # the answer given, or the best guess of a "did you mean"
    score: float
    row: int | None = None  # its inbox row, when it was stored


def outcome_of(reply: Reply) -> Outcome | None:
    """Return how a reply to a typed message goes into the inbox (None: not at all)."""
    if reply.kind in ("fallback", "clarify") and not reply.declined:
        return reply.kind
    return None


class Inbox:
    """Record unanswered questions and reply counts; silently off when it cannot write."""

    def __init__(self, path: Path | None, retention_days: int = 90,
                 clock: Callable[[], float] = time.time) -> None:
        """Open (creating) the inbox at path; None, or a failure to open, means off."""
        self.path = path
        self.retention = retention_days * DAY
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._purged = 0.0
        if path is not None:
            try:
                self._db = _open(path)
                self._purge(clock())
            except (sqlite3.Error, OSError) as exc:
                self._off(exc)

    @property
    def enabled(self) -> bool:
        """Tell whether questions are being recorded."""
        return self._db is not None

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def record(self, text: str, reply: Reply, names: Iterable[str] = ()) -> Asked | None:
        """Count a reply to a typed message; store the question if it went unanswered.

        Returns what feedback on this reply needs (None when recording is off). A reply to
        "none" is not recorded here: the shell calls `decline` with the question declined.
        names: words to redact besides the usual ones (the sender's names).
        """
        if self._db is None or reply.declined:
            return None
        clean = redact(text, names)[:MAX_TEXT]
        outcome = outcome_of(reply)
        topic = reply.topic if reply.kind == "answer" else reply.guess

        def work(db: sqlite3.Connection) -> int | None:
            self._count(db, reply.kind, reply.topic)
            if outcome is None:
                return None
            return self._insert(db, outcome, clean, topic, reply.confidence)

        row = self._run(work)
        return Asked(clean, topic, reply.confidence, row) if self._db is not None else None

    def decline(self, asked: Asked | None) -> None:
        """Record a "None of these" press on the "did you mean" that `asked` got."""

        def work(db: sqlite3.Connection) -> None:
            self._count(db, "declined", None)
            if asked is None:
                return
            if asked.row is not None:
                db.execute("UPDATE questions SET outcome = 'declined' WHERE id = ?",
                           (asked.row,))
            else:
                self._insert(db, "declined", asked.text, asked.topic, asked.score)

        self._run(work)

    def feedback(self, helpful: bool, asked: Asked | None, topic: str | None) -> None:
        """Count a 👍 or 👎; a 👎 stores the question (if still known) and the topic."""

        def work(db: sqlite3.Connection) -> None:
            self._count(db, "helpful" if helpful else "unhelpful", topic)
            if not helpful and (asked is not None or topic is not None):
                text = asked.text if asked is not None else ""
                score = asked.score if asked is not None else 1.0
                self._insert(db, "unhelpful", text, topic, score)

        self._run(work)

    # ---------------------------------------------------------------- internals

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """Run work in one transaction; a storage error turns recording off (one warning)."""
        with self._lock:
            db = self._db
            if db is None:
                return None
            try:
                result = _transaction(db, work)
                now = self._clock()
                if now - self._purged >= HOUR:
                    self._purge(now)
                return result
            except (sqlite3.Error, OSError) as exc:
                self._off(exc)
                return None

    def _insert(self, db: sqlite3.Connection, outcome: Outcome, text: str,
                topic: str | None, score: float) -> int | None:
        at = int(self._clock()) // 60 * 60
        cursor = db.execute(
            "INSERT INTO questions (at, outcome, text, guess, score) VALUES (?, ?, ?, ?, ?)",
            (at, outcome, text, topic, round(float(score), 4)))
        return cursor.lastrowid

    def _count(self, db: sqlite3.Connection, kind: str, topic: str | None) -> None:
        hour = int(self._clock()) // HOUR * HOUR
        db.execute("INSERT INTO counts (hour, kind, topic, n) VALUES (?, ?, ?, 1) "
                   "ON CONFLICT (hour, kind, topic) DO UPDATE SET n = n + 1",
                   (hour, kind, topic or ""))

    def _purge(self, now: float) -> None:
        """Delete what is older than the retention."""
        if self._db is None:
            return
        cutoff = int(now - self.retention)

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM questions WHERE at < ?", (cutoff,))
            db.execute("DELETE FROM counts WHERE hour < ?", (cutoff // HOUR * HOUR,))

        _transaction(self._db, work)
        self._purged = now

    def _off(self, exc: BaseException) -> None:
        log.warning("inbox: recording unanswered questions is off: cannot write %s (%s)",
                    self.path, exc)
        if self._db is not None:
            with suppress(sqlite3.Error):
                self._db.close()
        self._db = None


def _transaction(db: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    """Run work between BEGIN IMMEDIATE and COMMIT, rolling back on any error."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
    return result


def inbox_path(data_dir: Path) -> Path:
    """Return where the inbox of a DATA_DIR lives."""
    return data_dir / FILE_NAME


def _open(path: Path) -> sqlite3.Connection:
    """Open the inbox for writing: folder 0700 if new, file 0600, WAL, schema in place."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Create the file with its mode before SQLite does (SQLite would use the umask); SQLite
    # gives the -wal and -shm files the mode of the database.
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=2.0)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL: a commit survives a crash of the process; only a power cut may
        # lose the last few, and fsync on every question would cost more than the answer.
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(SCHEMA)
    except sqlite3.Error:
        db.close()
        raise
    return db


@contextmanager
def _reader(path: Path) -> Iterator[sqlite3.Connection]:
    """Open the inbox read-only (it may be in use by the bot)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        yield db
    finally:
        db.close()


def read_questions(path: Path) -> list[Question]:
    """Return every stored question, oldest first ([] when there is no inbox yet)."""
    if not path.exists():
        return []
    with _reader(path) as db:
        rows = db.execute("SELECT id, at, outcome, text, guess, score FROM questions "
                          "ORDER BY at, id").fetchall()
    return [Question(int(r[0]), int(r[1]), cast(Outcome, r[2]), str(r[3]), r[4], float(r[5]))
            for r in rows]


def read_counts(path: Path, since: float) -> list[tuple[str, str, int]]:
    """Return (kind, topic, count) of the replies since a unix time ("" for no topic)."""
    if not path.exists():
        return []
    with _reader(path) as db:
        rows = db.execute("SELECT kind, topic, SUM(n) FROM counts WHERE hour >= ? "
                          "GROUP BY kind, topic", (int(since) // HOUR * HOUR,)).fetchall()
    return [(str(k), str(t), int(n)) for k, t, n in rows]
