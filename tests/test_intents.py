"""Loading intents/: problems name the file, the entry and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import intents
from bot.errors import KnowledgeError

ROOT = Path(__file__).resolve().parent.parent


def folder_with(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / "intents"
    shutil.copytree(ROOT / "intents", target)
    (target / name).write_text(text)
    return target


CASES = [
    ("extra.yaml", "topicz: []\n", "top level", "unknown field(s): topicz"),
    ("extra.yaml", "topics:\n  - topic: x\n", "topics[0]", "missing field(s): examples"),
    ("extra.yaml", "topics:\n  - topic: x\n    examples: [1, '']\n", "topic 'x'",
     "must be a list of non-empty strings"),
    ("extra.yaml", "topics: [\n", "line", "YAML error"),
    ("emergency.yaml", "emergency:\n  sets: {a: [b]}\n  person: [i]\n  questions: [q]\n"
     "  stories: [s]\n  now: [n]\n  informational: [f]\n  harmless: [h]\n"
     "  categories: [{id: x, always: ['{nope} y']}]\n", "emergency category 'x'",
     "names unknown set {nope}"),
    ("zz-extra.yaml", "synonyms:\n  nac: [acetyl]\n", "synonyms.nac", "defined twice"),
]


@pytest.mark.parametrize(("name", "text", "entry", "problem"), CASES, ids=[
    "unknown-key", "missing-examples", "bad-example", "yaml-error", "unknown-emergency-set",
    "duplicate-synonym"])
def test_bad_intents_name_file_entry_and_problem(tmp_path: Path, name: str, text: str,
                                                 entry: str, problem: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        intents.load(folder_with(tmp_path, name, text))
    message = str(caught.value)
    assert (caught.value.file.endswith(name), entry in message, problem in message) == (
        True, True, True)


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no intents"):
        intents.load(tmp_path)
