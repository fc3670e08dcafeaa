"""Per-chat conversation state, bounded in count and age (least recently used first); pure.

The Telegram adapter keeps one ConversationState per chat so that follow-ups ("sources?",
"and in pregnancy?") work. Memory must not grow with the number of chats ever seen, so the
store keeps at most `max_chats` chats and forgets a chat `ttl` seconds after its last message.
Chats are kept in last-use order, which is also age order, so both bounds evict from the front.
Times are passed in by the caller (wall-clock seconds), so nothing here reads a clock.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.reply import ConversationState

SEEN_KEY = "seen"  # the key of the last-use time in a snapshot entry


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
