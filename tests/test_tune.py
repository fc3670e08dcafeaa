"""The tuning tools: calibration figures and the committed matching model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import stems
from bot.devtools.evaluate import calibration
from bot.devtools.tune import STEPS
from bot.engine import Engine
from bot.learn import Model
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


def test_stored_stems_are_the_stemmers_own(engine: Engine) -> None:
    # The file only saves time at start: every stem in it is what the stemmer says, and it
    # covers every word the analyzer knows (or a start would stem them again).
    stored = stems.load()
    assert stored, "bot/models/stems.json is missing or from another snowballstemmer"
    assert engine.analyzer.known <= stored.keys()
    assert {w: s for w, s in stored.items() if engine.analyzer.stem_fresh(w) != s} == {}


def test_stems_from_another_stemmer_version_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "stems.json"
    path.write_text(json.dumps({"snowballstemmer": "0.0", "stems": {"running": "x"}}))
    assert stems.load(path) == {}


def test_a_model_with_a_weight_that_is_not_a_number_fails_at_load() -> None:
    data = {"classes": ["a", "b"], "bias": [0.0, 0.0], "weights": {"w:x": [0.5, "oops"]}}
    with pytest.raises(ValueError, match="number"):
        Model.from_json(data)
