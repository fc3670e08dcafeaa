"""Multi-turn conversation tests: load them, play them through the engine, judge each reply.

A file is a YAML list of conversations, in the spirit of Rasa's test stories:

    - id: toddler-pills
      turns:
        - user: "my toddler got into my pill bottle"
          expect: emergency
        - user: "it was NAC 600mg"
          expect: emergency
          must_not: ["used in studies"]
        - user: "what is glutathione"
          expect: glutathione

`expect` is a topic id (that answer), a list of choices (any is right), or one of: emergency,
note (a safety note on top; `topic:` may name the answer under it), sources, fallback,
smalltalk, clarify, more (the details of the last answer, or, once they were sent, that
this was everything, with the related topics) or any. `must` and `must_not` list
words the reply must or must not contain (case-insensitive). Every reply is also held to
the rules that hold for all: never the same reply twice in a row, no amount in milligrams
in emergency guidance. Reads files; the engine is pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.reply import ConversationState, Reply, Turn
from bot.yamlfile import Fields, read_yaml

KINDS = ("emergency", "note", "sources", "fallback", "smalltalk", "clarify", "more", "any")
DOSE = re.compile(r"\d\s*(mg|g|grams?|mcg|ml)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Step:
    """One user message and what the reply to it must be."""

    user: str
    expect: tuple[str, ...]
    topic: str | None = None
    must: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Conversation:
    """A conversation to play from a fresh state."""

    id: str
    steps: tuple[Step, ...]
    file: str


@dataclass(frozen=True, slots=True)
class Judged:
    """One reply and what is wrong with it (nothing, when right)."""

    conversation: str
    turn: int
    user: str
    expect: tuple[str, ...]
    got: str
    problems: tuple[str, ...]
    # A "did you mean" that lists an expected topic, with nothing else wrong: not right, but
    # one tap from it (the question report counts such a reply as half right, as here).
    offered: bool = False

    @property
    def ok(self) -> bool:
        """Tell whether the reply was right."""
        return not self.problems


def load(paths: Iterable[Path], topics: Iterable[str] = ()) -> list[Conversation]:
    """Read conversation files (or every *.yaml in a folder); check labels against topics."""
    known = set(topics) | set(KINDS)
    out: list[Conversation] = []
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    for path in files:
        data = read_yaml(path) or []
        top = Fields({"conversations": data}, str(path), "top level")
        for n, item in enumerate(top.items("conversations")):
            c = Fields(item, str(path), f"conversations[{n}]")
            c.only(("id", "turns"), ("writer",))
            c.entry = f"conversation '{c.text('id')}'"
            steps = []
            for k, raw in enumerate(c.items("turns")):
                t = Fields(raw, str(path), f"{c.entry} turn {k + 1}")
                t.only(("user", "expect"), ("topic", "must", "must_not"))
                expect_raw = t.data["expect"]
                expect = tuple(str(e) for e in (expect_raw if isinstance(expect_raw, list)
                                                else [expect_raw]))
                unknown = [e for e in expect if known and e not in known]
                if unknown:
                    raise t.error(f"expect '{unknown[0]}' is no topic id nor one of "
                                  f"{', '.join(KINDS)}")
                steps.append(Step(
                    user=t.text("user"), expect=expect, topic=t.optional_text("topic"),
                    must=t.texts("must", allow_empty=True),
                    must_not=t.texts("must_not", allow_empty=True),
                ))
            out.append(Conversation(c.text("id"), tuple(steps), str(path)))
    ids = [c.id for c in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise KnowledgeError(out[0].file, f"conversation '{dupes[0]}'", "duplicate id")
    return out


def describe(reply: Reply) -> str:
    """Return a reply as a short label: its kind, topic and safety note."""
    label = reply.kind if reply.topic is None else f"{reply.kind}:{reply.topic}"
    return f"{label}+note:{reply.note}" if reply.note else label


def judge(step: Step, reply: Reply, previous: Reply | None,
          answered: Reply | None = None) -> tuple[str, ...]:
    """Return what is wrong with a reply to one step (empty when it is right).

    answered: the last answer of the conversation, which "more" asks about (by default the
    previous reply, when it was one).
    """
    problems: list[str] = []
    if answered is None and previous is not None and previous.kind == "answer":
        answered = previous
    if not any(_fits(e, step, reply, previous, answered) for e in step.expect):
        problems.append(f"expected {'/'.join(step.expect)}, got {describe(reply)}")
    text = reply.text.casefold()
    problems.extend(f"lacks '{w}'" for w in step.must if w.casefold() not in text)
    problems.extend(f"has '{w}'" for w in step.must_not if w.casefold() in text)
    if previous is not None and reply.text == previous.text:
        problems.append("repeats the previous reply word for word")
    if reply.kind == "emergency" and DOSE.search(reply.text):
        problems.append("emergency guidance names an amount")
    return tuple(problems)


def _fits(expect: str, step: Step, reply: Reply, previous: Reply | None,
          answered: Reply | None) -> bool:
    if expect == "any":
        return True
    if expect == "note":
        return (reply.note is not None and reply.kind != "emergency"
                and (step.topic is None or reply.topic == step.topic))
    if expect == "more":
        # More on the last answer, though its sources came between ("whats the proof",
        # then "tell me more"): the writers of sets 33-48 expected its details there too.
        if answered is None or previous is None:
            return False
        if reply.kind == "answer":
            return reply.topic == answered.topic and reply.text != previous.text
        # Once the details were sent (a follow-up on the same answer sends them), "more"
        # rightly gets "that's everything the article says", offering the related topics.
        return reply.kind == "smalltalk" and bool(reply.choices) and (
            reply.choices == answered.related)
    if expect in KINDS:
        return reply.kind == expect
    return reply.kind == "answer" and reply.topic == expect


def play(engine: Engine, conversation: Conversation) -> list[Judged]:
    """Play one conversation from a fresh state and judge every reply."""
    state = ConversationState()
    previous: Reply | None = None
    answered: Reply | None = None
    out = []
    for n, step in enumerate(conversation.steps, 1):
        turn = engine.respond(step.user, state)
        state = turn.state
        problems = judge(step, turn.reply, previous, answered)
        offered = (len(problems) == 1 and turn.reply.kind == "clarify"
                   and bool(set(step.expect) & set(turn.reply.choices)))
        out.append(Judged(conversation.id, n, step.user, step.expect, describe(turn.reply),
                          problems, offered))
        previous = turn.reply
        answered = last_answer(answered, turn)
    return out


def last_answer(answered: Reply | None, turn: Turn) -> Reply | None:
    """Return the last answer of a conversation after one more turn (for "more")."""
    if turn.reply.kind == "answer":
        return turn.reply
    if answered is not None and turn.state.last_topic != answered.topic:
        return None  # the chat left that answer (an emergency, a new subject)
    return answered


@dataclass(frozen=True, slots=True)
class Report:
    """Per-turn and per-conversation results."""

    judged: tuple[Judged, ...]

    @property
    def turns_right(self) -> float:
        """Return the share of replies judged right."""
        return sum(j.ok for j in self.judged) / max(1, len(self.judged))

    @property
    def conversations_right(self) -> float:
        """Return the share of conversations whose every reply was right."""
        ids = list(dict.fromkeys(j.conversation for j in self.judged))
        whole = [all(j.ok for j in self.judged if j.conversation == c) for c in ids]
        return sum(whole) / max(1, len(whole))

    def summary(self) -> str:
        """Return the report's headline figures."""
        ids = {j.conversation for j in self.judged}
        right = sum(j.ok for j in self.judged)
        emergencies = [j for j in self.judged if j.expect == ("emergency",)]
        caught = sum(j.got.startswith("emergency") for j in emergencies)
        offered = sum(j.offered for j in self.judged)
        half = (right + offered / 2) / max(1, len(self.judged))
        return (f"conversations: {len(ids)}, turns: {len(self.judged)}\n"
                f"  replies right: {right}/{len(self.judged)} ({self.turns_right:.1%}); "
                f"{offered} more got a 'did you mean' listing the right topic "
                f"(with those as half: {half:.1%})\n"
                f"  conversations all right: {self.conversations_right:.1%}\n"
                f"  emergency turns given emergency guidance: {caught}/{len(emergencies)}")


def evaluate(engine: Engine, conversations: Sequence[Conversation]) -> Report:
    """Play every conversation and collect the judgements."""
    return Report(tuple(j for c in conversations for j in play(engine, c)))


def run(engine: Engine, path: Path, misses: bool, out: TextIO) -> int:
    """Play the conversations in a file or folder and print the report; return 0."""
    topics = [a.id for a in engine.knowledge.answers]
    report = evaluate(engine, load([path], topics))
    out.write(report.summary() + "\n")
    for j in report.judged if misses else ():
        if not j.ok:
            out.write(f"  {j.conversation} turn {j.turn}: {j.user!r}: {'; '.join(j.problems)}\n")
    return 0


def is_conversation_file(path: Path) -> bool:
    """Tell whether a YAML file (or folder) holds conversations rather than questions."""
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    for file in files:
        data = read_yaml(file)
        if isinstance(data, list) and data:
            return isinstance(data[0], dict) and "turns" in data[0]
    return False
