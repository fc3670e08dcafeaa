"""Score every message for crisis before anything else: emergency, safety note or none; pure.

What the curated phrase lists find (bot/emergency.py), the message's own words and a few
shape cues become features of two learned models (bot/learn.py): one gives the level
(emergency / note / none), one the kind of crisis (overdose, breathing, chest, stroke,
suicide, general). Their weights and the two thresholds come from labelled messages in
training/safety/ through `python -m bot tune safety`, which writes bot/models/safety.json
with the data's hash and the cross-validated figures; nothing here is tuned by hand.
The model keeps the vocabulary it was fitted with (bot/vocabulary.py): its features read
words through an analyzer of its own, so editing a topic's phrasings does not move them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bot.analyzer import Analyzer
from bot.emergency import NUMBER, PhraseFinder, rule_texts
from bot.errors import KnowledgeError
from bot.intents import EmergencyRules
from bot.learn import Model
from bot.vocabulary import Vocabulary

MODEL_PATH = Path(__file__).resolve().parent / "models" / "safety.json"
Level = Literal["emergency", "note", "none"]
# The phrase lists that were written as signs of a crisis; the context lists say whether it is
# happening now. Their pairings are features, so the model can learn "overdose phrase asked
# as a question about the past" apart from "overdose phrase, now".
SIGNS = ("always", "unless_question", "together", "with_person")
CONTEXT = ("person", "questions", "stories", "now", "informational", "harmless")
CHAR_GRAM = 4  # letters per piece of an unknown word ("pastillas"), for other languages
# Chinese and Japanese leave no spaces and say a word in one or two characters: a whole
# message is one "word" to the tokenizer, and four characters would be a phrase, not a word.
DENSE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
DENSE_GRAM = 2
# An emergency that may be suicidal talk gets the crisis line even when another kind scores a
# little higher: that reply also gives the emergency number, the others no crisis line. (Not
# for notes: a suicide note on top of "is NAC safe?" would be wrong and jarring.)
SUICIDE_FLOOR = 0.3


@dataclass(frozen=True, slots=True)
class Assessment:
    """How alarming one message is, what kind of crisis it points to, and its follow-up cues."""

    level: Level
    kind: str
    p_emergency: float  # probability that this is an emergency now
    p_alarm: float  # probability that it is an emergency or calls for a safety note
    cues: frozenset[str]
    kinds: Mapping[str, float] = field(default_factory=dict)  # probability of each kind


def level_of(p_emergency: float, p_alarm: float, emergency_at: float, note_at: float,
             unsure_at: float = 1.0) -> Level:
    """Return the level the probabilities give at these thresholds."""
    if p_emergency >= emergency_at:
        return "emergency"
    return "note" if p_alarm >= note_at or p_emergency >= unsure_at else "none"


@dataclass(frozen=True, slots=True)
class SafetyParams:
    """The learned models and thresholds, as read from bot/models/safety.json."""

    level: Model
    kind: Model
    emergency_at: float  # p_emergency at or above: emergency guidance only
    note_at: float  # p_alarm at or above (and p_emergency below emergency_at): a note on top
    # p_emergency at or above (below emergency_at): a note too. A message that might be an
    # emergency, however its alarm splits, gets a note rather than silence.
    unsure_at: float = 1.0
    # The words the model was fitted with (None: a model file from before it kept them).
    vocabulary: Vocabulary | None = None

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> SafetyParams:
        """Read the model file; a missing or malformed file is a KnowledgeError."""
        try:
            data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                level=Model.from_json(data["level"]),
                kind=Model.from_json(data["kind"]),
                emergency_at=float(data["thresholds"]["emergency"]),
                note_at=float(data["thresholds"]["note"]),
                unsure_at=float(data["thresholds"].get("unsure", 1.0)),
                vocabulary=(Vocabulary.from_json(data["vocabulary"])
                            if "vocabulary" in data else None),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(str(path), None,
                                 f"cannot read the safety model ({exc}); "
                                 "run `python -m bot tune safety`") from None


def own_analyzer(vocabulary: Vocabulary, rules: EmergencyRules,
                 stems: Mapping[str, str] | None = None,
                 english: Mapping[str, float] | None = None) -> Analyzer:
    """Return the analyzer the safety model reads words with: its vocabulary, the live rules."""
    return Analyzer(rule_texts(rules), vocabulary.synonyms, vocabulary.stopwords, stems,
                    english=english, counted=vocabulary.words)


class Safety:
    """Assess messages with the learned safety model."""

    def __init__(self, finder: PhraseFinder, analyzer: Analyzer,
                 params: SafetyParams | None) -> None:
        self.finder = finder
        self._analyzer = analyzer
        self._params = params

    def features(self, text: str) -> tuple[dict[str, float], frozenset[str]]:
        """Return the model's features of a message and the phrase lists found in it."""
        tokens = self.finder.tokens(text)
        found = self.finder.find(tokens)
        f: dict[str, float] = {f"f:{name}": 1.0 for name in found}
        signs = sorted(n for n in found if n.split(":")[-1] in SIGNS and ":" in n
                       and not n.startswith("cue:"))
        context = [c for c in CONTEXT if c in found]
        for sign in signs:
            for c in context:
                f[f"x:{sign}&{c}"] = 1.0
        if signs:
            f["sign"] = 1.0
            for c in context:
                f[f"sign&{c}"] = 1.0
        asks = "?" in text
        if asks:
            f["qmark"] = 1.0
            if signs:
                f["sign&qmark"] = 1.0
        if NUMBER in tokens:
            f["count"] = 1.0
        f[f"len:{min(len(tokens) // 4, 8)}"] = 1.0
        stems = [self._analyzer.stem(t) for t in tokens if t != NUMBER]
        for stem in stems:
            f[f"w:{stem}"] = 1.0
        for a, b in itertools.pairwise(stems):
            f[f"b:{a}_{b}"] = 1.0
        for token in tokens:
            gram = DENSE_GRAM if DENSE.search(token) else CHAR_GRAM
            if token.isalpha() and token not in self._analyzer.known and len(token) > gram:
                padded = f"<{token}>"
                for i in range(len(padded) - gram + 1):
                    f[f"g:{padded[i : i + gram]}"] = 0.5
        return f, found

    def assess(self, text: str) -> Assessment:
        """Return the assessment of one message."""
        features, found = self.features(text)
        cues = frozenset(n[4:] for n in found if n.startswith("cue:"))
        params = self._params
        if params is None:
            return Assessment("none", "general", 0.0, 0.0, cues)
        level = params.level.proba(features)
        p_emergency = level.get("emergency", 0.0)
        p_alarm = p_emergency + level.get("note", 0.0)
        kinds = params.kind.proba(features)
        kind = max(kinds, key=lambda k: kinds[k])
        verdict = level_of(p_emergency, p_alarm, params.emergency_at, params.note_at,
                           params.unsure_at)
        if verdict == "emergency" and kinds.get("suicide", 0.0) >= SUICIDE_FLOOR:
            kind = "suicide"
        return Assessment(verdict, kind, p_emergency, p_alarm, cues, kinds)
