"""Chat with the core in a terminal, like Telegram but in plain text; reads stdin."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from bot.commands import Keeping, bare
from bot.engine import Engine
from bot.inbox import Asked, Inbox
from bot.reply import ConversationState, Reply

PROMPT = "you> "
BANNER = (
    "Cysteine & NAC information bot (terminal chat). Ask a question in your own words;\n"
    "'more' shows the details of the last answer (again: related topics), 'sources' its\n"
    "references; 'quit' or Ctrl-D ends the chat.\n"
)
QUIT = frozenset({"quit", "exit", "/quit", "/exit", ":q"})


def render(reply: Reply, engine: Engine) -> str:
    """Return a reply as terminal text, with the choices it offers numbered."""
    lines = [reply.text]
    if reply.kind == "answer" and reply.related:
        titles = ", ".join(t for t in map(engine.title, reply.related) if t)
        lines.append(f"Related: {titles}")
    return "\n".join(lines)


def chat(engine: Engine, stdin: TextIO, stdout: TextIO, interactive: bool = True,
         keeping: Keeping | None = None, clock: Callable[[], float] = time.monotonic,
         inbox: Inbox | None = None) -> int:
    """Run a conversation until end of input or 'quit'; return the exit code.

    The conversation state is kept like the Telegram bot keeps it: forgotten after
    keeping.ttl_seconds without messages, which is what /privacy says. With an inbox,
    questions the bot could not answer are recorded as the Telegram bot records them.
    """
    keeping = keeping or Keeping()
    state, last = ConversationState(), clock()
    offered: Asked | None = None  # the question of the last "did you mean", for "none"
    stdout.write(BANNER + "\n" + render(engine.welcome(), engine) + "\n\n")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT:
            stdout.write("\nbot> Goodbye, take care!\n")
            return 0
        if not line.strip():
            continue
        now = clock()
        if now - last > keeping.ttl_seconds:
            state = ConversationState()
        last = now
        command = bare(line)
        turn = (engine.command(command, state, keeping) if command
                else engine.respond(line, state))
        state = turn.state
        if inbox is not None and not command:
            if turn.reply.declined:
                inbox.decline(offered)
            asked = None if turn.reply.declined else inbox.record(line.strip(), turn.reply)
            offered = asked if turn.reply.kind == "clarify" else None
        stdout.write("bot> " + render(turn.reply, engine).replace("\n", "\n     ") + "\n\n")
        stdout.flush()
