"""The learner: it separates what can be separated, deterministically, and round-trips JSON."""

from __future__ import annotations

import json

import pytest

from bot.learn import Model, fit, folds

SAMPLES = [{"pill": 1.0, "now": 1.0}, {"pill": 1.0, "ago": 1.0}, {"hi": 1.0},
           {"pill": 1.0, "now": 1.0, "sick": 1.0}, {"ago": 1.0}, {"hello": 1.0}]
LABELS = ["emergency", "note", "none", "emergency", "note", "none"]


def test_fit_separates_the_training_data() -> None:
    model = fit(SAMPLES, LABELS, epochs=60)
    predicted = [max(model.proba(x).items(), key=lambda kv: kv[1])[0] for x in SAMPLES]
    assert predicted == LABELS


def test_fit_is_deterministic_for_a_seed() -> None:
    assert fit(SAMPLES, LABELS, seed=3).to_json() == fit(SAMPLES, LABELS, seed=3).to_json()


def test_model_round_trips_through_json() -> None:
    model = fit(SAMPLES, LABELS)
    again = Model.from_json(json.loads(json.dumps(model.to_json())))
    assert again.proba({"pill": 1.0}) == pytest.approx(model.proba({"pill": 1.0}), abs=1e-5)


def test_malformed_model_is_rejected() -> None:
    with pytest.raises(ValueError):
        Model.from_json({"classes": ["a", "b"], "bias": [0.0], "weights": {}})


def test_folds_cover_every_index_once() -> None:
    parts = folds(10, 3, seed=1)
    assert sorted(i for part in parts for i in part) == list(range(10))
