"""What feedback needs to remember: the question behind a reply, in memory for a while; pure.

A 👎 must record the question its answer replied to, and "None of these" the question its
"did you mean" offered choices for; the buttons carry only a random token (callback data is
small and comes back from the client), and this memory maps the token to the redacted question
(bot.inbox.Asked). It is bounded in count and age like the chat states, holds no chat ids
beyond each chat's latest "did you mean" (for a typed "none"), and is never written to disk:
after a restart a 👎 records its topic only. Times are passed in (monotonic seconds).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict

from bot.inbox import Asked

TOKEN_BYTES = 4  # 8 hex characters: a forged token finds nothing, and fits in callback data


class AskedMemory:
    """Questions behind recent replies, by token; at most `max_items`, each for `ttl` seconds."""

    def __init__(self, max_items: int, ttl: float) -> None:
        if max_items < 1 or ttl <= 0:
            raise ValueError("max_items must be at least 1 and ttl positive")
        self.max_items = max_items
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[Asked, float]] = OrderedDict()
        self._offered: OrderedDict[int, str] = OrderedDict()  # chat -> its latest clarify token

    def __len__(self) -> int:
        return len(self._items)

    def keep(self, asked: Asked, now: float, chat: int | None = None) -> str:
        """Remember a question; return its token. With a chat: the chat's latest choices."""
        token = secrets.token_hex(TOKEN_BYTES)
        self._items[token] = (asked, now)
        if chat is not None:
            self._offered[chat] = token
            self._offered.move_to_end(chat)
        self._evict(now)
        return token

    def take(self, token: str | None, now: float) -> Asked | None:
        """Return and forget the question of a token (None if unknown, used or expired)."""
        self._evict(now)
        found = self._items.pop(token, None) if token else None
        return found[0] if found is not None else None

    def take_offered(self, chat: int, now: float) -> Asked | None:
        """Return and forget the question of the chat's latest "did you mean"."""
        return self.take(self._offered.pop(chat, None), now)

    def _evict(self, now: float) -> None:
        while self._items:
            token, (_, seen) = next(iter(self._items.items()))
            if len(self._items) <= self.max_items and now - seen <= self.ttl:
                break
            del self._items[token]
        while len(self._offered) > self.max_items:
            self._offered.popitem(last=False)
