"""A discriminative word model: which topic (out-of-scope included) a question's words point to.

The matcher's other features compare a question with the closest phrasing or a topic's
vocabulary; this one is a multinomial logistic regression over the question's words, word
pairs and the letter runs inside its longer words, fitted on every phrasing at once
(`python -m bot tune matching`). It learns which words set topics apart, and, with the
out-of-scope phrasings as a class of their own, which words point away from every topic.
Pure: scoring is a dot product per topic.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import packed
from bot.analyzer import Analysis
from bot.learn import Features, Model, fit, softmax

# Fitting (set by hand, measured by top-1 accuracy out of fold: on intents/ alone, 10 epochs
# and L2 1e-4 gave 83.4%, 20 epochs and 1e-5 83.3%, 10 epochs and 1e-3 82.5%; with the letter
# runs below, one fold of intents/ and training/questions/, 1e-5 kept in-scope accuracy at
# 87.9% and took out-of-scope recall from 92.4% to 94.1%; 20 epochs, 88.3% and 93.2% at
# twice the fitting time).
EPOCHS = 10
L2 = 1e-5
SEED = 0
# Storage: weights within CUT of their row's median are dropped, the rest kept to CUT_DIGITS
# decimals (set by hand; measured by the cross-validated figures of `tune matching`).
CUT = 0.05
CUT_DIGITS = 2
SCALE = 10.0 ** -CUT_DIGITS
# Letter runs of 3 to 5 characters inside words of 4 or more letters: they carry a typo or
# another language's form of a word ("glutatión", "cisteína", "sistine") to the topic its
# neighbours point to. Each weighs 0.4 of a word (set by hand; one fold of the training data,
# word model alone, top-1 on in-scope: words and pairs 80.7%; runs of 4 at 0.5, 86.3%;
# 3-5 at 0.2, 86.6%; 3-5 at 0.4, 88.0%; 3-5 at 1.0, 87.8%, with out-of-scope recall
# 95.5%, 93.9%, 94.7%, 93.7%, 92.5%).
CHAR_RUNS = (3, 5)
CHAR_MIN_LENGTH = 4
CHAR_WEIGHT = 0.4
# At most this many words keep their summed letter runs (each a row of topic weights).
WORD_SUMS = 20_000


def runs(token: str) -> list[str]:
    """Return a word's letter runs, marked at its ends, repeats kept (none for a short word)."""
    if len(token) < CHAR_MIN_LENGTH:
        return []
    marked = f"<{token}>"
    low, high = CHAR_RUNS
    return [marked[i:i + n] for n in range(low, high + 1) for i in range(len(marked) - n + 1)]


def _word_features(analysis: Analysis) -> dict[str, float]:
    out = {f"w:{t}": 1.0 for t in analysis.terms}
    for a, b in itertools.pairwise(analysis.words):
        out[f"b:{a}_{b}"] = 1.0
    return out


# A word of n letters (n >= CHAR_MIN_LENGTH), marked at both ends, has n + 3 - k runs of k
# letters: RUNS_PER_LETTER * n - RUNS_LESS in all, worked out from the lengths alone.
RUNS_PER_LETTER = CHAR_RUNS[1] - CHAR_RUNS[0] + 1
RUNS_LESS = sum(k - 3 for k in range(CHAR_RUNS[0], CHAR_RUNS[1] + 1))
_UNSEEN: list[float] = []  # marks a feature whose row has not been looked up yet


def features(analysis: Analysis) -> Features:
    """Return a question's word features: terms, word pairs and letter runs, unit length."""
    out = _word_features(analysis)
    n_words, n_runs = len(out), 0
    # Each distinct word adds its letter runs, a run two words share counted twice: then a
    # word's runs sum to one row, kept, and no question has to count its shared runs (an
    # eighth of the word model's time when they counted once).
    for token in set(analysis.tokens):
        for run in runs(token):
            out[f"c:{run}"] = out.get(f"c:{run}", 0.0) + CHAR_WEIGHT
            n_runs += 1
    # Unit length as if every run were apart, so a long story does not shout down a short
    # question; proba_of() gets the same length from the words' lengths alone.
    norm = math.sqrt(n_words + n_runs * CHAR_WEIGHT ** 2)
    return {k: v / norm for k, v in out.items()} if norm else {}


