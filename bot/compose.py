"""Compose replies from curated content, as Telegram HTML and plain text; pure.

Every reply is written once, as HTML using only tags Telegram accepts (b, i), with all text
escaped; the plain text is that HTML with tags removed, which is also exactly what Telegram
counts against its 4096-character limit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.knowledge import REACHED, SOMEONE, Answer, Knowledge, Source
from bot.reply import Kind, Reply

TELEGRAM_LIMIT = 4096
# The first reply to a question fits a phone screen; the details are one tap ("More") away.
FIRST_REPLY_LIMIT = 1000
# The first reply names this many sources; the details name them all.
FIRST_REPLY_SOURCES = 3
MORE_HINT = 'Send "more" for the details, "sources" for the full references.'
# Under the amount one study used: what it is not, and where the others are.
STUDY_DOSE_NOTE = ("An amount used in a study is not a dose for you: only a doctor or "
                   "pharmacist can advise you on that. The amounts for other uses are in the "
                   "details.")
STUDY_NOTE = STUDY_DOSE_NOTE.split(". ")[0] + "."  # without "the others are in the details"
NO_AMOUNT = ("The article gives no amount for this, however small, and the amounts used in "
             "studies were not tested here.")
NO_STUDY_AMOUNT = ("The article reports no amount used for this. The amounts it does report "
                   "are for other uses, in the details, and none is a dose for you: a doctor or "
                   "pharmacist can advise you.")
NO_TIME_FRAME = ("The article gives no time frame for this: not how long it takes, nor for how "
                 "long it is used. A doctor or pharmacist can say what applies to you.")
RELATED_HINT = 'Send "more" for related topics, "sources" for the full references.'
LATE_LINE = "Sorry for the late reply: your message reached me only now."
# The cautions that already say where to get urgent help for a kind of crisis: under a safety
# note of that kind on top, the same advice again at the bottom read as two alarms in one
# reply ("accidentally took two 600mg... feel totally fine", black-box test 6).
NOTE_COVERS = {"overdose": frozenset({"poisoning", "children"})}
_TAG = re.compile(r"</?[a-z]+>")


def esc(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=False)


def to_plain(markup: str) -> str:
    """Return the text Telegram shows for this HTML."""
    return html.unescape(_TAG.sub("", markup))


def telegram_length(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _body(text: str) -> str:
    """Return curated plain text as HTML, with '- ' list lines shown as bullets."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        lines.append("• " + esc(stripped[2:]) if stripped.startswith("- ") else esc(stripped))
    return "\n".join(lines)


def _reply(kind: Kind, topic: str | None, confidence: float, blocks: Iterable[str], *,
           more: bool = False, choices: tuple[str, ...] = (), sources: tuple[str, ...] = (),
           related: tuple[str, ...] = ()) -> Reply:
    markup = "\n\n".join(b for b in blocks if b)
    return Reply(kind=kind, topic=topic, confidence=confidence, text=to_plain(markup),
                 html=markup, more=more, choices=choices, sources=sources, related=related)


# The short "no curated answer", in turn, for requests the bot cannot answer one after another.
# Said to "what's the weather?" as much as to a health question: a doctor is named for health
# only ("ask a pharmacist" about lasagne reads as a machine).
FALLBACK_AGAIN = (
    "That one is outside what I cover too: I only answer from one article on L-cysteine and "
    "NAC, and for your own health a doctor or pharmacist is the one to ask. You could ask me "
    "about:",
    "I can't answer that one either: my article doesn't cover it. Some of what it does "
    "cover:",
    "Nothing on that in my article, sorry. Send /topics for everything I can answer, or try "
    "one of these:",
)


