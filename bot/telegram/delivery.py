"""Replies out: composed by the handlers, kept in the store, sent in order per chat; network I/O.

Handlers do not send. They add their replies to the update they answer (`Outbox.add`); once
the update is handled, `Outbox.answer` writes its replies and marks it answered in one
transaction, and wakes one worker per chat that sends that chat's replies oldest first, each
deleted from the store when Telegram confirms it. The pacing limiter (limits.py) spaces the
sends as before.

A failed send is retried for as long as the reply is useful (REPLY_TTL_SECONDS), across
restarts, after a wait that doubles with each failure (shared by every chat: an outage is the
Bot API's, not one chat's). What happened to a failed send decides what comes next:
  did not arrive (no connection, connection closed  -> send it again later;
    without an answer, 5xx, 429)
  may have arrived (timed out awaiting the answer    -> count it delivered: never twice, never
    to a request sent whole, or an unreadable 200)     an apology for a reply that arrived;
  refused (400)                                     -> the apology in its place, once;
  the chat is gone (403 blocked, chat migrated)     -> give it up.
Replies older than the TTL are given up with one log line, without naming the chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.telegram.limits import Abandoned
from bot.telegram.store import Buttons, Outgoing, Store, Stored

log = logging.getLogger(__name__)

FAILED_HTML = "Sorry, something went wrong on my side. Please try again in a moment."
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
EXPIRE_EVERY = 0.5  # seconds between sweeps for replies past the TTL (each is checked anyway)
IN_FLIGHT_GRACE = 1.0  # seconds a send under way at a stop gets to be answered (typically ms)


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between failed sends: `first` seconds, doubled each failure, at most `most`."""

    first: float = 0.5
    most: float = 10.0  # after an outage, replies go out at most this long after it ends

    def delay(self, failures: int) -> float:
        """Return the wait after this many failures in a row."""
        return float(min(self.most, self.first * 2.0 ** max(0, failures - 1)))


