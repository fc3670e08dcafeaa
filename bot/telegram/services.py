"""What every handler shares, kept in application.bot_data behind one typed accessor; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from bot.commands import Keeping
    from bot.engine import Engine
    from bot.settings import Settings
    from bot.telegram.delivery import Outbox
    from bot.telegram.flood import FloodGate
    from bot.telegram.limits import PacedRateLimiter
    from bot.telegram.logs import Pseudonyms
    from bot.telegram.state import ChatStates

SERVICES_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    """The bot's shared objects: settings, engine, chat states, flood gate, pseudonyms, outbox."""

    settings: Settings
    engine: Engine
    keeping: Keeping
    chats: ChatStates
    flood: FloodGate
    ids: Pseudonyms
    limiter: PacedRateLimiter | None
    outbox: Outbox


class _HasBotData(Protocol):
    @property
    def bot_data(self) -> dict[Any, Any]: ...


def services(holder: _HasBotData) -> Services:
    """Return the shared services of an application or a handler's context."""
    found = holder.bot_data[SERVICES_KEY]
    if not isinstance(found, Services):
        raise TypeError("bot_data holds no Services; build the app with build_application")
    return found
