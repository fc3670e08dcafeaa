"""`python -m bot` as a process against the fake Bot API: start-up errors, SIGTERM, webhook."""

from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from fake_bot_api import text_update
from telegram_helpers import TOKEN, FakeServer, bot_process, free_port

STOP_WITHIN = 10.0  # seconds a stopped bot may take to exit
WRONG_TOKEN = "1111111111:AAWrong-token-that-the-server-rejects_x"
SECRET = "webhook-secret_123"
HOOK_PATH = "/telegram-hook"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def env_for(server: FakeServer, **extra: str) -> dict[str, str]:
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.api.base_url,
            "PTB_TIMEDELTA": "1", **extra}


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Wait for the process to end; return its exit code and stderr."""
    try:
        _, err = proc.communicate(timeout=STOP_WITHIN)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the bot did not exit within {STOP_WITHIN}s: {err}") from None
    return proc.returncode, err


def stop(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Send SIGTERM and wait for the process to end."""
    proc.send_signal(signal.SIGTERM)
    return finish(proc)


def start_polling(server: FakeServer, **env: str) -> subprocess.Popen[str]:
    proc = bot_process(env_for(server, **env))
    try:
        server.wait_until(lambda: "getUpdates" in server.api.arrived, timeout=15)
    except TimeoutError:
        proc.kill()
        raise AssertionError(f"the bot never polled: {proc.communicate()[1]}") from None
    return proc


# ---------------------------------------------------------------- start-up errors


BAD_TOKEN_LINE = "error: Telegram rejected TELEGRAM_BOT_TOKEN; get a valid one from @BotFather\n"


def test_bad_token_gives_one_line_and_exit_1(server: FakeServer) -> None:
    env = env_for(server, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, LOG_LEVEL="WARNING")
    assert finish(bot_process(env)) == (1, BAD_TOKEN_LINE)


def test_bad_token_at_info_shows_no_traceback_nor_token(server: FakeServer) -> None:
    _, err = finish(bot_process(env_for(server, TELEGRAM_BOT_TOKEN=WRONG_TOKEN)))
    assert ("Traceback" in err, WRONG_TOKEN in err, err.endswith(BAD_TOKEN_LINE)) == (
        False, False, True)


def test_unreachable_server_gives_one_line_and_exit_1() -> None:
    base = f"http://127.0.0.1:{free_port()}/bot"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base, "LOG_LEVEL": "WARNING"}
    assert finish(bot_process(env)) == (
        1, f"error: cannot reach the Telegram Bot API at {base[7:-4]}: "
           "httpx.ConnectError: All connection attempts failed\n")


# ---------------------------------------------------------------- long polling and SIGTERM


def test_sigterm_finishes_the_update_in_progress(server: FakeServer) -> None:
    proc = start_polling(server)
    server.api.delay_next("sendMessage", 1.0)
    update_id = server.call(server.api.inject, text_update("what is cysteine"))
    server.wait_until(lambda: "sendMessage" in server.api.arrived)
    code, err = stop(proc)
    delivered = [(c.status, c.answered) for c in server.api.calls if c.method == "sendMessage"]
    assert (code, delivered, server.api.polled_past(update_id), "Traceback" in err) == (
        0, [(200, True)], True, False)


def test_sigterm_stops_an_idle_bot_within_seconds(server: FakeServer) -> None:
    proc = start_polling(server)
    started = time.monotonic()
    code, _ = stop(proc)
    assert (code, time.monotonic() - started < 5) == (0, True)


def test_start_registers_commands_then_polls(server: FakeServer) -> None:
    proc = start_polling(server)
    stop(proc)
    methods = [m for m in server.api.arrived if m != "getUpdates"]
    assert methods[:3] == ["getMe", "setMyCommands", "deleteWebhook"]


# ---------------------------------------------------------------- webhook


@pytest.fixture
def webhook(server: FakeServer) -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    proc = bot_process(env_for(server, WEBHOOK_URL=f"https://bot.example.invalid{HOOK_PATH}",
                               PORT=str(port), WEBHOOK_SECRET=SECRET))
    try:
        server.wait_until(lambda: server.api.webhook is not None, timeout=15)
        _wait_for_port(port)
        yield proc, port
    finally:
        if proc.poll() is None:
            stop(proc)


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while True:
        try:
            post(port, {}, None)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def post(port: int, update: dict[str, object], secret: str | None) -> int:
    """POST an update to the bot's webhook on 127.0.0.1; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(f"http://127.0.0.1:{port}{HOOK_PATH}",
                                     data=json.dumps(update).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_webhook_is_registered_with_the_secret(
        server: FakeServer, webhook: tuple[subprocess.Popen[str], int]) -> None:
    hook = server.api.webhook or {}
    assert (hook.get("url"), hook.get("secret_token")) == (
        f"https://bot.example.invalid{HOOK_PATH}", SECRET)


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["missing", "wrong"])
def test_webhook_refuses_a_request_without_the_secret(
        server: FakeServer, webhook: tuple[subprocess.Popen[str], int],
        secret: str | None) -> None:
    status = post(webhook[1], {"update_id": 1, **text_update("what is cysteine")}, secret)
    time.sleep(0.3)  # give a wrongly accepted update time to be answered
    assert (status, server.api.ok_calls("sendMessage")) == (403, [])


def test_webhook_answers_an_update_with_the_secret(
        server: FakeServer, webhook: tuple[subprocess.Popen[str], int]) -> None:
    status = post(webhook[1], {"update_id": 1, **text_update("what is cysteine")}, SECRET)
    server.wait_until(lambda: bool(server.api.ok_calls("sendMessage")))
    code, _ = stop(webhook[0])
    assert (status, len(server.api.ok_calls("sendMessage")), code) == (200, 1, 0)
