"""The curated answers and their sources, loaded from knowledge.yaml; load() reads a file.

Loading checks the whole shape of the file (unknown or missing fields, unknown source or topic
ids, duplicates, text over Telegram's limits) and fails with file, entry and problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.errors import KnowledgeError
from bot.intents import SMALLTALK_TOPICS
from bot.yamlfile import Fields, read_yaml

CAUTION_KINDS = ("pregnancy", "nursing", "interactions", "condition")
# The small-talk texts: one per small-talk topic of intents/, and the fallback's.
SMALLTALK_TEXTS = (*SMALLTALK_TOPICS, "fallback")
EMERGENCY_KINDS = ("overdose", "breathing", "chest", "suicide", "general")
# Telegram: a message is at most 4096 characters, a button label should fit a phone screen.
MAX_ANSWER_CHARS = 2500
MAX_TITLE_CHARS = 32
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class Source:
    """One reference: the article or an entry of its reference list."""

    id: str
    authors: str
    title: str
    publisher: str
    date: str
    note: str | None = None

    def citation(self) -> str:
        """Return the full reference as one line."""
        title = self.title.rstrip(".")
        parts = [self.authors.rstrip("."), title, self.publisher.rstrip("."), self.date]
        line = ". ".join(parts) + "."
        return f"{line} ({self.note})" if self.note else line

    def short(self) -> str:
        """Return a short label such as 'University of Maryland Medical Center, 2014'."""
        first = self.authors.split(",")[0].strip()
        return f"{first}, {self.date[:4]}"


@dataclass(frozen=True, slots=True)
class Group:
    """A group of answers, as shown when browsing topics."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Answer:
    """One curated answer."""

    id: str
    title: str
    group: str
    text: str
    sources: tuple[str, ...]
    evidence: str
    reviewed: str
    related: tuple[str, ...]
    caution: str | None = None


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot may say, with its sources."""

    disclaimer: str
    cautions: Mapping[str, str]
    groups: tuple[Group, ...]
    sources: tuple[Source, ...]
    answers: tuple[Answer, ...]
    smalltalk: Mapping[str, str]
    emergency: Mapping[str, str]
    file: str = "knowledge.yaml"

    _answers: Mapping[str, Answer] = field(init=False, repr=False, compare=False)
    _sources: Mapping[str, Source] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Look-ups by id happen on every reply: index once, at load.
        object.__setattr__(self, "_answers", MappingProxyType({a.id: a for a in self.answers}))
        object.__setattr__(self, "_sources", MappingProxyType({s.id: s for s in self.sources}))

    def answer(self, topic: str) -> Answer:
        """Return the answer with this id (KeyError if none)."""
        return self._answers[topic]

    def source(self, source_id: str) -> Source:
        """Return the source with this id (KeyError if none)."""
        return self._sources[source_id]

    def has_answer(self, topic: str) -> bool:
        """Tell whether an answer has this id."""
        return topic in self._answers

    def answers_in(self, group: str) -> tuple[Answer, ...]:
        """Return the answers of one group, in file order."""
        return tuple(a for a in self.answers if a.group == group)


def _check_id(fields: Fields, value: str) -> str:
    if not ID_PATTERN.match(value):
        raise fields.error(f"id '{value}' must be lower-case words joined by '-'")
    return value


def _unique(file: str, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise KnowledgeError(file, f"{kind} '{item_id}'", "duplicate id")
        seen.add(item_id)


def _entry(kind: str, raw: object, n: int) -> str:
    """Name an entry by its id when it has one, else by its position."""
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind} '{entry_id}'" if isinstance(entry_id, str) else f"{kind}s[{n}]"


def _source(raw: object, file: str, n: int) -> Source:
    f = Fields(raw, file, _entry("source", raw, n))
    f.only(("id", "authors", "title", "publisher", "date"), ("note",))
    source_id = _check_id(f, f.text("id"))
    date = f.text("date")
    if not DATE_PATTERN.match(date):
        raise f.error(f"date '{date}' must be YYYY, YYYY-MM or YYYY-MM-DD")
    return Source(
        id=source_id,
        authors=f.text("authors"),
        title=f.text("title"),
        publisher=f.text("publisher"),
        date=date,
        note=f.optional_text("note"),
    )


def _answer(raw: object, file: str, n: int) -> Answer:
    f = Fields(raw, file, _entry("answer", raw, n))
    fields = ("id", "title", "group", "answer", "sources", "evidence", "reviewed", "related")
    f.only(fields, ("caution",))
    answer_id = _check_id(f, f.text("id"))
    title, text = f.text("title"), f.text("answer")
    if len(title) > MAX_TITLE_CHARS:
        raise f.error(f"title is {len(title)} characters; at most {MAX_TITLE_CHARS} fit a button")
    if len(text) > MAX_ANSWER_CHARS:
        raise f.error(f"answer is {len(text)} characters; at most {MAX_ANSWER_CHARS}")
    caution = f.optional_text("caution")
    if caution is not None and caution not in CAUTION_KINDS:
        raise f.error(f"caution '{caution}' must be one of {', '.join(CAUTION_KINDS)}")
    reviewed = f.text("reviewed")
    if not DATE_PATTERN.match(reviewed) or len(reviewed) != 10:
        raise f.error(f"reviewed '{reviewed}' must be a date YYYY-MM-DD")
    return Answer(
        id=answer_id,
        title=title,
        group=f.text("group"),
        text=text,
        sources=f.texts("sources"),
        evidence=f.text("evidence"),
        reviewed=reviewed,
        related=f.texts("related", allow_empty=True),
        caution=caution,
    )


def _named_texts(top: Fields, key: str, names: tuple[str, ...]) -> Mapping[str, str]:
    f = Fields(top.mapping(key), top.file, key)
    f.only(names)
    return MappingProxyType({name: f.text(name) for name in names})


def parse(data: object, file: str) -> Knowledge:
    """Return the Knowledge in parsed YAML data, or raise a KnowledgeError."""
    top = Fields(data, file, "top level")
    top.only(
        ("disclaimer", "cautions", "groups", "sources", "answers", "smalltalk", "emergency"),
    )
    disclaimer = top.text("disclaimer")
    if "not medical advice" not in disclaimer.lower():
        raise top.error("disclaimer must contain the words 'not medical advice'")
    if not re.search(r"doctor|pharmacist", disclaimer, re.IGNORECASE):
        raise top.error("disclaimer must point to a doctor or pharmacist")
    groups = []
    for n, raw in enumerate(top.items("groups")):
        g = Fields(raw, file, f"groups[{n}]")
        g.only(("id", "title"))
        groups.append(Group(id=_check_id(g, g.text("id")), title=g.text("title")))
    sources = [_source(raw, file, n) for n, raw in enumerate(top.items("sources"))]
    answers = [_answer(raw, file, n) for n, raw in enumerate(top.items("answers"))]
    _unique(file, "group", [g.id for g in groups])
    _unique(file, "source", [s.id for s in sources])
    _unique(file, "answer", [a.id for a in answers])
    group_ids = {g.id for g in groups}
    source_ids = {s.id for s in sources}
    answer_ids = {a.id for a in answers}
    for a in answers:
        where = f"answer '{a.id}'"
        if a.group not in group_ids:
            raise KnowledgeError(file, where, f"unknown group '{a.group}'")
        for s in a.sources:
            if s not in source_ids:
                raise KnowledgeError(file, where, f"unknown source id '{s}'")
        for r in a.related:
            if r not in answer_ids or r == a.id:
                raise KnowledgeError(file, where, f"related '{r}' is not another answer id")
    return Knowledge(
        disclaimer=disclaimer,
        cautions=_named_texts(top, "cautions", CAUTION_KINDS),
        groups=tuple(groups),
        sources=tuple(sources),
        answers=tuple(answers),
        smalltalk=_named_texts(top, "smalltalk", SMALLTALK_TEXTS),
        emergency=_named_texts(top, "emergency", EMERGENCY_KINDS),
        file=file,
    )


def load(path: Path) -> Knowledge:
    """Read and validate knowledge.yaml."""
    return parse(read_yaml(path), str(path))
