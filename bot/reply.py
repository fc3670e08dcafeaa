"""The reply record and the per-conversation state the core hands to every shell; pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["answer", "clarify", "fallback", "emergency", "smalltalk", "sources"]


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply, as plain text and as Telegram HTML, with what it offers and cites."""

    kind: Kind
    topic: str | None
    confidence: float
    text: str
    html: str
    choices: tuple[str, ...] = ()  # topic ids offered: clarify candidates or fallback ideas
    sources: tuple[str, ...] = ()  # source ids this reply cites
    related: tuple[str, ...] = ()  # for an answer: related topic ids
    more: bool = False  # an answer with details one tap away (Engine.details)
    note: str | None = None  # the kind of crisis whose safety note tops this reply, if any
    # A clarify or fallback: the best-ranked answer topic, whatever the decision (its
    # probability is `confidence`), so a curator sees what the bot nearly answered.
    guess: str | None = None
    declined: bool = False  # the reply to "none of these": every choice offered was declined

    def to_json(self) -> dict[str, Any]:
        """Return the reply as the CLI's JSON object (exactly the documented keys)."""
        return {
            "kind": self.kind,
            "topic": self.topic,
            "confidence": round(self.confidence, 4),
            "text": self.text,
            "html": self.html,
            "choices": list(self.choices),
            "sources": list(self.sources),
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class ConversationState:
    """What the core remembers between two messages of one conversation; serialisable."""

    last_topic: str | None = None  # the last answer given, for "sources?" and follow-ups
    choices: tuple[str, ...] = field(default=())  # topics offered by the last clarify
    crisis: str | None = None  # the kind of emergency this chat is in, until it moves on
    last_reply: str = ""  # a short hash of the last reply, so none is sent twice in a row
    detailed: bool = False  # the details of last_topic were shown: "more" now lists related
    alert: str | None = None  # the kind of crisis whose safety note the last reply carried
    # Hashes of the replies before the last one, newest first: an answer sent a few turns
    # ago, with a sources reply between, is as much a repeat to the reader as the last one.
    earlier: tuple[str, ...] = field(default=())
    # The person said, during this crisis, that help is reached ("I called poison control"):
    # follow-ups stop asking them to call and say what to watch for instead.
    reached: bool = False
    # The language a message was last written in, other than English, once told that the
    # bot answers in English only: said once, not under every reply.
    language: str | None = None
    # The use whose study amount was just given ("how much did they use?" after flu): "for
    # how long?" or "did it work?" next are about that study, not about doses in general.
    study: str | None = None
    # The replies in a row that had no answer: each gets other words than the one before.
    unanswered: int = 0
    # How sure the safety model was that this crisis is one: the highest emergency
    # probability of a message read as it. A crisis read from a message it was unsure of is
    # more often a misreading, which the next ordinary question corrects.
    certainty: float = 0.0
    # The crisis is someone else's ("my friend says she wants to end it all"): its replies
    # speak to the person helping, not to the person in crisis.
    someone: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict."""
        return {"last_topic": self.last_topic, "choices": list(self.choices),
                "crisis": self.crisis, "last_reply": self.last_reply,
                "detailed": self.detailed, "alert": self.alert, "earlier": list(self.earlier),
                "reached": self.reached, "language": self.language,
                "study": self.study, "unanswered": self.unanswered,
                "certainty": self.certainty, "someone": self.someone}

    @classmethod
    def from_dict(cls, data: Any) -> ConversationState:
        """Return the state in a dict made by to_dict; anything malformed gives a fresh state."""
        return cls.parse(data) or cls()

    @classmethod
    def parse(cls, data: Any) -> ConversationState | None:
        """Return the state in a dict made by to_dict, or None if any field is malformed.

        Saved state comes from a file that anyone with access to the disk may have changed:
        every field is checked for type and size; a missing field takes its default.
        """
        if not isinstance(data, dict):
            return None
        last, crisis, alert = data.get("last_topic"), data.get("crisis"), data.get("alert")
        choices = data.get("choices", [])
        seen, detailed = data.get("last_reply", ""), data.get("detailed", False)
        earlier, reached = data.get("earlier", []), data.get("reached", False)
        language, study = data.get("language"), data.get("study")
        unanswered = data.get("unanswered", 0)
        certainty = data.get("certainty", 0.0)
        someone = data.get("someone", False)
        if not (all(_name_or_none(v) for v in (last, crisis, alert, language, study))
                and isinstance(choices, list) and len(choices) <= MAX_CHOICES
                and all(_name_or_none(c) and c is not None for c in choices)
                and isinstance(seen, str) and _DIGEST.fullmatch(seen)
                and isinstance(detailed, bool) and isinstance(reached, bool)
                and isinstance(someone, bool)
                and isinstance(earlier, list) and len(earlier) <= MAX_EARLIER
                and all(isinstance(e, str) and e and _DIGEST.fullmatch(e) for e in earlier)
                and type(unanswered) is int and 0 <= unanswered <= MAX_UNANSWERED
                and type(certainty) in (int, float) and 0.0 <= certainty <= 1.0):
            return None
        return cls(last_topic=last, choices=tuple(choices), crisis=crisis, last_reply=seen,
                   detailed=detailed, alert=alert, earlier=tuple(earlier), reached=reached,
                   language=language, study=study, unanswered=unanswered,
                   certainty=float(certainty), someone=someone)


MAX_EARLIER = 3  # replies before the last that an answer must not repeat (Engine._not_again)
MAX_UNANSWERED = 1000  # a count kept only to vary the words; any more is a broken file
MAX_CHOICES = 20  # more than any "did you mean" or related list offers
MAX_NAME = 100  # characters in a topic id or a crisis kind
_DIGEST = re.compile(r"(?:[0-9a-f]{12})?")  # Engine's reply fingerprint, or none yet


def _name_or_none(value: object) -> bool:
    """Tell whether a saved field is None or a short topic id / crisis kind."""
    return value is None or (isinstance(value, str) and 0 < len(value) <= MAX_NAME)


@dataclass(frozen=True, slots=True)
class Turn:
    """A reply and the conversation state after it."""

    reply: Reply
    state: ConversationState
