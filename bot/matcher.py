"""Score a question against every topic's example phrasings; pure, built once at load.

The score of a topic (0-1) blends several views of the same weighted words:
  - the cosine between the question and the topic's closest example;
  - how much of the question's weight the topic's vocabulary (examples, answer text) explains;
  - a naive Bayes posterior over all the topic's phrasings, among the leading candidates;
  - a bonus when the question uses a word that names only this topic (title, keywords);
  - rapidfuzz's whole-string similarity to the closest example, for the best few topics.
Words are weighted by how few topics use them, so "pregnancy" decides more than "nac";
words from the `generic` list count for little and can never carry a match alone; words the
bot has never seen weigh like rare words, so "nac for tinnitus" cannot reach a topic on "nac".
Each constant below was tuned on the dev sets and cross-validation, never on the held-out set.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.analyzer import Analysis

# A word found only in a topic's answer text, not in its examples, counts this much towards
# the topic's vocabulary: users use the answer's words ("nausea") before curators do. (Tuning
# found the answer text as good a witness as the examples.)
TEXT_FACTOR = 1.0
# A word no topic uses weighs like a word of a single topic, less when it is everyday English:
# "grandma" or "weekend" in a long story should not sink a question the way "tinnitus" does.
EVERYDAY_FREQUENCY = 1e-5  # at least this frequent in English: an everyday word
EVERYDAY_FACTOR = 0.35
# The best few topics are re-scored with rapidfuzz's whole-string similarity to their examples
# (word order, small words), which settles near-ties that weighted words alone cannot.
FUZZ_SHARE = 0.2
RERANK = 5
FUZZ_SCORER = fuzz.token_sort_ratio
# A multinomial naive Bayes view of the same examples (word counts per topic, Laplace
# smoothing NB_ALPHA) is blended into the score: it pools evidence across all of a topic's
# phrasings, where the cosine looks at one example at a time. Blending it in lifted accuracy
# on the dev sets from 94.5% to 96.6% and on cross-validation over intents/ from 80.7% to 86%.
NB_SHARE = 0.2
NB_ALPHA = 0.1
BAYES_CANDIDATES = 30  # only the leading candidates can win; the rest would cost time at 100x
# Added to a topic when the question uses a word only that topic's title or keywords have.
TITLE_BONUS = 0.1
# How much the closest example counts against the whole topic vocabulary.
EXAMPLE_SHARE = 0.6
# A generic word weighs this fraction of its rarity weight.
GENERIC_FACTOR = 0.25
# When a question has specific words, a topic that shares only its generic words with it
# keeps this fraction of its score. (A question of generic words only, "is NAC safe?", is
# left to its closest examples.)
GENERIC_ONLY_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class Scored:
    """A topic and how well the question fits it (0-1)."""

    topic: str
    score: float


class Matcher:
    """An inverted index over example phrasings, scored per topic."""

    def __init__(
        self,
        examples: Iterable[tuple[str, Analysis]],
        generic: Iterable[str],
        texts: Iterable[tuple[str, Analysis]] = (),
        names: Iterable[tuple[str, Analysis]] = (),
    ) -> None:
        texts = list(texts)
        examples = list(examples)
        rows = [(topic, frozenset(a.terms)) for topic, a in examples if a.terms]
        self.topics: tuple[str, ...] = tuple(dict.fromkeys(t for t, _ in rows))
        topic_index = {t: i for i, t in enumerate(self.topics)}
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
        self._nb_counts: dict[str, dict[int, int]] = defaultdict(dict)
        self._nb_total: list[int] = [0] * n
        for topic, terms in rows:
            t_i = topic_index[topic]
            for term in terms:
                self._nb_counts[term][t_i] = self._nb_counts[term].get(t_i, 0) + 1
                self._nb_total[t_i] += 1
        self._nb_vocab = len(self._nb_counts)
        generic_set = frozenset(generic)
        self._generic = generic_set
        self._weight2: dict[str, float] = {}
        self._topic_terms: dict[str, list[tuple[int, float]]] = {}
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
            self._topic_terms[term] = [(t, 1.0) for t in full] + [
                (t, TEXT_FACTOR) for t in extra - full
            ]
        # A word no example uses weighs like a word of a single topic.
        self._unseen2 = math.log(1 + n) ** 2
        self._example_topic: list[int] = []
        self._example_norm: list[float] = []
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._generic_postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        # Words that only one topic is named by ("pregnancy", "side effects"; not "glutathione",
        # which two titles share): a question using one leans to that topic.
        # `names`: each topic's title and curated keywords, the words that name it outright.
        named = [(t, frozenset(a.terms) - generic_set) for t, a in names if t in topic_index]
        name_use: dict[str, int] = defaultdict(int)
        for _, words in named:
            for word in words:
                name_use[word] += 1
        self._title_terms: dict[int, frozenset[str]] = {
            topic_index[t]: frozenset(w for w in words if name_use[w] == 1) for t, words in named
        }
        self._texts: dict[int, list[str]] = defaultdict(list)
        for topic, a in examples:
            if a.terms:
                self._texts[topic_index[topic]].append(" ".join(a.tokens))
        for topic, terms in rows:
            idx = len(self._example_topic)
            self._example_topic.append(topic_index[topic])
            self._example_norm.append(math.sqrt(sum(self._weight2[t] for t in terms)))
            generic_mass = sum(self._weight2[t] for t in terms if t in generic_set)
            for term in terms:
                if term not in generic_set:
                    self._postings[term].append((idx, self._weight2[term]))
                elif generic_mass * 2 >= self._example_norm[idx] ** 2:
                    # Only examples made mostly of generic words ("is nac safe") can be the
                    # closest example of a question made only of generic words.
                    self._generic_postings[term].append((idx, self._weight2[term]))
        self._topic_share = {term: dict(pairs) for term, pairs in self._topic_terms.items()}

    def named(self, terms: Iterable[str]) -> set[str]:
        """Return the topics whose title or keywords these terms use."""
        wanted = set(terms)
        return {self.topics[t] for t, words in self._title_terms.items() if words & wanted}

    def _blend_bayes(self, scores: list[tuple[float, int]],
                     terms: list[str]) -> list[tuple[float, int]]:
        """Blend each candidate topic's naive Bayes posterior (among the candidates) in."""
        if not terms:
            return scores
        log_p = {}
        for _, topic in scores:
            total = self._nb_total[topic] + NB_ALPHA * self._nb_vocab
            log_p[topic] = sum(
                math.log((self._nb_counts[t].get(topic, 0) + NB_ALPHA) / total) for t in terms
            )
        top = max(log_p.values())
        norm = sum(math.exp(v - top) for v in log_p.values())
        return [((1 - NB_SHARE) * score + NB_SHARE * math.exp(log_p[topic] - top) / norm, topic)
                for score, topic in scores]

    def knows(self, term: str) -> bool:
        """Tell whether any topic uses this term."""
        return term in self._weight2

    def weight2(self, term: str, commonness: float = 0.0) -> float:
        """Return the squared weight of a term (commonness: its frequency in English)."""
        known = self._weight2.get(term)
        if known is not None:
            return known
        return self._unseen2 * (EVERYDAY_FACTOR if commonness >= EVERYDAY_FREQUENCY else 1.0)

    def rank(self, analysis: Analysis, limit: int = 5) -> tuple[Scored, ...]:
        """Return the best topics for an analysed question, best first."""
        # A number no example uses ("im on like 5 meds") says nothing about the topic.
        terms = [t for t in analysis.terms if not (t.isdigit() and t not in self._weight2)]
        if not terms:
            return ()
        q2 = [(t, self.weight2(t, analysis.commonness.get(t, 0.0))) for t in terms]
        total = sum(w for _, w in q2)
        norm_q = math.sqrt(total)
        dots: dict[int, float] = defaultdict(float)
        cover: dict[int, float] = defaultdict(float)
        specific: set[int] = set()
        has_specific = any(t not in self._generic for t in terms)
        deferred = []
        for term, w in q2:
            if term in self._generic:
                if has_specific:
                    # Generic words touch nearly every example: with specific words present
                    # they only top up topics already found, which keeps 100x bases fast.
                    deferred.append((term, w))
                    continue
                postings = self._generic_postings.get(term, ())
            else:
                postings = self._postings.get(term, ())
            for idx, w_e in postings:
                dots[idx] += w_e
            for topic, share in self._topic_terms.get(term, ()):
                cover[topic] += w * share
                if has_specific:
                    specific.add(topic)
        for term, w in deferred:
            shares = self._topic_share.get(term, {})
            for topic in cover:
                cover[topic] += w * shares.get(topic, 0.0)
        best_cos: dict[int, float] = {}
        for idx, dot in dots.items():
            cos = dot / (norm_q * self._example_norm[idx])
            topic = self._example_topic[idx]
            if cos > best_cos.get(topic, 0.0):
                best_cos[topic] = cos
        scores: list[tuple[float, int]] = []
        query_terms = frozenset(terms)
        for topic, covered in cover.items():
            closest = best_cos.get(topic, 0.0)
            score = EXAMPLE_SHARE * closest + (1 - EXAMPLE_SHARE) * covered / total
            if has_specific and topic not in specific:
                score *= GENERIC_ONLY_FACTOR
            # A question that names the topic's own title word ("pregnant") leans to it.
            if self._title_terms.get(topic, frozenset()) & query_terms:
                score += TITLE_BONUS
            scores.append((score, topic))
        if NB_SHARE and scores:
            # Only the leading candidates can win; blending the rest would cost time at 100x.
            scores.sort(reverse=True)
            head = self._blend_bayes(scores[:BAYES_CANDIDATES],
                                     [t for t in terms if t in self._nb_counts])
            scores = head + scores[BAYES_CANDIDATES:]
        scores.sort(reverse=True)
        text = " ".join(analysis.tokens)
        reranked = []
        for score, topic in scores[:RERANK]:
            found = process.extractOne(text, self._texts[topic], scorer=FUZZ_SCORER)
            similar = found[1] / 100 if found else 0.0
            reranked.append((score * (1 - FUZZ_SHARE + FUZZ_SHARE * similar), topic))
        reranked.sort(reverse=True)
        best = reranked + scores[RERANK:]
        return tuple(Scored(self.topics[t], min(s, 1.0)) for s, t in best[:limit])

