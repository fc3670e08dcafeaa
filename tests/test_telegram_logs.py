"""Keyed one-way pseudonyms for ids in logs."""

from __future__ import annotations

import re

import pytest

from bot.telegram.logs import MAX_RECORD, Pseudonyms, scrub

KEY = b"k" * 32


def test_same_id_same_pseudonym() -> None:
    assert Pseudonyms(KEY).of(123456789) == Pseudonyms(KEY).of(123456789)


def test_other_key_other_pseudonym() -> None:
    assert Pseudonyms(KEY).of(123456789) != Pseudonyms(b"j" * 32).of(123456789)


def test_pseudonym_is_short_hex_without_the_id() -> None:
    name = Pseudonyms(KEY).of(123456789)
    assert (bool(re.fullmatch(r"[0-9a-f]{12}", name)), "123456789" in name) == (True, False)


def test_no_id_is_a_dash() -> None:
    assert Pseudonyms(KEY).of(None) == "-"


def test_repr_hides_the_key() -> None:
    assert "k" * 16 not in repr(Pseudonyms(KEY))


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        Pseudonyms(b"short")


# ---------------------------------------------------------------- payloads in library records

SCRUB_CASES = {
    "api-parameters": ("with parameters `{'chat_id': 987654321, 'text': 'it\\'s Zyx'}`",
                       "with parameters `{'chat_id': <hidden>, 'text': <hidden>}`"),
    "truncated-json": ('invalid JSON data: "{"ok":true,"result":{"chat":{"id":987654321,'
                       '"first_name":"Zyxw',
                       'invalid JSON data: "{"ok":true,"result":{"chat":{"id":<hidden>,'
                       '"first_name":<hidden>'),
    "object-repr": ("Chat(first_name='Zyx', id=987654321, type=<ChatType.PRIVATE>)",
                    "Chat(first_name=<hidden>, id=<hidden>, type=<ChatType.PRIVATE>)"),
    "double-quoted-repr": ("Message(text=\"what's up\", chat_id=-100777)",
                           "Message(text=<hidden>, chat_id=<hidden>)"),
    "phone-and-list": ("{'phone_number': '+1 555 0100', 'active_usernames': ['a', 'b']}",
                       "{'phone_number': <hidden>, 'active_usernames': <hidden>}"),
    "bare-long-number": ("chat 987654321 not found", "chat <hidden> not found"),
    "no-user-data": ("Getting updates: [1, 2]", "Getting updates: [1, 2]"),
    "other-keys-kept": ("{'parse_mode': 'HTML', 'update_id': 12}",
                        "{'parse_mode': 'HTML', 'update_id': 12}"),
}


@pytest.mark.parametrize(("raw", "expected"), SCRUB_CASES.values(), ids=SCRUB_CASES.keys())
def test_scrub(raw: str, expected: str) -> None:
    assert scrub(raw) == expected


def test_scrub_cuts_a_long_record() -> None:
    assert len(scrub("x" * 50_000)) < MAX_RECORD + 50
