"""Per-chat conversation state, bounded in count and age, optionally kept across restarts.

The adapter keeps one ConversationState per chat so that follow-ups ("sources?", "and in
pregnancy?") work. Memory must not grow with the number of chats ever seen, so ChatStates keeps
at most `max_chats` chats and forgets a chat `ttl` seconds after its last message. Chats are
kept in last-use order, which is also age order, so both bounds evict from the front. ChatStates
is pure: times are passed in (wall-clock seconds). With STATE_FILE, remember writes each change
to the state file (bot/telegram/statefile.py) before the reply is sent, and restore reads it
back at start, checked against the content.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram import Update
from telegram.ext import ContextTypes

from bot.reply import ConversationState
from bot.telegram.services import services

if TYPE_CHECKING:
    from bot.engine import Engine
    from bot.telegram.statefile import StateFile

log = logging.getLogger(__name__)


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

    def restore(self, saved: Iterable[tuple[int, Entry]], now: float) -> list[int]:
        """Load saved entries (oldest kept last); return the keys not kept."""
        for key, entry in sorted(saved, key=lambda row: row[1].seen):
            self._entries[key] = entry
            self._entries.move_to_end(key)
        return self._evict(now)


def recall(chats: ChatStates, update: Update) -> ConversationState:
    """Return the conversation state of the update's chat."""
    chat = update.effective_chat
    return chats.get(chat.id, time.time()) if chat else ConversationState()


def remember(chats: ChatStates, update: Update, context: ContextTypes.DEFAULT_TYPE,
             state: ConversationState) -> None:
    """Keep the chat's state in memory and, with a state file, write it there before replying."""
    chat = update.effective_chat
    if chat is None:
        return
    now = time.time()
    forgotten = chats.put(chat.id, state, now)
    store = services(context).store
    if store is not None:
        store.save(chat.id, now, state)
        store.forget(forgotten)


def restore(chats: ChatStates, store: StateFile | None, engine: Engine) -> None:
    """Load the saved states that are current, within bounds and name known topics only."""
    if store is None:
        return
    now = time.time()
    saved = store.open(now, chats.max_chats)
    known = [(s.chat_id, Entry(s.state, s.seen)) for s in saved if engine.knows(s.state)]
    chats.restore(known, now)
    store.keep_only(list(chats))
    log.info("restored the conversation state of %d chats", len(chats))
