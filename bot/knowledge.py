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
from bot.intents import CUES, SMALLTALK_TOPICS
from bot.language import LANGUAGES
from bot.yamlfile import Fields, read_yaml

CAUTION_KINDS = ("pregnancy", "nursing", "interactions", "condition", "children", "poisoning")
# The small-talk texts: one per small-talk topic of intents/, the fallback's, and the reply to
# a bare number when no numbered list is open.
SMALLTALK_TEXTS = (*SMALLTALK_TOPICS, "fallback", "number", "animal", "misread")
EMERGENCY_KINDS = ("overdose", "breathing", "chest", "stroke", "suicide", "general")
# The follow-up sent, in place of "please call", once the person has said help is reached
# ("I already called poison control", then "they said she's fine"): no cue names it, the
# conversation does.
REACHED = "reached"
# The follow-up to a message about the supplement during an emergency ("should I give him some
# NAC?"): not at home, get help.
SUPPLEMENT = "supplement"
# The follow-up to fear of calling or a refusal ("we're scared to call the police", "i don't
# want an ambulance"): why calling is right, and call now.
HESITANT = "hesitant"
# Goodbye once help is reached ("thanks, bye"): not "good, you called", not "please call".
FAREWELL = "farewell"
# The follow-up to sleeping it off ("should we just let her sleep it off?", "i just want to
# sleep") after pills or poison: drowsiness is a danger sign, not rest.
SLEEP = "sleep"
# The follow-up to a home remedy asked about during an emergency ("should i give her some
# sugar", "cold shower?", "should i just take a benadryl"): what not to do, and call now.
REMEDY = "remedy"
# The follow-up to naloxone named during an emergency ("i have naloxone", "gave him narcan"):
# an opioid overdose, whatever kind the first message was read as (eleventh black-box test:
# blue lips after a relapse got the allergy guidance, and "i have naloxone" the auto-injector).
NALOXONE = "naloxone"
# The guidance for suicidal talk about someone else ("my friend says she wants to end it all"):
# to the worried person, with the same numbers; its follow-ups are the cues' texts under this
# prefix ("someone_steps"), and "someone_default" for any other.
SOMEONE = "someone"
SOMEONE_CUES = tuple(f"{SOMEONE}_{cue}" for cue in ("default", "steps", "called", "reached",
                                                      "fine", "closing"))
# Telegram: a message is at most 4096 characters, a button label should fit a phone screen.
MAX_ANSWER_CHARS = 2500
MAX_TITLE_CHARS = 32
# A short form is what a phone shows first: about 60 words reads in one glance; over 80 is
# a wall of text again, so loading refuses it (`python -m bot check` reports the rest).
SHORT_WORDS_GUIDE = 60
MAX_SHORT_WORDS = 80
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_PATTERN = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


def word_count(text: str) -> int:
    """Return the number of words in text, as a reader counts them ("500 mg" is two)."""
    return len(text.split())


@dataclass(frozen=True, slots=True)
class Source:
    """One reference: the article or an entry of its reference list.

    A work without a named author has no `authors` (the publisher is not repeated in its
    place); a work without a title has a `description` instead, shown in square brackets so
    it never reads as a title the work does not have.
    """

    id: str
    publisher: str
    date: str
    authors: str | None = None
    title: str | None = None
    description: str | None = None
    note: str | None = None

    def citation(self) -> str:
        """Return the full reference as one line."""
        work = self.title.rstrip(".") if self.title else f"[{self.description}]"
        if self.authors:
            parts = [self.authors.rstrip("."), work, self.publisher.rstrip(".")]
        elif self.title:
            parts = [work, self.publisher.rstrip(".")]
        else:
            parts = [self.publisher.rstrip("."), work]
        line = ". ".join([*parts, self.date]) + "."
        return f"{line} ({self.note})" if self.note else line

    def short(self) -> str:
        """Return a short label such as 'University of Maryland Medical Center, 2014'."""
        first = (self.authors or self.publisher).split(",")[0].strip()
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
    short: str  # what is sent first: the answer in about 60 words
    text: str  # the long form, one tap away: study designs, amounts used, full lists
    sources: tuple[str, ...]
    evidence: str
    reviewed: str
    related: tuple[str, ...]
    caution: str | None = None
    # The amount the article reports for this use, in one sentence ("how much did they use?").
    study_dose: str | None = None


