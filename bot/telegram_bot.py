"""The Telegram bot: a thin adapter over the core; network I/O (the Bot API, a webhook port).

The only module of the bot that imports `telegram`. Handlers read the text, ask the core, and
send what the core composed (Telegram HTML, split to 4096 characters, buttons on the last
part). Around them:
  - per-chat conversation state, bounded (bot.chatstate), kept in a PicklePersistence file
    across restarts when STATE_FILE is set;
  - per-user flood control (bot.flood), checked before a handler does any work;
  - AIORateLimiter for Telegram's limits (a 429 waits retry_after and sends again), plus bounded
    retries of requests that surely did not reach Telegram (5xx, refused connection), so a
    retry never duplicates a delivered message;
  - updates of different chats run concurrently, those of one chat in order;
  - one error handler that logs with the traceback and tells the user something went wrong;
  - logs with the topic, score, outcome and latency of each message, chat ids replaced by a
    keyed hash (bot.pseudonym), never the token: httpx, which logs URLs, is kept at WARNING
    and a filter takes the token out of python-telegram-bot's own records.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import gc
import logging
import re
import secrets
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from telegram import (
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PersistenceInput,
    PicklePersistence,
    filters,
)

from bot import keyboards
from bot.chatstate import ChatStates
from bot.compose import split_html
from bot.engine import Engine
from bot.errors import ConfigError
from bot.flood import FloodGate, Verdict
from bot.keyboards import Keyboard
from bot.pseudonym import Pseudonyms
from bot.reply import ConversationState, Reply
from bot.settings import Settings

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
App = Application[Any, Any, Any, Any, Any, Any]
JSON = bool | dict[str, Any] | list[dict[str, Any]]

COMMANDS = (
    BotCommand("start", "What I can answer, with examples"),
    BotCommand("help", "How to ask me"),
    BotCommand("topics", "Browse every topic"),
    BotCommand("sources", "References of my last answer"),
    BotCommand("disclaimer", "This is not medical advice"),
    BotCommand("privacy", "What I store about this chat"),
)
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
NON_TEXT_HTML = ("I read text questions only. Please type your question, for example: "
                 "<i>What is NAC?</i>")
SLOW_DOWN_HTML = ("You are sending messages faster than I can answer them well. Please wait "
                  "a minute, then ask again.")
FAILED_HTML = "Sorry, something went wrong on my side. Please try again in a moment."
STALE_HTML = "That button no longer works. Send /topics to browse, or ask in your own words."
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
SERVICES_KEY = "services"
STATE_KEY = "state"  # the chat_data key of a chat's saved conversation state
POLL_TIMEOUT = 30.0  # seconds a getUpdates long poll may wait
MAX_CONCURRENT_UPDATES = 64
CONNECTIONS = MAX_CONCURRENT_UPDATES  # httpx scans its whole pool on every request
SEND_RETRIES = 3  # retries of a request that surely did not reach Telegram (5xx, no connection)
RETRY_BACKOFF = 0.5  # seconds before the first such retry, doubled each time
PERSIST_EVERY = 30.0  # seconds between writes of the state file (and at shutdown)
STRAY_CHATS = 1000  # extra chat_data entries tolerated before those without state are dropped
LISTEN = "0.0.0.0"  # the webhook listens on every interface (inside a container)
# PTB loggers whose records can hold the token: the bot's (API URL at DEBUG), the retry loop's.
TOKEN_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext", "telegram.ext.Updater",
                 "telegram.ext.Application")


@dataclass(frozen=True, slots=True)
class Services:
    """What every handler shares, kept in application.bot_data."""

    settings: Settings
    engine: Engine
    chats: ChatStates
    flood: FloodGate
    ids: Pseudonyms


class _HasBotData(Protocol):
    @property
    def bot_data(self) -> dict[Any, Any]: ...


def services(holder: _HasBotData) -> Services:
    """Return the shared services of an application or a handler's context."""
    found = holder.bot_data[SERVICES_KEY]
    if not isinstance(found, Services):
        raise TypeError("bot_data holds no Services; build the app with build_application")
    return found


# ---------------------------------------------------------------- handlers


