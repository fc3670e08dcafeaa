"""End-to-end: the real Application against the fake Bot API, one behaviour per test."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fake_bot_api import (
    BOT_USER,
    CALLBACK_DATA_LIMIT,
    MESSAGE_LIMIT,
    NON_TEXT_CONTENT,
    Call,
    buttons_of,
    callback_update,
    edited_update,
    group_chat,
    message,
    non_text_update,
    private_chat,
    telegram_text,
    user,
    utf16_len,
)
from telegram_helpers import (
    DISCLAIMER,
    BotHarness,
    only,
    question_of_kind,
    sent,
)

from bot.commands import COMMANDS
from bot.compose import to_plain
from bot.engine import Engine
from bot.reply import Reply, Turn
from bot.telegram.handlers import FAILED_HTML, NON_TEXT_HTML, STALE_HTML
from bot.telegram.keyboards import (
    HOME_LABEL,
    MORE_LABEL,
    NONE_LABEL,
    SOURCES_LABEL,
    TOPICS_HTML,
)

BOT_MENTION = f"@{BOT_USER['username']}"
GROUP = group_chat()
OTHER = user(2002, "Grace", "grace_h")


@pytest.fixture
def bot(engine: Engine) -> Iterator[BotHarness]:
    harness = BotHarness(engine)
    yield harness
    harness.close()


def topic_buttons(engine: Engine, topics: tuple[str, ...]) -> list[list[tuple[str, str]]]:
    return [[(engine.knowledge.answer(t).title, f"a:{t}")] for t in topics]


def assert_telegram_valid(call: Call) -> None:
    """Check a send against Telegram's rules: HTML, length after parsing, callback data."""
    shown = telegram_text(call.params["text"])
    assert utf16_len(shown) <= MESSAGE_LIMIT
    for row in buttons_of(call):
        for _, data in row:
            assert 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT


# ---------------------------------------------------------------- start-up and commands


def test_start_checks_the_token_registers_commands_then_polls(bot: BotHarness) -> None:
    bot.say("hello")
    assert bot.api.arrived[:4] == ["getMe", "setMyCommands", "deleteWebhook", "getUpdates"]


def test_start_registers_the_six_commands(bot: BotHarness) -> None:
    registered = only(bot.api.calls, "setMyCommands").params["commands"]
    assert [(c["command"], c["description"]) for c in registered] == [
        (c.name, c.description) for c in COMMANDS]


def test_polls_only_the_updates_the_bot_handles(bot: BotHarness) -> None:
    bot.say("hello")
    poll = next(c for c in bot.api.calls if c.method == "getUpdates")
    assert poll.params["allowed_updates"] == ["message", "edited_message", "callback_query",
                                              "inline_query"]


COMMAND_REPLIES = {
    "/start": lambda e: e.welcome(),
    "/help": lambda e: e.compose.help(),
    "/disclaimer": lambda e: e.compose.disclaimer(),
    "/privacy": lambda e: e.compose.privacy(24 * 3600, False),
    "/sources": lambda e: e.sources(None),
}


@pytest.mark.parametrize("command", list(COMMAND_REPLIES), ids=list(COMMAND_REPLIES))
def test_command_sends_what_the_core_composed(bot: BotHarness, engine: Engine,
                                              command: str) -> None:
    call = only(bot.say(command))
    expected: Reply = COMMAND_REPLIES[command](engine)
    assert (call.params["text"], call.params["parse_mode"]) == (expected.html, "HTML")


def test_start_offers_example_questions_as_buttons(bot: BotHarness, engine: Engine) -> None:
    call = only(bot.say("/start"))
    assert buttons_of(call) == topic_buttons(engine, engine.welcome().choices)


def test_start_carries_the_disclaimer(bot: BotHarness) -> None:
    assert DISCLAIMER in telegram_text(only(bot.say("/start")).params["text"])


def test_topics_offers_one_button_per_group(bot: BotHarness, engine: Engine) -> None:
    call = only(bot.say("/topics"))
    expected = [[(title, f"g:{gid}")] for gid, title, answers in engine.topics_by_group()
                if answers]
    assert (call.params["text"], buttons_of(call)) == (TOPICS_HTML, expected)


# ---------------------------------------------------------------- questions

KINDS = ["answer", "clarify", "fallback", "emergency"]


