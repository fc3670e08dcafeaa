"""Inline buttons of the Telegram bot, as plain records built from replies; pure.

A button press comes back as its callback data, which Telegram limits to 64 bytes: here it is
'<action>:<topic or group id>', so a "Sources" button keeps working after later answers. A
button whose data would not fit is left out rather than cut.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.compose import esc
from bot.knowledge import Answer
from bot.reply import Reply

CALLBACK_LIMIT = 64  # bytes of callback data Telegram accepts
SHOW = "a"  # show a topic's answer
MORE = "m"  # show the details of a topic's answer in place of the short one
SOURCES = "s"  # show a topic's references
NONE = "n"  # none of the offered topics
GROUP = "g"  # browse one group of topics
HOME = "t"  # browse the groups
UP = "u"  # 👍 on an answer: '<topic>.<token>' (bot.telegram.feedback)
DOWN = "d"  # 👎 on an answer: '<topic>.<token>'
ACTIONS = frozenset({SHOW, MORE, SOURCES, NONE, GROUP, HOME, UP, DOWN})
FEEDBACK = frozenset({UP, DOWN})
MAX_RELATED = 2
MAX_CHOICES = 3
SOURCES_LABEL = "Sources"
MORE_LABEL = "More"
NONE_LABEL = "None of these"
UP_LABEL = "👍 Helpful"
DOWN_LABEL = "👎 Not helpful"
HOME_LABEL = "« All topics"
TOPICS_HTML = "<b>Browse topics</b>\nPick a group:"


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: what it shows and what it sends back."""

    label: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]
Groups = Sequence[tuple[str, str, Sequence[Answer]]]  # as Engine.topics_by_group() returns
Titles = Callable[[str], str | None]  # a topic's title, None if unknown: Engine.title


def encode(action: str, argument: str = "") -> str | None:
    """Return callback data for an action, or None if it would exceed Telegram's limit."""
    data = f"{action}:{argument}" if argument else action
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def decode(data: str | None) -> tuple[str, str]:
    """Return (action, argument) of callback data; ('', '') for data this bot never made."""
    action, _, argument = (data or "").partition(":")
    return (action, argument) if action in ACTIONS else ("", "")


def _rows(buttons: Sequence[Button | None]) -> Keyboard:
    return tuple((b,) for b in buttons if b is not None)


def _button(label: str, action: str, argument: str = "") -> Button | None:
    data = encode(action, argument)
    return None if data is None else Button(label, data)


def topic_button(titles: Titles, topic: str) -> Button | None:
    """Return the button that shows a topic's answer, labelled with its title."""
    title = titles(topic)
    return None if title is None else _button(title, SHOW, topic)


def for_reply(reply: Reply, titles: Titles, token: str | None = None) -> Keyboard:
    """Return the buttons a reply carries: More, Sources and related topics, or topics to pick.

    token: the remembered question behind the reply (bot.telegram.feedback); with one, an
    answer also asks "Helpful? 👍 / 👎" and "None of these" says which question it declines.
    """
    if reply.kind == "answer" and reply.topic:
        more = _button(MORE_LABEL, MORE, reply.topic) if reply.more else None
        related = [topic_button(titles, t) for t in reply.related[:MAX_RELATED]]
        rows = _rows([more, _button(SOURCES_LABEL, SOURCES, reply.topic), *related])
        return rows + feedback_row(reply.topic, token)
    choices = [topic_button(titles, t) for t in reply.choices[:MAX_CHOICES]]
    if reply.kind == "clarify":
        return _rows([*choices, _button(NONE_LABEL, NONE, token or "")])
    if reply.kind == "fallback":
        return _rows(choices)
    if reply.kind == "smalltalk":  # the welcome offers example topics
        return _rows([topic_button(titles, t) for t in reply.choices])
    return ()


def groups_keyboard(groups: Groups) -> Keyboard:
    """Return one button per group that has answers."""
    return _rows([_button(title, GROUP, gid) for gid, title, answers in groups if answers])


def group_view(groups: Groups, group_id: str) -> tuple[str, Keyboard] | None:
    """Return the HTML and buttons listing one group's topics, or None for an unknown group."""
    for gid, title, answers in groups:
        if gid == group_id and answers:
            buttons = [_button(a.title, SHOW, a.id) for a in answers]
            return f"<b>{esc(title)}</b>\nPick a topic:", _rows([*buttons, _button(HOME_LABEL,
                                                                                   HOME)])
    return None


def feedback_row(topic: str, token: str | None) -> Keyboard:
    """Return the 👍 / 👎 row of an answer (none without a token, or if it would not fit)."""
    if token is None:
        return ()
    up, down = _button(UP_LABEL, UP, f"{topic}.{token}"), _button(DOWN_LABEL, DOWN,
                                                                  f"{topic}.{token}")
    return ((up, down),) if up is not None and down is not None else ()


def feedback_of(argument: str) -> tuple[str, str]:
    """Return (topic, token) of a 👍 / 👎 button's argument."""
    topic, _, token = argument.rpartition(".")
    return topic, token


def token_of(keyboard: Keyboard) -> str | None:
    """Return the token of the 👍 / 👎 row of a keyboard, if it has one."""
    for row in keyboard:
        for b in row:
            action, argument = decode(b.data)
            if action in FEEDBACK:
                return feedback_of(argument)[1] or None
    return None


def without_feedback(keyboard: Keyboard) -> Keyboard:
    """Return a keyboard without its 👍 / 👎 buttons (once pressed, they have done their job)."""
    rows = (tuple(b for b in row if decode(b.data)[0] not in FEEDBACK) for row in keyboard)
    return tuple(row for row in rows if row)
