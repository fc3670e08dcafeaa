"""`python -m bot unanswered`: similar questions grouped, biggest first; JSON; draft export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.inbox import Outcome, Question
from bot.unanswered import as_drafts, group

QUESTIONS = [
    ("what is the price of bitcoin", "fallback", None),
    ("whats the bitcoin price", "fallback", None),
    ("price of bitcoin today", "fallback", None),
    ("does nac help with hangovers", "clarify", "side-effects"),
    ("can nac help a hangover", "declined", "side-effects"),
    ("is nac vegan", "unhelpful", "what-is-nac"),
]


def stored(items: list[tuple[str, Outcome, str | None]]) -> list[Question]:
    return [Question(n, 1_750_000_000 + n * 60, outcome, text, guess, 0.3)
            for n, (text, outcome, guess) in enumerate(items, 1)]


def test_similar_questions_form_groups_biggest_first() -> None:
    found = group(stored(QUESTIONS))
    assert [(g.count, g.example, g.guess) for g in found] == [
        (3, "price of bitcoin today", None),
        (2, "can nac help a hangover", "side-effects"),
        (1, "is nac vegan", "what-is-nac")]


def test_a_group_counts_its_outcomes() -> None:
    found = group(stored(QUESTIONS))
    assert dict(found[1].outcomes) == {"clarify": 1, "declined": 1}


def test_a_repeated_question_leads_its_group() -> None:
    found = group(stored([("is nac halal", "fallback", None)] * 3
                         + [("nac halal?", "fallback", None)]))
    assert [(g.count, g.example, g.questions) for g in found] == [
        (4, "is nac halal", ("is nac halal", "nac halal?"))]


def test_drafts_are_yaml_in_the_shape_of_an_intents_file() -> None:
    drafts = yaml.safe_load(as_drafts(group(stored(QUESTIONS))))
    assert drafts["topics"][1] == {"topic": "side-effects", "examples": [
        "can nac help a hangover", "does nac help with hangovers"]}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from bot.inbox import Inbox, inbox_path
    from bot.reply import Reply

    inbox = Inbox(inbox_path(tmp_path))
    for text, _, guess in QUESTIONS[:3]:
        inbox.record(text, Reply(kind="fallback", topic=None, confidence=0.1, text="",
                                 html="", guess=guess))
    inbox.close()
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    return tmp_path


def test_cli_json_lists_the_groups(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["unanswered", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert (code, out["total"], [g["count"] for g in out["groups"]]) == (0, 3, [3])


def test_cli_text_shows_counts_and_an_example(data_dir: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    main(["unanswered"])
    lines = capsys.readouterr().out.splitlines()
    assert (lines[0], lines[2].startswith('1. 3 x "price of bitcoin today" (fallback 3;')) == (
        "3 unanswered questions in 1 groups (biggest first):", True)


def test_cli_export_writes_drafts(data_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "drafts.yaml"
    code = main(["unanswered", "--export", str(target)])
    assert (code, yaml.safe_load(target.read_text())["topics"][0]["topic"]) == (0, "TODO")


def test_cli_export_refuses_to_write_into_intents(data_dir: Path, root: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["unanswered", "--export", str(root / "intents" / "drafts.yaml")])
    assert (code, "drafts are for review" in capsys.readouterr().err,
            (root / "intents" / "drafts.yaml").exists()) == (2, True, False)


def test_cli_with_no_inbox_says_it_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "nothing-yet"))
    assert (main(["unanswered"]), capsys.readouterr().out) == (
        0, "The inbox is empty: no unanswered questions recorded.\n")
