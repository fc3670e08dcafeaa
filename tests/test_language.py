"""Messages in other languages: told, once, in their language, that the bot answers in English."""

from __future__ import annotations

import json
from importlib.metadata import version

import pytest
import yaml

from bot import language
from bot.devtools import train_languages
from bot.engine import Engine
from bot.knowledge import load as load_knowledge
from bot.reply import ConversationState
from bot.settings import ROOT

LISTS = language.load()

FOREIGN = [
    ("es-question", "¿Para qué sirve la N-acetilcisteína?", "es"),
    ("es-no-accents", "para que sirve la nac, es segura?", "es"),
    ("es-emergency", "mi hijo se tomó todas mis pastillas", "es"),
    ("pt-question", "a NAC ajuda a engravidar? estou tentando há um ano", "pt"),
    ("pt-tilde", "não sei se posso tomar isso", "pt"),
    ("fr-question", "Est-ce que la NAC est dangereuse pendant la grossesse ?", "fr"),
    ("fr-casual", "c'est quoi le glutathion en fait", "fr"),
    ("de-question", "Was ist NAC und wofür wird es verwendet?", "de"),
    ("de-eszett", "Hilft das bei einer Erkältung, weiß das jemand?", "de"),
    ("it-question", "la NAC fa bene per la tosse? mio padre ha la bronchite", "it"),
    ("nl-question", "Mag ik NAC gebruiken als ik zwanger ben?", "nl"),
    ("pl-question", "czy NAC pomaga na kaszel? wziąłem dwie tabletki", "pl"),
    ("tr-question", "NAC öksürüğe iyi gelir mi, kullanmalı mıyım?", "tr"),
    ("vi-question", "NAC có an toàn cho phụ nữ mang thai không?", "vi"),
    ("ru-question", "Что такое ацетилцистеин и зачем его пьют?", "ru"),
    ("uk-question", "Чи можна пити NAC під час вагітності?", "uk"),
    ("el-question", "Τι είναι η ακετυλοκυστεΐνη;", "el"),
    ("ar-question", "هل الأسيتيل سيستئين آمن أثناء الحمل؟", "ar"),
    ("fa-question", "آیا ان استیل سیستئین برای ریه خوب است؟", "fa"),
    ("hi-question", "क्या NAC को दूध के साथ लेना ठीक है?", "hi"),
    ("zh-question", "乙酰半胱氨酸有什么副作用？", "zh"),
    ("ja-question", "NACは妊娠中に飲んでも大丈夫ですか？", "ja"),
    ("ko-question", "NAC는 임신 중에 먹어도 되나요?", "ko"),
    # From wordfreq's lists (the languages pyspellchecker lacks), accents or none.
    ("ro-question", "Pot lua NAC împreună cu antibiotice?", "ro"),
    ("ro-no-diacritics", "pot lua nac impreuna cu antibiotice?", "ro"),
    ("id-emergency", "tolong! anak saya menelan banyak tablet NAC, sekarang muntah", "id"),
    ("ms-question", "boleh tak saya ambil nac masa mengandung", "id"),
    ("tl-emergency", "tulong po, nilunok ng anak ko yung gamot ko", "tl"),
    ("tr-no-letters", "ambulans geliyor, cok tesekkurler", "tr"),
    ("vi-no-accents", "nac co tot cho gan khong vay", "vi"),
    ("cs-question", "Můžu brát NAC v těhotenství?", "cs"),
    ("cs-no-diacritics", "muzu davat nac detem, kolik denne?", "cs"),
    ("hu-question", "Szedhetem a NAC-ot terhesség alatt?", "hu"),
    ("hu-no-accents", "mire jo a nac es mennyit kell szedni", "hu"),
    # Typed in Latin letters, told by their glossaries' words (intents/glossary) or, for
    # Arabic, by the digits it writes its own sounds with.
    ("hi-latin", "mujhe roz kitni goli leni chahiye?", "hi"),
    ("urdu-latin", "meri biwi ke liye ye dawa theek hai?", "hi"),
    ("ru-translit", "mozhno li pit NAC kazhdyj den?", "ru"),
    ("arabizi", "ana ta3ban barcha, bghit nmout, ch7al mn NAC khassni nakhod", "ar"),
    ("greeklish", "eimai egkyos, mporw na parw NAC?", "el"),
    ("finglish", "aya NAC baraye kabed khube?", "fa"),
]

