"""End to end through the fake Bot API: the inbox, 👍/👎, /stats, /reload and what is stored.

A real conversation (fallbacks, a declined "did you mean", a 👎) must show up grouped in
`python -m bot unanswered --json`, and no column of any row of the database may hold a user
id, chat id, username or name. Operators' commands answer ADMIN_IDS only; anyone else gets
byte for byte what an unknown command gets.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_bot_api import Call, buttons_of, group_chat, telegram_text
from telegram_helpers import CANDIDATES, ROOT, BotHarness, only, question_of_kind, sent

from bot.engine import Engine
from bot.inbox import inbox_path
from bot.telegram.keyboards import DOWN_LABEL, NONE_LABEL, UP_LABEL

ADMIN_ID = 8_214_660_517
USER_ID = 6_093_224_871
GROUP_ID = -1_002_187_455_903
ADMIN = {"id": ADMIN_ID, "is_bot": False, "first_name": "Grace", "username": "ghopper"}
PERSON = {"id": USER_ID, "is_bot": False, "first_name": "Ada", "last_name": "Lovelace",
          "username": "ada_l"}
GROUP = group_chat(GROUP_ID, "Curators of NAC")
IDENTIFIERS = [str(USER_ID), str(ADMIN_ID), str(GROUP_ID), str(abs(GROUP_ID)), "Ada",
               "Lovelace", "ada_l", "Grace", "ghopper", "ada@example.org", "7946"]


@pytest.fixture
def content(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the curated content that a test may break and mend."""
    shutil.copy(ROOT / "knowledge.yaml", tmp_path / "knowledge.yaml")
    shutil.copytree(ROOT / "intents", tmp_path / "intents")
    return tmp_path / "knowledge.yaml", tmp_path / "intents"


@pytest.fixture
def bot(engine: Engine, tmp_path: Path, content: tuple[Path, Path]) -> Iterator[BotHarness]:
    harness = BotHarness(engine, data_dir=tmp_path / "data", inbox=True,
                         admin_ids=frozenset({ADMIN_ID}), knowledge_path=content[0],
                         intents_dir=content[1])
    yield harness
    harness.close()


def say(bot: BotHarness, text: str, sender: dict[str, Any] = PERSON, **kw: Any) -> list[Call]:
    return bot.say(text, sender=sender, **kw)


def press(bot: BotHarness, label: str, on: Call, sender: dict[str, Any] = PERSON) -> list[Call]:
    data = next(d for row in buttons_of(on) for text, d in row if text == label)
    return bot.press(data, on, sender=sender)


