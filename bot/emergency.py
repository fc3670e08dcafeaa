"""The emergency phrase syntax and the finder of curated phrase lists in a message; pure.

This is the one module that knows the rule syntax of intents/emergency.yaml. Phrases are
matched on repaired, canonical but unstemmed words, in order, with a small gap allowed
between their words, so "my toddler ate some of my NAC" meets "{child} {swallow} {pill}".
Phrase syntax:
  word      that word          {set}   any word of the set
  word*     any word starting so       ...     up to LONG_GAP words may come between
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.analyzer import Analyzer
from bot.intents import EmergencyRules
from bot.normalize import words

MAX_GAP = 2  # words allowed between two words of a phrase
LONG_GAP = 6  # words allowed where a phrase says "..."
MANY_NUMBER = 8  # "took 30 tylenol": a count this high reads as "many"
# A count followed by one of these is an amount or a time, not a number of pills.
UNITS = frozenset({
    "mg", "g", "gram", "grams", "mcg", "ml", "kg", "lb", "lbs", "percent", "year", "years",
    "yr", "yrs", "yo", "month", "months", "week", "weeks", "day", "days", "hour", "hours",
    "hr", "hrs", "minute", "minutes", "min", "mins", "am", "pm", "oclock", "times", "pounds",
})
COUNT_WORDS = {
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "dozen": "12",
    "thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
    "eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
    "fourty": "40", "fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80",
    "ninety": "90",
}
MAX_PILL_COUNT = 100  # "nac 600" is a dose in mg, not six hundred pills
NUMBER = "<number>"
YEAR = "<year>"  # "overdosed in 2015": a year dates a past story
YEARS = (1950, 2049)  # what a large count becomes among the words of a message


@dataclass(frozen=True, slots=True)
class Step:
    """One word of a phrase: the words it accepts and how far it may be from the last one."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    gap: int

    def accepts(self, token: str) -> bool:
        """Tell whether a message word fills this step."""
        return token in self.exact or token.startswith(self.prefixes)


Pattern = tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class _Category:
    id: str
    groups: tuple[tuple[str, tuple[Pattern, ...]], ...]  # (kind of phrase, its patterns)
    together: tuple[tuple[tuple[Pattern, ...], ...], ...]


# The kinds of phrase a category may list; each found kind is a finding "<category>:<kind>".
CATEGORY_GROUPS = ("always", "unless_question", "experience", "with_person", "questions")
# The message-wide phrase lists; each found list is a finding of its own name.
CONTEXT_GROUPS = ("person", "questions", "stories", "now", "informational", "harmless")


