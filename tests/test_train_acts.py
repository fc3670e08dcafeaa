"""The act model's data from conversations: which turns teach which act."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.acts import QUESTION
from bot.devtools import train_acts
from bot.intents import SOURCES_TOPIC

# (what the turn expects, its user message) -> small talk, or the act it teaches, or nothing.
TURNS = [
    ("side-effects", "does it upset the stomach"),
    ("fallback", "what's the weather tomorrow"),
    ("sources", "refs pls"),
    ("smalltalk", "ok ringing my midwife tomorrow. ta"),
    (["more", "side-effects"], "go on"),  # "more" says nothing of the act
    ("emergency", "she won't wake up"),
    (["note", "too-much-nac"], "I took two by mistake"),
    ("any", "hmm"),
    ("clarify", "nac"),
]


def test_conversation_turns_teach_the_act_they_expect(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    turns = [{"user": text, "expect": expect} for expect, text in TURNS]
    path.write_text(yaml.safe_dump([{"id": "c", "turns": turns}]), encoding="utf-8")
    small, pairs = train_acts.conversation_turns([path])
    assert small == ["ok ringing my midwife tomorrow. ta"]
    assert pairs == [("does it upset the stomach", QUESTION),
                     ("what's the weather tomorrow", QUESTION), ("refs pls", SOURCES_TOPIC)]


def test_small_talk_turns_get_the_act_a_model_of_the_labelled_pairs_gives(
        tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    turns = [{"user": "thanks so much", "expect": "smalltalk"},
             {"user": "bye for now", "expect": "smalltalk"},
             {"user": "is it safe in pregnancy", "expect": "pregnancy"}]
    path.write_text(yaml.safe_dump([{"id": "c", "turns": turns}]), encoding="utf-8")
    labelled = [("thank you", "thanks"), ("thanks a lot", "thanks"), ("bye", "goodbye"),
                ("ok bye", "goodbye"), ("what is nac", QUESTION), ("is nac safe", QUESTION),
                ("so what is it", QUESTION)]

    def features(text: str) -> dict[str, float]:
        return {f"w:{w}": 1.0 for w in text.split()}

    pairs = train_acts.with_conversations(labelled, features, [path])
    assert pairs[:len(labelled)] == labelled
    assert dict(pairs[len(labelled):]) == {"is it safe in pregnancy": QUESTION,
                                           "thanks so much": "thanks", "bye for now": "goodbye"}


def test_later_turns_without_a_question_mark_set_the_bar_after_an_answer(
        tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    turns = [{"user": "hi, is nac safe", "expect": "side-effects"},
             {"user": "ok and for kids", "expect": "children"},
             {"user": "and for kids?", "expect": "children"},
             {"user": "right, off to work", "expect": "smalltalk"},
             {"user": "she won't wake up", "expect": "emergency"},
             {"user": "what's the weather tomorrow", "expect": "fallback"}]
    path.write_text(yaml.safe_dump([{"id": "c", "turns": turns}]), encoding="utf-8")
    # The first turn and a question mark are the first bar's; a crisis turn is no question.
    assert train_acts.later_plain([path]) == (
        {"ok and for kids", "what's the weather tomorrow"}, {"right, off to work"})
