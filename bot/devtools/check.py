"""Validate the curated content as a whole: what loading one file cannot see; pure checks.

Loading already rejects YAML errors, unknown or missing fields, unknown source ids and
duplicate ids. These checks look across files: every answer has phrasings and every topic an
answer, no phrasing sits under two topics, every example routes to its own topic, no example
is taken for an emergency by the safety model, every reply fits Telegram's limits, and every
first reply to a question fits a phone screen (FIRST_REPLY_LIMIT characters before "More").
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

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
from bot.knowledge import MAX_SHORT_WORDS, SHORT_WORDS_GUIDE, word_count
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
    out.write(size_report(sizes(engine)))
    return 0


def size_report(found: list[Size]) -> str:
    """Return the word counts of every answer and their summary, as printed by check."""
    lines = ["", f"{'answer':28} {'short':>5} {'long':>5} {'first reply':>11}"]
    for s in found:
        flag = f"  over the {SHORT_WORDS_GUIDE}-word guideline" if (
            s.short_words > SHORT_WORDS_GUIDE) else ""
        lines.append(f"{s.topic:28} {s.short_words:5} {s.long_words:5} "
                     f"{s.first_reply_chars:11}{flag}")
    short = [s.short_words for s in found]
    long = [s.long_words for s in found]
    first = [s.first_reply_chars for s in found]
    lines.append(
        f"short form: max {max(short)}, median {statistics.median(short):g} words "
        f"(aim for {SHORT_WORDS_GUIDE}, at most {MAX_SHORT_WORDS}); long form: max {max(long)}, "
        f"median {statistics.median(long):g} words; first reply: max {max(first)} characters "
        f"(at most {FIRST_REPLY_LIMIT})")
    return "\n".join(lines) + "\n"
