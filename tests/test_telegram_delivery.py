"""End-to-end: nothing lost, nothing doubled, whatever the Bot API does; and what comes in.

The bot runs in process against the fake Bot API, which injects the faults: outages (every
connection refused), 500s and 429s in a row, a send that stalls past the client's timeout
after the message was delivered, updates python-telegram-bot cannot parse. Exactly once is
checked by counting the fake's successful sendMessage calls per (chat, text).

Time is scaled: a real outage of 10 s or 60 s against the real REPLY_TTL_SECONDS (600) and
the real waits between failed sends (0.5 s doubling to 10 s) is played here SCALE times faster,
every one of those shortened alike; test_telegram_durability.py has one of 10 s in real time.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import Call, FakeBotApi, text_update, user
from telegram_helpers import BotHarness, question_of_kind, sent

from bot.compose import split_html
from bot.engine import Engine
from bot.reply import ConversationState
from bot.telegram.app import STOP_SENDING
from bot.telegram.delivery import FAILED_HTML, Backoff
from bot.telegram.store import Store

SCALE = 50  # real seconds per test second
REAL_TTL = 600
SCALED = Backoff(first=0.5 / SCALE, most=10.0 / SCALE)
CHATS = 20
QUESTIONS = ("what is cysteine", "is nac safe in pregnancy", "what is glutathione",
             "side effects of nac", "hello")  # five each: 100 replies


def expected_replies(engine: Engine, questions: tuple[str, ...]) -> list[str]:
    """Return the message texts one chat gets for these questions, in order."""
    out: list[str] = []
    state = ConversationState()
    for q in questions:
        turn = engine.respond(q, state)
        out.extend(split_html(turn.reply.html))
        state = turn.state
    return out


def delivered_to(api: FakeBotApi, chat: int) -> list[str]:
    return [c.params["text"] for c in api.ok_calls("sendMessage") if c.params["chat_id"] == chat]


def counts(api: FakeBotApi, expected: dict[int, list[str]]) -> tuple[int, int, int]:
    """Return (delivered, lost, duplicated) against the expected replies of each chat."""
    got = api.deliveries()
    want: dict[tuple[int, str], int] = {}
    for chat, texts in expected.items():
        for t in texts:
            want[(chat, t)] = want.get((chat, t), 0) + 1
    delivered = sum(min(got.get(k, 0), n) for k, n in want.items())
    lost = sum(max(0, n - got.get(k, 0)) for k, n in want.items())
    extra = sum(max(0, n - want.get(k, 0)) for k, n in got.items())
    return delivered, lost, extra


def ask_then_outage(bot: BotHarness, updates: list[dict[str, Any]]) -> None:
    """Inject updates; begin an outage the moment a getUpdates has handed out the last one."""
    api = bot.api

    async def inject_all() -> None:
        last = api.last_update_id + len(updates)

        def hook(call: Call) -> None:
            if call.method == "getUpdates" and any(u["update_id"] == last
                                                   for u in call.result or []):
                api.down = True
                api.on_call = None
        api.on_call = hook
        for u in updates:
            api.inject(u)

    bot.server.run(inject_all())


def chat_updates(chats: int, questions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Return each chat's questions, chats taking turns (as they would arrive)."""
    return [text_update(q, sender=user(20_000 + c, f"U{c}", None))
            for q in questions for c in range(chats)]


@pytest.fixture
def answer(engine: Engine) -> tuple[str, str]:
    question = question_of_kind(engine, "answer")
    return question, engine.respond(question).reply.html


# ---------------------------------------------------------------- outages


@pytest.mark.parametrize("outage", [10, 60], ids=["10s", "60s"])
def test_an_outage_with_100_replies_queued_loses_and_doubles_nothing(
        engine: Engine, outage: int) -> None:
    bot = BotHarness(engine, backoff=SCALED, reply_ttl_seconds=REAL_TTL // SCALE,
                     flood_limit=1000)
    expected = {20_000 + c: expected_replies(engine, QUESTIONS) for c in range(CHATS)}
    try:
        ask_then_outage(bot, chat_updates(CHATS, QUESTIONS))
        bot.wait_until(lambda: bot.api.refused > 0)
        time.sleep(outage / SCALE)
        bot.server.run(bot.api.come_up())
        bot.wait_until(lambda: counts(bot.api, expected)[0] == 100)
        bot.drained()
        in_order = all(delivered_to(bot.api, chat) == texts for chat, texts in expected.items())
        waiting = bot.outbox.store.waiting()
    finally:
        bot.close()
    assert (counts(bot.api, expected), in_order, waiting) == ((100, 0, 0), True, 0)


