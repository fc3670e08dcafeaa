"""The state file: each chat's conversation state in SQLite, kept across restarts; file I/O.

Why SQLite and not pickle or a rewritten JSON file: every change is one transaction, so the file
on disk is always whole (a kill or a full disk mid-write leaves the last committed state); a
change writes one row, not every chat; and nothing read back can run code. The journal is WAL
with synchronous=NORMAL: a committed change survives the process being killed (the bot commits
before it sends the reply); a power cut may lose the last moments of changes, never the file.

The file is created with mode 0600 through a temporary file renamed into place, and SQLite gives
its -wal and -shm files the same mode. A file this bot cannot use -- unreadable, empty, garbage,
truncated, another schema, a pickle from an older version -- is renamed aside with a timestamp
and one warning, and the bot starts with no saved conversations. Rows are checked field by field
(types, sizes, times); a bad row is dropped. Chat ids are stored as they are: they are what the
state is looked up by, and the row goes when the chat's state expires.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sqlite3
import stat
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.reply import ConversationState

log = logging.getLogger(__name__)

APP_ID = 0x4E414342  # "NACB" in SQLite's header: marks a file as this bot's state file
VERSION = 1  # of the schema below; another version is moved aside, never guessed at
SCHEMA = ("CREATE TABLE chats (chat_id INTEGER PRIMARY KEY, seen REAL NOT NULL, "
          "state TEXT NOT NULL) STRICT")
COLUMNS = ("chat_id", "seen", "state")
MODE = 0o600  # the file holds chat ids: readable by the bot's user only
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's companions, moved along with the file
MAX_ID = 2**53  # Telegram's chat ids fit in 52 bits and a sign
MAX_STATE = 4096  # characters of one saved state; the bot writes a few hundred
FUTURE = 300.0  # seconds a saved time may lie ahead of the clock (a clock step back)


class BadStateFile(Exception):
    """The state file is not one this bot can use."""


@dataclass(frozen=True, slots=True)
class Saved:
    """One chat's state as read back from the file."""

    chat_id: int
    seen: float  # wall-clock time of the chat's last message
    state: ConversationState


class StateFile:
    """Chat states in a SQLite file: opened once at start, one transaction per change."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._failing = False  # a write failed; warn once, say when writes work again

    def open(self, now: float, limit: int) -> list[Saved]:
        """Open the file, creating it or moving a bad one aside; return up to limit good rows.

        The most recent rows come first. Without a usable file (one that cannot even be moved
        aside) the bot runs on with state in memory only, after an error line.
        """
        try:
            self._db = _connect(self.path)
            return self._read(now, limit)
        except (sqlite3.Error, BadStateFile, OSError) as exc:
            self.close()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            try:
                aside = _move_aside(self.path, now)
                self._db = _connect(self.path)
            except (sqlite3.Error, BadStateFile, OSError) as again:
                self.close()
                log.error("state file %s cannot be used (%s; then %s); conversation state is "
                          "kept in memory only", self.path, reason, again)
                return []
            log.warning("state file %s could not be used (%s); moved it to %s and started with "
                        "no saved conversations", self.path, reason, aside.name)
            return []

    def _read(self, now: float, limit: int) -> list[Saved]:
        db = self._require()
        rows = db.execute("SELECT chat_id, seen, state FROM chats ORDER BY seen DESC LIMIT ?",
                          (limit,)).fetchall()
        good = [s for s in map(_row, rows, [now] * len(rows)) if s is not None]
        if len(good) < len(rows):
            log.warning("state file %s: ignored %d malformed entries", self.path,
                        len(rows) - len(good))
        return good

    def save(self, chat_id: int, seen: float, state: ConversationState) -> None:
        """Write one chat's state (one transaction); on failure warn once and carry on."""
        text = json.dumps(state.to_dict(), separators=(",", ":"))
        self._write([("INSERT INTO chats VALUES (?, ?, ?) ON CONFLICT (chat_id) DO UPDATE "
                      "SET seen = excluded.seen, state = excluded.state",
                      (chat_id, seen, text))])

    def forget(self, chat_ids: Iterable[int]) -> None:
        """Delete the rows of these chats (their state expired or was pushed out)."""
        self._write([("DELETE FROM chats WHERE chat_id = ?", (c,)) for c in chat_ids])

    def keep_only(self, chat_ids: Collection[int]) -> None:
        """Delete every row but these chats' (after a restore dropped some)."""
        self._write([("DELETE FROM chats WHERE chat_id NOT IN (SELECT value FROM json_each(?))",
                      (json.dumps(sorted(chat_ids)),))])

    def chat_ids(self) -> list[int]:
        """Return the chat ids the file holds, in order (for checks and tests)."""
        return [int(r[0]) for r in self._require().execute(
            "SELECT chat_id FROM chats ORDER BY chat_id")]

    def close(self) -> None:
        """Close the file (SQLite folds the WAL back into it)."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the state file is not open")
        return self._db

    def _write(self, statements: list[tuple[str, tuple[object, ...]]]) -> None:
        if self._db is None or not statements:
            return
        try:
            with self._db:  # one transaction: all of it or nothing
                for sql, params in statements:
                    self._db.execute(sql, params)
        except sqlite3.Error as exc:
            if not self._failing:
                log.warning("cannot write the state file %s (%s); conversation state is kept "
                            "in memory until it can be written", self.path, exc)
            self._failing = True
            return
        if self._failing:
            log.info("state file %s is written again", self.path)
            self._failing = False


def _connect(path: Path) -> sqlite3.Connection:
    """Open the state file (creating it if missing) and check that it is ours and whole."""
    if not path.exists():
        _move_aside_orphans(path)
        _create(path)
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise BadStateFile("not a regular file")
    if info.st_size == 0:
        raise BadStateFile("the file is empty")
    if stat.S_IMODE(info.st_mode) & 0o077:
        os.chmod(path, MODE)
    has_wal = path.with_name(path.name + "-wal").exists()
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, isolation_level=None)
    try:
        _check(db)
        _check_size(db, info.st_size, has_wal)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        db.close()
        raise
    return db


def _check(db: sqlite3.Connection) -> None:
    """Raise BadStateFile unless the file is this bot's, of this version, and undamaged."""
    app_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if (app_id, version) != (APP_ID, VERSION):
        raise BadStateFile(f"not a state file of this bot (application id {app_id}, "
                           f"version {version})")
    result = db.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        raise BadStateFile("the file is damaged")
    columns = tuple(r[1] for r in db.execute("PRAGMA table_info(chats)"))
    if columns != COLUMNS:
        raise BadStateFile("unexpected tables")


