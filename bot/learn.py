"""A small multinomial logistic regression over sparse named features; pure, no I/O.

The runtime only scores (a dot product per class); fitting runs in the developer tools
(`python -m bot tune`), seeded, so the same data always gives the same model. Models travel
as JSON-safe dicts, written to files that are committed next to the data hash they came from.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot import packed

Features = Mapping[str, float]
# A model with more feature rows than this is stored packed, not a readable row per feature.
READABLE_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Model:
    """Per-class weights of named features; predicts class probabilities."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    weights: Mapping[str, Sequence[float]]

    def logits(self, features: Features) -> list[float]:
        """Return one raw score per class."""
        out = list(self.bias)
        for name, value in features.items():
            row = self.weights.get(name)
            if row is not None:
                for k, w in enumerate(row):
                    out[k] += w * value
        return out

    def proba(self, features: Features) -> dict[str, float]:
        """Return the probability of each class."""
        return dict(zip(self.classes, softmax(self.logits(features)), strict=True))

    def to_json(self) -> dict[str, Any]:
        """Return the model as a JSON-safe dict (weights rounded, zero rows dropped).

        A small model stays readable, a row per feature; a large one is packed (bot/packed.py).
        """
        rows = {name: [round(w, 6) for w in row] for name, row in sorted(self.weights.items())
                if any(abs(w) >= 1e-6 for w in row)}
        out: dict[str, Any] = {"classes": list(self.classes),
                               "bias": [round(b, 6) for b in self.bias]}
        if len(rows) <= READABLE_ROWS:
            out["weights"] = rows
        else:
            out["features"] = list(rows)
            out["packed"] = packed.pack((w for row in rows.values() for w in row), packed.FLOATS)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        """Return the model in a dict made by to_json (ValueError if malformed)."""
        classes = tuple(str(c) for c in data["classes"])
        bias = tuple(float(b) for b in data["bias"])
        if len(bias) != len(classes):
            raise ValueError("the model needs one bias per class")
        if "packed" in data:
            names = data["features"]
            if not all(isinstance(n, str) for n in names):
                raise ValueError("every feature name must be a string")
            table = packed.floats(data["packed"])
            return cls(classes, bias, packed.Rows(names, table, len(classes)))
        weights = {str(k): tuple(v) for k, v in data["weights"].items()}
        if any(len(r) != len(classes) for r in weights.values()):
            raise ValueError("every weight row needs one number per class")
        try:
            # One pass in C: a weight that is not a number fails here, at start.
            math.fsum(itertools.chain.from_iterable(weights.values()))
        except TypeError:
            raise ValueError("every weight must be a number") from None
        return cls(classes, bias, MappingProxyType(weights))


def softmax(logits: Sequence[float]) -> list[float]:
    """Return the probabilities of these raw scores."""
    top = max(logits)
    exps = [math.exp(v - top) for v in logits]
    total = sum(exps)
    return [e / total for e in exps]


def fit(
    samples: Sequence[Features],
    labels: Sequence[str],
    *,
    l2: float = 1e-3,
    epochs: int = 40,
    rate: float = 0.3,
    seed: int = 0,
    sample_weights: Sequence[float] | None = None,
) -> Model:
    """Fit a model by seeded stochastic gradient descent with AdaGrad steps and L2."""
    if len(samples) != len(labels) or not samples:
        raise ValueError("need as many labels as samples, and at least one")
    classes = tuple(sorted(set(labels)))
    index = {c: k for k, c in enumerate(classes)}
    n_classes = len(classes)
    weights: dict[str, list[float]] = {}
    grad2: dict[str, list[float]] = {}
    bias = [0.0] * n_classes
    bias_g2 = [1e-8] * n_classes
    order = list(range(len(samples)))
    rng = random.Random(seed)
    sw = sample_weights or [1.0] * len(samples)
    for _ in range(epochs):
        rng.shuffle(order)
        for i in order:
            x, y, weight = samples[i], index[labels[i]], sw[i]
            logits = list(bias)
            for name, value in x.items():
                row = weights.get(name)
                if row is not None:
                    for k in range(n_classes):
                        logits[k] += row[k] * value
            probs = softmax(logits)
            for k in range(n_classes):
                g = weight * (probs[k] - (1.0 if k == y else 0.0))
                bias_g2[k] += g * g
                bias[k] -= rate * g / math.sqrt(bias_g2[k])
            for name, value in x.items():
                row = weights.setdefault(name, [0.0] * n_classes)
                acc = grad2.setdefault(name, [1e-8] * n_classes)
                for k in range(n_classes):
                    g = weight * (probs[k] - (1.0 if k == y else 0.0)) * value + l2 * row[k]
                    acc[k] += g * g
                    row[k] -= rate * g / math.sqrt(acc[k])
    frozen = {name: tuple(row) for name, row in weights.items()}
    return Model(classes, tuple(bias), MappingProxyType(frozen))


def folds(n: int, k: int, seed: int = 0) -> list[list[int]]:
    """Return k disjoint, seeded, near-equal folds of the indices 0..n-1."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]
