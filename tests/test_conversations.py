"""Whole conversations (tests/conversations/): the rules that hold on every turn, and a floor.

The conversations were written by a writer who never saw the rules; they are tuned on (their
misses were read), so the floor below is a regression guard at the level measured, not the
product's target; the final conversation set (tests/final/) measures that, once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.devtools import conversations as cv
from bot.engine import Engine

FOLDER = Path(__file__).resolve().parent / "conversations"
# Measured when this floor was set: see the README's figures.
TURNS_RIGHT_FLOOR = 0.70
EVERYWHERE = ("repeats the previous reply word for word", "emergency guidance names an amount")


@pytest.fixture(scope="module")
def report(engine: Engine) -> cv.Report:
    topics = [a.id for a in engine.knowledge.answers]
    return cv.evaluate(engine, cv.load([FOLDER], topics))


def test_the_set_is_large(report: cv.Report) -> None:
    ids = {j.conversation for j in report.judged}
    assert (len(ids) >= 80, len(report.judged) >= 300) == (True, True)


@pytest.mark.parametrize("rule", EVERYWHERE)
def test_no_turn_breaks_a_rule_that_holds_everywhere(report: cv.Report, rule: str) -> None:
    assert [f"{j.conversation} turn {j.turn}" for j in report.judged if rule in j.problems] == []


def test_an_emergency_turn_never_gets_silence(report: cv.Report) -> None:
    # Guidance, or at least a note pointing to the same help.
    missed = [f"{j.conversation} turn {j.turn}" for j in report.judged
              if j.expect == ("emergency",) and not (j.got.startswith("emergency")
                                                    or "+note:" in j.got)]
    assert missed == []


def test_replies_right_stay_above_the_floor(report: cv.Report) -> None:
    assert report.turns_right >= TURNS_RIGHT_FLOOR, report.summary()


@pytest.mark.parametrize(("text", "problem"), [
    ("- id: x\n  turns:\n    - user: hi\n      expect: nonsense\n", "expect 'nonsense'"),
    ("- id: x\n  turns:\n    - user: hi\n      expect: smalltalk\n      colour: red\n",
     "colour"),
], ids=["unknown-expect", "unknown-key"])
def test_a_bad_conversation_file_names_the_problem(tmp_path: Path, text: str,
                                                    problem: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception, match=problem):
        cv.load([path], ["glutathione"])


# (the messages before, the message judged, whether `expect: more` holds for its reply)
MORE = [
    (["what is glutathione"], "tell me more", True),  # the details
    (["what is glutathione", "tell me more"], "more", True),  # that was everything, related
    (["does nac help the flu", "how long did they take it?"], "more", True),  # details shown
    (["does cysteine help hair grow", "whats the proof"], "tell me more", True),  # sources between
    (["hi"], "tell me more", False),  # no answer to say more about
    (["what is glutathione"], "what are free radicals", False),  # another answer
]


@pytest.mark.parametrize(("before", "text", "right"), MORE,
                         ids=["details", "everything", "after-follow-up", "after-sources",
                              "no-answer", "another-answer"])
def test_more_is_judged_by_what_was_already_sent(engine: Engine, before: list[str], text: str,
                                                 right: bool) -> None:
    steps = tuple(cv.Step(user=m, expect=("any",)) for m in before)
    asked = cv.Step(user=text, expect=("more",))
    judged = cv.play(engine, cv.Conversation("more", (*steps, asked), "test"))
    assert judged[-1].ok is right, judged[-1].problems


# Out-of-scope questions of a tuned-on dev set, each asked as the second message after an
# answer: read with that answer, "why is the sky blue?" got its details. Measured 23/690
# (3.3%) when this ceiling was set (37/690 before); a regression guard, not the target.
OPENERS = ("does nac help with hair loss", "is nac safe in pregnancy", "what is glutathione")
MID_CONVERSATION_OOS_CEILING = 0.045


def test_out_of_scope_questions_mid_conversation_rarely_get_a_topic(engine: Engine) -> None:
    dev = yaml.safe_load((FOLDER.parent / "eval" / "dev7.yaml").read_text(encoding="utf-8"))
    questions = [item["q"] for item in dev if item.get("expect") == "out-of-scope"]
    states = [engine.respond(opener).state for opener in OPENERS]
    answered = [(q, reply.topic) for q in questions for state in states
                if (reply := engine.respond(q, state).reply).kind == "answer"]
    asked = len(questions) * len(states)
    assert (asked >= 600, len(answered) <= MID_CONVERSATION_OOS_CEILING * asked) == (True, True), \
        answered


# "nac benefits?" gets a "did you mean" between the overview topics (hospital uses among them).
OFFERED = [(("hospital-uses",), True), (("pregnancy",), False), (("clarify",), False)]


@pytest.mark.parametrize(("expect", "offered"), OFFERED,
                         ids=["lists-the-topic", "lists-others", "clarify-expected"])
def test_a_did_you_mean_listing_the_expected_topic_is_counted_apart(
        engine: Engine, expect: tuple[str, ...], offered: bool) -> None:
    conversation = cv.Conversation("c", (cv.Step("nac benefits?", expect),), "table")
    judged = cv.play(engine, conversation)[0]
    assert (judged.got, judged.offered) == ("clarify", offered)
