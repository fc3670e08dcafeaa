"""The delivery store: updates in and replies out, in one SQLite file under DATA_DIR; file I/O.

An update is written here before Telegram is told it arrived (the getUpdates offset moves past
it, or the webhook answers 200), and its payload stays only until it has been answered; the
update id stays a while longer, so that a repeat is recognised. The replies an update produced
are written in the same transaction that marks it answered, so a crash loses neither and
doubles neither. A reply row goes when Telegram confirms it (or it is given up), so a chat id
and a message text stay only as long as they are undelivered.

The file is created with mode 0600 (SQLite gives its -wal and -shm files the same mode), in WAL
mode with synchronous=NORMAL: a commit survives the process being killed (what this store is
for); after a power cut the last commits may be lost, which costs at most a few replies.
The store imports nothing from Telegram: records in, records out.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

FILE_NAME = "delivery.sqlite3"
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    received REAL NOT NULL,
    payload TEXT
);
CREATE TABLE IF NOT EXISTS replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    created REAL NOT NULL,
    html TEXT NOT NULL,
    buttons TEXT,
    reply_to INTEGER,
    edit INTEGER
);
CREATE INDEX IF NOT EXISTS replies_by_chat ON replies (chat_id, id);
CREATE INDEX IF NOT EXISTS replies_by_age ON replies (created);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

Buttons = tuple[tuple[tuple[str, str], ...], ...]  # rows of (label, callback data)


class StoreError(Exception):
    """The store's file cannot be opened or written."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A reply to send (or, with `edit`, the new content of a message the bot sent)."""

    chat_id: int
    html: str
    buttons: Buttons = ()
    reply_to: int | None = None  # the message this one replies to (in groups)
    edit: int | None = None  # the id of the bot's message to edit in place


@dataclass(frozen=True, slots=True)
class Stored:
    """A reply waiting in the store: its row id (the order of sending) and when it was made."""

    id: int
    created: float
    reply: Outgoing


