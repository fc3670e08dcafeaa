"""Build and run the Telegram bot: handlers, limits, long polling or webhook; network I/O.

`build_application` wires the pieces of this package into python-telegram-bot's Application;
`running` runs it until the block ends: updates come in through intake.py (long polling) or
webhook.py, each stored before Telegram learns it arrived, and replies go out through the
outbox (delivery.py). Stopping takes no more updates, handles those taken, sends replies for up
to STOP_SENDING seconds (none begins in the last IN_FLIGHT_GRACE of them, so the sends under
way are answered and marked) and leaves the rest in the store for the next start.
`run_telegram` is what `python -m bot` calls: it asks Telegram who the bot is before loading
the content (the slow part of a start), so a wrong token or an unreachable Bot API fails within
a second, and it turns start-up failures (those two, a webhook port in use) into one line on
stderr and exit code 1. Nothing is retried at start: an operator sees a failure at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot, BotCommand, Update
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
)
from telegram.request import BaseRequest

from bot.commands import COMMANDS, Keeping
from bot.engine import Engine
from bot.errors import ConfigError
from bot.inbox import Inbox, inbox_path
from bot.settings import Settings
from bot.telegram import addressing, admin, handlers, inline, logs
from bot.telegram.delivery import IN_FLIGHT_GRACE, Backoff, Outbox
from bot.telegram.feedback import AskedMemory
from bot.telegram.flood import FloodGate, check_flood
from bot.telegram.intake import Intake
from bot.telegram.limits import PacedRateLimiter
from bot.telegram.logs import Pseudonyms
from bot.telegram.services import SERVICES_KEY, Content, Services, services
from bot.telegram.state import ChatStates, restore
from bot.telegram.statefile import StateFile
from bot.telegram.store import StoreError
from bot.telegram.updates import PerChatUpdateProcessor
from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)

App = Application[Any, Any, Any, Any, Any, Any]
ALLOWED_UPDATES = ("message", "edited_message", "callback_query", "inline_query")
POLL_TIMEOUT = 30.0  # seconds a getUpdates long poll may wait
SLOTS = 64  # updates handled at once (each chat takes one at most)
CONNECTIONS = SLOTS  # httpx scans its whole pool on every request
LISTEN = "0.0.0.0"  # the webhook listens on every interface (inside a container)
# Seconds a stop keeps sending: with the rest of a stop this stays under Docker's 10 s, and the
# replies not sent by then wait in the store for the next start.
STOP_SENDING = 3.0
# Telegram's own overrides: /topics browses with buttons where the terminal lists as text.
OVERRIDES = {"topics": handlers.on_topics}
# Operators' commands: not in the command table nor the menu (bot.telegram.admin).
ADMIN_COMMANDS = {"stats": admin.on_stats, "reload": admin.on_reload}


class ListenError(Exception):
    """The webhook's port cannot be listened on."""


def build_application(settings: Settings, engine: Engine, *,
                      rate_limiter: BaseRateLimiter[Any] | None = None,
                      request: BaseRequest | None = None, slots: int = SLOTS,
                      backoff: Backoff | None = None) -> App:
    """Return the bot's Application: handlers, error handler, limits, outbox, the state file.

    request: the transport to the Bot API (default: httpx); tests pass an in-process fake.
    slots: how many updates are handled at once.
    backoff: the waits between failed sends (tests shorten them).
    """
    if settings.token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "is not set")
    logs.protect(settings.token)
    limiter = rate_limiter or PacedRateLimiter()
    outbox = Outbox(settings.data_dir, settings.reply_ttl_seconds, backoff)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(limiter)
        .concurrent_updates(PerChatUpdateProcessor(slots, outbox.answer))
        .updater(None)  # updates come in through intake.py and webhook.py
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.connection_pool_size(CONNECTIONS)
    app: App = builder.build()
    inbox = Inbox(inbox_path(settings.data_dir) if settings.inbox else None,
                  settings.inbox_retention_days)
    app.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        content=Content(engine),
        keeping=Keeping(settings.state_ttl_seconds, settings.persistence_path is not None,
                        settings.inbox_retention_days if inbox.enabled else None),
        chats=ChatStates(settings.state_max_chats, settings.state_ttl_seconds),
        flood=FloodGate(settings.flood_limit),
        ids=Pseudonyms(secrets.token_bytes(32)),
        limiter=limiter if isinstance(limiter, PacedRateLimiter) else None,
        outbox=outbox,
        store=StateFile(settings.persistence_path) if settings.persistence_path else None,
        inbox=inbox,
        asked=AskedMemory(settings.state_max_chats, settings.state_ttl_seconds),
    )
    app.add_handler(TypeHandler(Update, handlers.acknowledge_press), group=-2)
    app.add_handler(TypeHandler(Update, check_flood), group=-1)
    for c in COMMANDS:
        handler = OVERRIDES.get(c.name) or handlers.command(c.name)
        app.add_handler(CommandHandler(c.name, handlers.served(handler),
                                       filters=addressing.MESSAGES))
    for name, admin_handler in ADMIN_COMMANDS.items():
        app.add_handler(CommandHandler(name, handlers.served(admin_handler),
                                       filters=addressing.MESSAGES))
    app.add_handler(MessageHandler(addressing.UNKNOWN_COMMANDS,
                                   handlers.served(handlers.on_unknown_command)))
    app.add_handler(MessageHandler(addressing.QUESTIONS, handlers.served(handlers.on_text)))
    app.add_handler(MessageHandler(addressing.NON_TEXT, handlers.served(handlers.on_non_text)))
    app.add_handler(CallbackQueryHandler(handlers.served(handlers.on_button)))
    app.add_handler(InlineQueryHandler(inline.on_inline_query))
    app.add_error_handler(handlers.on_error)
    return app


