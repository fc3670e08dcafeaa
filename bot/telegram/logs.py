"""What the bot logs: one line per update, no user identifiers, never the token; no I/O.

Telegram ids are small integers, so a plain hash of one could be reversed by trying them all.
A keyed hash (HMAC-SHA256) with a key that is never logged cannot be: the adapter makes a random
key at start, so pseudonyms tell the messages of one chat apart within a run and mean nothing
outside it. The token is kept out of logs twice over: httpx, which logs every request URL (and
Bot API URLs contain the token), is kept at WARNING, and a filter replaces the token in
python-telegram-bot's own records, message and traceback alike.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

log = logging.getLogger("bot.telegram")

PSEUDONYM_HEX = 12
# PTB loggers whose records can hold the token: the bot's (API URL at DEBUG), the retry loop's.
TOKEN_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext", "telegram.ext.Updater",
                 "telegram.ext.Application")


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
        where.addFilter(TokenFilter(token))


def protect(token: str) -> None:
    """Keep the token out of the logs of httpx and python-telegram-bot."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
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
