"""Settings: matching thresholds and the environment configuration; pure but for two checks.

Everything comes from environment variables, parsed by `from_env` into a frozen record, so
tests build settings from a plain dict and nothing reads os.environ behind the caller's back.
The looks outside: STATE_FILE's directory must exist and be writable, so that a bad path is
a settings error at start, not a failure later; with a token (the Telegram bot) so must DATA_DIR,
or the nearest folder above it where it will be made, since the delivery store lives there. The
inbox that also lives there turns itself off with one warning when it cannot write (the
terminal chat never stops for it).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds on the calibrated probability that the best topic is right.

    answer, clarify and margin are chosen by `python -m bot tune` and read from
    bot/models/matching.json (bot/tuned.py); they are never set by hand.
    """

    answer: float  # at or above: answer, if no other topic is close
    clarify: float  # at or above (and below answer): offer "did you mean"
    margin: float  # a second topic this close (ranker score) to the best one: "did you mean"
    # The same three, chosen for a message that follows an answer in a chat, where far fewer
    # messages are out of scope than among first questions; None: as for a first question.
    later: Thresholds | None = None
    # Set by hand: whole-message similarity (rapidfuzz ratio) for small talk and "sources?";
    # high, because "thanks" must not catch "thanks, and is nac safe in pregnancy?".
    smalltalk: float = 0.86


@dataclass(frozen=True, slots=True)
class Settings:
    """The bot's configuration."""

    token: str | None = None
    base_url: str = DEFAULT_BASE_URL
    webhook_url: str | None = None
    port: int = 8443
    webhook_secret: str | None = None
    knowledge_path: Path = ROOT / "knowledge.yaml"
    intents_dir: Path = ROOT / "intents"
    persistence_path: Path | None = None
    log_level: str = "INFO"
    flood_limit: int = 20  # messages per user per minute before a slow-down notice
    state_ttl_seconds: int = 24 * 3600  # how long a chat's last topic is remembered
    state_max_chats: int = 10_000  # how many chats' state is kept in memory
    late_after_seconds: int = 600  # a message older than this is answered with an apology
    data_dir: Path = Path("data")  # where the bot keeps its SQLite files (default ./data)
    inbox: bool = True  # record unanswered questions and reply counts (INBOX=off: nothing)
    inbox_retention_days: int = 90  # inbox rows and counts older than this are deleted
    admin_ids: frozenset[int] = frozenset()  # Telegram user ids allowed /stats and /reload
    reply_ttl_seconds: int = 600  # how long an undelivered reply is still worth sending
    webhook_max_bytes: int = 1_000_000  # the largest webhook request body read


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(name, f"must be between {low} and {high}, got {value}")
    return value


def from_env(env: Mapping[str, str]) -> Settings:
    """Return settings from environment variables, or raise ConfigError naming the variable."""
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    if token is not None and (":" not in token or any(c.isspace() for c in token)):
        raise ConfigError("TELEGRAM_BOT_TOKEN", "does not look like a token from @BotFather")
    base_url = env.get("TELEGRAM_BASE_URL", "").strip() or DEFAULT_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_BASE_URL", "must start with http:// or https://")
    webhook_url = env.get("WEBHOOK_URL", "").strip() or None
    if webhook_url is not None and not webhook_url.startswith("https://"):
        raise ConfigError("WEBHOOK_URL", "must be an https:// address (Telegram requires it)")
    secret = env.get("WEBHOOK_SECRET", "").strip() or None
    if secret is not None and not all(c.isalnum() or c in "_-" for c in secret):
        raise ConfigError("WEBHOOK_SECRET", "may only contain A-Z, a-z, 0-9, _ and -")
    if secret is not None and not 1 <= len(secret) <= 256:
        raise ConfigError("WEBHOOK_SECRET", "must be 1 to 256 characters")
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("LOG_LEVEL", "must be DEBUG, INFO, WARNING or ERROR")
    persistence = env.get("STATE_FILE", "").strip()
    if persistence:
        _check_state_file(Path(persistence))
    data_dir = Path(env.get("DATA_DIR", "").strip() or "data")
    if token is not None:  # only the Telegram bot keeps a delivery store
        _check_data_dir(data_dir)
    return Settings(
        token=token,
        base_url=base_url,
        webhook_url=webhook_url,
        port=_int(env, "PORT", 8443, 1, 65535),
        webhook_secret=secret,
        knowledge_path=Path(env.get("KNOWLEDGE_FILE") or ROOT / "knowledge.yaml"),
        intents_dir=Path(env.get("INTENTS_DIR") or ROOT / "intents"),
        persistence_path=Path(persistence) if persistence else None,
        log_level=level,
        flood_limit=_int(env, "FLOOD_LIMIT", 20, 1, 10_000),
        state_ttl_seconds=_int(env, "STATE_TTL_SECONDS", 24 * 3600, 60, 365 * 24 * 3600),
        state_max_chats=_int(env, "STATE_MAX_CHATS", 10_000, 10, 10_000_000),
        late_after_seconds=_int(env, "LATE_AFTER_SECONDS", 600, 10, 30 * 24 * 3600),
        data_dir=data_dir,
        inbox=_switch(env, "INBOX", True),
        inbox_retention_days=_int(env, "INBOX_RETENTION_DAYS", 90, 1, 10 * 365),
        admin_ids=_admin_ids(env.get("ADMIN_IDS", "")),
        reply_ttl_seconds=_int(env, "REPLY_TTL_SECONDS", 600, 1, 7 * 24 * 3600),
        webhook_max_bytes=_int(env, "WEBHOOK_MAX_BYTES", 1_000_000, 1024, 100_000_000),
    )


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise ConfigError(name, f"must be on or off, got {raw!r}")


def _admin_ids(raw: str) -> frozenset[int]:
    """Return the Telegram user ids of a comma- or space-separated list."""
    found = set()
    for part in raw.replace(",", " ").split():
        if not part.isascii() or not part.isdecimal() or not 0 < int(part) < 2**63:
            raise ConfigError("ADMIN_IDS", f"must be Telegram user ids (whole numbers, "
                              f"separated by commas), got {part!r}")
        found.add(int(part))
    return frozenset(found)


def _check_state_file(path: Path) -> None:
    """Fail unless the state file can be written: a file (or nothing yet) in a writable folder."""
    folder = path.parent
    if not folder.is_dir():
        raise ConfigError("STATE_FILE", f"folder {folder} does not exist")
    if path.exists() and not path.is_file():
        raise ConfigError("STATE_FILE", f"{path} is not a file")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ConfigError("STATE_FILE", f"{path} cannot be written")


def _check_data_dir(folder: Path) -> None:
    """Fail unless DATA_DIR is a writable folder, or can be made in a writable one."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError("DATA_DIR", f"{existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError("DATA_DIR", f"{folder} cannot be written")
