"""Inline buttons built from replies: labels, callback data and Telegram's 64-byte limit."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.reply import Reply
from bot.telegram import keyboards
from bot.telegram.keyboards import Button

LONG_ID = "x" * 63


@pytest.mark.parametrize(("action", "argument", "expected"), [
    ("s", "pregnancy", "s:pregnancy"),
    ("n", "", "n"),
    ("a", "x" * 62, "a:" + "x" * 62),
    ("a", LONG_ID, None),
], ids=["with-topic", "bare", "at-limit", "over-limit"])
def test_encode(action: str, argument: str, expected: str | None) -> None:
    assert keyboards.encode(action, argument) == expected


@pytest.mark.parametrize(("data", "expected"), [
    ("s:pregnancy", ("s", "pregnancy")),
    ("t", ("t", "")),
    ("q:pregnancy", ("", "")),
    (None, ("", "")),
], ids=["topic", "bare", "unknown-action", "none"])
def test_decode(data: str | None, expected: tuple[str, str]) -> None:
    assert keyboards.decode(data) == expected


def test_every_topic_and_group_fits_in_callback_data(engine: Engine) -> None:
    ids = [a.id for a in engine.knowledge.answers] + [g.id for g in engine.knowledge.groups]
    too_long = [i for i in ids if keyboards.encode(keyboards.SOURCES, i) is None]
    assert too_long == []


def test_answer_has_sources_then_two_related(engine: Engine) -> None:
    reply = Reply("answer", "pregnancy", 1.0, "", "", related=("flu", "ards", "forms"))
    titles = [engine.knowledge.answer(t).title for t in ("flu", "ards")]
    assert keyboards.for_reply(reply, engine.title) == (
        (Button("Sources", "s:pregnancy"),), (Button(titles[0], "a:flu"),),
        (Button(titles[1], "a:ards"),))


def test_clarify_has_three_choices_and_none_of_these(engine: Engine) -> None:
    reply = Reply("clarify", None, 0.4, "", "", choices=("flu", "ards", "forms", "pregnancy"))
    rows = keyboards.for_reply(reply, engine.title)
    assert [row[0].data for row in rows] == ["a:flu", "a:ards", "a:forms", "n"]


@pytest.mark.parametrize("kind", ["emergency", "sources"], ids=["emergency", "sources"])
def test_reply_without_buttons(engine: Engine, kind: str) -> None:
    reply = Reply(kind, "flu", 1.0, "", "", choices=("flu",))  # type: ignore[arg-type]
    assert keyboards.for_reply(reply, engine.title) == ()


def test_unknown_topic_gets_no_button(engine: Engine) -> None:
    reply = Reply("fallback", None, 0.0, "", "", choices=("no-such-topic", "flu"))
    assert [r[0].data for r in keyboards.for_reply(reply, engine.title)] == ["a:flu"]


def test_group_view_lists_topics_and_the_way_back(engine: Engine) -> None:
    gid, title, answers = engine.topics_by_group()[0]
    view = keyboards.group_view(engine.topics_by_group(), gid)
    assert view is not None
    html, rows = view
    assert (title in html, [r[0].data for r in rows]) == (
        True, [f"a:{a.id}" for a in answers] + ["t"])


def test_unknown_group_has_no_view(engine: Engine) -> None:
    assert keyboards.group_view(engine.topics_by_group(), "no-such-group") is None


def test_answer_with_details_has_more_first(engine: Engine) -> None:
    reply = Reply("answer", "pregnancy", 1.0, "", "", related=("flu",), more=True)
    assert [r[0].data for r in keyboards.for_reply(reply, engine.title)] == [
        "m:pregnancy", "s:pregnancy", "a:flu"]
