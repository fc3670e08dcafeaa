"""Score a question against every topic's example phrasings; pure, built once at load.

For each topic that shares a word with the question the matcher computes a few features:
  - closest: the cosine between the question and the topic's closest example;
  - cover: how much of the question's weight the topic's vocabulary (examples, answer text)
    explains;
  - bayes: a naive Bayes posterior over all the topic's phrasings, among the leading candidates;
  - title: the question uses a word that names only this topic (title, keywords);
  - similar: rapidfuzz's whole-string similarity to the most similar of the topic's examples
    closest by words, for the best few;
  - generic_only: the topic shares only generic words with a question that has specific ones;
  - words: the word model's probability of the topic (bot/wording.py).
A learned ranker (bot/models/matching.json, fitted by `python -m bot tune`) turns them into
one score per topic. Words are weighted by how few topics use them, so "pregnancy" decides
more than "nac"; words from the `generic` list count for little; words the bot has never seen
weigh like rare words, so "nac for tinnitus" cannot reach a topic on "nac".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot import wording
from bot.analyzer import Analysis
from bot.learn import Model

# Constants set by hand, each a modelling choice rather than a fitted number:
# A word found only in a topic's answer text, not in its examples, counts as fully as an
# example word: users use the answer's words ("nausea") before curators do.
TEXT_FACTOR = 1.0
# A word at least this frequent in English is everyday (about the frequency of "week"); an
# everyday word weighs EVERYDAY_FACTOR of its rarity weight: "grandma" or "weekend" in a long
# story should not sink a question the way "tinnitus" does.
EVERYDAY_FREQUENCY = 1e-5
EVERYDAY_FACTOR = 0.35
# A word at least this frequent (about "see"; "not" is 0.008) is grammar, not a name: a title
# that uses it ("Why not take glutathione?") must not claim "why not?" asked about another.
GRAMMAR_FREQUENCY = 1e-3
# Generic words (nac, take, safe) are in nearly every example: they weigh a quarter.
GENERIC_FACTOR = 0.25
# Laplace smoothing of the naive Bayes counts: small, as the phrasings are short.
NB_ALPHA = 0.1
# Only the leading candidates can win; scoring the rest would cost time at 100x.
BAYES_CANDIDATES = 30
# Candidate topics: the topics whose vocabulary covers most of the question, this many at
# most, are the only ones whose examples are compared with it. The real base has 33 topics,
# so this changes nothing there; a base 100 times larger (3,300 topics) would otherwise
# compare every question with tens of thousands of examples (p99 15-18 ms against 10).
COVER_CANDIDATES = 120
# rapidfuzz similarity is computed for this many leading topics (the rest cannot win).
RERANK = 6
# Whole-string similarity is rapidfuzz's token sort ratio: the ratio of the two texts with
# their words sorted. The examples' words are sorted once, at start-up, so each question
# costs one plain ratio per example (token_sort_ratio sorted every example again each time).
FUZZ_SCORER = fuzz.ratio
# Whole-string similarity is computed against a topic's examples closest by words, at most
# this many: over the dev sets, the 20 closest held the most similar example 95% of the time
# (the similarity then 0.15 points lower on average, out of 100; 10: 90%, 40: 98%), and long
# questions against every sharing example were the matcher's slowest 1%.
FUZZ_EXAMPLES = 20
# The features the ranker and the confidence model read, in this order.
FEATURES = ("closest", "cover", "bayes", "title", "similar", "generic_only", "words")
# And the products of them the ranker reads too (_products), in this order.
RANKED = (*FEATURES, "closest_x_similar", "closest_x_bayes", "closest_sq", "generic_x_cover")
RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A topic, how well the question fits it (0-1), and the features behind that score."""

    topic: str
    score: float
    closest: float = 0.0
    cover: float = 0.0
    bayes: float = 0.0
    title: float = 0.0
    similar: float = 0.0
    generic_only: float = 0.0
    words: float = 0.0

    def features(self) -> dict[str, float]:
        """Return the named features of this candidate, with a few products of them."""
        out = {name: float(getattr(self, name)) for name in FEATURES}
        return {**out, **_products(out)}


def _products(f: Mapping[str, float]) -> dict[str, float]:
    # A linear model cannot multiply: whole-string similarity matters most when the closest
    # example is close, and a topic with only generic words in common is discounted.
    return {"closest_x_similar": f["closest"] * f["similar"],
            "closest_x_bayes": f["closest"] * f["bayes"],
            "closest_sq": f["closest"] ** 2,
            "generic_x_cover": f["generic_only"] * f["cover"]}


def _sorted_words(tokens: Iterable[str]) -> str:
    """Return the words in sorted order, joined: what token sort ratio compares."""
    return " ".join(sorted(tokens))


