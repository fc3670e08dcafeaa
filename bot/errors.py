"""Error hierarchy of the bot; no I/O.

    BotError                 base of every error the bot raises on purpose
    ├── ConfigError          a bad environment setting (names the variable and the problem)
    └── ContentError         bad curated content
        └── KnowledgeError   knowledge.yaml or an intents/ file (file, entry, problem, line)

The CLI and the Telegram start-up turn these into one line and a non-zero exit; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """A bad environment setting."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


class ContentError(BotError):
    """Bad curated content."""


class KnowledgeError(ContentError):
    """A problem in knowledge.yaml or intents/, located by file and entry."""

    def __init__(self, file: str, entry: str | None, problem: str,
                 line: int | None = None) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        self.line = line
        where = f"{file}, line {line}" if line else file
        where = f"{where}: {entry}" if entry else where
        super().__init__(f"{where}: {problem}")

