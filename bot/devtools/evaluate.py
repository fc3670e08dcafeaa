"""Measure the engine on a labelled question set; pure apart from load_cases, which reads it.

Labels: an answer id (the question must get that answer), `out-of-scope` (it must not get an
answer) or `emergency` (it must get emergency guidance). Besides the rates, a report holds
per-topic precision and recall, the confusions (asked X, answered Y), the calibration of the
confidence (expected calibration error and a reliability table) and a threshold sweep.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.intents import OUT_OF_SCOPE_TOPIC
from bot.yamlfile import Fields, read_yaml

EMERGENCY = "emergency"


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled question."""

    question: str
    expect: str
    also: tuple[str, ...] = ()  # other topics whose answer would do as well

    def resolved(self, topic: str | None, offered: tuple[str, ...]) -> Case:
        """Return the case with the acceptable topic the reply gave or offered first."""
        for candidate in (topic, *offered):
            if candidate in self.also:
                return Case(self.question, candidate)
        return self


@dataclass(frozen=True, slots=True)
class Miss:
    """A question the engine got wrong."""

    question: str
    expect: str
    kind: str
    topic: str | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Calibration:
    """How well probabilities match how often they are right."""

    ece: float  # expected calibration error: the mean |confidence - accuracy| over bins
    bins: tuple[tuple[float, float, int, float, float], ...]  # low, high, n, mean p, accuracy


def calibration(probs: Sequence[float], correct: Sequence[bool], n_bins: int = 10
                ) -> Calibration:
    """Return the expected calibration error and the reliability table (equal-width bins)."""
    rows = []
    ece = 0.0
    total = len(probs)
    for b in range(n_bins):
        low, high = b / n_bins, (b + 1) / n_bins
        idx = [i for i, p in enumerate(probs)
               if low <= p < high or (b == n_bins - 1 and p == 1.0)]
        if not idx:
            continue
        mean_p = sum(probs[i] for i in idx) / len(idx)
        acc = sum(correct[i] for i in idx) / len(idx)
        ece += len(idx) / total * abs(mean_p - acc)
        rows.append((low, high, len(idx), mean_p, acc))
    return Calibration(ece, tuple(rows))


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
    # topic: (answered right, answered it wrongly, asked but not answered right)
    per_topic: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    confusions: tuple[tuple[str, str, int], ...] = ()  # asked, answered, how many
    calibration: Calibration | None = None
    # threshold, in-scope answered right, in-scope answered wrong, out-of-scope answered
    sweep: tuple[tuple[float, int, int, int], ...] = ()

    @property
    def score(self) -> float:
        """In-scope accuracy counting a "did you mean" that lists the asked topic as half."""
        if not self.in_scope:
            return 1.0
        return (self.in_scope_right + 0.5 * self.in_scope_clarified) / self.in_scope

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
            f"'did you mean' listing the right topic (score with those as half: "
            f"{self.score:.1%})",
            f"out of scope: {self.out_of_scope_answered}/{self.out_of_scope} answered with a "
            f"topic ({self.out_of_scope_answer_rate:.1%})",
            f"emergencies: {self.emergencies - self.emergencies_missed}/{self.emergencies} "
            f"detected; false emergencies: {self.false_emergencies}/{self.non_emergencies} "
            f"({self.false_emergency_rate:.1%})",
        ])

    def details(self) -> str:
        """Return per-topic figures, confusions, calibration and the threshold sweep."""
        lines = ["", "per topic (answers): precision, recall"]
        for topic, (tp, fp, fn) in sorted(self.per_topic.items()):
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            lines.append(f"  {topic:<28} {precision:6.1%} {recall:6.1%}   "
                         f"({tp} right, {fp} wrongly given, {fn} missed)")
        lines.append("")
        lines.append("confusions (asked -> answered):" if self.confusions else "no confusions")
        lines.extend(f"  {n} x {asked} -> {got}" for asked, got, n in self.confusions)
        if self.calibration is not None:
            lines.append("")
            lines.append(f"calibration of the confidence (is the best topic right?): "
                         f"ECE {self.calibration.ece:.3f}")
            lines.append("  confidence     n   mean p  right")
            for low, high, n, mean_p, acc in self.calibration.bins:
                lines.append(f"  {low:.1f}-{high:.1f}  {n:5d}  {mean_p:6.2f}  {acc:6.2f}")
        if self.sweep:
            lines.append("")
            lines.append("threshold sweep (answer when confidence >= t; margin ignored):")
            lines.append("     t   in scope right   wrong answers   out of scope answered")
            n_in, n_oos = max(self.in_scope, 1), max(self.out_of_scope, 1)
            for t, right, wrong, oos in self.sweep:
                lines.append(f"  {t:.2f}   {right:4d} ({right / n_in:6.1%})   {wrong:4d}"
                             f"            {oos:4d} ({oos / n_oos:5.1%})")
        return "\n".join(lines)


