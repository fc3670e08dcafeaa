"""Folding raw text into comparable words."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.normalize import MAX_MATCH_CHARS, clean, fold, words

CASES = [
    ("Is NAC safe??", "is nac safe"),
    ("Can\u2019t breeeathe!!!", "cant breeathe"),
    ("Qu'est-ce que la cyst\u00e9ine", "quest ce que la cysteine"),
    ("N-acetyl-L-cysteine 600mg", "n acetyl l cysteine 600 mg"),
    ("\U0001f48a\U0001f48a nac \U0001f914", "nac"),
    ("<b>hi</b> & bye", "b hi b bye"),
    ("\x00\x07 \u200b", ""),
    ("\u043f\u0440\u0438\u0432\u0435\u0442", "\u043f\u0440\u0438\u0432\u0435\u0442"),
    ("sooooo   many\tspaces\n", "soo many spaces"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[
    "case-and-punctuation", "curly-apostrophe-and-stretch", "accents", "hyphens-and-units",
    "emoji", "html", "control-characters", "other-script", "white-space",
])
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


def test_fold_cuts_very_long_input() -> None:
    assert len(fold("a" * 50_000)) <= MAX_MATCH_CHARS


def test_clean_keeps_case_and_punctuation() -> None:
    assert clean("  Is NAC\u0000 safe?  ") == "Is NAC safe?"


@pytest.mark.parametrize("text", ["over\u00addose", "over\u200bdose", "over\u2060dose"],
                         ids=["soft-hyphen", "zero-width-space", "word-joiner"])
def test_format_characters_inside_a_word_are_dropped(text: str) -> None:
    assert words(text) == ["overdose"]


def test_a_circled_digit_never_breaks_the_safety_check(engine: Engine) -> None:
    assert engine.respond("my son swallowed \u277a of my tylenol pills").reply.kind == "emergency"
