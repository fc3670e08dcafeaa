"""Other languages' words read as the English words the phrasings use (bot/glossary.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot import glossary
from bot.devtools.evaluate import evaluate, load_cases
from bot.engine import GLOSS_SURE, Engine
from bot.errors import KnowledgeError
from bot.normalize import words
from bot.settings import ROOT

TURKISH = """\
language: tr
words:
  flu: [grip*, influenza]
  side effects: [yan etki*]
  pregnant: [hamile*, gebe]
  what is: [nedir, ne demek]
  children: [çocuk*]
"""


def _gloss(tmp_path: Path, text: str = TURKISH) -> glossary.Glossary:
    folder = tmp_path / "glossary"
    folder.mkdir(exist_ok=True)
    (folder / "tr.yaml").write_text(text, encoding="utf-8")
    return glossary.load(folder)


def _keep(token: str) -> bool:
    """Drop the language's common words, as the engine does."""
    return token not in {"korur", "mu", "mi", "için", "icin", "peki", "var", "ne", "alabilir",
                         "miyim", "mı"}


READINGS = [
    ("stem-with-ending", "NAC gripten korur mu?", "nac flu"),
    ("stem-alone", "grip için NAC", "flu nac"),
    ("phrase-with-stem", "peki yan etkileri var mı", "side effects"),
    ("two-words-exact", "NAC ne demek", "nac what is"),
    ("accents-folded", "çocuklar için?", "children"),
    ("dotless-i-folded", "hamileyim, NAC 600 alabilir miyim", "pregnant nac 600"),
    ("longest-first", "nac nedir, gripte", "nac what is flu"),
]


@pytest.mark.parametrize(("text", "english"), [r[1:] for r in READINGS],
                         ids=[r[0] for r in READINGS])
def test_reads_a_message_as_english_words(tmp_path: Path, text: str, english: str) -> None:
    assert _gloss(tmp_path).english(text, "tr", _keep) == english


ARABIC = """\
language: ar
words:
  side effects: [آثار جانبية, a3rad janibiya]
  liver: [كبد, kabed]
  together with: [ma3]
  information: [ma3loumat]
"""

# Arabic writes its article onto the noun, in the lists and in messages; typed in Latin
# letters, it writes sounds as digits inside a word, which stays one word.
ARABIC_READINGS = [
    ("article-in-message", "ما هي الآثار الجانبية", "side effects"),
    ("and-the", "NAC والكبد", "nac liver"),
    ("digits-inside-a-word", "fi a3rad janibiya lal NAC", "side effects nac"),
    ("word-not-its-start", "men wein el ma3loumat", "information"),
    ("latin-name-with-particle", "NAC가 kabed", "nac liver"),
]


@pytest.mark.parametrize(("text", "english"), [r[1:] for r in ARABIC_READINGS],
                         ids=[r[0] for r in ARABIC_READINGS])
def test_reads_arabic_as_it_is_written(tmp_path: Path, text: str, english: str) -> None:
    folder = tmp_path / "glossary"
    folder.mkdir()
    (folder / "ar.yaml").write_text(ARABIC, encoding="utf-8")
    common = set(words("ما هي fi lal men wein el 가"))  # folded, as messages are
    assert glossary.load(folder).english(text, "ar", lambda t: t not in common) == english


# The words no entry covers, common words dropped: what the English words leave as written.
UNREAD = [
    ("all-read", "peki yan etkileri var mı", ()),
    ("name-and-number", "hamileyim, NAC 600 alabilir miyim", ("nac", "600")),
    ("unknown-word", "taurin gripten korur mu?", ("taurin",)),
]


@pytest.mark.parametrize(("text", "unread"), [r[1:] for r in UNREAD], ids=[r[0] for r in UNREAD])
def test_tells_the_words_left_as_written(tmp_path: Path, text: str,
                                         unread: tuple[str, ...]) -> None:
    gloss = _gloss(tmp_path)
    assert gloss.unread(text, "tr", _keep) == unread
    assert gloss.unread(text, "xx", _keep) is None  # no list for that language