def _check_size(db: sqlite3.Connection, size: int, has_wal: bool) -> None:
    """Raise BadStateFile if the file is cut short (SQLite would read the missing end as zeros)."""
    page = db.execute("PRAGMA page_size").fetchone()[0]
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    # With a WAL left by a kill, recent pages may live there only: the main file is shorter.
    if size % page or (not has_wal and size != page * pages):
        raise BadStateFile("the file is truncated")


def _create(path: Path) -> None:
    """Create an empty state file, mode 0600, complete before it takes the file's name."""
    tmp = path.with_name(f".{path.name}.new")
    for stale in (tmp, *(tmp.with_name(tmp.name + s) for s in SIDE_FILES)):
        stale.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE))
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.execute(f"PRAGMA application_id = {APP_ID}")
        db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute(SCHEMA)
    finally:
        db.close()
    _fsync(tmp)
    os.replace(tmp, path)
    _fsync(path.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _move_aside(path: Path, now: float) -> Path:
    """Rename the file and its SQLite companions to <name>.bad-<UTC time>; return the new path."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    target = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.bad-{stamp}-{n}")
    os.replace(path, target)
    for suffix in SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _move_aside_orphans(path: Path) -> None:
    """Move SQLite companions left without their file, so a new file never replays them."""
    orphans = [path.with_name(path.name + s) for s in SIDE_FILES]
    if any(o.exists() for o in orphans):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        for o in orphans:
            if o.exists():
                os.replace(o, o.with_name(f"{o.name}.orphan-{stamp}"))
        log.warning("state file %s was missing but its journal was not; moved the journal "
                    "aside", path)


def _row(row: tuple[object, ...], now: float) -> Saved | None:
    """Return a row as a Saved entry, or None if any field is the wrong type or out of bounds."""
    chat_id, seen, text = row
    if (not isinstance(chat_id, int) or isinstance(chat_id, bool)
            or not 0 < abs(chat_id) < MAX_ID):
        return None
    if (not isinstance(seen, float | int) or isinstance(seen, bool) or not math.isfinite(seen)
            or not 0 < seen <= now + FUTURE):
        return None
    if not isinstance(text, str) or len(text) > MAX_STATE:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    state = ConversationState.parse(data)
    return Saved(chat_id, float(seen), state) if state is not None else None
