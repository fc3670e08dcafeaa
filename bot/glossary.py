"""Other languages' words for the words the English phrasings use; load() reads files.

The answers and nearly all the phrasings are English, so "NAC gripten korur mu?" (does NAC
protect from flu, in Turkish) shared no word with the flu topic and fell back. One file per
language, intents/glossary/<code>.yaml, lists that language's words for the domain's English
words:

    language: tr
    words:
      flu: [grip*, influenza]        # "grip*": the stem with any ending (gripten, gribe ...)
      side effects: [yan etki*]

A message the bot did not answer, in a language with a glossary, is read again as the English
words its words stand for ("NAC flu"); the engine keeps that reading only when it answers. The
lists are a dictionary of the domain, written from the topics by writers who never saw a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.errors import KnowledgeError
from bot.language import ARABIZI, LANGUAGES
from bot.normalize import words
from bot.yamlfile import Fields, read_yaml

GLOSSARY_DIR = "glossary"  # under intents/
# A stem shorter than this ("ba*") would take in half a language's words.
MIN_STEM = 4
MAX_PHRASE = 4
# The articles a language writes onto the word after them, longest first: Arabic "الآثار" (the
# effects), "والكبد" (and the liver). Taken off on both sides, in the lists and in messages.
ARTICLES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "ar": ("وال", "بال", "فال", "كال", "لل", "ال"),
})
MIN_BARE = 3  # letters left once an article is taken off ("الم", pain, keeps its own)
# A word of Latin letters with another script's letters written on ("nac가", NAC and a Korean
# particle): the name is read on its own.
_MIXED = re.compile(r"^([a-z0-9]+)([^\x00-\u024f\u1e00-\u1eff]+)$")
# The punctuation kept between a message's parts when asked to.
MARK_CHARS = ",.!?;:"
MARKS = re.compile(f"([{re.escape(MARK_CHARS)}]+\\s*)")


@dataclass(frozen=True, slots=True)
class Entry:
    """One phrase of a language and the English words it stands for."""

    words: tuple[str, ...]  # folded; the last may be a stem
    stem: bool  # the last word is a stem: any word that starts with it matches
    english: str


@dataclass(frozen=True, slots=True)
class Gloss:
    """One language's phrases, by their first word (or the first word's stem)."""

    language: str
    exact: Mapping[str, tuple[Entry, ...]]  # first word -> entries, longest first
    stems: tuple[tuple[str, tuple[Entry, ...]], ...]  # single-word stems, longest first

    def english(self, text: str, keep: Callable[[str], bool], marks: bool = False
                ) -> str | None:
        """Return the English words of text, or None when no word of it is listed.

        marks: keep the message's punctuation between its parts ("good afternoon bro, i
        want to ask, nac is it safe pregnant?"), where the engine reads openers and questions.
        """
        if not marks:
            return self._english(_tokens(text, self.language), keep)
        pieces = MARKS.split(text)  # part, mark, part, mark, ..., part
        out: list[str] = []
        found = False
        for part, mark in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
            english = self._english(_tokens(part, self.language), keep)
            found = found or english is not None
            said = english if english is not None else " ".join(
                w for w in _tokens(part, self.language) if keep(w))
            if said:
                out.append(f"{said}{mark.strip()}")
        return " ".join(out) if found else None

    def _english(self, tokens: list[str], keep: Callable[[str], bool]) -> str | None:
        """Return the English words of a message's words, or None when no word is listed."""
        out, unread = self._walk(tokens, keep)
        return " ".join(out) if len(out) > len(unread) else None

    def unread(self, text: str, keep: Callable[[str], bool]) -> tuple[str, ...]:
        """Return the words of text that no entry covers and that are not common words."""
        return self._walk(_tokens(text, self.language), keep)[1]

    def _walk(self, tokens: list[str], keep: Callable[[str], bool]
              ) -> tuple[list[str], tuple[str, ...]]:
        """Return the English words of a message's words and those of its words left as written."""
        out: list[str] = []
        unread: list[str] = []
        i = 0
        while i < len(tokens):
            entry = self._at(tokens, i)
            if entry is None:
                # A word of no entry: dropped when it is one of the language's common words
                # ("peki", "ama"), which only dilute; kept otherwise, so that a word the bot
                # does not know ("taurina") still says the question may be about another thing.
                if keep(tokens[i]):
                    out.append(tokens[i])
                    unread.append(tokens[i])
                i += 1
                continue
            out.append(entry.english)
            i += len(entry.words)
        return out, tuple(unread)

    def _at(self, tokens: list[str], i: int) -> Entry | None:
        """Return the longest entry that starts at token i."""
        token = tokens[i]
        candidates = [*self.exact.get(token, ())]
        for stem, entries in self.stems:
            if token.startswith(stem):
                candidates.extend(entries)
        best: Entry | None = None
        for entry in candidates:
            n = len(entry.words)
            if i + n > len(tokens) or (best is not None and n <= len(best.words)):
                continue
            head, last = entry.words[:-1], entry.words[-1]
            if tuple(tokens[i:i + n - 1]) != head:
                continue
            word = tokens[i + n - 1]
            if word == last or (entry.stem and word.startswith(last)):
                best = entry
        return best


