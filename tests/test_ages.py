"""A child's age reads as "child" for matching; amounts and lengths of time do not."""

from __future__ import annotations

import pytest

from bot.ages import minor_ages
from bot.normalize import words

AGES = [
    ("my 7 yo caught it off me", "my child caught it off me"),
    ("a 10-year-old with a cough", "a child with a cough"),
    ("is it ok for an 8 y/o", "is it ok for an child"),
    ("nac for my two year old", "nac for my child"),
    ("she is 3 months old", "she is baby"),
    ("feeding my 4 month old", "feeding my baby"),
    ("can i take it im 15", "can i take it im child"),
    ("my son is 14 and has OCD", "my son is child and has ocd"),
    ("she's only 14, is that too young", "shes only child is that too young"),
    ("they are 4 and 7 and always have colds", "they are child and child and always have colds"),
    ("would it be alright for a boy of nine", "would it be alright for a boy of child"),
    ("czy mogę dać synowi? ma 6 lat", "czy moge dac synowi ma child"),
    ("mera beta 5 saal ka hai", "mera beta child ka hai"),
    ("mwanangu ana miaka 5", "mwanangu ana miaka child"),
    ("anak saya umur 3 thn", "anak saya umur child"),
    ("Cháu mới 6 tuổi", "chau moi child"),
    ("孩子6岁", "孩子 child"),
    ("ребёнку 5 лет можно?", "ребенку child можно"),
    ("mi hijo tiene 5 años", "mi hijo tiene child"),
    ("a detyam mozhno? synu 6 let", "a detyam mozhno synu child"),
    ("er ist 5 Jahre alt", "er ist child"),
]

NOT_AGES = [
    ("i have taken it for 3 years", "i have taken it for 3 years"),
    ("od 3 lat biorę NAC", "od 3 lat biore nac"),
    ("3 lata temu", "3 lata temu"),
    ("depuis 2 ans", "depuis 2 ans"),
    ("llevamos 2 años buscando bebé", "llevamos 2 anos buscando bebe"),
    ("i only took 3", "i only took 3"),
    ("is 2 ok", "is 2 ok"),
    ("im 6 weeks pregnant", "im 6 weeks pregnant"),
    ("i am 45", "i am 45"),
    ("she is 2 capsules in", "she is 2 capsules in"),
    ("my dad is 70 years old", "my dad is 70 years old"),
    ("600 mg twice a day", "600 mg twice a day"),
    ("explain it like im 5", "explain it like im 5"),
]


@pytest.mark.parametrize(("text", "read"), AGES, ids=[
    "yo", "hyphenated", "y-slash-o", "spelled-out", "months-old", "month-old", "im-15",
    "son-is-14", "shes-only-14", "two-ages", "boy-of-nine", "polish-lat", "hindi-saal",
    "swahili-miaka", "indonesian-umur", "vietnamese-tuoi", "chinese-sui", "russian-let",
    "russian-latin-let", "spanish-tiene", "german-jahre-alt"])
def test_a_childs_age_reads_as_child(text: str, read: str) -> None:
    assert " ".join(minor_ages(words(text))) == read


@pytest.mark.parametrize(("text", "read"), NOT_AGES, ids=[
    "for-3-years", "polish-for-3-years", "polish-3-years-ago", "french-for-2-years",
    "spanish-we-have-been-2-years",
    "amount-after-only", "amount-after-is", "weeks-pregnant", "adult", "capsules-in",
    "old-adult", "dose", "like-im-5"])
def test_amounts_and_lengths_of_time_stay(text: str, read: str) -> None:
    assert " ".join(minor_ages(words(text))) == read
