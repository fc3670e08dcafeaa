"""End-to-end: inline mode offers curated answers, an emergency only its guidance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fake_bot_api import inline_update, telegram_text, text_update, user
from telegram_helpers import BotHarness, only, question_of_kind, sent

from bot.engine import Engine
from bot.telegram.inline import EMERGENCY_TITLE

EMERGENCY = "my toddler swallowed a bunch of my nac pills"


@pytest.fixture
def bot(engine: Engine) -> Iterator[BotHarness]:
    harness = BotHarness(engine)
    yield harness
    harness.close()


def results(bot: BotHarness, query: str) -> list[dict[str, Any]]:
    call = only(bot.send(inline_update(query)), "answerInlineQuery")
    assert call.status == 200, call
    found: list[dict[str, Any]] = call.params["results"]
    return found


def test_question_offers_its_curated_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    reply = engine.respond(question).reply
    [result] = results(bot, question)
    content = result["input_message_content"]
    assert (result["title"], content["message_text"], content["parse_mode"]) == (
        engine.title(reply.topic or ""), reply.html, "HTML")


def test_shared_answer_carries_sources_and_disclaimer(bot: BotHarness, engine: Engine) -> None:
    [result] = results(bot, question_of_kind(engine, "answer"))
    shown = telegram_text(result["input_message_content"]["message_text"])
    assert ("Sources:" in shown, "not medical advice" in shown) == (True, True)


def test_unsure_question_offers_each_choice(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    choices = engine.respond(question).reply.choices
    assert [r["id"] for r in results(bot, question)] == list(choices)


def test_emergency_gives_only_the_emergency_guidance(bot: BotHarness, engine: Engine) -> None:
    [result] = results(bot, EMERGENCY)
    assert (result["title"], result["input_message_content"]["message_text"]) == (
        EMERGENCY_TITLE, engine.respond(EMERGENCY).reply.html)


@pytest.mark.parametrize("query", ["", "hello", "what is the price of bitcoin"],
                         ids=["empty", "small-talk", "out-of-scope"])
def test_anything_else_gives_no_results(bot: BotHarness, query: str) -> None:
    assert results(bot, query) == []


def test_inline_queries_do_not_use_up_the_flood_allowance(engine: Engine) -> None:
    harness = BotHarness(engine, flood_limit=1)
    try:
        for _ in range(3):
            harness.send(inline_update("what is cysteine"))
        asked = harness.send(text_update("hello", sender=user()))
    finally:
        harness.close()
    assert [c.status for c in sent(asked)] == [200]
