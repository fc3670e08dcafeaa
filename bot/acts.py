"""Tell small talk ("thanks, bye", "refs pls", "you're useless") from questions; pure.

A whole message is one dialogue act: a small-talk kind from intents/smalltalk.yaml, a request
for sources, or a question for the topic matcher. A logistic regression over the message's
words, word pairs and its first and last word decides, learned from the phrasings in
intents/ (every topic and out-of-scope phrasing is a `question`), training/acts/ and the
tuned-on conversations' turns by `python -m bot tune acts`, which writes
bot/models/acts.json with the data hash, the cross-validated figures and the probability a
small-talk act needs to be taken as one.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from bot.analyzer import Analyzer
from bot.thresholded import Thresholded

MODEL_PATH = Path(__file__).resolve().parent / "models" / "acts.json"
QUESTION = "question"
FEEDBACK = "feedback"  # a complaint about the last reply
# The acts that end a chat: a message closing with one of them has said what it came to say.
CLOSINGS = frozenset({"thanks", "goodbye"})
# A clause: the words between two punctuation marks.
CLAUSE = re.compile(r"[^,.!?;:\n]+")


@dataclass(frozen=True, slots=True)
class ActParams(Thresholded):
    """The learned act model, the probability an act needs, and the lower ones it needs in
    a message the topic matcher has no answer for (first, and after an answer)."""

    unanswered: float = 1.0
    unanswered_later: float = 1.0

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> ActParams:
        """Read the model file; a missing or malformed file is a KnowledgeError."""
        return cls.read(path, "act model", "acts", "unanswered", "unanswered_later")


class Acts:
    """Classify a whole message as a dialogue act."""

    def __init__(self, analyzer: Analyzer, params: ActParams | None) -> None:
        self._analyzer = analyzer
        self._params = params

    def features(self, text: str) -> dict[str, float]:
        """Return the model's features of a message."""
        tokens = self._analyzer.canonical(self._analyzer.tokens(text))
        f: dict[str, float] = {f"len:{min(len(tokens), 12)}": 1.0}
        if "?" in text:
            f["qmark"] = 1.0
        if not tokens:
            return f
        f[f"first:{tokens[0]}"] = 1.0
        f[f"last:{tokens[-1]}"] = 1.0
        unknown = 0
        for token in tokens:
            f[f"w:{token}"] = 1.0
            if not self._analyzer.known or token in self._analyzer.known:
                f[f"s:{self._analyzer.stem(token)}"] = 1.0
            else:
                unknown += 1
        if unknown:
            # A share, not a count: nine unknown tokens (a name, an e-mail address, a phone
            # number) made a count nine times a weight, and "…: price of bitcoin today?" small
            # talk at 0.999.
            f["unknown"] = unknown / len(tokens)
        for a, b in itertools.pairwise(tokens):
            f[f"b:{a}_{b}"] = 1.0
        return f

    def classify(self, text: str) -> tuple[str, float]:
        """Return the message's act and its probability (a question when unsure)."""
        if self._params is None:
            return QUESTION, 1.0
        probs = self._params.model.proba(self.features(text))
        # Two questions in one: is this small talk at all (every act but a question counts,
        # so "cool ty", split between thanks and ack, is small talk), and which act is it.
        small = 1.0 - probs.get(QUESTION, 0.0)
        if small < self._params.threshold:
            return QUESTION, probs.get(QUESTION, 0.0)
        act = max((a for a in probs if a != QUESTION), key=lambda a: probs[a])
        return act, small

    def unanswered(self, text: str, later: bool = False) -> tuple[str, float] | None:
        """Return the small-talk act of a message no topic answers, or None if it is none.

        later: the chat has an answer already.
        """
        # "gotcha, I'll ring the pharmacy" is small talk at 0.95, short of the 0.96 a
        # message needs before the topics are tried (questions taken for small talk cost
        # the most there); once no topic answers it, the choice is between small talk and
        # "I have no answer", and a lower bar, learned on out-of-scope questions, will do.
        if self._params is None:
            return None
        probs = self._params.model.proba(self.features(text))
        small = 1.0 - probs.get(QUESTION, 0.0)
        # After an answer, a message that asks nothing ("10-4", "merci, je demanderai à ma
        # sage-femme jeudi") is more often a closing than a request the first messages' bar
        # was set against: its own bar is learned on the conversations' later turns.
        need = (self._params.unanswered_later if later and "?" not in text
                else self._params.unanswered)
        if small < need:
            return None
        return max((a for a in probs if a != QUESTION), key=lambda a: probs[a]), small

    def closing(self, text: str) -> tuple[str, float] | None:
        """Return the thanks or goodbye that ends a message of several clauses asking nothing."""
        # "I'll raise it with my GP next week. Appreciate the help.": the plan's words make
        # the whole message too much like a question for either threshold, while its last
        # clause is a closing by the act model's full threshold. What a message says last is
        # what it does: "thanks, now convert 30 euros to dollars" is a request. Only when no
        # topic answers it, it has no question mark and the whole reads likelier not a
        # question than one (even odds).
        if self._params is None or "?" in text:
            return None
        clauses = [c.strip() for c in CLAUSE.findall(text) if c.strip()]
        if len(clauses) < 2:
            return None
        if self._params.model.proba(self.features(text)).get(QUESTION, 0.0) >= 0.5:
            return None
        act, p = self.classify(clauses[-1])
        return (act, p) if act in CLOSINGS else None

    def reads(self, text: str) -> bool:
        """Tell whether the act model learned a weight for any word of a message."""
        if self._params is None:
            return False
        weights = self._params.model.weights
        return any(name.startswith("w:") and name in weights for name in self.features(text))

    def act(self, text: str) -> str:
        """Return the message's act alone."""
        return self.classify(text)[0]
