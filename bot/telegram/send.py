"""Sending to Telegram: HTML in parts Telegram accepts, buttons on the last part; network I/O.

Replies are the core's HTML, split at paragraphs to Telegram's 4096 characters. In a group the
first part replies to the message it answers (so the asker sees it is for them); in a private
chat nothing is quoted. Editing a message in place falls back to sending a new one when the
message is too old or gone.
"""

from __future__ import annotations

import logging

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.compose import split_html
from bot.reply import Reply
from bot.telegram import keyboards
from bot.telegram.keyboards import Keyboard
from bot.telegram.services import services

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def reply(update: Update, context: Context, answer: Reply,
                token: str | None = None) -> Reply:
    """Send a reply of the core with its buttons; return it for the log.

    token: the remembered question behind it, for the feedback buttons (keyboards.for_reply).
    """
    keyboard = keyboards.for_reply(answer, services(context).engine.title, token)
    await send(update, context, answer.html, keyboard)
    return answer


async def send(update: Update, context: Context, html: str, keyboard: Keyboard = ()) -> None:
    """Send HTML to the update's chat in parts Telegram accepts, buttons on the last part."""
    chat = update.effective_chat
    if chat is None:
        return
    parts = split_html(html)
    answering = asked(update)
    reply_to = None
    if chat.type != ChatType.PRIVATE and answering is not None:
        reply_to = ReplyParameters(answering.message_id, allow_sending_without_reply=True)
    for n, part in enumerate(parts, 1):
        await context.bot.send_message(
            chat.id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
            reply_markup=markup(keyboard) if n == len(parts) and keyboard else None,
            reply_parameters=reply_to if n == 1 else None,
        )


async def edit(update: Update, context: Context, query: CallbackQuery, html: str,
               keyboard: Keyboard = ()) -> None:
    """Show HTML in place of the message whose button was pressed, or as a new message."""
    parts = split_html(html)
    if len(parts) == 1:
        try:
            await query.edit_message_text(parts[0], parse_mode=ParseMode.HTML,
                                          link_preview_options=NO_PREVIEW,
                                          reply_markup=markup(keyboard) if keyboard else None)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            # Too old to edit, or no longer there: show it as a new message instead.
    await send(update, context, html, keyboard)


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


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup:
    """Return Telegram's markup for a keyboard."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in keyboard]
    )


def asked(update: Update) -> Message | None:
    """Return the user's message that this update carries (not a bot message with buttons)."""
    return update.message or update.edited_message
