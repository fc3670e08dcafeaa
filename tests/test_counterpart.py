"""Follow-ups that ask the last answer for the other sex."""

from __future__ import annotations

import pytest

from bot.counterpart import counterpart
from bot.engine import Engine
from bot.normalize import words

PAIRS = [
    ("wife", "male-infertility", "and for my wife?", "female-infertility"),
    ("her", "male-infertility", "what about her, she has PCOS", "female-infertility"),
    ("husband", "female-infertility", "does it do anything for my husband", "male-infertility"),
    ("men", "female-infertility", "and the men in the study?", "male-infertility"),
    # "for me" says no sex: either answer may be meant.
    ("me", "male-infertility", "and for me?", None),
    # Both named: the question is about the couple, not the other answer.
    ("both", "male-infertility", "could my wife and I both take it?", None),
    # The own sex again: no pivot.
    ("own", "male-infertility", "how long did the men take it", None),
    # Only after one of the pair.
    ("other-topic", "pregnancy", "and for my husband?", None),
    ("no-topic", None, "and for my wife?", None),
]


@pytest.mark.parametrize(("last", "text", "expected"), [p[1:] for p in PAIRS],
                         ids=[p[0] for p in PAIRS])
def test_counterpart(last: str | None, text: str, expected: str | None) -> None:
    assert counterpart(last, words(text)) == expected


CONVERSATIONS = [
    ("en-wife", "does nac help male fertility", "and for my wife?", "female-infertility"),
    ("en-husband", "can nac help with pcos and getting pregnant",
     "what about my husband, his count is low", "male-infertility"),
    # Polish: "can it help the wife too?", read on its English words.
    ("pl-wife", "NAC na plemniki, czy to działa?", "A żonie też może pomóc?",
     "female-infertility"),
]


@pytest.mark.parametrize(("first", "then", "topic"), [c[1:] for c in CONVERSATIONS],
                         ids=[c[0] for c in CONVERSATIONS])
def test_a_follow_up_for_the_other_sex_gets_the_counterpart(
        engine: Engine, first: str, then: str, topic: str) -> None:
    started = engine.respond(first)
    follow = engine.respond(then, started.state)
    assert (follow.reply.kind, follow.reply.topic) == ("answer", topic)


def test_a_follow_up_for_the_same_person_keeps_the_answer(engine: Engine) -> None:
    started = engine.respond("does nac help male fertility")
    assert started.reply.topic == "male-infertility"
    follow = engine.respond("how long did the men in the study take it?", started.state)
    assert follow.reply.topic != "female-infertility"