class PhraseFinder:
    """Find which of the curated emergency phrase lists occur in a message.

    The phrases decide nothing by themselves: what they found becomes evidence for the safety
    model (bot/safety.py), whose weights are learned from labelled messages.
    """

    def __init__(self, rules: EmergencyRules, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._sets = {name: frozenset(self._tokens(" ".join(v))) for name, v in rules.sets.items()}
        self._context = {
            name: tuple(self._compile(p) for p in getattr(rules, name)) for name in CONTEXT_GROUPS
        }
        self._cues = {name: tuple(self._compile(p) for p in phrases)
                      for name, phrases in rules.cues.items()}
        self._categories = [
            _Category(
                id=c.id,
                groups=tuple((g, tuple(self._compile(p) for p in getattr(c, g)))
                             for g in CATEGORY_GROUPS),
                together=tuple(
                    tuple(tuple(self._compile(p) for p in group) for group in rule)
                    for rule in c.together
                ),
            )
            for c in rules.categories
        ]
        self.categories: tuple[str, ...] = tuple(c.id for c in self._categories)
        # Index every phrase by the words of its most selective step: a message then only
        # scans the phrases one of its words can start.
        self._index: dict[str, list[int]] = {}
        self._always_scan: set[int] = set()
        self._patterns: dict[int, Pattern] = {id(p): p for p in self._all_patterns()}
        # Each list as the ids of its phrases: a message's hits are then checked against a
        # set, not against every phrase of every list (a third of the safety model's time).
        self._context_ids = {name: _ids(group) for name, group in self._context.items()}
        self._cue_ids = {name: _ids(group) for name, group in self._cues.items()}
        self._category_ids = [
            (cat.id, tuple((g, _ids(group)) for g, group in cat.groups),
             tuple(tuple(_ids(group) for group in rule) for rule in cat.together))
            for cat in self._categories
        ]
        for pattern in self._patterns.values():
            exact = [step.exact for step in pattern if not step.prefixes]
            if not exact:
                self._always_scan.add(id(pattern))
                continue
            for word in min(exact, key=len):
                self._index.setdefault(word, []).append(id(pattern))

    def _all_patterns(self) -> list[Pattern]:
        out = [p for group in (*self._context.values(), *self._cues.values()) for p in group]
        for cat in self._categories:
            out.extend(p for _, group in cat.groups for p in group)
            out.extend(p for rule in cat.together for group in rule for p in group)
        return out

    def _tokens(self, text: str) -> list[str]:
        return self._analyzer.canonical(self._analyzer.tokens(text))

    def _compile(self, phrase: str) -> Pattern:
        steps: list[Step] = []
        gap = MAX_GAP
        for word in phrase.split():
            if word == "...":
                gap = LONG_GAP
                continue
            if word.startswith("{") and word.endswith("}"):
                name = word[1:-1]
                accepted = ({NUMBER} if name == "number" else {YEAR} if name == "year"
                            else self._sets[name])
                steps.append(Step(frozenset(accepted | ({NUMBER} if name == "many" else set())),
                                  (), gap))
            elif word.endswith("*"):
                steps.append(Step(frozenset(), (word[:-1].lower(),), gap))
            else:
                steps.extend(Step(frozenset({t}), (), gap) for t in self._tokens(word))
            gap = MAX_GAP
        return tuple(steps)

    def tokens(self, text: str) -> list[str]:
        """Return the words phrases are matched against."""
        # "thirty pills" is a count too; spell counts out before typo repair sees them.
        spelled = " ".join(COUNT_WORDS.get(w, w) for w in words(text))
        tokens = self._tokens(spelled)
        # A large count not followed by a unit reads as "many" ("took 30 tylenol").
        return [
            YEAR if t.isdecimal() and len(t) == 4 and YEARS[0] <= int(t) <= YEARS[1]
            else NUMBER
            if t.isdecimal()
            and MANY_NUMBER <= int(t[:6]) < MAX_PILL_COUNT
            and (i + 1 == len(tokens) or tokens[i + 1] not in UNITS)
            else t
            for i, t in enumerate(tokens)
        ]

    def find(self, tokens: Sequence[str]) -> frozenset[str]:
        """Return the names of the phrase lists that occur in these tokens."""
        if not tokens:
            return frozenset()
        present = frozenset(tokens)
        candidates = set(self._always_scan)
        for token in present:
            candidates.update(self._index.get(token, ()))
        # Every phrase that occurs, found once; the lists below only look them up.
        hits = {pid for pid in candidates if _occurs(self._patterns[pid], tokens, present)}

        found = {name for name, ids in self._context_ids.items() if not hits.isdisjoint(ids)}
        found.update(f"cue:{name}" for name, ids in self._cue_ids.items()
                     if not hits.isdisjoint(ids))
        for cat_id, groups, together in self._category_ids:
            found.update(f"{cat_id}:{g}" for g, ids in groups if not hits.isdisjoint(ids))
            if any(all(not hits.isdisjoint(ids) for ids in rule) for rule in together):
                found.add(f"{cat_id}:together")
        return frozenset(found)


def _ids(patterns: Sequence[Pattern]) -> frozenset[int]:
    """Return the ids of a list's phrases, as find() records its hits."""
    return frozenset(map(id, patterns))


def _occurs(pattern: Pattern, tokens: Sequence[str], present: frozenset[str]) -> bool:
    """Tell whether the pattern's steps occur in order within their gaps."""
    if not pattern:
        return False
    # Most phrases miss a word outright: a set test settles those without scanning.
    for step in pattern:
        if not step.prefixes and step.exact.isdisjoint(present):
            return False
    exact, prefixes = pattern[0].exact, pattern[0].prefixes
    for i, t in enumerate(tokens):
        if (t in exact or t.startswith(prefixes)) and _rest(pattern, 1, tokens, i + 1):
            return True
    return False


def _rest(pattern: Pattern, k: int, tokens: Sequence[str], pos: int) -> bool:
    """Tell whether steps k... of the pattern occur from position pos on."""
    if k == len(pattern):
        return True
    step = pattern[k]
    exact, prefixes = step.exact, step.prefixes
    for j in range(pos, min(pos + step.gap + 1, len(tokens))):
        t = tokens[j]
        if (t in exact or t.startswith(prefixes)) and _rest(pattern, k + 1, tokens, j + 1):
            return True
    return False


def rule_texts(rules: EmergencyRules) -> Iterator[str]:
    """Yield the words of every emergency phrase list, placeholders left out."""
    for values in rules.sets.values():
        yield from values
    yield from rules.person
    yield from rules.questions
    for values in rules.cues.values():
        yield from values
    for cat in rules.categories:
        for phrase in (*cat.always, *cat.unless_question):
            yield " ".join(w for w in phrase.split() if not w.startswith("{"))
