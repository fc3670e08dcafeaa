"""Freeze the ordinary wording the safety model learns from: `bot.devtools.safety_snapshot`.

The safety model reads the topics' phrasings as plain, ordinary messages (level none), and
reads words through an analyzer built from the topics' vocabulary. Both used to come from the
live intents/, so any edit to a topic's phrasings re-fitted the safety model, and a re-fit
moves the emergency thresholds. They now come from this snapshot, refreshed on purpose:
run this, then `python -m bot tune safety`, and compare the figures before keeping it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot import intents as intents_mod
from bot import knowledge as knowledge_mod
from bot.errors import KnowledgeError
from bot.intents import Intents
from bot.knowledge import Knowledge
from bot.settings import ROOT
from bot.vocabulary import Vocabulary, topic_texts

SNAPSHOT_DIR = ROOT / "training" / "safety-snapshot"
PHRASINGS = SNAPSHOT_DIR / "phrasings.yaml"
VOCABULARY = SNAPSHOT_DIR / "vocabulary.yaml"


def phrasings_of(intents: Intents) -> list[tuple[str, str]]:
    """Return the topics' phrasings as (topic, text), in the order intents/ gives them."""
    return [(e.topic, e.text) for e in intents.examples]


def vocabulary_of(knowledge: Knowledge, intents: Intents) -> Vocabulary:
    """Return the topics' vocabulary, as the matcher's analyzer counts it."""
    return Vocabulary.of(topic_texts(knowledge, intents), intents.synonyms, intents.stopwords)


def _dump(path: Path, header: str, data: Any) -> None:
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=None)
    path.write_text(f"# {header}\n# Written by `python -m bot.devtools.safety_snapshot`; "
                    f"do not edit by hand.\n{body}", encoding="utf-8")


def write(knowledge: Knowledge, intents: Intents, folder: Path = SNAPSHOT_DIR) -> None:
    """Write the snapshot of the topics' phrasings and vocabulary into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    _dump(folder / PHRASINGS.name, "The topics' phrasings the safety model reads as ordinary.",
          [{"topic": t, "text": x} for t, x in phrasings_of(intents)])
    _dump(folder / VOCABULARY.name, "The vocabulary the safety model reads words with.",
          vocabulary_of(knowledge, intents).to_json())


def load_phrasings(path: Path = PHRASINGS) -> list[tuple[str, str]]:
    """Return the snapshot's phrasings as (topic, text); a malformed file is a KnowledgeError."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for n, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("topic"), str)
                and isinstance(item.get("text"), str)):
            raise KnowledgeError(str(path), f"item {n}", "needs a topic and a text")
        out.append((item["topic"], item["text"]))
    return out


def load_vocabulary(path: Path = VOCABULARY) -> Vocabulary:
    """Return the snapshot's vocabulary; a malformed file is a KnowledgeError."""
    try:
        return Vocabulary.from_json(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise KnowledgeError(str(path), None, f"not a vocabulary ({exc})") from None


def drift(intents: Intents, snapshot: Sequence[tuple[str, str]]) -> tuple[int, int]:
    """Return how many phrasings intents/ has that the snapshot lacks, and the reverse."""
    live, frozen = set(phrasings_of(intents)), set(snapshot)
    return len(live - frozen), len(frozen - live)


def main(out: TextIO = sys.stdout) -> None:
    """Write the snapshot from the current knowledge.yaml and intents/."""
    knowledge = knowledge_mod.load(ROOT / "knowledge.yaml")
    intents = intents_mod.load(ROOT / "intents")
    write(knowledge, intents)
    out.write(f"{PHRASINGS.relative_to(ROOT)}: {len(intents.examples)} phrasings; "
              f"{VOCABULARY.relative_to(ROOT)}: "
              f"{len(vocabulary_of(knowledge, intents).words)} words\n"
              "now run `python -m bot tune safety` (then crisis and context)\n")


if __name__ == "__main__":
    main()
