"""Error hierarchy of the bot; no I/O.

    BotError                 base of every error the bot raises on purpose
    ├── ConfigError          a bad environment setting (names the variable and the problem)
    └── ContentError         bad curated content
        └── KnowledgeError   knowledge.yaml or an intents/ file (names file, entry and problem)

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

    def __init__(self, file: str, entry: str | None, problem: str) -> None:
        self.file = file
        self.entry = entry
        self.problem = problem
        where = f"{file}: {entry}" if entry else file
        super().__init__(f"{where}: {problem}")

