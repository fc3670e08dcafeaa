"""Detect emergencies in a message before any matching; pure.

Phrases come from intents/emergency.yaml. They are matched on repaired, canonical but
unstemmed words, in order, with a small gap allowed between their words, so "my toddler ate
some of my NAC" meets "{child} {swallow} {pill}".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.analyzer import Analyzer
from bot.intents import EmergencyRules
from bot.normalize import words

MAX_GAP = 2  # words allowed between two words of a phrase
MANY_NUMBER = 5  # "took 30 tylenol": a count this high reads as "many"
UNITS = frozenset({"mg", "g", "gram", "grams", "mcg", "ml", "kg", "lb", "lbs", "x", "percent"})

Pattern = tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Emergency:
    """A detected emergency: its category and the phrase that revealed it."""

    category: str
    phrase: str


class EmergencyDetector:
    """Find the first emergency category whose phrases occur in a message."""

    def __init__(self, rules: EmergencyRules, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._sets = {name: frozenset(self._tokens(" ".join(v))) for name, v in rules.sets.items()}
        self._person = frozenset(self._tokens(" ".join(rules.person)))
        self._questions = [self._compile(p) for p in rules.questions]
        self._always: list[tuple[str, str, Pattern]] = []
        self._unless: list[tuple[str, str, Pattern]] = []
        for cat in rules.categories:
            self._always.extend((cat.id, p, self._compile(p)) for p in cat.always)
            self._unless.extend((cat.id, p, self._compile(p)) for p in cat.unless_question)

    def _tokens(self, text: str) -> list[str]:
        return self._analyzer.canonical([self._analyzer.repair(w) for w in text.split()])

    def _compile(self, phrase: str) -> Pattern:
        pattern: list[frozenset[str]] = []
        for word in phrase.split():
            if word.startswith("{") and word.endswith("}"):
                pattern.append(self._sets[word[1:-1]] | {f"<{word[1:-1]}>"})
            else:
                pattern.extend(frozenset({t}) for t in self._tokens(word))
        return tuple(pattern)

    def tokens(self, text: str) -> list[str]:
        """Return the words phrases are matched against."""
        tokens = self._tokens(" ".join(words(text)))
        # A large count not followed by a unit reads as "many" ("took 30 tylenol").
        return [
            "<many>"
            if t.isdigit()
            and int(t[:6]) >= MANY_NUMBER
            and (i + 1 == len(tokens) or tokens[i + 1] not in UNITS)
            else t
            for i, t in enumerate(tokens)
        ]

    def detect(self, text: str) -> Emergency | None:
        """Return the emergency in text, or None."""
        tokens = self.tokens(text)
        if not tokens:
            return None
        for category, phrase, pattern in self._always:
            if _occurs(pattern, tokens):
                return Emergency(category, phrase)
        found = next(((c, p) for c, p, pat in self._unless if _occurs(pat, tokens)), None)
        if found is None:
            return None
        names_someone = any(t in self._person for t in tokens)
        asks_generally = any(_occurs(q, tokens) for q in self._questions)
        if asks_generally and not names_someone:
            return None
        return Emergency(*found)


def _occurs(pattern: Pattern, tokens: Sequence[str]) -> bool:
    """Tell whether the pattern's words occur in order with at most MAX_GAP words between."""
    if not pattern:
        return False
    first = pattern[0]
    for start, token in enumerate(tokens):
        if token in first and _rest(pattern, 1, tokens, start + 1):
            return True
    return False


def _rest(pattern: Pattern, k: int, tokens: Sequence[str], pos: int) -> bool:
    if k == len(pattern):
        return True
    for j in range(pos, min(pos + MAX_GAP + 1, len(tokens))):
        if tokens[j] in pattern[k] and _rest(pattern, k + 1, tokens, j + 1):
            return True
    return False
