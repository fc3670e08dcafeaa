"""The state file: SQLite, 0600, written at each change, bad files moved aside, nothing executed.

The unit tests open StateFile directly; the end-to-end tests run the real Application against
the fake Bot API (BotHarness) or `python -m bot` as a process that is killed with SIGKILL.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import signal
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import text_update, user
from telegram_helpers import (
    BotHarness,
    BotProcess,
    FakeServer,
    env_for,
    question_of_kind,
    sent,
)

from bot.engine import Engine
from bot.reply import ConversationState
from bot.telegram.statefile import APP_ID, SCHEMA, VERSION, StateFile

NOW = 1_700_000_000.0
STATE = ConversationState(last_topic="pregnancy", choices=("side-effects", "interactions"),
                          last_reply="0123456789ab", earlier=("ba9876543210",))
HANG = 60.0  # seconds after which a process that should have answered counts as hung


def opened(path: Path, now: float = NOW, limit: int = 100) -> tuple[StateFile, list[Any]]:
    store = StateFile(path)
    return store, store.open(now, limit)


def saved_file(path: Path, rows: int = 40) -> bytes:
    """Write a healthy state file with some chats; return its bytes."""
    store, _ = opened(path)
    for chat in range(1, rows + 1):
        store.save(chat, NOW - chat, STATE)
    store.close()
    return path.read_bytes()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class Payload:
    """A pickle that makes a marker (a folder) when it is unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


# ---------------------------------------------------------------- a healthy file


def test_a_saved_state_comes_back(tmp_path: Path) -> None:
    store, _ = opened(tmp_path / "state.db")
    store.save(1001, NOW - 5, STATE)
    store.close()
    _, rows = opened(tmp_path / "state.db")
    assert [(r.chat_id, r.seen, r.state) for r in rows] == [(1001, NOW - 5, STATE)]


def test_the_file_and_its_journal_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store, _ = opened(path)
    store.save(1001, NOW, STATE)  # the WAL and its index exist while the file is open
    modes = {p.name: oct(mode(p)) for p in tmp_path.iterdir()}
    store.close()
    assert modes == {"state.db": "0o600", "state.db-wal": "0o600", "state.db-shm": "0o600"}


def test_a_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    saved_file(path, rows=1)
    path.chmod(0o644)
    opened(path)[0].close()
    assert oct(mode(path)) == "0o600"


def test_forget_and_keep_only_delete_rows(tmp_path: Path) -> None:
    store, _ = opened(tmp_path / "state.db")
    for chat in (1, 2, 3, 4):
        store.save(chat, NOW, STATE)
    store.forget([2])
    store.keep_only([1, 4])
    assert store.chat_ids() == [1, 4]


def test_open_returns_the_most_recent_rows_up_to_the_limit(tmp_path: Path) -> None:
    saved_file(tmp_path / "state.db", rows=10)
    _, rows = opened(tmp_path / "state.db", limit=3)
    assert [r.chat_id for r in rows] == [1, 2, 3]


# ---------------------------------------------------------------- bad files


def _truncated(path: Path, at: int) -> bytes:
    return saved_file(path)[:at]


def _pickle(path: Path) -> bytes:
    return pickle.dumps({"chat_data": {1001: {"state": Payload(path.parent / "MARKER")}}})


