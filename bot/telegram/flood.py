"""Per-user flood control over a sliding window, checked before any handler runs.

A user may send `limit` messages in any `window` seconds. The first message over the limit gets
one polite notice; further ones are dropped silently until the window has room again, so a
flood costs one reply, not one per message. Only admitted messages count, so a user who keeps
sending is answered at most `limit` times a window. Users idle for a whole window are
forgotten, so memory follows the number of users active in the last window, capped by
`max_users`. FloodGate is pure: times are passed in by the caller (monotonic seconds).

`check_flood` runs it as a TypeHandler in group -1, before the handlers: an update over the
limit ends there (ApplicationHandlerStop). Only updates that a handler would take count, so
group chatter the bot ignores never uses up anyone's allowance. Inline queries are not counted:
clients send one per keystroke, and they put nothing in a chat.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict, deque
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram import logs, send
from bot.telegram.services import services

SLOW_DOWN_HTML = ("You are sending messages faster than I can answer them well. Please wait "
                  "a minute, then ask again.")


class Verdict(enum.Enum):
    """What to do with one message."""

    ALLOW = "allow"  # answer it
    NOTICE = "notice"  # over the limit: send the slow-down notice once
    DROP = "drop"  # over the limit and already told: ignore it


@dataclass(slots=True)
class _Window:
    times: deque[float] = field(default_factory=deque)
    told: bool = False


class FloodGate:
    """Admit at most `limit` messages per user in any `window` seconds."""

    def __init__(self, limit: int, window: float = 60.0, max_users: int = 100_000) -> None:
        if limit < 1 or window <= 0 or max_users < 1:
            raise ValueError("limit, window and max_users must be positive")
        self.limit = limit
        self.window = window
        self.max_users = max_users
        self._users: OrderedDict[int, _Window] = OrderedDict()

    def __len__(self) -> int:
        return len(self._users)

    def check(self, user: int, now: float) -> Verdict:
        """Return what to do with a message from this user now, and count it if admitted."""
        self._forget_idle(now)
        slot = self._users.get(user)
        if slot is None:
            slot = self._users[user] = _Window()
        self._users.move_to_end(user)
        times = slot.times
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            slot.told = False
            return Verdict.ALLOW
        if slot.told:
            return Verdict.DROP
        slot.told = True
        return Verdict.NOTICE

    def _forget_idle(self, now: float) -> None:
        # Users are in last-message order: the idle ones are at the front.
        while self._users:
            user, slot = next(iter(self._users.items()))
            idle = not slot.times or now - slot.times[-1] >= self.window
            if not idle and len(self._users) < self.max_users:
                return
            del self._users[user]


async def check_flood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Let an update through to the handlers, or stop it: one notice, then silence."""
    if update.inline_query is not None or not _handled(update, context):
        return
    started = time.perf_counter()
    s = services(context)
    sender = update.effective_user or update.effective_chat
    verdict = s.flood.check(sender.id if sender else 0, time.monotonic())
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.NOTICE:
        send.send(update, context, SLOW_DOWN_HTML)
    chat = update.effective_chat
    logs.outcome(s.ids.of(chat.id if chat else None), "flood", f"flood-{verdict.value}", "-",
                 0.0, (time.perf_counter() - started) * 1000)
    raise ApplicationHandlerStop


def _handled(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Tell whether a handler of the default group would take this update."""
    handlers = context.application.handlers.get(0, [])
    return any(h.check_update(update) not in (None, False) for h in handlers)