class Store:
    """The delivery store of one bot process."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, folder: Path) -> Store:
        """Open (or create) the store in a folder, or raise StoreError saying why not.

        A file that is not an SQLite database (damaged, or something else) is moved aside
        with one warning and a new store is made: what it held is lost, the start is not.
        """
        path = folder / FILE_NAME
        try:
            return cls(_connect(path), path)
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):
                raise StoreError(f"{path}: {_reason(exc)}") from None
        aside = path.with_name(f"{FILE_NAME}.damaged-{int(time.time())}")
        log.warning("%s is not a delivery store (damaged?); moved to %s, starting empty",
                    path, aside.name)
        try:
            path.rename(aside)
            for extra in ("-wal", "-shm"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
            return cls(_connect(path), path)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{path}: {_reason(exc)}") from None

    def close(self) -> None:
        """Close the file (committed work is already on disk)."""
        self._db.close()

    def bind(self, bot_id: int) -> bool:
        """Make this the store of one bot; return True if it held another bot's work (now gone).

        Update ids count per bot, so another bot's ids would make this one's look like repeats,
        and its replies are not this bot's to send.
        """
        with self._transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key = 'bot'").fetchone()
            if row is not None and row[0] == str(bot_id):
                return False
            self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bot', ?)",
                             (str(bot_id),))
            if row is None:
                return False
            self._db.execute("DELETE FROM updates")
            self._db.execute("DELETE FROM replies")
            return True

    # ---------------------------------------------------------------- updates

    def add_updates(self, updates: Iterable[tuple[int, str]], now: float) -> list[int]:
        """Record updates (id, JSON) in one transaction; return the ids not seen before."""
        new: list[int] = []
        with self._transaction():
            for update_id, payload in updates:
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO updates (update_id, received, payload) "
                    "VALUES (?, ?, ?)", (update_id, now, payload))
                if cursor.rowcount:
                    new.append(update_id)
        return new

    def unanswered(self) -> list[tuple[int, str]]:
        """Return the updates recorded but not yet answered, oldest first."""
        rows = self._db.execute(
            "SELECT update_id, payload FROM updates WHERE payload IS NOT NULL ORDER BY update_id")
        return [(int(u), str(p)) for u, p in rows]

    def answer(self, update_id: int | None, replies: Sequence[Outgoing], now: float) -> None:
        """Queue an update's replies and mark it answered (its payload goes), atomically."""
        with self._transaction():
            self._db.executemany(
                "INSERT INTO replies (chat_id, created, html, buttons, reply_to, edit) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [(r.chat_id, now, r.html, json.dumps(r.buttons) if r.buttons else None,
                  r.reply_to, r.edit) for r in replies])
            if update_id is not None:
                self._db.execute("UPDATE updates SET payload = NULL WHERE update_id = ?",
                                 (update_id,))

    def forget_updates(self, before: float) -> int:
        """Delete answered update ids recorded before a time; return how many."""
        with self._transaction():
            return self._db.execute(
                "DELETE FROM updates WHERE payload IS NULL AND received < ?", (before,)).rowcount

    # ---------------------------------------------------------------- replies

    def chats(self) -> list[int]:
        """Return the chats that have replies waiting."""
        return [int(c) for (c,) in self._db.execute("SELECT DISTINCT chat_id FROM replies")]

    def next_reply(self, chat_id: int) -> Stored | None:
        """Return a chat's oldest waiting reply, if any."""
        row = self._db.execute(
            "SELECT id, created, html, buttons, reply_to, edit FROM replies WHERE chat_id = ? "
            "ORDER BY id LIMIT 1", (chat_id,)).fetchone()
        if row is None:
            return None
        rid, created, html, buttons, reply_to, edit = row
        return Stored(rid, created, Outgoing(chat_id, html, _buttons(buttons), reply_to, edit))

    def delivered(self, reply_id: int) -> None:
        """Delete a reply Telegram has confirmed (or that was given up)."""
        with self._transaction():
            self._db.execute("DELETE FROM replies WHERE id = ?", (reply_id,))

    def replace(self, reply_id: int, reply: Outgoing) -> None:
        """Change what a waiting reply will send, keeping its place in the chat's order."""
        with self._transaction():
            self._db.execute(
                "UPDATE replies SET html = ?, buttons = ?, reply_to = ?, edit = ? WHERE id = ?",
                (reply.html, json.dumps(reply.buttons) if reply.buttons else None,
                 reply.reply_to, reply.edit, reply_id))

    def drop_older(self, before: float, keep: Collection[int] = ()) -> int:
        """Delete replies made before a time, but those in `keep`; return how many."""
        marks = ",".join("?" * len(keep))
        with self._transaction():
            return self._db.execute(
                f"DELETE FROM replies WHERE created < ? AND id NOT IN ({marks})",  # only ? marks
                (before, *keep)).rowcount

    def waiting(self) -> int:
        """Return how many replies wait to be sent."""
        return int(self._db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN ... COMMIT, or ROLLBACK if the block raises."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if kind is not None else "COMMIT")


def _connect(path: Path) -> sqlite3.Connection:
    """Open the file (private from its first byte) and make sure it has the tables."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)  # a file made by an older run with a looser mode
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except OSError as exc:
        raise StoreError(f"{path}: {_reason(exc)}") from None
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise StoreError(f"{path}: made by a newer version of the bot ({version})")
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        db.execute("SELECT id, chat_id, created, html, buttons, reply_to, edit FROM replies "
                   "LIMIT 0")
        db.execute("SELECT update_id, received, payload FROM updates LIMIT 0")
    except BaseException:
        db.close()
        raise
    return db


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """Tell whether SQLite found the file unreadable (not a database, or a wrong one)."""
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "no such column" in text


def _buttons(raw: str | None) -> Buttons:
    if not raw:
        return ()
    return tuple(tuple((str(label), str(data)) for label, data in row) for row in json.loads(raw))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return str(exc)