def rank_score(ranker: Model | None, features: Mapping[str, float]) -> float:
    """Return the ranker's probability that a candidate is the right topic."""
    if ranker is None:
        # Untrained (tuning itself): an even blend.
        return sum(features.get(n, 0.0) for n in ("closest", "cover", "bayes")) / 3
    return ranker.proba(features).get(RIGHT, 0.0)


class _Logistic:
    """The ranker as one weight per feature: the same probability, computed without a softmax.

    The ranker scores some thirty candidates per question; done through the two-class model
    that was a third of the matcher's time, and through a dict of named features a sixth.
    """

    def __init__(self, ranker: Model | None) -> None:
        self.ranker = ranker
        self.weights: tuple[float, ...] = ()
        self.bias = 0.0
        if ranker is not None and len(ranker.classes) == 2 and RIGHT in ranker.classes:
            r = ranker.classes.index(RIGHT)
            diff = {name: row[r] - row[1 - r] for name, row in ranker.weights.items()}
            if set(diff) <= set(RANKED):
                self.bias = ranker.bias[r] - ranker.bias[1 - r]
                self.weights = tuple(diff.get(name, 0.0) for name in RANKED)

    def __call__(self, f: tuple[float, ...]) -> float:
        """Return the probability that the candidate with these FEATURES is right."""
        if not self.weights:
            return rank_score(self.ranker, _named(f))
        closest, cover, bayes, title, similar, generic_only, words = f
        (w_closest, w_cover, w_bayes, w_title, w_similar, w_generic, w_words,
         w_cs, w_cb, w_sq, w_gc) = self.weights
        z = (self.bias + w_closest * closest + w_cover * cover + w_bayes * bayes
             + w_title * title + w_similar * similar + w_generic * generic_only
             + w_words * words + closest * (w_cs * similar + w_cb * bayes + w_sq * closest)
             + w_gc * generic_only * cover)
        # The softmax of two logits is the logistic of their difference.
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0


def _named(f: tuple[float, ...]) -> dict[str, float]:
    """Return FEATURES values by name, with their products."""
    out = dict(zip(FEATURES, f, strict=True))
    return {**out, **_products(out)}


