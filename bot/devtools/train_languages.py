"""Write bot/models/languages.json, the word lists bot/language.py tells languages by; reads files.

From pyspellchecker's word frequencies (a dependency already, for English spelling): for each
Latin-script language it has, its TOP most frequent words, folded as messages are, that are at
least RARITY times rarer in English, which a message in that language is full of and an English
one is not ("que", "und", "het"; not "me", "in" or "was"); and the COMMON_ENGLISH most frequent
English words, which count against a guess. The Latin-script languages pyspellchecker lacks
(Polish, Turkish, Vietnamese, Romanian, Indonesian and Malay, Tagalog) come the same way from
wordfreq's lists, a developer tool only: without their words, "tolong anak saya menelan obat"
got no line, and Romanian or Vietnamese typed without accents none either. Deterministic: the
same library versions always give the same file.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from typing import Any, TextIO

from spellchecker import SpellChecker

from bot.devtools.modelfile import write
from bot.language import MODEL_PATH
from bot.normalize import words

LISTED = ("es", "pt", "fr", "de", "it", "nl")
# Language code -> the wordfreq lists its words come from (Malay is close enough to
# Indonesian that one line serves both; wordfreq calls Tagalog "fil").
WORDFREQ = {"pl": ("pl",), "tr": ("tr",), "vi": ("vi",), "ro": ("ro",), "id": ("id", "ms"),
            "tl": ("fil",)}
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
    return {
        "about": "Written by `python -m bot tune languages`; do not edit by hand.",
        "source": f"pyspellchecker {version('pyspellchecker')} word frequencies",
        "source_more": f"wordfreq {version('wordfreq')} top {TOP} words",
        "top": TOP, "rarity": RARITY,
        "english": sorted(w for w in _top(english, COMMON_ENGLISH) if w.isalpha()),
        "words": lists,
    }


def run(out: TextIO = sys.stdout) -> None:
    """Write the file and say how many words each list holds."""
    payload = build()
    write(MODEL_PATH, payload)
    sizes = ", ".join(f"{code} {len(found)}" for code, found in payload["words"].items())
    out.write(f"languages: {sizes}; English {len(payload['english'])} -> {MODEL_PATH.name}\n")
