"""End-to-end: staying up (429, 5xx, errors), flood control, ordering and logs."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

import pytest
from fake_bot_api import callback_update, text_update, user
from telegram_helpers import TOKEN, BotHarness, only, question_of_kind, sent

from bot.engine import Engine
from bot.telegram.flood import SLOW_DOWN_HTML
from bot.telegram.handlers import FAILED_HTML


@pytest.fixture
def bot(engine: Engine) -> Iterator[BotHarness]:
    harness = BotHarness(engine)
    yield harness
    harness.close()


@pytest.fixture
def answer(engine: Engine) -> tuple[str, str]:
    """A question the core answers, and the HTML of that answer."""
    question = question_of_kind(engine, "answer")
    return question, engine.respond(question).reply.html


def texts(calls: list) -> list[str]:  # type: ignore[type-arg]
    return [c.params["text"] for c in sent(calls) if c.status == 200]


# ---------------------------------------------------------------- 429 and 5xx


def test_429_waits_retry_after_then_delivers_once(bot: BotHarness,
                                                  answer: tuple[str, str]) -> None:
    bot.api.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    calls = sent(bot.say(answer[0]))
    waited = time.monotonic() - started
    assert ([c.status for c in calls], texts(calls), waited >= 1.0) == (
        [429, 200], [answer[1]], True)


def test_500_is_retried_and_delivered_once(bot: BotHarness, answer: tuple[str, str]) -> None:
    bot.api.fail_next("sendMessage", times=2, status=500)
    calls = sent(bot.say(answer[0]))
    assert ([c.status for c in calls], texts(calls)) == ([500, 500, 200], [answer[1]])


def test_bad_request_gets_the_apology_in_place_of_the_reply(
        bot: BotHarness, answer: tuple[str, str]) -> None:
    bot.api.fail_next("sendMessage", status=400)
    calls = sent(bot.say(answer[0]))
    assert ([c.status for c in calls], texts(calls)) == ([400, 200], [FAILED_HTML])


def test_bad_request_is_not_retried(bot: BotHarness, answer: tuple[str, str]) -> None:
    bot.api.fail_next("sendMessage", status=400)
    calls = sent(bot.say(answer[0]))
    assert [c.status for c in calls] == [400, 200]


def test_polling_survives_a_500_from_get_updates(bot: BotHarness,
                                                 answer: tuple[str, str]) -> None:
    bot.api.fail_next("getUpdates", status=500)
    bot.say("hello")  # the poll after this one fails
    assert texts(bot.say(answer[0])) == [answer[1]]


def test_answer_callback_query_is_retried_after_a_500(bot: BotHarness) -> None:
    topics = only(bot.say("/topics"))
    bot.api.fail_next("answerCallbackQuery", status=500)
    pressed = bot.press("a:pregnancy", topics)
    assert [c.status for c in pressed if c.method == "answerCallbackQuery"] == [500, 200]


# ---------------------------------------------------------------- the error handler


def test_error_tells_the_user_something_went_wrong(
        bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "respond", _boom)
    assert texts(bot.say("what is cysteine")) == [FAILED_HTML]


def test_error_is_logged_with_its_traceback(
        bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(engine, "respond", _boom)
    bot.say("what is cysteine")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [(r.name, r.exc_info[1].args if r.exc_info else None) for r in errors] == [
        ("bot.telegram.handlers", ("matcher exploded",))]


def _boom(*args: object) -> None:
    raise RuntimeError("matcher exploded")


# ---------------------------------------------------------------- flood control


def test_flood_gets_one_notice_not_one_answer_each(engine: Engine,
                                                   answer: tuple[str, str]) -> None:
    harness = BotHarness(engine, flood_limit=3)
    try:
        calls = harness.send_all([text_update(answer[0]) for _ in range(6)])
    finally:
        harness.close()
    # Three replies (the answer, then its details, then "that's all": never the same twice),
    # then one notice, then nothing.
    sent = texts(calls)
    assert (len(sent), sent[0], sent[-1]) == (4, answer[1], SLOW_DOWN_HTML)


def test_flood_of_one_user_leaves_others_answered(engine: Engine,
                                                  answer: tuple[str, str]) -> None:
    harness = BotHarness(engine, flood_limit=3)
    try:
        harness.send_all([text_update(answer[0]) for _ in range(6)])
        others = harness.say(answer[0], sender=user(2002, "Grace", "grace_h"))
    finally:
        harness.close()
    assert texts(others) == [answer[1]]


def test_flooded_button_press_is_still_acknowledged(engine: Engine) -> None:
    harness = BotHarness(engine, flood_limit=1)
    try:
        topics = only(harness.say("/topics"))
        message = harness.api.message_sent(topics)
        calls = harness.send_all([callback_update("a:pregnancy", message) for _ in range(2)])
    finally:
        harness.close()
    acks = [c.status for c in calls if c.method == "answerCallbackQuery"]
    assert (acks, texts(calls)) == ([200, 200], [SLOW_DOWN_HTML])


# ---------------------------------------------------------------- ordering and concurrency


def test_messages_of_one_chat_are_answered_in_order(bot: BotHarness, engine: Engine) -> None:
    questions = ["what is cysteine", "sources?", "is nac safe in pregnancy", "sources?"]
    expected, state = [], None
    for q in questions:
        turn = engine.respond(q, state)
        expected.append(turn.reply.html)
        state = turn.state
    bot.api.delay_next("sendMessage", 0.3)  # the first reply is slow: the others must wait
    assert texts(bot.send_all([text_update(q) for q in questions])) == expected


def test_a_slow_chat_does_not_hold_up_another(bot: BotHarness) -> None:
    bot.api.delay_next("sendMessage", 0.5)
    slow, fast = user(3001, "Slow", None), user(3002, "Fast", None)
    calls = bot.send_all([text_update("hello", sender=slow), text_update("hello", sender=fast)])
    assert [c.params["chat_id"] for c in sent(calls)] == [3002, 3001]


# ---------------------------------------------------------------- logs

SECRET_USER = user(987_654_321, "Zyxwvut", "zyxwvut_private")


def _conversation(bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    first = only(bot.say("/start", sender=SECRET_USER))
    bot.say(question_of_kind(engine, "answer"), sender=SECRET_USER)
    bot.api.fail_next("sendMessage", status=500)
    bot.press("a:pregnancy", first, sender=SECRET_USER)
    with monkeypatch.context() as m:
        m.setattr(engine, "respond", _boom)
        bot.say("what is cysteine", sender=SECRET_USER)


def _logged(caplog: pytest.LogCaptureFixture, prefix: str = "") -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in caplog.records if r.name.startswith(prefix))


def test_token_is_never_logged(engine: Engine, monkeypatch: pytest.MonkeyPatch,
                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="telegram")
    bot = BotHarness(engine)
    try:
        _conversation(bot, engine, monkeypatch)
    finally:
        bot.close()
    logged = _logged(caplog)
    assert (len(caplog.records) > 50, TOKEN in logged, TOKEN.split(":")[1] in logged) == (
        True, False, False)


def test_bot_logs_name_no_user(bot: BotHarness, engine: Engine,
                               monkeypatch: pytest.MonkeyPatch,
                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _conversation(bot, engine, monkeypatch)
    logged = _logged(caplog, "bot")
    found = [v for v in ("987654321", "Zyxwvut", "zyxwvut_private") if v in logged]
    assert (bool(logged), found) == (True, [])


def test_each_message_logs_topic_score_outcome_and_latency(
        bot: BotHarness, caplog: pytest.LogCaptureFixture, answer: tuple[str, str],
        engine: Engine) -> None:
    caplog.set_level(logging.INFO)
    bot.say(answer[0])
    topic = engine.respond(answer[0]).reply.topic
    pattern = re.compile(rf"chat=[0-9a-f]{{12}} via=text outcome=answer topic={topic} "
                         r"score=\d\.\d\d ms=\d+\.\d")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.telegram"]
    assert [bool(pattern.fullmatch(line)) for line in lines if "via=" in line] == [True]
