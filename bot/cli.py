"""Command line: chat, ask, check, eval, unanswered, the Telegram bot...; reads files and env.

Domain errors (bad content, bad settings) become one line on stderr and exit code 2; they
are raised as BotError subclasses by the core and translated only here, at the edge.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import inbox as inbox_mod
from bot import settings as settings_mod
from bot.commands import Keeping
from bot.engine import Engine
from bot.errors import BotError
from bot.inbox import Inbox, inbox_path
from bot.reply import ConversationState
from bot.settings import Settings

log = logging.getLogger("bot")

NO_TOKEN = """\
TELEGRAM_BOT_TOKEN is not set, so the bot cannot connect to Telegram.
  - To get a token: open Telegram, talk to @BotFather, send /newbot and follow the steps;
    then run:  TELEGRAM_BOT_TOKEN=123456:ABC... python -m bot
  - To chat in this terminal instead:  python -m bot chat
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bot",
        description="Cysteine & NAC information bot. With no command: the Telegram bot.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="Telegram if TELEGRAM_BOT_TOKEN is set, else the terminal chat")
    sub.add_parser("telegram", help="run the Telegram bot (needs TELEGRAM_BOT_TOKEN)")
    sub.add_parser("chat", help="chat with the bot in this terminal")
    ask = sub.add_parser("ask", help="answer one question, or one per line from stdin")
    ask.add_argument("question", nargs="*", help="the question (omit to read stdin)")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    sub.add_parser("check", help="validate knowledge.yaml and intents/; exit 1 on problems")
    bench = sub.add_parser("bench", help="measure matcher latency, throughput, start-up, memory")
    bench.add_argument("--questions", type=int, default=2000, help="questions per size")
    ev = sub.add_parser("eval", help="accuracy, confusions, calibration on a labelled file")
    ev.add_argument("file", type=Path, help="YAML list of {q, expect} questions, of {text, "
                    "level} safety messages, or of conversations {id, turns} (or a folder)")
    ev.add_argument("--misses", action="store_true", help="also list every miss")
    ev.add_argument("--min-accuracy", type=float, default=None, metavar="FRACTION",
                    help="exit 1 when in-scope accuracy is below this (e.g. 0.95)")
    un = sub.add_parser("unanswered", help="questions the bot could not answer, grouped "
                        "(reads DATA_DIR/inbox.sqlite3)")
    un.add_argument("--json", action="store_true", help="print the groups as JSON")
    un.add_argument("--export", type=Path, metavar="FILE", help="write the groups as draft "
                    "intent phrasings (YAML) to FILE, for review; never into intents/")
    tune = sub.add_parser("tune", help="fit the learned numbers from the data (developers)")
    tune.add_argument("steps", nargs="*",
                      help="steps to run (default: all): matching, safety, acts, crisis, context")
    return p


def _engine(settings: Settings) -> Engine:
    """Load the content, checking its structure only (YAML, fields, ids, sources).

    The full check (every phrasing through the engine) takes seconds; it runs in
    `python -m bot check`, in CI and in the Docker build, not at every start.
    """
    return Engine.from_paths(settings.knowledge_path, settings.intents_dir)


def _ask(engine: Engine, question: Sequence[str], as_json: bool) -> int:
    lines = [" ".join(question)] if question else sys.stdin.read().splitlines()
    out = sys.stdout
    # A line {"conversation": "c1", "text": "..."} is answered in that conversation's state;
    # a plain line is a question on its own.
    states: dict[str, ConversationState] = {}
    for line in lines:
        conversation, text = _conversation_line(line)
        turn = engine.respond(text, states.get(conversation) if conversation else None)
        if conversation is not None:
            states[conversation] = turn.state
        if as_json:
            data = turn.reply.to_json()
            if conversation is not None:
                data = {"conversation": conversation, **data}
            out.write(json.dumps(data, ensure_ascii=False) + "\n")
        else:
            out.write(turn.reply.text + "\n\n")
    return 0


