"""Remove what could identify a person from a question before it is stored; pure.

E-mail addresses and @handles become placeholders, and so does every run of digit groups that
is a phone number or holds a long number (card, account, id and phone numbers written any
way), and every name the shell passes in (the sender's first, last and user name). Doses and
short counts ("600 mg", "3 times a day") stay: the curator needs them. `\\d` matches every
script's decimal digits, so full-width and Arabic-Indic numbers are caught too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

EMAIL = "[email]"
HANDLE = "[@user]"
NUMBER = "[number]"
NAME = "[name]"
# Local part, @, a domain with at least one dot; Unicode letters count (IDN addresses).
_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z]\w{3,31}\b")
# Digits in groups joined by one separator each, optionally led by + or (: "+44 20 7946 0958",
# "(555) 010-0199", "555.010.0199". Whether a run is replaced is decided by its digits.
_DIGIT_GROUPS = re.compile(
    r"(?:\+|\(\s*)?\d+(?:(?:\s?[-.\u2010-\u2015/]\s?|[ )\u00a0]\s?)\(?\d+)*")
# Set by hand: seven digits make the shortest local phone number; one to four-digit numbers
# are doses, years and counts. Five and six alone are rare in questions about a supplement
# and frequent as postcodes and ids, so they go too.
PHONE_DIGITS = 7
LONG_DIGITS = 5


def redact(text: str, names: Iterable[str] = ()) -> str:
    """Return text with e-mail addresses, handles, phone and long numbers, names replaced."""
    text = _EMAIL.sub(EMAIL, text)
    text = _HANDLE.sub(HANDLE, text)
    text = _DIGIT_GROUPS.sub(_numbers, text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len,
                       reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name.lstrip('@'))}(?!\w)", NAME, text,
                      flags=re.IGNORECASE)
    return text


def _numbers(found: re.Match[str]) -> str:
    """Replace a run of digit groups that is a phone number or holds a long number."""
    groups = re.findall(r"\d+", found.group(0))
    if sum(map(len, groups)) >= PHONE_DIGITS or any(len(g) >= LONG_DIGITS for g in groups):
        return NUMBER
    return found.group(0)
