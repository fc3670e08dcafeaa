"""What the bot logs: one line per update, no user identifiers, never the token; no I/O.

Telegram ids are small integers, so a plain hash of one could be reversed by trying them all.
A keyed hash (HMAC-SHA256) with a key that is never logged cannot be: the adapter makes a random
key at start, so pseudonyms tell the messages of one chat apart within a run and mean nothing
outside it. The token is kept out of logs twice over: httpx, which logs every request URL (and
Bot API URLs contain the token), is kept at WARNING, and a filter replaces the token in
python-telegram-bot's own records, message and traceback alike.

The libraries also log payloads: python-telegram-bot the parameters and results of every API
call (DEBUG), and on its error paths the raw data it could not use -- a truncated response, an
update it cannot parse, a webhook body -- with users' names, ids and texts. PayloadFilter blanks
the values of user fields in those records (JSON, Python reprs and keyword reprs alike, even
when cut short) and any run of five or more digits (ids, phone numbers), and cuts what is left
to a bounded length.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

log = logging.getLogger("bot.telegram")

PSEUDONYM_HEX = 12
# PTB loggers whose records can hold the token: the bot's (API URL at DEBUG), the retry loop's.
TOKEN_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext", "telegram.ext.Updater",
                 "telegram.ext.Application")


# Libraries whose records can hold user data; their loggers get PayloadFilter.
PAYLOAD_LOGGERS = ("telegram", "httpx", "httpcore", "tornado")
# Fields of Telegram objects (and API parameters) that hold what users wrote or who they are.
USER_FIELDS = (
    "id", "chat_id", "user_id", "from_chat_id", "sender_chat_id", "first_name", "last_name",
    "username", "full_name", "name", "title", "text", "caption", "phone_number", "vcard",
    "email", "query", "data", "bio", "address", "latitude", "longitude", "question",
    "explanation", "message_text", "quote", "invite_link", "active_usernames", "file_name",
)
HIDDEN = "<hidden>"
MAX_RECORD = 2000  # characters of a library's message or traceback kept (a payload is longer)
_STRING = r"\"(?:[^\"\\]|\\.)*(?:\"|$)|'(?:[^'\\]|\\.)*(?:'|$)"
_NUMBER = r"-?\d[\d.eE+-]*"
_KEYS = "|".join(USER_FIELDS)
# "first_name": "Ada" (JSON), 'first_name': 'Ada' (a dict's repr), first_name='Ada' (an
# object's repr); a value cut off by a truncated payload still counts.
_FIELD = re.compile(
    rf"""(?P<key>(?P<q>["'])(?:{_KEYS})(?P=q)\s*:\s*|\b(?:{_KEYS})=)"""
    rf"""(?P<value>{_STRING}|{_NUMBER}|\[[^\]]*(?:\]|$))"""
)
_DIGITS = re.compile(r"\d{5,}")


def scrub(text: str) -> str:
    """Return text with the values of user fields and long digit runs hidden, cut to length."""
    text = _DIGITS.sub(HIDDEN, _FIELD.sub(lambda m: m.group("key") + HIDDEN, text))
    if len(text) > MAX_RECORD:
        text = f"{text[:MAX_RECORD]}... ({len(text) - MAX_RECORD} characters cut)"
    return text


class PayloadFilter(logging.Filter):
    """Hide user data in the records of python-telegram-bot, httpx and tornado."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub a library's record in place (message and traceback); keep it."""
        if not record.name.startswith(PAYLOAD_LOGGERS):
            return True
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def hide_payloads() -> None:
    """Add PayloadFilter to the libraries' loggers and to the root handlers, once each."""
    names = [n for n in logging.root.manager.loggerDict if n.startswith(PAYLOAD_LOGGERS)]
    targets: list[logging.Logger | logging.Handler] = [
        logging.getLogger(n) for n in {*PAYLOAD_LOGGERS, *TOKEN_LOGGERS, *names}]
    targets.extend(logging.getLogger().handlers)
    for where in targets:
        if not any(isinstance(f, PayloadFilter) for f in where.filters):
            where.addFilter(PayloadFilter())


class Pseudonyms:
    """Turn ids into short keyed hashes."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the key must be at least 16 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "Pseudonyms(<key hidden>)"

    def of(self, value: int | None) -> str:
        """Return the pseudonym of an id ('-' for none)."""
        if value is None:
            return "-"
        digest = hmac.new(self._key, str(value).encode(), hashlib.sha256).hexdigest()
        return digest[:PSEUDONYM_HEX]


def outcome(chat: str, via: str, result: str, topic: str, score: float, ms: float) -> None:
    """Log the one line of an update: pseudonymous chat, kind, outcome, topic, score, time."""
    log.info("chat=%s via=%s outcome=%s topic=%s score=%.2f ms=%.1f", chat, via, result, topic,
             score, ms)


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
        # First in line: PayloadFilter hides digit runs, the bot id in the token among them.
        where.filters.insert(0, TokenFilter(token))


def protect(token: str) -> None:
    """Keep the token and users' data out of the logs of httpx and python-telegram-bot."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    hide_payloads()
    if not token:
        return
    for name in TOKEN_LOGGERS:
        hide_token(logging.getLogger(name), token)
    for handler in logging.getLogger().handlers:
        hide_token(handler, token)


def quiet_telegram(level: str) -> None:
    """Keep python-telegram-bot's debug logs (which show user data) off below INFO."""
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))


def hide(text: str, token: str | None) -> str:
    """Return text with the token replaced."""
    return text.replace(token, "<token>") if token else text