def train(rows: Sequence[tuple[str, Analysis]]) -> WordModel:
    """Fit the word model on (topic, analysed phrasing) rows, seeded."""
    dense = fit([features(a) for _, a in rows], [t for t, _ in rows], l2=L2, epochs=EPOCHS,
                seed=SEED)
    return compact(dense)


def proba(model: WordModel | None, analysis: Analysis) -> Mapping[str, float]:
    """Return each topic's probability under the word model (empty when there is none)."""
    if model is None:
        return {}
    return model.proba_of(analysis)


@dataclass(frozen=True, slots=True)
class WordModel:
    """The fitted word model: per feature, its weight for every topic (near-zero ones as 0)."""

    classes: tuple[str, ...]
    bias: tuple[float, ...]
    rows: Mapping[str, Sequence[float]]  # feature -> a weight per topic, in classes' order
    scale: float = 1.0  # what one unit of a stored weight is worth
    # Per known word, the sum of its letter runs' rows, worked out by `tune` (bot/packed.py).
    stored_sums: Mapping[str, Sequence[float]] = field(default_factory=dict, compare=False)
    # Per word seen in a question, the sum of its runs' rows times CHAR_WEIGHT, worked out
    # the first time.
    word_sums: dict[str, Sequence[float]] = field(
        default_factory=dict, compare=False, repr=False)
    # Per feature seen in a question, its row as a list (None: an unknown feature).
    feature_rows: dict[str, list[float] | None] = field(default_factory=dict, compare=False,
                                                        repr=False)

    def forget(self) -> None:
        """Drop every kept sum and row (the benchmark times a fresh start)."""
        self.word_sums.clear()
        self.feature_rows.clear()

    def proba_of(self, analysis: Analysis) -> dict[str, float]:
        """Return the probability of each topic for an analysed question: proba(features)."""
        # The letter runs are four in five of a question's weights to add up: summed per
        # word once and kept, they cost one row per word, not one per run. Rows are added up
        # column by column (zip and sum run in C): a Python loop over each weight was a third
        # of the matcher's time.
        words = _word_features(analysis)
        long_words = {t for t in analysis.tokens if len(t) >= CHAR_MIN_LENGTH}
        run_rows = [self._word_runs(t) for t in long_words]
        n_runs = RUNS_PER_LETTER * sum(map(len, long_words)) - RUNS_LESS * len(long_words)
        norm = math.sqrt(len(words) + n_runs * CHAR_WEIGHT ** 2)
        if not norm:
            return self.proba({})
        # Rows looked up before come straight from the dict; a method call each was a fifth
        # of this function's time.
        kept = self.feature_rows.get
        word_rows = [row for name in words
                     if (row := kept(name, _UNSEEN)) is not None
                     and (row is not _UNSEEN or (row := self._row(name)) is not None)]
        rows = word_rows + run_rows
        total = list(map(sum, zip(*rows, strict=True))) if rows else [0.0] * len(self.classes)
        v = self.scale / norm
        logits = [b + v * x for b, x in zip(self.bias, total, strict=True)]
        return dict(zip(self.classes, softmax(logits), strict=True))

    def _word_runs(self, token: str) -> Sequence[float]:
        """Return the sum of a word's letter-run rows times CHAR_WEIGHT, kept for next time."""
        found = self.word_sums.get(token)
        if found is not None:
            return found
        total = self.stored_sums.get(token)
        if total is None:
            total = self.run_sum(token)
        if len(self.word_sums) >= WORD_SUMS:
            self.word_sums.clear()  # a bound, not a policy: real chats reuse a few thousand
        # Weighed once here, the runs add up with the words' rows in one pass.
        found = self.word_sums[token] = [CHAR_WEIGHT * x for x in total]
        return found

    def _sum(self, names: Iterable[str]) -> list[float]:
        """Return the sum of these features' rows (unknown ones add nothing)."""
        rows = [row for name in names if (row := self.rows.get(name)) is not None]
        return list(map(sum, zip(*rows, strict=True))) if rows else [0.0] * len(self.classes)

    def _row(self, name: str) -> list[float] | None:
        """Return one feature's row as a list, kept for next time (None: an unknown feature)."""
        # Numbers read from a list are made once; read from the packed array, every sum
        # would make them again.
        try:
            return self.feature_rows[name]
        except KeyError:
            row = self.rows.get(name)
            found = None if row is None else list(row)
            if len(self.feature_rows) >= WORD_SUMS:
                self.feature_rows.clear()
            self.feature_rows[name] = found
            return found

    def proba(self, x: Features) -> dict[str, float]:
        """Return the probability of each topic."""
        # A question's features share a few values (words and pairs one, letter runs another):
        # rows are summed per value and multiplied once.
        sums: dict[float, list[Sequence[float]]] = {}
        for name, value in x.items():
            row = self.rows.get(name)
            if row is not None:
                sums.setdefault(value, []).append(row)
        logits = list(self.bias)
        for value, rows in sums.items():
            factor = value * self.scale
            for k, total in enumerate(map(sum, zip(*rows, strict=True))):
                logits[k] += total * factor
        return dict(zip(self.classes, softmax(logits), strict=True))

    def run_sum(self, token: str) -> list[float]:
        """Return the sum of one word's letter-run rows, repeats counted, as stored units."""
        return self._sum(f"c:{run}" for run in runs(token))

    def to_json(self, known: Sequence[str] = ()) -> dict[str, Any]:
        """Return the model as a JSON-safe dict, its rows packed (bot/packed.py).

        The weights are whole hundredths, stored as 16-bit numbers, a row of one per topic
        for each feature: as float64 the word model was 26 MB and took a tenth of a second
        more to load; stored sparse (topic numbers beside the weights) it took a little less
        room, but a row then had to be spread out, in Python, before it could be added.
        known: words whose letter-run sums are stored too, so that no message waits for them
        (the sum of whole hundredths is whole hundredths, so they add up exactly).
        """
        names = sorted(self.rows)
        return {"classes": list(self.classes), "bias": list(self.bias), "features": names,
                "hundredths": packed.pack((round(w * self.scale / SCALE) for n in names
                                           for w in self.rows[n]), packed.HUNDREDTHS),
                **self._sums_json(known)}

    def _sums_json(self, known: Sequence[str]) -> dict[str, Any]:
        words = sorted({w for w in known if runs(w)})
        sums = [round(x * self.scale / SCALE) for w in words for x in self.run_sum(w)]
        return {"summed_words": words, "summed": packed.pack(sums, packed.WIDE)}

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
        rows = packed.Rows(names, packed.ints(data["hundredths"], packed.HUNDREDTHS),
                           len(classes))
        summed = data.get("summed_words", [])
        if not all(isinstance(w, str) for w in summed):
            raise ValueError("every summed word of the word model must be a string")
        sums = (packed.Rows(summed, packed.ints(data["summed"], packed.WIDE), len(classes))
                if summed else {})
        return cls(classes, bias, rows, SCALE, sums)


def compact(model: Model, digits: int = CUT_DIGITS, cut: float = CUT) -> WordModel:
    """Return the fitted model with its near-zero weights cut, small enough to load fast.

    A softmax does not change when the same number is added to every topic's weight of a
    feature, so each row is moved by its median first; what is left near zero becomes zero,
    and a row left all zero is dropped.
    """
    rows = {}
    for name, row in model.weights.items():
        mid = statistics.median(row)
        kept = tuple(round(w - mid, digits) if abs(w - mid) >= cut else 0.0 for w in row)
        if any(kept):
            rows[name] = kept
    return WordModel(model.classes, tuple(round(b, digits) for b in model.bias), rows)
