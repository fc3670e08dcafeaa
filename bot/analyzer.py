"""Turn folded words into matchable terms: typo repair, synonyms, stemming; pure, no I/O.

The analyzer is built once from the curated vocabulary (every word of intents/), so a typo is
repaired only towards a word the bot actually knows, and the same pipeline runs on examples,
questions, emergency triggers and out-of-scope signals alike.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped,unused-ignore]
from rapidfuzz import process
from rapidfuzz.distance import OSA
from spellchecker import SpellChecker

from bot.ages import minor_ages
from bot.normalize import words

# Short words are left alone: "diet" is one letter from "die", and guessing there does harm.
MIN_REPAIR_LENGTH = 5
# Optimal string alignment counts a swap ("pregnacny") as one edit, as people make it.
LONG_WORD = 8
# A run-together word ("tookwholebottle", "spermcount") this long is split into known words.
SPLIT_LENGTH = 8
# A word at least this frequent in English is a word, not a typo: "bread" is never "break".
ENGLISH_FREQUENCY = 1e-7
# Cyrillic words (Russian, Ukrainian) go to the Russian stemmer: the English one leaves them
# whole, so "глутатиона" and "глутатион" were two words and a case ending lost the topic.
_CYRILLIC = re.compile("[\u0400-\u04ff]")


@lru_cache(maxsize=1)
def english_words() -> Mapping[str, float]:
    """Return common English words with their frequency (pyspellchecker's list), loaded once."""
    frequency = SpellChecker(distance=1).word_frequency
    total = frequency.total_words
    return {
        w: n / total for w, n in frequency.dictionary.items() if n / total >= ENGLISH_FREQUENCY
    }


@dataclass(frozen=True, slots=True)
class Analysis:
    """One text after analysis."""

    tokens: tuple[str, ...]  # every token, repaired and with synonyms applied, not stemmed
    words: tuple[str, ...]  # the same tokens, stemmed
    terms: tuple[str, ...]  # words without stop words, each once, in order
    unknown: frozenset[str]  # terms the vocabulary does not know
    commonness: Mapping[str, float] = field(default_factory=dict)  # English frequency of terms

    def __reduce__(self) -> tuple[type[Analysis], tuple[object, ...]]:
        """Store an analysis as its fields: a third of the time of the dataclass default."""
        return Analysis, (self.tokens, self.words, self.terms, self.unknown, self.commonness)


class Analyzer:
    """Repair, canonicalise and stem words against a fixed vocabulary."""

    def __init__(
        self,
        vocabulary: Iterable[str],
        synonyms: Mapping[str, Iterable[str]],
        stopwords: Iterable[str],
        stems: Mapping[str, str] | None = None,
        english: Mapping[str, float] | None = None,
        counted: Mapping[str, int] | None = None,
    ) -> None:
        # Stems worked out beforehand (bot/stems.py): the same as the stemmer's, found faster.
        self._known_stems: Mapping[str, str] = stems or {}
        # Given by a caller that keeps english_words() between starts (bot/startcache.py).
        self._english = english if english is not None else english_words()
        self._tools()
        # Longest variants first, so "n acetyl cysteine" wins over "cysteine".
        phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        counts: Counter[str] = Counter()
        for canonical, variants in synonyms.items():
            target = tuple(words(canonical))
            counts.update(target)
            for variant in variants:
                key = tuple(words(variant))
                if key and key != target:
                    phrases[key] = target
                    counts.update(key)
        self._phrases = phrases
        # Per first word, the lengths of the phrases it starts, longest first: most words
        # start none and need no look-up (trying every length at every word was a tenth of
        # a reply's time).
        sizes: dict[str, set[int]] = {}
        for key in phrases:
            sizes.setdefault(key[0], set()).add(len(key))
        self._sizes = {word: tuple(sorted(found, reverse=True)) for word, found in sizes.items()}
        stop_words = [w for s in stopwords for w in words(s)]
        counts.update(stop_words)
        # Words counted beforehand (the safety model's own vocabulary, bot/safety.py), then
        # the texts: in this order a vocabulary stored as counts builds the same analyzer.
        counts.update(counted or {})
        for text in vocabulary:
            counts.update(words(text))
        self.known: frozenset[str] = frozenset(counts)
        # Buckets by first letter: typos rarely hit the first letter, and it keeps look-ups small.
        buckets: dict[str, list[str]] = {}
        for word, _ in counts.most_common():
            if len(word) >= MIN_REPAIR_LENGTH - 1 and word.isalpha():
                buckets.setdefault(word[0], []).append(word)
        self._buckets = {k: tuple(v) for k, v in buckets.items()}
        self.stopwords: frozenset[str] = frozenset(self.stem(w) for w in stop_words)
        self.known_stems: frozenset[str] = frozenset(self.stem(w) for w in counts)

    @property
    def english(self) -> Mapping[str, float]:
        """Return the common English words and their frequencies."""
        return self._english

    def _tools(self) -> None:
        """Make the stemmers and the caches, which are rebuilt rather than stored."""
        self._stemmer = snowballstemmer.stemmer("english")
        self._russian = snowballstemmer.stemmer("russian")
        self._repair = lru_cache(maxsize=65536)(self._repair_uncached)
        self._stem_cached = lru_cache(maxsize=65536)(self._stem_uncached)
        self._split = lru_cache(maxsize=65536)(self._split_uncached)

    def __getstate__(self) -> dict[str, object]:
        """Return what a copy needs: the tables, not the stemmers and caches built from them."""
        tools = {"_stemmer", "_russian", "_repair", "_stem_cached", "_split"}
        return {k: v for k, v in self.__dict__.items() if k not in tools}

    def __setstate__(self, state: dict[str, object]) -> None:
        """Restore a copy made by __getstate__."""
        self.__dict__.update(state)
        self._tools()

    def stem(self, word: str) -> str:
        """Return the stem of one folded word."""
        return self._stem_cached(word)

    def _stem_uncached(self, word: str) -> str:
        found = self._known_stems.get(word)
        return found if found is not None else self.stem_fresh(word)

    def stem_fresh(self, word: str) -> str:
        """Return the stemmer's own stem of a word, not a stored one (to write and test them)."""
        stemmer = self._russian if _CYRILLIC.search(word) else self._stemmer
        return str(stemmer.stemWord(word))

    def repair(self, word: str) -> str:
        """Return the known word a typo most likely meant, or the word itself."""
        return self._repair(word)

    def _repair_uncached(self, word: str) -> str:
        if word in self.known or len(word) < MIN_REPAIR_LENGTH or not word.isalpha():
            return word
        if word in self._english:
            return word
        candidates = self._buckets.get(word[0], ())
        limit = 2 if len(word) >= LONG_WORD else 1
        best = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
        return best[0] if best else word

    def canonical(self, tokens: list[str]) -> list[str]:
        """Replace synonym phrases by their canonical words, longest phrase first."""
        return [word for word, _ in self._canonical(tokens)]

    def _canonical(self, tokens: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        """Return each canonical word with the words the user actually wrote for it."""
        out: list[tuple[str, tuple[str, ...]]] = []
        i, n = 0, len(tokens)
        while i < n:
            token = tokens[i]
            for size in self._sizes.get(token, ()):
                source = tuple(tokens[i : i + size])
                target = self._phrases.get(source) if len(source) == size else None
                if target is not None:
                    out.extend((word, source) for word in target)
                    i += size
                    break
            else:
                out.append((token, (token,)))
                i += 1
        return out

    def _commonness(self, token: str, stem: str, source: tuple[str, ...]) -> float:
        # "colds" is rarer than "cold": a word is as everyday as its most common form; a
        # phrase the user wrote ("how much") is as everyday as its rarest word.
        english = self._english
        if source != (token,):
            return min(english.get(w, 0.0) for w in source)
        return max(english.get(token, 0.0), english.get(token.rstrip("s"), 0.0),
                   english.get(stem, 0.0))

    def split(self, word: str) -> list[str]:
        """Return a run-together word as known words ("chestpain"), or the word itself."""
        return self._split(word)

    def _split_uncached(self, word: str) -> list[str]:
        if len(word) < SPLIT_LENGTH or word in self.known or word in self._english:
            return [word]
        # The split into the fewest known words of three letters or more, if there is one.
        best: list[list[str] | None] = [[]] + [None] * len(word)
        for end in range(3, len(word) + 1):
            for start in range(0, end - 2):
                head = best[start]
                piece = word[start:end]
                if head is not None and piece in self.known and (
                    best[end] is None or len(head) + 1 < len(best[end] or ())
                ):
                    best[end] = [*head, piece]
        found = best[len(word)]
        return found if found and len(found) <= 3 else [word]

    def tokens(self, text: str) -> list[str]:
        """Return the repaired, split words of a text, before synonyms."""
        out: list[str] = []
        for word in words(text):
            out.extend(self.repair(piece) for piece in self.split(word))
        return out


    def analyze(self, text: str) -> Analysis:
        """Return the analysis of one text."""
        # An age under 18 reads as "child" (bot/ages.py) for matching only: the safety
        # model and the emergency rules read the words as written (tokens()).
        pairs = self._canonical(minor_ages(self.tokens(text)))
        tokens = [word for word, _ in pairs]
        stems = tuple(self.stem(w) for w in tokens)
        terms = tuple(dict.fromkeys(s for s in stems if s not in self.stopwords))
        unknown = frozenset(t for t in terms if t not in self.known_stems)
        commonness: dict[str, float] = {}
        for (token, source), stem in zip(pairs, stems, strict=True):
            commonness[stem] = max(commonness.get(stem, 0.0),
                                   self._commonness(token, stem, source))
        return Analysis(tokens=tuple(tokens), words=stems, terms=terms, unknown=unknown,
                        commonness=commonness)
