"""Turn raw user text into comparable word tokens; pure, no I/O.

Folding handles what phones and people do to text: case, accents, curly apostrophes,
punctuation, emoji, stretched letters ("pleeease"), control characters and very long input --
and what evasion does: format characters inside words ("over\u00addose"), digits of other
forms (\u277a, \u24f9, \u1369, fullwidth) and Cyrillic or Greek letters that look Latin
("\u043everd\u043ese"). Only `fold` (matching and safety) reads look-alike letters as Latin,
and only in words that are not genuinely Cyrillic or Greek; `clean` keeps the text as written.
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
# Cyrillic and Greek letters that render like a Latin letter in common fonts (after the
# Unicode confusables data, written down by hand: the letters a Latin word can be faked with).
_LOOK_ALIKES = str.maketrans({
    # Cyrillic
    "\u0430": "a", "\u0435": "e", "\u0451": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c",
    "\u0443": "y", "\u0445": "x", "\u0456": "i", "\u0457": "i", "\u0458": "j", "\u0455": "s",
    "\u04bb": "h", "\u0501": "d", "\u051b": "q", "\u051d": "w", "\u04cf": "l", "\u043a": "k",
    "\u0410": "A", "\u0412": "B", "\u0415": "E", "\u041a": "K", "\u041c": "M", "\u041d": "H",
    "\u041e": "O", "\u0420": "P", "\u0421": "C", "\u0422": "T", "\u0425": "X", "\u0423": "Y",
    "\u0406": "I", "\u0408": "J", "\u0405": "S",
    # Greek
    "\u03b1": "a", "\u03bf": "o", "\u03b9": "i", "\u03ba": "k", "\u03bd": "v", "\u03c1": "p",
    "\u03c5": "u", "\u03c7": "x", "\u03c4": "t",
    "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z", "\u0397": "H", "\u0399": "I",
    "\u039a": "K", "\u039c": "M", "\u039d": "N", "\u039f": "O", "\u03a1": "P", "\u03a4": "T",
    "\u03a5": "Y", "\u03a7": "X",
})
_NON_ASCII_WORD = re.compile(r"\w*[^\x00-\x7f]\w*")


class _Digits(dict[int, int | str]):
    """A str.translate table, filled on demand: any digit of another form to its ASCII digit."""

    def __missing__(self, code: int) -> int | str:
        value = unicodedata.digit(chr(code), None)
        found: int | str = str(value) if value is not None and code > 0x7F else code
        self[code] = found
        return found


_DIGITS = _Digits()


def clean(text: str) -> str:
    """Return text with control characters removed and white space collapsed."""
    if not text.isascii():  # ASCII is already NFKC and has no format characters
        text = unicodedata.normalize("NFKC", text)
        # Format characters (soft hyphens, zero-width joiners) hide inside words:
        # "over\u00addose" must still read as "overdose".
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def _latin_look_alike(match: re.Match[str]) -> str:
    """Return a word with look-alike letters read as Latin, unless it is Cyrillic or Greek."""
    word = match.group(0)
    latin = word.translate(_LOOK_ALIKES)
    if latin == word:
        return word
    # A word mixing scripts ("\u043everdose"), or made of look-alikes only, is a Latin word in
    # disguise; "\u043f\u0440\u0438\u0432\u0435\u0442" has letters with no Latin twin and
    # stays as it is.
    if latin.isascii() or any("a" <= c.lower() <= "z" for c in word):
        return latin
    return word


def fold(text: str) -> str:
    """Return lower-case, accent-free text with emoji and punctuation turned into spaces."""
    text = clean(text[: MAX_MATCH_CHARS * 2])[:MAX_MATCH_CHARS].translate(_APOSTROPHES)
    plain = text.isascii()  # most messages: no other digits, look-alikes or accents to undo
    if not plain:
        text = _NON_ASCII_WORD.sub(_latin_look_alike, text.translate(_DIGITS))
    text = _APOSTROPHE_IN_WORD.sub("", text.casefold())
    if not plain:
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = _STRETCHED.sub(r"\1\1", text)
    return " ".join(_WORD.findall(text))


def words(text: str) -> list[str]:
    """Return the folded word tokens of text."""
    return fold(text).split()
