"""Accuracy on held-out questions the matcher never saw (tests/eval/questions.yaml).

The questions were written separately from intents/ and are never copied into it; the
matcher was tuned on tests/eval/dev*.yaml and on cross-validation over intents/ instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.devtools.evaluate import Report, evaluate, load_cases
from bot.engine import Engine
from bot.normalize import fold

EVAL = Path(__file__).resolve().parent / "eval"


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    return evaluate(engine, load_cases(EVAL / "questions.yaml"))


def test_the_set_is_large_and_varied(report: Report) -> None:
    assert (report.in_scope + report.out_of_scope + report.emergencies >= 250,
            report.out_of_scope >= 60, report.emergencies >= 20) == (True, True, True)


def test_held_out_questions_are_not_in_intents(engine: Engine) -> None:
    phrasings = {fold(e.text) for e in engine.intents.examples}
    leaked = [c.question for c in load_cases(EVAL / "questions.yaml")
              if fold(c.question) in phrasings]
    assert leaked == []


def test_in_scope_accuracy(report: Report) -> None:
    assert report.in_scope_accuracy >= 0.95, report.summary()


def test_out_of_scope_rarely_gets_a_topic(report: Report) -> None:
    assert report.out_of_scope_answer_rate <= 0.03, report.summary()


def test_no_emergency_is_missed(report: Report) -> None:
    assert report.emergencies_missed == 0, report.summary()


def test_false_emergencies_are_rare(report: Report) -> None:
    assert report.false_emergency_rate <= 0.01, report.summary()
