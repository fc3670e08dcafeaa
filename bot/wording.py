"""A discriminative word model: which topic (out-of-scope included) a question's words point to.

The matcher's other features compare a question with the closest phrasing or a topic's
vocabulary; this one is a multinomial logistic regression over the question's words and
word pairs, fitted on every phrasing at once (`python -m bot tune matching`). It learns which
words set topics apart, and, with the out-of-scope phrasings as a class of their own, which
words point away from every topic. Pure: scoring is a dot product per topic.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot import packed
from bot.analyzer import Analysis
from bot.learn import Features, Model, fit, softmax

# Fitting (set by hand, measured by 5-fold top-1 accuracy on intents/: 10 epochs and L2 1e-4
# gave 83.4%, 20 epochs and 1e-5 83.3%, 10 epochs and 1e-3 82.5%).
EPOCHS = 10
L2 = 1e-4
SEED = 0
# Storage: weights within CUT of their row's median are dropped, the rest kept to CUT_DIGITS
# decimals (set by hand; measured by the cross-validated figures of `tune matching`).
CUT = 0.05
CUT_DIGITS = 2


def features(analysis: Analysis) -> Features:
    """Return a question's word features: its terms and neighbouring word pairs, unit length."""
    out = {f"w:{t}": 1.0 for t in analysis.terms}
    stems = analysis.words
    for a, b in itertools.pairwise(stems):
        out[f"b:{a}_{b}"] = 1.0
    # Unit length, so a long story does not shout down a short question.
    scale = len(out) ** -0.5 if out else 0.0
    return {k: v * scale for k, v in out.items()}


def train(rows: Sequence[tuple[str, Analysis]]) -> WordModel:
    """Fit the word model on (topic, analysed phrasing) rows, seeded."""
    dense = fit([features(a) for _, a in rows], [t for t, _ in rows], l2=L2, epochs=EPOCHS,
                seed=SEED)
    return sparse(dense)


def proba(model: WordModel | None, analysis: Analysis) -> Mapping[str, float]:
    """Return each topic's probability under the word model (empty when there is none)."""
    if model is None:
        return {}
    return model.proba(features(analysis))


@dataclass(frozen=True, slots=True)
class WordModel:
    """The fitted word model, stored sparse: per feature, the topics it moves and by how much."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    rows: Mapping[str, tuple[Sequence[int], Sequence[float]]]  # feature -> (topics, weights)

    def proba(self, x: Features) -> dict[str, float]:
        """Return the probability of each topic."""
        logits = list(self.bias)
        for name, value in x.items():
            row = self.rows.get(name)
            if row is not None:
                for k, w in zip(*row, strict=True):
                    logits[k] += w * value
        return dict(zip(self.classes, softmax(logits), strict=True))

    def to_json(self) -> dict[str, Any]:
        """Return the model as a JSON-safe dict, its rows packed (bot/packed.py)."""
        names = sorted(self.rows)
        ends, end = [], 0
        for name in names:
            end += len(self.rows[name][0])
            ends.append(end)
        return {"classes": list(self.classes), "bias": list(self.bias), "features": names,
                "ends": packed.pack(ends, packed.INTS),
                "topics": packed.pack((k for n in names for k in self.rows[n][0]), packed.INTS),
                "weights": packed.pack((w for n in names for w in self.rows[n][1]),
                                       packed.FLOATS)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WordModel:
        """Return the model in a dict made by to_json (ValueError if malformed)."""
        classes = tuple(str(c) for c in data["classes"])
        bias = tuple(map(float, data["bias"]))
        if len(bias) != len(classes):
            raise ValueError("the word model needs one bias per topic")
        names = data["features"]
        if not all(isinstance(n, str) for n in names):
            raise ValueError("every feature name of the word model must be a string")
        rows = packed.SparseRows(names, packed.ints(data["ends"]),
                                 packed.ints(data["topics"]),
                                 packed.floats(data["weights"]), len(classes))
        return cls(classes, bias, rows)


def sparse(model: Model, digits: int = CUT_DIGITS, cut: float = CUT) -> WordModel:
    """Return the fitted model in sparse form, small enough to load fast.

    A softmax does not change when the same number is added to every topic's weight of a
    feature, so each row is moved by its median first; what is left near zero is dropped.
    """
    rows = {}
    for name, row in model.weights.items():
        mid = statistics.median(row)
        kept = [(k, round(w - mid, digits)) for k, w in enumerate(row) if abs(w - mid) >= cut]
        if kept:
            rows[name] = (tuple(k for k, _ in kept), tuple(w for _, w in kept))
    return WordModel(model.classes, tuple(round(b, digits) for b in model.bias), rows)
