"""`python -m bot` as a process against the fake Bot API over HTTP: start-up errors, SIGTERM,
webhook, SIGHUP.

The tests wait for what the process does (it polls, it exits, it answers); the time limits
below only stop a hung process from hanging the suite, they are not what is tested. How fast
the bot starts and fails is measured by benchmarks/startup.py, not here.
"""

from __future__ import annotations

import http.client
import itertools
import json
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_bot_api import text_update
from telegram_helpers import HANG, ROOT, TOKEN, BotProcess, FakeServer, env_for, free_port

WRONG_TOKEN = "1111111111:AAWrong-token-that-the-server-rejects_x"
SECRET = "webhook-secret_123"
HOOK_PATH = "/telegram-hook"
UPDATE_IDS = itertools.count(1)  # Telegram never repeats an update id (the bot skips repeats)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def finish(proc: BotProcess) -> tuple[int, str]:
    """Wait for the process to end; return its exit code and stderr."""
    return proc.finish(HANG)


def stop(proc: BotProcess) -> tuple[int, str]:
    """Send SIGTERM and wait for the process to end."""
    proc.popen.send_signal(signal.SIGTERM)
    return finish(proc)


def run_to_end(env: dict[str, str]) -> tuple[int, str]:
    """Run the bot until it exits by itself; return its exit code and stderr."""
    with BotProcess(env) as proc:
        return finish(proc)


@pytest.fixture
def polling(server: FakeServer) -> Iterator[BotProcess]:
    """The bot in a subprocess, long polling the fake server."""
    with BotProcess(env_for(server)) as proc:
        try:
            server.wait_until(lambda: "getUpdates" in server.api.arrived, timeout=HANG)
        except TimeoutError:
            raise AssertionError(f"the bot never polled: {proc.stderr()[-2000:]}") from None
        yield proc


# ---------------------------------------------------------------- start-up errors


BAD_TOKEN_LINE = "error: Telegram rejected TELEGRAM_BOT_TOKEN; get a valid one from @BotFather\n"


def test_bad_token_gives_one_line_and_exit_1(server: FakeServer) -> None:
    env = env_for(server, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, LOG_LEVEL="WARNING")
    assert run_to_end(env) == (1, BAD_TOKEN_LINE)


def test_bad_token_is_not_retried(server: FakeServer) -> None:
    run_to_end(env_for(server, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, LOG_LEVEL="WARNING"))
    assert server.api.arrived == ["getMe"]


def test_bad_token_at_info_shows_no_traceback_nor_token(server: FakeServer) -> None:
    _, err = run_to_end(env_for(server, TELEGRAM_BOT_TOKEN=WRONG_TOKEN))
    assert ("Traceback" in err, WRONG_TOKEN in err, err.endswith(BAD_TOKEN_LINE)) == (
        False, False, True)


def test_unreachable_server_gives_one_line_and_exit_1() -> None:
    base = f"http://127.0.0.1:{free_port()}/bot"
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base, "LOG_LEVEL": "WARNING"}
    assert run_to_end(env) == (
        1, f"error: cannot reach the Telegram Bot API at {base[7:-4]}: "
           "httpx.ConnectError: All connection attempts failed\n")


# ---------------------------------------------------------------- long polling and SIGTERM


def test_sigterm_finishes_the_update_in_progress(server: FakeServer,
                                                polling: BotProcess) -> None:
    server.api.delay_next("sendMessage", 1.0)
    update_id = server.call(server.api.inject, text_update("what is cysteine"))
    server.wait_until(lambda: "sendMessage" in server.api.arrived)
    code, err = stop(polling)
    delivered = [(c.status, c.answered) for c in server.api.calls if c.method == "sendMessage"]
    assert (code, delivered, server.api.polled_past(update_id), "Traceback" in err) == (
        0, [(200, True)], True, False)


def test_sigterm_stops_an_idle_bot(polling: BotProcess) -> None:
    code, err = stop(polling)
    assert (code, "Traceback" in err) == (0, False)


