"""Which failed requests the adapter sends again: never one that may have been delivered."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.telegram.limits import retry_is_safe


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