@pytest.mark.parametrize("kind", KINDS, ids=KINDS)
def test_question_gets_the_core_reply_as_html(bot: BotHarness, engine: Engine,
                                              kind: str) -> None:
    question = question_of_kind(engine, kind)
    call = only(bot.say(question))
    expected = engine.respond(question).reply
    assert (call.params["text"], call.params["parse_mode"]) == (expected.html, "HTML")


HEALTH = ["answer", "clarify"]


@pytest.mark.parametrize("kind", HEALTH, ids=HEALTH)
def test_health_reply_carries_the_disclaimer(bot: BotHarness, engine: Engine,
                                             kind: str) -> None:
    call = only(bot.say(question_of_kind(engine, kind)))
    assert DISCLAIMER in telegram_text(call.params["text"])


def test_answer_offers_sources_and_two_related_topics(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    reply = engine.respond(question).reply
    call = only(bot.say(question))
    expected = [[(MORE_LABEL, f"m:{reply.topic}")], [(SOURCES_LABEL, f"s:{reply.topic}")],
                *topic_buttons(engine, reply.related[:2])]
    assert buttons_of(call) == expected


def test_clarify_offers_up_to_three_topics_and_none_of_these(bot: BotHarness,
                                                             engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    reply = engine.respond(question).reply
    call = only(bot.say(question))
    expected = [*topic_buttons(engine, reply.choices[:3]), [(NONE_LABEL, "n")]]
    assert buttons_of(call) == expected


def test_fallback_suggests_topics_as_buttons(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "fallback")
    call = only(bot.say(question))
    assert buttons_of(call) == topic_buttons(engine, engine.respond(question).reply.choices[:3])


def test_emergency_gets_guidance_without_doses_or_buttons(bot: BotHarness) -> None:
    call = only(bot.say("my toddler swallowed a bunch of my nac pills"))
    shown = telegram_text(call.params["text"])
    assert ("🚨" in shown, "mg" in shown.lower(), buttons_of(call)) == (True, False, [])


def test_every_answer_and_its_sources_pass_telegram_rules(engine: Engine) -> None:
    harness = BotHarness(engine, flood_limit=1000)
    try:
        first = only(harness.say("/start"))
        calls = []
        for a in engine.knowledge.answers:
            calls += harness.press(f"a:{a.id}", first) + harness.press(f"s:{a.id}", first)
    finally:
        harness.close()
    for call in sent(calls):
        assert_telegram_valid(call)
    assert [c.status for c in sent(calls)] == [200] * 2 * len(engine.knowledge.answers)


MARKUP_IN_QUESTIONS = ["is <b>nac</b> safe & good?", "what is cysteine </i><script>", "a < b > c"]


@pytest.mark.parametrize("question", MARKUP_IN_QUESTIONS, ids=["tags", "script", "brackets"])
def test_user_markup_is_never_echoed(bot: BotHarness, question: str) -> None:
    call = only(bot.say(question))
    assert_telegram_valid(call)
    assert (call.status, question in call.params["text"]) == (200, False)


def test_long_reply_is_split_with_buttons_on_the_last_part(
        bot: BotHarness, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    welcome = engine.welcome()
    paragraphs = [f"<b>Part {n}</b> " + "cysteine &amp; NAC " * 170 for n in range(3)]
    long = Reply("smalltalk", None, 1.0, "", "\n\n".join(paragraphs), choices=welcome.choices)
    monkeypatch.setattr(engine, "welcome", lambda: long)
    calls = sent(bot.say("/start"))
    for call in calls:
        assert_telegram_valid(call)
    assert [bool(buttons_of(c)) for c in calls] == [False] * (len(calls) - 1) + [True]
    assert "\n\n".join(telegram_text(c.params["text"]) for c in calls) == to_plain(long.html)


# ---------------------------------------------------------------- follow-ups and state


def test_sources_follow_up_cites_the_last_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    topic = engine.respond(question).reply.topic
    bot.say(question)
    assert only(bot.say("sources?")).params["text"] == engine.sources(topic).html


def test_sources_command_cites_the_last_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    bot.say(question)
    expected = engine.sources(engine.respond(question).reply.topic).html
    assert only(bot.say("/sources")).params["text"] == expected


def test_follow_up_question_uses_the_chat_state(bot: BotHarness, engine: Engine) -> None:
    first = engine.respond("what is cysteine")
    expected = engine.respond("and in pregnancy?", first.state).reply.html
    bot.say("what is cysteine")
    assert only(bot.say("and in pregnancy?")).params["text"] == expected


def test_state_is_per_chat(bot: BotHarness, engine: Engine) -> None:
    bot.say(question_of_kind(engine, "answer"))
    other = bot.say("sources?", sender=OTHER)
    assert only(other).params["text"] == engine.sources(None).html


def test_state_is_bounded_by_max_chats(engine: Engine) -> None:
    harness = BotHarness(engine, state_max_chats=2)
    try:
        harness.say("what is cysteine")
        for uid in (3001, 3002):
            harness.say("what is glutathione", sender=user(uid, "U", None))
        assert only(harness.say("sources?")).params["text"] == engine.sources(None).html
    finally:
        harness.close()


def test_number_picks_a_clarify_choice(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    choice = engine.respond(question).reply.choices[0]
    bot.say(question)
    assert only(bot.say("1")).params["text"] == engine.show(choice).reply.html


# ---------------------------------------------------------------- buttons


def test_sources_button_cites_its_answer_after_a_later_answer(bot: BotHarness,
                                                              engine: Engine) -> None:
    first = only(bot.say("what is cysteine"))
    bot.say("is nac safe in pregnancy")
    topic = engine.respond("what is cysteine").reply.topic
    pressed = bot.press(f"s:{topic}", first)
    assert only(pressed).params["text"] == engine.sources(topic).html


def test_related_button_shows_that_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    related = engine.respond(question).reply.related[0]
    pressed = bot.press(f"a:{related}", only(bot.say(question)))
    assert only(pressed).params["text"] == engine.show(related).reply.html


def test_related_button_becomes_the_last_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    related = engine.respond(question).reply.related[0]
    bot.press(f"a:{related}", only(bot.say(question)))
    assert only(bot.say("/sources")).params["text"] == engine.sources(related).html


def test_clarify_button_shows_the_chosen_answer(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    choice = engine.respond(question).reply.choices[-1]
    pressed = bot.press(f"a:{choice}", only(bot.say(question)))
    assert only(pressed).params["text"] == engine.show(choice).reply.html


def test_none_of_these_gives_the_core_fallback(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "clarify")
    offer = engine.respond(question)
    expected = engine.respond("none of these", offer.state).reply
    pressed = only(bot.press("n", only(bot.say(question))))
    assert (pressed.params["text"], buttons_of(pressed)) == (
        expected.html, topic_buttons(engine, expected.choices[:3]))


def test_group_button_lists_its_topics_in_place(bot: BotHarness, engine: Engine) -> None:
    gid, title, answers = engine.topics_by_group()[0]
    edit = only(bot.press(f"g:{gid}", only(bot.say("/topics"))), "editMessageText")
    expected = [*topic_buttons(engine, tuple(a.id for a in answers)), [(HOME_LABEL, "t")]]
    assert (title in edit.params["text"], buttons_of(edit)) == (True, expected)


def test_all_topics_button_goes_back_to_the_groups(bot: BotHarness, engine: Engine) -> None:
    topics = only(bot.say("/topics"))
    gid = engine.topics_by_group()[0][0]
    bot.press(f"g:{gid}", topics)
    back = only(bot.press("t", topics), "editMessageText")
    assert (back.params["text"], buttons_of(back)) == (TOPICS_HTML, buttons_of(topics))


def test_topic_button_from_browsing_shows_the_answer(bot: BotHarness, engine: Engine) -> None:
    answer = engine.topics_by_group()[0][2][0]
    pressed = bot.press(f"a:{answer.id}", only(bot.say("/topics")))
    assert only(pressed).params["text"] == engine.show(answer.id).reply.html


STALE = ["a:no-such-topic", "s:no-such-topic", "zz:unknown", ""]


@pytest.mark.parametrize("data", STALE, ids=["topic", "sources", "action", "empty"])
def test_unknown_button_says_it_no_longer_works(bot: BotHarness, data: str) -> None:
    pressed = bot.press(data, only(bot.say("/start")))
    assert only(pressed).params["text"] == STALE_HTML


def test_unknown_group_button_shows_the_groups(bot: BotHarness, engine: Engine) -> None:
    topics = only(bot.say("/topics"))
    bot.press(f"g:{engine.topics_by_group()[0][0]}", topics)
    back = only(bot.press("g:no-such-group", topics), "editMessageText")
    assert back.params["text"] == TOPICS_HTML


PRESSES = ["s:what-is-cysteine", "a:pregnancy", "n", "g:basics", "t", "a:gone"]


@pytest.mark.parametrize("data", PRESSES, ids=["sources", "topic", "none", "group", "home",
                                               "stale"])
def test_every_button_press_is_answered_once(bot: BotHarness, data: str) -> None:
    pressed = bot.press(data, only(bot.say("/topics")))
    assert [c.status for c in pressed if c.method == "answerCallbackQuery"] == [200]


def test_button_press_is_answered_even_when_sending_fails(bot: BotHarness) -> None:
    topics = only(bot.say("/topics"))
    bot.api.fail_next("sendMessage", status=400)
    pressed = bot.press("a:pregnancy", topics)
    assert [(c.method, c.status, c.params.get("text")) for c in pressed] == [
        ("answerCallbackQuery", 200, None),
        ("sendMessage", 400, bot.engine.show("pregnancy").reply.html),
        ("sendMessage", 200, FAILED_HTML),
    ]


@pytest.fixture
def short_answers(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers come short with details behind More (as the core will make them)."""
    show = engine.show

    def short(topic: str, confidence: float = 1.0) -> Turn:
        turn = show(topic, confidence)
        return replace(turn, reply=replace(turn.reply, more=True))

    monkeypatch.setattr(engine, "show", short)


@pytest.mark.usefixtures("short_answers")
def test_short_answer_offers_more_first(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    topic = engine.respond(question).reply.topic
    assert buttons_of(only(bot.say(question)))[0] == [(MORE_LABEL, f"m:{topic}")]


@pytest.mark.usefixtures("short_answers")
def test_more_button_shows_the_details_in_place(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    topic = engine.respond(question).reply.topic or ""
    details = engine.details(topic)
    edit = only(bot.press(f"m:{topic}", only(bot.say(question))), "editMessageText")
    assert (edit.params["text"], buttons_of(edit)[0]) == (
        details.html, [(SOURCES_LABEL, f"s:{topic}")])


def test_more_button_on_an_old_message_sends_the_details(bot: BotHarness,
                                                         engine: Engine) -> None:
    start = only(bot.say("/start"))
    gone = {**bot.api.message_sent(start), "message_id": 999_999}
    pressed = bot.send(callback_update("m:pregnancy", gone))
    assert only(pressed).params["text"] == engine.details("pregnancy").html


def test_more_button_makes_its_topic_the_last_answer(bot: BotHarness, engine: Engine) -> None:
    bot.press("m:pregnancy", only(bot.say("/start")))
    assert only(bot.say("/sources")).params["text"] == engine.sources("pregnancy").html


# ---------------------------------------------------------------- other kinds of messages


@pytest.mark.parametrize("kind", list(NON_TEXT_CONTENT), ids=list(NON_TEXT_CONTENT))
def test_non_text_message_gets_a_text_only_notice(bot: BotHarness, kind: str) -> None:
    assert only(bot.send(non_text_update(kind))).params["text"] == NON_TEXT_HTML


def test_edited_message_is_answered_as_a_new_one(bot: BotHarness, engine: Engine) -> None:
    original = message("hello")
    bot.send({"message": original})
    question = question_of_kind(engine, "answer")
    edited = only(bot.send(edited_update(original, question)))
    assert edited.params["text"] == engine.respond(question).reply.html


# ---------------------------------------------------------------- groups


def test_group_chatter_is_ignored(bot: BotHarness) -> None:
    assert bot.say("is nac safe in pregnancy", chat=GROUP) == []


def test_group_non_text_is_ignored(bot: BotHarness) -> None:
    assert bot.send(non_text_update("sticker", chat=GROUP)) == []


def test_group_mention_is_answered_without_the_mention(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "answer")
    call = only(bot.say(f"{BOT_MENTION} {question}", chat=GROUP))
    assert call.params["text"] == engine.respond(question).reply.html


def test_group_answer_replies_to_the_question(bot: BotHarness) -> None:
    question = message(f"{BOT_MENTION} what is cysteine", chat=GROUP)
    call = only(bot.send({"message": question}))
    assert call.params["reply_parameters"]["message_id"] == question["message_id"]


def test_group_reply_to_the_bot_is_answered(bot: BotHarness, engine: Engine) -> None:
    answer = only(bot.say(f"{BOT_MENTION} what is cysteine", chat=GROUP))
    follow_up = bot.say("sources?", chat=GROUP, reply_to=bot.api.message_sent(answer))
    topic = engine.respond("what is cysteine").reply.topic
    assert only(follow_up).params["text"] == engine.sources(topic).html


def test_group_reply_to_someone_else_is_ignored(bot: BotHarness) -> None:
    theirs = message("I take NAC daily", chat=GROUP, sender=OTHER)
    assert bot.say("what is cysteine", chat=GROUP, reply_to=theirs) == []


GROUP_COMMANDS = ["/help", f"/help{BOT_MENTION}"]


@pytest.mark.parametrize("command", GROUP_COMMANDS, ids=["plain", "addressed"])
def test_group_command_is_answered(bot: BotHarness, engine: Engine, command: str) -> None:
    assert only(bot.say(command, chat=GROUP)).params["text"] == engine.compose.help().html


def test_group_command_for_another_bot_is_ignored(bot: BotHarness) -> None:
    assert bot.say("/help@some_other_bot", chat=GROUP) == []


def test_private_chat_reply_does_not_quote_the_question(bot: BotHarness) -> None:
    call = only(bot.say("what is cysteine", chat=private_chat()))
    assert "reply_parameters" not in call.params


def test_emergency_guidance_ends_with_its_own_closing_line(bot: BotHarness,
                                                           engine: Engine) -> None:
    call = only(bot.say(question_of_kind(engine, "emergency")))
    text = telegram_text(call.params["text"])
    assert text.endswith(engine.knowledge.emergency_closing) and DISCLAIMER not in text


def test_an_emergency_holds_over_the_next_messages_of_the_chat(bot: BotHarness) -> None:
    first = telegram_text(only(bot.say("my toddler got into my pill bottle"))
                          .params["text"])
    second = telegram_text(only(bot.say("it was NAC 600mg")).params["text"])
    third = telegram_text(only(bot.say("she seems fine right now")).params["text"])
    assert ("poison control" in first and "poison control" in second
            and "600" not in second and "even if" in third.lower())
    assert len({first, second, third}) == 3


# ---------------------------------------------------------------- unknown commands, late messages

UNKNOWN = [("/nope", None, True), ("/nope@cysteine_test_bot", GROUP, True),
           ("/nope@other_bot", GROUP, False), ("/nope", GROUP, False)]


@pytest.mark.parametrize(("text", "chat", "answered"), UNKNOWN,
                         ids=["private", "group-to-this-bot", "group-to-another-bot",
                              "group-to-no-one"])
def test_an_unknown_command_for_this_bot_gets_the_help(
        bot: BotHarness, engine: Engine, text: str, chat: dict[str, object] | None,
        answered: bool) -> None:
    calls = bot.say(text, **({"chat": chat} if chat else {}))
    expected = [engine.command("help").reply.html] if answered else []
    assert [c.params["text"] for c in sent(calls)] == expected


LATE = [(0, False), (9 * 60, False), (11 * 60, True), (3 * 24 * 3600, True)]


@pytest.mark.parametrize(("age", "apology"), LATE, ids=["now", "9-min", "11-min", "3-days"])
def test_a_message_delivered_late_gets_an_apology_first(
        bot: BotHarness, engine: Engine, age: int, apology: bool) -> None:
    question = question_of_kind(engine, "answer")
    update = {"message": {**message(question), "date": int(time.time()) - age}}
    text = only(bot.send(update)).params["text"]
    expected = engine.respond(question).reply
    assert (text.startswith("<i>Sorry for the late reply"), text.endswith(expected.html)) == (
        apology, True)


def test_a_late_emergency_gets_its_guidance_alone(bot: BotHarness, engine: Engine) -> None:
    question = question_of_kind(engine, "emergency")
    update = {"message": {**message(question), "date": int(time.time()) - 3 * 24 * 3600}}
    assert only(bot.send(update)).params["text"] == engine.respond(question).reply.html
