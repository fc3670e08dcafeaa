"""The bot's commands, one row each in one table that every shell reads; pure.

A row is the command's name (without the slash), the line Telegram shows in its command menu,
and how the core replies to it. The terminal answers commands through Engine.command; the
Telegram adapter registers a handler per row and sends the table to Telegram (setMyCommands).
Adding a command means adding a row here (and a test); nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.reply import ConversationState, Reply

if TYPE_CHECKING:
    from bot.engine import Engine

DAY = 24 * 3600  # seconds a chat's state is kept unless the shell says otherwise


@dataclass(frozen=True, slots=True)
class Keeping:
    """What a shell keeps about a conversation, and for how long (for /privacy)."""

    ttl_seconds: int = DAY
    persistent: bool = False
    inbox_days: int | None = None  # how long unanswered questions are kept; None: not at all


Make = Callable[["Engine", ConversationState, Keeping], Reply]


@dataclass(frozen=True, slots=True)
class Command:
    """One command: its name, its menu description, and the core's reply to it."""

    name: str
    description: str
    reply: Make


COMMANDS: tuple[Command, ...] = (
    Command("start", "What I can answer, with examples", lambda e, s, k: e.welcome()),
    Command("help", "How to ask me", lambda e, s, k: e.compose.help()),
    Command("topics", "Browse every topic",
            lambda e, s, k: e.compose.topics(e.topics_by_group())),
    Command("sources", "References of my last answer", lambda e, s, k: e.sources(s.last_topic)),
    Command("disclaimer", "This is not medical advice", lambda e, s, k: e.compose.disclaimer()),
    Command("privacy", "What I store about this chat",
            lambda e, s, k: e.compose.privacy(k.ttl_seconds, k.persistent, k.inbox_days)),
)
BY_NAME = {c.name: c for c in COMMANDS}
HELP = BY_NAME["help"]  # the reply to a command the bot does not know


def bare(text: str) -> str | None:
    """Return the name of a known command that is the whole message ("/help", "/help@bot")."""
    parts = text.split()
    if len(parts) != 1 or not parts[0].startswith("/"):
        return None
    name = parts[0][1:].split("@")[0].lower()
    return name if name in BY_NAME else None
