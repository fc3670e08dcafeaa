"""End-to-end: no chat waits for another, whatever Telegram's limits hold back in one chat.

Each test holds one chat back for an hour (a pace that slow, or a 429 that long) and checks that
the other chats are answered meanwhile; stopping the bot then gives up the held sends. The tests
wait for events only: nothing here depends on how fast the machine is.
"""

from __future__ import annotations

from fake_bot_api import BOT_USER, group_chat, text_update, user
from telegram_helpers import BotHarness

from bot.engine import Engine
from bot.telegram.limits import GROUP, PRIVATE, PacedRateLimiter, Rate

HOUR = 3600
SLOW_GROUP = Rate(1 / HOUR, 2)  # two replies at once, then one an hour
SLOW_PRIVATE = Rate(1 / HOUR, 3)
MENTION = f"@{BOT_USER['username']}"
GROUP_CHAT = group_chat()
OTHERS = [user(5000 + n, f"U{n}", None) for n in range(3)]


def replies_to(bot: BotHarness, chat_id: int) -> int:
    return sum(1 for c in bot.api.ok_calls("sendMessage") if c.params["chat_id"] == chat_id)


def others_answered(bot: BotHarness) -> bool:
    return all(replies_to(bot, u["id"]) == 1 for u in OTHERS)


def test_a_flooded_group_does_not_hold_up_private_chats(engine: Engine) -> None:
    # Two slots: with the chat's lock taken inside a slot, the group's waiting updates would
    # fill both and the private chats would never be answered.
    bot = BotHarness(engine, limiter=PacedRateLimiter(group=SLOW_GROUP, private=PRIVATE),
                     slots=2, flood_limit=1000)
    try:
        for n in range(6):
            bot.inject(text_update(f"{MENTION} what is cysteine", chat=GROUP_CHAT,
                                   sender=user(6000 + n, "G", None)))
        bot.wait_until(lambda: replies_to(bot, GROUP_CHAT["id"]) == 2)
        for other in OTHERS:
            bot.inject(text_update("hello", sender=other))
        bot.wait_until(lambda: others_answered(bot))
        held = replies_to(bot, GROUP_CHAT["id"])
    finally:
        bot.close()
    assert held == 2


def test_one_person_flooding_does_not_slow_the_others(engine: Engine) -> None:
    bot = BotHarness(engine, limiter=PacedRateLimiter(private=SLOW_PRIVATE, group=GROUP),
                     slots=2, flood_limit=1000)
    flooder = user(7001, "Flood", None)
    try:
        for _ in range(10):
            bot.inject(text_update("what is cysteine", sender=flooder))
        bot.wait_until(lambda: replies_to(bot, flooder["id"]) == 3)
        for other in OTHERS:
            bot.inject(text_update("hello", sender=other))
        bot.wait_until(lambda: others_answered(bot))
        held = replies_to(bot, flooder["id"])
    finally:
        bot.close()
    assert held == 3


def test_a_429_holds_back_only_the_chat_it_names(engine: Engine) -> None:
    bot = BotHarness(engine, limiter=PacedRateLimiter())
    limited = user(8001, "Limited", None)
    try:
        bot.api.fail_next("sendMessage", status=429, retry_after=HOUR)
        bot.inject(text_update("what is cysteine", sender=limited))
        bot.wait_until(lambda: any(c.status == 429 for c in bot.api.calls))
        for other in OTHERS:
            bot.inject(text_update("hello", sender=other))
        bot.wait_until(lambda: others_answered(bot))
        held = replies_to(bot, limited["id"])
    finally:
        bot.close()
    assert held == 0


def test_stopping_gives_up_held_sends_instead_of_waiting(engine: Engine) -> None:
    bot = BotHarness(engine, limiter=PacedRateLimiter(private=SLOW_PRIVATE))
    flooder = user(7002, "Flood", None)
    for _ in range(5):
        bot.inject(text_update("hello", sender=flooder))
    bot.wait_until(lambda: replies_to(bot, flooder["id"]) == 3)
    bot.close()  # an hour of backlog: the close returns because the held sends are given up
    assert replies_to(bot, flooder["id"]) == 3