@dataclass(frozen=True, slots=True)
class Crisis:
    """What the bot says about one kind of emergency."""

    guidance: str  # the first reply: emergency guidance only
    note: str  # one line on top of a normal reply to an alarming but not urgent message
    follow_up: Mapping[str, str]  # cue name (or "default") -> reply while the crisis lasts


@dataclass(frozen=True, slots=True)
class Knowledge:
    """Everything the bot may say, with its sources."""

    disclaimer: str
    cautions: Mapping[str, str]
    groups: tuple[Group, ...]
    sources: tuple[Source, ...]
    answers: tuple[Answer, ...]
    smalltalk: Mapping[str, str]
    emergency: Mapping[str, Crisis]
    emergency_closing: str = ""
    # Language code (bot/language.py) -> "I can only answer in English", in that language.
    languages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Language code -> "this may be an emergency: call your local emergency number now", in
    # that language, put on top of emergency guidance (which is in English).
    urgent_languages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # Language code -> "if this is an emergency, call...", added to the English-only line when
    # nothing answered the message (the bot may not have read it at all).
    urgent_if_languages: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}))
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

    def crisis(self, kind: str) -> Crisis:
        """Return what to say about one kind of emergency (the general kind for any other)."""
        return self.emergency.get(kind) or self.emergency["general"]

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
    f.only(("id", "publisher", "date"), ("authors", "title", "description", "note"))
    source_id = _check_id(f, f.text("id"))
    date = f.text("date")
    if not DATE_PATTERN.match(date):
        raise f.error(f"date '{date}' must be YYYY, YYYY-MM or YYYY-MM-DD")
    authors, title = f.optional_text("authors"), f.optional_text("title")
    description = f.optional_text("description")
    if (title is None) == (description is None):
        raise f.error("give either the work's own 'title' or, for an untitled work, a "
                      "'description'")
    if authors is not None and authors == f.text("publisher"):
        raise f.error("authors repeat the publisher; leave 'authors' out for a work without "
                      "a named author")
    return Source(
        id=source_id,
        publisher=f.text("publisher"),
        date=date,
        authors=authors,
        title=title,
        description=description,
        note=f.optional_text("note"),
    )


def _answer(raw: object, file: str, n: int) -> Answer:
    f = Fields(raw, file, _entry("answer", raw, n))
    fields = ("id", "title", "group", "short", "answer", "sources", "evidence", "reviewed",
              "related")
    f.only(fields, ("caution", "study_dose"))
    answer_id = _check_id(f, f.text("id"))
    title, short, text = f.text("title"), f.text("short"), f.text("answer")
    if word_count(short) > MAX_SHORT_WORDS:
        raise f.error(f"short form is {word_count(short)} words; at most {MAX_SHORT_WORDS} "
                      f"(aim for {SHORT_WORDS_GUIDE})")
    if len(title) > MAX_TITLE_CHARS:
        raise f.error(f"title is {len(title)} characters; at most {MAX_TITLE_CHARS} fit a button")
    if len(text) > MAX_ANSWER_CHARS:
        raise f.error(f"answer is {len(text)} characters; at most {MAX_ANSWER_CHARS}")
    caution = f.optional_text("caution")
    if caution is not None and caution not in CAUTION_KINDS:
        raise f.error(f"caution '{caution}' must be one of {', '.join(CAUTION_KINDS)}")
    study_dose = f.optional_text("study_dose")
    if study_dose is not None and not re.search(r"\b(?:study|article)\b", study_dose):
        # An amount with no source in the sentence reads as advice: say where it was used.
        raise f.error("study_dose must say it is what a study or the article reports")
    reviewed = f.text("reviewed")
    if not DATE_PATTERN.match(reviewed) or len(reviewed) != 10:
        raise f.error(f"reviewed '{reviewed}' must be a date YYYY-MM-DD")
    return Answer(
        id=answer_id,
        title=title,
        group=f.text("group"),
        short=short,
        text=text,
        sources=f.texts("sources"),
        evidence=f.text("evidence"),
        reviewed=reviewed,
        related=f.texts("related", allow_empty=True),
        caution=caution,
        study_dose=study_dose,
    )