async def on_start(update: Update, context: Context) -> Reply:
    """Say what the bot answers, with the disclaimer and example questions as buttons."""
    return await _reply(update, context, services(context).engine.welcome())


async def on_help(update: Update, context: Context) -> Reply:
    """Explain how to ask."""
    return await _reply(update, context, services(context).engine.compose.help())


async def on_disclaimer(update: Update, context: Context) -> Reply:
    """Show the medical disclaimer."""
    return await _reply(update, context, services(context).engine.compose.disclaimer())


async def on_privacy(update: Update, context: Context) -> Reply:
    """Say what the bot stores about a chat."""
    settings = services(context).settings
    persistent = settings.persistence_path is not None
    reply = services(context).engine.compose.privacy(settings.state_ttl_seconds, persistent)
    return await _reply(update, context, reply)


async def on_sources(update: Update, context: Context) -> Reply:
    """Show the references of the last answer in this chat."""
    s = services(context)
    return await _reply(update, context, s.engine.sources(_recall(update, s).last_topic))


async def on_topics(update: Update, context: Context) -> Reply | None:
    """Offer every group of topics as buttons."""
    groups = services(context).engine.topics_by_group()
    await _send(update, context, keyboards.TOPICS_HTML, keyboards.groups_keyboard(groups))
    return None


async def on_text(update: Update, context: Context) -> Reply:
    """Answer a question, with this chat's conversation state for follow-ups."""
    s = services(context)
    turn = s.engine.respond(_question(update, context), _recall(update, s))
    _remember(update, context, turn.state)
    return await _reply(update, context, turn.reply)


async def on_non_text(update: Update, context: Context) -> Reply | None:
    """Ask for a text question instead of a sticker, photo, voice note, file..."""
    await _send(update, context, NON_TEXT_HTML)
    return None


async def on_button(update: Update, context: Context) -> Reply | None:
    """Act on a button: show a topic or its sources, decline the offer, or browse topics."""
    s, query = services(context), update.callback_query
    action, topic = keyboards.decode(query.data if query else None)
    known = s.engine.knowledge.has_answer(topic)
    if action == keyboards.SHOW and known:
        turn = s.engine.show(topic)
        _remember(update, context, turn.state)
        return await _reply(update, context, turn.reply)
    if action == keyboards.SOURCES and known:
        return await _reply(update, context, s.engine.sources(topic))
    if action == keyboards.NONE:
        turn = s.engine.none_of_these(_recall(update, s))
        _remember(update, context, turn.state)
        return await _reply(update, context, turn.reply)
    if action in (keyboards.GROUP, keyboards.HOME) and query is not None:
        await _browse(update, context, query, topic)
        return None
    await _send(update, context, STALE_HTML)
    return None