@contextlib.asynccontextmanager
async def running(app: App, *, poll_timeout: float = POLL_TIMEOUT) -> AsyncIterator[App]:
    """Run the bot (long polling, or the webhook if WEBHOOK_URL is set) until the block ends.

    On the way out it stops taking updates, handles those already taken, sends replies for up
    to STOP_SENDING seconds (giving up sends that Telegram's per-chat limits would hold back
    for long) and keeps the rest in the store; it closes the state file (each change was
    written when it was made).
    """
    s = services(app)
    settings = s.settings
    try:
        store = s.outbox.open()
    except StoreError as exc:
        raise ConfigError("DATA_DIR", str(exc)) from None
    log.info("delivery store: %s", store.path)
    intake = Intake(app, s.outbox, ALLOWED_UPDATES)
    try:
        async with app:  # initialize: getMe checks the token
            if store.bind(app.bot.id):
                log.warning("the delivery store held another bot's updates and replies; cleared")
            restore(s.chats, s.store, s.engine)
            # The engine's indexes live as long as the process: keep the GC from rescanning.
            gc.collect()
            gc.freeze()
            await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])
            await app.start()
            s.outbox.start(app.bot)
            intake.resume()
            taking: Callable[[], Awaitable[None]] = _nothing
            try:
                if settings.webhook_url:
                    taking = await _serve_webhook(app, intake)
                else:
                    await app.bot.delete_webhook()
                    poller = asyncio.create_task(intake.poll(poll_timeout), name="getUpdates")
                    taking = functools.partial(_cancel, poller)
                    log.info("long polling started")
                if s.limiter is not None:
                    s.limiter.start()
                yield app
            finally:
                loop = asyncio.get_running_loop()
                until = loop.time() + STOP_SENDING
                await taking()
                if s.limiter is not None:
                    s.limiter.stop(sending_for=until - loop.time() - IN_FLIGHT_GRACE)
                await app.stop()  # handles the updates taken: their replies go to the store
                await s.outbox.stop(until)
                if s.store is not None:
                    s.store.close()
                s.inbox.close()
    finally:
        s.outbox.close()


async def _serve_webhook(app: App, intake: Intake) -> Callable[[], Awaitable[None]]:
    """Listen for the webhook and register it with Telegram; return how to stop listening."""
    settings = services(app).settings
    url = settings.webhook_url or ""
    secret = settings.webhook_secret or secrets.token_urlsafe(32)
    server = WebhookServer(urlsplit(url).path, secret, settings.webhook_max_bytes, intake.take)
    try:
        server.listen(LISTEN, settings.port)
    except OSError as exc:
        raise ListenError(exc.strerror or str(exc)) from exc
    await app.bot.set_webhook(url, allowed_updates=ALLOWED_UPDATES, secret_token=secret)
    log.info("webhook serving on port %d", settings.port)
    return server.stop


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _nothing() -> None:
    """Nothing to stop."""


async def _serve(settings: Settings, load: Callable[[], Engine]) -> None:
    """Check the token, load the content, run the bot until SIGTERM or SIGINT, stop cleanly."""
    async with Bot(settings.token or "", base_url=settings.base_url):
        pass  # initialize: getMe, and nothing else, before the content is loaded
    app = build_application(settings, load())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    reloads: set[asyncio.Task[str]] = set()

    def on_hangup() -> None:
        # SIGHUP reloads the content like /reload; the outcome goes to the log.
        log.info("SIGHUP received; reloading the content")
        task = loop.create_task(admin.reload_content(services(app)))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)
    async with running(app):
        await stop.wait()
        log.info("stop signal received; finishing the updates in progress")
    log.info("stopped")


def run_telegram(settings: Settings, load: Callable[[], Engine]) -> int:
    """Run the Telegram bot; return the exit code (on failure: one line on stderr, no token).

    load: builds the engine; called once Telegram has accepted the token.
    """
    token = settings.token
    logs.quiet_telegram(settings.log_level)
    logs.protect(token or "")
    host = urlsplit(settings.base_url).netloc
    try:
        asyncio.run(_serve(settings, load))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN; get a valid one from @BotFather")
    except BadRequest as exc:
        return _fail(f"Telegram refused the bot's set-up: {logs.hide(str(exc), token)}")
    except NetworkError as exc:
        reason = "timed out" if isinstance(exc, TimedOut) else logs.hide(str(exc), token)
        return _fail(f"cannot reach the Telegram Bot API at {host}: {reason}")
    except TelegramError as exc:
        return _fail(f"Telegram refused the bot: {logs.hide(str(exc), token)}")
    except ListenError as exc:
        return _fail(f"cannot listen for the webhook on port {settings.port}: {exc}")
    return 0


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 1