def test_replies_older_than_the_ttl_are_given_up_with_a_line_per_sweep(
        engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    bot = BotHarness(engine, backoff=SCALED, reply_ttl_seconds=1, flood_limit=1000)
    caplog.set_level(logging.INFO, logger="bot.telegram.delivery")
    try:
        ask_then_outage(bot, chat_updates(CHATS, QUESTIONS[:1]))
        bot.wait_until(lambda: bot.api.refused > 0 and bot.outbox.store.waiting() == CHATS)
        time.sleep(1.6)
        bot.server.run(bot.api.come_up())
        bot.drained()
        late = len(bot.api.ok_calls("sendMessage"))
        after = sent(bot.say("hello", sender=user(20_000, "U0", None)))
    finally:
        bot.close()
    given_up = [r.getMessage() for r in caplog.records if "gave up" in r.getMessage()]
    dropped = [int(m.split()[2]) for m in given_up]
    # One line per sweep, none naming a chat. Unloaded, the 20 replies are made within a few
    # milliseconds and one sweep takes them all; on a loaded machine their making can straddle
    # a sweep (every 0.5 s), and two lines (4 + 16) say it all as well.
    assert (late, [c.status for c in after], sum(dropped), len(given_up) <= 2) == (
        0, [200], CHATS, True)
    assert all(m == f"gave up {n} undelivered repl{'y' if n == 1 else 'ies'} older than 1s "
               "(REPLY_TTL_SECONDS)" for m, n in zip(given_up, dropped, strict=True))


# ---------------------------------------------------------------- errors in a row


@pytest.mark.parametrize(("status", "retry_after"), [(500, None), (429, 1)],
                         ids=["500", "429"])
def test_five_failures_in_a_row_then_the_reply_once(
        engine: Engine, answer: tuple[str, str], status: int, retry_after: int | None) -> None:
    bot = BotHarness(engine)
    try:
        bot.api.fail_next("sendMessage", times=5, status=status, retry_after=retry_after)
        calls = sent(bot.say(answer[0]))
    finally:
        bot.close()
    delivered = [c.params["text"] for c in calls if c.status == 200]
    assert ([c.status for c in calls], delivered) == ([status] * 5 + [200], [answer[1]])


# ---------------------------------------------------------------- a stall


def test_a_send_that_times_out_after_delivery_is_not_sent_again_nor_apologised_for(
        engine: Engine, answer: tuple[str, str]) -> None:
    bot = BotHarness(engine, send_timeout=0.2)
    try:
        bot.api.delay_next("sendMessage", 0.6)  # delivered, but only after the client gave up
        bot.say(answer[0])
        bot.wait_until(lambda: len(bot.api.ok_calls("sendMessage")) == 1)
        bot.say("hello")
        calls = bot.api.ok_calls("sendMessage")
    finally:
        bot.close()
    texts = [c.params["text"] for c in calls]
    assert (texts[0], len(texts), calls[0].answered, FAILED_HTML in texts) == (
        answer[1], 2, False, False)


def test_a_send_under_way_when_a_stop_runs_out_is_neither_lost_nor_sent_twice(
        engine: Engine) -> None:
    # The first message is answered 2.7 s after the stop began; the next one, 0.6 s after it
    # is sent, so it would still be in flight at the stop's end (STOP_SENDING, 3 s) if it began.
    bot = BotHarness(engine, flood_limit=1000)
    chat = 20_900
    questions = QUESTIONS[:3]
    expected = {chat: expected_replies(engine, questions)}
    try:
        bot.api.delay_next("sendMessage", 2.7)
        bot.api.delay_next("sendMessage", 0.6, times=len(expected[chat]))
        for q in questions:
            bot.inject(text_update(q, sender=user(chat, "Ann", None)))
        bot.wait_until(lambda: "sendMessage" in bot.api.arrived)
        bot.server.run(bot.app.update_queue.join())
        began = time.monotonic()
        bot.stop()
        took = time.monotonic() - began
        before = counts(bot.api, expected)
        bot.start()
        bot.wait_until(lambda: counts(bot.api, expected)[1] == 0)
        bot.drained()
    finally:
        bot.close()
    assert (took < STOP_SENDING + 0.5, before[0], counts(bot.api, expected),
            delivered_to(bot.api, chat) == expected[chat]) == (
        True, 1, (len(expected[chat]), 0, 0), True), f"stopped in {took:.2f}s"


# ---------------------------------------------------------------- what comes in

UNPARSABLE = {
    "old-poll": {"poll": {"id": "p1", "question": "Zyxwvut asks: which one?"}},
    "broken-fields": {"message": {"message_id": "x", "date": "soon", "chat": 5,
                                  "text": "Zyxwvut says hi"}},
    "user-not-an-object": {"callback_query": {"id": "c1", "from": "Zyxwvut"}},
}


@pytest.mark.parametrize("update", list(UNPARSABLE.values()), ids=list(UNPARSABLE))
def test_an_unparsable_update_is_skipped_with_one_line_and_no_personal_data(
        engine: Engine, update: dict[str, Any], answer: tuple[str, str],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    # As the bot runs it (logs.quiet_telegram): python-telegram-bot's DEBUG records hold whole
    # payloads, and at any level they are the log filter's business, not this test's.
    caplog.set_level(logging.INFO, logger="telegram")
    bot = BotHarness(engine)
    try:
        bad = bot.inject(update)
        calls = sent(bot.say(answer[0]))
        polls = sum(1 for c in bot.api.calls if c.method == "getUpdates")
    finally:
        bot.close()
    about = [r.getMessage() for r in caplog.records if f"update {bad} " in r.getMessage()]
    leaked = [r.getMessage() for r in caplog.records if "Zyxwvut" in r.getMessage()]
    assert ([c.params["text"] for c in calls], about, leaked, polls < 10) == (
        [answer[1]], [f"update {bad} could not be read (TypeError); skipped"], [], True)


def test_an_update_stored_before_a_crash_is_answered_at_the_next_start(
        engine: Engine, tmp_path: Path, answer: tuple[str, str]) -> None:
    store = Store.open(tmp_path)
    update = {"update_id": 90_000, **text_update(answer[0], sender=user(31_000, "C", None))}
    store.add_updates([(90_000, json.dumps(update))], time.time())
    store.close()
    bot = BotHarness(engine, data_dir=tmp_path)
    try:
        bot.wait_until(lambda: bool(bot.api.ok_calls("sendMessage")))
        bot.drained()
        texts = delivered_to(bot.api, 31_000)
    finally:
        bot.close()
    assert texts == [answer[1]]


def test_an_update_seen_before_is_not_answered_again(engine: Engine, tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    store.add_updates([(1, "{}")], time.time())  # the fake's first update id, answered
    store.answer(1, [], time.time())
    store.close()
    bot = BotHarness(engine, data_dir=tmp_path)
    try:
        repeated = sent(bot.say("hello"))
        fresh = sent(bot.say("hello"))
    finally:
        bot.close()
    assert (len(repeated), len(fresh)) == (0, 1)


# ---------------------------------------------------------------- stopping


@pytest.fixture
def stopped_in_an_outage(engine: Engine) -> Iterator[tuple[BotHarness, dict[int, list[str]]]]:
    """A bot stopped while the Bot API was down, with 100 replies waiting in its store."""
    bot = BotHarness(engine, backoff=SCALED, flood_limit=1000)
    expected = {20_000 + c: expected_replies(engine, QUESTIONS) for c in range(CHATS)}
    try:
        ask_then_outage(bot, chat_updates(CHATS, QUESTIONS))
        bot.wait_until(lambda: bot.api.refused > 0)
        bot.server.run(bot.app.update_queue.join())
        bot.stop()
        yield bot, expected
    finally:
        bot.close()


def test_replies_waiting_at_a_stop_are_sent_at_the_next_start(
        stopped_in_an_outage: tuple[BotHarness, dict[int, list[str]]]) -> None:
    bot, expected = stopped_in_an_outage
    waiting = Store.open(bot.settings.data_dir)
    left = waiting.waiting()
    waiting.close()
    bot.server.run(bot.api.come_up())
    bot.start()
    bot.wait_until(lambda: counts(bot.api, expected)[0] == 100)
    bot.drained()
    in_order = all(delivered_to(bot.api, chat) == texts for chat, texts in expected.items())
    assert (left, counts(bot.api, expected), in_order) == (100, (100, 0, 0), True)
