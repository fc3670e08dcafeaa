"""Operator commands: /stats and /reload for the user ids in ADMIN_IDS, and SIGHUP; file I/O.

To anyone else these commands do exactly what an unknown command does (the same function
answers), so nothing shows that they exist; they are not in the command menu either. A reload
builds and checks the new engine in a worker thread (the bot keeps answering meanwhile), then
swaps it in with one assignment: a handler already running finishes with the engine it took,
the next one gets the new one. On any problem the old engine stays and the problems go to the
admin (for /reload) and to the log.
"""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Update
from telegram.ext import ContextTypes

from bot import reload as reload_mod
from bot import stats as stats_mod
from bot.errors import ContentError
from bot.inbox import DAY, read_counts, read_questions
from bot.reply import Reply
from bot.telegram import handlers, send
from bot.telegram.services import Services, services
from bot.unanswered import group

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
WEEK = 7 * DAY


def is_admin(update: Update, s: Services) -> bool:
    """Tell whether the update comes from a user listed in ADMIN_IDS."""
    user = update.effective_user
    return user is not None and user.id in s.settings.admin_ids


async def on_stats(update: Update, context: Context) -> Reply | None:
    """Send an admin the figures of the last day and week; anyone else: an unknown command."""
    s = services(context)
    if not is_admin(update, s):
        return await handlers.on_unknown_command(update, context)
    html = await asyncio.to_thread(stats_html, s)
    send.send(update, context, html)
    return None


def stats_html(s: Services) -> str:
    """Return /stats from the inbox file (read-only, beside the bot's own connection)."""
    now = time.time()
    path = s.inbox.path
    day = read_counts(path, now - DAY) if path else []
    week = read_counts(path, now - WEEK) if path else []
    groups = group(read_questions(path)) if path else []
    engine = s.engine
    return stats_mod.stats_html(
        [stats_mod.period("Last 24 hours", day), stats_mod.period("Last 7 days", week)],
        stats_mod.top_topics(week), groups, engine.title, s.inbox.enabled)


async def on_reload(update: Update, context: Context) -> Reply | None:
    """Reload the content for an admin and say how it went; anyone else: an unknown command."""
    s = services(context)
    if not is_admin(update, s):
        return await handlers.on_unknown_command(update, context)
    html = await reload_content(s)
    send.send(update, context, html)
    return None


async def reload_content(s: Services) -> str:
    """Load and check the content again; swap it in if it is sound; return the report."""
    settings = s.settings
    async with s.content.reloading:
        try:
            loaded = await asyncio.to_thread(reload_mod.load_checked, settings.knowledge_path,
                                             settings.intents_dir)
        except ContentError as exc:
            lines = reload_mod.problem_lines(exc)
            log.warning("reload failed, the previous content stays: %d problem(s)", len(lines))
            for line in lines:
                log.warning("reload: %s", line)
            return reload_mod.failed_html(lines)
        except Exception as exc:
            # A bug, not bad content: keep serving, keep the traceback for whoever fixes it.
            log.exception("reload failed, the previous content stays")
            return reload_mod.failed_html([f"unexpected {type(exc).__name__}: {exc}"])
        s.content.engine = loaded.engine
    log.info("reloaded the content in %.2f s: %d answers", loaded.seconds,
             len(loaded.engine.knowledge.answers))
    return reload_mod.done_html(loaded)