ENGLISH = [
    ("plain", "what is NAC and what is it used for?"),
    ("typos", "hw mch shud i tak"),
    ("text-speak", "wat about side efx"),
    ("war-and-die", "did people die in the war from mustard gas?"),
    ("quoted-french", "what does 'je ne sais quoi' mean"),
    ("quoted-spanish", 'my abuela calls it "la medicina de la tos", is that NAC?'),
    ("one-foreign-word", "hola, is nac safe in pregnancy?"),
    ("brand-and-place", "can I buy NAC at the farmacia in Madrid on my holiday"),
    ("names", "Dr. de la Cruz says NAC helps with OCD, is that true?"),
    ("cyrillic-look-alike", "i took an оverdose of nac"),  # one Cyrillic "о"
    ("emoji", "is nac good for hair 💇‍♀️✨"),
    ("latin-phrase", "is nac given per os or iv in hospital"),
    ("accented-english", "my fiancée read that NAC helps with café hangovers"),
    ("short", "ok"),
    # Not English, but no language the bot names: a wrong guess is worse than none.
    ("arabizi-said-twice", "la la safi ghir kan dhak"),
    ("vitamin-with-digit", "is b12 ok with nac"),
    ("one-word-with-digit", "can i listen to mp3s while taking nac"),
]


@pytest.mark.parametrize(("text", "code"), [c[1:] for c in FOREIGN], ids=[c[0] for c in FOREIGN])
def test_foreign_message_is_told_apart(text: str, code: str) -> None:
    assert language.detect(text, LISTS) == code


@pytest.mark.parametrize("text", [c[1] for c in ENGLISH], ids=[c[0] for c in ENGLISH])
def test_english_message_gets_no_language_line(text: str) -> None:
    assert language.detect(text, LISTS) is None


def test_every_language_has_its_line() -> None:
    lines = load_knowledge(ROOT / "knowledge.yaml").languages
    assert sorted(lines) == sorted(language.LANGUAGES)


def test_line_comes_once_in_a_conversation(engine: Engine) -> None:
    first = engine.respond("¿Qué es la N-acetilcisteína?")
    second = engine.respond("¿y es segura en el embarazo?", first.state)
    english = engine.respond("thanks, and what about side effects?", second.state)
    back = engine.respond("¿y para el pelo?", english.state)
    german = engine.respond("Und hilft es gegen Grippe?", back.state)
    line = "Lo siento, solo puedo responder en inglés."
    assert [first.reply.text.startswith(line), line in second.reply.text,
            line in english.reply.text, line in back.reply.text,
            german.reply.text.startswith("Entschuldigung")] == [True, False, False, False, True]
    assert first.reply.kind == "answer" and english.state.language == "es"


def test_line_comes_again_when_nothing_was_understood(engine: Engine) -> None:
    first = engine.respond("孕妇可以吃吗？")
    second = engine.respond("有副作用吗？", first.state)
    line = "抱歉，我只能用英语回答。"
    assert [(t.reply.kind, t.reply.text.startswith(line)) for t in (first, second)] == [
        ("fallback", True), ("fallback", True)]


# In another script, the words in Latin letters are what the bot can read: when they ask a
# question of their own, it is answered. The name alone is not a question: "is NAC good for
# the liver?" had got what NAC is (eighth black-box test); nothing readable but the name,
# or nothing answered, stays the fallback, which says the bot answers in English.
LATIN_PART = [
    ("zh-latin-question", "NAC side effects 是什么？", ("answer", "side-effects")),
    ("zh-name-only", "NAC对肝脏有好处吗？", ("fallback", None)),
    ("ja-name-only", "NACは髪に効きますか？", ("fallback", None)),
    ("ja-what-is-name-only", "NACとは何ですか？", ("fallback", None)),
    ("zh-no-latin", "孕妇可以吃吗？", ("fallback", None)),
    # Nothing readable is never "ok": "my son swallowed a lot of pills" had got "👍 ask me
    # anything else"; since writers V and X, the safety model reads it as an emergency.
    ("zh-unread-not-ack", "我女儿昨天有点咳嗽", ("fallback", None)),
    ("zh-emergency", "我儿子吞了很多药片", ("emergency", "overdose")),
    # Korean, written with spaces, is read by the safety model since writer V's messages.
    ("ko-emergency", "아들이 약을 많이 먹었어요", ("emergency", "overdose")),
    ("ru-read-whole", "Сколько стоит NAC в аптеке в Москве?", ("fallback", None)),
    ("ru-emergency", "мой сын выпил все таблетки", ("emergency", "overdose")),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in LATIN_PART],
                         ids=[c[0] for c in LATIN_PART])
def test_latin_words_in_another_script_are_read(engine: Engine, text: str,
                                                expected: tuple[str, str | None]) -> None:
    reply = engine.respond(text).reply
    assert (reply.kind, reply.topic) == expected


# An emergency in another language gets what to do now in that language first, with a number
# to call, then the guidance in English; not "sorry, English only" under English guidance.
URGENT = [
    ("es", "mi hijo se tomó todas mis pastillas"),
    ("id", "tolong! anak saya menelan banyak tablet NAC, sekarang muntah-muntah"),
    ("de", "Mein Vater hat starke Brustschmerzen und schwitzt stark"),
    ("ru", "мой сын выпил все таблетки"),
]


@pytest.mark.parametrize(("code", "text"), URGENT, ids=[c for c, _ in URGENT])
def test_emergency_gets_what_to_do_first_in_the_language(engine: Engine, code: str,
                                                          text: str) -> None:
    turn = engine.respond(text)
    urgent = engine.knowledge.urgent_languages[code]
    assert turn.reply.kind == "emergency"
    assert turn.reply.text.startswith(urgent)
    assert "🚨" in turn.reply.text.removeprefix(urgent).lstrip()[:2]
    assert engine.knowledge.languages[code] not in turn.reply.text


