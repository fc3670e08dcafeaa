"""The inbox: what is stored for each outcome, file modes, retention, failures, concurrency."""

from __future__ import annotations

import logging
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.inbox import DAY, Asked, Inbox, inbox_path, read_counts, read_questions
from bot.reply import Kind, Reply

T0 = 1_750_000_000.0


def reply(kind: Kind, topic: str | None = None, guess: str | None = None,
          confidence: float = 0.4, declined: bool = False) -> Reply:
    return Reply(kind=kind, topic=topic, confidence=confidence, text="", html="", guess=guess,
                 declined=declined)


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def rows(path: Path) -> list[tuple[str, str, str | None, float]]:
    return [(q.outcome, q.text, q.guess, q.score) for q in read_questions(path)]


RECORDED = [
    (reply("fallback", guess="side-effects", confidence=0.12),
     [("fallback", "q", "side-effects", 0.12)]),
    (reply("clarify", guess="pregnancy", confidence=0.5), [("clarify", "q", "pregnancy", 0.5)]),
    (reply("answer", topic="pregnancy", confidence=0.9), []),
    (reply("emergency", confidence=1.0), []),
    (reply("smalltalk", confidence=1.0), []),
    (reply("fallback", guess="x", declined=True), []),
]


@pytest.mark.parametrize(("answer", "expected"), RECORDED, ids=[
    "fallback", "clarify", "answer-not-stored", "emergency-not-stored", "smalltalk-not-stored",
    "declined-is-for-decline"])
def test_what_a_reply_stores(tmp_path: Path, answer: Reply,
                             expected: list[tuple[str, str, str | None, float]]) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    inbox.record("q", answer)
    assert rows(inbox_path(tmp_path)) == expected


def test_every_reply_is_counted_by_kind_and_topic(tmp_path: Path) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    for r in (reply("answer", "pregnancy"), reply("answer", "pregnancy"), reply("fallback"),
              reply("emergency")):
        inbox.record("q", r)
    inbox.feedback(True, None, "pregnancy")
    assert sorted(read_counts(inbox_path(tmp_path), T0 - DAY)) == [
        ("answer", "pregnancy", 2), ("emergency", "", 1), ("fallback", "", 1),
        ("helpful", "pregnancy", 1)]


def test_none_of_these_turns_the_clarify_into_declined(tmp_path: Path) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    asked = inbox.record("nac pills", reply("clarify", guess="doses-in-studies"))
    inbox.decline(asked)
    assert rows(inbox_path(tmp_path)) == [("declined", "nac pills", "doses-in-studies", 0.4)]


def test_thumbs_down_stores_the_question_and_topic(tmp_path: Path) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    inbox.feedback(False, Asked("is nac vegan", "what-is-nac", 0.8), "what-is-nac")
    inbox.feedback(False, None, "pregnancy")  # the question was forgotten (a restart)
    assert rows(inbox_path(tmp_path)) == [("unhelpful", "is nac vegan", "what-is-nac", 0.8),
                                          ("unhelpful", "", "pregnancy", 1.0)]


def test_the_text_is_redacted_before_it_is_stored(tmp_path: Path) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    inbox.record("Ada: mail ada@example.org or +1 555 010 0199 re bitcoin",
                 reply("fallback"), names=("Ada",))
    assert [q.text for q in read_questions(inbox_path(tmp_path))] == [
        "[name]: mail [email] or [number] re bitcoin"]


def test_time_is_kept_to_the_minute(tmp_path: Path) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock(T0 + 59))
    inbox.record("q", reply("fallback"))
    assert [q.at for q in read_questions(inbox_path(tmp_path))] == [int(T0 + 59) // 60 * 60]


def test_files_are_private_and_in_wal_mode(tmp_path: Path) -> None:
    data = tmp_path / "data"
    inbox = Inbox(inbox_path(data), clock=Clock())
    inbox.record("q", reply("fallback"))
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [data, *data.iterdir()]}
    with sqlite3.connect(inbox_path(data)) as db:
        journal = db.execute("PRAGMA journal_mode").fetchone()[0]
    assert (modes, journal) == ({"data": 0o700, "inbox.sqlite3": 0o600,
                                 "inbox.sqlite3-wal": 0o600, "inbox.sqlite3-shm": 0o600}, "wal")


