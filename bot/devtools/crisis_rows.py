"""Write the crisis follow-ups of the tuned-on conversations to training/crisis; reads files.

The crisis model learned from follow-ups to emergencies the writers meant, so it had seen
almost no message sent after an emergency the bot misread: "his GP floated NAC for the thick
gunk on his chest" after a carer's story read as suicidal talk stayed in that crisis for five
turns. Here the tuned-on conversations are played through the engine, and every message the
bot reads inside a crisis, or that follows an emergency its writer meant, becomes a row
labelled by what its writer expected: emergency -> stays; small talk -> thanks; anything else
-> moves_on (the emergency, real or misread, is over for the writer). The rows depend on the
models that decide which messages are emergencies; re-run this after a safety re-fit, then
`python -m bot tune crisis context`.

    python -m bot.devtools.crisis_rows
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot.crisis import MOVES_ON, STAYS, THANKS
from bot.devtools import conversations as conversations_mod
from bot.engine import Engine
from bot.normalize import fold
from bot.reply import ConversationState
from bot.settings import ROOT

DATA_DIR = ROOT / "training" / "crisis"
PREFIX = "played-"
# The tuned-on final sets' conversations, in groups that the threshold holds out one at a
# time: scored once each and trained on since. Sets 33-40 stay a check (their misses are read,
# no model learns from their turns), set 49 on is held out, and the dev conversations share
# cases with the tests.
GROUPS = {"final-1-12": range(1, 13), "final-13-32": range(13, 33),
          "final-41-48": range(41, 49)}
HEADER = """\
# Messages read inside a crisis, or sent after an emergency their writer meant, in {what}
# (writers who never saw the rules), labelled by what their writers expected: emergency ->
# stays; small talk -> thanks; anything else -> moves_on. certainty: how sure the bot was of
# the emergency. Written by `python -m bot.devtools.crisis_rows` with the models of its day
# (which messages are read as emergencies); do not edit by hand.
"""


def sources(group: str, root: Path = ROOT) -> list[Path]:
    """Return the conversation files of one group."""
    finals = [root / "tests" / ("final" if n == 1 else f"final{n}") / "conversations.yaml"
              for n in GROUPS[group]]
    return [p for p in finals if p.exists()]


def label(expect: Sequence[str]) -> str | None:
    """Return the crisis reading a writer's expectation stands for (None: it allows any)."""
    if "emergency" in expect:
        return STAYS
    if "any" in expect or ("smalltalk" in expect and set(expect) != {"smalltalk"}):
        return None  # "any reply", or small talk or something else: no reading to learn
    return THANKS if "smalltalk" in expect else MOVES_ON


def rows(engine: Engine, conversations: Iterable[conversations_mod.Conversation]
         ) -> list[dict[str, Any]]:
    """Return a row for every message read in a crisis or after a meant emergency."""
    out: list[dict[str, Any]] = []
    for conversation in conversations:
        state = ConversationState()
        meant: tuple[str, float] | None = None  # the emergency the writer is still in
        for step in conversation.steps:
            if state.crisis is not None:
                kind, certainty = state.crisis, state.certainty
            elif meant is not None:
                kind, certainty = meant
            else:
                kind = None
            reading = label(step.expect)
            if kind is not None and reading is not None:
                out.append({"text": step.user, "label": reading, "kind": kind,
                            "certainty": round(certainty, 3)})
            assessed = engine.safety.assess(step.user)
            turn = engine.respond(step.user, state)
            if "emergency" not in step.expect:
                meant = None
            elif turn.state.crisis is not None:
                meant = (turn.state.crisis, turn.state.certainty)
            elif meant is None:
                meant = (assessed.kind or "general", assessed.p_emergency)
            state = turn.state
    return out


def run(out: TextIO = sys.stdout, data_dir: Path = DATA_DIR) -> dict[str, list[dict[str, Any]]]:
    """Play each group's conversations and write its rows, none twice in the crisis files."""
    engine = Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
    topics = [a.id for a in engine.knowledge.answers]
    seen = {fold(str(item["text"])) for other in sorted(data_dir.glob("*.yaml"))
            if not other.name.startswith(PREFIX)
            for item in yaml.safe_load(other.read_text(encoding="utf-8")) or []}
    written: dict[str, list[dict[str, Any]]] = {}
    for group in GROUPS:
        # Ids repeat across sets written apart: each file is read on its own.
        found = [row for source in sources(group)
                 for row in rows(engine, conversations_mod.load([source], topics))]
        kept = []
        for row in found:
            if (key := fold(row["text"])) not in seen:
                seen.add(key)
                kept.append(row)
        what = f"final sets {group.removeprefix('final-')}' conversations"
        path = data_dir / f"{PREFIX}{group}.yaml"
        path.write_text(HEADER.format(what=what) + yaml.safe_dump(
            kept, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
        out.write(f"{path.name}: {len(kept)} rows {dict(Counter(r['label'] for r in kept))} "
                  f"({len(found) - len(kept)} already there)\n")
        written[group] = kept
    return written


if __name__ == "__main__":
    run()
