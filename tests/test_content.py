"""The real curated content: complete, consistent, cited and within the source's limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.check import problems
from bot.engine import Engine
from bot.intents import MIN_EXAMPLES
from bot.normalize import fold

ROOT = Path(__file__).resolve().parent.parent
DOSE = re.compile(r"\b\d+\s*(?:mg|g|milligrams?)\b", re.I)
# Answers allowed to report the doses the source gives, each framed as used in studies.
DOSE_TOPICS = {"cystic-fibrosis", "flu", "recurrent-miscarriage", "male-infertility",
               "doses-in-studies", "forms"}


def test_content_has_no_problems(engine: Engine) -> None:
    assert [str(p) for p in problems(engine)] == []


def test_every_answer_has_enough_phrasings(engine: Engine) -> None:
    counts = {a.id: sum(e.topic == a.id for e in engine.intents.examples)
              for a in engine.knowledge.answers}
    assert {k: v for k, v in counts.items() if v < MIN_EXAMPLES} == {}


def test_every_answer_cites_a_known_source(engine: Engine) -> None:
    known = {s.id for s in engine.knowledge.sources}
    assert all(a.sources and set(a.sources) <= known for a in engine.knowledge.answers)


@pytest.mark.parametrize("topic", ["forms", "ards", "flu", "chronic-bronchitis"],
                         ids=["forms", "ards", "flu", "chronic-bronchitis"])
def test_answers_cite_reference_1_where_the_article_does(engine: Engine, topic: str) -> None:
    assert "ummc-2014" in engine.knowledge.answer(topic).sources


@pytest.mark.parametrize("topic", ["hospital-uses", "chronic-bronchitis"],
                         ids=["nitroglycerin", "time-dependent"])
def test_answers_cite_reference_2_where_the_article_does(engine: Engine, topic: str) -> None:
    assert "natmed-2015" in engine.knowledge.answer(topic).sources


def test_doses_appear_only_where_the_source_reports_them(engine: Engine) -> None:
    dosed = {a.id for a in engine.knowledge.answers if DOSE.search(a.text)}
    assert dosed <= DOSE_TOPICS


@pytest.mark.parametrize("topic", sorted(DOSE_TOPICS - {"forms"}))
def test_doses_are_framed_as_used_in_studies(engine: Engine, topic: str) -> None:
    text = engine.knowledge.answer(topic).text.lower()
    assert "used" in text and "not a recommend" in text.replace("not a recommended",
                                                                "not a recommend")


def test_free_radicals_are_not_defined_by_charge(engine: Engine) -> None:
    text = engine.knowledge.answer("free-radicals").text.lower()
    assert "unpaired electron" in text and "negative charge" not in text


def test_acetaminophen_answer_starts_with_emergency_advice(engine: Engine) -> None:
    text = engine.knowledge.answer("acetaminophen-overdose").text
    assert "emergency services or poison control now" in text.split("\n")[0]


def test_no_answer_copies_a_sentence_of_the_article(engine: Engine) -> None:
    article = (ROOT.parent / "shared" / "sources" / "cysteine-article.txt")
    if not article.exists():
        pytest.skip("the source article is not beside the repository")
    # Naming a source ("the University of Maryland Medical Center") is citing, not copying.
    names = [fold(s.authors) for s in engine.knowledge.sources]
    source = fold(article.read_text())
    copied = []
    for a in engine.knowledge.answers:
        for sentence in re.split(r"(?<=[.!?])\s+", a.text):
            folded = fold(sentence)
            for name in names:
                folded = folded.replace(name, " ")
            words = folded.split()
            # Eight words in a row taken from the article count as copying.
            for i in range(len(words) - 7):
                if " ".join(words[i : i + 8]) in source:
                    copied.append(f"{a.id}: {sentence}")
                    break
    assert copied == []
