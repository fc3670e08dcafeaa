"""The update handlers: read the update, ask the engine, queue what it composed.

Each callback is a few lines and returns the Reply it queued (or None) so that `served` can log
one line per update; the outbox (delivery.py) stores and sends the replies once the update is
handled. The one network call here answers a button press at once, so its spinner stops.
Flood control and button acknowledgement run before the handlers (bot.telegram.app registers
them in earlier groups); `on_error` is the one error handler.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.reply import ConversationState, Reply
from bot.telegram import addressing, keyboards, logs, send
from bot.telegram.delivery import FAILED_HTML
from bot.telegram.services import services
from bot.telegram.state import recall, remember

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[Reply | None]]
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]

NON_TEXT_HTML = ("I read text questions only. Please type your question, for example: "
                 "<i>What is NAC?</i>")
STALE_HTML = "That button no longer works. Send /topics to browse, or ask in your own words."


def command(name: str) -> Handler:
    """Return the handler of one command of the table (bot.commands)."""

    async def on_command(update: Update, context: Context) -> Reply:
        s = services(context)
        state = recall(s.chats, update)
        turn = s.engine.command(name, state, s.keeping)
        if turn.state != state:  # /help or /privacy alone leaves nothing to keep
            remember(s.chats, update, context, turn.state)
        return send.reply(update, context, _sorry_if_late(update, context, turn.reply))

    on_command.__name__ = f"on_{name}"
    on_command.__doc__ = f"Answer /{name} as the command table says."
    return on_command


async def on_topics(update: Update, context: Context) -> None:
    """Offer every group of topics as buttons (the terminal lists them as text)."""
    groups = services(context).engine.topics_by_group()
    send.send(update, context, keyboards.TOPICS_HTML, keyboards.groups_keyboard(groups))


async def on_unknown_command(update: Update, context: Context) -> Reply | None:
    """Answer a command the bot does not know (in a group: only one addressed to this bot).

    Also what non-admins get from the operators' commands, so those reveal nothing.
    """
    message = send.asked(update)
    if message is None or not addressing.command_for_bot(message):
        return None  # a bare "/stats" in a group may be for another bot
    name = (message.text or "").split()[0][1:].partition("@")[0]
    s = services(context)
    state = recall(s.chats, update)
    turn = s.engine.command(name.lower(), state, s.keeping)
    return send.reply(update, context, turn.reply)


async def on_text(update: Update, context: Context) -> Reply:
    """Answer a question, with this chat's conversation state for follow-ups."""
    s = services(context)
    question = _question(update, context)
    turn = s.engine.respond(question, recall(s.chats, update))
    remember(s.chats, update, context, turn.state)
    reply, token = turn.reply, None
    chat = update.effective_chat.id if update.effective_chat else None
    now = time.monotonic()
    if reply.declined and chat is not None:
        s.inbox.decline(s.asked.take_offered(chat, now))
    else:
        asked = s.inbox.record(question, reply, _names(update))
        if asked is not None and reply.kind in ("answer", "clarify"):
            token = s.asked.keep(asked, now, chat if reply.kind == "clarify" else None)
    reply = _sorry_if_late(update, context, reply)
    return send.reply(update, context, reply, token)


async def on_non_text(update: Update, context: Context) -> None:
    """Ask for a text question instead of a sticker, photo, voice note, file..."""
    send.send(update, context, NON_TEXT_HTML)


