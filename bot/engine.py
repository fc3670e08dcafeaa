"""The conversation core: one message in, one reply out; pure once built.

Order matters and is the product's safety contract:
  1. emergency triggers, before anything else;
  2. slash commands typed in a chat (/start, /sources...);
  3. a number answering the last "did you mean", or "none of these";
  4. small talk and requests for sources, by whole-message similarity;
  5. overviews: a question naming only the subject ("NAC?", "NAC benefits?");
  6. out-of-scope signals (price, pets, other drugs...), which veto any topic;
  7. topic matching: answer, clarify ("did you mean") or fallback, a short vague follow-up
     being read with the last answer in mind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot import intents as intents_mod
from bot import knowledge as knowledge_mod
from bot.analyzer import Analysis, Analyzer
from bot.commands import BY_NAME, HELP, Keeping
from bot.compose import Composer
from bot.emergency import EmergencyDetector
from bot.intents import (
    OUT_OF_SCOPE_TOPIC,
    SMALLTALK_TOPICS,
    SOURCES_TOPIC,
    Intents,
    Signal,
)
from bot.knowledge import Answer, Knowledge
from bot.matcher import EVERYDAY_FREQUENCY, Matcher, Scored
from bot.normalize import clean, words
from bot.reply import ConversationState, Reply, Turn
from bot.settings import Thresholds

log = logging.getLogger(__name__)

DEFAULT_IDEAS = ("what-is-cysteine", "side-effects", "doses-in-studies")
WELCOME_TOPICS = ("what-is-cysteine", "nac-vs-cysteine", "side-effects", "pregnancy")
# A follow-up this short may lean on the previous answer ("how long did they take it?").
FOLLOW_UP_TERMS = 4
NONE_OF_THESE = frozenset({"none", "none of these", "neither", "no", "nope", "none of them"})


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of topic matching, before it is put into words."""

    kind: str  # answer, clarify, fallback or sources
    topics: tuple[str, ...]
    confidence: float
    reason: str | None = None