def unanswered_json(data_dir: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "bot", "unanswered", "--json"], cwd=ROOT,
                         env={"DATA_DIR": str(data_dir)}, capture_output=True, text=True,
                         timeout=60, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def every_value(path: Path) -> list[object]:
    """Return every value of every column of every row of every table."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [v for t in tables for row in db.execute(f"SELECT * FROM {t}") for v in row]


def converse(bot: BotHarness, engine: Engine) -> None:
    """A conversation that leaves fallbacks, a declined "did you mean" and a 👎 behind."""
    for q in ("what is the price of bitcoin", "whats the bitcoin price",
              "Ada Lovelace here (ada@example.org, +44 20 7946 0958): price of bitcoin today?"):
        assert engine.respond(q).reply.kind == "fallback", q
        say(bot, q)
    offers = [q for q in CANDIDATES["clarify"] if engine.respond(q).reply.kind == "clarify"]
    clarify = only(say(bot, offers[0]))
    press(bot, NONE_LABEL, clarify)
    say(bot, offers[1])
    say(bot, "none")  # typed, not pressed
    answer = only(say(bot, question_of_kind(engine, "answer")))
    press(bot, DOWN_LABEL, answer)
    answer = only(say(bot, "what is cysteine"))
    press(bot, UP_LABEL, answer)


def test_unanswered_questions_show_up_grouped(bot: BotHarness, engine: Engine,
                                              tmp_path: Path) -> None:
    converse(bot, engine)
    found = unanswered_json(tmp_path / "data")
    first = found["groups"][0]
    outcomes = Counter(o for g in found["groups"] for o in g["outcomes"]
                       for _ in range(g["outcomes"][o]))
    assert (found["total"], (first["count"], first["example"]), dict(outcomes)) == (
        6, (2, "what is the price of bitcoin"),
        {"fallback": 3, "declined": 2, "unhelpful": 1})


def test_the_database_holds_no_identifier(bot: BotHarness, engine: Engine,
                                          tmp_path: Path) -> None:
    converse(bot, engine)
    say(bot, f"@{bot.api.bot_user['username']} whats the price of bitcoin", chat=GROUP)
    values = every_value(inbox_path(tmp_path / "data"))
    leaks = [(v, i) for v in values for i in IDENTIFIERS if i.lower() in str(v).lower()]
    assert (len(values) > 40, leaks) == (True, [])


def test_the_redacted_question_is_what_is_stored(bot: BotHarness, engine: Engine,
                                                 tmp_path: Path) -> None:
    converse(bot, engine)
    texts = [q for g in unanswered_json(tmp_path / "data")["groups"] for q in g["questions"]]
    assert "[name] [name] here ([email], [number]): price of bitcoin today?" in texts


def test_an_answer_asks_whether_it_helped(bot: BotHarness, engine: Engine) -> None:
    answer = only(say(bot, question_of_kind(engine, "answer")))
    assert [label for label, _ in buttons_of(answer)[-1]] == [UP_LABEL, DOWN_LABEL]


def test_feedback_buttons_go_once_pressed(bot: BotHarness, engine: Engine) -> None:
    answer = only(say(bot, question_of_kind(engine, "answer")))
    calls = press(bot, DOWN_LABEL, answer)
    edited = only(calls, "editMessageReplyMarkup")
    labels = [t for row in edited.params["reply_markup"]["inline_keyboard"] for t in
              (b["text"] for b in row)]
    assert (UP_LABEL in labels, DOWN_LABEL in labels, sent(calls)) == (False, False, [])


def test_a_forged_thumbs_down_stores_nothing(bot: BotHarness, engine: Engine,
                                             tmp_path: Path) -> None:
    answer = only(say(bot, question_of_kind(engine, "answer")))
    bot.press("d:no-such-topic.deadbeef", answer, sender=PERSON)
    assert unanswered_json(tmp_path / "data")["total"] == 0


def test_details_keep_the_feedback_buttons(bot: BotHarness, engine: Engine) -> None:
    answer = only(say(bot, question_of_kind(engine, "answer")))
    edit = only(press(bot, "More", answer), "editMessageText")
    assert [label for label, _ in buttons_of(edit)[-1]] == [UP_LABEL, DOWN_LABEL]


def test_inbox_off_offers_no_feedback_and_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    harness = BotHarness(engine, data_dir=tmp_path / "data", inbox=False)
    try:
        answer = only(harness.say(question_of_kind(engine, "answer")))
        harness.say("what is the price of bitcoin")
    finally:
        harness.close()
    labels = [label for row in buttons_of(answer) for label, _ in row]
    # DATA_DIR holds the delivery store either way; no inbox file is made.
    assert (UP_LABEL in labels, inbox_path(tmp_path / "data").exists()) == (False, False)


def test_an_unwritable_inbox_never_stops_the_bot(engine: Engine, tmp_path: Path) -> None:
    # (An unwritable DATA_DIR stops the Telegram bot at start: its delivery store lives there.)
    inbox_path(tmp_path / "data").mkdir(parents=True)  # a folder where the file should be
    harness = BotHarness(engine, data_dir=tmp_path / "data", inbox=True)
    try:
        reply = only(harness.say("what is the price of bitcoin"))
    finally:
        harness.close()
    assert "cysteine and NAC" in telegram_text(reply.params["text"])


def test_privacy_says_what_the_inbox_keeps_and_for_how_long(bot: BotHarness) -> None:
    text = telegram_text(only(say(bot, "/privacy")).params["text"])
    assert ("deleted after 90 days" in text, "no user id, chat id, username or name" in text) == (
        True, True)


# ---------------------------------------------------------------- /stats


def reply_of(calls: list[Call]) -> list[tuple[str, Any]]:
    return [(c.params["text"], c.params.get("reply_markup")) for c in sent(calls)]


def test_stats_answer_an_admin(bot: BotHarness, engine: Engine) -> None:
    converse(bot, engine)
    text = telegram_text(only(say(bot, "/stats", ADMIN)).params["text"])
    assert ("Last 24 hours: 7 questions (answered 29%, clarified 29%, fallen back 43%, "
            "emergency 0%); 'None of these' 2; 👍 1, 👎 1" in text,
            "1. 2 x what is the price of bitcoin" in text) == (True, True)


@pytest.mark.parametrize("command", ["/stats", "/reload"], ids=["stats", "reload"])
def test_others_get_what_an_unknown_command_gets(bot: BotHarness, command: str) -> None:
    assert reply_of(say(bot, command)) == reply_of(say(bot, "/nosuchcommand"))


@pytest.mark.parametrize("command", ["/stats", "/reload"], ids=["stats", "reload"])
def test_in_a_group_others_get_what_an_unknown_command_gets(bot: BotHarness,
                                                            command: str) -> None:
    mention = f"@{bot.api.bot_user['username']}"
    assert (reply_of(say(bot, command, chat=GROUP)), reply_of(say(bot, f"{command}{mention}",
                                                                  chat=GROUP))) == (
        reply_of(say(bot, "/nosuchcommand", chat=GROUP)),
        reply_of(say(bot, f"/nosuchcommand{mention}", chat=GROUP)))


def test_the_menu_does_not_list_the_operators_commands(bot: BotHarness) -> None:
    registered = only(bot.api.calls, "setMyCommands").params["commands"]
    assert {"stats", "reload"} & {c["command"] for c in registered} == set()


# ---------------------------------------------------------------- /reload


def test_reload_with_a_broken_file_keeps_the_old_answers(
        bot: BotHarness, engine: Engine, content: tuple[Path, Path]) -> None:
    knowledge = content[0]
    knowledge.write_text(knowledge.read_text().replace("    title: Pregnancy\n", "", 1))
    report = telegram_text(only(say(bot, "/reload", ADMIN)).params["text"])
    answer = only(say(bot, "is nac safe in pregnancy"))
    assert (report.startswith("Reload failed; still answering with the previous content. "
                              "1 problem(s):"),
            # The file, the line (when known) and the entry: "knowledge.yaml, line 561: ..."
            str(knowledge) in report
            and "answer 'pregnancy': missing field(s): title" in report,
            answer.params["text"]) == (True, True, engine.respond(
                "is nac safe in pregnancy").reply.html)


def test_reload_serves_the_new_content_and_chats_carry_on(
        bot: BotHarness, engine: Engine, content: tuple[Path, Path]) -> None:
    offered = only(say(bot, question_of_kind(engine, "clarify")))
    first = buttons_of(offered)[0][0][0]  # the title of the first choice
    knowledge = content[0]
    knowledge.write_text(knowledge.read_text().replace(
        "    title: Pregnancy\n", "    title: Pregnancy and NAC\n", 1))
    report = telegram_text(only(say(bot, "/reload", ADMIN)).params["text"])
    picked = telegram_text(only(say(bot, "1")).params["text"])  # the offer made before
    answer = telegram_text(only(say(bot, "is nac safe in pregnancy")).params["text"])
    assert (report.startswith("Reloaded in "), picked.startswith(first),
            answer.startswith("Pregnancy and NAC")) == (True, True, True)
