"""Validate the curated content as a whole: what loading one file cannot see; pure checks.

Loading already rejects YAML errors, unknown or missing fields, unknown source ids and
duplicate ids. These checks look across files: every answer has phrasings and every topic an
answer, no phrasing sits under two topics, every example routes to its own topic (one that
does not name the subject, "is it safe to use", as a follow-up would), no example
is taken for an emergency by the safety model, every reply fits Telegram's limits, and every
first reply to a question fits a phone screen (FIRST_REPLY_LIMIT characters before "More").
`python -m bot check` prints them; a hot reload (bot.reload) refuses content that has any.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bot.compose import (
    FIRST_REPLY_LIMIT,
    TELEGRAM_LIMIT,
    split_html,
    telegram_length,
    to_plain,
)
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.intents import MIN_EXAMPLES, OUT_OF_SCOPE_TOPIC, SMALLTALK_TOPICS, SOURCES_TOPIC
from bot.knowledge import word_count
from bot.normalize import fold


@dataclass(frozen=True, slots=True)
class Size:
    """How long one answer is: short and long form in words, first reply in characters."""

    topic: str
    short_words: int
    long_words: int
    first_reply_chars: int


def sizes(engine: Engine) -> list[Size]:
    """Return the size of every answer, in file order."""
    return [Size(a.id, word_count(a.short), word_count(a.text),
                 telegram_length(engine.show(a.id).reply.text))
            for a in engine.knowledge.answers]


def problems(engine: Engine) -> list[KnowledgeError]:
    """Return every cross-file problem of the engine's content (empty when all is well)."""
    k, i = engine.knowledge, engine.intents
    found: list[KnowledgeError] = []
    by_topic: dict[str, list[str]] = defaultdict(list)
    files: dict[str, str] = {}
    for e in i.examples:
        by_topic[e.topic].append(e.text)
        files.setdefault(e.topic, e.file)
    answer_ids = {a.id for a in k.answers}
    special = {*SMALLTALK_TOPICS, SOURCES_TOPIC, OUT_OF_SCOPE_TOPIC}
    for topic, file in files.items():
        if topic not in answer_ids and topic not in special:
            found.append(KnowledgeError(file, f"topic '{topic}'", "no answer in knowledge.yaml "
                                        "has this id"))
    for a in k.answers:
        n = len(by_topic.get(a.id, []))
        if n == 0:
            found.append(KnowledgeError(k.file, f"answer '{a.id}'", "no intents/ topic gives "
                                        "phrasings for this answer"))
        elif n < MIN_EXAMPLES:
            found.append(KnowledgeError(files[a.id], f"topic '{a.id}'", f"has {n} examples; "
                                        f"at least {MIN_EXAMPLES} are needed"))
    seen: dict[str, tuple[str, str]] = {}
    for e in i.examples:
        key = fold(e.text)
        if key in seen and seen[key][0] != e.topic:
            other_topic, other_file = seen[key]
            found.append(KnowledgeError(e.file, f"topic '{e.topic}'", f"phrasing '{e.text}' is "
                                        f"also under '{other_topic}' in {other_file}"))
        seen.setdefault(key, (e.topic, e.file))
    found.extend(_routing(engine))
    found.extend(_lengths(engine))
    return found


def _routing(engine: Engine) -> list[KnowledgeError]:
    out = []
    for e in engine.intents.examples:
        reply = engine.respond(e.text).reply
        where = f"topic '{e.topic}'"
        if reply.kind == "emergency":
            out.append(KnowledgeError(e.file, where, f"example '{e.text}' is taken for an "
                                      "emergency by the safety model"))
            continue
        if e.topic in SMALLTALK_TOPICS:
            ok = reply.kind == "smalltalk"
        elif e.topic == SOURCES_TOPIC:
            ok = reply.kind == "sources"
        elif e.topic == OUT_OF_SCOPE_TOPIC:
            ok = reply.kind == "fallback"
        else:
            # A "did you mean" led by the example's own topic is a fair reply to a phrasing
            # two answers share ("is nac safe": side effects, or taking too much?).
            ok = (reply.kind == "answer" and reply.topic == e.topic) or (
                reply.kind == "clarify" and reply.choices[:1] == (e.topic,))
            if not ok and not engine.names_subject(e.text):
                # "is it safe to use" is asked after an answer about NAC: read it so.
                decision = engine.decide(engine.analyzer.analyze(e.text), in_context=True)
                ok = decision.topics[:1] == (e.topic,) and decision.kind in ("answer",
                                                                             "clarify")
        if not ok:
            got = f"{reply.kind} {reply.topic or ','.join(reply.choices)}".strip()
            out.append(KnowledgeError(e.file, where, f"example '{e.text}' routes to {got} "
                                      f"(confidence {reply.confidence:.2f})"))
    return out


def _lengths(engine: Engine) -> list[KnowledgeError]:
    out = []
    k = engine.knowledge
    for measured in sizes(engine):
        if measured.first_reply_chars > FIRST_REPLY_LIMIT:
            out.append(KnowledgeError(k.file, f"answer '{measured.topic}'", f"first reply is "
                                      f"{measured.first_reply_chars} characters; at most "
                                      f"{FIRST_REPLY_LIMIT} before \"More\" (shorten "
                                      "'short' or 'evidence')"))
    for a in k.answers:
        for reply in (engine.show(a.id).reply, engine.details(a.id), engine.sources(a.id)):
            if len(split_html(reply.html)) > 1:
                size = telegram_length(to_plain(reply.html))
                out.append(KnowledgeError(k.file, f"answer '{a.id}'", f"{reply.kind} reply is "
                                          f"{size} characters; Telegram allows "
                                          f"{TELEGRAM_LIMIT} in one message"))
    return out