async def on_error(update: object, context: Context) -> None:
    """Log the error with its traceback and tell the user something went wrong."""
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat else None
    log.error("update failed: chat=%s error=%s", services(context).ids.of(chat_id),
              type(context.error).__name__, exc_info=context.error)
    if chat_id is not None:
        try:
            await context.bot.send_message(chat_id, FAILED_HTML, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("could not tell chat=%s about the error: %s",
                        services(context).ids.of(chat_id), type(exc).__name__)


# ---------------------------------------------------------------- what handlers share

Handler = Callable[[Update, Context], Awaitable[Reply | None]]


def _served(handler: Handler) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """Wrap a handler: acknowledge button presses, apply flood control, log the outcome."""

    @functools.wraps(handler)
    async def served(update: Update, context: Context) -> None:
        started = time.perf_counter()
        s = services(context)
        if update.callback_query is not None:
            await _acknowledge(update.callback_query)
        sender = update.effective_user or update.effective_chat
        verdict = s.flood.check(sender.id if sender else 0, time.monotonic())
        reply = None
        if verdict is Verdict.ALLOW:
            reply = await handler(update, context)
        elif verdict is Verdict.NOTICE:
            await _send(update, context, SLOW_DOWN_HTML)
        chat = update.effective_chat
        outcome: str
        if reply is not None:
            outcome, topic = reply.kind, reply.topic or ",".join(reply.choices) or "-"
        else:
            outcome, topic = "sent" if verdict is Verdict.ALLOW else f"flood-{verdict.value}", "-"
        log.info("chat=%s via=%s outcome=%s topic=%s score=%.2f ms=%.1f",
                 s.ids.of(chat.id if chat else None), handler.__name__.removeprefix("on_"),
                 outcome, topic, reply.confidence if reply else 0.0,
                 (time.perf_counter() - started) * 1000)

    return served


async def _acknowledge(query: CallbackQuery) -> None:
    """Answer a callback query so the client stops its spinner; never raise."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("answerCallbackQuery failed: %s", type(exc).__name__)


async def _reply(update: Update, context: Context, reply: Reply) -> Reply:
    """Send a reply of the core with its buttons; return it for the log."""
    keyboard = keyboards.for_reply(reply, services(context).engine.knowledge)
    await _send(update, context, reply.html, keyboard)
    return reply


async def _send(update: Update, context: Context, html: str, keyboard: Keyboard = ()) -> None:
    """Send HTML to the update's chat in parts Telegram accepts, buttons on the last part."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_html(html)
    answering = _answered_message(update)
    reply_to = None
    if chat.type != ChatType.PRIVATE and answering is not None:
        reply_to = ReplyParameters(answering.message_id, allow_sending_without_reply=True)
    for n, part in enumerate(parts, 1):
        await context.bot.send_message(
            chat.id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
            reply_markup=_markup(keyboard) if n == len(parts) and keyboard else None,
            reply_parameters=reply_to if n == 1 else None,
        )


def _markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


async def _browse(update: Update, context: Context, query: CallbackQuery, group: str) -> None:
    """Show the groups, or one group's topics, in place of the message whose button was hit."""
    groups = services(context).engine.topics_by_group()
    view = keyboards.group_view(groups, group) if group else None
    html, keyboard = view or (keyboards.TOPICS_HTML, keyboards.groups_keyboard(groups))
    try:
        await query.edit_message_text(html, parse_mode=ParseMode.HTML,
                                      reply_markup=_markup(keyboard))
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        # Too old to edit, or no longer there: show it as a new message instead.
        await _send(update, context, html, keyboard)


def _answered_message(update: Update) -> Message | None:
    """Return the user's message that this update carries (not a bot message with buttons)."""
    return update.message or update.edited_message


def _question(update: Update, context: Context) -> str:
    """Return the message's text without the @mention of the bot."""
    message = _answered_message(update)
    text = (message.text if message else None) or ""
    name = context.bot.username
    return re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE).strip()


def _recall(update: Update, s: Services) -> ConversationState:
    chat = update.effective_chat
    return s.chats.get(chat.id, time.time()) if chat else ConversationState()


def _remember(update: Update, context: Context, state: ConversationState) -> None:
    """Keep the chat's state in memory and, with persistence, in its chat_data."""
    chat = update.effective_chat
    if chat is None:
        return
    s = services(context)
    forgotten = s.chats.put(chat.id, state, time.time())
    app = context.application
    if app.persistence is None:
        return
    if context.chat_data is not None:
        context.chat_data[STATE_KEY] = s.chats.snapshot(chat.id)
    for old in forgotten:
        app.drop_chat_data(old)
    if len(app.chat_data) > len(s.chats) + STRAY_CHATS:
        _drop_strays(app, s.chats)


def _drop_strays(app: App, chats: ChatStates) -> None:
    """Drop chat_data of chats with no state (PTB makes an entry for every chat it sees)."""
    for chat_id in [c for c in app.chat_data if c not in chats]:
        app.drop_chat_data(chat_id)


def _restore(app: App) -> None:
    """Load the saved conversation states, dropping expired ones and those over the bound."""
    if app.persistence is None:
        return
    chats = services(app).chats
    saved = [(chat_id, data[STATE_KEY]) for chat_id, data in app.chat_data.items()
             if isinstance(data, dict) and isinstance(data.get(STATE_KEY), dict)]
    chats.restore(saved, time.time())
    _drop_strays(app, chats)
    log.info("restored the conversation state of %d chats", len(chats))


# ---------------------------------------------------------------- filters


