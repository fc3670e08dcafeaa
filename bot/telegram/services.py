"""What every handler shares, kept in application.bot_data behind one typed accessor; no I/O."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.commands import Keeping
    from bot.engine import Engine
    from bot.inbox import Inbox
    from bot.settings import Settings
    from bot.telegram.delivery import Outbox
    from bot.telegram.feedback import AskedMemory
    from bot.telegram.flood import FloodGate
    from bot.telegram.limits import PacedRateLimiter
    from bot.telegram.logs import Pseudonyms
    from bot.telegram.state import ChatStates
    from bot.telegram.statefile import StateFile

SERVICES_KEY = "services"


@dataclass(slots=True)
class Content:
    """The engine in use; a reload puts a new one in its place in one assignment."""

    engine: Engine
    reloading: asyncio.Lock = field(default_factory=asyncio.Lock)  # one reload at a time


@dataclass(frozen=True, slots=True)
class Services:
    """The bot's shared objects: settings, engine, chat states and their file, outbox..."""

    settings: Settings
    content: Content
    keeping: Keeping
    chats: ChatStates
    flood: FloodGate
    ids: Pseudonyms
    limiter: PacedRateLimiter | None
    inbox: Inbox
    asked: AskedMemory
    outbox: Outbox
    store: StateFile | None = None  # the state file, with STATE_FILE

    @property
    def engine(self) -> Engine:
        """Return the engine in use now (a handler takes it once and keeps it to the end)."""
        return self.content.engine


class _HasBotData(Protocol):
    @property
    def bot_data(self) -> dict[Any, Any]: ...


def services(holder: _HasBotData) -> Services:
    """Return the shared services of an application or a handler's context."""
    found = holder.bot_data[SERVICES_KEY]
    if not isinstance(found, Services):
        raise TypeError("bot_data holds no Services; build the app with build_application")
    return found
