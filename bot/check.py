"""Validate the curated content as a whole: what loading one file cannot see; pure checks.

Loading already rejects YAML errors, unknown or missing fields, unknown source ids and
duplicate ids. These checks look across files: every answer has phrasings and every topic an
answer, no phrasing sits under two topics, every example routes to its own topic, no example
trips the emergency triggers, and every reply fits Telegram's limits.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TextIO

from bot.compose import TELEGRAM_LIMIT, split_html, telegram_length, to_plain
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.intents import MIN_EXAMPLES, OUT_OF_SCOPE_TOPIC, SMALLTALK_TOPICS, SOURCES_TOPIC
from bot.normalize import fold


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
            out.append(KnowledgeError(e.file, where, f"example '{e.text}' trips the emergency "
                                      "triggers"))
            continue
        if e.topic in SMALLTALK_TOPICS:
            ok = reply.kind == "smalltalk"
        elif e.topic == SOURCES_TOPIC:
            ok = reply.kind == "sources"
        elif e.topic == OUT_OF_SCOPE_TOPIC:
            ok = reply.kind == "fallback"
        else:
            ok = reply.kind == "answer" and reply.topic == e.topic
        if not ok:
            got = f"{reply.kind} {reply.topic or ','.join(reply.choices)}".strip()
            out.append(KnowledgeError(e.file, where, f"example '{e.text}' routes to {got} "
                                      f"(confidence {reply.confidence:.2f})"))
    return out


def _lengths(engine: Engine) -> list[KnowledgeError]:
    out = []
    k = engine.knowledge
    for a in k.answers:
        for reply in (engine.show(a.id).reply, engine.sources(a.id)):
            if len(split_html(reply.html)) > 1:
                size = telegram_length(to_plain(reply.html))
                out.append(KnowledgeError(k.file, f"answer '{a.id}'", f"{reply.kind} reply is "
                                          f"{size} characters; Telegram allows "
                                          f"{TELEGRAM_LIMIT} in one message"))
    return out


def run_check(knowledge_path: Path, intents_dir: Path, out: TextIO) -> int:
    """Print the result of validating the content; return 0 when valid, 1 otherwise."""
    engine = Engine.from_paths(knowledge_path, intents_dir)
    found = problems(engine)
    for problem in found:
        out.write(f"{problem}\n")
    if found:
        out.write(f"check failed: {len(found)} problem(s)\n")
        return 1
    k, i = engine.knowledge, engine.intents
    out.write(f"ok: {len(k.answers)} answers, {len(k.sources)} sources, "
              f"{len(i.examples)} example phrasings in {len(set(e.file for e in i.examples))} "
              "files\n")
    return 0
