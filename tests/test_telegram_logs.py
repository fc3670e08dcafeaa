"""Keyed one-way pseudonyms for ids in logs."""

from __future__ import annotations

import re

import pytest

from bot.telegram.logs import Pseudonyms

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
