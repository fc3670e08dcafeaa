"""The command table: every shell answers the same commands from the same rows."""

from __future__ import annotations

import io

import pytest

from bot.commands import COMMANDS, Command, Keeping, bare
from bot.console import chat
from bot.engine import Engine
from bot.reply import ConversationState

NAMES = [c.name for c in COMMANDS]


@pytest.mark.parametrize("command", COMMANDS, ids=NAMES)
def test_engine_answers_each_command_from_its_row(engine: Engine, command: Command) -> None:
    state, keeping = ConversationState(last_topic="pregnancy"), Keeping(3600, True)
    expected = command.reply(engine, state, keeping)
    assert engine.command(command.name, state, keeping).reply == expected


def test_unknown_command_gets_help(engine: Engine) -> None:
    assert engine.command("nope").reply == engine.command("help").reply


@pytest.mark.parametrize("command", COMMANDS, ids=NAMES)
def test_description_fits_telegram_menu(command: Command) -> None:
    assert (command.name.islower(), 3 <= len(command.description) <= 256) == (True, True)


BARE = [("/help", "help"), ("/help@cysteine_bot", "help"), (" /HELP ", "help"),
        ("/help me", None), ("/nope", None), ("help", None)]


@pytest.mark.parametrize(("text", "name"), BARE, ids=["plain", "addressed", "spaces",
                                                      "with-words", "unknown", "no-slash"])
def test_bare_command(text: str, name: str | None) -> None:
    assert bare(text) == name


def test_terminal_answers_an_unknown_command_with_the_help(engine: Engine) -> None:
    out = io.StringIO()
    chat(engine, io.StringIO("/nope\n"), out, False)
    assert engine.command("help").reply.text.splitlines()[0] in out.getvalue()


def test_terminal_privacy_says_the_configured_time(engine: Engine) -> None:
    out = io.StringIO()
    chat(engine, io.StringIO("/privacy\n"), out, False, Keeping(2 * 3600))
    assert "forgotten after 2 hours" in out.getvalue()


def test_terminal_forgets_the_conversation_after_the_ttl(engine: Engine) -> None:
    times = iter([0.0, 1.0, 5000.0])
    out = io.StringIO()
    chat(engine, io.StringIO("what is glutathione\nsources\n"), out, False, Keeping(3600),
         clock=lambda: next(times))
    assert ("Sources for" in out.getvalue(), "All answers come from" in out.getvalue()) == (
        False, True)
