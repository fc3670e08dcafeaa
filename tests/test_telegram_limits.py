"""Telegram's limits: per-chat pacing, and retries that never send a delivered message twice."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.telegram.limits import Abandoned, Pace, PacedRateLimiter, Rate, retry_is_safe


def caused(exc: NetworkError, cause: BaseException | None) -> NetworkError:
    exc.__cause__ = cause
    return exc


CASES = {
    "5xx-answer": ("sendMessage", caused(NetworkError("Internal Server Error"), None), True),
    "5xx-not-json": ("sendMessage", caused(NetworkError("Bad Gateway"), TelegramError("x")),
                     True),
    "refused": ("sendMessage", caused(NetworkError("x"), httpx.ConnectError("refused")), True),
    "connect-timeout": ("sendMessage", caused(TimedOut(), httpx.ConnectTimeout("slow")), True),
    "pool-timeout": ("sendMessage", caused(TimedOut(), httpx.PoolTimeout("full")), True),
    "read-timeout": ("sendMessage", caused(TimedOut(), httpx.ReadTimeout("slow")), False),
    "dropped": ("sendMessage", caused(NetworkError("x"), httpx.RemoteProtocolError("gone")),
                False),
    "bad-request": ("sendMessage", BadRequest("message is too long"), False),
    "edit-read-timeout": ("editMessageText", caused(TimedOut(), httpx.ReadTimeout("slow")),
                          True),
    "answer-dropped": ("answerCallbackQuery",
                       caused(NetworkError("x"), httpx.RemoteProtocolError("gone")), True),
    "edit-bad-request": ("editMessageText", BadRequest("message is not modified"), False),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def testretry_is_safe(case: str) -> None:
    endpoint, exc, expected = CASES[case]
    assert retry_is_safe(endpoint, exc) is expected


# ---------------------------------------------------------------- pacing


def waits(pace: Pace, key: int, times: list[float]) -> list[float]:
    return [round(pace.reserve(key, t), 3) for t in times]


def test_a_burst_goes_at_once_then_one_per_interval() -> None:
    assert waits(Pace(Rate(1.0, 3)), 1, [0, 0, 0, 0, 0]) == [0, 0, 0, 1, 2]


def test_a_group_gets_twenty_a_minute() -> None:
    pace = Pace(Rate(20 / 60, 20))
    assert waits(pace, -1, [0.0] * 22)[-3:] == [0, 3, 6]


def test_a_quiet_chat_gets_its_burst_back() -> None:
    pace = Pace(Rate(1.0, 2))
    waits(pace, 1, [0, 0])
    assert waits(pace, 1, [10, 10, 10]) == [0, 0, 1]


def test_chats_are_paced_apart() -> None:
    pace = Pace(Rate(1.0, 1))
    assert (pace.reserve(1, 0), pace.reserve(1, 0), pace.reserve(2, 0)) == (0, 1, 0)


def test_a_hold_delays_only_its_chat() -> None:
    pace = Pace(Rate(1.0, 3))
    pace.hold(1, 30.0)
    assert (pace.reserve(1, 0), pace.reserve(2, 0)) == (30.0, 0)


def test_idle_chats_are_forgotten() -> None:
    pace = Pace(Rate(1.0, 3))
    for chat in range(100):
        pace.reserve(chat, 0.0)
    pace.reserve(1000, 10.0)
    assert len(pace) == 1


@pytest.mark.parametrize("rate", [Rate(0, 1), Rate(1, 0)], ids=["rate", "burst"])
def test_pace_must_be_positive(rate: Rate) -> None:
    with pytest.raises(ValueError, match="positive"):
        Pace(rate)


# Once the bot stops, a send waiting for its chat's pace goes out only if its wait ends before
# the last moment a send may start (so it is answered before the stop ends) and within
# STOP_GRACE; otherwise it is given up and stays in the store for the next start.
STOPS = [(None, 2), (2.0, 2), (0.3, 1)]


@pytest.mark.parametrize(("sending_for", "sent"), STOPS,
                         ids=["no-last-start", "wait-ends-in-time", "wait-ends-too-late"])
def test_a_stop_gives_up_waits_that_end_too_late(sending_for: float | None, sent: int) -> None:
    async def two_sends() -> int:
        limiter = PacedRateLimiter(overall=None, private=Rate(1.0, 1), group=None)
        calls: list[str] = []

        async def send() -> dict[str, Any]:
            calls.append("sent")
            return {}

        for n in range(2):  # the second waits about a second for the chat's pace
            if n:
                limiter.stop(sending_for)
            with contextlib.suppress(Abandoned):
                await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 5}, None)
        return len(calls)

    assert asyncio.run(two_sends()) == sent
