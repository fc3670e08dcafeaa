"""Telegram's rate limits, paced per chat, and safe retries; waits, then sends (network I/O).

Telegram allows a bot about 30 messages a second overall, about one a second in one chat (short
bursts pass) and 20 a minute in a group; going over earns 429 "retry after N seconds" for that
chat. The limiter paces each chat within those limits, so 429s are rare, and when one comes it
holds back that chat only: other chats keep being answered (python-telegram-bot's AIORateLimiter
pauses every request of the bot instead).

`Pace` is the pure part: a token bucket per key (times passed in). `PacedRateLimiter` applies
it to every request that names a chat, plus bounded retries of requests that surely did not
reach Telegram (5xx, refused connection), so a retry never duplicates a delivered message.
Replies (sendMessage, editMessageText) are not retried here: the outbox (delivery.py) retries
them from its store for as long as they are useful, without holding a request open. At
start-up nothing is retried: a wrong token or an unreachable API is reported at once. When the
bot stops, sends that their chat's pace would hold back for long are given up (Abandoned), so
that a stop takes seconds, not as long as a flooded group's backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSON = bool | dict[str, Any] | list[dict[str, Any]]
SEND_RETRIES = 3  # retries of a request that surely did not reach Telegram (5xx, no connection)
RETRY_BACKOFF = 0.5  # seconds before the first such retry, doubled each time
OUTBOX_ENDPOINTS = frozenset({"sendMessage", "editMessageText"})  # retried by the outbox
RETRIES_AFTER_429 = 3  # 429s one request may get before it fails
STOP_GRACE = 2.0  # seconds a send may still wait for its chat's pace once the bot stops


@dataclass(frozen=True, slots=True)
class Rate:
    """A pace: `burst` sends at once, then `per_second` on average."""

    per_second: float
    burst: int


OVERALL = Rate(30.0, 30)  # the whole bot
PRIVATE = Rate(1.0, 3)  # one private chat: about a message a second, a short burst passes
GROUP = Rate(20 / 60, 20)  # one group: 20 a minute


class Pace:
    """A token bucket per key, handing out send times: no key gets more than its rate."""

    def __init__(self, rate: Rate, max_keys: int = 100_000) -> None:
        if rate.per_second <= 0 or rate.burst < 1 or max_keys < 1:
            raise ValueError("rate, burst and max_keys must be positive")
        self.interval = 1 / rate.per_second
        self.tolerance = (rate.burst - 1) * self.interval
        self.max_keys = max_keys
        # key -> the theoretical time of its next send at the steady rate (GCRA); a key whose
        # time has passed has its whole burst back and is forgotten.
        self._due: OrderedDict[int | str, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._due)

    def reserve(self, key: int | str, now: float) -> float:
        """Count one send for this key; return how many seconds it must wait."""
        self._forget_idle(now)
        due = max(self._due.get(key, now), now)
        at = max(now, due - self.tolerance)
        self._due[key] = max(due, at) + self.interval
        self._due.move_to_end(key)
        return at - now

    def hold(self, key: int | str, until: float) -> None:
        """Send nothing to this key before `until` (Telegram said: retry after)."""
        self._due[key] = max(self._due.get(key, until), until + self.tolerance)
        self._due.move_to_end(key)

    def _forget_idle(self, now: float) -> None:
        while self._due:
            key, due = next(iter(self._due.items()))
            if due > now and len(self._due) < self.max_keys:
                return
            del self._due[key]


class Abandoned(TelegramError):
    """A send given up because the bot is stopping and its chat's pace would hold it long."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"stopping: gave up a send that had to wait {wait:.0f}s more")


