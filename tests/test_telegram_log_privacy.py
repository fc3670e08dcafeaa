"""End-to-end: a conversation with faults at DEBUG leaves no name, id, text or phone in any log
line, python-telegram-bot's error paths included (truncated responses, an update it cannot
parse, webhook bodies it cannot use)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

import pytest
from fake_bot_api import (
    FakeRequest,
    callback_update,
    group_chat,
    message,
    text_update,
    user,
)
from telegram_helpers import BotHarness, free_port, only

from bot.engine import Engine
from bot.telegram import app as app_module
from bot.telegram.app import App, build_application

UID = 987_654_321
NAME, USERNAME, LAST = "Zyxwvut", "zyxwvut_private", "Qwertzuiop"
PHONE = "+15550199777"
TEXT_WORD = "Flibbertigibbet"  # in every question, never in a reply
GROUP_TITLE = "Secret Society of Frobnitz"
SENDER = {**user(UID, NAME, USERNAME), "last_name": LAST}
SECRETS = (str(UID), NAME, USERNAME, LAST, PHONE, TEXT_WORD, GROUP_TITLE, "Frobnitz")
SECRET_HOOK = "hook-secret_1"


class CuttingRequest(FakeRequest):
    """The fake transport, but the next answer of chosen methods is cut in half."""

    def __init__(self, api: Any) -> None:
        super().__init__(api)
        self.cut: list[str] = []

    async def do_request(self, url: str, method: str, *args: Any,
                         **kwargs: Any) -> tuple[int, bytes]:
        """Answer as the fake does, then cut the body if this method is due to be cut."""
        status, body = await super().do_request(url, method, *args, **kwargs)
        name = url.rpartition("/")[2]
        if name in self.cut:
            self.cut.remove(name)
            return status, body[: len(body) // 2]
        return status, body


class FaultyHarness(BotHarness):
    """BotHarness whose transport can cut answers short."""

    request: CuttingRequest

    def _build(self) -> App:
        self.request = CuttingRequest(self.api)
        return build_application(self.settings, self.engine, rate_limiter=self.limiter,
                                 request=self.request, slots=self.slots)


def unparsable_update() -> dict[str, Any]:
    """A poll as an older self-hosted Bot API server sends it: fields PTB requires are missing."""
    return {"message": message(None, sender=SENDER,
                               poll={"id": "p1", "question": f"{TEXT_WORD} poll?"})}


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return [formatter.format(r) for r in caplog.records]


def _leaks(lines: list[str]) -> dict[str, int]:
    found = {s: sum(s.lower() in line.lower() for line in lines) for s in SECRETS}
    return {s: n for s, n in found.items() if n}


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    for name in ("", "telegram", "httpx", "httpcore", "tornado"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    return caplog


def test_a_faulty_conversation_at_debug_logs_no_user_data(
        engine: Engine, debug_logs: pytest.LogCaptureFixture) -> None:
    bot = FaultyHarness(engine)
    try:
        first = only(bot.say("/start", sender=SENDER))
        bot.say(f"is nac safe in pregnancy {TEXT_WORD}", sender=SENDER)
        bot.api.fail_next("sendMessage", status=500)
        bot.press("a:pregnancy", first, sender=SENDER)
        bot.request.cut.append("sendMessage")  # a response cut short: PTB logs the raw body
        bot.say(f"what is cysteine {TEXT_WORD}", sender=SENDER)
        bot.send({"message": message(None, sender=SENDER,
                                     contact={"phone_number": PHONE, "first_name": NAME})})
        bot.say(f"@cysteine_test_bot side effects {TEXT_WORD}", sender=SENDER,
                chat=group_chat(-100_987_654_321, GROUP_TITLE))
        bot.inject(unparsable_update())  # skipped, confirmed, one line naming only its id
        bot.request.cut.append("getUpdates")
        bot.say(f"thanks {TEXT_WORD}", sender=SENDER)
    finally:
        bot.close()
    lines = _lines(debug_logs)
    expected_paths = ("Can not load invalid JSON data", "could not be read")
    assert (len(lines) > 50, [any(p in line for line in lines) for p in expected_paths],
            _leaks(lines)) == (True, [True, True], {})


def _post(port: int, body: bytes) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook", data=body, method="POST",
        headers={"Content-Type": "application/json",
                 "X-Telegram-Bot-Api-Secret-Token": SECRET_HOOK})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_webhook_bodies_that_fail_to_parse_log_no_user_data(
        engine: Engine, debug_logs: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "LISTEN", "127.0.0.1")  # tests reach loopback only
    port = free_port()
    bot = BotHarness(engine, webhook_url="https://bot.example.org/hook", port=port,
                     webhook_secret=SECRET_HOOK)
    try:
        unparsable = {"update_id": 90_001, **unparsable_update()}
        cut = json.dumps({"update_id": 90_002, **text_update(TEXT_WORD, sender=SENDER)})
        press = {"update_id": 90_003, **callback_update(TEXT_WORD, {"message_id": 1},
                                                        sender=SENDER)}
        statuses = [_post(port, json.dumps(unparsable).encode()),
                    _post(port, cut[: len(cut) // 2].encode()),
                    _post(port, json.dumps(press).encode())]
    finally:
        bot.close()
    lines = _lines(debug_logs)
    # The unparsable update is stored and confirmed (200: Telegram would send it again and
    # again otherwise), then skipped with one line; the cut body is no update at all (400).
    assert (statuses, _leaks(lines)) == ([200, 400, 200], {})
