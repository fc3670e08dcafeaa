"""Which messages are for the bot: in groups only commands, @mentions and replies to it; pure.

Filters over python-telegram-bot's Message objects; they read the bot's own name and id from
the message, so nothing here does I/O.
"""

from __future__ import annotations

from telegram import Message, MessageEntity
from telegram.constants import ChatType
from telegram.ext import filters


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


def command_for_bot(message: Message) -> bool:
    """Tell whether a command is for this bot: '/x' in a private chat, '/x@this_bot' anywhere."""
    words = (message.text or "").split()
    if not words or not words[0].startswith("/"):
        return False
    target = words[0].partition("@")[2].lower()
    if not target:
        return message.chat.type == ChatType.PRIVATE
    return target == (message.get_bot().username or "").lower()


class _CommandForBot(filters.MessageFilter):
    """Commands for this bot (bot.telegram.addressing.command_for_bot)."""

    def filter(self, message: Message) -> bool:
        return command_for_bot(message)


# In groups the bot answers commands, @mentions and replies to itself; other chatter is ignored.
ADDRESSED = filters.ChatType.PRIVATE | _MentionsBot() | _RepliesToBot()
MESSAGES = filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
QUESTIONS = MESSAGES & ADDRESSED & filters.TEXT & ~filters.COMMAND
NON_TEXT = MESSAGES & ADDRESSED & (
    filters.Sticker.ALL | filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO
    | filters.VIDEO_NOTE | filters.ANIMATION | filters.Document.ALL | filters.LOCATION
    | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL)
# A command no handler knows: in a group only '/x@thisbot' (a bare '/x' may be another bot's).
UNKNOWN_COMMANDS = MESSAGES & filters.COMMAND & _CommandForBot()
