"""The real curated content: complete, consistent, cited and within the source's limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.compose import FIRST_REPLY_LIMIT, telegram_length
from bot.devtools import fingerprint
from bot.devtools.check import problems
from bot.engine import Engine
from bot.intents import MIN_EXAMPLES
from bot.knowledge import SHORT_WORDS_GUIDE, Answer, Knowledge, word_count

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINT = ROOT / "tests" / "data" / "article-fingerprint.txt"
DOSE = re.compile(r"\b\d+\s*(?:mg|g|milligrams?)\b", re.I)
# Answers allowed to report the doses the source gives, each framed as used in studies.
DOSE_TOPICS = {"cystic-fibrosis", "flu", "recurrent-miscarriage", "male-infertility",
               "doses-in-studies", "forms", "too-much-nac"}


def test_content_has_no_problems(engine: Engine) -> None:
    assert [str(p) for p in problems(engine)] == []


def test_every_answer_has_enough_phrasings(engine: Engine) -> None:
    counts = {a.id: sum(e.topic == a.id for e in engine.intents.examples)
              for a in engine.knowledge.answers}
    assert {k: v for k, v in counts.items() if v < MIN_EXAMPLES} == {}


def test_every_answer_cites_a_known_source(engine: Engine) -> None:
    known = {s.id for s in engine.knowledge.sources}
    assert all(a.sources and set(a.sources) <= known for a in engine.knowledge.answers)


@pytest.mark.parametrize("topic", ["forms", "ards", "flu", "chronic-bronchitis"],
                         ids=["forms", "ards", "flu", "chronic-bronchitis"])
def test_answers_cite_reference_1_where_the_article_does(engine: Engine, topic: str) -> None:
    assert "ummc-2014" in engine.knowledge.answer(topic).sources


REFERENCE_2 = ["hospital-uses", "acetaminophen-overdose", "chronic-bronchitis",
               "sulfur-mustard-bronchitis", "interactions"]


@pytest.mark.parametrize("topic", REFERENCE_2, ids=["iv-uses-and-nitroglycerin",
                                                    "iv-for-acetaminophen", "time-dependent",
                                                    "sulfur-mustard", "nitroglycerin"])
def test_answers_cite_reference_2_where_the_article_does(engine: Engine, topic: str) -> None:
    assert "natmed-2015" in engine.knowledge.answer(topic).sources


def test_doses_appear_only_where_the_source_reports_them(engine: Engine) -> None:
    dosed = {a.id for a in engine.knowledge.answers if DOSE.search(a.text)}
    assert dosed <= DOSE_TOPICS


def test_short_forms_carry_no_doses(engine: Engine) -> None:
    # Amounts need their framing ("used in a study, not a recommendation"): details only.
    assert [a.id for a in engine.knowledge.answers if DOSE.search(a.short)] == []


@pytest.mark.parametrize("topic", sorted(DOSE_TOPICS - {"forms"}))
def test_doses_are_framed_as_used_in_studies(engine: Engine, topic: str) -> None:
    text = engine.knowledge.answer(topic).text.lower()
    assert "used" in text and "not a recommend" in text.replace("not a recommended",
                                                                "not a recommend")


def test_acetaminophen_answer_starts_with_emergency_advice(engine: Engine) -> None:
    answer = engine.knowledge.answer("acetaminophen-overdose")
    assert all("emergency services or poison control now" in t.split("\n")[0]
               for t in (answer.short, answer.text))


# ---------------------------------------------------------------- own words

def _curated_texts(k: Knowledge) -> list[tuple[str, str]]:
    """Return (where, text) for everything the bot says from knowledge.yaml about health."""
    texts = [("disclaimer", k.disclaimer)]
    texts += [(f"caution {kind}", text) for kind, text in k.cautions.items()]
    for a in k.answers:
        texts += [(f"{a.id} title", a.title), (f"{a.id} short", a.short),
                  (f"{a.id} answer", a.text), (f"{a.id} evidence", a.evidence)]
    return texts


def test_nothing_repeats_six_words_of_the_article(engine: Engine) -> None:
    hashes = fingerprint.read(FINGERPRINT)
    # Naming a source ("the University of Maryland Medical Center") is citing, not copying.
    names = [" ".join(fingerprint.normalised_words(n)) for s in engine.knowledge.sources
             for n in (s.authors, s.publisher) if n]
    copied = []
    for where, text in _curated_texts(engine.knowledge):
        folded = " ".join(fingerprint.normalised_words(text))
        for name in names:
            folded = folded.replace(name, "|")
        for part in folded.split("|"):
            copied += [f"{where}: {run}" for run in fingerprint.copied_runs(part, hashes)]
    assert copied == []


# ---------------------------------------------------------------- plain words

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
MAX_SENTENCE_WORDS = 25
JARGON = ["oxidative stress", "glutamatergic", "microsomal", "epoxide", "genotype",
          "nutraceutical", "endogenous", "hepatic", "hematologic", "cardiovascular",
          "mortality", "myocardial", "metaboli", "intravenous", "randomi", "double-blind"]
BRITISH = re.compile(r"\b\w+(?:is(?:e|ed|es|ing)|isation|our|ours|tre|ogue|aemia|oetus)\b"
                     r"|\b(?:mum|paediatric|haemo\w*|oesophag\w*)\b", re.I)
# Words the pattern would take for British spellings but that are US English too.
NOT_BRITISH = {"advise", "advised", "advises", "otherwise", "raise", "rise", "promise", "wise",
               "precise", "exercise", "surprise", "concise", "supervise", "supervised",
               "supervises", "noise", "praise", "arise", "paradise", "devise", "revise",
               "revised", "expertise", "enterprise", "compromise", "despise", "your", "yours",
               "hour", "hours", "four", "pour", "tour", "our", "ours", "flour", "sour",
               "catalogue", "dialogue", "premise", "franchise", "merchandise", "disguise",
               "raised", "raises", "raising", "arises", "arising", "rising", "likewise"}


def _sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in SENTENCE_END.split(line.strip()) if s]


def test_no_sentence_is_over_25_words(engine: Engine) -> None:
    long = [f"{where}: {s}" for where, text in _curated_texts(engine.knowledge)
            for s in _sentences(text) if word_count(s) > MAX_SENTENCE_WORDS]
    assert long == []


def test_jargon_is_explained_or_dropped(engine: Engine) -> None:
    used = [f"{where}: {word}" for where, text in _curated_texts(engine.knowledge)
            for word in JARGON if word in text.lower()]
    assert used == []


def test_spelling_is_us_english(engine: Engine) -> None:
    british = [f"{where}: {m.group(0)}" for where, text in _curated_texts(engine.knowledge)
               for m in BRITISH.finditer(text) if m.group(0).lower() not in NOT_BRITISH]
    assert british == []


# ---------------------------------------------------------------- sized for a chat

def test_short_forms_keep_to_the_guideline(engine: Engine) -> None:
    over = {a.id: word_count(a.short) for a in engine.knowledge.answers
            if word_count(a.short) > SHORT_WORDS_GUIDE}
    assert over == {}


def test_every_first_reply_fits_before_more(engine: Engine) -> None:
    sizes = {a.id: telegram_length(engine.show(a.id).reply.text) for a in engine.knowledge.answers}
    assert {k: v for k, v in sizes.items() if v > FIRST_REPLY_LIMIT} == {}


def test_first_reply_is_the_short_form_with_details_one_tap_away(engine: Engine) -> None:
    answer = engine.knowledge.answer("flu")
    reply = engine.show("flu").reply
    assert (reply.more, answer.short in reply.text, answer.text in reply.text) == (
        True, True, False)


def test_details_are_the_long_form(engine: Engine) -> None:
    answer = engine.knowledge.answer("doses-in-studies")
    details = engine.details("doses-in-studies")
    listing = "\n".join("• " + line.strip()[2:] for line in answer.text.splitlines()
                        if line.strip().startswith("- "))
    assert (details.kind, details.topic, details.more, listing in details.text) == (
        "answer", "doses-in-studies", False, True)


SEE_A_DOCTOR = re.compile(r"\b(?:ask|asking|see|talk to|check with|consult)\b[^.]*"
                          r"\b(?:doctor|pharmacist|physician)", re.I)


def test_a_first_reply_sends_you_to_a_doctor_at_most_twice(engine: Engine) -> None:
    # Short form, caution line and disclaimer: the disclaimer always does; one more is enough.
    k = engine.knowledge
    assert SEE_A_DOCTOR.search(k.disclaimer)
    repeated = [a.id for a in k.answers
                if a.caution and SEE_A_DOCTOR.search(a.short)
                and SEE_A_DOCTOR.search(k.cautions[a.caution])]
    assert repeated == []


def test_the_interactions_caution_does_not_repeat_its_list(engine: Engine) -> None:
    caution = engine.knowledge.cautions["interactions"].lower()
    assert not any(w in caution for w in ("herbal", "lab test", "procedure", "over-the-counter"))


# ---------------------------------------------------------------- accuracy (issue 8)

def _all_text(a: Answer) -> str:
    return f"{a.short}\n{a.text}\n{a.evidence}"


def test_hospital_uses_give_no_evidence_for_als_or_kidney_failure(engine: Engine) -> None:
    a = engine.knowledge.answer("hospital-uses")
    assert all(phrase in _all_text(a) for phrase in (
        "no study", "does not show that NAC helps", "acetaminophen poisoning is the one use"))


@pytest.mark.parametrize("question", [
    "does NAC help ALS", "is nac a treatment for als",
    # A known miss since final sets 13-36's questions joined the word model: "cure" is in 7
    # of their out-of-scope questions ("can nac cure covid") and 3 in-scope ones, and this
    # falls back (out of scope 0.57, hospital uses 0.43). Strict: the suite fails once it
    # is answered again.
    pytest.param("can nac cure lou gehrig's disease",
                 marks=pytest.mark.xfail(strict=True, reason="'cure' reads out of scope")),
])
def test_an_als_question_does_not_read_as_a_yes(engine: Engine, question: str) -> None:
    reply = engine.respond(question).reply
    # The answer that says no study shows it, or a "did you mean" that offers it first.
    if reply.kind == "clarify":
        assert reply.choices[0] == "hospital-uses"
    else:
        assert (reply.topic, "does not show that NAC helps" in reply.text) == (
            "hospital-uses", True)


def test_hospital_uses_keep_nitroglycerin_in_hospital(engine: Engine) -> None:
    short = engine.knowledge.answer("hospital-uses").short
    assert re.search(r"nitroglycerin: a hospital treatment, not a mix to try at home", short)


def test_chronic_bronchitis_does_not_repeat_the_garbled_acute_sentence(engine: Engine) -> None:
    text = _all_text(engine.knowledge.answer("chronic-bronchitis")).lower()
    assert "acute bronchitis" not in text and ("acute" not in text or "garbled" in text)


def test_free_radicals_state_the_chemistry_right(engine: Engine) -> None:
    a = engine.knowledge.answer("free-radicals")
    text = _all_text(a).lower()
    assert ("unpaired electron" in text, "negative charge" in text,
            "some reactive oxygen species (reactive forms of oxygen made in the body) are free "
            "radicals" in text, "one kind of" in text) == (True, False, True, False)


def test_free_radicals_background_is_not_credited_to_the_article(engine: Engine) -> None:
    a = engine.knowledge.answer("free-radicals")
    credited = [s for s in _sentences(a.text) if "article" in s and (
        "electron" in s or "reactive oxygen" in s)]
    assert (credited, "inaccurate" in a.evidence) == ([], True)


def test_the_article_is_cited_without_an_invented_title(engine: Engine) -> None:
    article = engine.knowledge.source("article")
    assert (article.title, article.citation().startswith(
        "Nootriment. [Article on L-cysteine 500 mg capsules]. 2018-03-13."),
        "health warnings" in article.citation().lower()) == (None, True, False)


def test_the_monograph_prints_its_publisher_once(engine: Engine) -> None:
    citation = engine.knowledge.source("natmed-2015").citation()
    assert citation.count("Natural Medicines Therapeutic Research") == 1


def test_references_are_cited_not_quoted(engine: Engine) -> None:
    texts = [t for _, t in _curated_texts(engine.knowledge)]
    assert (any("as quoted" in t for t in texts), any("as cited" in t for t in texts)) == (
        False, True)


def test_only_two_of_the_ocd_papers_are_called_reviews(engine: Engine) -> None:
    a = engine.knowledge.answer("ocd-research")
    text = _all_text(a).lower()
    assert (text.count("review") - text.count("reviews"), "two are described as reviews" in text,
            "four reviews" in text) == (2, True, False)


def test_the_ocd_answer_is_plain_words_not_paper_titles(engine: Engine) -> None:
    a = engine.knowledge.answer("ocd-research")
    titles = [engine.knowledge.source(s).title or "" for s in a.sources if s != "article"]
    assert [t for t in titles if t.lower()[:30] in _all_text(a).lower()] == []


@pytest.mark.parametrize(("topic", "overreading", "hedged"), [
    ("oral-glutathione", "that is why people use nac instead", "as an alternative"),
    ("glutathione", "does not say that taking cysteine or nac treats", "does not show"),
], ids=["alternatively", "uses-are-not-evidence"])
def test_no_overreading(engine: Engine, topic: str, overreading: str, hedged: str) -> None:
    text = _all_text(engine.knowledge.answer(topic)).lower()
    assert (overreading in text, hedged in text) == (False, True)


def test_side_effects_say_whose_tolerability_and_no_frequencies(engine: Engine) -> None:
    a = engine.knowledge.answer("side-effects")
    assert all(p in a.short for p in ("L-cysteine capsules", "no numbers", "not NAC"))


# ---------------------------------------------------------------- safety of routing

NITROGLYCERIN = [
    "I take nitroglycerin for angina, can I also take NAC?",
    "can i take nac with my nitroglycerin",
    "im on nitro pills for my heart, is nac ok",
    "does nac interact with nitroglycerin",
    "i use a nitroglycerin spray, can i add nac",
    "can i take nac with my medicine",
]


@pytest.mark.parametrize("question", NITROGLYCERIN)
def test_own_medicine_questions_get_interactions(engine: Engine, question: str) -> None:
    reply = engine.respond(question).reply
    caution = engine.knowledge.cautions["interactions"]
    assert (reply.kind, reply.topic, caution in reply.text) == ("answer", "interactions", True)


def test_interactions_speak_to_people_on_nitroglycerin(engine: Engine) -> None:
    assert "nitroglycerin" in engine.knowledge.answer("interactions").short


CHILDREN = [
    "should I give my baby cysteine",
    "how much NAC for a child",
    "is it safe to give my newborn l-cysteine",
    "can my son take acetylcysteine",
    "nac dose for toddler",
    "is l-cysteine ok for teenagers",
    "my 5 year old has a cough can i give him nac",
]


@pytest.mark.parametrize("question", CHILDREN)
def test_questions_about_children_get_the_children_answer(engine: Engine,
                                                          question: str) -> None:
    reply = engine.respond(question).reply
    assert (reply.kind, reply.topic) == ("answer", "children")


def test_the_children_answer_says_the_article_is_silent_and_points_to_a_doctor(
        engine: Engine) -> None:
    a = engine.knowledge.answer("children")
    assert all(p in a.short for p in ("no advice, studies or doses", "Neither is a reason",
                                      "child's doctor or pharmacist")) and a.caution == "children"


def test_what_is_cysteine_does_not_invite_supplementing_babies(engine: Engine) -> None:
    a = engine.knowledge.answer("what-is-cysteine")
    assert "no reason to give a baby a supplement" in a.short and "children" in a.related


TOO_MUCH = [
    "can you overdose on NAC?",
    "what happens if you take too much NAC?",
    "is it possible to take too much nac",
    "is high dose nac dangerous",
    "what if i take a double dose of nac by mistake",
]


@pytest.mark.parametrize("question", TOO_MUCH)
def test_questions_about_too_much_get_the_too_much_answer(engine: Engine,
                                                          question: str) -> None:
    reply = engine.respond(question).reply
    # "overdose" also names the acetaminophen answer: a "did you mean" offering both is fair.
    assert (reply.kind, reply.topic) == ("answer", "too-much-nac") or (
        reply.kind == "clarify" and "too-much-nac" in reply.choices[:2])


def test_the_too_much_answer_is_honest_and_says_whom_to_call(engine: Engine) -> None:
    a = engine.knowledge.answer("too-much-nac")
    caution = engine.knowledge.cautions[a.caution or ""]
    assert (all(p in a.short for p in ("no overdose amount", "upper limit", "used in studies")),
            "poison control" in caution and "emergency number" in caution) == (True, True)


@pytest.mark.parametrize(("topic", "caution"), [
    ("recurrent-miscarriage", "pregnancy"), ("female-infertility", "pregnancy"),
    ("pregnancy", "pregnancy"), ("breastfeeding", "nursing"), ("interactions", "interactions"),
    ("children", "children"), ("too-much-nac", "poisoning"), ("flu", None),
], ids=["miscarriage", "female-infertility", "pregnancy", "nursing", "interactions",
        "children", "too-much", "flu-prevention"])
def test_cautions_fit_the_answer(engine: Engine, topic: str, caution: str | None) -> None:
    assert engine.knowledge.answer(topic).caution == caution


def test_the_flu_answer_is_about_prevention(engine: Engine) -> None:
    short = engine.knowledge.answer("flu").short
    assert "prevention, not treating flu you already have" in short