def load_cases(path: Path) -> list[Case]:
    """Read a YAML list of {q, expect} (expect: one topic or a list of acceptable ones;
    `kind` and `label` may annotate a question and are not read)."""
    data = read_yaml(path)
    if not isinstance(data, list):
        raise KnowledgeError(str(path), None, "expected a list of {q, expect}")
    cases = []
    for n, item in enumerate(data):
        f = Fields(item, str(path), f"[{n}]")
        f.only(("q", "expect"), ("kind", "label"))
        expect = f.data["expect"]
        if isinstance(expect, list) and expect and all(isinstance(e, str) for e in expect):
            cases.append(Case(f.text("q"), expect[0], tuple(expect[1:])))
        else:
            cases.append(Case(f.text("q"), f.text("expect")))
    return cases


def evaluate(engine: Engine, cases: Sequence[Case]) -> Report:
    """Run every case through a fresh conversation and count what went right."""
    counts: Counter[str] = Counter()
    misses = []
    topic_counts: dict[str, list[int]] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    probs: list[float] = []
    best_right: list[bool] = []
    expects: list[str] = []
    for case in cases:
        reply = engine.respond(case.question).reply
        case = case.resolved(reply.topic, reply.choices)
        emergency = reply.kind == "emergency"
        if case.expect == EMERGENCY:
            counts["emergencies"] += 1
            ok = emergency
            counts["emergencies_missed"] += not ok
        else:
            counts["non_emergencies"] += 1
            counts["false_emergencies"] += emergency
            decision = engine.decide(engine.analyzer.analyze(case.question))
            probs.append(decision.confidence)
            best_right.append(decision.best == case.expect)
            expects.append(case.expect)
            if reply.kind == "answer" and reply.topic:
                row = topic_counts.setdefault(reply.topic, [0, 0, 0])
                row[0 if reply.topic == case.expect else 1] += 1
            if case.expect == OUT_OF_SCOPE_TOPIC:
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
                    topic_counts.setdefault(case.expect, [0, 0, 0])[2] += 1
            if reply.kind == "answer" and reply.topic != case.expect:
                confusions[(case.expect, reply.topic or "")] += 1
        if not ok:
            misses.append(Miss(case.question, case.expect, reply.kind, reply.topic,
                               reply.confidence))
    sweep = []
    for step in range(1, 20):
        t = step / 20
        right = sum(p >= t and r and e != OUT_OF_SCOPE_TOPIC
                    for p, r, e in zip(probs, best_right, expects, strict=True))
        wrong = sum(p >= t and not r and e != OUT_OF_SCOPE_TOPIC
                    for p, r, e in zip(probs, best_right, expects, strict=True))
        oos = sum(p >= t and e == OUT_OF_SCOPE_TOPIC for p, e in zip(probs, expects, strict=True))
        sweep.append((t, right, wrong, oos))
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
        per_topic={k: (v[0], v[1], v[2]) for k, v in topic_counts.items()},
        confusions=tuple((a, b, n) for (a, b), n in confusions.most_common()),
        calibration=calibration(probs, best_right) if probs else None,
        sweep=tuple(sweep),
    )
