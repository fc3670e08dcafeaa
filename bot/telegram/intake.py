"""Updates in: stored before Telegram learns they arrived, then handed to the bot; network I/O.

Long polling asks getUpdates for the raw updates (python-telegram-bot's own loop would parse a
whole batch before confirming any of it: one update it cannot read stops every later one, and
it asks again at once, forever). Each batch is written to the store in one transaction, and
only then does the next getUpdates confirm it (its offset moves past the batch). The webhook
(webhook.py) answers 200 only after the same write. An update is then parsed on its own; one
that cannot be parsed is marked answered with one log line that names only its id. Updates
stored but not answered when the process ended are handled again at the next start; an update
id seen before is not handled twice. Answered ids are kept two days, longer than Telegram
keeps an unconfirmed update (one day), then forgotten.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.telegram.delivery import Outbox

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
BATCH = 100  # updates per getUpdates (Telegram's maximum)
KEEP_IDS = 2 * 24 * 3600.0  # seconds an answered update id is kept to recognise a repeat
FORGET_EVERY = 3600.0  # seconds between clean-ups of old update ids
POLL_BACKOFF = (1.0, 30.0)  # seconds after a failed getUpdates: first, doubled up to most
READ_MARGIN = 10.0  # seconds a long poll's answer may take beyond its timeout


class Intake:
    """The way updates come in: store, then confirm, then handle."""

    def __init__(self, app: App, outbox: Outbox, allowed: Sequence[str]) -> None:
        self.app = app
        self.outbox = outbox
        self.allowed = list(allowed)
        self._forgotten_at = 0.0

    def resume(self) -> int:
        """Hand the bot the updates stored but not answered before; return how many."""
        self._forget(time.time())
        pending = self.outbox.store.unanswered()
        for update_id, payload in pending:
            self._handle(update_id, payload)
        if pending:
            log.info("handling %d updates that came in before the restart", len(pending))
        return len(pending)

    def take(self, raw: Sequence[Any]) -> int | None:
        """Store raw updates, then hand over the new ones; return the highest id (if any).

        An item without a numeric update_id cannot be confirmed on its own and is ignored
        (the ids around it confirm it).
        """
        items = [(int(u["update_id"]), u) for u in raw
                 if isinstance(u, dict) and _is_id(u.get("update_id"))]
        if len(items) < len(raw):
            log.warning("ignored %d items without an update id", len(raw) - len(items))
        if not items:
            return None
        now = time.time()
        by_id = {update_id: json.dumps(u, ensure_ascii=False) for update_id, u in items}
        new = self.outbox.store.add_updates(by_id.items(), now)
        for update_id in new:
            self._handle(update_id, by_id[update_id])
        if now - self._forgotten_at > FORGET_EVERY:
            self._forget(now)
        return max(by_id)

    async def poll(self, timeout: float) -> None:
        """Long-poll getUpdates until cancelled; confirm a batch only once it is stored."""
        offset = 0  # Telegram's own record says which updates are unconfirmed
        failures = 0
        while True:
            try:
                raw = await self.app.bot._post(  # raw JSON: parsed one update at a time
                    "getUpdates",
                    {"offset": offset, "limit": BATCH, "timeout": int(timeout),
                     "allowed_updates": self.allowed},
                    read_timeout=timeout + READ_MARGIN,
                )
            except TelegramError as exc:
                failures += 1
                wait = min(POLL_BACKOFF[1], POLL_BACKOFF[0] * 2 ** (failures - 1))
                reason = "the token was refused" if isinstance(exc, InvalidToken) else str(exc)
                log.warning("getUpdates failed (%s: %s); trying again in %.0fs",
                            type(exc).__name__, reason, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            if not isinstance(raw, list):
                log.warning("getUpdates answered something other than a list; ignored")
                await asyncio.sleep(POLL_BACKOFF[0])
                continue
            last = self.take(raw)
            if last is not None:
                offset = last + 1
            elif raw:  # nothing in it could be confirmed: asking again at once would spin
                await asyncio.sleep(POLL_BACKOFF[0])

    def _handle(self, update_id: int, payload: str) -> None:
        """Parse one stored update and queue it for the handlers, or skip it with one line."""
        try:
            update = Update.de_json(json.loads(payload), self.app.bot)
        except Exception as exc:  # whatever a malformed update makes the parser raise
            log.warning("update %d could not be read (%s); skipped", update_id,
                        type(exc).__name__)
            self.outbox.store.answer(update_id, (), time.time())
            return
        self.app.update_queue.put_nowait(update)

    def _forget(self, now: float) -> None:
        self._forgotten_at = now
        self.outbox.store.forget_updates(now - KEEP_IDS)


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