async def on_button(update: Update, context: Context) -> Reply | None:
    """Act on a button: show a topic, its details or its sources, decline, or browse topics."""
    s, query = services(context), update.callback_query
    action, topic = keyboards.decode(query.data if query else None)
    known = s.engine.has_answer(topic)
    if action == keyboards.SHOW and known:
        turn = s.engine.show(topic)
        remember(s.chats, update, context, turn.state)
        return send.reply(update, context, turn.reply)
    if action == keyboards.MORE and known and query is not None:
        details = s.engine.details(topic)
        remember(s.chats, update, context, ConversationState(last_topic=topic))
        # The details keep the 👍 / 👎 of the short answer they replace.
        token = keyboards.token_of(send.keyboard_of(query))
        send.edit(update, context, query, details.html,
                  keyboards.for_reply(details, s.engine.title, token))
        return details
    if action == keyboards.SOURCES and known:
        return send.reply(update, context, s.engine.sources(topic))
    if action == keyboards.NONE:
        s.inbox.decline(s.asked.take(topic, time.monotonic()))  # topic: the question's token
        turn = s.engine.none_of_these(recall(s.chats, update))
        remember(s.chats, update, context, turn.state)
        return send.reply(update, context, turn.reply)
    if action in keyboards.FEEDBACK and query is not None:
        answered, token = keyboards.feedback_of(topic)
        asked = s.asked.take(token, time.monotonic())
        # Callback data comes from the client: a topic this bot does not have is not stored.
        s.inbox.feedback(action == keyboards.UP, asked,
                         answered if s.engine.has_answer(answered) else None)
        await send.set_buttons(query, keyboards.without_feedback(send.keyboard_of(query)))
        return None
    if action in (keyboards.GROUP, keyboards.HOME) and query is not None:
        groups = s.engine.topics_by_group()
        view = keyboards.group_view(groups, topic) if topic else None
        html, keyboard = view or (keyboards.TOPICS_HTML, keyboards.groups_keyboard(groups))
        send.edit(update, context, query, html, keyboard)
        return None
    send.send(update, context, STALE_HTML)
    return None


async def acknowledge_press(update: Update, context: Context) -> None:
    """Answer every button press at once, even one that flood control stops."""
    if update.callback_query is not None:
        await send.acknowledge(update.callback_query)


async def on_error(update: object, context: Context) -> None:
    """Log the error with its traceback and tell the user something went wrong."""
    chat = update.effective_chat if isinstance(update, Update) else None
    log.error("update failed: chat=%s error=%s",
              services(context).ids.of(chat.id if chat else None),
              type(context.error).__name__, exc_info=context.error)
    if isinstance(update, Update):
        send.send(update, context, FAILED_HTML)


def served(handler: Handler) -> Callback:
    """Wrap a handler so that it logs one line: outcome, topic, score and time taken."""

    @functools.wraps(handler)
    async def wrapped(update: Update, context: Context) -> None:
        started = time.perf_counter()
        reply = await handler(update, context)
        chat = update.effective_chat
        outcome, topic = "sent", "-"
        if reply is not None:
            outcome, topic = reply.kind, reply.topic or ",".join(reply.choices) or "-"
        logs.outcome(services(context).ids.of(chat.id if chat else None),
                     handler.__name__.removeprefix("on_"), outcome, topic,
                     reply.confidence if reply else 0.0, (time.perf_counter() - started) * 1000)

    return wrapped


def _sorry_if_late(update: Update, context: Context, reply: Reply) -> Reply:
    """Return the reply with an apology on top if its message was sent long ago (an outage)."""
    s, message = services(context), send.asked(update)
    sent = (message.edit_date or message.date) if message else None
    if sent is None or time.time() - sent.timestamp() <= s.settings.late_after_seconds:
        return reply
    return s.engine.late(reply)


def _names(update: Update) -> tuple[str, ...]:
    """Return the sender's names, which the inbox removes from a question before storing it."""
    user = update.effective_user
    if user is None:
        return ()
    return tuple(n for n in (user.first_name, user.last_name, user.username) if n)


def _question(update: Update, context: Context) -> str:
    """Return the message's text without the @mention of the bot."""
    message = send.asked(update)
    text = (message.text if message else None) or ""
    name = context.bot.username
    return re.sub(rf"@{re.escape(name)}\b", " ", text, flags=re.IGNORECASE).strip()
