"""The tuning tools: calibration figures and the committed matching model."""

from __future__ import annotations

import pytest

from bot.devtools.evaluate import calibration
from bot.devtools.tune import STEPS
from bot.tuned import load

CASES = [([0.05, 0.05, 0.95, 0.95], [False, False, True, True], 0.05),
         ([0.9, 0.9], [False, False], 0.9)]


@pytest.mark.parametrize(("probs", "right", "ece"), CASES, ids=["calibrated", "overconfident"])
def test_expected_calibration_error(probs: list[float], right: list[bool], ece: float) -> None:
    assert calibration(probs, right).ece == pytest.approx(ece)


def test_the_committed_model_loads_with_ordered_thresholds() -> None:
    t = load().thresholds
    assert 0.0 <= t.clarify <= t.answer <= 1.0


def test_tune_has_a_matching_step() -> None:
    assert "matching" in STEPS
