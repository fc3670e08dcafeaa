"""Inline mode: `@bot <question>` in any chat offers the matching curated answers; network I/O.

A person types the bot's name and a question in a chat with a friend; Telegram shows the
results, and the one they pick is sent into that chat as a message from them "via @bot". The
results are the curated answers the engine finds (an answer, or the choices of a "did you mean"),
each complete: title, answer, evidence and sources line, caution, disclaimer. An emergency
typed inline gets the emergency guidance as the only result. Small talk, fallbacks and empty
queries get no results: nothing but curated answers leaves the bot this way.
"""

from __future__ import annotations

import time

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.compose import split_html
from bot.reply import Reply
from bot.telegram import logs
from bot.telegram.delivery import NO_PREVIEW
from bot.telegram.services import services

EMERGENCY_TITLE = "🚨 Emergency: get help now"
EMERGENCY_ID = "emergency"
PREVIEW_CHARS = 120  # the grey line under a result's title
CACHE_SECONDS = 300  # Telegram may reuse results for the same query this long (none are personal)


def results(answers: tuple[Reply, ...], titles: dict[str, str]) -> list[InlineQueryResultArticle]:
    """Return one inline result per reply that fits in one message."""
    found = []
    for reply in answers:
        if len(split_html(reply.html)) > 1:
            continue  # a result is one message; the check keeps answers within one
        title = (titles.get(reply.topic or "", EMERGENCY_TITLE) if reply.kind == "answer"
                 else EMERGENCY_TITLE)
        found.append(InlineQueryResultArticle(
            id=reply.topic or EMERGENCY_ID,
            title=title,
            description=_preview(reply.text, title),
            input_message_content=InputTextMessageContent(
                reply.html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW),
        ))
    return found


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the curated answers that match the query."""
    query = update.inline_query
    if query is None:
        return
    started = time.perf_counter()
    engine = services(context).engine
    text = query.query.strip()
    found = engine.search(text) if text else ()
    titles = {r.topic: engine.title(r.topic) or r.topic for r in found
              if r.kind == "answer" and r.topic}
    await query.answer(results(found, titles), cache_time=CACHE_SECONDS, is_personal=False)
    kind = found[0].kind if found else "none"
    logs.outcome("-", "inline", kind, ",".join(titles) or "-",
                 found[0].confidence if found else 0.0, (time.perf_counter() - started) * 1000)


def _preview(text: str, title: str) -> str:
    """Return the start of the answer, after its title, on one line."""
    body = text.removeprefix(title).strip().replace("\n", " ")
    return body if len(body) <= PREVIEW_CHARS else body[: PREVIEW_CHARS - 1].rstrip() + "…"
