"""The safety model reads words with the vocabulary it was fitted with, not the live topics'.

An edit to a topic's phrasings used to move the safety model's features (its analyzer's
vocabulary came from intents/), so it had to be re-fitted, and a re-fit moves the emergency
thresholds. The model now keeps its vocabulary (bot/vocabulary.py), fitted from a snapshot of
intents/ (bot/devtools/safety_snapshot.py): these tests edit a copy of intents/ and check
that every safety feature stays as it was, while the matcher learns the new words.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot import intents as intents_mod
from bot import knowledge as knowledge_mod
from bot.devtools import safety_snapshot, train_safety
from bot.devtools.check import snapshot_report
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.safety import SafetyParams, own_analyzer
from bot.stems import load as load_stems
from bot.vocabulary import Vocabulary

# A made-up word and a typo one letter from it: with the live analyzer, the typo would be
# repaired to the new word, and the safety features of these messages would change.
NEW_PHRASING = "does nac help with zorbleflux cramps"
MESSAGES = [
    ("new-word", "zorbleflux cramps after my nac"),
    ("typo-of-new-word", "zorbleflix after nac"),
    ("emergency", "my toddler swallowed a handful of my nac capsules"),
    ("suicidal", "i want to end it tonight, i have the pills ready"),
    ("ordinary", "is nac safe to take every day?"),
    ("other-language", "tomé muchas pastillas y me siento muy mal"),
]


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory, root: Path) -> Engine:
    """An engine whose intents/ has one more mucus phrasing, with a word nobody used before."""
    folder = tmp_path_factory.mktemp("intents")
    shutil.copytree(root / "intents", folder, dirs_exist_ok=True)
    lungs = folder / "lungs.yaml"
    data = yaml.safe_load(lungs.read_text(encoding="utf-8"))
    data["topics"][0]["examples"].append(NEW_PHRASING)
    lungs.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return Engine(knowledge_mod.load(root / "knowledge.yaml"), intents_mod.load(folder),
                  safety=SafetyParams.load())


@pytest.mark.parametrize(("text"), [m for _, m in MESSAGES], ids=[i for i, _ in MESSAGES])
def test_an_edited_topic_leaves_the_safety_features_as_they_were(
        edited: Engine, engine: Engine, text: str) -> None:
    assert edited.safety.features(text) == engine.safety.features(text)
    assert edited.safety.assess(text) == engine.safety.assess(text)


def test_the_matcher_learns_the_new_word_and_the_safety_model_does_not(edited: Engine) -> None:
    # The safety model reads a word it does not know by its letter runs ("g:" features).
    assert "zorbleflux" in edited.analyzer.known
    assert any(f.startswith("g:") for f in edited.safety.features("zorbleflux")[0])


def test_a_snapshot_of_the_live_intents_builds_the_matchers_analyzer(
        tmp_path: Path, root: Path, engine: Engine) -> None:
    # Taken from the intents/ of the moment, the safety model's analyzer knows the same words
    # in the same order as the matcher's: a fresh snapshot changes nothing but what it says.
    safety_snapshot.write(engine.knowledge, engine.intents, tmp_path)
    vocabulary = safety_snapshot.load_vocabulary(tmp_path / safety_snapshot.VOCABULARY.name)
    own = own_analyzer(vocabulary, engine.intents.emergency, load_stems())
    assert own.known == engine.analyzer.known
    assert own.repair("bronchitus") == engine.analyzer.repair("bronchitus")
    phrasings = safety_snapshot.load_phrasings(tmp_path / safety_snapshot.PHRASINGS.name)
    assert safety_snapshot.drift(engine.intents, phrasings) == (0, 0)


def test_the_vocabulary_reads_back_as_written(engine: Engine) -> None:
    vocabulary = safety_snapshot.vocabulary_of(engine.knowledge, engine.intents)
    again = Vocabulary.from_json(vocabulary.to_json())
    assert again == vocabulary
    assert list(again.words) == list(vocabulary.words)  # the order too: it orders repairs


def test_the_model_file_keeps_the_snapshots_vocabulary() -> None:
    assert SafetyParams.load().vocabulary == safety_snapshot.load_vocabulary()


def test_only_the_emergency_lists_of_intents_are_inputs_of_the_safety_model(root: Path) -> None:
    intents = [p for p in train_safety.inputs() if p.parent == root / "intents"]
    assert intents == [root / "intents" / "emergency.yaml"]


def test_check_says_how_far_intents_moved_from_the_snapshot(edited: Engine) -> None:
    report = snapshot_report(edited)
    added, gone = safety_snapshot.drift(edited.intents, safety_snapshot.load_phrasings())
    assert added >= 1
    assert f"({added} phrasings added since, {gone} gone)" in report
    assert "python -m bot.devtools.safety_snapshot" in report


def test_a_malformed_snapshot_names_the_file_and_the_item(tmp_path: Path) -> None:
    bad = tmp_path / "phrasings.yaml"
    bad.write_text("- {topic: mucus-lungs}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"phrasings.yaml.*item 0.*needs a topic and a text"):
        safety_snapshot.load_phrasings(bad)
