"""Bounded per-chat conversation state: count, age, least recently used first."""

from __future__ import annotations

import pytest

from bot.reply import ConversationState
from bot.telegram.state import ChatStates, Entry

A = ConversationState(last_topic="pregnancy")
B = ConversationState(last_topic="side-effects", choices=("flu", "ards"))
FRESH = ConversationState()


def test_unknown_chat_gets_a_fresh_state() -> None:
    assert ChatStates(10, 60).get(1, 0.0) == FRESH


def test_stored_state_comes_back() -> None:
    chats = ChatStates(10, 60)
    chats.put(1, B, 0.0)
    assert chats.get(1, 30.0) == B


@pytest.mark.parametrize(("age", "expected"), [(60.0, A), (60.5, FRESH)],
                         ids=["at-ttl", "past-ttl"])
def test_state_expires_after_ttl(age: float, expected: ConversationState) -> None:
    chats = ChatStates(10, 60)
    chats.put(1, A, 0.0)
    assert chats.get(1, age) == expected


def test_oldest_chat_is_forgotten_over_the_bound() -> None:
    chats = ChatStates(2, 60)
    forgotten = [chats.put(chat, A, float(chat)) for chat in (1, 2, 3)]
    assert (forgotten, sorted(chats)) == ([[], [], [1]], [2, 3])


def test_a_new_message_makes_a_chat_the_most_recent() -> None:
    chats = ChatStates(2, 60)
    chats.put(1, A, 0.0)
    chats.put(2, A, 1.0)
    chats.put(1, B, 2.0)
    assert chats.put(3, A, 3.0) == [2]


def test_expired_chats_are_forgotten_on_the_next_put() -> None:
    chats = ChatStates(10, 60)
    chats.put(1, A, 0.0)
    chats.put(2, A, 30.0)
    assert (chats.put(3, A, 61.0), len(chats)) == ([1], 2)


def test_restore_drops_expired_entries() -> None:
    chats = ChatStates(10, 60)
    dropped = chats.restore([(1, Entry(A, 0.0)), (4, Entry(B, 90.0))], 100.0)
    assert (dropped, list(chats), chats.get(4, 100.0)) == ([1], [4], B)


def test_restore_keeps_the_most_recent_chats_within_the_bound() -> None:
    chats = ChatStates(2, 1000)
    saved = [(chat, Entry(A, seen)) for chat, seen in ((1, 30.0), (2, 10.0), (3, 20.0))]
    chats.restore(saved, 40.0)
    assert list(chats) == [3, 1]


@pytest.mark.parametrize(("max_chats", "ttl"), [(0, 60), (10, 0)], ids=["no-chats", "no-ttl"])
def test_bounds_must_be_positive(max_chats: int, ttl: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        ChatStates(max_chats, ttl)
