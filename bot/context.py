"""Read a message after an answer with that answer, or on its own; pure.

After an answer on glutathione, "so would NAC fix that" asks about glutathione, though it
names the subject; after one on sulfur mustard, "how long were those guys on it" asks about
that study, though "guys" reads as men, whom another answer names. Hand rules (a word count,
"names the subject", "names another answer") missed such turns and could not learn from
them. Here a logistic regression decides between the message's own reading and its reading
with the last answer's title, whenever the two differ: it reads both readings' confidence
and kind, whether the message names the subject, another answer or the last one, its length,
unknown words and how far the word model puts it out of scope. It is learned from the tuned-
on conversations by `python -m bot tune context`, which writes bot/models/context.json with
the data hash, the figures with each file's conversations held out, and the probability
switching needs, read off those held-out figures.
"""

from __future__ import annotations

from pathlib import Path

from bot.learn import Features
from bot.thresholded import Thresholded

MODEL_PATH = Path(__file__).resolve().parent / "models" / "context.json"
WITH_LAST = "with_last"  # the reading with the last answer is right, the own one is not
ALONE = "alone"  # the message's own reading is right, the one with the last answer is not


class ContextParams(Thresholded):
    """The learned context model and the probability switching to the last answer needs."""

    __slots__ = ()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ContextParams:
        """Read the model file; a missing or malformed file is a KnowledgeError."""
        return cls.read(path, "context model", "context")


class Context:
    """Decide whether a message after an answer is read with that answer."""

    def __init__(self, params: ContextParams | None) -> None:
        self._params = params

    def with_last(self, features: Features) -> tuple[bool, float]:
        """Return whether to take the reading with the last answer, and its probability."""
        if self._params is None:
            return False, 0.0
        p = self._params.model.proba(features).get(WITH_LAST, 0.0)
        return p >= self._params.threshold, p
