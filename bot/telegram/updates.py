"""Update order: one chat's updates in turn, different chats side by side; no I/O.

Each update waits for its chat's lock first and only then for one of the concurrency slots. The
other way round, a chat whose replies are held back (a group paced at 20 messages a minute) would
fill every slot with updates that only wait, and a private "hello" would queue behind them.
Updates without a chat (inline queries) take a slot only. Once an update is handled, `done`
is called with it (the outbox then stores its replies and marks it answered).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# python-telegram-bot takes its own semaphore before do_process_update, which would put the
# slot before the chat lock; it gets this bound, never reached, and the slots are ours.
UNBOUNDED = 2**31


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently across chats and one at a time, in order, within a chat."""

    def __init__(self, slots: int, done: Callable[[object], None] = lambda update: None) -> None:
        super().__init__(UNBOUNDED)
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self.done = done
        self._slots = asyncio.Semaphore(slots)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update once its chat's earlier updates are done and a slot is free."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            async with self._slots:
                await coroutine
                self.done(update)
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await coroutine
                self.done(update)
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    def waiting_chats(self) -> int:
        """Return how many chats have updates in progress or waiting."""
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
