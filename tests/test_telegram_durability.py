"""`python -m bot` as a process under faults: kill -9 under load, SIGTERM with 600 replies
queued, an outage in real time. Exactly once is counted on the fake Bot API per (chat, text).

The bot runs with Telegram's real pacing (30 messages a second overall), so the loads here are
sized to take seconds; the 600 left after a SIGTERM are sent by a restart in process, unpaced,
from the same store (sending them at Telegram's pace would take 20 s and test nothing more).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_bot_api import Call, FakeBotApi, text_update, user
from telegram_helpers import HANG, BotHarness, BotProcess, FakeServer, env_for

from bot.compose import split_html
from bot.engine import Engine
from bot.reply import ConversationState
from bot.telegram.limits import PacedRateLimiter
from bot.telegram.store import Store

# Three questions whose replies do not depend on the one before (checked below), so a chat
# whose state is lost in a crash still gets the very replies counted on.
QUESTIONS = ("what is cysteine", "is nac safe in pregnancy", "what is glutathione")
FIRST_CHAT = 40_000


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def replies(engine: Engine, questions: tuple[str, ...]) -> list[str]:
    """Return the texts a chat gets for these questions, each asked in a fresh chat."""
    return [part for q in questions for part in split_html(engine.respond(q).reply.html)]


def in_one_chat(engine: Engine, questions: tuple[str, ...]) -> list[str]:
    out, state = [], ConversationState()
    for q in questions:
        turn = engine.respond(q, state)
        out.extend(split_html(turn.reply.html))
        state = turn.state
    return out


def ask(server: FakeServer, chats: int, questions: tuple[str, ...]) -> int:
    """Inject every chat's questions, chats taking turns; return the last update id."""
    async def inject_all() -> int:
        return [server.api.inject(text_update(q, sender=user(FIRST_CHAT + c, f"U{c}", None)))
                for q in questions for c in range(chats)][-1]
    last: int = server.run(inject_all())
    return last


def tally(apis: list[FakeBotApi], chats: int, texts: list[str]) -> tuple[int, int, int]:
    """Return (delivered, lost, duplicated) over every fake API the bot talked to."""
    got: dict[tuple[int, str], int] = {}
    for api in apis:
        for key, n in api.deliveries().items():
            got[key] = got.get(key, 0) + n
    want = {(FIRST_CHAT + c, t): 1 for c in range(chats) for t in texts}
    delivered = sum(1 for k in want if got.get(k, 0) >= 1)
    duplicated = sum(n - 1 for k, n in got.items() if k in want and n > 1)
    duplicated += sum(n for k, n in got.items() if k not in want)
    return delivered, len(want) - delivered, duplicated


def most_repeated_in_a_chat(api: FakeBotApi) -> int:
    """Return the most replies any one chat got more than once."""
    per_chat: dict[int, int] = {}
    for (chat, _), n in api.deliveries().items():
        per_chat[chat] = per_chat.get(chat, 0) + n - 1
    return max(per_chat.values(), default=0)


def in_order(apis: list[FakeBotApi], chats: int, texts: list[str]) -> bool:
    """Tell whether each chat got its replies in order (a repeated one aside)."""
    for c in range(chats):
        seen: list[str] = []
        for api in apis:
            for call in api.ok_calls("sendMessage"):
                if call.params["chat_id"] == FIRST_CHAT + c and call.params["text"] not in seen:
                    seen.append(call.params["text"])
        if seen != texts:
            return False
    return True


def started(server: FakeServer, proc: BotProcess) -> None:
    try:
        server.wait_until(lambda: "getUpdates" in server.api.arrived, timeout=HANG)
    except TimeoutError:
        raise AssertionError(f"the bot never polled: {proc.stderr()[-2000:]}") from None


def test_the_three_questions_do_not_depend_on_each_other(engine: Engine) -> None:
    assert replies(engine, QUESTIONS) == in_one_chat(engine, QUESTIONS)


