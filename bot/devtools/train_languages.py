"""Write bot/models/languages.json, the word lists bot/language.py tells languages by; reads files.

From pyspellchecker's word frequencies (a dependency already, for English spelling): for each
Latin-script language it has, its TOP most frequent words, folded as messages are, that are at
least RARITY times rarer in English, which a message in that language is full of and an English
one is not ("que", "und", "het"; not "me", "in" or "was"); and the COMMON_ENGLISH most frequent
English words, which count against a guess. The Latin-script languages pyspellchecker lacks
(Polish, Turkish, Vietnamese, Romanian, Indonesian and Malay, Tagalog) come the same way from
wordfreq's lists, a developer tool only: without their words, "tolong anak saya menelan obat"
got no line, and Romanian or Vietnamese typed without accents none either. The languages people
type in Latin letters that neither library lists (Hindi and Urdu as Hinglish and Roman Urdu,
Arabic as Arabizi, Russian as translit, Swahili) get the Latin-letter words of their glossaries
(intents/glossary) that are rare in English: "roz kitna lena hai?" got no line and no glossary
reading. Deterministic: the same library versions and glossaries always give the same file.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from typing import Any, TextIO

from spellchecker import SpellChecker

from bot import glossary
from bot.devtools.modelfile import write
from bot.language import MODEL_PATH
from bot.normalize import words
from bot.settings import ROOT

LISTED = ("es", "pt", "fr", "de", "it", "nl")
# Language code -> the wordfreq lists its words come from (Malay is close enough to
# Indonesian that one line serves both; wordfreq calls Tagalog "fil").
WORDFREQ = {"pl": ("pl",), "tr": ("tr",), "vi": ("vi",), "ro": ("ro",), "id": ("id", "ms"),
            "tl": ("fil",), "cs": ("cs",), "hu": ("hu",)}
GLOSSARY = ROOT / "intents" / glossary.GLOSSARY_DIR
# A glossary word counts as a language's evidence when English text has it less often than
# this share of its words in both libraries' counts: "kitna", "hai" and "skolko" are rare in
# English; "men", "la" and "na" are not, nor the loan words the glossaries list ("tablets").
GLOSS_RARE = 1e-5  # wordfreq
GLOSS_RARE_SPELLING = 1e-7  # pyspellchecker, whose dictionary has more English words
# Nor a word shorter than this: two letters ("ke", "gn") are any language's, or chat's.
GLOSS_LETTERS = 3
TOP = 1000
RARITY = 20.0
COMMON_ENGLISH = 5000


def frequencies(code: str) -> dict[str, float]:
    """Return each folded word's share of a language's running text."""
    counts = SpellChecker(language=code, distance=1).word_frequency
    total = counts.total_words
    out: dict[str, float] = {}
    for word, n in counts.dictionary.items():
        for token in words(word):
            out[token] = out.get(token, 0.0) + n / total
    return out


def wordfreq_shares(code: str) -> dict[str, float]:
    """Return each folded word's share of a language's text, from wordfreq's TOP words."""
    from wordfreq import top_n_list, word_frequency  # a developer tool: not needed to run

    out: dict[str, float] = {}
    for word in top_n_list(code, TOP):
        for token in words(word):
            out[token] = out.get(token, 0.0) + word_frequency(word, code)
    return out


def _top(shares: dict[str, float], n: int) -> list[str]:
    """Return the n most frequent words, ties in alphabetical order."""
    return sorted(shares, key=lambda w: (-shares[w], w))[:n]


def build() -> dict[str, Any]:
    """Return the contents of languages.json."""
    english = frequencies("en")
    lists = {}
    for code in LISTED:
        shares = frequencies(code)
        lists[code] = sorted(
            w for w in _top(shares, TOP)
            if len(w) > 1 and w.isalpha() and shares[w] > RARITY * english.get(w, 0.0)
        )
    # wordfreq's English, not pyspellchecker's, to compare its other languages with: the
    # same sources, counted the same way.
    from wordfreq import word_frequency

    for code, sources in WORDFREQ.items():
        found: set[str] = set()
        for source in sources:
            shares = wordfreq_shares(source)
            found.update(w for w in shares if len(w) > 1 and w.isalpha()
                         and shares[w] > RARITY * word_frequency(w, "en"))
        lists[code] = sorted(found)
    glossed = {code: _latin_words(gloss)
               for code, gloss in glossary.load(GLOSSARY).languages.items() if code not in lists}
    # A word two of these glossaries list is chat everyone types ("thx", "gn"): no language's.
    shared = {w for code, found in glossed.items() for w in found
              if any(w in other for c, other in glossed.items() if c != code)}
    for code, found in glossed.items():
        lists[code] = sorted(w for w in found - shared
                             if len(w) >= GLOSS_LETTERS and word_frequency(w, "en") < GLOSS_RARE
                             and english.get(w, 0.0) < GLOSS_RARE_SPELLING)
    return {
        "about": "Written by `python -m bot tune languages`; do not edit by hand.",
        "source": f"pyspellchecker {version('pyspellchecker')} word frequencies",
        "source_more": f"wordfreq {version('wordfreq')} top {TOP} words",
        "source_glossaries": ("intents/glossary: the Latin-letter words, rare in English, of "
                              "the languages with no frequency list"),
        "top": TOP, "rarity": RARITY,
        "english": sorted(w for w in _top(english, COMMON_ENGLISH) if w.isalpha()),
        "words": lists,
    }


def _latin_words(gloss: glossary.Gloss) -> set[str]:
    """Return the whole words in Latin letters of a glossary's forms (not its stems)."""
    entries = [e for found in gloss.exact.values() for e in found]
    entries += [e for _, found in gloss.stems for e in found]
    out: set[str] = set()
    for entry in entries:
        whole = entry.words[:-1] if entry.stem else entry.words
        out.update(w for w in whole if len(w) > 1 and w.isascii() and w.isalpha())
    return out


def run(out: TextIO = sys.stdout) -> None:
    """Write the file and say how many words each list holds."""
    payload = build()
    write(MODEL_PATH, payload)
    sizes = ", ".join(f"{code} {len(found)}" for code, found in payload["words"].items())
    out.write(f"languages: {sizes}; English {len(payload['english'])} -> {MODEL_PATH.name}\n")
