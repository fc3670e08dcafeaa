"""Find a child's age in folded words ("my 7 yo", "ma 6 lat", "she's only 14"); pure, no I/O.

A question about a child rarely says "child": it gives an age. "Would it be alright for a boy of
nine though?" and "czy mogę dać synowi? ma 6 lat" fell back or kept the last topic, while the
same questions with "child" in place of the age were answered with the children topic at 0.92
to 0.95. So the matcher reads an age under 18 as the word "child", and the weights it learned
for that word do the rest; nothing here decides a topic.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

CHILD = "child"
BABY = "baby"  # an age in months or weeks: "feeding my 4 month old" is about a baby
ADULT_AGE = 18

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17,
}

# Words that only ever give an age after a number ("6 tuổi", "6岁", "5살", Turkish "5 yasinda").
# Folded words are decomposed (NFD), so the Korean units are written as their letters.
AGE_UNITS = frozenset({"yo", "tuoi", "岁", "歳", unicodedata.normalize("NFD", "살"),
                       unicodedata.normalize("NFD", "세"), "yasinda", "yas\u0131nda"})
# "years" in English is an age only with "old" after it ("3 years old", "8 y/o").
YEAR_WORDS = frozenset({"year", "years", "yr", "yrs", "y"})
YOUNG_WORDS = frozenset({"month", "months", "mo", "mos", "week", "weeks", "wk", "wks"})
OLD = frozenset({"old", "o"})
# "years" in other languages, an age or a length of time: "ma 6 lat" (is 6) but "od 3 lat"
# (for 3 years) and "llevamos 2 años" (we have been at it 2 years). They give an age only
# after "has" or "is" ("il a 6 ans", "tiene 5 años"), after "to the child" in Russian, or
# before "old" ("5 Jahre alt") or the Hindi "of" ("5 saal ka").
OTHER_YEARS = frozenset({
    "lat", "lata", "let", "лет", "года", "год", "godina", "ans", "an", "anos", "anni", "jahre",
    "jahren", "jaar", "ar", "saal", "sal", "varsh", "miaka", "tahun", "thn", "taon", "سنوات",
    "سنين", "سنة", "ετων", "χρονων",
})
HAS = frozenset({
    "ma", "ana", "tiene", "tem", "a", "ha", "hat", "ist", "heeft", "har", "ima", "има", "e",
    "est", "es", "jest", "sa", "ni",
    "ребенку", "сыну", "дочке", "дочери", "внуку", "внучке", "ему", "ей",
    "rebenku", "synu", "dochke", "docheri", "vnuku", "vnuchke", "emu", "ey", "ej",
})
OTHER_OLD = frozenset({"alt", "oud", "gammal", "gamle"})
HINDI_OF = frozenset({"ka", "ki", "ke"})
# Words before a number that say it is an age: "aged 9", "umur 3 thn", "ana miaka 5".
AGE_BEFORE = frozenset({"aged", "age", "umur", "usia", "miaka", "عمره", "عمرها", "عمر"})
# "she's 14", "my son is 14", "they are 4 and 7", "a boy of nine", "turned 15".
WHO_IS = frozenset({"im", "hes", "shes", "theyre", "turned", "turning", "turns"})
PERSONS = frozenset({
    "i", "he", "she", "they", "son", "daughter", "kid", "child", "boy", "girl", "baby",
    "grandson", "granddaughter", "nephew", "niece", "brother", "sister", "teen", "teenager",
})
BE = frozenset({"is", "am", "are", "s"})
MERELY = frozenset({"only", "just"})
LIKE = frozenset({"like", "if"})
OF = frozenset({"of"})
# After "she's 3" a measure makes the number an amount: "she's 3 pills down", "i'm 2 caps in".
MEASURES = frozenset({
    "mg", "g", "gram", "grams", "mcg", "ug", "ml", "kg", "kgs", "lb", "lbs", "pound", "pounds",
    "capsule", "capsules", "cap", "caps", "pill", "pills", "tablet", "tablets", "tab", "tabs",
    "dose", "doses", "scoop", "scoops", "time", "times", "x", "day", "days", "hour", "hours",
    "hr", "hrs", "minute", "minutes", "min", "mins", "week", "weeks", "month", "months", "am",
    "pm", "percent", "pack", "packs", "bottle", "bottles", "sachet", "sachets", "glass",
    "glasses", "drink", "drinks", "beers", "cm", "ft", "feet", "inch", "inches", "st", "stone",
    "oclock", "hundred", "thousand",
})


def _number(word: str) -> int | None:
    if word.isdecimal() and len(word) <= 3:
        return int(word)
    return NUMBER_WORDS.get(word)


def _said_before(words: Sequence[str], i: int) -> bool:
    """Tell whether the words before position i say that the number there is an age."""
    before = words[i - 1] if i >= 1 else ""
    two = words[i - 2] if i >= 2 else ""
    if before in WHO_IS and two in LIKE:
        return False  # "explain it like I'm 5"
    if before in AGE_BEFORE or before in WHO_IS or (before in OF and two in PERSONS):
        return True
    if before in MERELY:
        # "she's only 14", "he is just 9": not "i only took 3".
        return two in WHO_IS or (two in BE and i >= 3 and words[i - 3] in PERSONS)
    return before in BE and two in PERSONS


def _span(words: Sequence[str], i: int) -> int:
    """Return how many words from i on give a child's age (negative for a baby's), or 0."""
    n = _number(words[i])
    if n is None:
        return 0
    after = words[i + 1] if i + 1 < len(words) else ""
    then = words[i + 2] if i + 2 < len(words) else ""
    if after.startswith(("岁", "歳")) or after in AGE_UNITS:
        return 2 if n < ADULT_AGE else 0
    if after in YEAR_WORDS and then in OLD:
        return 3 if n < ADULT_AGE else 0
    if after in YOUNG_WORDS and then in OLD:
        return -3
    if after in OTHER_YEARS and n < ADULT_AGE:
        before = words[i - 1] if i >= 1 else ""
        if then in OTHER_OLD:
            return 3
        if before in HAS or before in AGE_BEFORE or then in HINDI_OF:
            return 2
    if n < ADULT_AGE and after not in MEASURES and _said_before(words, i):
        return 1
    return 0


def minor_ages(words: Sequence[str]) -> list[str]:
    """Return the words with each age under 18 replaced by "child" ("baby" in months)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        size = _span(words, i)
        if not size and i >= 2 and words[i - 1] == "and" and out[-2:] == [CHILD, "and"]:
            # "they are 4 and 7": the second number is an age like the first.
            n = _number(words[i])
            after = words[i + 1] if i + 1 < len(words) else ""
            size = int(n is not None and n < ADULT_AGE and after not in MEASURES)
        if size:
            out.append(CHILD if size > 0 else BABY)
            i += abs(size)
        else:
            out.append(words[i])
            i += 1
    return out
