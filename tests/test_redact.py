"""Redaction before storing: what identifies a person goes, what a curator needs stays."""

from __future__ import annotations

import pytest

from bot.redact import redact

CASES = [
    ("mail me at ada.lovelace@example.co.uk please", "mail me at [email] please"),
    ("Contact: J.Smith+nac@mail-server.org.", "Contact: [email]."),
    ("call me on +44 20 7946 0958 about nac", "call me on [number] about nac"),
    ("my number is (555) 010-0199", "my number is [number]"),
    ("text 555.010.0199 if nac works", "text [number] if nac works"),
    ("whatsapp 07700900123", "whatsapp [number]"),
    ("card 4111 1111 1111 1111 was charged for nac", "card [number] was charged for nac"),
    ("order 12345678 never arrived", "order [number] never arrived"),
    ("zip 90210, where to buy nac", "zip [number], where to buy nac"),
    ("full-width \uff10\uff19\uff10-\uff11\uff12\uff13\uff14-\uff15\uff16\uff17\uff18",
     "full-width [number]"),
    ("arabic digits \u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
     "arabic digits [number]"),
    ("ask @ada_l about nac", "ask [@user] about nac"),
    ("I take 600 mg 3 times a day", "I take 600 mg 3 times a day"),
    ("in 2019 I took 1200mg for 8 weeks", "in 2019 I took 1200mg for 8 weeks"),
    ("12.5 mg or 1/2 tablet?", "12.5 mg or 1/2 tablet?"),
    ("is nac safe", "is nac safe"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[
    "email", "email-plus", "phone-intl", "phone-us", "phone-dots", "phone-uk-mobile", "card",
    "order-number", "postcode", "fullwidth-phone", "arabic-indic", "handle", "dose-kept",
    "year-and-dose-kept", "fractions-kept", "plain"])
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


NAMED = [
    ("Ada here, does nac help with hangovers?", "[name] here, does nac help with hangovers?"),
    ("my name is Ada Lovelace and I take nac", "my name is [name] [name] and I take nac"),
    ("ADA_L asking: nac and coffee?", "[name] asking: nac and coffee?"),
    ("adamant about nac", "adamant about nac"),
]


@pytest.mark.parametrize(("text", "expected"), NAMED, ids=[
    "first-name", "full-name", "username-any-case", "name-inside-a-word-stays"])
def test_names_of_the_sender_are_removed(text: str, expected: str) -> None:
    assert redact(text, ("Ada", "Lovelace", "ada_l")) == expected
