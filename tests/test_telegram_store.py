"""The delivery store: what it keeps, for how long, in what order, with what permissions."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.telegram.store import FILE_NAME, Outgoing, Store, StoreError

NOW = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data")
    yield opened
    opened.close()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    store = Store.open(folder)
    store.add_updates([(1, "{}")], NOW)  # writes the WAL file
    files = sorted(p.name for p in folder.iterdir())
    modes = {p.name: mode(p) for p in folder.iterdir()}
    store.close()
    assert (files, set(modes.values()), mode(folder)) == (
        [FILE_NAME, f"{FILE_NAME}-shm", f"{FILE_NAME}-wal"], {0o600}, 0o700)


def test_a_looser_file_is_made_private(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).touch(mode=0o644)
    Store.open(tmp_path).close()
    assert mode(tmp_path / FILE_NAME) == 0o600


def test_a_repeated_update_is_new_only_once(store: Store) -> None:
    first = store.add_updates([(1, "{}"), (2, "{}")], NOW)
    again = store.add_updates([(2, "{}"), (3, "{}")], NOW)
    assert (first, again) == ([1, 2], [3])


def test_answering_drops_the_payload_and_queues_the_replies(store: Store) -> None:
    store.add_updates([(1, '{"message": "hi"}'), (2, '{"message": "yo"}')], NOW)
    store.answer(1, [Outgoing(5, "a"), Outgoing(5, "b", ((("More", "m:x"),),))], NOW)
    first = store.next_reply(5)
    assert (store.unanswered(), first.reply if first else None, store.chats()) == (
        [(2, '{"message": "yo"}')], Outgoing(5, "a"), [5])


def test_replies_of_a_chat_come_oldest_first(store: Store) -> None:
    store.answer(None, [Outgoing(5, "one"), Outgoing(6, "other")], NOW)
    store.answer(None, [Outgoing(5, "two", reply_to=9)], NOW)
    seen = []
    while (item := store.next_reply(5)) is not None:
        seen.append(item.reply)
        store.delivered(item.id)
    assert seen == [Outgoing(5, "one"), Outgoing(5, "two", reply_to=9)]


def test_replace_keeps_the_place_in_order(store: Store) -> None:
    store.answer(None, [Outgoing(5, "edit me", edit=77), Outgoing(5, "after")], NOW)
    first = store.next_reply(5)
    assert first is not None
    store.replace(first.id, Outgoing(5, "as new"))
    again = store.next_reply(5)
    assert (again.reply if again else None) == Outgoing(5, "as new")


def test_old_replies_are_dropped_and_counted(store: Store) -> None:
    store.answer(None, [Outgoing(5, "old")], NOW - 700)
    store.answer(None, [Outgoing(6, "new")], NOW)
    dropped = store.drop_older(NOW - 600)
    assert (dropped, store.chats(), store.waiting()) == (1, [6], 1)


def test_answered_ids_are_forgotten_after_a_while(store: Store) -> None:
    store.add_updates([(1, "{}")], NOW - 10)
    store.add_updates([(2, "{}")], NOW - 10)
    store.answer(1, [], NOW)
    forgotten = store.forget_updates(NOW)
    # 1 is gone (answered); 2 stays (not answered yet), so it is recognised as a repeat.
    assert (forgotten, store.add_updates([(1, "{}"), (2, "{}")], NOW)) == (1, [1])


def test_what_is_stored_survives_reopening(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    store.add_updates([(1, "{}")], NOW)
    store.answer(None, [Outgoing(5, "waiting")], NOW)
    store.close()
    again = Store.open(tmp_path)
    kept = (again.unanswered(), again.waiting())
    again.close()
    assert kept == ([(1, "{}")], 1)


DAMAGED = {
    "garbage": b"this is not a database at all, just some bytes" * 100,
    "empty-header": b"SQLite format 3\x00" + b"\xff" * 4000,
}


@pytest.mark.parametrize("content", list(DAMAGED.values()), ids=list(DAMAGED))
def test_a_damaged_file_is_moved_aside_with_one_warning(
        tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / FILE_NAME).write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="bot.telegram.store"):
        store = Store.open(tmp_path)
    store.add_updates([(1, "{}")], NOW)
    store.close()
    aside = [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name]
    assert (len(aside), len(caplog.records)) == (1, 1)


def test_a_folder_that_cannot_be_made_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError) as caught:
        Store.open(blocker / "data")
    assert str(caught.value).startswith(str(blocker / "data" / FILE_NAME))


def test_another_bots_work_is_cleared(store: Store) -> None:
    first = store.bind(111)
    store.add_updates([(1, "{}")], NOW)
    store.answer(None, [Outgoing(5, "for bot 111")], NOW)
    same = store.bind(111)
    other = store.bind(222)
    assert (first, same, other, store.waiting(), store.add_updates([(1, "{}")], NOW)) == (
        False, False, True, 0, [1])
