"""The matcher's index against a plain reference: numbering, closest example, similarity."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.analyzer import Analysis
from bot.matcher import BAYES_CANDIDATES, COVER_CANDIDATES, FUZZ_EXAMPLES, Matcher


def _analysis(text: str) -> Analysis:
    words = tuple(text.split())
    return Analysis(tokens=words, words=words, terms=tuple(dict.fromkeys(words)),
                    unknown=frozenset())


def _reference_closest(rows: list[tuple[str, str]], question: str) -> dict[str, float]:
    """Return each topic's best cosine to the question, computed the long way."""
    n = len({t for t, _ in rows})
    owners: dict[str, set[str]] = {}
    for topic, text in rows:
        for word in set(text.split()):
            owners.setdefault(word, set()).add(topic)
    w2 = {word: math.log(1 + n / len(ts)) ** 2 for word, ts in owners.items()}
    unseen2 = math.log(1 + n) ** 2
    q = set(question.split())
    norm_q = math.sqrt(sum(w2.get(word, unseen2) for word in q))
    best: dict[str, float] = {}
    for topic, text in rows:
        e = set(text.split())
        cos = sum(w2[word] for word in q & e) / (norm_q * math.sqrt(sum(w2[w] for w in e)))
        best[topic] = max(best.get(topic, 0.0), cos)
    return best


ROWS = [("a", "red apple pie"), ("b", "green pear tart"), ("a", "apple crumble"),
        ("c", "plum jam"), ("b", "pear juice"), ("a", "baked apple"), ("c", "plum cake")]

# (question, topic whose closest example scores as the reference says)
CASES = [
    ("apple tart", "a"),
    ("apple tart", "b"),
    ("pear jam", "c"),
    ("plum cake recipe", "c"),
]


@pytest.mark.parametrize(("question", "topic"), CASES, ids=[f"{q}->{t}" for q, t in CASES])
def test_closest_example_matches_the_reference(question: str, topic: str) -> None:
    # The rows interleave topics: each topic's closest example must be its own.
    matcher = Matcher([(t, _analysis(x)) for t, x in ROWS], generic=())
    found = {c.topic: c for c in matcher.rank(_analysis(question), limit=10)}
    assert found[topic].closest == pytest.approx(_reference_closest(ROWS, question)[topic])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.lists(
    st.sampled_from(["ab", "cd", "ef", "gh", "ij", "kl"]), min_size=1, max_size=4)),
    min_size=1, max_size=12),
    st.lists(st.sampled_from(["ab", "cd", "ef", "gh", "zz"]), min_size=1, max_size=4))
def test_closest_example_of_any_small_index(rows: list[tuple[str, list[str]]],
                                            question: list[str]) -> None:
    texts = [(t, " ".join(words)) for t, words in rows]
    matcher = Matcher([(t, _analysis(x)) for t, x in texts], generic=())
    q = " ".join(question)
    reference = _reference_closest(texts, q)
    for c in matcher.rank(_analysis(q), limit=10):
        assert c.closest == pytest.approx(reference[c.topic])


def test_similarity_is_to_the_examples_that_share_a_word() -> None:
    # "pear jam" spelled close to a "c" example that shares none of its words counts for
    # nothing: only examples the question's words reach are compared whole.
    rows = [("c", "plum jam"), ("c", "pearl jar")]
    matcher = Matcher([(t, _analysis(x)) for t, x in rows], generic=())
    [c] = matcher.rank(_analysis("pear jam"))
    assert c.similar == pytest.approx(fuzz.ratio("jam pear", "jam plum") / 100)


def test_similarity_uses_the_examples_closest_by_words() -> None:
    # Many examples share "nac": the whole-string comparison takes the closest by words,
    # so the one that also shares "flu" is among them however many others there are.
    rows = [("t", f"nac word{i} other{i}") for i in range(3 * FUZZ_EXAMPLES)]
    rows.append(("t", "nac flu"))
    matcher = Matcher([(t, _analysis(x)) for t, x in rows], generic=())
    [c] = matcher.rank(_analysis("nac flu"), every=True)
    assert c.similar == pytest.approx(1.0)


def test_a_large_base_compares_only_the_topics_that_cover_the_question_most() -> None:
    # 130 topics share "common"; only "target" also has "rare". Of more than
    # COVER_CANDIDATES topics, those covering the question least are not compared at all.
    rows = [(f"t{i}", f"common w{i}") for i in range(COVER_CANDIDATES + 10)]
    rows.append(("target", "common rare"))
    matcher = Matcher([(t, _analysis(x)) for t, x in rows], generic=())
    found = matcher.rank(_analysis("common rare"), limit=BAYES_CANDIDATES)
    assert found[0].topic == "target"
    assert found[0].closest == pytest.approx(_reference_closest(rows, "common rare")["target"])
    assert len(found) == BAYES_CANDIDATES