def _named_texts(top: Fields, key: str, names: tuple[str, ...]) -> Mapping[str, str]:
    f = Fields(top.mapping(key), top.file, key)
    f.only(names)
    return MappingProxyType({name: f.text(name) for name in names})


def _emergency(top: Fields) -> tuple[Mapping[str, Crisis], str]:
    f = Fields(top.mapping("emergency"), top.file, "emergency")
    f.only(("closing", *EMERGENCY_KINDS))
    crises = {}
    for kind in EMERGENCY_KINDS:
        c = Fields(f.mapping(kind), top.file, f"emergency.{kind}")
        c.only(("guidance", "note", "follow_up"))
        u = Fields(c.mapping("follow_up"), top.file, f"emergency.{kind}.follow_up")
        u.only(("default",), (*CUES, REACHED, SUPPLEMENT, HESITANT, FAREWELL, SLEEP,
                                  REMEDY, NALOXONE, SOMEONE, *SOMEONE_CUES))
        crises[kind] = Crisis(
            guidance=c.text("guidance"),
            note=c.text("note"),
            follow_up=MappingProxyType({k: u.text(k) for k in
                                        ("default", *CUES, REACHED, SUPPLEMENT, HESITANT,
                                         FAREWELL, SLEEP, REMEDY, NALOXONE, SOMEONE,
                                         *SOMEONE_CUES)
                                        if k in u.data}),
        )
    return MappingProxyType(crises), f.text("closing")


def _language_lines(top: Fields, key: str) -> dict[str, str]:
    """Return a map of language code to line (bot/language.py codes only), or {} if absent."""
    if key not in top.data:
        return {}
    f = Fields(top.mapping(key), top.file, key)
    f.only((), LANGUAGES)
    return {code: f.text(code) for code in f.data}


def parse(data: object, file: str) -> Knowledge:
    """Return the Knowledge in parsed YAML data, or raise a KnowledgeError."""
    top = Fields(data, file, "top level")
    top.only(
        ("disclaimer", "cautions", "groups", "sources", "answers", "smalltalk", "emergency"),
        ("languages", "urgent_languages", "urgent_if_languages"),
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
    emergency, closing = _emergency(top)
    languages = _language_lines(top, "languages")
    urgent = _language_lines(top, "urgent_languages")
    urgent_if = _language_lines(top, "urgent_if_languages")
    for key, lines in (("urgent_languages", urgent), ("urgent_if_languages", urgent_if)):
        for code, line in lines.items():
            if not re.search(r"\d", line):
                raise KnowledgeError(file, f"{key}.{code}",
                                     "must name an emergency number to call")
    return Knowledge(
        disclaimer=disclaimer,
        cautions=_named_texts(top, "cautions", CAUTION_KINDS),
        groups=tuple(groups),
        sources=tuple(sources),
        answers=tuple(answers),
        smalltalk=_named_texts(top, "smalltalk", SMALLTALK_TEXTS),
        emergency=emergency,
        emergency_closing=closing,
        languages=MappingProxyType(languages),
        urgent_languages=MappingProxyType(urgent),
        urgent_if_languages=MappingProxyType(urgent_if),
        file=file,
    )


def load(path: Path) -> Knowledge:
    """Read and validate knowledge.yaml."""
    return parse(read_yaml(path), str(path))