class PacedRateLimiter(BaseRateLimiter[int]):
    """Pace requests per chat and overall; hold back only the chat a 429 names; retry safely."""

    def __init__(self, *, overall: Rate | None = OVERALL, private: Rate | None = PRIVATE,
                 group: Rate | None = GROUP, retries: int = SEND_RETRIES,
                 backoff: float = RETRY_BACKOFF,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.overall = Pace(overall) if overall else None
        self.private = Pace(private) if private else None
        self.group = Pace(group) if group else None
        self.retries = retries
        self.backoff = backoff
        self.clock = clock
        self.retrying = False  # set once the bot runs: start-up failures are reported at once
        self._stopping = asyncio.Event()
        self._last_start: float | None = None  # once stopping: no send waits past this time

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def start(self) -> None:
        """Retry failed requests from now on (the bot is up)."""
        self.retrying = True
        self._last_start = None
        self._stopping.clear()

    def stop(self, sending_for: float | None = None) -> None:
        """Give up sends that would wait longer than STOP_GRACE, or past `sending_for` seconds."""
        self.retrying = False
        if sending_for is not None:
            # A send that left its wait later would still be on its way when the stop ends,
            # and one cut off on its way may have arrived: it would be sent again.
            self._last_start = self.clock() + sending_for
        self._stopping.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Send the request within the limits; after a 429 or a safe failure, send it again."""
        chat = _chat(data)
        pace = self._pace_of(chat)
        failures = limited = 0
        while True:
            if chat is not None:
                if pace is not None:
                    await self._wait(pace.reserve(chat, self.clock()))
                if self.overall is not None:
                    await self._wait(self.overall.reserve(0, self.clock()))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                limited += 1
                if limited > (rate_limit_args or RETRIES_AFTER_429):
                    raise
                wait = exc.retry_after
                seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
                log.info("%s: 429, this chat waits %.0fs", endpoint, seconds)
                if pace is not None and chat is not None:
                    pace.hold(chat, self.clock() + seconds)
                else:
                    await self._wait(seconds)
            except NetworkError as exc:
                if (not self.retrying or failures == self.retries or endpoint in OUTBOX_ENDPOINTS
                        or not retry_is_safe(endpoint, exc)):
                    raise
                failures += 1
                log.info("%s failed (%s); retry %d of %d", endpoint, exc, failures, self.retries)
                await asyncio.sleep(self.backoff * 2 ** (failures - 1))

    def _pace_of(self, chat: int | str | None) -> Pace | None:
        if chat is None:
            return None
        return self.private if isinstance(chat, int) and chat > 0 else self.group

    async def _wait(self, seconds: float) -> None:
        """Sleep, unless the bot stops and the wait is longer than STOP_GRACE."""
        if seconds <= 0:
            return
        if self._stopping.is_set() and not self._may_wait(seconds):
            raise Abandoned(seconds)
        deadline = self.clock() + seconds
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        left = deadline - self.clock()
        if left > 0 and self._stopping.is_set() and not self._may_wait(left):
            raise Abandoned(left)
        if left > 0:
            await asyncio.sleep(left)

    def _may_wait(self, seconds: float) -> bool:
        """Tell whether a send may still wait this long, the bot stopping."""
        return seconds <= STOP_GRACE and (self._last_start is None
                                          or self.clock() + seconds <= self._last_start)


def _chat(data: dict[str, Any]) -> int | str | None:
    """Return the chat a request goes to (an id, or a @channel name), if any."""
    chat = data.get("chat_id")
    if isinstance(chat, int | str) and not isinstance(chat, bool):
        with contextlib.suppress(ValueError):
            return int(chat)
        return chat
    return None


def retry_is_safe(endpoint: str, exc: NetworkError) -> bool:
    """Tell whether sending the request again cannot make a second message."""
    if isinstance(exc, BadRequest):
        return False  # the same request will be refused again
    if not endpoint.startswith(("send", "forward", "copy")):
        return True  # editing, answering a query or setting commands twice is harmless
    cause = exc.__cause__
    if cause is None or isinstance(cause, TelegramError):
        return True  # Telegram answered with an error status (5xx): nothing was sent
    # No connection was made: nothing was sent. A read timeout or a dropped answer might
    # come after Telegram delivered the message, so those are not retried.
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
