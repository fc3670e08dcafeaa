"""Chat with the core in a terminal, like Telegram but in plain text; reads stdin."""

from __future__ import annotations

from typing import TextIO

from bot.engine import Engine
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
        titles = ", ".join(engine.knowledge.answer(t).title for t in reply.related)
        lines.append(f"Related: {titles}")
    return "\n".join(lines)


def chat(engine: Engine, stdin: TextIO, stdout: TextIO, interactive: bool = True) -> int:
    """Run a conversation until end of input or 'quit'; return the exit code."""
    state = ConversationState()
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
        turn = engine.respond(line, state)
        state = turn.state
        stdout.write("bot> " + render(turn.reply, engine).replace("\n", "\n     ") + "\n\n")
        stdout.flush()
