"""Conversations with the core: outcomes, disclaimers, follow-ups and robustness."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace

import pytest

from bot.acts import ActParams
from bot.compose import FALLBACK_AGAIN
from bot.engine import Engine
from bot.reply import ConversationState, Reply
from bot.settings import Thresholds

HEALTH_KINDS = ("answer", "clarify")

OUTCOMES = [
    ("what is cysteine", "answer", "what-is-cysteine"),
    ("is nac safe while pregant", "answer", "pregnancy"),
    ("nac side efects", "answer", "side-effects"),
    ("is NAC used for Tylenol overdose?", "answer", "acetaminophen-overdose"),
    ("can i take acetylcysteine when breast feeding", "answer", "breastfeeding"),
    ("how much does nac cost", "fallback", None),
    ("best nac brand", "fallback", None),
    ("should i take nac in the morning or at night", "fallback", None),
    ("can i give nac to my dog", "fallback", None),
    ("is magnesium good for sleep", "fallback", None),
    ("nac for tinnitus", "fallback", None),
    ("whats the weather tomorrow", "fallback", None),
    ("set a timer for 10 minutes", "fallback", None),
    ("hello", "smalltalk", None),
    ("thanks!", "smalltalk", None),
    ("who are you", "smalltalk", None),
    ("sources?", "sources", None),
    ("my kid swallowed a bunch of my nac pills", "emergency", "overdose"),
]


@pytest.mark.parametrize(("text", "kind", "topic"), OUTCOMES, ids=[o[0] for o in OUTCOMES])
def test_outcome(engine: Engine, text: str, kind: str, topic: str | None) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == (kind, topic)


# Emoji that mean ok, thanks or bye are read as those words ("👍" got "please type your
# question in words"); others still are not words. (message, reply text expected)
EMOJI = [
    ("thumbs-up", "👍", "smalltalk", "ok"),
    ("thumbs-up-toned", "👍🏽", "smalltalk", "ok"),
    ("folded-hands", "🙏🙏", "smalltalk", "thanks"),
    ("red-heart", "❤️", "smalltalk", "thanks"),
    ("thinking", "🤔", "smalltalk", None),
]


@pytest.mark.parametrize(("text", "kind", "said"), [e[1:] for e in EMOJI],
                         ids=[e[0] for e in EMOJI])
def test_emoji_that_mean_words_are_read_as_them(engine: Engine, text: str, kind: str,
                                                said: str | None) -> None:
    reply = engine.respond(text).reply
    expected = engine.respond(said).reply if said else engine.compose.empty()
    assert (reply.kind, reply.text) == (kind, expected.text)


@pytest.mark.parametrize("text", [o[0] for o in OUTCOMES] + ["nac", "safe?"],
                         ids=[o[0] for o in OUTCOMES] + ["bare-nac", "bare-safe"])
def test_every_health_reply_has_the_disclaimer(engine: Engine, text: str) -> None:
    reply = engine.respond(text).reply
    has = "not medical advice" in reply.text and ("doctor" in reply.text
                                                   or "pharmacist" in reply.text)
    # Emergency guidance ends with its own line instead: "see a doctor before taking NAC"
    # jars after a crisis message.
    closing = engine.knowledge.emergency_closing in reply.text
    assert has if reply.kind in HEALTH_KINDS else closing or reply.kind != "emergency"


@pytest.mark.parametrize("topic", ["pregnancy", "breastfeeding", "interactions", "ards"],
                         ids=["pregnancy", "nursing", "interactions", "condition"])
def test_sensitive_answers_carry_a_stronger_caution(engine: Engine, topic: str) -> None:
    answer = engine.knowledge.answer(topic)
    caution = engine.knowledge.cautions[answer.caution or ""]
    assert caution in engine.show(topic).reply.text


def test_answer_ends_with_how_to_get_its_sources(engine: Engine) -> None:
    assert engine.respond("what is glutathione").reply.text.rstrip().endswith(
        "for the full references.")


def test_sources_after_an_answer_cite_that_answer(engine: Engine) -> None:
    first = engine.respond("does nac help prevent the flu")
    reply = engine.respond("where did you get that?", first.state).reply
    assert (reply.kind, reply.topic, reply.sources) == (
        "sources", "flu", engine.knowledge.answer("flu").sources)


def test_sources_with_no_answer_list_every_source(engine: Engine) -> None:
    reply = engine.respond("sources?").reply
    assert reply.sources == tuple(s.id for s in engine.knowledge.sources)


def test_follow_up_changes_topic(engine: Engine) -> None:
    first = engine.respond("is nac good for male infertility")
    assert engine.respond("and during pregnancy?", first.state).reply.topic == "pregnancy"


def test_short_follow_up_leans_on_the_last_answer_and_gets_its_details(engine: Engine) -> None:
    first = engine.respond("nac for sperm count")
    reply = engine.respond("how long did they take it?", first.state).reply
    assert (reply.kind, reply.topic, reply.text) == (
        "answer", "male-infertility", engine.details("male-infertility").text)


# A follow-up too short or too plain to match alone is read with the last answer; one that
# brings a subject of its own (a rare word, another answer's name) or leaves the field is not.
LEANS = [
    ("is nac safe while breastfeeding", "why not?", "answer", "breastfeeding"),
    ("i've lost 3 pregnancies, could nac help", "was it just one study?", "answer",
     "recurrent-miscarriage"),
    ("does nac help the liver after drinking", "is that proven?", "answer", "liver-detox"),
    ("does nac prevent flu", "and if i already caught it?", "answer", "flu"),
    ("does nac help the liver after drinking", "what about zinc", "fallback", None),
    ("does nac prevent flu", "what's the weather like in paris", "fallback", None),
    ("does nac prevent flu", "is it safe while breastfeeding?", "answer", "breastfeeding"),
    ("what is glutathione", "why is the sky blue", "fallback", None),
    ("what is glutathione", "nac for shingles", "fallback", None),
    ("does nac help loosen mucus", "can i take ashwagandha with my thyroid pills", "fallback",
     None),
]


@pytest.mark.parametrize(("first", "then", "kind", "topic"), LEANS, ids=[
    "grammar-word-in-a-title", "overview-word", "everyday-words", "plain-follow-up",
    "rare-new-subject", "out-of-scope", "names-another-answer", "words-point-elsewhere",
    "names-the-subject-afresh", "ranked-out-of-scope-first"])
def test_a_plain_follow_up_leans_on_the_last_answer(engine: Engine, first: str, then: str,
                                                   kind: str, topic: str | None) -> None:
    state = engine.respond(first).state
    reply = engine.respond(then, state).reply
    assert (reply.kind, reply.topic) == (kind, topic)


# Later in a chat, "it" is what the chat is about: read with the subject in its place when
# only that reading answers. Everyday questions with "it" stay unanswered.
SUBJECT_PUT_IN = [
    ("hello", "so what is it exactly?", "answer", "nac-vs-cysteine"),
    ("can nac help with ards", "so what did they actually find?", "answer", "ards"),
    ("what is glutathione", "can you take it with coffee", "fallback", None),
    ("side effects of nac", "can my dog have it", "fallback", None),
    ("what forms does nac come in", "where can I buy it", "fallback", None),
    # Read on its own with "it" as NAC, weighed by the context model against the last answer.
    ("does nac help loosen mucus", "is it safe?", "answer", "side-effects"),
    # No "it": the subject is added, unless the out-of-scope class ranks first.
    ("hi", "I take amlodipine", "answer", "interactions"),
    ("side effects of nac", "can i take melatonin with my sertraline", "fallback", None),
]


@pytest.mark.parametrize(("first", "then", "kind", "topic"), SUBJECT_PUT_IN, ids=[
    "after-a-greeting", "they-after-an-answer", "coffee", "dog", "where-to-buy",
    "is-it-safe-after-an-answer", "subject-added", "another-supplement"])
def test_it_later_in_a_chat_is_the_subject(engine: Engine, first: str, then: str, kind: str,
                                           topic: str | None) -> None:
    reply = engine.respond(then, engine.respond(first).state).reply
    alone = engine.respond(then).reply
    # Asked first, "it" stands for nothing: the same words get no answer.
    assert (reply.kind, reply.topic, alone.kind == "answer") == (kind, topic, False)


@pytest.mark.parametrize("text", [
    "so is that proven or not", "is it really proven?", "proven though?",
    # A known miss (a strict expected failure) from the models tuned after
    # intents/curator_followups.yaml until those tuned after the training conversations, and
    # again since the matcher learned from the forty-ninth to fifty-third final sets' questions
    # (the "see a doctor" answer).
    pytest.param("really? is it proven or not", marks=pytest.mark.xfail(strict=True)),
])
def test_a_plain_follow_up_after_the_details_says_there_is_no_more(engine: Engine,
                                                                    text: str) -> None:
    state = engine.respond("does nac help the liver after drinking").state
    state = engine.respond("is that proven?", state).state
    reply = engine.respond(text, state).reply
    assert (reply.kind, reply.topic, reply.text.startswith("That's all the article says")) == (
        "fallback", "liver-detox", True)


def test_number_picks_a_clarify_choice(engine: Engine) -> None:
    state = ConversationState(choices=("glutathione", "oral-glutathione"))
    assert engine.respond("2", state).reply.topic == "oral-glutathione"


PICKS = [("2", "oral-glutathione"), ("002", "oral-glutathione"), ("0011", None), ("3", None)]


@pytest.mark.parametrize(("text", "topic"), PICKS, ids=["two", "zero-padded", "four-digits",
                                                       "out-of-range"])
def test_only_a_listed_number_picks_a_choice(engine: Engine, text: str,
                                             topic: str | None) -> None:
    state = ConversationState(choices=("glutathione", "oral-glutathione"))
    assert engine.respond(text, state).reply.topic == topic


def test_none_of_these_clears_the_choices(engine: Engine) -> None:
    turn = engine.respond("none of these", ConversationState(choices=("glutathione",)))
    assert (turn.reply.kind, turn.state.choices) == ("fallback", ())


def test_state_survives_json(engine: Engine) -> None:
    state = engine.respond("nac side effects").state
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_help_reached_survives_json(engine: Engine) -> None:
    first = engine.respond("my toddler swallowed some of my nac pills")
    state = engine.respond("i already called poison control", first.state).state
    assert state.reached
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_fallbacks_in_a_row_survive_json(engine: Engine) -> None:
    first = engine.respond("what's the weather like tomorrow")
    state = engine.respond("tell me a joke", first.state).state
    assert state.unanswered == 2
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_how_sure_a_crisis_is_survives_json(engine: Engine) -> None:
    state = engine.respond("my toddler swallowed some of my nac pills").state
    assert state.crisis == "overdose" and state.certainty > 0.5
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_whose_crisis_it_is_survives_json(engine: Engine) -> None:
    state = engine.respond("my friend says she wants to end it all tonight").state
    assert (state.crisis, state.someone) == ("suicide", True)
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


@pytest.mark.parametrize("data", [None, [], {"last_topic": 5}, {"choices": "x"},
                                  {"reached": "yes"}, {"unanswered": True},
                                  {"unanswered": -1}, {"unanswered": 10**9},
                                  {"certainty": "high"}, {"certainty": 1.5},
                                  {"certainty": True}, {"someone": "yes"}],
                         ids=["none", "list", "bad-topic", "bad-choices", "bad-reached",
                              "bool-unanswered", "negative-unanswered", "huge-unanswered",
                              "word-certainty", "certainty-above-one", "bool-certainty",
                              "word-someone"])
def test_malformed_state_gives_a_fresh_one(data: object) -> None:
    assert ConversationState.from_dict(data) == ConversationState(
        last_topic=data.get("last_topic") if isinstance(data, dict)
        and isinstance(data.get("last_topic"), str) else None)


BAD_INPUT = ["", "   \n\t ", "a" * 20_000, "\x00\x01\x02 nac", "\U0001f48a\U0001f914\U0001f48a",
             "<script>alert(1)</script> & <b>nac</b>", "**bold** _it_ `code` [x](http://e.com)",
             "\u0447\u0442\u043e \u0442\u0430\u043a\u043e\u0435 NAC", "\u4ec0\u4e48\u662fNAC",
             "\u0645\u0627 \u0647\u0648 \u0627\u0644\u0633\u064a\u0633\u062a\u064a\u0646",
             "1234567890", "?!?!?!"]


@pytest.mark.parametrize("text", BAD_INPUT, ids=[
    "empty", "white-space", "very-long", "control-characters", "emoji-only", "html",
    "markdown", "cyrillic", "chinese", "arabic", "digits", "punctuation"])
def test_bad_input_gets_a_safe_reply(engine: Engine, text: str) -> None:
    reply = engine.respond(text).reply
    assert reply.text and "<script>" not in reply.html and len(reply.text) < 4096


def test_user_text_is_never_echoed(engine: Engine) -> None:
    reply = engine.respond("<b>weird</b> question about zorblax").reply
    assert "zorblax" not in reply.text


def test_more_after_an_answer_shows_its_details(engine: Engine) -> None:
    first = engine.respond("does nac help prevent the flu")
    turn = engine.respond("tell me more", first.state)
    assert (turn.reply.kind, turn.reply.topic, turn.reply.text, turn.state.detailed) == (
        "answer", "flu", engine.details("flu").text, True)


def test_a_second_more_says_that_was_all_and_lists_related_topics(engine: Engine) -> None:
    state = engine.respond("does nac help prevent the flu").state
    state = engine.respond("more", state).state
    turn = engine.respond("more", state)
    related = engine.knowledge.answer("flu").related
    assert (turn.reply.kind, turn.reply.choices, turn.state.choices) == (
        "smalltalk", related, related)
    assert turn.reply.text.startswith("That's everything the article says about Flu")
    state = engine.respond("what is glutathione", ConversationState()).state
    state = engine.respond("more", state).state
    assert engine.respond("more", state).reply.text.startswith(
        "That's everything the article says about What is glutathione?\n")


def test_sources_between_two_mores_keep_the_details_shown(engine: Engine) -> None:
    state = engine.respond("does nac help prevent the flu").state
    state = engine.respond("more", state).state
    state = engine.respond("sources?", state).state
    assert engine.respond("more", state).reply.kind == "smalltalk"


def test_a_new_answer_has_its_own_details(engine: Engine) -> None:
    state = engine.respond("does nac help prevent the flu").state
    state = engine.respond("more", state).state
    state = engine.respond("is nac safe in pregnancy", state).state
    assert engine.respond("more", state).reply.text == engine.details("pregnancy").text


def test_an_answer_a_few_turns_back_is_not_sent_again_short(engine: Engine) -> None:
    # The sources reply between them made the same answer twice in three turns read as new.
    state = engine.respond("is nac ok with my zoloft?").state
    state = engine.respond("refs pls", state).state
    turn = engine.respond("I'm on a water pill and warfarin. Would it clash with those", state)
    assert (turn.reply.kind, turn.reply.topic, turn.reply.text) == (
        "answer", "interactions", engine.details("interactions").text)
    # With the long form sent as well, the short answer may come back: it is no longer the
    # only thing the person has read on it.
    turn = engine.respond("and with my blood pressure pills?", turn.state)
    assert (turn.reply.kind, turn.reply.topic) == ("answer", "interactions")
    assert turn.reply.text != engine.details("interactions").text


def test_the_earlier_replies_survive_json_and_stay_few(engine: Engine) -> None:
    state = ConversationState()
    for text in ("nac side effects", "sources", "is nac safe in pregnancy", "more", "thanks"):
        state = engine.respond(text, state).state
    assert len(state.earlier) == 3 and state.last_reply not in state.earlier
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_more_with_no_answer_says_what_the_bot_can_do(engine: Engine) -> None:
    reply = engine.respond("more").reply
    assert reply.text == engine.knowledge.smalltalk["capabilities"]


def test_more_after_a_did_you_mean_answers_its_first_choice(engine: Engine) -> None:
    state = ConversationState(choices=("sports-radiation", "free-radicals"))
    turn = engine.respond("go on then", state)
    assert (turn.reply.kind, turn.reply.topic, turn.state.choices) == (
        "answer", "sports-radiation", ())


def test_json_text_is_the_first_reply(engine: Engine) -> None:
    reply = engine.respond("nac side effects").reply
    assert (reply.to_json()["text"], reply.more) == (engine.show("side-effects").reply.text, True)


def test_details_state_survives_json(engine: Engine) -> None:
    state = engine.respond("more", engine.respond("nac side effects").state).state
    assert ConversationState.from_dict(json.loads(json.dumps(state.to_dict()))) == state


# The first line of a "did you mean": a broad question has several answers, and is not doubted.
CLARIFY_OPENINGS = [
    ("nac benefits", "The article covers a few things on that. Which would you like?"),
    ("what is NAC used for", "The article covers a few things on that. Which would you like?"),
    # (Until one matching re-fit "is nac safe for long time?" was this case; it then got
    # the answer on side effects, which is what it asks. Until the next, "is nac good for
    # old people", which falls back at 0.32 since, under the 0.34 bar.)
    ("is nac any good for teens", "I'm not sure which of these you mean:"),
    # A first message with no word of its own, and nothing before it to lean on.
    ("is that ok for me?", "Happy to help. What would you like to know about cysteine or NAC? "
     "For example:"),
    ("and what about that?", "Happy to help. What would you like to know about cysteine or "
     "NAC? For example:"),
]


@pytest.mark.parametrize(("text", "opening"), CLARIFY_OPENINGS,
                         ids=["broad", "broad-question", "doubt", "vague", "vague-works"])
def test_a_clarify_says_why_it_offers_a_choice(engine: Engine, text: str, opening: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.text.splitlines()[0]) == ("clarify", opening)


# What a vague message gets depends on what came before: after an answer it leans on that
# answer; a request for something else is out of scope; "what do you do" is small talk.
# (the messages, the last reply's kind, and whether it is the "what would you like to know")
VAGUE_OR_NOT = [
    (["is that ok for me?", "2"], "answer", False),
    (["does nac help with hair loss", "is that ok for me?"], "answer", False),
    (["what time is it"], "fallback", False),
    (["so what can you do"], "smalltalk", False),
    (["what day is it today?"], "fallback", False),
]


@pytest.mark.parametrize(("texts", "kind", "asks"), VAGUE_OR_NOT,
                         ids=["picked", "after-answer", "everyday", "what-do-you-do",
                              "everyday-no-words"])
def test_a_vague_message_is_asked_about_only_with_nothing_before_it(
        engine: Engine, texts: list[str], kind: str, asks: bool) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.text.startswith("Happy to help.")) == (kind, asks)


# "How much did they use?" about an answer whose use has an amount gets that amount, framed as
# a study's; a use named in the question wins over the last answer, a form it counts in does
# not; a use with no amount gets that the article reports none for it (the overview's amounts
# are all for other uses: eighth black-box test); a dose for someone gets the overview (no
# amount that could read as advice).
# (the messages, the use the last reply is about, or None for the overview)
STUDY_DOSES = [
    (["does nac prevent the flu", "how much did they use in that study"], "flu"),
    (["nac for cystic fibrosis", "what amounts were used?"], "cystic-fibrosis"),
    (["can nac help male fertility", "what dose did the men take"], "male-infertility"),
    (["does nac prevent the flu", "what dose was used for cystic fibrosis"], "cystic-fibrosis"),
    (["what dose was used in the flu study"], "flu"),
    (["does nac prevent the flu", "how many tablets a day did they use"], "flu"),
    (["does nac prevent the flu", "how much nac should i take"], None),
    (["does nac help with ocd", "how much did they use"], "ocd-research"),
    (["does nac help with bronchitis", "what dose was that"], "chronic-bronchitis"),
    (["what doses have been used in studies"], None),
]


@pytest.mark.parametrize(("texts", "use"), STUDY_DOSES,
                         ids=["after-flu", "after-cf", "after-male", "names-another",
                              "named-alone", "counted-in-tablets", "for-me", "no-amount-ocd",
                              "no-amount-bronchitis", "overview"])
def test_a_question_about_amounts_gets_the_study_amount_it_asks_for(
        engine: Engine, texts: list[str], use: str | None) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == ("answer", "doses-in-studies")
    if use is None:
        assert reply.text.startswith("Doses used in studies\n")
        return
    answer = engine.knowledge.answer(use)
    assert reply.text.startswith(f"Doses used in studies: {answer.title}\n")
    if answer.study_dose is None:
        assert "reports no amount used for this" in reply.text
        assert not re.search(r"\d\s*mg", reply.text)
    else:
        assert answer.study_dose in reply.text and "not a dose for you" in reply.text


# After a study's amount, a follow-up about that study is read with its use: "did it work?"
# had got the overview of doses. A question that is about doses again, or about something
# else, is read as before. (the messages, the kind and topic of the last reply)
AFTER_STUDY = [
    (["does nac prevent the flu", "how much did they use in that study", "did it work?"],
     ("answer", "flu")),
    (["can nac help male fertility", "what dose did the men take", "how sure is that?"],
     ("answer", "male-infertility")),
    (["does nac prevent the flu", "how much did they use in that study",
      "what dose was used for cystic fibrosis"], ("answer", "doses-in-studies")),
    (["does nac prevent the flu", "how much did they use in that study", "is it safe?"],
     ("answer", "side-effects")),
    (["does nac prevent the flu", "how much did they use in that study",
      "what's the weather in paris"], ("fallback", None)),
]


@pytest.mark.parametrize(("texts", "expected"), AFTER_STUDY,
                         ids=["did-it-work", "how-sure", "another-amount", "other-topic",
                              "everyday"])
def test_a_follow_up_to_a_study_amount_is_about_that_study(
        engine: Engine, texts: list[str], expected: tuple[str, str | None]) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == expected


# "for how long?" after a study's amount: how long it ran where the article says so, and
# that it doesn't say where it doesn't; always framed as a study's, not a dose for you.
# (the messages, whether the article reports the length)
HOW_LONG_CASES = [
    (["does nac prevent the flu", "how much did they use in that study", "for how long?"], True),
    (["can nac help male fertility", "what dose did the men take", "how many weeks?"], True),
    (["nac for cystic fibrosis", "what amounts were used?", "and how long?"], False),
    (["i've had 3 miscarriages, does nac help", "how much did the women take",
      "for how long did they take it"], False),
]


@pytest.mark.parametrize(("texts", "reported"), HOW_LONG_CASES,
                         ids=["flu", "male", "cf-not-said", "miscarriage-not-said"])
def test_how_long_after_a_study_amount(engine: Engine, texts: list[str],
                                       reported: bool) -> None:
    replies = _chat(engine, texts)
    amount, length = replies[-2], replies[-1]
    assert (amount.topic, length.kind, length.topic) == (
        "doses-in-studies", "answer", "doses-in-studies")
    assert ("doesn't say for how long" not in length.text) == reported
    assert "not a dose for you" in length.text and length.text != amount.text


# "for how long" right after an answer whose study reports a length gets its details, which
# say it; after one with no length reported, that the article gives no time frame (it had
# fallen back); an everyday "how long" is not read with the answer. (messages, reply, which)
HOW_LONG_AFTER_ANSWER = [
    (["can nac help male fertility", "for how long"], ("answer", "male-infertility"), "details"),
    (["does nac help with flu", "how long?"], ("answer", "flu"), "details"),
    (["is nac safe in pregnancy", "for how long?"], ("answer", "pregnancy"), "unsaid"),
    (["is nac used for tylenol overdose", "how long do they give it for"],
     ("answer", "acetaminophen-overdose"), "unsaid"),
    (["does l-cysteine make hair grow", "how long before i see a difference"],
     ("answer", "hair-skin-nails"), "unsaid"),
    (["does l-cysteine make hair grow", "how long should i boil pasta"], ("fallback", None),
     "none"),
    # In the languages the bot tells: "pendant combien de temps ?" after the flu answer fell
    # back (ninth black-box test).
    (["does nac help with flu", "pendant combien de temps ?"], ("answer", "flu"), "details"),
    (["nac for male infertility", "¿y cuánto tiempo?"], ("answer", "male-infertility"),
     "details"),
]


@pytest.mark.parametrize(("texts", "expected", "which"), HOW_LONG_AFTER_ANSWER,
                         ids=["male", "flu", "pregnancy-unsaid", "tylenol-unsaid", "hair-unsaid",
                              "pasta-everyday", "flu-french", "male-spanish"])
def test_how_long_after_an_answer_gets_what_the_article_says(
        engine: Engine, texts: list[str], expected: tuple[str, str | None], which: str) -> None:
    first, reply = _chat(engine, texts)
    assert (reply.kind, reply.topic) == expected
    if which == "details":
        assert reply.text != first.text and not reply.more
    assert ("no time frame" in reply.text) == (which == "unsaid")


# An amount asked for right after the answer on a group the article tells not to start it on
# their own gets none ("what about just a small dose" after breastfeeding got the doses used
# in studies); after a study's own answer, its amount as before. (messages, topic, no amount)
AMOUNT_AFTER_GROUP = [
    (["can i take nac while nursing my baby", "what about just a tiny dose"], "breastfeeding",
     True),
    (["is nac ok when pregnant", "so how much could i take?"], "pregnancy", True),
    (["nac for repeated miscarriages?", "how much did they use?"], "doses-in-studies", False),
]


@pytest.mark.parametrize(("texts", "topic", "none_given"), AMOUNT_AFTER_GROUP,
                         ids=["nursing", "pregnant", "miscarriage-study"])
def test_an_amount_after_a_group_answer_is_none(engine: Engine, texts: list[str], topic: str,
                                                none_given: bool) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == ("answer", topic)
    assert ("no amount for this" in reply.text) == none_given
    assert ("600 mg" in reply.text) != none_given


# A bare "should I?" after an answer asks for a decision no answer makes for a person: the
# answer on when to see a doctor, not the last answer again. A question with words of its own
# is read as usual. (messages, topic expected)
DECIDE = [
    (["what are the side effects of nac", "ok so should i stop then?"], "see-a-doctor"),
    (["can nac thin mucus", "but should i?"], "see-a-doctor"),
    (["is nac safe in pregnancy", "should I be taking it"], "see-a-doctor"),
    (["is nac safe in pregnancy", "should i take it while breastfeeding?"], "breastfeeding"),
    (["i took 2 nac caps instead of 1 this morning", "should i skip tomorrow"], "see-a-doctor"),
    (["i took 2 nac caps instead of 1 this morning", "should i skip tonight's one then?"],
     "see-a-doctor"),
    (["im on warfarin, is nac ok with it?", "SO WHAT DO I DO"], "see-a-doctor"),
    (["does nac interact with antidepressants", "ok, now what?"], "see-a-doctor"),
]


@pytest.mark.parametrize(("texts", "topic"), DECIDE,
                         ids=["stop", "but-should-i", "be-taking", "own-words", "skip-tomorrow",
                              "skip-tonights", "what-do-i-do", "now-what"])
def test_should_i_after_an_answer_gets_who_can_decide(engine: Engine, texts: list[str],
                                                       topic: str) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == ("answer", topic)


# "What does your source say about X" asks X, with the source to look in; read as a request
# for references, it got the reference list (ninth black-box test). (messages, topic)
PER_SOURCE = [
    (["what does the article say about giving it to kids"], "children"),
    (["according to your source, is it ok in pregnancy?"], "pregnancy"),
    (["why is nac used for paracetamol poisoning",
      "what does your source say about how it's given"], "hospital-uses"),
]


@pytest.mark.parametrize(("texts", "topic"), PER_SOURCE, ids=["article-kids", "according-to",
                                                               "how-given"])
def test_what_the_source_says_about_something_is_a_question(engine: Engine, texts: list[str],
                                                           topic: str) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == ("answer", topic)


# Taking the supplement with a medicine named by a word no topic knows gets the answer on
# interactions; two other medicines, or a food, do not. (messages, kind, topic)
WITH_A_MEDICINE = [
    (["does nac help with mucus", "is it ok with my ventolin"], "answer", "interactions"),
    (["can i stack nac with creatine"], "fallback", None),
    (["can i take nac with my tacrolimus"], "answer", "interactions"),
    (["can i take ibuprofen with amoxicillin"], "fallback", None),
    (["is nac ok with coffee"], "fallback", None),
    # The medicines someone takes, told after an answer; a place is no medicine.
    (["does nac help copd", "I use Spiriva and Symbicort"], "answer", "interactions"),
    (["what is nac", "he's on a blood thinner and a statin"], "answer", "interactions"),
    (["what is nac", "im on holiday in mallorca"], "fallback", None),
]


@pytest.mark.parametrize(("texts", "kind", "topic"), WITH_A_MEDICINE,
                         ids=["ventolin-after-answer", "another-supplement", "tacrolimus",
                              "two-others", "coffee", "uses-two", "on-two", "on-holiday"])
def test_the_supplement_with_a_named_medicine_is_about_interactions(
        engine: Engine, texts: list[str], kind: str, topic: str | None) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == (kind, topic)


# A child's age in place of the word "child" (bot/ages.py), as a first message or a
# follow-up in another language; an age in months while nursing stays about breastfeeding.
CHILD_AGES = [
    (["does nac loosen a chesty cough", "would it be alright for a boy of nine though?"],
     "children"),
    (["does nac help with flu", "czy mogę dać synowi? ma 6 lat"], "children"),
    (["my son is 14 and has OCD, can he take NAC"], "children"),
    (["is nac good for the lungs", "they are 4 and 7, could they have some?"], "children"),
    (["I'm nursing my 4 month old, is nac ok for me?"], "breastfeeding"),
]


@pytest.mark.parametrize(("texts", "topic"), CHILD_AGES,
                         ids=["boy-of-nine", "polish-6-lat", "son-is-14", "ages-4-and-7",
                              "nursing-4-month-old"])
def test_a_childs_age_is_about_children(engine: Engine, texts: list[str], topic: str) -> None:
    reply = _chat(engine, texts)[-1]
    assert (reply.kind, reply.topic) == ("answer", topic)


@pytest.mark.parametrize("said", ["huh?", "meaning?", "wdym", "i don't get it"],
                         ids=["huh", "meaning", "wdym", "dont-get-it"])
def test_not_understood_gets_the_answer_explained(engine: Engine, said: str) -> None:
    first, then = _chat(engine, ["is nac good for the liver", said])
    assert (then.kind, then.topic) == ("answer", "liver-detox")
    assert then.text != first.text


# A greeting that goes on to name the supplement and more has brought its question; one that
# only says a question is coming, or names nothing, is a greeting. (message, kind)
GREETED = [
    ("Hi, I want to know about NAC for hair growth", "answer"),
    ("hi there, got a couple of quick questions about nac", "smalltalk"),
    ("hey, night shift nurse here, 3am and finally got a break lol", "smalltalk"),
]


@pytest.mark.parametrize(("text", "kind"), GREETED, ids=["with-question", "announced",
                                                         "no-subject"])
def test_a_greeting_with_its_question_is_answered(engine: Engine, text: str, kind: str) -> None:
    assert engine.respond(text).reply.kind == kind


def test_how_long_without_a_study_amount_is_not_about_one(engine: Engine) -> None:
    replies = _chat(engine, ["does nac prevent the flu", "how long does the flu last?"])
    assert "How long, as the article reports it" not in replies[-1].text


def test_the_study_survives_saving_the_state() -> None:
    state = ConversationState(last_topic="doses-in-studies", study="flu")
    assert ConversationState.from_dict(state.to_dict()) == state


def _chat(engine: Engine, texts: list[str]) -> list[Reply]:
    """Return the replies to messages sent one after another in one conversation."""
    state = None
    replies = []
    for text in texts:
        turn = engine.respond(text, state)
        state = turn.state
        replies.append(turn.reply)
    return replies


# Requests in a row that nothing answers: after the first, each is something new (not a
# follow-up), said short, and in other words than the reply before it, not only other
# examples (a second and third request had got the whole text again, or the same refusal:
# eighth black-box test).
AGAIN = [
    ["what's the weather like tomorrow", "tell me a joke"],
    ["what's the weather like tomorrow", "can you set a reminder for 8pm"],
    ["can you book me a taxi to the station", "fine, then order me a pizza"],
    ["what's the capital of france", "what's the weather like tomorrow", "tell me a joke",
     "recipe for pancakes", "who won the match last night"],
]


@pytest.mark.parametrize("turns", AGAIN, ids=["joke", "reminder", "taxi-pizza", "five-in-a-row"])
def test_fallbacks_in_a_row_are_short_and_never_the_same(engine: Engine,
                                                         turns: list[str]) -> None:
    replies = _chat(engine, turns)
    assert {r.kind for r in replies} == {"fallback"}
    for n, (before, after) in enumerate(itertools.pairwise(replies)):
        assert after.text.startswith(FALLBACK_AGAIN[n % len(FALLBACK_AGAIN)])
        assert after.text.split("\n")[0] != before.text.split("\n")[0]
        assert len(after.text) < len(replies[0].text)
        assert "more on that" not in after.text and after.choices


def test_a_did_you_mean_with_one_topic_asks_about_it_and_yes_picks_it(engine: Engine) -> None:
    offered = engine.compose.clarify(("what-is-cysteine",), 0.6)
    assert offered.text.startswith("Is this what you mean?\n\n1. What is cysteine?")
    assert 'Reply "yes"' in offered.text
    picked = engine.respond("yes", ConversationState(choices=("what-is-cysteine",))).reply
    assert (picked.kind, picked.topic) == ("answer", "what-is-cysteine")
    # With two topics offered, "yes" picks neither.
    two = engine.respond("yes", ConversationState(choices=("glutathione", "oral-glutathione")))
    assert two.reply.confidence < 1.0 or two.reply.kind != "answer"


def test_declining_twice_is_still_declining(engine: Engine) -> None:
    # "nac lungs or liver" was the second broad question until the matcher re-fitted with the
    # forty-ninth to fifty-third final sets' questions answered it (the mucus answer, at 0.80).
    replies = _chat(engine, ["nac benefits", "none", "cysteine uses", "none"])
    assert [(r.kind, r.declined) for r in replies] == [
        ("clarify", False), ("fallback", True), ("clarify", False), ("fallback", True)]
    assert replies[-1].text.startswith("No problem.")


# A choice named in words picks it as its number would; anything more is a question.
NAMED_PICKS = [
    ("the second one", "oral-glutathione"), ("2nd", "oral-glutathione"),
    ("option 2 please", "oral-glutathione"), ("number one", "glutathione"),
    ("the first", "glutathione"), ("third", None), ("the second study", None),
]


@pytest.mark.parametrize(("text", "topic"), NAMED_PICKS, ids=[
    "the-second-one", "2nd", "option-2-please", "number-one", "the-first", "out-of-range",
    "more-than-a-pick"])
def test_a_choice_named_in_words_is_picked(engine: Engine, text: str, topic: str | None) -> None:
    state = ConversationState(choices=("glutathione", "oral-glutathione"))
    reply = engine.respond(text, state).reply
    picked = reply.topic if reply.kind == "answer" and reply.confidence == 1.0 else None
    assert picked == topic


# (message, whether it gets the emergency text). Everyday requests the safety model reads as
# a crisis without being sure (0.3-0.8), which the out-of-scope class claims outright, get a
# note; emergencies it is as unsure of are never claimed so, and keep the guidance.
UNSURE_ALARMS = [
    ("cancel my table booking for tonight please", False),
    ("i want my card frozen right now", False),
    ("final message. deleting this app and everything else. it's been nice knowing you bot",
     True),
    ("show is in 3 days, haven't had water in a day, fainted twice and my heart keeps "
     "fluttering", True),
    ("vreau sa ma sinucid, nu mai suport nimic", True),
]


@pytest.mark.parametrize(("text", "urgent"), UNSURE_ALARMS,
                         ids=["cancel-booking", "card-frozen", "final-message", "fainted",
                              "ro-suicide"])
def test_an_everyday_request_read_as_a_crisis_gets_a_note(engine: Engine, text: str,
                                                         urgent: bool) -> None:
    assessed = engine.safety.assess(text)
    assert (assessed.level, assessed.p_emergency < 0.8) == ("emergency", True)
    reply = engine.respond(text).reply
    assert (reply.kind == "emergency", reply.note is not None or reply.kind == "emergency") == (
        urgent, True)


def test_search_finds_the_answer_of_a_question(engine: Engine) -> None:
    assert [r.topic for r in engine.search("is nac safe while pregant")] == ["pregnancy"]


def test_search_of_an_emergency_gives_only_its_guidance(engine: Engine) -> None:
    found = engine.search("my kid swallowed my pills")
    assert [r.kind for r in found] == ["emergency"]


def test_search_of_small_talk_finds_nothing(engine: Engine) -> None:
    assert engine.search("hello") == ()


@pytest.mark.parametrize(("topic", "title"), [("pregnancy", "Pregnancy"), ("nope", None)],
                         ids=["known", "unknown"])
def test_title(engine: Engine, topic: str, title: str | None) -> None:
    assert engine.title(topic) == title


# A reload may drop a topic that a conversation still points at: the next message must work.
VANISHED = [
    ("more", ConversationState(last_topic="gone-topic")),
    ("sources", ConversationState(last_topic="gone-topic")),
    ("how long did they take it", ConversationState(last_topic="gone-topic")),
    ("2", ConversationState(choices=("pregnancy", "gone-topic", "side-effects"))),
    ("none", ConversationState(choices=("gone-topic",))),
]


@pytest.mark.parametrize(("text", "state"), VANISHED, ids=[
    "more", "sources", "follow-up", "number", "none"])
def test_a_topic_that_vanished_in_a_reload_is_forgotten(engine: Engine, text: str,
                                                        state: ConversationState) -> None:
    turn = engine.respond(text, state)
    assert "gone-topic" not in (turn.state.last_topic, *turn.state.choices, turn.reply.topic)


def test_a_fallback_carries_the_best_guess_and_its_probability(engine: Engine) -> None:
    reply = engine.respond("can it help me sleep").reply
    assert (reply.kind, reply.guess is not None, 0.0 < reply.confidence < 1.0) == (
        "fallback", True, True)
    # A vague first message is asked about, and keeps the guess for the curators too.
    asked = engine.respond("can it help").reply
    assert (asked.kind, asked.guess is not None) == ("clarify", True)


def test_none_of_these_says_it_declined(engine: Engine) -> None:
    # A "did you mean" open with two choices, whatever question led to it.
    offered = ConversationState(choices=("glutathione", "interactions"))
    reply = engine.respond("none", offered).reply
    assert (reply.declined, reply.guess) == (True, "glutathione")


# Conversations whose later turns broke on the engine's reading, not on a phrasing: (turns,
# what the last reply must be). Each was wrong before the change named in its id.
LATER_TURNS = [
    # After an answer, where it comes from asks for its references; before any, for the
    # article's.
    (["any side effects of nac?", "is that from a real medical source or some blog"],
     ("sources", "side-effects")),
    # (As a first message, with nothing to point back to, the article's references or the
    # answer on where answers come from, which names the same: the act model's fits have
    # gone either way.)
    (["is that from a real medical source or some blog"], ("sources|answer", None)),
    # Once the references were sent, asking again gets the general answer, not them again.
    (["any side effects of nac?", "is that from a real medical source or some blog",
      "and how recent is that article"], ("answer", "about-sources")),
    # Asked for again right after the list, where the answers come from, not the list twice.
    (["does nac help with the flu", "source?", "source?"], ("answer", "about-sources")),
    # No question mark: the last sentence is read as the question.
    (["my phone autocorrects everything. what is glutathione exactly"],
     ("answer", "glutathione")),
    # Small talk the act model splits between thanks and ack is still small talk.
    (["what are free radicals", "cool ty"], ("smalltalk", None)),
    (["can i take nac while breastfeeding", "k thanks"], ("smalltalk", None)),
    # A follow-up naming another answer is read on its own, not with the last answer.
    (["what is glutathione", "what about for pregnant women?"], ("answer", "pregnancy")),
    # After an answer, "how does it work?" asks about NAC, not about the bot: answered or
    # offered as a "did you mean", never "here is what I can do".
    (["what is NAC?", "how does it work?"], ("answer|clarify", None)),
    # A story, then the question: the question is answered.
    (["My daughter (5) has had a wet cough for ages. The pharmacist sold me ACC, which "
      "apparently is acetylcysteine. Is that the same as NAC?"], ("answer", "nac-vs-cysteine")),
    # The question leaves out the name the story gave ("it", "that stuff"): read with it.
    (["Morning. My nurse brought up something called NAC for my cough. What is it exactly?"],
     ("answer", "nac-vs-cysteine")),
    (["We bake bread and the improver on the bag lists L-cysteine. wondering what that stuff "
      "is"], ("answer", "what-is-cysteine")),
    # ...and a question sentence that is the subject and one word gets its overview, as it
    # does alone (the whole message got "did you mean" at 0.46).
    (["Evening! My pharmacist handed me acetylcysteine sachets yesterday. What does it "
      "actually do?"], ("answer", "nac-vs-cysteine")),
    (["Good afternoon. I'm a librarian helping a patron who isn't online. Could you tell me "
      "what cysteine is?"], ("answer", "what-is-cysteine")),
    (["My neighbour takes it every morning with her coffee. NAC?"],
     ("answer", "nac-vs-cysteine")),
    # A colon or a dash ends the story as a comma does.
    (["Hello there. I spent 30 years as a pharmacist's assistant and I still wonder: what "
      "exactly is glutathione?"], ("answer", "glutathione")),
    (["My grandson is doing a school project on the body - what is cysteine actually?"],
     ("answer", "what-is-cysteine")),
    # ...not over an answer to the whole: this asks about COPD.
    (["Good afternoon. I have COPD and my chest doctor brought up NAC. What does it do?"],
     ("answer", "chronic-bronchitis")),
    # ...not over a story the out-of-scope class claims: that asks about cramps.
    (["calf cramps keep me up at night. magnesium did nothing. would N-acetyl cysteine?"],
     ("fallback", None)),
    # A short clause before a first question, naming nothing the bot answers, is tried
    # without: the act model reads "one quick question" as a question, no small talk.
    (["one quick question, does nac help with hair loss?"], ("answer", "hair-skin-nails")),
    # ...not one with a word the bot does not know (Romanian: grandad has COPD, does NAC help?).
    (["bunicul are bpoc, il ajuta NAC?"], ("answer", "chronic-bronchitis")),
    # ...not in a yes-or-no question about the story's claim: "is NAC right?" asks nothing.
    (["My aunt says NAC cures dementia. Is that right?"], ("fallback", None)),
    # A chat filler or an unknown word does not empty a question of generic words.
    (["haha ok. is NAC safe to take?"], ("answer", "side-effects")),
    # Any medicine by its kind finds the interactions answer (asked about NAC, or after an
    # answer on it: "can I take it with X" alone could be about any supplement).
    (["can i take nac with antihistamines"], ("answer", "interactions")),
    (["what is nac", "can i take it with antihistamines"], ("answer", "interactions")),
    # ...and by its name (intents/synonyms.yaml lists common ones under "medication"): an
    # everyday name is not an emergency word ("water pill and warfarin" took the suicide
    # emergency while "pill and" counted).
    (["my son's ocd is bad, can nac help?", "he's on fluoxetine already"],
     ("answer", "interactions")),
    (["is nac ok with metformin and lisinopril?"], ("answer", "interactions")),
    (["I'm on a water pill and warfarin. Would it clash with either of those"],
     ("answer", "interactions")),
    # A small-talk opener ("fine,") does not pull the question to topics that use its word.
    # Known misses from the word model (bot/wording.py) until the conversations' topic
    # changes joined training: read with the last title, "male infertility" outweighed "safe".
    (["does nac help male fertility", "fine, is it at least safe?"], ("answer", "side-effects")),
    (["does nac help male fertility", "is it at least safe?"], ("answer", "side-effects")),
    # Other languages: the phrasings in intents/multilingual.yaml teach the models their words.
    (["¿la NAC es segura en el embarazo?"], ("answer", "pregnancy")),
    # A known miss ("what is cysteine", 0.63) until the conversation openers joined training.
    (["o que é NAC, é o mesmo que cisteína?"], ("answer", "nac-vs-cysteine")),
    (["is nac safe in pregnancy", "e durante a amamentação?"], ("answer", "breastfeeding")),
    # A story and its question in one sentence: the question after the comma is answered,
    # with the subject the story named (mid-conversation; as a first message, "is it safe?"
    # is too plain to answer outright, so it gets a "did you mean", not "no answer")...
    # A miss while the threshold for later messages was 0.82 ("is it safe?" there is 0.75);
    # answered again since it is 0.64 (final sets 13-36's questions in the word model).
    (["what is glutathione", "hi there. I'm thinking of buying NAC for the first time, is it "
      "safe?"], ("answer", "side-effects")),
    (["hi there. I'm thinking of buying NAC for the first time, is it safe?"],
     ("clarify", None)),
    # ...but not when the story names an answer itself.
    (["I'm nursing my 3 month old, is nac safe?"], ("answer", "breastfeeding")),
    (["I'm pregnant, is it safe?"], ("answer", "pregnancy")),
    # An everyday question after an answer is not read with that answer's title.
    (["is NAC the same thing as glutathione?", "what's the weather like in London today?"],
     ("fallback", None)),
    (["what is glutathione", "what time is it"], ("fallback", None)),
    # ...while a short follow-up still is.
    (["does nac prevent the flu", "how long did they take it?"], ("answer", "flu")),
    # Small talk with words of its own, after an answer: below the bar a message needs
    # before the topics are tried, above the one for a message no topic answers.
    (["is nac safe in pregnancy", "gotcha, I'll ring the pharmacy"], ("smalltalk", None)),
]


def _turns(case: object) -> list[str]:
    """Return the messages of a LATER_TURNS case, plain or wrapped in pytest.param."""
    values = getattr(case, "values", case)
    return list(values[0])  # type: ignore[index]


@pytest.mark.parametrize(("turns", "expected"), LATER_TURNS,
                         ids=[" / ".join(_turns(t))[:60] for t in LATER_TURNS])
def test_later_turns(engine: Engine, turns: list[str], expected: tuple[str, str | None]
                     ) -> None:
    state = ConversationState()
    for text in turns:
        turn = engine.respond(text, state)
        state = turn.state
    kinds, topic = expected
    assert (turn.reply.kind in kinds.split("|"), turn.reply.topic if topic else None) == (
        True, topic)


def test_asking_again_after_none_of_these_offers_the_choices_again(engine: Engine) -> None:
    # The "None of these" reply is the last one sent, not the "did you mean" it closed.
    offered = engine.respond("nac benefits").state
    declined = engine.none_of_these(offered).state
    assert engine.respond("benefits", declined).reply.kind == "clarify"


@pytest.mark.parametrize(("later", "kind"), [(False, "fallback"), (True, "answer")],
                         ids=["first-question", "after-an-answer"])
def test_a_message_after_an_answer_is_held_to_the_later_thresholds(
        engine: Engine, later: bool, kind: str) -> None:
    # Thresholds no first question can meet, and later ones any answer meets: which set a
    # decision uses is whether the chat already had an answer.
    strict = Thresholds(answer=1.01, clarify=1.01, margin=0.0,
                        later=Thresholds(answer=0.0, clarify=0.0, margin=0.0))
    picky = Engine(engine.knowledge, engine.intents, strict)
    decision = picky.decide(picky.analyzer.analyze("does nac help with flu"), later=later)
    assert decision.kind == kind


@pytest.mark.parametrize(("unanswered", "text", "kind"), [
    (0.0, "what's the weather like in London today?", "smalltalk"),
    (0.0, "is nac safe in pregnancy", "answer"),
    (1.01, "what's the weather like in London today?", "fallback"),
], ids=["no-answer-any-act", "an-answer-stays", "no-answer-no-act"])
def test_a_message_no_topic_answers_is_held_to_the_lower_act_threshold(
        engine: Engine, unanswered: float, text: str, kind: str) -> None:
    # An act model that takes nothing for small talk before the topics are tried: only the
    # second threshold, for messages no topic answers, can make one small talk.
    params = ActParams.load()
    acts = replace(params, threshold=1.01, unanswered=unanswered)
    picky = Engine(engine.knowledge, engine.intents, acts=acts)
    assert picky.respond(text, ConversationState()).reply.kind == kind


@pytest.mark.parametrize(("first", "text", "kind"), [
    ("is nac safe while breastfeeding", "sound, off for a ride", "smalltalk"),
    (None, "sound, off for a ride", "fallback"),
    ("is nac safe while breastfeeding", "sound, off for a ride?", "fallback"),
    ("what is glutathione", "tell me the weather in paris", "fallback"),
], ids=["after-an-answer", "first", "question-mark", "request"])
def test_after_an_answer_a_message_asking_nothing_has_its_own_act_threshold(
        engine: Engine, first: str | None, text: str, kind: str) -> None:
    # An act model whose bar for unanswered messages nothing reaches, but the one after an
    # answer for messages without a question mark, which the closing clears (a request does
    # not: the act model reads it as a question).
    params = ActParams.load()
    acts = replace(params, unanswered=1.01, unanswered_later=0.5)
    picky = Engine(engine.knowledge, engine.intents, acts=acts)
    state = picky.respond(first).state if first else ConversationState()
    assert picky.respond(text, state).reply.kind == kind


@pytest.mark.parametrize(("text", "kind"), [
    ("I'll raise it with my GP next week. Appreciate the help.", "smalltalk"),
    ("Midwife on Friday, I'll ask her.", "smalltalk"),
    ("ok I'll run it past my pharmacist tomorrow, cheers", "smalltalk"),
    ("thanks. what's the weather in Paris tomorrow?", "fallback"),
    ("ok thanks, tell me the weather in Paris tomorrow", "fallback"),
    ("cheers, now convert 30 euros to dollars", "fallback"),
], ids=["plan-then-thanks", "plan-then-goodbye", "plan-then-cheers", "thanks-then-question",
        "thanks-then-request", "cheers-then-request"])
@pytest.mark.parametrize("first", ["is nac safe in pregnancy",
                                   "hey is nac ok with my blood pressure pills?"])
def test_a_closing_clause_makes_an_unanswered_message_small_talk(
        engine: Engine, first: str, text: str, kind: str) -> None:
    # After an answer, a goodbye that carries a plan is answered as a goodbye, not with that
    # answer read into it; a question or a request after thanks still gets "no answer".
    answered = engine.respond(first).state
    assert engine.respond(text, answered).reply.kind == kind


# A closing that an answer read with the last one would take: that answer again, or the one on
# seeing a doctor, had gone out (sets 33-40's conversations).
PLANS = [
    ("what forms does nac come in", "powder it is then. bye for now"),
    ("what forms does nac come in", "capsules it is, I'm off to the shop"),
]


@pytest.mark.parametrize(("first", "text"), PLANS, ids=["powder-bye", "capsules-off"])
def test_a_plan_that_closes_is_not_answered_again(engine: Engine, first: str,
                                                  text: str) -> None:
    answered = engine.respond(first).state
    assert engine.respond(text, answered).reply.kind == "smalltalk"


# A child's age said alone after a reply asks what the article says for children: "he is 7"
# after the children answer fell back, "he's 9" after the cystic fibrosis one got it again
# (eighth black-box test). A bare number is no age, and an adult's age is read as before.
# (the messages, the last reply's kind and topic)
AGES = [
    (["my son has cystic fibrosis, would l-cysteine help him", "he's 9"],
     ("answer", "children")),
    (["is nac alright for kids", "he is 7"], ("answer", "children")),
    (["nac for acne?", "im 14"], ("answer", "children")),
    (["is nac ok for babies", "she's 8 months"], ("answer", "children")),
    (["what does NAC stand for?", "3"], ("smalltalk", None)),
    (["does nac help with bronchitis", "she's 84"], ("answer|fallback|clarify", None)),
    # Asked about, or said in another language (sets 33-40's conversations, read this round).
    (["is nac safe", "im 16 is that ok"], ("answer", "children")),
    (["o NAC é seguro para crianças?", "ele tem 8 anos"], ("answer", "children")),
    (["nac per la tosse?", "ha 6 anni"], ("answer", "children")),
    (["is nac safe", "im 30 is that ok"], ("answer|fallback|clarify", None)),
]


@pytest.mark.parametrize(("texts", "expected"), AGES,
                         ids=["after-cf", "after-children", "after-fallback", "months",
                              "bare-number", "adult", "asked", "portuguese", "italian",
                              "adult-asked"])
def test_a_childs_age_said_alone_gets_the_children_answer(
        engine: Engine, texts: list[str], expected: tuple[str, str | None]) -> None:
    replies = _chat(engine, texts)
    last, before = replies[-1], replies[-2]
    kinds, topic = expected
    assert last.kind in kinds.split("|") and last.text != before.text
    if topic is not None:
        assert last.topic == topic
    else:
        assert last.topic != "children"


# A pet that ate or licked something gets a vet and an animal poison line, not the guidance
# for a person nor the fallback ("my cat licked a nac capsule", "my cat just licked up a
# tylenol": eighth and ninth black-box tests); a person named beside it keeps the guidance.
ANIMALS = [
    ("my dog chewed open a blister of my nac tablets", ("smalltalk", None)),
    ("our kitten might have eaten one of my sleeping pills", ("smalltalk", None)),
    ("the puppy licked some of the fizzy nac that spilled", ("smalltalk", None)),
    ("my toddler and the dog got into my pill bottle", ("emergency", "overdose")),
    ("is nac ok to give a dog", ("fallback|clarify", None)),
]


@pytest.mark.parametrize(("text", "expected"), ANIMALS,
                         ids=["dog", "kitten", "puppy", "toddler-and-dog", "asks-about-dogs"])
def test_a_pet_that_swallowed_something_gets_a_vet(engine: Engine, text: str,
                                                   expected: tuple[str, str | None]) -> None:
    reply = engine.respond(text).reply
    kinds, topic = expected
    assert reply.kind in kinds.split("|") and reply.topic == topic
    assert ("vet" in reply.text) == (kinds == "smalltalk")


# A polite frame around a question asks nothing of its own: "Could you tell me what cysteine
# is?" had fallen back at 0.29 ("tell me" is what everyday requests say). Read without it,
# only when that answers; an everyday request in the same frame still gets no topic.
FRAMED = [
    ("could-you-tell-me", "Could you tell me what cysteine is?", "what-is-cysteine"),
    ("can-you-tell-me", "can you tell me what cysteine is", "what-is-cysteine"),
    ("please-tell-me", "please tell me what L-cysteine does", "what-is-cysteine"),
    ("tell-me", "tell me what NAC is", "nac-vs-cysteine"),
    ("whether", "Could you tell me whether NAC helps with hair loss?", "hair-skin-nails"),
]


@pytest.mark.parametrize(("text", "topic"), [r[1:] for r in FRAMED], ids=[r[0] for r in FRAMED])
def test_a_question_in_a_polite_frame_is_answered(engine: Engine, text: str,
                                                  topic: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == ("answer", topic)


@pytest.mark.parametrize("text", [
    "could you tell me the time",
    "can you tell me how to get to the train station",
    "I'd like to know how much vitamin D I need",
    "can you tell me where to buy NAC",
], ids=["time", "directions", "other-vitamin", "where-to-buy"])
def test_an_everyday_request_in_a_polite_frame_gets_no_topic(engine: Engine, text: str) -> None:
    assert engine.respond(text).reply.kind != "answer"


# Two questions in one message: each alone is answered, together they matched neither
# ("what is nac and why is everyone on tiktok taking it" fell back). The first that answers
# is answered, read with the supplement's name when it leaves it out; a part that asks
# nothing is never answered on its own.
TWO_ASKED = [
    ("and-why", "what is nac and why is my whole gym taking it", "nac-vs-cysteine"),
    ("announced", "two questions: is nac ok long term, and does it help a pulled hamstring",
     "side-effects"),
]


@pytest.mark.parametrize(("text", "topic"), [r[1:] for r in TWO_ASKED],
                         ids=[r[0] for r in TWO_ASKED])
def test_the_first_of_two_questions_is_answered(engine: Engine, text: str, topic: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == ("answer", topic)


@pytest.mark.parametrize("text", [
    "what's the weather and is nac safe",
    "is omega 3 good for the heart? doctor said take it",
], ids=["with-an-everyday-request", "a-statement-after-the-question"])
def test_two_parts_do_not_answer_what_the_whole_does_not_ask(engine: Engine, text: str) -> None:
    assert engine.respond(text).reply.kind != "answer"


# Voice typing writes out the punctuation it was told; "period" alone stays a word.
DICTATED_CASES = [
    ("hi there comma what exactly is glutathione question mark", "answer", "glutathione"),
    # (Until the matching re-fit allowing 2% of near misses out of fold this was "my
    # daughter has a chesty cough comma can she have nac": written or dictated, it now gets
    # "did you mean" with children first and mucus second.)
    ("my son is six comma can he take nac question mark", "answer", "children"),
    ("um hello full stop what is l cysteine period", "answer", "what-is-cysteine"),
    ("my son took a whole bottle of pills comma he wont wake up", "emergency", "overdose"),
]


@pytest.mark.parametrize(("text", "kind", "topic"), DICTATED_CASES,
                         ids=[t[:30] for t, _, _ in DICTATED_CASES])
def test_spoken_punctuation_is_read_as_marks(engine: Engine, text: str, kind: str,
                                             topic: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == (kind, topic)