MARKED = [
    ("question-mark", "peki, NAC gripten korur mu?", "nac flu?"),
    ("comma-between", "nac nedir, gripte", "nac what is, flu"),
    ("unlisted-part-kept", "NAC nedir? merhaba", "nac what is? merhaba"),
]


@pytest.mark.parametrize(("text", "english"), [r[1:] for r in MARKED],
                         ids=[r[0] for r in MARKED])
def test_reads_a_message_with_its_punctuation_when_asked(tmp_path: Path, text: str,
                                                         english: str) -> None:
    assert _gloss(tmp_path).english(text, "tr", _keep, marks=True) == english


NOTHING = [
    ("no-listed-word", "merhaba nasılsın", "tr"),
    ("language-without-glossary", "NAC gripten korur mu?", "pl"),
    ("english", "NAC gripten korur mu?", None),
    ("stem-must-start-the-word", "agripten", "tr"),
]


@pytest.mark.parametrize(("text", "code"), [r[1:] for r in NOTHING], ids=[r[0] for r in NOTHING])
def test_nothing_when_no_word_is_listed(tmp_path: Path, text: str, code: str | None) -> None:
    assert _gloss(tmp_path).english(text, code, _keep) is None


BAD = [
    ("unknown-language", "language: xx\nwords:\n  flu: [grip]\n", "unknown language 'xx'"),
    ("short-stem", "language: tr\nwords:\n  flu: [gri*]\n", "shorter than 4 letters"),
    ("one-letter", "language: tr\nwords:\n  see you: [a+]\n", "is one letter once folded"),
    ("form-twice", "language: tr\nwords:\n  flu: [grip]\n  cold: [grip]\n",
     "'grip' is listed under 'flu' too"),
    ("not-a-list", "language: tr\nwords:\n  flu: grip\n", "must be a list"),
    ("long-phrase", "language: tr\nwords:\n  flu: [a b c d e]\n", "longer than 4 words"),
    ("unknown-field", "language: tr\nwords:\n  flu: [grip]\nnotes: x\n", "unknown field"),
]


@pytest.mark.parametrize(("text", "problem"), [r[1:] for r in BAD], ids=[r[0] for r in BAD])
def test_a_bad_file_fails_with_file_entry_and_problem(tmp_path: Path, text: str,
                                                      problem: str) -> None:
    with pytest.raises(KnowledgeError, match=problem) as caught:
        _gloss(tmp_path, text)
    assert caught.value.file.endswith("tr.yaml")


def test_the_curated_glossaries_load() -> None:
    loaded = glossary.load(ROOT / "intents" / glossary.GLOSSARY_DIR)
    assert set(loaded.languages) >= {"es", "pt", "fr", "de", "it", "nl", "pl", "tr", "vi",
                                     "ro", "id", "tl"}


