"""Tell the language of a message that is clearly not English; pure, no I/O.

The bot answers in English only. A message written in another language gets one line saying so,
in that language (knowledge.yaml `languages`), on top of the usual reply: the person is not left
wondering why the answer is in English, or why nothing was understood. Two kinds of evidence:

- the script: Cyrillic, Greek, Arabic, Devanagari, Chinese, Japanese and Korean letters, when
  they are most of a message's letters (a Cyrillic "о" hidden in "оverdose" is not Russian);
- for Latin script, the language's most frequent words that are rare in English (the lists in
  bot/models/languages.json, written by `python -m bot tune languages` from pyspellchecker's
  word frequencies) and letters only that language uses ("ñ", "ã", "ß", "ı", "ł", "ư");
  languages typed in Latin letters that have no such list (Hindi and Urdu, Arabic, Russian,
  Greek, Persian, Swahili) are told by their glossaries' words ("kitna", "skolko", "madhara");
  a word with Arabic's digits for its sounds ("3ayez") counts for Arabic only.

Guessing wrong is worse than saying nothing (an English speaker told "Lo siento" thinks the bot
is broken), so a Latin-script language needs two words or letters of evidence and more of them
than the message has common English words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from bot.errors import KnowledgeError
from bot.normalize import words

# The languages the bot can name, each with one line in knowledge.yaml `languages`.
LANGUAGES = (
    "es", "pt", "fr", "de", "it", "nl", "pl", "tr", "vi", "ro", "id", "tl", "cs", "hu", "sw",
    "ru", "uk", "el", "ar", "fa", "hi", "zh", "ja", "ko",
)
# The languages told by their script: a message in one may still name NAC in Latin letters.
BY_SCRIPT = frozenset({"ru", "uk", "el", "ar", "fa", "hi", "zh", "ja", "ko"})
MODEL_PATH = Path(__file__).parent / "models" / "languages.json"
# A letter only this language writes counts as much as two of its common words.
MARK_WEIGHT = 2
MIN_EVIDENCE = 2
# Letters of a non-Latin script must be at least this share of a message's letters.
SCRIPT_SHARE = 0.5

_MARKS = {
    "es": re.compile("[ñ¿¡]", re.IGNORECASE),
    "pt": re.compile("[ãõ]", re.IGNORECASE),
    "de": re.compile("ß"),
    "tr": re.compile("[ığşİĞŞ]"),  # not IGNORECASE: dotless ı would match every i
    "pl": re.compile("[łąęśźżń]", re.IGNORECASE),
    # Vietnamese: o and u with horns, d with stroke, and the stacked tone marks of the Latin
    # Extended Additional block (U+1EA0-U+1EF9), which no other language here uses.
    "vi": re.compile("[ơưđ\u1ea0-\u1ef9]", re.IGNORECASE),
    # Romanian: s and t with a comma below (or the cedilla t older keyboards type), and the
    # breve a, which Vietnamese shares but always writes with its other marks.
    "ro": re.compile("[șțţă]", re.IGNORECASE),
    # Czech: the letters with a caron or ring Polish, its neighbour here, does not write.
    "cs": re.compile("[čšžřůěďťň]", re.IGNORECASE),
    "hu": re.compile("[őű]", re.IGNORECASE),
}
_SCRIPTS = (
    ("ko", re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")),
    # Chinese characters, with Japanese kana among them: Japanese writes both.
    ("zh", re.compile("[\u4e00-\u9fff\u3400-\u4dbf\u3040-\u30ff]")),
    ("hi", re.compile("[\u0900-\u097f]")),
    ("ar", re.compile("[\u0600-\u06ff\u0750-\u077f]")),
    ("el", re.compile("[\u0370-\u03ff\u1f00-\u1fff]")),
    ("ru", re.compile("[\u0400-\u04ff]")),
)
# Letters that tell a language from its script's main one.
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")  # پ چ ژ گ ک ی
_UKRAINIAN = re.compile("[іїєґІЇЄҐ]")
_KANA = re.compile("[\u3040-\u30ff]")
_LETTER = re.compile(r"[^\W\d_]")
# Arabic typed in Latin letters writes its own sounds as digits inside words ("ta3ban",
# "ch7al", "bghit nmout"): its words look like scraps of other languages' ("ta", "al",
# "ban"), so a message with one is not guessed as any other Latin-script language (black-box
# test 10: a suicidal message in Darija got a Vietnamese line). Such a word is Arabic's
# mark: with its Latin-letter words (languages.json, from its glossary) it tells Arabic.
ARABIZI = re.compile(r"[^\W\d_][235679][^\W\d_]")
# A phrase in quotes is asked about, not spoken in: "what does 'je ne sais quoi' mean?"
_QUOTE_MARK = re.compile("[\"“'‘«]")
_QUOTED = re.compile(r"(?:^|(?<=\s))[\"“'‘«][^\"”'’»\n]{1,80}[\"”'’»](?=[\s?.!,;:]|$)")


@dataclass(frozen=True, slots=True)
class WordLists:
    """Per language, its common words that are rare in English; and common English words."""

    words: Mapping[str, frozenset[str]]
    english: frozenset[str]
    # Each listed word with the languages that list it: one look-up per word of a message.
    index: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, list[str]] = {}
        for code, found in self.words.items():
            for word in found:
                index.setdefault(word, []).append(code)
        object.__setattr__(self, "index", MappingProxyType(
            {word: tuple(codes) for word, codes in index.items()}))


def load(path: Path = MODEL_PATH) -> WordLists:
    """Read the word lists written by `python -m bot tune languages`; raise KnowledgeError."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        lists = {code: frozenset(found) for code, found in data["words"].items()}
        english = frozenset(data["english"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeError(str(path), "word lists", f"unreadable: {exc}") from exc
    unknown = sorted(set(lists) - set(LANGUAGES))
    if unknown:
        raise KnowledgeError(str(path), "words", f"unknown language(s): {', '.join(unknown)}")
    return WordLists(words=MappingProxyType(lists), english=english)


def _script(text: str) -> str | None:
    """Return the language a non-Latin script stands for, if most letters are in it."""
    letters = len(_LETTER.findall(text))
    for code, script in _SCRIPTS:
        found = len(script.findall(text))
        if found and found >= SCRIPT_SHARE * letters:
            if code == "ar" and _PERSIAN.search(text):
                return "fa"
            if code == "ru" and _UKRAINIAN.search(text):
                return "uk"
            if code == "zh" and _KANA.search(text):
                return "ja"
            return code
    return None


def detect(text: str, lists: WordLists) -> str | None:
    """Return the code of the language text is clearly written in, or None (English or unsure)."""
    if _QUOTE_MARK.search(text):
        unquoted = _QUOTED.sub(" ", text)
        text = unquoted if words(unquoted) else text  # a message all in quotes is still spoken
    if not text.isascii():
        found = _script(text)
        if found is not None:
            return found
    # Its digits split such a word when folded ("ma3loumat": "ma", "loumat"): taken out whole.
    typed = text.split()
    arabizi = sum(bool(ARABIZI.search(w)) for w in typed)
    text = " ".join(w for w in typed if not ARABIZI.search(w)) if arabizi else text
    # A word said twice is one piece of evidence: "la la" is not two words of Spanish.
    tokens = list(dict.fromkeys(t for t in words(text) if len(t) > 1 and t.isalpha()))
    evidence: dict[str, int] = {}
    for token in tokens:
        for code in lists.index.get(token, ()):
            evidence[code] = evidence.get(code, 0) + 1
    if arabizi:
        # One such word each: "mp3s" or "h2o" alone is not Arabic.
        evidence = {"ar": evidence.get("ar", 0) + arabizi}
    if not text.isascii():
        for code, marks in _MARKS.items():
            marked = sum(bool(marks.search(w)) for w in text.split())
            evidence[code] = evidence.get(code, 0) + MARK_WEIGHT * marked
    # Ties go to the first in LANGUAGES: the same message always gets the same line.
    best = max((code for code in LANGUAGES if code in evidence), key=evidence.__getitem__,
               default=None)
    if best is None or evidence[best] < MIN_EVIDENCE:
        return None
    own = lists.words.get(best, frozenset())
    english = sum(t in lists.english and t not in own for t in tokens)
    return best if evidence[best] > english else None
