"""The ways people ask, loaded from intents/*.yaml; load() reads files.

Each file may hold any of these keys, so curators can group content as they like:
  topics     - a list of {topic, examples, keywords?}: example phrasings per topic, and words
               that name the topic outright (like the words of its title)
  synonyms   - canonical word: [variants], applied before matching
  generic    - words nearly every question shares; they never decide a match alone
  subject    - the words naming what the bot is about (NAC, cysteine, glutathione)
  overview   - word: topic (or a list of topics to choose from), the reply to a question that
               has no other word than that one and the subject
  stopwords  - words that carry no topic at all
  signals    - out-of-scope signals: [{id, terms, reply?, except_topics?}]
  emergency  - emergency phrase lists, evidence for the safety model: {sets, person,
               questions, stories, now, informational, harmless, categories, cues}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.errors import KnowledgeError
from bot.yamlfile import Fields, read_yaml

# Topics that are not answers: the engine handles them itself.
SMALLTALK_TOPICS = (
    "greeting", "thanks", "identity", "capabilities", "goodbye", "ack", "more", "feedback",
)
SOURCES_TOPIC = "sources-request"
OUT_OF_SCOPE_TOPIC = "out-of-scope"
FILE_KEYS = (
    "topics", "synonyms", "generic", "subject", "overview", "stopwords", "signals", "emergency",
)
MIN_EXAMPLES = 12
# What a follow-up in an emergency says, which picks the reply that fits it (see bot/crisis.py).
CUES = ("worse", "called", "fine", "details", "steps", "feelings", "closing")


@dataclass(frozen=True, slots=True)
class Example:
    """One phrasing of one topic, with where it was written."""

    topic: str
    text: str
    file: str


@dataclass(frozen=True, slots=True)
class Keywords:
    """Words that name one topic outright."""

    topic: str
    words: tuple[str, ...]
    file: str


@dataclass(frozen=True, slots=True)
class Signal:
    """Words that mark a question as outside what the article covers."""

    id: str
    terms: tuple[str, ...]
    reply: str | None
    except_topics: tuple[str, ...]  # topics let through, when the message has...
    except_when: tuple[str, ...]  # ...one of these phrases ("with", "together")


@dataclass(frozen=True, slots=True)
class EmergencyCategory:
    """One kind of emergency and the phrases that reveal it."""

    id: str
    always: tuple[str, ...]  # an emergency in any framing
    unless_question: tuple[str, ...]  # an emergency unless asked as a general question
    experience: tuple[str, ...] = ()  # cues that someone is living this now ("after taking")
    together: tuple[tuple[tuple[str, ...], ...], ...] = ()  # one phrase of each list, anywhere
    with_person: tuple[str, ...] = ()  # an emergency only when someone is named as living it
    questions: tuple[str, ...] = ()  # question framing that holds for this category only


@dataclass(frozen=True, slots=True)
class EmergencyRules:
    """Emergency triggers; phrases may name a set as {set} and skip up to a few words."""

    sets: Mapping[str, tuple[str, ...]]
    person: tuple[str, ...]
    questions: tuple[str, ...]
    stories: tuple[str, ...]
    now: tuple[str, ...]
    informational: tuple[str, ...]
    harmless: tuple[str, ...]
    categories: tuple[EmergencyCategory, ...]
    cues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # follow-up cues


@dataclass(frozen=True, slots=True)
class Intents:
    """All of intents/."""

    examples: tuple[Example, ...]
    keywords: tuple[Keywords, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    generic: tuple[str, ...]
    subject: tuple[str, ...]
    overview: Mapping[str, tuple[str, ...]]
    stopwords: tuple[str, ...]
    signals: tuple[Signal, ...]
    emergency: EmergencyRules
    folder: str = "intents"


def _emergency(raw: object, file: str) -> EmergencyRules:
    f = Fields(raw, file, "emergency")
    f.only(("sets", "person", "questions", "stories", "now", "informational", "harmless",
            "categories"), ("cues",))
    sets = {}
    for name, values in f.mapping("sets").items():
        s = Fields({"terms": values}, file, f"emergency.sets.{name}")
        sets[str(name)] = s.texts("terms")
    categories = []
    for n, item in enumerate(f.items("categories")):
        c = Fields(item, file, f"emergency.categories[{n}]")
        c.only(("id",), ("always", "unless_question", "experience", "together", "with_person",
                         "questions"))
        together = []
        for k, rule in enumerate(c.data.get("together") or []):
            if not isinstance(rule, list) or len(rule) < 2:
                raise c.error(f"together[{k}] must be a list of two or more phrase lists")
            lists = Fields({"lists": rule}, file, f"emergency category '{c.text('id')}'")
            together.append(tuple(
                Fields({"phrases": p}, lists.file, lists.entry).texts("phrases") for p in rule
            ))
        cat = EmergencyCategory(
            id=c.text("id"),
            always=c.texts("always", allow_empty=True),
            unless_question=c.texts("unless_question", allow_empty=True),
            experience=c.texts("experience", allow_empty=True),
            together=tuple(together),
            with_person=c.texts("with_person", allow_empty=True),
            questions=c.texts("questions", allow_empty=True),
        )
        if not cat.always and not cat.unless_question and not cat.together:
            raise c.error("a category needs 'always', 'unless_question' or 'together' phrases")
        categories.append(cat)
    cues = {}
    for name, values in (f.mapping("cues") if "cues" in f.data else {}).items():
        if str(name) not in CUES:
            raise f.error(f"cue '{name}' is not one of {', '.join(CUES)}")
        cues[str(name)] = Fields({"phrases": values}, file, f"emergency.cues.{name}").texts(
            "phrases")
    for cat in categories:
        grouped = [p for rule in cat.together for group in rule for p in group]
        for phrase in (*cat.always, *cat.unless_question, *cat.experience, *grouped,
                       *cat.with_person):
            for name in _set_names(phrase):
                if name not in sets and name not in ("number", "year"):
                    where = f"emergency category '{cat.id}'"
                    problem = f"phrase '{phrase}' names unknown set {{{name}}}"
                    raise KnowledgeError(file, where, problem)
    return EmergencyRules(
        sets=MappingProxyType(sets),
        person=f.texts("person"),
        questions=f.texts("questions"),
        stories=f.texts("stories"),
        now=f.texts("now"),
        informational=f.texts("informational"),
        harmless=f.texts("harmless"),
        categories=tuple(categories),
        cues=MappingProxyType(cues),
    )


def _set_names(phrase: str) -> list[str]:
    return [w[1:-1] for w in phrase.split() if w.startswith("{") and w.endswith("}")]


def _signals(items: list[object], file: str) -> list[Signal]:
    out = []
    for n, item in enumerate(items):
        f = Fields(item, file, f"signals[{n}]")
        f.only(("id", "terms"), ("reply", "except_topics", "except_when"))
        out.append(
            Signal(
                id=f.text("id"),
                terms=f.texts("terms"),
                reply=f.optional_text("reply"),
                except_topics=f.texts("except_topics", allow_empty=True),
                except_when=f.texts("except_when", allow_empty=True),
            )
        )
    return out


def load(folder: Path) -> Intents:
    """Read every intents/*.yaml file and return their merged content."""
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise KnowledgeError(str(folder), None, "no intents/*.yaml files found")
    examples: list[Example] = []
    keywords: list[Keywords] = []
    synonyms: dict[str, tuple[str, ...]] = {}
    generic: list[str] = []
    subject: list[str] = []
    overview: dict[str, tuple[str, ...]] = {}
    stopwords: list[str] = []
    signals: list[Signal] = []
    emergency: EmergencyRules | None = None
    for path in files:
        file = str(path)
        top = Fields(read_yaml(path), file, "top level")
        top.only((), FILE_KEYS)
        if "topics" in top.data:
            for n, item in enumerate(top.items("topics")):
                t = Fields(item, file, f"topics[{n}]")
                t.only(("topic", "examples"), ("keywords",))
                topic = t.text("topic")
                t.entry = f"topic '{topic}'"
                examples.extend(Example(topic, text, file) for text in t.texts("examples"))
                if "keywords" in t.data:
                    keywords.append(Keywords(topic, t.texts("keywords"), file))
        if "synonyms" in top.data:
            for canonical, variants in top.mapping("synonyms").items():
                s = Fields({"variants": variants}, file, f"synonyms.{canonical}")
                if str(canonical) in synonyms:
                    raise s.error("canonical word defined twice")
                synonyms[str(canonical)] = s.texts("variants")
        if "generic" in top.data:
            generic.extend(top.texts("generic"))
        if "subject" in top.data:
            subject.extend(top.texts("subject"))
        if "overview" in top.data:
            for word, topics in top.mapping("overview").items():
                o = Fields({"topics": topics if isinstance(topics, list) else [topics]}, file,
                           f"overview.{word}")
                overview[str(word)] = o.texts("topics")
        if "stopwords" in top.data:
            stopwords.extend(top.texts("stopwords"))
        if "signals" in top.data:
            signals.extend(_signals(top.items("signals"), file))
        if "emergency" in top.data:
            if emergency is not None:
                raise top.error("emergency triggers are defined in more than one file")
            emergency = _emergency(top.data["emergency"], file)
    if emergency is None:
        raise KnowledgeError(str(folder), None, "no file defines emergency triggers")
    return Intents(
        examples=tuple(examples),
        keywords=tuple(keywords),
        synonyms=MappingProxyType(synonyms),
        generic=tuple(generic),
        subject=tuple(subject),
        overview=MappingProxyType(overview),
        stopwords=tuple(stopwords),
        signals=tuple(signals),
        emergency=emergency,
        folder=str(folder),
    )