# Messages of ours (not from any evaluation set) that the phrasings alone did not answer.
ANSWERED = [
    ("tr-breastfeeding", "kızım emziriyor, NAC içebilir mi?", "breastfeeding"),
    ("tl-phlegm", "ang NAC ba ay nakakatulong sa ubo na may plema?", "mucus-lungs"),
    ("id-pregnancy", "apakah NAC aman untuk ibu hamil?", "pregnancy"),
    ("vi-hangover", "NAC có giúp giải rượu không?", "liver-detox"),
    ("vi-side-effects", "uống NAC có tác dụng phụ gì không", "side-effects"),
    ("es-hangover", "¿la NAC ayuda con la resaca?", "liver-detox"),
    # "la NAC c'est bon pour les poumons ?" is answered without the glossary since the matcher
    # learned from the forty-ninth to fifty-third final sets' questions.
    ("fr-lungs", "la NAC fait du bien aux poumons ?", "mucus-lungs"),
    # Wrapped in chat words (a greeting, the way of addressing the person, a polite particle):
    # their English words and the message's commas let the opener be read as one.
    ("vi-polite", "chào anh, cho em hỏi NAC có tốt cho phổi không ạ", "mucus-lungs"),
    ("tl-po", "magandang umaga po, pwede po ba ang NAC sa buntis?", "pregnancy"),
    # Languages typed in Latin letters, told by their glossaries' words (Hinglish, Arabizi
    # with its digits kept inside the word), Arabic's article taken off ("الآثار": the
    # effects), a Korean particle written onto NAC ("NAC가"), Czech and Hungarian.
    ("hi-latin", "NAC lene se baal jhadna kam hota hai kya?", "hair-skin-nails"),
    ("urdu-latin", "NAC ke nuksan kya hain?", "side-effects"),
    ("arabizi", "el NAC mni7 lel kabed?", "liver-detox"),
    ("ar-article", "ما هي الآثار الجانبية لـ NAC؟", "side-effects"),
    ("ko-particle", "NAC가 간에 좋아요?", "liver-detox"),
    ("cs-cough", "pomáhá NAC na kašel s hlenem?", "mucus-lungs"),
    ("hu-pregnancy", "szedhetem a NAC-ot terhesség alatt?", "pregnancy"),
    ("el-liver", "Το NAC κάνει καλό στο συκώτι;", "liver-detox"),
    ("greeklish-pregnancy", "eimai egkyos, mporw na parw NAC?", "pregnancy"),
    ("fa-side-effects", "عوارض جانبی NAC چیه؟", "side-effects"),
    ("finglish-liver", "aya NAC baraye kabed khube?", "liver-detox"),
]


@pytest.fixture(scope="module")
def without_glossary(engine: Engine) -> Engine:
    """The same engine reading every message as it is written."""
    plain = copy.copy(engine)
    plain.glossary = glossary.EMPTY
    return plain


@pytest.mark.parametrize(("text", "topic"), [r[1:] for r in ANSWERED],
                         ids=[r[0] for r in ANSWERED])
def test_a_question_in_another_language_is_answered(engine: Engine, without_glossary: Engine,
                                                    text: str, topic: str) -> None:
    without = without_glossary.respond(text).reply
    reply = engine.respond(text).reply
    assert without.kind != "answer"  # the glossary is what answers it
    assert (reply.kind, reply.topic) == ("answer", topic)


NOT_ANSWERED = [
    ("es-other-supplement", "el magnesio sirve para dormir?"),
    ("es-price", "cuanto cuesta el NAC en la farmacia"),
    ("tr-greeting-only", "merhaba"),
]


@pytest.mark.parametrize("text", [r[1] for r in NOT_ANSWERED], ids=[r[0] for r in NOT_ANSWERED])
def test_what_the_bot_does_not_cover_stays_unanswered(engine: Engine, text: str) -> None:
    assert engine.respond(text).reply.kind != "answer"


# (first message, follow-up in the same language, the follow-up's answer). Too short to tell
# their language alone, the follow-ups are read in the chat's. Read as written, "peki yan
# etkisi?" (and side effects?) is unknown words, which the call on the last answer put with
# breastfeeding (at 0.59, over a bar of 0.55); its English words name the side effects answer.
FOLLOW_UPS = [
    ("kızım emziriyor, NAC içebilir mi?", "peki yan etkisi?", "side-effects"),
    ("estoy amamantando, puedo tomar NAC?", "¿y efectos secundarios?", "side-effects"),
    ("karmię piersią, czy mogę brać NAC?", "a skutki uboczne?", "side-effects"),
    ("saya sedang hamil, boleh minum NAC?", "kalau efek samping?", "side-effects"),
    ("ich stille, darf ich NAC nehmen?", "und nebenwirkungen?", "side-effects"),
    ("NAC aiuta con il muco?", "e per i bambini?", "children"),
    ("privet, NAC pomogaet pri bronhite?", "a skolko prinimat?", "doses-in-studies"),
    ("Habari, NAC inasaidia mapafu?", "na madhara yake?", "side-effects"),
    ("NAC lene se baal jhadna kam hota hai kya?", "roz kitna lena hai?", "doses-in-studies"),
]


