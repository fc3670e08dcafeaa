"""Measure the engine on a labelled question set; pure apart from load_cases, which reads it.

Labels: an answer id (the question must get that answer), `out-of-scope` (it must not get an
answer) or `emergency` (it must get emergency guidance).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.yamlfile import Fields, read_yaml

OUT_OF_SCOPE = "out-of-scope"
EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled question."""

    question: str
    expect: str


@dataclass(frozen=True, slots=True)
class Miss:
    """A question the engine got wrong."""

    question: str
    expect: str
    kind: str
    topic: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Report:
    """Rates on one question set (fractions 0-1) and the misses behind them."""

    in_scope: int
    in_scope_right: int
    in_scope_clarified: int
    out_of_scope: int
    out_of_scope_answered: int
    emergencies: int
    emergencies_missed: int
    non_emergencies: int
    false_emergencies: int
    misses: tuple[Miss, ...] = field(default=())

    @property
    def in_scope_accuracy(self) -> float:
        """Share of in-scope questions answered with the right topic."""
        return self.in_scope_right / self.in_scope if self.in_scope else 1.0

    @property
    def out_of_scope_answer_rate(self) -> float:
        """Share of out-of-scope questions wrongly answered with a topic."""
        return self.out_of_scope_answered / self.out_of_scope if self.out_of_scope else 0.0

    @property
    def false_emergency_rate(self) -> float:
        """Share of non-emergencies answered as emergencies."""
        return self.false_emergencies / self.non_emergencies if self.non_emergencies else 0.0

    def summary(self) -> str:
        """Return the rates as a few readable lines."""
        return "\n".join([
            f"in scope: {self.in_scope_right}/{self.in_scope} answered with the right topic "
            f"({self.in_scope_accuracy:.1%}); {self.in_scope_clarified} more got a "
            "'did you mean' listing the right topic",
            f"out of scope: {self.out_of_scope_answered}/{self.out_of_scope} answered with a "
            f"topic ({self.out_of_scope_answer_rate:.1%})",
            f"emergencies: {self.emergencies - self.emergencies_missed}/{self.emergencies} "
            f"detected; false emergencies: {self.false_emergencies}/{self.non_emergencies} "
            f"({self.false_emergency_rate:.1%})",
        ])


def load_cases(path: Path) -> list[Case]:
    """Read a YAML list of {q, expect}."""
    data = read_yaml(path)
    if not isinstance(data, list):
        raise KnowledgeError(str(path), None, "expected a list of {q, expect}")
    cases = []
    for n, item in enumerate(data):
        f = Fields(item, str(path), f"[{n}]")
        f.only(("q", "expect"))
        cases.append(Case(f.text("q"), f.text("expect")))
    return cases


def evaluate(engine: Engine, cases: Sequence[Case]) -> Report:
    """Run every case through a fresh conversation and count what went right."""
    counts: Counter[str] = Counter()
    misses = []
    for case in cases:
        reply = engine.respond(case.question).reply
        emergency = reply.kind == "emergency"
        if case.expect == EMERGENCY:
            counts["emergencies"] += 1
            ok = emergency
            counts["emergencies_missed"] += not ok
        else:
            counts["non_emergencies"] += 1
            counts["false_emergencies"] += emergency
            if case.expect == OUT_OF_SCOPE:
                counts["out_of_scope"] += 1
                ok = reply.kind != "answer" and not emergency
                counts["out_of_scope_answered"] += reply.kind == "answer"
            else:
                counts["in_scope"] += 1
                ok = reply.kind == "answer" and reply.topic == case.expect
                counts["in_scope_right"] += ok
                counts["in_scope_clarified"] += (
                    reply.kind == "clarify" and case.expect in reply.choices
                )
        if not ok:
            misses.append(Miss(case.question, case.expect, reply.kind, reply.topic,
                               reply.confidence))
    return Report(
        in_scope=counts["in_scope"],
        in_scope_right=counts["in_scope_right"],
        in_scope_clarified=counts["in_scope_clarified"],
        out_of_scope=counts["out_of_scope"],
        out_of_scope_answered=counts["out_of_scope_answered"],
        emergencies=counts["emergencies"],
        emergencies_missed=counts["emergencies_missed"],
        non_emergencies=counts["non_emergencies"],
        false_emergencies=counts["false_emergencies"],
        misses=tuple(misses),
    )