class _MentionsBot(filters.MessageFilter):
    """Messages that @mention this bot."""

    def filter(self, message: Message) -> bool:
        name = f"@{message.get_bot().username}".lower()
        found = message.parse_entities([MessageEntity.MENTION])
        found.update(message.parse_caption_entities([MessageEntity.MENTION]))
        return any(text.lower() == name for text in found.values())


class _RepliesToBot(filters.MessageFilter):
    """Messages that reply to a message of this bot."""

    def filter(self, message: Message) -> bool:
        original = message.reply_to_message
        author = original.from_user if original else None
        return author is not None and author.id == message.get_bot().id


# In groups the bot answers commands, @mentions and replies to itself; other chatter is ignored.
ADDRESSED = filters.ChatType.PRIVATE | _MentionsBot() | _RepliesToBot()
MESSAGES = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
NON_TEXT = (filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
            | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
            | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL)


# ---------------------------------------------------------------- staying up


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's rate limits, plus bounded retries of requests that never reached Telegram."""

    def __init__(self, *, retries: int = SEND_RETRIES, backoff: float = RETRY_BACKOFF,
                 overall_max_rate: float = 30, group_max_rate: float = 20) -> None:
        super().__init__(overall_max_rate=overall_max_rate, group_max_rate=group_max_rate,
                         max_retries=retries)
        self.retries = retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        """Send the request within the rate limits; retry it while a retry cannot duplicate."""
        for attempt in range(self.retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except NetworkError as exc:
                if attempt == self.retries or not _retry_is_safe(endpoint, exc):
                    raise
                log.info("%s failed (%s); retry %d of %d", endpoint, exc, attempt + 1,
                         self.retries)
                await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_is_safe(endpoint: str, exc: NetworkError) -> bool:
    """Tell whether sending the request again cannot make a second message."""
    if isinstance(exc, BadRequest):
        return False  # the same request will be refused again
    if not endpoint.startswith(("send", "forward", "copy")):
        return True  # editing, answering a query or setting commands twice is harmless
    cause = exc.__cause__
    if cause is None or isinstance(cause, TelegramError):
        return True  # Telegram answered with an error status (5xx): nothing was sent
    # No connection was made: nothing was sent. A read timeout or a dropped answer might
    # come after Telegram delivered the message, so those are not retried.
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently across chats and one at a time, in order, within a chat."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once earlier updates of its chat are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, users = self._locks.get(chat.id, (asyncio.Lock(), 0))
        self._locks[chat.id] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[chat.id]
            if users == 1:
                del self._locks[chat.id]
            else:
                self._locks[chat.id] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


# ---------------------------------------------------------------- building and running


def build_application(settings: Settings, engine: Engine, *,
                      rate_limiter: BaseRateLimiter[int] | None = None) -> App:
    """Return the bot's Application: handlers, error handler, rate limiter, persistence."""
    if settings.token is None:
        raise ConfigError("TELEGRAM_BOT_TOKEN", "is not set")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in TOKEN_LOGGERS:  # PTB logs the API URL at DEBUG
        hide_token(logging.getLogger(name), settings.token)
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .rate_limiter(rate_limiter or RetryingRateLimiter())
        .concurrent_updates(PerChatUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .connection_pool_size(CONNECTIONS)
    )
    if settings.persistence_path is not None:
        builder = builder.persistence(PicklePersistence(
            settings.persistence_path, update_interval=PERSIST_EVERY,
            store_data=PersistenceInput(bot_data=False, chat_data=True, user_data=False,
                                        callback_data=False),
        ))
    app: App = builder.build()
    app.bot_data[SERVICES_KEY] = Services(
        settings=settings,
        engine=engine,
        chats=ChatStates(settings.state_max_chats, settings.state_ttl_seconds),
        flood=FloodGate(settings.flood_limit),
        ids=Pseudonyms(secrets.token_bytes(32)),
    )
    commands: list[tuple[str, Handler]] = [
        ("start", on_start), ("help", on_help), ("topics", on_topics),
        ("sources", on_sources), ("disclaimer", on_disclaimer), ("privacy", on_privacy),
    ]
    for name, handler in commands:
        app.add_handler(CommandHandler(name, _served(handler), filters=MESSAGES))
    app.add_handler(MessageHandler(MESSAGES & ADDRESSED & filters.TEXT & ~filters.COMMAND,
                                   _served(on_text)))
    app.add_handler(MessageHandler(MESSAGES & ADDRESSED & NON_TEXT,
                                   _served(on_non_text)))
    app.add_handler(CallbackQueryHandler(_served(on_button)))
    app.add_error_handler(on_error)
    return app


@contextlib.asynccontextmanager
async def running(app: App, *, poll_timeout: float = POLL_TIMEOUT) -> AsyncIterator[App]:
    """Run the bot (long polling, or the webhook if WEBHOOK_URL is set) until the block ends.

    On the way out it stops taking updates, finishes those already taken, saves the state.
    """
    settings = services(app).settings
    updater = app.updater
    if updater is None:
        raise RuntimeError("the application has no updater")
    async with app:  # initialize: getMe checks the token
        _restore(app)
        # The engine's indexes live as long as the process: keep the GC from rescanning them.
        gc.collect()
        gc.freeze()
        await app.bot.set_my_commands(COMMANDS)
        await app.start()
        try:
            if settings.webhook_url:
                await updater.start_webhook(
                    listen=LISTEN, port=settings.port, webhook_url=settings.webhook_url,
                    url_path=urlsplit(settings.webhook_url).path, allowed_updates=ALLOWED_UPDATES,
                    secret_token=settings.webhook_secret or secrets.token_urlsafe(32),
                )
                log.info("webhook serving on port %d", settings.port)
            else:
                await updater.start_polling(timeout=dt.timedelta(seconds=poll_timeout),
                                            allowed_updates=ALLOWED_UPDATES,
                                            error_callback=_polling_error)
                log.info("long polling started")
            yield app
        finally:
            if updater.running:
                await updater.stop()
            await app.stop()


def _polling_error(exc: TelegramError) -> None:
    """Log a failed getUpdates in one line; the updater retries with a growing delay."""
    log.warning("getUpdates failed (%s: %s); retrying", type(exc).__name__, exc)


async def _serve(settings: Settings, engine: Engine) -> None:
    """Run the bot until SIGTERM or SIGINT, then stop cleanly."""
    app = build_application(settings, engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with running(app):
        await stop.wait()
        log.info("stop signal received; finishing the updates in progress")
    log.info("stopped")


def run_telegram(settings: Settings, engine: Engine) -> int:
    """Run the Telegram bot; return the exit code (on failure: one line on stderr, no token)."""
    quiet_libraries(settings.log_level)
    for handler in logging.getLogger().handlers:
        hide_token(handler, settings.token or "")
    host = urlsplit(settings.base_url).netloc
    try:
        asyncio.run(_serve(settings, engine))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN; get a valid one from @BotFather")
    except BadRequest as exc:
        return _fail(f"Telegram refused the bot's set-up: {_hide(str(exc), settings)}")
    except NetworkError as exc:
        reason = "timed out" if isinstance(exc, TimedOut) else _hide(str(exc), settings)
        return _fail(f"cannot reach the Telegram Bot API at {host}: {reason}")
    except TelegramError as exc:
        return _fail(f"Telegram refused the bot: {_hide(str(exc), settings)}")
    except OSError as exc:
        return _fail(f"cannot listen for the webhook on port {settings.port}: {exc.strerror}")
    return 0


class TokenFilter(logging.Filter):
    """Replace the bot token in log records, message and traceback alike."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; keep it."""
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def hide_token(where: logging.Logger | logging.Handler, token: str) -> None:
    """Add a TokenFilter for this token to a logger or handler, once."""
    if not any(isinstance(f, TokenFilter) and f.token == token for f in where.filters):
        where.addFilter(TokenFilter(token))


def quiet_libraries(level: str) -> None:
    """Keep library loggers from logging the token (httpx) or user data (PTB's debug logs)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))


def _hide(text: str, settings: Settings) -> str:
    return text.replace(settings.token, "<token>") if settings.token else text


def _fail(message: str) -> int:
    sys.stderr.write(f"error: {message}\n")
    return 1