def _other_database(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (x TEXT)")
    db.commit()
    db.close()
    return path.read_bytes()


def _other_version(path: Path) -> bytes:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA application_id = {APP_ID}")
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.execute(SCHEMA)
    db.commit()
    db.close()
    return path.read_bytes()


def _damaged_page(path: Path) -> bytes:
    data = bytearray(saved_file(path, rows=200))
    data[4096 + 8: 4096 + 400] = os.urandom(392)  # inside the table's first page
    return bytes(data)


BAD_FILES = {
    "empty": lambda p: b"",
    "garbage": lambda p: os.urandom(3000),
    "json": lambda p: json.dumps({"1001": {"last_topic": "pregnancy"}}).encode(),
    "malicious-pickle": _pickle,
    "truncated-in-header": lambda p: _truncated(p, 60),
    "truncated-half": lambda p: _truncated(p, len(saved_file(p)) // 2),
    "truncated-last-byte": lambda p: _truncated(p, len(saved_file(p)) - 1),
    "damaged-page": _damaged_page,
    "other-database": _other_database,
    "other-version": _other_version,
}


@pytest.mark.parametrize("make", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_moved_aside_with_one_warning_and_a_fresh_one_works(
        make: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.db"
    content = make(path)
    for side in tmp_path.glob("state.db-*"):
        side.unlink()
    path.write_bytes(content)
    caplog.set_level(logging.WARNING, logger="bot")
    store, rows = opened(path)
    store.save(1001, NOW, STATE)
    store.close()
    aside = [p for p in tmp_path.iterdir() if ".bad-" in p.name]
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    _, again = opened(path)
    assert (rows, len(warnings), [p.read_bytes() == content for p in aside],
            [r.state for r in again], (tmp_path / "MARKER").exists()) == (
        [], 1, [True], [STATE], False)


def test_the_pickle_payload_would_run_if_unpickled(tmp_path: Path) -> None:
    """A control: the payload of the malicious case above is live."""
    pickle.loads(_pickle(tmp_path / "state.db"))  # the one unpickling in the project: a test
    assert (tmp_path / "MARKER").exists()


def test_a_stale_journal_without_its_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "state.db-wal").write_bytes(os.urandom(5000))
    store, rows = opened(tmp_path / "state.db")
    store.save(1, NOW, STATE)
    store.close()
    assert (rows, [r.chat_id for r in opened(tmp_path / "state.db")[1]]) == ([], [1])


BAD_ROWS = {
    "text-id": ("1001", NOW, STATE),
    "zero-id": (0, NOW, STATE),
    "huge-id": (2**60, NOW, STATE),
    "future": (1001, NOW + 86_400, STATE),
    "negative-time": (1001, -5.0, STATE),
    "not-json": (1001, NOW, "{last_topic: pregnancy"),
    "a-list": (1001, NOW, "[1, 2]"),
    "pickle-bytes": (1001, NOW, pickle.dumps(STATE)),
    "deep-nesting": (1001, NOW, "[" * 3000 + "]" * 3000),
    "too-long": (1001, NOW, json.dumps({**STATE.to_dict(), "x": "a" * 5000})),
    "topic-not-a-string": (1001, NOW, json.dumps({**STATE.to_dict(), "last_topic": 5})),
    "topic-too-long": (1001, NOW, json.dumps({**STATE.to_dict(), "last_topic": "a" * 500})),
    "too-many-choices": (1001, NOW, json.dumps({**STATE.to_dict(), "choices": ["a"] * 50})),
    "detailed-not-a-bool": (1001, NOW, json.dumps({**STATE.to_dict(), "detailed": "yes"})),
    "reply-not-hex": (1001, NOW, json.dumps({**STATE.to_dict(), "last_reply": "<b>x</b>"})),
    "earlier-not-hex": (1001, NOW, json.dumps({**STATE.to_dict(), "earlier": ["<b>x</b>"]})),
    "earlier-too-long": (1001, NOW, json.dumps({**STATE.to_dict(), "earlier": ["0" * 12] * 9})),
    "earlier-empty-hash": (1001, NOW, json.dumps({**STATE.to_dict(), "earlier": [""]})),
}


@pytest.mark.parametrize("row", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_malformed_row_is_ignored_and_the_good_ones_kept(row: tuple[Any, ...],
                                                           tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    saved_file(path, rows=2)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE loose (chat_id, seen, state)")  # no types enforced
    db.execute("INSERT INTO loose SELECT * FROM chats")
    db.execute("INSERT INTO loose VALUES (?, ?, ?)",
               tuple(json.dumps(v.to_dict()) if isinstance(v, ConversationState) else v
                     for v in row))
    db.execute("DROP TABLE chats")
    db.execute("ALTER TABLE loose RENAME TO chats")
    db.commit()
    db.close()
    _, rows = opened(path)
    assert [r.chat_id for r in rows] == [1, 2]


# ---------------------------------------------------------------- the running bot


@pytest.fixture
def clarify(engine: Engine) -> tuple[str, str]:
    """A question that gets "did you mean", and the answer its first choice shows."""
    question = question_of_kind(engine, "clarify")
    first = engine.respond(question).reply.choices[0]
    return question, engine.show(first).reply.html


def texts(calls: list[Any]) -> list[str]:
    return [c.params["text"] for c in sent(calls) if c.status == 200]


def test_a_did_you_mean_pick_works_after_a_restart(engine: Engine, tmp_path: Path,
                                                   clarify: tuple[str, str]) -> None:
    harness = BotHarness(engine, persistence_path=tmp_path / "state.db")
    try:
        harness.say(clarify[0])
        harness.restart()
        picked = harness.say("1")
    finally:
        harness.close()
    assert texts(picked) == [clarify[1]]


def test_state_is_on_disk_as_soon_as_the_reply_is_sent(engine: Engine, tmp_path: Path,
                                                       clarify: tuple[str, str]) -> None:
    """A copy of the files taken right after the reply is what a kill -9 would leave."""
    harness = BotHarness(engine, persistence_path=tmp_path / "state.db")
    killed = tmp_path / "killed"
    killed.mkdir()
    try:
        harness.say(clarify[0])
        for p in tmp_path.glob("state.db*"):
            shutil.copy(p, killed / p.name)
    finally:
        harness.close()
    again = BotHarness(engine, persistence_path=killed / "state.db")
    try:
        picked = again.say("1")
    finally:
        again.close()
    assert texts(picked) == [clarify[1]]


def test_state_is_lost_on_restart_without_a_state_file(engine: Engine) -> None:
    harness = BotHarness(engine)
    question = question_of_kind(engine, "answer")
    try:
        harness.say(question)
        harness.restart()
        follow_up = harness.say("sources?")
    finally:
        harness.close()
    assert texts(follow_up) == [engine.sources(None).html]


def test_the_file_keeps_only_chats_with_state(engine: Engine, tmp_path: Path) -> None:
    harness = BotHarness(engine, persistence_path=tmp_path / "state.db")
    try:
        harness.say("what is cysteine")
        harness.say("/help", sender=user(4004, "Help", None))
        harness.restart()
    finally:
        harness.close()
    store, _ = opened(tmp_path / "state.db", now=time.time())
    assert store.chat_ids() == [1001]


def test_saved_state_naming_an_unknown_topic_is_dropped(engine: Engine, tmp_path: Path) -> None:
    store, _ = opened(tmp_path / "state.db")
    store.save(1001, time.time(), ConversationState(choices=("no-such-topic", "pregnancy")))
    store.save(1002, time.time(), ConversationState(crisis="no-such-crisis"))
    store.close()
    harness = BotHarness(engine, persistence_path=tmp_path / "state.db")
    try:
        kept = sorted(harness.app.bot_data["services"].chats)
        number = harness.say("1")
    finally:
        harness.close()
    assert (kept, texts(number)) == ([], [engine.respond("1").reply.html])


def test_the_bot_starts_and_answers_with_a_malicious_pickle_as_state_file(
        engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.pickle"
    path.write_bytes(_pickle(path))
    caplog.set_level(logging.WARNING)
    harness = BotHarness(engine, persistence_path=path)
    question = question_of_kind(engine, "answer")
    try:
        replies = harness.say(question)
    finally:
        harness.close()
    moved = [r for r in caplog.records if "moved it to" in r.getMessage()]
    assert (texts(replies), len(moved), (tmp_path / "MARKER").exists()) == (
        [engine.respond(question).reply.html], 1, False)


# ---------------------------------------------------------------- a real process, kill -9


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def _ask(server: FakeServer, proc: BotProcess, text: str,
         besides: str | None = None) -> dict[str, Any]:
    """Send a message to the bot process; return the first message it sends back.

    besides: a text to pass over (a reply whose send the last kill may have cut between "sent"
    and "marked", which the delivery store then sends once more).
    """
    mark = len(server.api.calls)
    server.call(server.api.inject, text_update(text))

    def replies() -> list[dict[str, Any]]:
        return [c.params for c in server.api.calls[mark:]
                if c.method == "sendMessage" and c.status == 200 and c.params["text"] != besides]
    try:
        server.wait_until(lambda: bool(replies()), timeout=HANG)
    except TimeoutError:
        raise AssertionError(f"no answer: {proc.stderr()[-2000:]}") from None
    return replies()[0]


def test_a_conversation_continues_after_kill_9(server: FakeServer, engine: Engine,
                                               tmp_path: Path,
                                               clarify: tuple[str, str]) -> None:
    env = env_for(server, STATE_FILE=str(tmp_path / "state.db"))
    with BotProcess(env) as proc:
        offered = _ask(server, proc, clarify[0])
        proc.popen.send_signal(signal.SIGKILL)
        proc.popen.wait(HANG)
    with BotProcess(env) as proc:
        picked = _ask(server, proc, "1", besides=offered["text"])
    assert picked["text"] == clarify[1]


def test_a_process_never_runs_a_pickled_state_file(server: FakeServer, tmp_path: Path) -> None:
    path = tmp_path / "state.pickle"
    path.write_bytes(_pickle(path))
    env = env_for(server, STATE_FILE=str(path))
    with BotProcess(env) as proc:
        _ask(server, proc, "what is cysteine")
        proc.popen.send_signal(signal.SIGTERM)
        code, err = proc.finish(HANG)
    warned = [line for line in err.splitlines() if "moved it to" in line]
    assert (code, len(warned), (tmp_path / "MARKER").exists()) == (0, 1, False)