@pytest.mark.parametrize(("first", "then", "topic"), FOLLOW_UPS,
                         ids=["tr-side-effects", "es-side-effects", "pl-side-effects",
                              "id-side-effects", "de-side-effects", "it-children",
                              "ru-translit-doses", "sw-side-effects", "hi-latin-doses"])
def test_a_follow_up_in_the_language_of_the_chat(engine: Engine, first: str, then: str,
                                                 topic: str) -> None:
    started = engine.respond(first)
    follow = engine.respond(then, started.state)
    assert (follow.reply.kind, follow.reply.topic) == ("answer", topic)


def test_an_emergency_in_another_language_is_not_read_again(engine: Engine) -> None:
    first = engine.respond("mi hijo se tomó todas mis pastillas")
    assert first.reply.kind == "emergency"
    follow = engine.respond("¿y tiene efectos secundarios?", first.state)
    assert follow.reply.kind == "emergency"


def test_the_twelve_language_dev_set_stays_answered(engine: Engine) -> None:
    # Writer AF's questions (tuned on: their misses were read). Measured when the glossaries
    # came: 320/372 right (275 without them), 2/36 out of scope answered.
    report = evaluate(engine, load_cases(ROOT / "tests" / "languages" / "questions-af.yaml"))
    assert report.in_scope_right >= 315
    assert report.out_of_scope_answered <= 2


# Crises in languages the safety model learned few words of: small talk before, read in
# English ("want to die", "kill myself") they get the crisis guidance.
URGENT = [
    ("id-kill-myself", "aku mau bunuh diri", "suicide"),
    ("ms-want-to-die", "saya ingin mati saja", "suicide"),
    ("vi-want-to-die", "tôi muốn chết", "suicide"),
    ("sw-want-to-die", "nataka kufa, siwezi tena", "suicide"),
    ("cs-swallowed-pills", "můj syn spolykal všechny prášky a zvrací", "overdose"),
    ("hu-throat-swollen", "nem kapok levegőt, bedagadt a torkom", "breathing"),
    ("ko-want-to-die", "죽고 싶어요", "suicide"),
    ("el-want-to-die", "θέλω να πεθάνω", "suicide"),
]


@pytest.mark.parametrize(("text", "kind"), [r[1:] for r in URGENT], ids=[r[0] for r in URGENT])
def test_a_crisis_in_another_language_gets_the_guidance(engine: Engine, without_glossary: Engine,
                                                        text: str, kind: str) -> None:
    assert without_glossary.respond(text).reply.kind != "emergency"
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == ("emergency", kind)


def test_a_rough_reading_less_sure_adds_a_note_not_the_emergency_text(engine: Engine) -> None:
    # Italian: "the doctor doesn't answer the phone, what do I do?" reads "doctor unconscious
    # what do i do" ("non risponde": not responding), an emergency at 0.78 in English: under
    # GLOSS_SURE, a note on top of the reply, not the emergency text.
    text = "il medico non risponde al telefono, cosa faccio?"
    assessed = engine.safety.assess(engine._english(text, "it") or "")
    assert (assessed.level, assessed.p_emergency < GLOSS_SURE) == ("emergency", True)
    reply = engine.respond(text).reply
    assert (reply.kind != "emergency", reply.note is not None) == (True, True)


# A past scare told in another language: the safety model read the crisis words and not the
# "last year" or the "all fine now" (the emergency text, then the poisoning follow-up for every
# question after it); read in English, the past is weighed and the note is enough.
PAST = [
    ("fr-last-year", "l'année dernière mon fils a avalé des comprimés de paracétamol, il a été "
                     "soigné à l'hôpital, tout va bien maintenant. c'est quoi la NAC?"),
    ("id-last-year", "tahun lalu anak saya menelan obat paracetamol, sekarang sudah sehat. NAC "
                     "itu apa?"),
]


