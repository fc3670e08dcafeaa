"""The learner: it separates what can be separated, deterministically, and round-trips JSON."""

from __future__ import annotations

import json

import pytest

from bot import packed
from bot.learn import READABLE_ROWS, Model, fit, folds

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


def test_a_large_model_is_packed_and_loads_the_same_numbers() -> None:
    names = [f"w:{i}" for i in range(READABLE_ROWS + 1)]
    model = Model(("a", "b"), (0.1, -0.1), {n: ((i + 1) / 8, -(i + 1) / 4)
                                               for i, n in enumerate(names)})
    data = json.loads(json.dumps(model.to_json()))
    assert "weights" not in data and len(data["features"]) == len(names)
    again = Model.from_json(data)
    x = {"w:5": 1.0, "w:1000": 0.5, "unknown": 1.0}
    assert again.logits(x) == model.logits(x)  # exactly: float64 round-trips


@pytest.mark.parametrize(("change", "error"), [
    ({"packed": "not base64!"}, "malformed"),
    ({"features": ["w:a", "w:b"]}, "need 4 numbers, not 6"),
    ({"features": ["w:a", "w:a", "w:b"]}, "twice"),
    ({"bias": [0.0]}, "one bias per class"),
], ids=["bad-base64", "rows-and-numbers-disagree", "duplicate-feature", "bias-missing"])
def test_a_malformed_packed_model_is_rejected(change: dict[str, object], error: str) -> None:
    data = {"classes": ["a", "b"], "bias": [0.0, 0.0], "features": ["w:a", "w:b", "w:c"],
            "packed": packed.pack([0.5, -0.5, 1.0, -1.0, 0.0, 0.25], packed.FLOATS)}
    with pytest.raises(ValueError, match=error):
        Model.from_json({**data, **change})


def test_malformed_model_is_rejected() -> None:
    with pytest.raises(ValueError):
        Model.from_json({"classes": ["a", "b"], "bias": [0.0], "weights": {}})


def test_folds_cover_every_index_once() -> None:
    parts = folds(10, 3, seed=1)
    assert sorted(i for part in parts for i in part) == list(range(10))
