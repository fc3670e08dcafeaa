"""Typo repair, synonyms and stemming against a small vocabulary."""

from __future__ import annotations

import pytest

from bot.analyzer import Analyzer


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(
        vocabulary=["what is cysteine", "side effects while pregnant", "breathe", "break down"],
        synonyms={"nac": ["n acetyl cysteine", "acetylcysteine"], "pregnancy": ["pregnant"],
                  "sideeffect": ["side effects", "side effect"]},
        stopwords=["is", "what", "the", "while", "i", "cant", "in"],
    )


@pytest.mark.parametrize(("text", "terms"), [
    ("acetylcistein", ("nac",)),
    ("N-Acetyl Cysteine", ("nac",)),
    ("pregant", ("pregnanc",)),
    ("side efects", ("sideeffect",)),
    ("what is cystein", ("cystein",)),
    ("cant breeathe", ("breath",)),
], ids=["typo-in-synonym", "multi-word-synonym", "typo-then-synonym", "typo-in-phrase",
        "stopwords-dropped", "stretched-letters"])
def test_terms(analyzer: Analyzer, text: str, terms: tuple[str, ...]) -> None:
    assert analyzer.analyze(text).terms == terms


@pytest.mark.parametrize("word", ["bread", "diet", "dose"], ids=[
    "english-word-not-repaired", "short-word-not-repaired", "known-word"])
def test_real_words_are_left_alone(analyzer: Analyzer, word: str) -> None:
    assert analyzer.repair(word) == word


def test_unknown_words_are_reported(analyzer: Analyzer) -> None:
    assert analyzer.analyze("nac for tinnitus").unknown == frozenset({"tinnitus", "for"})


@pytest.mark.parametrize(("forms", "stem"), [
    (("глутатион", "глутатиона", "глутатионом"), "глутатион"),
    (("беременность", "беременности"), "беремен"),
    (("breathing", "breathes"), "breath"),
], ids=["russian-noun-cases", "russian-genitive", "english-unchanged"])
def test_every_form_of_a_word_has_one_stem(analyzer: Analyzer, forms: tuple[str, ...],
                                           stem: str) -> None:
    # Cyrillic words go to the Russian stemmer: a case ending must not make a new word.
    assert {analyzer.stem_fresh(w) for w in forms} == {stem}


def test_tokens_keep_unstemmed_words(analyzer: Analyzer) -> None:
    assert analyzer.analyze("breathing").tokens == ("breathing",)