class Matcher:
    """An inverted index over example phrasings, scored per topic."""

    def __init__(
        self,
        examples: Iterable[tuple[str, Analysis]],
        generic: Iterable[str],
        texts: Iterable[tuple[str, Analysis]] = (),
        names: Iterable[tuple[str, Analysis]] = (),
        ranker: Model | None = None,
        words: wording.WordModel | None = None,
    ) -> None:
        self.ranker = ranker
        self._score = _Logistic(ranker)
        self.words = words
        self._last_words: tuple[Analysis, Mapping[str, float]] | None = None
        texts = list(texts)
        examples = list(examples)
        kept = [(topic, a) for topic, a in examples if a.terms]
        self.topics: tuple[str, ...] = tuple(dict.fromkeys(t for t, _ in kept))
        topic_index = {t: i for i, t in enumerate(self.topics)}
        self._topic_index = topic_index
        rows = [(topic, frozenset(a.terms)) for topic, a in kept]
        owners: dict[str, set[int]] = defaultdict(set)
        for topic, terms in rows:
            for term in terms:
                owners[term].add(topic_index[topic])
        text_owners: dict[str, set[int]] = defaultdict(set)
        for topic, analysis in texts:
            if topic in topic_index:
                for term in analysis.terms:
                    text_owners[term].add(topic_index[topic])
        n = len(self.topics)
        # Naive Bayes counts: how often each term occurs in each topic's examples.
        nb_counts: dict[str, dict[int, int]] = defaultdict(dict)
        nb_total = [0] * n
        for topic, terms in rows:
            t_i = topic_index[topic]
            for term in terms:
                nb_counts[term][t_i] = nb_counts[term].get(t_i, 0) + 1
                nb_total[t_i] += 1
        self._nb_floor = [math.log(NB_ALPHA / (count + NB_ALPHA * len(nb_counts)))
                          for count in nb_total]
        self._nb_extra = {term: {t: math.log((c + NB_ALPHA) / NB_ALPHA) for t, c in by.items()}
                          for term, by in nb_counts.items()}
        generic_set = frozenset(generic)
        self._generic = generic_set
        self._weight2: dict[str, float] = {}
        self._topic_share: dict[str, dict[int, float]] = {}
        commonness: dict[str, float] = {}
        for _, a in [*examples, *texts]:
            for term, freq in a.commonness.items():
                commonness[term] = max(freq, commonness.get(term, 0.0))
        for term in owners.keys() | text_owners.keys():
            full, extra = owners.get(term, set()), text_owners.get(term, set())
            w = math.log(1 + n / len(full | extra))
            if term in generic_set:
                w *= GENERIC_FACTOR
            w2 = w * w
            # An everyday word ("happens", "week") that one topic happens to use is weaker
            # evidence for that topic than a rare one ("placenta").
            if term.isdigit() or commonness.get(term, 0.0) >= EVERYDAY_FREQUENCY:
                w2 *= EVERYDAY_FACTOR
            self._weight2[term] = w2
            self._topic_share[term] = {**{t: 1.0 for t in full},
                                       **{t: TEXT_FACTOR for t in extra - full}}
        self._topic_terms = {term: list(share.items())
                             for term, share in self._topic_share.items()}
        # A word no example uses weighs like a word of a single topic.
        self._unseen2 = math.log(1 + n) ** 2
        # Per term and topic, each of the topic's examples using the term and its weight
        # there, over the example's norm: a question then costs one division per topic, not
        # one per example it touches, and only the candidate topics' examples are visited.
        self._postings: dict[str, dict[int, dict[int, float]]] = defaultdict(dict)
        self._generic_postings: dict[str, dict[int, dict[int, float]]] = defaultdict(dict)
        for idx, (topic, terms) in enumerate(rows):
            t_i = topic_index[topic]
            norm2 = sum(self._weight2[t] for t in terms)
            norm = math.sqrt(norm2)
            generic_mass = sum(self._weight2[t] for t in terms if t in generic_set)
            for term in terms:
                if term not in generic_set:
                    self._postings[term].setdefault(t_i, {})[idx] = self._weight2[term] / norm
                elif generic_mass * 2 >= norm2:
                    # Only examples made mostly of generic words ("is nac safe") can be the
                    # closest example of a question made only of generic words.
                    self._generic_postings[term].setdefault(t_i, {})[idx] = (
                        self._weight2[term] / norm)
        # Words that only one topic is named by ("pregnancy", "side effects"; not "glutathione",
        # which two titles share): a question using one leans to that topic.
        # `names`: each topic's title and curated keywords, the words that name it outright.
        named = [(t, frozenset(w for w in a.terms if w not in generic_set
                               and a.commonness.get(w, 0.0) < GRAMMAR_FREQUENCY))
                 for t, a in names if t in topic_index]
        name_use: dict[str, int] = defaultdict(int)
        for _, naming in named:
            for word in naming:
                name_use[word] += 1
        self._title_terms: dict[int, frozenset[str]] = {
            topic_index[t]: frozenset(w for w in naming if name_use[w] == 1)
            for t, naming in named
        }
        # Each example's words sorted, by example number: what token sort ratio compares.
        self._example_text = [_sorted_words(a.tokens) for _, a in kept]

    def named(self, terms: Iterable[str]) -> set[str]:
        """Return the topics whose title or keywords these terms use."""
        wanted = set(terms)
        return {self.topics[t] for t, words in self._title_terms.items() if words & wanted}

    def _bayes(self, topics: list[int], terms: list[str]) -> dict[int, float]:
        """Return each candidate topic's naive Bayes posterior among the candidates."""
        if not terms or not topics:
            return {}
        # log((count + alpha) / total) is the topic's floor, log(alpha / total), plus what
        # the term's count adds to it, kept per term: no logarithm is taken per question.
        n = len(terms)
        log_p = {topic: n * self._nb_floor[topic] for topic in topics}
        for term in terms:
            for topic, extra in self._nb_extra[term].items():
                if topic in log_p:
                    log_p[topic] += extra
        top = max(log_p.values())
        norm = sum(math.exp(v - top) for v in log_p.values())
        return {topic: math.exp(v - top) / norm for topic, v in log_p.items()}

    def word_proba(self, analysis: Analysis) -> Mapping[str, float]:
        """Return each topic's probability under the word model (empty when untrained)."""
        # The engine asks three times about one question (ranking, confidence, follow-up):
        # the last answer is kept for the same (immutable) analysis.
        last = self._last_words
        if last is not None and last[0] is analysis:
            return last[1]
        found = wording.proba(self.words, analysis)
        self._last_words = (analysis, found)
        return found

    def uses(self, topic: str, term: str) -> bool:
        """Tell whether a topic's phrasings or answer use this term."""
        index = self._topic_index.get(topic)
        return index is not None and index in self._topic_share.get(term, {})

    def knows(self, term: str) -> bool:
        """Tell whether any topic uses this term."""
        return term in self._weight2

    def weight2(self, term: str, commonness: float = 0.0) -> float:
        """Return the squared weight of a term (commonness: its frequency in English)."""
        known = self._weight2.get(term)
        if known is not None:
            return known
        return self._unseen2 * (EVERYDAY_FACTOR if commonness >= EVERYDAY_FREQUENCY else 1.0)

    def rank(self, analysis: Analysis, limit: int = 5, *,
             every: bool = False) -> tuple[Candidate, ...]:
        """Return the best topics for an analysed question, best first.

        every: compute the whole-string similarity for every leading candidate, not only the
        best few (for tuning, so the feature does not depend on the ranker being tuned).
        """
        # A number no example uses ("im on like 5 meds") says nothing about the topic.
        terms = [t for t in analysis.terms if not (t.isdigit() and t not in self._weight2)]
        if not terms:
            return ()
        q2 = [(t, self.weight2(t, analysis.commonness.get(t, 0.0))) for t in terms]
        total = sum(w for _, w in q2)
        norm_q = math.sqrt(total)
        # Only a word some example uses is specific: with "haha" or a typo left over, "haha ok,
        # is NAC safe to take?" is still a question of generic words, not one of no topic.
        has_specific = any(t not in self._generic and t in self._topic_terms for t in terms)
        reaching: list[dict[int, dict[int, float]]] = []
        cover: dict[int, float] = defaultdict(float)
        deferred = []
        for term, w in q2:
            if term in self._generic:
                if has_specific:
                    # Generic words touch nearly every example: with specific words present
                    # they only top up topics already found, which keeps 100x bases fast.
                    deferred.append((term, w))
                    continue
                postings = self._generic_postings.get(term)
            else:
                postings = self._postings.get(term)
            if postings:
                reaching.append(postings)
            for topic, share in self._topic_terms.get(term, ()):
                cover[topic] += w * share
        for term, w in deferred:
            shares = self._topic_share.get(term, {})
            for topic in cover:
                cover[topic] += w * shares.get(topic, 0.0)
        if len(cover) > COVER_CANDIDATES:
            chosen = sorted(cover, key=cover.__getitem__, reverse=True)[:COVER_CANDIDATES]
            cover = {topic: cover[topic] for topic in chosen}
        # Per candidate topic, its examples the question's words reach and their dot products.
        parts: dict[int, list[dict[int, float]]] = defaultdict(list)
        for postings in reaching:
            for topic, found_here in postings.items():
                if topic in cover:
                    parts[topic].append(found_here)
        dots: dict[int, dict[int, float]] = {}
        best_cos: dict[int, float] = {}
        for topic, lists in parts.items():
            lists.sort(key=len)
            # The longest list is copied in one go (at C speed), the others added to it.
            acc = dict(lists.pop())
            for found_here in lists:
                for idx, w_e in found_here.items():
                    acc[idx] = acc.get(idx, 0.0) + w_e
            dots[topic] = acc
            best_cos[topic] = max(acc.values()) / norm_q
        # Candidate selection only (30 of them, generously): an unweighted sum will do.
        pre = sorted(((best_cos.get(t, 0.0) + c / total, t) for t, c in cover.items()),
                     reverse=True)[:BAYES_CANDIDATES]
        heads = [t for _, t in pre]
        bayes = self._bayes(heads, [t for t in terms if t in self._nb_extra])
        query_terms = frozenset(terms)
        word_p = self.word_proba(analysis)
        found: list[tuple[float, tuple[float, ...], int]] = []
        score = self._score
        # Every head shares a word with the question, and with specific words present the
        # generic ones only top up topics found: generic_only stays for the ranker's sake.
        for topic in heads:
            features: tuple[float, ...] = (
                best_cos.get(topic, 0.0), cover[topic] / total, bayes.get(topic, 0.0),
                float(bool(self._title_terms.get(topic, frozenset()) & query_terms)),
                0.0, 0.0, word_p.get(self.topics[topic], 0.0))
            found.append((score(features), features, topic))
        found.sort(key=lambda f: -f[0])
        text = _sorted_words(analysis.tokens)
        for n, (_, features, topic) in enumerate(found):
            if n >= RERANK and not every:
                break
            # Only the topic's examples closest by words are compared whole: out-of-scope
            # alone has over a thousand phrasings, and comparing every one was a third of
            # the matcher's time. Ties go to the lower example number, for reproducibility.
            sharing = sorted(dots.get(topic, {}).items())
            if len(sharing) > FUZZ_EXAMPLES:
                sharing = sorted(sharing, key=lambda pair: pair[1], reverse=True)[:FUZZ_EXAMPLES]
            hit = process.extractOne(text, [self._example_text[i] for i, _ in sharing],
                                     scorer=FUZZ_SCORER)
            similar = hit[1] / 100 if hit else 0.0
            features = (*features[:4], similar, *features[5:])
            found[n] = (score(features), features, topic)
        found.sort(key=lambda f: -f[0])
        return tuple(Candidate(self.topics[t], min(s, 1.0), *f) for s, f, t in found[:limit])
