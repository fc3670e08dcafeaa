"""Load new content for a running bot, checked as `python -m bot check` checks it; reads files.

`load_checked` builds an engine from knowledge.yaml and intents/ and runs every check of
bot.validate; any problem raises ContentProblems listing each one (file, entry, what is wrong),
so the shell keeps the engine it has. The report is Telegram HTML for the admin who asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.compose import esc
from bot.engine import Engine
from bot.errors import ContentError, KnowledgeError
from bot.validate import problems

SHOWN = 20  # problems listed in a reply; the log has them all


class ContentProblems(ContentError):
    """New content that loads but fails the checks."""

    def __init__(self, found: list[KnowledgeError]) -> None:
        self.problems = tuple(found)
        super().__init__(f"{len(found)} problem(s): " + "; ".join(map(str, found[:3])))


@dataclass(frozen=True, slots=True)
class Loaded:
    """A checked engine and what loading it took."""

    engine: Engine
    seconds: float


def load_checked(knowledge_path: Path, intents_dir: Path) -> Loaded:
    """Return a new engine whose content passes every check; raise ContentError if not."""
    started = time.perf_counter()
    engine = Engine.from_paths(knowledge_path, intents_dir)
    found = problems(engine)
    if found:
        raise ContentProblems(found)
    return Loaded(engine, time.perf_counter() - started)


def problem_lines(error: ContentError) -> list[str]:
    """Return each problem of a failed load as one line."""
    if isinstance(error, ContentProblems):
        return [str(p) for p in error.problems]
    return [str(error)]


def done_html(loaded: Loaded) -> str:
    """Return the admin's reply to a reload that worked."""
    k, i = loaded.engine.knowledge, loaded.engine.intents
    return (f"<b>Reloaded</b> in {loaded.seconds:.1f} s: {len(k.answers)} answers, "
            f"{len(i.examples)} example phrasings. Conversations carry on with the new content.")


def failed_html(lines: list[str]) -> str:
    """Return the admin's reply to a reload that failed: the old content stays."""
    shown = "\n".join(f"• <code>{esc(line)}</code>" for line in lines[:SHOWN])
    more = f"\n… and {len(lines) - SHOWN} more (see the log)" if len(lines) > SHOWN else ""
    return (f"<b>Reload failed</b>; still answering with the previous content. "
            f"{len(lines)} problem(s):\n{shown}{more}")