def test_bad_state_file_folder_is_a_settings_error_not_a_port_error(server: FakeServer) -> None:
    code, err = run_to_end(env_for(server, STATE_FILE="/no/such/folder/state.pickle"))
    assert (code, err.startswith("error: STATE_FILE:"), "port" in err) == (2, True, False)


def test_unwritable_data_dir_is_one_line_at_start(server: FakeServer) -> None:
    blocker = server.data_dir / "a-file"
    blocker.write_text("x")
    code, err = run_to_end(env_for(server, DATA_DIR=str(blocker / "data")))
    assert (code, err) == (2, f"error: DATA_DIR: {blocker} is not a folder\n")


# ---------------------------------------------------------------- webhook


@pytest.fixture(scope="module")
def hook_server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def webhook(hook_server: FakeServer) -> Iterator[tuple[BotProcess, int]]:
    """One bot in webhook mode for this module's webhook tests (it starts in seconds)."""
    server = hook_server
    port = free_port()
    env = env_for(server, WEBHOOK_URL=f"https://bot.example.invalid{HOOK_PATH}",
                  PORT=str(port), WEBHOOK_SECRET=SECRET)
    with BotProcess(env) as proc:
        server.wait_until(lambda: server.api.webhook is not None, timeout=HANG)
        _wait_for_port(port)
        yield proc, port


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + HANG
    while True:
        try:
            post(port, {}, None)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def hook_update(text: str) -> dict[str, object]:
    """Return an update as Telegram posts it to a webhook, with a new update id."""
    return {"update_id": next(UPDATE_IDS), **text_update(text)}


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
        hook_server: FakeServer, webhook: tuple[BotProcess, int]) -> None:
    hook = hook_server.api.webhook or {}
    assert (hook.get("url"), hook.get("secret_token")) == (
        f"https://bot.example.invalid{HOOK_PATH}", SECRET)


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["missing", "wrong"])
def test_webhook_refuses_a_request_without_the_secret(
        hook_server: FakeServer, webhook: tuple[BotProcess, int],
        secret: str | None) -> None:
    api = hook_server.api
    before = len(api.ok_calls("sendMessage"))
    refused = post(webhook[1], hook_update("what is cysteine"), secret)
    # The same chat's updates are answered in order: once this one is answered, a wrongly
    # accepted one would have been answered too.
    post(webhook[1], hook_update("hello"), SECRET)
    hook_server.wait_until(lambda: len(api.ok_calls("sendMessage")) > before)
    assert (refused, len(api.ok_calls("sendMessage")) - before) == (403, 1)


def test_webhook_answers_an_update_with_the_secret(
        hook_server: FakeServer, webhook: tuple[BotProcess, int]) -> None:
    api = hook_server.api
    before = len(api.ok_calls("sendMessage"))
    status = post(webhook[1], hook_update("what is cysteine"), SECRET)
    hook_server.wait_until(lambda: len(api.ok_calls("sendMessage")) > before)
    assert (status, api.ok_calls("sendMessage")[-1].params["chat_id"]) == (200, 1001)


# ---------------------------------------------------------------- webhook: big bodies

BIG = 50 * 1024 * 1024  # bytes a stranger offers; the bot's limit is 1 MB
CHUNK = 64 * 1024