def test_rows_older_than_the_retention_are_deleted(tmp_path: Path) -> None:
    clock = Clock()
    inbox = Inbox(inbox_path(tmp_path), retention_days=90, clock=clock)
    inbox.record("old question", reply("fallback"))
    clock.now += 89 * DAY
    inbox.record("recent question", reply("fallback"))
    clock.now += 2 * DAY  # the first is now 91 days old, the second 2
    inbox.record("new question", reply("fallback"))
    assert ([q.text for q in read_questions(inbox_path(tmp_path))],
            sum(n for *_, n in read_counts(inbox_path(tmp_path), 0))) == (
        ["recent question", "new question"], 2)


def test_retention_applies_at_start(tmp_path: Path) -> None:
    Inbox(inbox_path(tmp_path), clock=Clock()).record("old", reply("fallback"))
    Inbox(inbox_path(tmp_path), retention_days=1, clock=Clock(T0 + 2 * DAY))
    assert read_questions(inbox_path(tmp_path)) == []


def test_off_records_nothing_and_creates_nothing(tmp_path: Path) -> None:
    inbox = Inbox(None)
    assert (inbox.enabled, inbox.record("q", reply("fallback")), list(tmp_path.iterdir())) == (
        False, None, [])


def test_an_unwritable_data_dir_turns_recording_off_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where DATA_DIR should be")
    with caplog.at_level(logging.WARNING, logger="bot.inbox"):
        inbox = Inbox(inbox_path(blocked))
        answers = [inbox.record("q", reply("fallback")) for _ in range(3)]
        inbox.decline(None)
        inbox.feedback(False, None, "x")
    assert (inbox.enabled, answers, len(caplog.records)) == (False, [None] * 3, 1)


def test_a_full_disk_turns_recording_off_with_one_warning(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    inbox = Inbox(inbox_path(tmp_path), clock=Clock())
    inbox.record("first", reply("fallback"))
    # SQLite's own limit on the file's pages: the writes fail as on a full disk (SQLITE_FULL).
    assert inbox._db is not None
    pages = inbox._db.execute("PRAGMA page_count").fetchone()[0]
    inbox._db.execute(f"PRAGMA max_page_count = {pages}")
    with caplog.at_level(logging.WARNING, logger="bot.inbox"):
        for n in range(200):
            inbox.record(f"question {n} " + "x" * 400, reply("fallback"))
    assert (inbox.enabled, len(caplog.records), "full" in caplog.records[0].getMessage()) == (
        False, 1, True)


def test_reading_while_the_bot_writes(tmp_path: Path) -> None:
    path = inbox_path(tmp_path)
    inbox = Inbox(path, clock=Clock())
    inbox.record("first", reply("fallback"))
    errors: list[BaseException] = []
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                seen.append(len(read_questions(path)))
            except sqlite3.Error as exc:
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    for n in range(300):
        inbox.record(f"question {n}", reply("fallback"))
    cli = subprocess.run([sys.executable, "-m", "bot", "unanswered", "--json"],
                         capture_output=True, text=True, env={"DATA_DIR": str(tmp_path)},
                         timeout=60)
    done.set()
    reader.join()
    assert (errors, cli.returncode, seen == sorted(seen), len(read_questions(path))) == (
        [], 0, True, 301)


WRITER = """
import sys, time
from pathlib import Path
from bot.inbox import Inbox
from bot.reply import Reply
inbox = Inbox(Path(sys.argv[1]))
r = Reply(kind="fallback", topic=None, confidence=0.1, text="", html="")
n = 0
while True:
    inbox.record(f"question {n}", r)
    n += 1
    print(n, flush=True)
"""


def test_a_crash_mid_write_loses_at_most_the_question_being_written(tmp_path: Path) -> None:
    path = inbox_path(tmp_path)
    with subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        confirmed = 0
        while confirmed < 200:
            confirmed = int(proc.stdout.readline())
        proc.kill()  # SIGKILL: no clean-up of any kind
        proc.wait()
        rest = proc.stdout.read().split()
    confirmed = int(rest[-1]) if rest else confirmed
    with sqlite3.connect(path) as db:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    stored = len(read_questions(path))
    assert (integrity, confirmed <= stored <= confirmed + 1) == ("ok", True)
