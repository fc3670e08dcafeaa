"""Turn raw user text into comparable word tokens; pure, no I/O.

Folding handles what phones and people do to text: case, accents, curly apostrophes,
punctuation, emoji, stretched letters ("pleeease"), control characters and very long input.
"""

from __future__ import annotations

import re
import unicodedata

# Matching never needs more than this; longer input is cut so one message cannot stall the bot.
MAX_MATCH_CHARS = 1000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# "can't" -> "cant", "i'm" -> "im": people type both, so both must meet in one token.
_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)'(?=\w)")
# Letters stretched for emphasis ("sooo", "heeelp"): English never needs three in a row.
_STRETCHED = re.compile(r"(\w)\1{2,}")
_WORD = re.compile(r"[^\W\d_]+|\d+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Return text with control characters removed and white space collapsed."""
    text = unicodedata.normalize("NFKC", text)
    # Format characters (soft hyphens, zero-width joiners) hide inside words: "over\u00addose"
    # must still read as "overdose".
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def fold(text: str) -> str:
    """Return lower-case, accent-free text with emoji and punctuation turned into spaces."""
    text = clean(text[: MAX_MATCH_CHARS * 2])[:MAX_MATCH_CHARS].translate(_APOSTROPHES)
    text = _APOSTROPHE_IN_WORD.sub("", text.casefold())
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _STRETCHED.sub(r"\1\1", text)
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    """Return the folded word tokens of text."""
    return fold(text).split()
