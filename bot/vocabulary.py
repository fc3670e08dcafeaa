"""The words an analyzer's typo repair aims at, and a vocabulary kept as counts; pure, no I/O.

The matcher's analyzer is built from the live intents/ and knowledge. The safety model keeps
the vocabulary it was fitted with (bot/safety.py), as word counts, so that an edit to a
topic's phrasings leaves its features, and so its fit, as they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.intents import Intents
from bot.knowledge import Knowledge
from bot.normalize import words


def topic_texts(knowledge: Knowledge, intents: Intents) -> Iterator[str]:
    """Yield the topics' phrasings, then the answers' titles and texts."""
    yield from (e.text for e in intents.examples)
    yield from (f"{a.title}\n{a.text}" for a in knowledge.answers)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Word counts (first seen first), synonyms and stop words: what an analyzer is built from."""

    words: Mapping[str, int]
    synonyms: Mapping[str, tuple[str, ...]]
    stopwords: tuple[str, ...]

    @classmethod
    def of(cls, texts: Iterable[str], synonyms: Mapping[str, Iterable[str]],
           stopwords: Iterable[str]) -> Vocabulary:
        """Return the vocabulary of these texts, synonyms and stop words."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(words(text))
        return cls(dict(counts), {k: tuple(v) for k, v in synonyms.items()}, tuple(stopwords))

    def to_json(self) -> dict[str, Any]:
        """Return the vocabulary as JSON-ready data (the words' order kept)."""
        return {"words": [[w, n] for w, n in self.words.items()],
                "synonyms": {k: list(v) for k, v in self.synonyms.items()},
                "stopwords": list(self.stopwords)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Vocabulary:
        """Read a vocabulary written by to_json; raise KeyError, TypeError or ValueError."""
        counted = {str(w): int(n) for w, n in data["words"]}
        synonyms = {str(k): tuple(str(x) for x in v) for k, v in data["synonyms"].items()}
        return cls(counted, synonyms, tuple(str(w) for w in data["stopwords"]))