@pytest.mark.parametrize("text", [r[1] for r in PAST], ids=[r[0] for r in PAST])
def test_a_past_scare_in_another_language_gets_a_note(engine: Engine, without_glossary: Engine,
                                                      text: str) -> None:
    assert without_glossary.respond(text).reply.kind == "emergency"
    reply = engine.respond(text).reply
    assert (reply.kind != "emergency", reply.note) == (True, "overdose")


# Ordinary words the safety model learned from crisis messages in the same language: every
# word has English in the glossary, and those say nothing alarming, so a note, not the text.
ORDINARY_READ_AS_CRISIS = [
    ("id-explain-more", "jelaskan lebih lanjut dong"),  # explain further, please
    ("ro-thanks-good-night", "Mulțumesc frumos, noapte bună"),  # thank you, good night
]


@pytest.mark.parametrize("text", [r[1] for r in ORDINARY_READ_AS_CRISIS],
                         ids=[r[0] for r in ORDINARY_READ_AS_CRISIS])
def test_ordinary_words_read_as_a_crisis_get_a_note(engine: Engine, without_glossary: Engine,
                                                    text: str) -> None:
    assert without_glossary.respond(text).reply.kind == "emergency"
    reply = engine.respond(text).reply
    assert (reply.kind != "emergency", reply.note is not None) == (True, True)


# Emergencies now keep the guidance: a note read from rough English words that lost what made
# it urgent ("suddenly can't speak properly" is not in the glossary) is no reason to lower it.
STILL_URGENT = [
    ("de-stroke", "Meine Mutter kann plötzlich nicht mehr richtig sprechen und ihr Mundwinkel "
                  "hängt. Sie nimmt NAC. Hängt das zusammen?", "stroke"),
    ("es-swallowed-now", "mi hijo acaba de tragarse unas pastillas, que hago", "overdose"),
    # Every word read, as in the messages above, but their English words say the emergency.
    ("id-swallowed", "anak saya menelan banyak pil", "overdose"),
    ("fr-swallowed", "mon fils a avalé tous mes comprimés", "overdose"),
    ("fr-not-breathing", "ma fille ne respire plus", "breathing"),
    ("pl-swallowed", "moja córka połknęła tabletki", "overdose"),
]


@pytest.mark.parametrize(("text", "kind"), [r[1:] for r in STILL_URGENT],
                         ids=[r[0] for r in STILL_URGENT])
def test_an_emergency_now_in_another_language_keeps_the_guidance(engine: Engine, text: str,
                                                                 kind: str) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == ("emergency", kind)


NOTED_ANSWERED = [
    # Turkish: "last year my son swallowed medicine, now he's fine. Does NAC protect from flu?"
    ("tr-past-then-flu", "geçen yıl oğlum ilaç yuttu, şimdi iyi. NAC gripten korur mu?", "flu"),
    # Spanish: "years ago I took an overdose, I'm fine now. Does NAC help with hangovers?"
    ("es-past-then-hangover", "hace años tomé una sobredosis, ya estoy bien. la NAC ayuda con "
                              "la resaca?", "liver-detox"),
]


@pytest.mark.parametrize(("text", "topic"), [r[1:] for r in NOTED_ANSWERED],
                         ids=[r[0] for r in NOTED_ANSWERED])
def test_a_note_the_message_got_stays_on_the_answer_its_english_words_found(
        engine: Engine, without_glossary: Engine, text: str, topic: str) -> None:
    # As written, a note over "no curated answer" (or a "did you mean"); read in English, the
    # answer, with the same
    # note on top (a reading that dropped the note was refused, and the note is the message's
    # own: the rough English words neither drop it nor make up another).
    written = without_glossary.respond(text).reply
    reply = engine.respond(text).reply
    assert (written.kind in ("fallback", "clarify"), written.note is not None) == (True, True)
    assert (reply.kind, reply.topic, reply.note) == ("answer", topic, written.note)
