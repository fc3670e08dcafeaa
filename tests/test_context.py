"""After an answer, a message is read with that answer or on its own (bot/context.py).

The cases were written for this file, not taken from the conversations the model is learned
from (a test checks that none is a near copy of them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz, process

from bot.context import MODEL_PATH, WITH_LAST, Context, ContextParams
from bot.devtools import train_context
from bot.devtools.modelfile import data_hash
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.normalize import fold
from bot.reply import ConversationState

# (last answer, message, the reply's kind and topic)
CASES = [
    # Lean on the last answer though they name a word of another answer ("hair"), or none
    # of their own: on their own they get a "did you mean" or no answer.
    ("children", "is that too young for him, he only just started walking", "answer",
     "children"),
    ("ocd-research", "my son pulls his hair out, is that the same thing", "answer",
     "ocd-research"),
    # Bring a subject of their own: read on their own.
    ("hair-skin-nails", "is it ok while pregnant", "answer", "pregnancy"),
    ("flu", "separate question: glutathione, what does the body use it for", "answer",
     "glutathione"),
    ("pregnancy", "what about after the birth when I'm nursing him", "answer", "breastfeeding"),
    ("glutathione", "what's a good pasta recipe", "fallback", None),
    ("side-effects", "can I give it to my cat", "fallback", None),
]


# Known misses of the model as fitted now, kept in view: strict, so that the suite fails once
# one is read right again. None now: "he's only 3 months old, is that too young" after the
# answer on children sat at the threshold for several rounds (0.63 against 0.65 last); the
# call re-fitted once "it" later in a chat was read as the subject gives it 0.67 (threshold 0.5).
GAPS: set[tuple[str, str, str, str | None]] = set()


@pytest.mark.parametrize(("last", "text", "kind", "topic"), [
    pytest.param(*c, marks=pytest.mark.xfail(strict=True, reason="known gap; see GAPS"))
    if c in GAPS else c for c in CASES], ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_a_message_after_an_answer_is_read_as_meant(engine: Engine, last: str, text: str,
                                                     kind: str, topic: str | None) -> None:
    reply = engine.respond(text, ConversationState(last_topic=last)).reply
    assert (reply.kind, reply.topic) == (kind, topic)


def test_without_the_model_the_first_cases_are_missed(engine: Engine) -> None:
    # The cases above that lean on the last answer are the model's doing, not the old rules'.
    learned, engine.context = engine.context, Context(None)
    try:
        missed = [text for last, text, kind, topic in CASES[:2]
                  if engine.respond(text, ConversationState(last_topic=last)).reply.topic != topic]
    finally:
        engine.context = learned
    # (The second is read right without it since an earlier matching re-fit; "he's only 3
    # months old, is that too young", the first until a child's age read as "baby" in
    # bot/ages.py, is read right without it too.)
    assert missed == ["is that too young for him, he only just started walking"]


def test_no_case_here_is_a_near_copy_of_a_training_message() -> None:
    training = [fold(turn["user"]) for path in train_context.CONVERSATIONS
                for c in yaml.safe_load(path.read_text(encoding="utf-8")) for turn in c["turns"]]
    near = [text for _, text, _, _ in CASES
            if process.extractOne(fold(text), training, scorer=fuzz.ratio, score_cutoff=90)]
    assert near == []


def test_the_model_file_was_fitted_on_the_data_in_the_repository() -> None:
    saved = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert saved["data_hash"] == data_hash(train_context.inputs())


def test_with_each_file_held_out_it_puts_more_right_than_wrong() -> None:
    saved = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    held_out = saved["figures"]["files_held_out"]
    assert held_out["put_right"] > 2 * held_out["put_wrong"]
    assert saved["threshold"] >= 0.5  # never below even odds


# Held-out utility per threshold of the grid (0.50 ... 0.95): which threshold is chosen.
PLATEAUS = [
    ([127, 119, 128, 127, 126, 116, 103, 94, 88, 80], 0.65),  # a flat top: its middle
    ([123, 134, 133, 128, 131, 123, 103, 97, 93, 78], 0.6),  # the fitted model's own sweep
    ([10, 10, 10, 80, 10, 10, 10, 10, 10, 10], 0.65),  # a lone peak still wins when far ahead
    ([50, 50, 50, 50, 50, 50, 50, 50, 50, 50], 0.95),  # all equal: the higher
]


@pytest.mark.parametrize(("utilities", "chosen"), PLATEAUS,
                         ids=["flat-top", "fitted-sweep", "lone-peak", "all-equal"])
def test_the_threshold_is_the_middle_of_the_plateau(utilities: list[int], chosen: float) -> None:
    table = {t: (0, 0, float(u)) for t, u in zip(train_context.GRID, utilities, strict=True)}
    assert train_context.choose(table) == chosen


def test_the_training_rows_carry_both_labels(engine: Engine) -> None:
    # One file is enough to see that rows come from the writers' expectations.
    fresh = Engine(engine.knowledge, engine.intents)
    rows = train_context.rows(fresh, train_context.CONVERSATIONS[:4])
    assert {r.label for r in rows} == {WITH_LAST, "alone"}
    assert all(r.features["p_with_last"] > 0 for r in rows)


def test_a_malformed_model_file_fails_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "context.json"
    bad.write_text('{"threshold": 0.5}')
    with pytest.raises(KnowledgeError, match=r"context\.json"):
        ContextParams.load(bad)