class Engine:
    """Answer messages from curated knowledge and intents."""

    def __init__(
        self, knowledge: Knowledge, intents: Intents, thresholds: Thresholds | None = None
    ) -> None:
        self.knowledge = knowledge
        self.intents = intents
        self.thresholds = thresholds or Thresholds()
        self.compose: Composer = Composer(knowledge)  # annotated: bot.commands reads it
        self.analyzer = Analyzer(_vocabulary(knowledge, intents), intents.synonyms,
                                 intents.stopwords)
        self.detector = EmergencyDetector(intents.emergency, self.analyzer)
        generic = {self.analyzer.stem(w) for g in intents.generic for w in self._canon(g)}
        self._generic = frozenset(generic)
        self._subject = frozenset(self.analyzer.stem(w) for g in intents.subject
                                  for w in self._canon(g))
        # The subject words that have an overview of their own name the substance itself.
        self._substance = frozenset(w for w in self._subject
                                    if w in {self.analyzer.stem(x) for x in intents.overview})
        self._overviews = {self.analyzer.stem(w): topics
                           for word, topics in intents.overview.items()
                           for w in self._canon(word)}
        rows = [(e.topic, self.analyzer.analyze(e.text)) for e in intents.examples
                if e.topic not in SMALLTALK_TOPICS]
        texts = [(a.id, self.analyzer.analyze(f"{a.title}\n{a.text}")) for a in knowledge.answers]
        named = {a.id: [a.title] for a in knowledge.answers}
        for k in intents.keywords:
            named.setdefault(k.topic, []).extend(k.words)
        names = [(t, self.analyzer.analyze("\n".join(ws))) for t, ws in named.items()]
        self.matcher = Matcher(rows, generic, texts, names)
        # Small talk and "sources?" are whole short messages: compare the message as a whole.
        self._utterances: list[str] = []
        self._utterance_topics: list[str] = []
        for e in intents.examples:
            if e.topic in SMALLTALK_TOPICS or e.topic == SOURCES_TOPIC:
                self._utterances.append(" ".join(self._canon(e.text)))
                self._utterance_topics.append(e.topic)
        # Signals compare unstemmed words: "directions" must not catch "directly". They are
        # indexed by first word, so a message is scanned once, not once per signal phrase.
        self._except_cues = {s.id: [tuple(self._canon(c)) for c in s.except_when]
                             for s in intents.signals}
        self._signals: dict[str, list[tuple[tuple[str, ...], Signal]]] = {}
        for signal in intents.signals:
            for term in signal.terms:
                phrase = tuple(self._canon(term))
                if phrase:
                    self._signals.setdefault(phrase[0], []).append((phrase, signal))

    @classmethod
    def from_paths(cls, knowledge_path: Path, intents_dir: Path,
                   thresholds: Thresholds | None = None) -> Engine:
        """Load and validate the curated content, then build the engine."""
        knowledge = knowledge_mod.load(knowledge_path)
        intents = intents_mod.load(intents_dir)
        return cls(knowledge, intents, thresholds)

    def _canon(self, text: str) -> list[str]:
        return self.analyzer.canonical(self.analyzer.tokens(text))

    # ---------------------------------------------------------------- public API

    def respond(self, text: str, state: ConversationState | None = None) -> Turn:
        """Return the reply to one message and the conversation state after it."""
        state = state or ConversationState()
        text = clean(text)
        if not words(text):
            return Turn(self.compose.empty(), replace(state, choices=()))
        emergency = self.detector.detect(text)
        if emergency is not None:
            log.debug("outcome=emergency category=%s", emergency.category)
            return Turn(self.compose.emergency(emergency.category), ConversationState())
        if text.startswith("/"):
            return self.command(text[1:].split()[0].split("@")[0].lower(), state)
        picked = self._pick(text, state)
        if picked is not None:
            return picked
        small = self._smalltalk(text)
        if small is not None:
            return self._small(*small, state)
        analysis = self.analyzer.analyze(text)
        overview = self._overview(analysis)
        if len(overview) == 1:
            return self.show(overview[0], 1.0)
        if overview:
            # "NAC benefits?": several answers fit; let the person choose.
            return self._render(Decision("clarify", overview, 1.0), state)
        decision = self.decide(analysis)
        if decision.kind == "sources":
            return Turn(self.sources(state.last_topic), replace(state, choices=()))
        if state.last_topic and decision.reason is None and (
            decision.kind != "answer" or self._vague(analysis)
        ):
            decision = self._follow_up(analysis, state.last_topic) or decision
        # DEBUG: the shells log each message's outcome and latency; the content check at
        # start-up runs every example through here and must stay quiet.
        log.debug("outcome=%s topics=%s confidence=%.3f", decision.kind,
                 ",".join(decision.topics), decision.confidence)
        return self._render(decision, state)

    def command(self, name: str, state: ConversationState | None = None,
                keeping: Keeping | None = None) -> Turn:
        """Return the reply to a command (bot.commands: /start, /help, /sources...)."""
        state = state or ConversationState()
        reply = BY_NAME.get(name, HELP).reply(self, state, keeping or Keeping())
        return Turn(reply, replace(state, choices=reply.choices))

    def none_of_these(self, state: ConversationState | None = None) -> Turn:
        """Return the reply to declining every "did you mean" choice."""
        reply = self.compose.fallback(0.0, "No problem.", DEFAULT_IDEAS)
        return Turn(reply, replace(state or ConversationState(), choices=()))

    def show(self, topic: str, confidence: float = 1.0) -> Turn:
        """Return the answer of one topic (a button press or a picked choice: confidence 1)."""
        answer = self.knowledge.answer(topic)
        return Turn(self.compose.answer(answer, confidence), ConversationState(last_topic=topic))

    def details(self, topic: str) -> Reply:
        """Return the long form of one answer: what a "More" tap or "more" shows."""
        return self.compose.answer(self.knowledge.answer(topic), 1.0)

    def sources(self, topic: str | None) -> Reply:
        """Return the references of one answer, or every source when there is none."""
        known = topic is not None and self.knowledge.has_answer(topic)
        return self.compose.sources(self.knowledge.answer(topic) if known and topic else None)

    def has_answer(self, topic: str) -> bool:
        """Tell whether a topic id names a curated answer."""
        return self.knowledge.has_answer(topic)

    def title(self, topic: str) -> str | None:
        """Return the title of a curated answer (None for an unknown topic id)."""
        return self.knowledge.answer(topic).title if self.knowledge.has_answer(topic) else None

    def search(self, text: str) -> tuple[Reply, ...]:
        """Return the curated answers a message finds: an emergency gets its guidance alone."""
        reply = self.respond(text).reply
        if reply.kind in ("emergency", "answer"):
            return (reply,)
        if reply.kind == "clarify":
            return tuple(self.show(t, reply.confidence).reply for t in reply.choices)
        return ()

    def topics_by_group(self) -> list[tuple[str, str, tuple[Answer, ...]]]:
        """Return (group id, group title, answers) for browsing, in file order."""
        return [(g.id, g.title, self.knowledge.answers_in(g.id)) for g in self.knowledge.groups]

    def welcome(self) -> Reply:
        """Return the greeting that opens a conversation, with example topics to try."""
        return self.compose.welcome(WELCOME_TOPICS)

    # ---------------------------------------------------------------- matching

    def decide(self, analysis: Analysis, in_context: bool = False) -> Decision:
        """Return answer, clarify, fallback or sources for an analysed question.

        in_context: the question follows an answer, so it need not name the subject.
        """
        t = self.thresholds
        ranked = self.matcher.rank(analysis, limit=8)
        answers = [s for s in ranked if self.knowledge.has_answer(s.topic)]
        best = answers[0] if answers else Scored("", 0.0)
        special = {s.topic: s.score for s in ranked if not self.knowledge.has_answer(s.topic)}
        signal = self._signal(analysis)
        if signal is not None:
            topic = self._excepted(signal, analysis)
            if topic is None:
                # A price or pet question resembles no topic worth suggesting: offer the basics.
                return Decision("fallback", DEFAULT_IDEAS, best.score, signal.reply or "")
            # "Can I take NAC with ibuprofen?" is a question about combining: interactions.
            score = next((s.score for s in answers if s.topic == topic), t.answer)
            return Decision("answer", (topic,), max(score, t.answer))
        if special.get(SOURCES_TOPIC, 0.0) >= max(t.answer, best.score):
            return Decision("sources", (), special[SOURCES_TOPIC])
        if special.get(OUT_OF_SCOPE_TOPIC, 0.0) >= best.score:
            return Decision("fallback", self._ideas(answers), best.score, "")
        if not self._anchored(analysis):
            return Decision("fallback", DEFAULT_IDEAS, best.score)
        # "What happened at Chernobyl?" shares a word with a topic but never names NAC.
        named = in_context or any(x in self._subject for x in analysis.terms)
        if best.score < t.unnamed and not named:
            return Decision("fallback", DEFAULT_IDEAS, best.score)
        second = answers[1].score if len(answers) > 1 else 0.0
        if best.score >= t.answer and best.score - second >= t.margin:
            return Decision("answer", (best.topic,), best.score)
        if best.score >= t.clarify:
            close = tuple(
                s.topic for s in answers[:3]
                if s.score >= t.clarify and best.score - s.score <= t.window
            )
            return Decision("clarify", close, best.score)
        return Decision("fallback", self._ideas(answers), best.score)

    def _anchored(self, analysis: Analysis) -> bool:
        """Tell whether a question is about the bot's subject at all."""
        # Only a question with words the bot has never seen needs proof: it names the subject,
        # or it uses a topic word that is not everyday English ("bronchitis", not "egg").
        if not any(not self.matcher.knows(t) and not t.isdigit() for t in analysis.terms):
            return True
        return any(
            t in self._subject
            or (self.matcher.knows(t) and t not in self._generic
                and analysis.commonness.get(t, 0.0) < EVERYDAY_FREQUENCY)
            for t in analysis.terms
        )

    def _vague(self, analysis: Analysis) -> bool:
        """Tell whether a short question names neither the subject nor any topic."""
        terms = analysis.terms
        return (len(terms) <= FOLLOW_UP_TERMS and not self.matcher.named(terms)
                and not any(t in self._subject for t in terms))

    def _follow_up(self, analysis: Analysis, last_topic: str) -> Decision | None:
        # "how long did they take it?" after an answer: read it with that answer's title.
        if len(analysis.terms) > FOLLOW_UP_TERMS or analysis.unknown:
            return None
        title = self.knowledge.answer(last_topic).title
        extended = self.analyzer.analyze(" ".join((*analysis.words, title)))
        decision = self.decide(extended, in_context=True)
        return decision if decision.kind == "answer" else None

    def _ideas(self, answers: list[Scored]) -> tuple[str, ...]:
        near = tuple(s.topic for s in answers[:3] if s.score >= self.thresholds.clarify / 2)
        return near or DEFAULT_IDEAS

    def _excepted(self, signal: Signal, analysis: Analysis) -> str | None:
        """Return the topic a signal lets through ("NAC with ibuprofen": interactions)."""
        cues = self._except_cues.get(signal.id, ())
        if not signal.except_topics or not cues:
            return None
        names_subject = any(t in self._subject for t in analysis.terms)
        combines = any(_has(analysis.tokens, cue) for cue in cues)
        return signal.except_topics[0] if names_subject and combines else None

    def _signal(self, analysis: Analysis) -> Signal | None:
        tokens = analysis.tokens
        for i, token in enumerate(tokens):
            for phrase, signal in self._signals.get(token, ()):
                if tokens[i : i + len(phrase)] == phrase:
                    return signal
        return None

    def _small(self, topic: str, score: float, state: ConversationState) -> Turn:
        if topic == SOURCES_TOPIC:
            return Turn(self.sources(state.last_topic), replace(state, choices=()))
        if topic == "more":
            if state.last_topic is None:
                return Turn(self.compose.smalltalk("capabilities", score), state)
            related = self.knowledge.answer(state.last_topic).related
            return Turn(self.compose.more(related, score), replace(state, choices=related))
        return Turn(self.compose.smalltalk(topic, score), replace(state, choices=()))

    def _overview(self, analysis: Analysis) -> tuple[str, ...]:
        """Return the overview topics of a question made of one word and the subject."""
        # "NAC?", "what is cysteine", "nac benefits": nothing but the subject and one word.
        rest = [t for t in analysis.terms if t not in self._substance]
        if len(rest) > 1 or len(analysis.terms) > 2:
            return ()
        key = rest[0] if rest else analysis.terms[0] if analysis.terms else ""
        return self._overviews.get(key, ())

    def _smalltalk(self, text: str) -> tuple[str, float] | None:
        message = " ".join(self._canon(text))
        cutoff = self.thresholds.smalltalk * 100
        found = process.extractOne(message, self._utterances, scorer=fuzz.ratio,
                                   score_cutoff=cutoff)
        if found is None:
            return None
        return self._utterance_topics[found[2]], found[1] / 100

    def _pick(self, text: str, state: ConversationState) -> Turn | None:
        if not state.choices:
            return None
        folded = " ".join(words(text))
        if folded.isdigit() and len(folded) <= 3 and 1 <= int(folded) <= len(state.choices):
            return self.show(state.choices[int(folded) - 1])
        if folded in NONE_OF_THESE:
            return self.none_of_these(state)
        return None

    def _render(self, decision: Decision, state: ConversationState) -> Turn:
        if decision.kind == "answer":
            return self.show(decision.topics[0], decision.confidence)
        if decision.kind == "clarify":
            reply = self.compose.clarify(decision.topics, decision.confidence)
            return Turn(reply, replace(state, choices=decision.topics))
        reply = self.compose.fallback(decision.confidence, decision.reason or None,
                                      decision.topics)
        return Turn(reply, replace(state, choices=()))


def _has(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tokens[i : i + n] == phrase for i in range(len(tokens) - n + 1))


def _vocabulary(knowledge: Knowledge, intents: Intents) -> Iterable[str]:
    """Yield every text whose words the typo repair may aim at."""
    yield from (e.text for e in intents.examples)
    yield from (f"{a.title}\n{a.text}" for a in knowledge.answers)
    for signal in intents.signals:
        yield from signal.terms
    rules = intents.emergency
    for values in rules.sets.values():
        yield from values
    yield from rules.person
    yield from rules.questions
    for cat in rules.categories:
        for phrase in (*cat.always, *cat.unless_question):
            yield " ".join(w for w in phrase.split() if not w.startswith("{"))