def test_kill_9_under_load_then_restart_delivers_every_reply_once(
        server: FakeServer, engine: Engine) -> None:
    chats, texts = 50, replies(engine, QUESTIONS)
    env = env_for(server, FLOOD_LIMIT="1000")
    with BotProcess(env) as first:
        started(server, first)
        ask(server, chats, QUESTIONS)
        server.wait_until(lambda: len(server.api.ok_calls("sendMessage")) >= 30, timeout=HANG)
        first.popen.send_signal(signal.SIGKILL)
        first.popen.wait()
    at_kill = len(server.api.ok_calls("sendMessage"))
    with BotProcess(env) as second:
        server.wait_until(lambda: tally([server.api], chats, texts)[1] == 0, timeout=HANG)
        stop_code = (second.popen.send_signal(signal.SIGTERM), second.finish(HANG)[0])[1]
    delivered, lost, duplicated = tally([server.api], chats, texts)
    # Each chat has one sender, so a chat can have at most one reply between "sent" and
    # "marked" when the process dies; chats are sent to side by side, so several chats can.
    assert (at_kill < chats * len(texts), delivered, lost, most_repeated_in_a_chat(server.api),
            in_order([server.api], chats, texts), stop_code) == (
        True, chats * len(texts), 0, min(1, duplicated), True, 0), (
        f"{at_kill} sent before the kill; delivered {delivered}, lost {lost}, "
        f"duplicated {duplicated}")
    print(f"kill -9: {at_kill} sent before the kill; delivered {delivered}, lost {lost}, "
          f"duplicated {duplicated}")


def test_sigterm_with_600_queued_exits_within_5s_and_the_rest_follow_the_restart(
        server: FakeServer, engine: Engine) -> None:
    chats, texts = 200, replies(engine, QUESTIONS)
    with BotProcess(env_for(server, FLOOD_LIMIT="1000")) as proc:
        started(server, proc)
        last = ask(server, chats, QUESTIONS)
        server.wait_until(lambda: server.api.polled_past(last), timeout=HANG)
        asked = time.monotonic()
        proc.popen.send_signal(signal.SIGTERM)
        code, err = proc.finish(HANG)
        took = time.monotonic() - asked
    before = tally([server.api], chats, texts)[0]
    store = Store.open(server.data_dir)
    waiting = store.waiting()
    store.close()
    bot = BotHarness(engine, limiter=PacedRateLimiter(overall=None, private=None, group=None),
                     server=server, data_dir=server.data_dir, flood_limit=1000)
    try:
        bot.drained()
    finally:
        bot.close()
    delivered, lost, duplicated = tally([server.api], chats, texts)
    assert (code, took < 5.0, before + waiting, delivered, lost, duplicated,
            in_order([server.api], chats, texts), "Traceback" in err) == (
        0, True, 600, 600, 0, 0, True, False), (
        f"stopped in {took:.1f}s; {before} sent before, {waiting} kept")
    print(f"SIGTERM with 600 queued: exit in {took:.2f}s, {before} sent before it, "
          f"{waiting} kept; after the restart {delivered} delivered, {lost} lost, "
          f"{duplicated} duplicated")


# The outage, in real time on a real process: 10 s with 100 replies queued (the
# scaled tests in test_telegram_delivery.py play 10 s and 60 s faster).
REAL_OUTAGE = 10.0


def test_an_outage_of_ten_seconds_in_real_time_loses_and_doubles_nothing(
        server: FakeServer, engine: Engine) -> None:
    chats, texts = 100, replies(engine, QUESTIONS[:1])
    api = server.api
    outages: list[asyncio.Future[Any]] = []

    def outage_at_first_send(call: Call) -> None:
        if call.method == "sendMessage":
            api.on_call = None
            outages.append(asyncio.ensure_future(_outage(api, REAL_OUTAGE)))

    with BotProcess(env_for(server)) as proc:
        started(server, proc)
        server.call(setattr, api, "on_call", outage_at_first_send)
        ask(server, chats, QUESTIONS[:1])
        server.wait_until(lambda: api.down, timeout=HANG)
        server.wait_until(lambda: not api.down, timeout=HANG)
        try:
            server.wait_until(lambda: tally([api], chats, texts)[1] == 0, timeout=HANG)
        except TimeoutError:
            counted = tally([api], chats, texts)
            raise AssertionError(f"{counted}: {proc.stderr()[-3000:]}") from None
        proc.popen.send_signal(signal.SIGTERM)
        code, err = proc.finish(HANG)
    print(f"outage {REAL_OUTAGE:.0f} s: (delivered, lost, duplicated) = "
          f"{tally([api], chats, texts)}")
    assert (tally([api], chats, texts), code) == ((chats, 0, 0), 0), err[-3000:]


async def _outage(api: FakeBotApi, seconds: float) -> Any:
    await api.go_down()
    await asyncio.sleep(seconds)
    await api.come_up()