class Outbox:
    """Replies of the updates in progress, the store behind them, and the senders."""

    def __init__(self, folder: Path, ttl: float, backoff: Backoff | None = None) -> None:
        self.folder = folder
        self.ttl = ttl
        self.backoff = backoff or Backoff()
        self._store: Store | None = None
        self._bot: Bot | None = None
        self._composed: dict[int | None, list[Outgoing]] = {}  # update id -> its replies so far
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._failures = 0  # failed sends in a row (counted once per wait)
        self._resume_at = 0.0  # loop time before which no send is tried
        self._deadline: float | None = None  # once stopping: loop time after which none is
        self._stopping = asyncio.Event()
        self._expired_at = 0.0  # when replies past the TTL were last looked for
        self._in_flight: set[int] = set()  # ids of the replies being sent right now

    @property
    def store(self) -> Store:
        """Return the open store."""
        if self._store is None:
            raise RuntimeError("the outbox is not open")
        return self._store

    def open(self) -> Store:
        """Open the store (raises StoreError); return it."""
        if self._store is None:
            self._store = Store.open(self.folder)
        return self._store

    def close(self) -> None:
        """Close the store."""
        if self._store is not None:
            self._store.close()
            self._store = None

    # ---------------------------------------------------------------- composing

    def add(self, update_id: int | None, reply: Outgoing) -> None:
        """Add a reply to those of an update in progress."""
        self._composed.setdefault(update_id, []).append(reply)

    def answer(self, update: object) -> None:
        """Store an update's replies and mark it answered, at once; start sending them."""
        update_id = update.update_id if isinstance(update, Update) else None
        replies = self._composed.pop(update_id, [])
        self.store.answer(update_id, replies, time.time())
        for chat in dict.fromkeys(r.chat_id for r in replies):
            self._wake(chat)

    # ---------------------------------------------------------------- sending

    def start(self, bot: Bot) -> None:
        """Send what the store holds from an earlier run, and every reply from now on."""
        self._bot = bot
        self._deadline = None
        self._stopping.clear()
        self._expire()
        for chat in self.store.chats():
            self._wake(chat)

    async def stop(self, until: float) -> int:
        """Send until a loop time, then stop; return how many replies wait for the next start."""
        loop = asyncio.get_running_loop()
        # No send begins in the last IN_FLIGHT_GRACE seconds, so the sends under way can get
        # Telegram's answer and be marked: one cut off at `until` may arrive and be sent again.
        self._deadline = max(loop.time(), until - IN_FLIGHT_GRACE)
        self._stopping.set()
        workers = [t for t in self._workers.values() if not t.done()]
        if workers:
            _, late = await asyncio.wait(workers, timeout=max(0.0, until - loop.time()))
            for task in late:
                task.cancel()  # a send still unanswered after the grace: it hangs; at most one
            await asyncio.gather(*late, return_exceptions=True)
        self._workers.clear()
        left = self.store.waiting()
        if left:
            log.info("%d replies wait in the store; they are sent at the next start", left)
        return left

    async def drained(self) -> None:
        """Wait until no chat has replies being sent (tests and benchmarks)."""
        while busy := [t for t in self._workers.values() if not t.done()]:
            await asyncio.wait(busy)

    def sending(self) -> int:
        """Return how many chats have replies being sent."""
        return sum(1 for t in self._workers.values() if not t.done())

    def _wake(self, chat: int) -> None:
        """Start the chat's sender unless it runs (a finished one counts as not running)."""
        if self._bot is None or self._stopping.is_set():
            return
        running = self._workers.get(chat)
        if running is not None and not running.done():
            return
        self._workers[chat] = asyncio.create_task(self._work(chat), name="outbox-chat")

    async def _work(self, chat: int) -> None:
        """Send the chat's replies oldest first until none is left (or the bot stops)."""
        loop = asyncio.get_running_loop()
        try:
            while True:
                self._expire()
                item = self.store.next_reply(chat)
                if item is None:
                    return
                if time.time() - item.created > self.ttl:
                    self._expire(at_once=True)
                    continue
                wait = self._resume_at - loop.time()
                if wait > 0:  # sends are held back after failures; then look again
                    if not await self._sleep(wait):
                        return
                    continue
                if not await self._deliver(item):
                    return
        finally:
            if self._workers.get(chat) is asyncio.current_task():
                del self._workers[chat]

    async def _deliver(self, item: Stored) -> bool:
        """Try to send one reply; return False to stop this chat's sender (the bot stops)."""
        loop = asyncio.get_running_loop()
        if self._deadline is not None and loop.time() >= self._deadline:
            return False
        reply = item.reply
        endpoint = "editMessageText" if reply.edit is not None else "sendMessage"
        self._in_flight.add(item.id)
        try:
            if reply.edit is not None:
                if not await self._edit(reply):
                    self.store.replace(item.id, replace(reply, edit=None))
                    return True  # too old to edit, or gone: sent as a new message next
            else:
                await self._send(reply)
        except Abandoned:
            return False  # the bot stops and this chat's pace would hold the reply long
        except RetryAfter as exc:
            return await self._sleep(_seconds(exc.retry_after))  # then it is tried again
        except (Forbidden, ChatMigrated) as exc:
            log.warning("a reply was given up: %s", type(exc).__name__)
        except BadRequest:
            if reply.html == FAILED_HTML:
                log.warning("Telegram refused the apology too; given up")
            else:
                log.warning("Telegram refused a reply (400); the apology goes in its place")
                self.store.replace(item.id, Outgoing(reply.chat_id, FAILED_HTML,
                                                     reply_to=reply.reply_to))
                return True
        except InvalidToken:
            self._failed("the token was refused")
            return True
        except NetworkError as exc:
            if not may_have_arrived(exc):
                self._failed(type(exc.__cause__ or exc).__name__)
                return True
            log.warning("%s timed out waiting for Telegram's answer; it may have arrived, so "
                        "it is not sent again", endpoint)
        except TelegramError as exc:
            log.warning("%s got an answer that could not be read (%s); counted as delivered",
                        endpoint, type(exc).__name__)
        else:
            self._recovered()
        finally:
            self._in_flight.discard(item.id)
        self.store.delivered(item.id)
        return True

    async def _send(self, reply: Outgoing) -> None:
        bot = self._bot
        assert bot is not None
        reply_to = (ReplyParameters(reply.reply_to, allow_sending_without_reply=True)
                    if reply.reply_to is not None else None)
        await bot.send_message(reply.chat_id, reply.html, parse_mode=ParseMode.HTML,
                               link_preview_options=NO_PREVIEW,
                               reply_markup=markup(reply.buttons), reply_parameters=reply_to)

    async def _edit(self, reply: Outgoing) -> bool:
        """Edit the message in place; return False if it cannot be edited any more."""
        bot = self._bot
        assert bot is not None
        try:
            await bot.edit_message_text(reply.html, chat_id=reply.chat_id,
                                        message_id=reply.edit, parse_mode=ParseMode.HTML,
                                        link_preview_options=NO_PREVIEW,
                                        reply_markup=markup(reply.buttons))
        except BadRequest as exc:
            return "not modified" in str(exc).lower()
        return True

    def _failed(self, reason: str) -> None:
        """Hold every send back for a while: the Bot API is down or failing."""
        now = asyncio.get_running_loop().time()
        if now < self._resume_at:
            return  # a send that was already under way when the wait began
        self._failures += 1
        wait = self.backoff.delay(self._failures)
        self._resume_at = now + wait
        log.warning("sending failed (%s, %d in a row); trying again in %.1fs", reason,
                    self._failures, wait)

    def _recovered(self) -> None:
        if self._failures:
            log.info("sending works again after %d failed tries", self._failures)
            self._failures = 0

    async def _sleep(self, seconds: float) -> bool:
        """Wait; return False if the bot stops before the time is up."""
        if seconds <= 0:
            return True
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        if self._deadline is not None and end > self._deadline:
            return False
        await asyncio.sleep(max(0.0, end - loop.time()))
        return True

    def _expire(self, *, at_once: bool = False) -> None:
        """Give up replies older than the TTL, of every chat: one log line, no chat named."""
        now = time.time()
        if now - self._expired_at < EXPIRE_EVERY and not at_once:
            return
        self._expired_at = now
        dropped = self.store.drop_older(now - self.ttl, keep=self._in_flight)
        if dropped:
            log.warning("gave up %d undelivered repl%s older than %.0fs (REPLY_TTL_SECONDS)",
                        dropped, "y" if dropped == 1 else "ies", self.ttl)


def may_have_arrived(exc: NetworkError) -> bool:
    """Tell whether a failed send may have reached Telegram: it timed out awaiting the answer.

    A request that never got a connection, or was not written out, or got an error status,
    did not arrive; neither did one whose connection the server closed without an answer (a
    stale kept-alive connection, or the server going away), which is sent again, at the risk
    of a repeat if the server had handled it just before it died.
    """
    if not isinstance(exc, TimedOut):
        return False
    return not isinstance(exc.__cause__, httpx.ConnectTimeout | httpx.PoolTimeout
                          | httpx.WriteTimeout)


def markup(buttons: Buttons) -> InlineKeyboardMarkup | None:
    """Return Telegram's markup for rows of (label, callback data), or None for no buttons."""
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row]
         for row in buttons])


def _seconds(value: float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
