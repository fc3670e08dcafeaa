"""Replies to an update: HTML in parts Telegram accepts, buttons on the last part.

Replies are the core's HTML, split at paragraphs to Telegram's 4096 characters, and handed to
the outbox (delivery.py), which stores them with the update they answer and sends them. In a
group the first part replies to the message it answers (so the asker sees it is for them); in a
private chat nothing is quoted. Editing a message in place falls back to sending a new one when
the reply has several parts, or (found out when sending) the message is too old or gone.
The calls made at once (network I/O) answer a button press, so the spinner stops, and take
the feedback buttons off a message once pressed (harmless to lose, so not stored).
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.compose import split_html
from bot.reply import Reply
from bot.telegram import keyboards
from bot.telegram.delivery import markup as stored_markup
from bot.telegram.keyboards import Keyboard
from bot.telegram.services import services
from bot.telegram.store import Buttons, Outgoing

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE


def reply(update: Update, context: Context, answer: Reply, token: str | None = None) -> Reply:
    """Queue a reply of the core with its buttons; return it for the log.

    token: the remembered question behind it, for the feedback buttons (keyboards.for_reply).
    """
    keyboard = keyboards.for_reply(answer, services(context).engine.title, token)
    send(update, context, answer.html, keyboard)
    return answer


def send(update: Update, context: Context, html: str, keyboard: Keyboard = ()) -> None:
    """Queue HTML to the update's chat in parts Telegram accepts, buttons on the last part."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_html(html)
    answering = asked(update)
    reply_to = None
    if chat.type != ChatType.PRIVATE and answering is not None:
        reply_to = answering.message_id
    outbox = services(context).outbox
    for n, part in enumerate(parts, 1):
        outbox.add(update.update_id, Outgoing(
            chat.id, part, buttons(keyboard) if n == len(parts) else (),
            reply_to=reply_to if n == 1 else None))


def edit(update: Update, context: Context, query: CallbackQuery, html: str,
         keyboard: Keyboard = ()) -> None:
    """Queue HTML in place of the message whose button was pressed, or as a new message."""
    parts = split_html(html)
    shown = query.message
    if len(parts) == 1 and shown is not None:
        services(context).outbox.add(update.update_id, Outgoing(
            shown.chat.id, parts[0], buttons(keyboard), edit=shown.message_id))
        return
    send(update, context, html, keyboard)


async def set_buttons(query: CallbackQuery, keyboard: Keyboard) -> None:
    """Replace the buttons of the message whose button was pressed; never raise."""
    try:
        await query.edit_message_reply_markup(markup(keyboard) if keyboard else None)
    except TelegramError as exc:
        # Too old to edit, or already changed by a double press: the buttons stay, no harm.
        log.info("editMessageReplyMarkup failed: %s", type(exc).__name__)


def keyboard_of(query: CallbackQuery) -> Keyboard:
    """Return the buttons of the message whose button was pressed, as plain records."""
    message = query.message
    found = message.reply_markup if isinstance(message, Message) else None
    if found is None:
        return ()
    return tuple(tuple(keyboards.Button(b.text, b.callback_data) for b in row
                       if isinstance(b.callback_data, str))
                 for row in found.inline_keyboard)


async def acknowledge(query: CallbackQuery) -> None:
    """Answer a callback query so the client stops its spinner; never raise."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("answerCallbackQuery failed: %s", type(exc).__name__)


def buttons(keyboard: Keyboard) -> Buttons:
    """Return a keyboard as the store keeps it: rows of (label, callback data)."""
    return tuple(tuple((b.label, b.data) for b in row) for row in keyboard)


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """Return Telegram's markup for a keyboard (None for no buttons)."""
    return stored_markup(buttons(keyboard))


def asked(update: Update) -> Message | None:
    """Return the user's message that this update carries (not a bot message with buttons)."""
    return update.message or update.edited_message
