"""Follow-ups asking the same for the other sex ("and for my wife?" after male infertility); pure.

Two answers are each other's counterpart: the same question for men and for women. After one,
a follow-up that names someone of the other sex and no one of the answer's own asks the
other. Read on the message's English words where it has them (bot/glossary.py), so "A żonie
też może pomóc?" (Polish: can it help the wife too?) reads "wife" as "and for my wife?" does.
"""

from __future__ import annotations

from collections.abc import Iterable

# Each answer's audience; two answers of one pair are each other's counterpart.
AUDIENCE = {"male-infertility": ("infertility", "men"),
            "female-infertility": ("infertility", "women")}
# Who is named: the closed class of English words for a person of either sex. The "for me"
# of a message says no sex and pivots nothing ("and for me?" may be either).
PEOPLE = {
    "women": frozenset({
        "wife", "wifey", "woman", "women", "female", "females", "her", "she", "hers",
        "herself", "girlfriend", "gf", "lady", "ladies", "girl", "girls", "fiancee",
    }),
    "men": frozenset({
        "husband", "hubby", "man", "men", "male", "males", "him", "he", "his", "himself",
        "boyfriend", "bf", "guy", "guys", "fiance", "gentleman", "gentlemen",
    }),
}
# A couple asked about together ("could my wife and I both take it?") is not the other answer.
COUPLE = frozenset({"both", "we", "us", "couple", "couples"})


def counterpart(topic: str | None, words: Iterable[str]) -> str | None:
    """Return the counterpart answer a follow-up to this answer asks for, or None."""
    if topic not in AUDIENCE:
        return None
    group, own = AUDIENCE[topic]
    words = set(words)
    if not COUPLE.isdisjoint(words):
        return None
    named = {audience for audience, people in PEOPLE.items() if not people.isdisjoint(words)}
    if named != {a for g, a in AUDIENCE.values() if g == group} - {own}:
        return None
    return next(t for t, (g, a) in AUDIENCE.items() if g == group and a != own)