@dataclass(frozen=True, slots=True)
class Glossary:
    """Every language's gloss, by language code."""

    languages: Mapping[str, Gloss]

    def english(self, text: str, code: str | None, keep: Callable[[str], bool],
                marks: bool = False) -> str | None:
        """Return the English words of a message in this language, or None."""
        gloss = self.languages.get(code or "")
        return gloss.english(text, keep, marks) if gloss is not None else None

    def unread(self, text: str, code: str | None, keep: Callable[[str], bool]
               ) -> tuple[str, ...] | None:
        """Return the words of a message no entry covers, or None for a language with no list."""
        gloss = self.languages.get(code or "")
        return gloss.unread(text, keep) if gloss is not None else None


EMPTY = Glossary(MappingProxyType({}))


def _tokens(text: str, language: str) -> list[str]:
    """Return the words of text as the lists are read: folded, each word typed kept whole."""
    out: list[str] = []
    for typed in text.split():
        folded = words(typed)
        if len(folded) > 1 and ARABIZI.search(typed):
            # Arabic in Latin letters writes sounds as digits: "ma3loumat" (information) is
            # one word, not "ma" "3" "loumat", whose "ma3" (with) would be read.
            out.append("".join(folded))
            continue
        for word in folded:
            mixed = _MIXED.match(word)
            out.extend(mixed.groups() if mixed else (_bare(word, language),))
    return out


def _bare(word: str, language: str) -> str:
    """Return a word without the article its language writes onto it."""
    for article in ARTICLES.get(language, ()):
        if word.startswith(article) and len(word) - len(article) >= MIN_BARE:
            return word[len(article):]
    return word


def load(folder: Path) -> Glossary:
    """Read every intents/glossary/*.yaml; raise KnowledgeError naming file, entry and problem."""
    found: dict[str, Gloss] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        gloss = _load_file(path)
        if gloss.language in found:
            raise KnowledgeError(str(path), "language", f"'{gloss.language}' has another file")
        found[gloss.language] = gloss
    return Glossary(MappingProxyType(found))


def _load_file(path: Path) -> Gloss:
    """Read one language's file."""
    top = Fields(read_yaml(path), str(path), "file")
    top.only(("language", "words"))
    code = top.text("language")
    if code not in LANGUAGES:
        raise top.error(f"unknown language '{code}' (known: {', '.join(LANGUAGES)})",
                        "language")
    owner: dict[tuple[tuple[str, ...], bool], str] = {}
    for english, forms in top.mapping("words").items():
        entry = Fields({"forms": forms}, str(path), f"words.{english}")
        target = " ".join(words(str(english)))
        if not target:
            raise entry.error("the English side has no words")
        for form in entry.texts("forms"):
            key = _parse(form, entry, code)
            if key in owner and owner[key] != target:
                raise entry.error(f"'{form}' is listed under '{owner[key]}' too")
            owner[key] = target
    exact: dict[str, list[Entry]] = {}
    stems: dict[str, list[Entry]] = {}
    for (phrase, stem), target in owner.items():
        item = Entry(phrase, stem, target)
        if stem and len(phrase) == 1:
            stems.setdefault(phrase[0], []).append(item)
        else:
            exact.setdefault(phrase[0], []).append(item)

    def longest_first(entries: list[Entry]) -> tuple[Entry, ...]:
        return tuple(sorted(entries, key=lambda e: -len(e.words)))

    return Gloss(
        language=code,
        exact=MappingProxyType({k: longest_first(v) for k, v in exact.items()}),
        stems=tuple((k, longest_first(v))
                    for k, v in sorted(stems.items(), key=lambda kv: -len(kv[0]))))


def _parse(form: str, entry: Fields, language: str) -> tuple[tuple[str, ...], bool]:
    """Return a form's folded words and whether its last word is a stem."""
    stem = form.endswith("*")
    folded = tuple(_tokens(form.rstrip("*"), language))
    if not folded:
        raise entry.error(f"'{form}' has no words")
    if len(folded) > MAX_PHRASE:
        raise entry.error(f"'{form}' is longer than {MAX_PHRASE} words")
    if folded == (folded[0],) and len(folded[0]) == 1:
        # "a+" (French: see you) and "ạ" (Vietnamese: a polite particle) fold to "a", which
        # French says for "has": the whole message would read as small talk.
        raise entry.error(f"'{form}' is one letter once folded ('{folded[0]}')")
    if stem and len(folded[-1]) < MIN_STEM:
        raise entry.error(f"the stem of '{form}' is shorter than {MIN_STEM} letters")
    return folded, stem
