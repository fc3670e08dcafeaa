"""Emergency detection runs before matching and never misses a real emergency."""

from __future__ import annotations

import pytest

from bot.engine import Engine

EMERGENCIES = [
    ("I took 30 tylenol", "overdose"),
    ("my toddler ate some of my nac pills", "overdose"),
    ("kid swallowed a bunch of capsules", "overdose"),
    ("i think i overdosed on acetaminophen", "overdose"),
    ("took a whole bottle of paracetamol", "overdose"),
    ("my friend took too many pills and wont wake up", "overdose"),
    ("cant breth after taking nac", "breathing"),
    ("my throat is closing up", "breathing"),
    ("tongue swelling and hives", "breathing"),
    ("chest pain after taking nac", "chest"),
    ("my chest hurts", "chest"),
    ("i want to kill myself", "suicide"),
    ("i dont want to live anymore", "suicide"),
    ("i wanna die", "suicide"),
    ("no one would miss me if i was gone", "suicide"),
]
NOT_EMERGENCIES = [
    "is nac used for tylenol overdose?",
    "why do hospitals give nac for paracetamol poisoning",
    "can nac cause chest pain",
    "does nac help shortness of breath in bronchitis",
    "nac for ARDS patients on ventilators",
    "is glutathione absorbed when swallowed",
    "what is the antidote for acetaminophen overdose",
    "i took 600 mg of nac today, is that a normal dose",
    "i want to diet",
    "can nac stop alcohol from poisoning my liver",
]


@pytest.mark.parametrize(("text", "category"), EMERGENCIES, ids=[t for t, _ in EMERGENCIES])
def test_emergency_is_detected(engine: Engine, text: str, category: str) -> None:
    found = engine.detector.detect(text)
    assert found is not None and found.category == category


@pytest.mark.parametrize("text", NOT_EMERGENCIES, ids=NOT_EMERGENCIES)
def test_informational_question_is_not_an_emergency(engine: Engine, text: str) -> None:
    assert engine.detector.detect(text) is None


FIRST = [t for t, _ in EMERGENCIES[:4]]


@pytest.mark.parametrize("text", FIRST, ids=FIRST)
def test_emergency_reply_gives_no_doses(engine: Engine, text: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, "mg" in reply.text.split(), "not medical advice" in reply.text) == (
        "emergency", False, True)


def test_emergency_comes_before_sources_and_state(engine: Engine) -> None:
    first = engine.respond("what is nac")
    assert engine.respond("my kid swallowed my nac pills", first.state).reply.kind == "emergency"