def offer_body(port: int, secret: str | None, chunked: bool) -> tuple[int | None, int]:
    """Offer a 50 MB body; return (the HTTP status, or None if cut off, and bytes sent)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("POST", HOOK_PATH)
    conn.putheader("Content-Type", "application/json")
    if secret is not None:
        conn.putheader("X-Telegram-Bot-Api-Secret-Token", secret)
    conn.putheader("Transfer-Encoding" if chunked else "Content-Length",
                   "chunked" if chunked else str(BIG))
    conn.endheaders()
    sent = 0
    try:
        if chunked:
            piece = b"%x\r\n%s\r\n" % (CHUNK, b"x" * CHUNK)
            while sent < BIG:
                conn.send(piece)
                sent += CHUNK
        # With a declared length the answer comes before any of the body is sent.
        return conn.getresponse().status, sent
    except OSError:
        return None, sent  # the bot closed the connection: it stopped reading
    finally:
        conn.close()


@pytest.mark.parametrize(("secret", "chunked", "status"), [
    (SECRET, False, 413), ("wrong-secret", False, 403), (None, True, 403),
], ids=["declared", "declared-wrong-secret", "chunked-no-secret"])
def test_webhook_refuses_a_50_mb_body_before_reading_it(
        webhook: tuple[BotProcess, int], secret: str | None, chunked: bool,
        status: int) -> None:
    got, sent = offer_body(webhook[1], secret, chunked)
    assert (got in (status, None), sent < 8 * 1024 * 1024) == (True, True)


def test_webhook_cuts_off_a_chunked_50_mb_body_and_keeps_answering(
        hook_server: FakeServer, webhook: tuple[BotProcess, int]) -> None:
    api = hook_server.api
    got, sent = offer_body(webhook[1], SECRET, chunked=True)
    before = len(api.ok_calls("sendMessage"))
    status = post(webhook[1], hook_update("what is cysteine"), SECRET)
    hook_server.wait_until(lambda: len(api.ok_calls("sendMessage")) > before)
    assert (got in (413, None), sent < 8 * 1024 * 1024, status) == (True, True, 200)


def test_webhook_bot_stops_on_sigterm(webhook: tuple[BotProcess, int]) -> None:
    assert stop(webhook[0])[0] == 0


# ---------------------------------------------------------------- SIGHUP reloads the content


BAD_TOPIC = """topics:
  - topic: no-such-answer
    examples:
      - what does nac do to teeth
      - nac and teeth
      - is nac bad for teeth
      - nac tooth enamel
      - nac and dentist visits
      - can nac stain teeth
"""


def test_sighup_with_broken_content_keeps_the_old_answers(server: FakeServer,
                                                          tmp_path: Path) -> None:
    shutil.copy(ROOT / "knowledge.yaml", tmp_path / "knowledge.yaml")
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    env = env_for(server, KNOWLEDGE_FILE=str(tmp_path / "knowledge.yaml"),
                  INTENTS_DIR=str(tmp_path / "intents"), DATA_DIR=str(tmp_path / "data"),
                  INBOX="on")
    api = server.api
    with BotProcess(env) as proc:
        server.wait_until(lambda: "getUpdates" in api.arrived, timeout=HANG)
        (tmp_path / "intents" / "teeth.yaml").write_text(BAD_TOPIC)
        proc.popen.send_signal(signal.SIGHUP)
        _wait_for_log(proc, "reload failed")
        server.call(api.inject, text_update("is nac safe in pregnancy"))
        server.wait_until(lambda: len(api.ok_calls("sendMessage")) == 1, timeout=HANG)
        before = api.ok_calls("sendMessage")[0].params["text"]
        (tmp_path / "intents" / "teeth.yaml").unlink()
        knowledge = tmp_path / "knowledge.yaml"
        knowledge.write_text(knowledge.read_text().replace(
            "    title: Pregnancy\n", "    title: Pregnancy and NAC\n", 1))
        proc.popen.send_signal(signal.SIGHUP)
        _wait_for_log(proc, "reloaded the content")
        server.call(api.inject, text_update("is nac safe in pregnancy"))
        server.wait_until(lambda: len(api.ok_calls("sendMessage")) == 2, timeout=HANG)
        after = api.ok_calls("sendMessage")[1].params["text"]
        code, err = stop(proc)
    problem = (f"reload: {tmp_path / 'intents' / 'teeth.yaml'}: topic 'no-such-answer': "
               "no answer in knowledge.yaml has this id")
    assert (code, problem in err, before.startswith("<b>Pregnancy</b>"),
            after.startswith("<b>Pregnancy and NAC</b>"), "Traceback" in err) == (
        0, True, True, True, False)


def _wait_for_log(proc: BotProcess, text: str) -> None:
    deadline = time.monotonic() + HANG
    while text not in proc.stderr():
        if proc.popen.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no {text!r} in the log: {proc.stderr()[-2000:]}")
        time.sleep(0.05)