def test_every_emergency_reply_in_the_language_leads_with_what_to_do(engine: Engine) -> None:
    # "parece que está bien, está jugando" after Spanish guidance got English only.
    first = engine.respond("mi hijo se tomó todas mis pastillas")
    then = engine.respond("parece que está bien, está jugando", first.state)
    urgent = engine.knowledge.urgent_languages["es"]
    assert [t.reply.kind for t in (first, then)] == ["emergency", "emergency"]
    assert then.reply.text.startswith(urgent) and then.reply.text != first.reply.text


# Nothing answered a message in another language, so the bot may not have read it at all:
# the English-only line says where to call in case it was an emergency; an answer's does not.
UNREAD = [
    ("zh", "我女儿昨天有点咳嗽", True),
    ("es", "¿Cuánto cuesta la NAC en una farmacia de Madrid?", True),
    ("es", "¿La NAC ayuda con el cabello?", False),
]


@pytest.mark.parametrize(("code", "text", "fell_back"), UNREAD,
                         ids=["zh-unread", "es-out-of-scope", "es-answered"])
def test_a_fallback_in_another_language_says_where_to_call(engine: Engine, code: str, text: str,
                                                             fell_back: bool) -> None:
    reply = engine.respond(text).reply
    urgent_if = engine.knowledge.urgent_if_languages[code]
    assert (reply.kind == "fallback") == fell_back
    assert (urgent_if in reply.text) == fell_back
    assert engine.knowledge.languages[code] in reply.text


def test_english_conversation_never_gets_a_line(engine: Engine) -> None:
    state = ConversationState()
    for text in ("hi", "what is nac", "is it safe in pregnancy?", "sources", "thanks bye"):
        turn = engine.respond(text, state)
        state = turn.state
        assert state.language is None, text


def test_language_survives_saving_the_state() -> None:
    state = ConversationState(last_topic="side-effects", language="pt")
    assert ConversationState.from_dict(state.to_dict()) == state
    assert ConversationState.parse({**state.to_dict(), "language": 7}) is None


WRITTEN = json.loads(language.MODEL_PATH.read_text(encoding="utf-8"))


@pytest.mark.skipif(WRITTEN["source"] != f"pyspellchecker {version('pyspellchecker')} word "
                    "frequencies" or not WRITTEN["source_more"].startswith(
                        f"wordfreq {version('wordfreq')} "),
                    reason="lists written from another pyspellchecker or wordfreq version")
def test_word_lists_are_what_the_script_writes() -> None:
    assert train_languages.build() == WRITTEN


def test_final_set_keeps_the_figures_it_was_scored_at() -> None:
    """The held-out set of tests/languages/final.yaml, read as totals only."""
    items = yaml.safe_load((ROOT / "tests" / "languages" / "final.yaml").read_text("utf-8"))
    got = [(item["lang"], language.detect(item["text"], LISTS)) for item in items]
    english = [found for lang, found in got if lang == "en"]
    named = [(lang, found) for lang, found in got if lang in language.LANGUAGES]
    other = [found for lang, found in got if lang != "en" and lang not in language.LANGUAGES]
    # Romanian, Indonesian and Tagalog are named since their wordfreq lists (8 messages);
    # Czech and Hungarian since theirs, Swahili since its glossary (6): 155 of 185 told right.
    assert (len(english), len(named), len(other)) == (200, 185, 15)
    assert sum(found is not None for found in english) == 0
    assert sum(lang == found for lang, found in named) >= 150
    assert sum(found is not None and found != lang for lang, found in named) <= 5
    assert sum(found is not None for found in other) <= 1


def test_second_final_set_keeps_the_figures_it_was_scored_at() -> None:
    """The held-out set of tests/languages/final2.yaml, read as totals only."""
    items = yaml.safe_load((ROOT / "tests" / "languages" / "final2.yaml").read_text("utf-8"))
    # One line serves Indonesian and Malay; Hindi and Arabic typed in Latin letters are told
    # by their glossaries' words since those were written (31 messages, 24 then told right).
    alias = {"ms": "id", "fil": "tl", "hi-latn": "hi", "ar-latn": "ar"}
    got = [(alias.get(item["lang"], item["lang"]), language.detect(item["text"], LISTS))
           for item in items]
    english = [found for lang, found in got if lang == "en"]
    named = [(lang, found) for lang, found in got if lang in language.LANGUAGES]
    other = [found for lang, found in got if lang != "en" and lang not in language.LANGUAGES]
    assert (len(english), len(named), len(other)) == (178, 245, 8)
    assert sum(found is not None for found in english) <= 1
    assert sum(lang == found for lang, found in named) >= 215
    assert sum(found is not None and found != lang for lang, found in named) <= 3
    assert sum(found is not None for found in other) <= 4
