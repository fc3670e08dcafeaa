"""`python -m bot check`: validate the content and print the answer sizes; prints to a stream.

The checks themselves are in bot.validate (the running bot's hot reload uses them too).
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TextIO

from bot.compose import FIRST_REPLY_LIMIT
from bot.devtools import safety_snapshot
from bot.engine import Engine
from bot.knowledge import MAX_SHORT_WORDS, SHORT_WORDS_GUIDE
from bot.validate import Size, problems, sizes

__all__ = ["Size", "problems", "run_check", "size_report", "sizes", "snapshot_report"]


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
    out.write(snapshot_report(engine))
    return 0


def snapshot_report(engine: Engine) -> str:
    """Return how far intents/ has moved from the snapshot the safety model was fitted on."""
    # The image holds no training/ folder: there is nothing to compare with, and no re-fit.
    if not safety_snapshot.PHRASINGS.exists():
        return ""
    added, gone = safety_snapshot.drift(engine.intents, safety_snapshot.load_phrasings())
    if not added and not gone:
        return "safety model: fitted on the phrasings intents/ has now\n"
    return (f"safety model: fitted on a snapshot of intents/ ({added} phrasings added since, "
            f"{gone} gone); to let it learn them: python -m bot.devtools.safety_snapshot, "
            "then python -m bot tune safety crisis context\n")


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