def _unanswered(settings: Settings, as_json: bool, export: Path | None) -> int:
    """Print the inbox's questions in groups, or write them as draft phrasings."""
    from bot import unanswered

    path = inbox_path(settings.data_dir)
    try:
        questions = inbox_mod.read_questions(path)
    except sqlite3.Error as exc:
        sys.stderr.write(f"error: cannot read {path}: {exc}\n")
        return 2
    groups = unanswered.group(questions)
    if export is not None:
        if export.resolve().is_relative_to(settings.intents_dir.resolve()):
            sys.stderr.write(f"error: --export: {export} is inside {settings.intents_dir}; "
                             "drafts are for review, write them elsewhere\n")
            return 2
        export.write_text(unanswered.as_drafts(groups), encoding="utf-8")
        sys.stdout.write(f"wrote {len(groups)} groups ({len(questions)} questions) to "
                         f"{export}\n")
        return 0
    out = unanswered.as_json if as_json else unanswered.as_text
    sys.stdout.write(out(groups, len(questions)))
    return 0


def _conversation_line(line: str) -> tuple[str | None, str]:
    """Return (conversation id, text) of a JSON line, or (None, line) for a plain one."""
    if not line.lstrip().startswith("{"):
        return None, line
    try:
        data = json.loads(line)
    except ValueError:
        return None, line
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return None, line
    conversation = data.get("conversation")
    return (str(conversation) if conversation is not None else None), data["text"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = settings_mod.from_env(os.environ)
        logging.basicConfig(
            level=getattr(logging, settings.log_level),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        command = args.command or "telegram"
        if command == "run":
            command = "telegram" if settings.token else "chat"
        if command in ("chat", "ask", "eval", "check", "bench", "tune"):
            # The terminal is for people: keep per-question logs out of their way.
            logging.getLogger("bot").setLevel(logging.WARNING)
        if command == "check":
            from bot.devtools.check import run_check

            return run_check(settings.knowledge_path, settings.intents_dir, sys.stdout)
        if command == "unanswered":
            return _unanswered(settings, args.json, args.export)
        if command == "telegram" and settings.token is None:
            sys.stderr.write(NO_TOKEN)
            return 2
        if command == "bench":
            from bot.devtools.bench import run_bench

            return run_bench(settings, args.questions, sys.stdout)
        if command == "tune":
            from bot.devtools.tune import run_tune

            return run_tune(settings, args.steps, sys.stdout)
        if command == "telegram":
            from bot.telegram.app import run_telegram

            return run_telegram(settings, lambda: _engine(settings))
        engine = _engine(settings)
        if command == "chat":
            from bot.console import chat

            keeping = Keeping(settings.state_ttl_seconds, persistent=False,
                              inbox_days=settings.inbox_retention_days if settings.inbox
                              else None)
            inbox = Inbox(inbox_path(settings.data_dir) if settings.inbox else None,
                          settings.inbox_retention_days)
            try:
                return chat(engine, sys.stdin, sys.stdout, sys.stdin.isatty(), keeping,
                            inbox=inbox)
            finally:
                inbox.close()
        if command == "ask":
            return _ask(engine, args.question, args.json)
        if command == "eval":
            from bot.devtools import conversations, safety_eval

            if conversations.is_conversation_file(args.file):
                return conversations.run(engine, args.file, args.misses, sys.stdout)
            if safety_eval.is_safety_file(args.file):
                return safety_eval.run(engine, args.file, args.misses, sys.stdout)
            from bot.devtools.evaluate import evaluate, load_cases

            report = evaluate(engine, load_cases(args.file))
            print(report.summary())
            print(report.details())
            for m in report.misses if args.misses else ():
                print(f"  expected {m.expect}, got {m.kind} {m.topic} ({m.confidence:.2f}): "
                      f"{m.question}")
            if args.min_accuracy is not None and report.in_scope_accuracy < args.min_accuracy:
                print(f"in-scope accuracy {report.in_scope_accuracy:.1%} is below "
                      f"{args.min_accuracy:.1%}")
                return 1
            return 0
        raise AssertionError(f"unhandled command {command}")  # pragma: no cover
    except BotError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        return 130