class Composer:
    """Turn decisions of the engine into replies."""

    def __init__(self, knowledge: Knowledge) -> None:
        self.knowledge = knowledge
        self._disclaimer = f"<i>{esc(knowledge.disclaimer)}</i>"

    def _caution(self, answer: Answer) -> str:
        if answer.caution is None:
            return ""
        return f"⚠️ <b>{esc(self.knowledge.cautions[answer.caution])}</b>"

    def _short_sources(self, ids: Sequence[str], at_most: int | None = None) -> str:
        shown = ids if at_most is None else ids[:at_most]
        names = "; ".join(esc(self.knowledge.source(s).short()) for s in shown)
        rest = len(ids) - len(shown)
        return f"{names} and {rest} more" if rest else names

    def answer(self, answer: Answer, confidence: float) -> Reply:
        """Return the first reply: short answer, evidence and sources, caution, disclaimer."""
        blocks = [
            f"<b>{esc(answer.title)}</b>",
            _body(answer.short),
            f"<i>Evidence:</i> {esc(answer.evidence)} <i>Sources:</i> "
            f"{self._short_sources(answer.sources, FIRST_REPLY_SOURCES)}",
            self._caution(answer),
            f"{self._disclaimer}\n{esc(MORE_HINT)}",
        ]
        return _reply("answer", answer.id, confidence, blocks, more=True,
                      sources=answer.sources, related=answer.related)

    def study_dose(self, doses: Answer, use: Answer, confidence: float) -> Reply:
        """Return the amount one study used ("how much did they use?" after its answer)."""
        blocks = [
            f"<b>{esc(doses.title)}: {esc(use.title)}</b>",
            f"{esc(use.study_dose or '')} {esc(STUDY_DOSE_NOTE)}",
            f"<i>Sources:</i> {self._short_sources(use.sources, FIRST_REPLY_SOURCES)}",
            f"{self._disclaimer}\n{esc(MORE_HINT)}",
        ]
        return _reply("answer", doses.id, confidence, blocks, more=True, sources=use.sources,
                      related=doses.related)

    def study_length(self, doses: Answer, use: Answer, reported: bool) -> Reply:
        """Return how long a study ran ("for how long?" after its amount), or that it is unsaid."""
        lead = ("How long, as the article reports it:" if reported else
                "The article doesn't say for how long. What it reports:")
        blocks = [
            f"<b>{esc(doses.title)}: {esc(use.title)}</b>",
            f"{esc(lead)} {esc(use.study_dose or '')} {esc(STUDY_NOTE)}",
            f"{self._disclaimer}",
        ]
        return _reply("answer", doses.id, 1.0, blocks, sources=use.sources,
                      related=doses.related)

    def no_amount(self, answer: Answer) -> Reply:
        """Return that the article gives no amount for a group ("a small dose?" after it)."""
        caution = self.knowledge.cautions[answer.caution] if answer.caution else ""
        return self._unsaid(answer, f"{NO_AMOUNT} {caution}")

    def no_study_amount(self, doses: Answer, use: Answer, confidence: float) -> Reply:
        """Return that the article reports no amount for a use ("how much?" after OCD)."""
        blocks = [
            f"<b>{esc(doses.title)}: {esc(use.title)}</b>",
            esc(NO_STUDY_AMOUNT),
            f"{self._disclaimer}\n{esc(MORE_HINT)}",
        ]
        return _reply("answer", doses.id, confidence, blocks, more=True, sources=doses.sources,
                      related=doses.related)

    def no_time_frame(self, answer: Answer) -> Reply:
        """Return that the article gives no time frame for an answer ("for how long?" after it)."""
        return self._unsaid(answer, NO_TIME_FRAME)

    def _unsaid(self, answer: Answer, line: str) -> Reply:
        """Return an answer's title with what the article does not say about it."""
        blocks = [f"<b>{esc(answer.title)}</b>", esc(line),
                  f"{self._disclaimer}\n{esc(MORE_HINT)}"]
        return _reply("answer", answer.id, 1.0, blocks, more=True, sources=answer.sources,
                      related=answer.related)

    def details(self, answer: Answer) -> Reply:
        """Return the long form: the details, every source, caution and disclaimer."""
        blocks = [
            f"<b>{esc(answer.title)}</b>",
            _body(answer.text),
            f"<i>Evidence:</i> {esc(answer.evidence)}\n"
            f"<i>Sources:</i> {self._short_sources(answer.sources)}",
            self._caution(answer),
            f"{self._disclaimer}\n{esc(RELATED_HINT)}",
        ]
        return _reply("answer", answer.id, 1.0, blocks, sources=answer.sources,
                      related=answer.related)

    def clarify(self, topics: Sequence[str], confidence: float, broad: bool = False,
                vague: bool = False) -> Reply:
        """Return a 'did you mean' reply offering up to three topics."""
        titles = [self.knowledge.answer(t).title for t in topics]
        listing = "\n".join(f"{n}. {esc(t)}" for n, t in enumerate(titles, 1))
        blocks = [
            # A broad question ("NAC benefits?") is not misunderstood: it has several answers.
            # A vague first message ("is it ok?") has nothing to mean yet: ask what it is about.
            "The article covers a few things on that. Which would you like?" if broad
            else "Happy to help. What would you like to know about cysteine or NAC? "
                 "For example:" if vague
            else "Is this what you mean?" if len(topics) == 1
            else "I'm not sure which of these you mean:",
            listing,
            'Reply "yes" to read it, or ask again in other words.' if len(topics) == 1
            else "Reply with a number, or ask your question in a few more words." if vague
            else "Reply with a number, or ask again in other words.",
            self._disclaimer,
        ]
        return _reply("clarify", None, confidence, blocks, choices=tuple(topics))

    def fallback(self, confidence: float, reason: str | None, ideas: Sequence[str]) -> Reply:
        """Return the honest 'no curated answer' reply with what the bot can answer."""
        groups = ", ".join(g.title.lower() for g in self.knowledge.groups if g.id != "about")
        examples = "\n".join(f"• {esc(self.knowledge.answer(t).title)}" for t in ideas)
        blocks = [
            esc(reason) if reason else "",
            esc(self.knowledge.smalltalk["fallback"]),
            f"I can answer questions about cysteine and NAC: {esc(groups)}. For example:\n"
            f"{examples}",
        ]
        return _reply("fallback", None, confidence, blocks, choices=tuple(ideas))

    def fallback_again(self, confidence: float, ideas: Sequence[str], turn: int = 0) -> Reply:
        """Return a short 'no curated answer' for a second (third...) such message in a row."""
        examples = "\n".join(f"• {esc(self.knowledge.answer(t).title)}" for t in ideas)
        # Each one in a row gets other words: the same refusal with only the examples
        # changed reads as a machine stuck in a loop.
        lead = FALLBACK_AGAIN[turn % len(FALLBACK_AGAIN)]
        return _reply("fallback", None, confidence, [f"{lead}\n{examples}"],
                      choices=tuple(ideas))

    def emergency(self, category: str, cue: str | None = None) -> Reply:
        """Return emergency guidance only (or a follow-up in the same crisis): no doses."""
        crisis = self.knowledge.crisis(category)
        if cue is None:
            text = crisis.guidance
        else:
            text = crisis.follow_up.get(cue) or crisis.follow_up["default"]
        icon = "💙" if category == "suicide" else "🚨"
        blocks = [f"{icon} <b>{esc(text)}</b>", f"<i>{esc(self.knowledge.emergency_closing)}</i>"]
        return _reply("emergency", category, 1.0, blocks)

    def crisis_thanks(self, category: str, reached: bool = False,
                      someone: bool = False) -> Reply:
        """Return the answer to thanks during an emergency: warm, and still pointing to help.

        someone: the crisis is someone else's; the words are for the person helping.
        """
        crisis = self.knowledge.crisis(category)
        # Small talk in kind (the person said thanks), with the crisis's closing words: "you
        # matter", and where to call if anything changes; never a cheerful "ask me more".
        # Once they said help is reached, "please call if you haven't" would not listen.
        texts = crisis.follow_up
        prefix = f"{SOMEONE}_" if someone and f"{SOMEONE}_closing" in texts else ""
        text = ((reached and texts.get(prefix + REACHED)) or texts.get(prefix + "closing")
                or crisis.note)
        icon = "💙" if category == "suicide" else "⚠️"
        reply = _reply("smalltalk", None, 1.0, [f"{icon} {esc(text)}"])
        return replace(reply, note=category)

    def with_note(self, reply: Reply, category: str, still_urgent: bool = False) -> Reply:
        """Return a reply with a one-line safety note for this kind of crisis on top.

        still_urgent: the chat leaves an emergency with no help reached ("ok he's fine, anyway
        what is nac used for"): the note is the crisis's "even if they seem fine, call" line,
        not the one for a message that was never an emergency ("if anyone feels unwell...").
        """
        crisis = self.knowledge.crisis(category)
        note = (still_urgent and crisis.follow_up.get("fine")) or crisis.note
        icon = "💙" if category == "suicide" else "⚠️"
        html = reply.html
        if reply.topic is not None and self.knowledge.has_answer(reply.topic):
            answer = self.knowledge.answer(reply.topic)
            if answer.caution in NOTE_COVERS.get(category, ()):
                html = html.replace(f"{self._caution(answer)}\n\n", "", 1)
        markup = f"{icon} <i>{esc(note)}</i>\n\n{html}"
        return replace(reply, html=markup, text=to_plain(markup), note=category)

    def in_language(self, reply: Reply, code: str) -> Reply:
        """Return a reply with the line "I can only answer in English" in that language."""
        urgent = self.knowledge.urgent_languages.get(code)
        if reply.kind == "emergency" and urgent is not None:
            # "mi hijo se tomó muchas pastillas" got its guidance in English with "sorry,
            # English only" under it: what to do now comes first, in the person's language.
            return replace(reply, html=f"<b>{esc(urgent)}</b>\n\n{reply.html}",
                           text=to_plain(f"<b>{esc(urgent)}</b>\n\n{reply.html}"))
        line = self.knowledge.languages.get(code)
        if line is None:
            return reply
        if reply.kind == "fallback" and code in self.knowledge.urgent_if_languages:
            # Nothing answered, so the bot may not have read the message at all: where to
            # call, in case it was an emergency ("我儿子吞了很多药片" got only the fallback).
            gap = "" if line.endswith("。") else " "  # no space after a CJK full stop
            line = f"{line}{gap}{self.knowledge.urgent_if_languages[code]}"
        # Emergency guidance stays first, where the numbers to call are; elsewhere the line
        # comes first, so the English below it, or the fallback, makes sense.
        if reply.kind == "emergency":
            markup = f"{reply.html}\n\n<i>{esc(line)}</i>"
        else:
            markup = f"<i>{esc(line)}</i>\n\n{reply.html}"
        return replace(reply, html=markup, text=to_plain(markup))

    def late(self, reply: Reply) -> Reply:
        """Return a reply with a first line saying sorry that it comes late (not an emergency)."""
        # Emergency guidance stays alone and first: it is right however late it comes.
        if reply.kind == "emergency":
            return reply
        markup = f"<i>{esc(LATE_LINE)}</i>\n\n{reply.html}"
        return replace(reply, html=markup, text=to_plain(markup))

    def no_more(self, answer: Answer) -> Reply:
        """Return what to say instead of the same answer twice: the article says no more."""
        related = "\n".join(f"{n}. {esc(self.knowledge.answer(t).title)}"
                            for n, t in enumerate(answer.related, 1))
        blocks = [
            f"That's all the article says about <b>{esc(answer.title)}</b>, so I can't add more "
            "on that. For your own situation, a doctor or pharmacist can help.",
            f"Related topics (reply with a number):\n{related}" if related else "",
            self._disclaimer,
        ]
        return _reply("fallback", answer.id, 0.0, blocks, choices=answer.related)

    def smalltalk(self, kind: str, confidence: float) -> Reply:
        """Return a short friendly reply that steers to what the bot knows."""
        return _reply("smalltalk", None, confidence, [esc(self.knowledge.smalltalk[kind])])

    def welcome(self, topics: Sequence[str]) -> Reply:
        """Return the opening message: what the bot answers, the disclaimer, topics to try."""
        blocks = [
            esc(self.knowledge.smalltalk["greeting"]),
            self._disclaimer,
            "Ask in your own words, or try one of these:",
            "\n".join(f"• {esc(self.knowledge.answer(t).title)}" for t in topics),
        ]
        return _reply("smalltalk", None, 1.0, blocks, choices=tuple(topics))

    def more(self, answer: Answer, confidence: float) -> Reply:
        """Return what a second "more" gets: that was everything, and the related topics."""
        listing = "\n".join(f"{n}. {esc(self.knowledge.answer(t).title)}"
                            for n, t in enumerate(answer.related, 1))
        # A title may end with its own mark ("What is glutathione?"): no full stop after it.
        stop = "" if answer.title.endswith(("?", "!", ".")) else "."
        blocks = [f"That's everything the article says about <b>{esc(answer.title)}</b>{stop}"]
        if listing:
            blocks += [esc(self.knowledge.smalltalk["more"]), listing, "Reply with a number."]
        return _reply("smalltalk", None, confidence, blocks, choices=answer.related)

    def topics(self, groups: Sequence[tuple[str, str, Sequence[Answer]]]) -> Reply:
        """Return every topic, by group, as text."""
        blocks = ["<b>Topics I can answer</b>"]
        for _, title, answers in groups:
            names = "\n".join(f"• {esc(a.title)}" for a in answers)
            blocks.append(f"<b>{esc(title)}</b>\n{names}")
        blocks.append("Ask about any of them in your own words.")
        return _reply("smalltalk", None, 1.0, blocks)

    def help(self) -> Reply:
        """Return how to use the bot."""
        blocks = [
            esc(self.knowledge.smalltalk["capabilities"]),
            "Ask in your own words, typos welcome. After an answer, send <i>sources</i> for "
            "its full references, or ask a follow-up such as <i>and in pregnancy?</i>",
            "Commands: /topics to browse every answer, /sources for the references of the "
            "last answer, /disclaimer, /privacy.",
            self._disclaimer,
        ]
        return _reply("smalltalk", None, 1.0, blocks)

    def disclaimer(self) -> Reply:
        """Return the medical disclaimer and what the bot's answers rest on."""
        blocks = [
            f"<b>{esc(self.knowledge.disclaimer)}</b>",
            "Answers summarise one curated article about L-cysteine and NAC and the "
            "references it lists. They cannot take your health, medicines or situation into "
            "account. In an emergency, call your local emergency number or poison control.",
        ]
        return _reply("smalltalk", None, 1.0, blocks)

    def privacy(self, ttl_seconds: int, persistent: bool, inbox_days: int | None = None
                ) -> Reply:
        """Return exactly what the bot stores, for how long, and that no identity is kept."""
        kept = "kept in a state file across restarts" if persistent else "kept in memory only"
        hours, minutes = divmod(max(60, ttl_seconds) // 60, 60)
        ttl = f"{hours} hours" if not minutes else f"{hours * 60 + minutes} minutes"
        blocks = [
            "<b>What I store</b>",
            f"• For each chat: the topic of my last answer and the last 'did you mean' "
            f"choices, so follow-ups like <i>sources?</i> work. They are {kept} and "
            f"forgotten after {ttl} without messages.",
        ]
        if inbox_days is not None:
            blocks += [
                "• Questions I could not answer (no curated answer, a 'did you mean', "
                "<i>None of these</i>, or 👎 on an answer), so the people who curate the "
                "answers can add what is missing: the question's words with e-mail addresses, "
                "phone numbers, long numbers and your name removed, the time to the minute, "
                "what I replied and the topic I thought closest. They are deleted after "
                f"{inbox_days} days.",
                "• How many replies of each kind and topic I sent per hour, without any text, "
                f"also for {inbox_days} days.",
                "• The question behind each answer, in memory only and for at most "
                f"{ttl}, so that 👎 can record it.",
                "• Nothing that says who asked: no user id, chat id, username or name is ever "
                "stored. No history of answered questions.",
            ]
        else:
            blocks.append("• No message history, names, usernames or phone numbers; "
                          "unanswered questions are not recorded.")
        blocks.append("• Logs record the matched topic, score and timing, with chat ids "
                      "replaced by a one-way hash.")
        return _reply("smalltalk", None, 1.0, blocks)

    def empty(self) -> Reply:
        """Return the reply to a message with no words in it."""
        return _reply("smalltalk", None, 0.0, [
            "Please type your question in words, for example: "
            "<i>What is NAC?</i> or <i>Is cysteine safe in pregnancy?</i>",
        ])

    def sources(self, answer: Answer | None) -> Reply:
        """Return the full references of one answer, or the whole source list."""
        cited: Sequence[Source]
        if answer is None:
            cited = self.knowledge.sources
            head = "All answers come from this article and the references it lists:"
        else:
            cited = [self.knowledge.source(s) for s in answer.sources]
            head = f"Sources for <b>{esc(answer.title)}</b>:"
        listing = "\n".join(f"{n}. {esc(s.citation())}" for n, s in enumerate(cited, 1))
        topic = answer.id if answer else None
        # "is that a reliable source?" got a bare list: how strong the evidence behind this
        # answer is, as its curator rated it, goes with its references.
        strength = f"<i>Evidence:</i> {esc(answer.evidence)}" if answer else ""
        return _reply("sources", topic, 1.0, [head, listing, strength],
                      sources=tuple(s.id for s in cited))


def split_html(markup: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split HTML at paragraph boundaries into parts Telegram accepts, each valid alone."""
    parts: list[str] = []
    current = ""
    for block in _pieces(markup, limit):
        candidate = f"{current}\n\n{block}" if current else block
        if telegram_length(to_plain(candidate)) <= limit:
            current = candidate
        else:
            parts.append(current)
            current = block
    if current:
        parts.append(current)
    return parts


def _pieces(markup: str, limit: int) -> list[str]:
    # Paragraphs keep their tags balanced; one too long on its own is split by line, and a
    # line still too long loses its tags and is cut by length, so no part breaks a tag.
    out: list[str] = []
    for paragraph in markup.split("\n\n"):
        if telegram_length(to_plain(paragraph)) <= limit:
            out.append(paragraph)
            continue
        for line in paragraph.split("\n"):
            plain = to_plain(line)
            if telegram_length(plain) <= limit:
                out.append(line)
                continue
            step = limit // 2  # safe for any UTF-16 width
            out.extend(esc(plain[i : i + step]) for i in range(0, len(plain), step))
    return out
