"""Per-chat conversation state, bounded in count and age, optionally kept across restarts.

The adapter keeps one ConversationState per chat so that follow-ups ("sources?", "and in
pregnancy?") work. Memory must not grow with the number of chats ever seen, so ChatStates keeps
at most `max_chats` chats and forgets a chat `ttl` seconds after its last message. Chats are
kept in last-use order, which is also age order, so both bounds evict from the front. ChatStates
is pure: times are passed in (wall-clock seconds). With STATE_FILE, recall/remember/restore
mirror each chat's entry into python-telegram-bot's chat_data, which PicklePersistence writes.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes

from bot.reply import ConversationState

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
SEEN_KEY = "seen"  # the key of the last-use time in a snapshot entry
STATE_KEY = "state"  # the chat_data key of a chat's saved conversation state
STRAY_CHATS = 1000  # extra chat_data entries tolerated before those without state are dropped


@dataclass(frozen=True, slots=True)
class Entry:
    """One chat's state and the time of its last message."""

    state: ConversationState
    seen: float


class ChatStates:
    """Conversation states of the most recently active chats, each for a limited time."""

    def __init__(self, max_chats: int, ttl: float) -> None:
        if max_chats < 1 or ttl <= 0:
            raise ValueError("max_chats must be at least 1 and ttl positive")
        self.max_chats = max_chats
        self.ttl = ttl
        self._entries: OrderedDict[int, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[int]:
        return iter(self._entries)

    def get(self, key: int, now: float) -> ConversationState:
        """Return the chat's state, or a fresh one if it is unknown or has expired."""
        entry = self._entries.get(key)
        if entry is None or now - entry.seen > self.ttl:
            return ConversationState()
        return entry.state

    def put(self, key: int, state: ConversationState, now: float) -> list[int]:
        """Store the chat's state as of now; return the chats forgotten to stay in bounds."""
        self._entries[key] = Entry(state, now)
        self._entries.move_to_end(key)
        return self._evict(now)

    def _evict(self, now: float) -> list[int]:
        gone: list[int] = []
        while self._entries:
            key, entry = next(iter(self._entries.items()))
            if len(self._entries) <= self.max_chats and now - entry.seen <= self.ttl:
                break
            del self._entries[key]
            gone.append(key)
        return gone

    def snapshot(self, key: int) -> dict[str, Any] | None:
        """Return the chat's entry as a JSON-safe dict (state plus last-use time), if known."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        return {**entry.state.to_dict(), SEEN_KEY: entry.seen}

    def restore(self, saved: Iterable[tuple[int, Mapping[str, Any]]],
                now: float) -> list[int]:
        """Load entries made by snapshot (oldest kept last); return the keys not kept."""
        rows: list[tuple[float, int, ConversationState]] = []
        dropped: list[int] = []
        for key, data in saved:
            seen = data.get(SEEN_KEY) if isinstance(data, Mapping) else None
            if not isinstance(seen, int | float) or isinstance(seen, bool):
                dropped.append(key)
                continue
            rows.append((float(seen), key, ConversationState.from_dict(dict(data))))
        rows.sort(key=lambda row: row[0])
        for seen, key, state in rows:
            self._entries[key] = Entry(state, seen)
            self._entries.move_to_end(key)
        return dropped + self._evict(now)


def recall(chats: ChatStates, update: Update) -> ConversationState:
    """Return the conversation state of the update's chat."""
    chat = update.effective_chat
    return chats.get(chat.id, time.time()) if chat else ConversationState()


def remember(chats: ChatStates, update: Update, context: ContextTypes.DEFAULT_TYPE,
             state: ConversationState) -> None:
    """Keep the chat's state in memory and, with persistence, in its chat_data."""
    chat = update.effective_chat
    if chat is None:
        return
    forgotten = chats.put(chat.id, state, time.time())
    app = context.application
    if app.persistence is None:
        return
    if context.chat_data is not None:
        context.chat_data[STATE_KEY] = chats.snapshot(chat.id)
    for old in forgotten:
        app.drop_chat_data(old)
    if len(app.chat_data) > len(chats) + STRAY_CHATS:
        _drop_strays(app, chats)


def restore(app: App, chats: ChatStates) -> None:
    """Load the saved conversation states, dropping expired ones and those over the bound."""
    if app.persistence is None:
        return
    saved = [(chat_id, data[STATE_KEY]) for chat_id, data in app.chat_data.items()
             if isinstance(data, dict) and isinstance(data.get(STATE_KEY), dict)]
    chats.restore(saved, time.time())
    _drop_strays(app, chats)
    log.info("restored the conversation state of %d chats", len(chats))


def _drop_strays(app: App, chats: ChatStates) -> None:
    """Drop chat_data of chats with no state (PTB makes an entry for every chat it sees)."""
    for chat_id in [c for c in app.chat_data if c not in chats]:
        app.drop_chat_data(chat_id)
