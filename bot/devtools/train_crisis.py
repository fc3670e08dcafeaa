"""Learn the crisis follow-up model and write bot/models/crisis.json; reads files.

Data: training/crisis/*.yaml, lists of {text, label, kind}: messages people sent after the
bot gave emergency guidance, labelled `stays` (still about the emergency), `moves_on` (an
ordinary question now) or `thanks`, by writers who never saw the rules. The model tells
staying from moving on (thanks is the act model's to read, and only measured here). Its
threshold is read off predictions for each file by a model fitted on the others (writers
held out, as for the safety thresholds): the lowest probability at which at most
STAYS_LEFT_TARGET of `stays` messages would leave the emergency (answering "could it be the
NAC?" with an article answer is the harm to avoid). Random k-fold, whose folds share each
writer's wording, put it at 0.29, where 5.2% of one source's `stays` left.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot import intents as intents_mod
from bot import knowledge as knowledge_mod
from bot.acts import MODEL_PATH as ACTS_MODEL
from bot.acts import ActParams
from bot.crisis import LABELS, MODEL_PATH, MOVES_ON, STAYS, THANKS
from bot.devtools.modelfile import data_hash, write
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.learn import Model, fit, folds
from bot.safety import MODEL_PATH as SAFETY_MODEL
from bot.safety import SafetyParams
from bot.settings import ROOT
from bot.tuned import MODEL_PATH as MATCHING_MODEL

DATA_DIR = ROOT / "training" / "crisis"
SEED = 13
K = 5
# A product decision: a message still about the emergency may leave it in 1.5 cases of 100.
# It was 3: with writer H's 420 follow-ups (many of them corrections of a misread first
# message), 3% and 2% let "is that just a normal side effect?" leave an allergic swelling
# (final set 18). At 1.5%, with each file held out, stays left 1.4% and moves on right 87.4%
# (at 3% before writer H: 2.9% and 73.4%); the tuned-on conversations' emergency turns 907 of
# 919 (906 before writer H). "what were the side effects of nac again" still leaves a swelling
# of the lips (final set 27), with a note that points to the emergency number.
STAYS_LEFT_TARGET = 0.015
FIT = {"l2": 1e-3, "epochs": 20, "rate": 0.3}


def inputs() -> list[Path]:
    """Return every file the model is learned from."""
    # The features read a message alone with the safety and matching models too.
    return [*DATA_DIR.glob("*.yaml"), ROOT / "bot" / "acts.py", ACTS_MODEL,
            ROOT / "bot" / "crisis.py", ROOT / "bot" / "engine.py", SAFETY_MODEL,
            MATCHING_MODEL]


Example = tuple[str, str, str, str | None, float | None]


def load_examples(data_dir: Path = DATA_DIR) -> list[Example]:
    """Return (text, label, file name, emergency kind, certainty) for every labelled follow-up.

    certainty: how sure the bot was of the emergency, where the rows were played through it
    (bot/devtools/crisis_rows.py); writers' own follow-ups have none.
    """
    out = []
    for path in sorted(data_dir.glob("*.yaml")):
        for n, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            label = item.get("label") if isinstance(item, dict) else None
            text = item.get("text") if isinstance(item, dict) else None
            if label not in LABELS or not isinstance(text, str) or not text.strip():
                raise KnowledgeError(str(path), f"item {n}", "needs text and a label "
                                     f"({', '.join(LABELS)})")
            kind = item.get("kind")
            if kind is not None and not isinstance(kind, str):
                raise KnowledgeError(str(path), f"item {n}", "kind must be a word")
            certainty = item.get("certainty")
            if certainty is not None and not (isinstance(certainty, (int, float))
                                              and 0.0 <= certainty <= 1.0):
                raise KnowledgeError(str(path), f"item {n}", "certainty must be 0 to 1")
            out.append((text, label, path.stem, kind,
                        None if certainty is None else float(certainty)))
    return out


def _threshold(scores: Sequence[float], target: float) -> float:
    """Return the lowest probability that at most this share of the scores reaches."""
    grid = [i / 100 for i in range(20, 100)]
    return next((t for t in grid if sum(p >= t for p in scores) <= target * len(scores)), 0.99)


def _figures(rows: Sequence[tuple[str, bool, float]], moves_on: float) -> dict[str, float]:
    """Return the shares read right from (label, taken for thanks, p moving on) rows."""
    def read(thanked: bool, p: float) -> str:
        return THANKS if thanked else MOVES_ON if p >= moves_on else STAYS

    def share(label: str, outcome: str) -> float:
        chosen = [read(t, p) for lab, t, p in rows if lab == label]
        return round(sum(r == outcome for r in chosen) / len(chosen), 4) if chosen else 0.0

    return {"stays_kept": share(STAYS, STAYS), "stays_left": share(STAYS, MOVES_ON),
            "stays_thanked": share(STAYS, THANKS), "moves_on_right": share(MOVES_ON, MOVES_ON),
            "thanks_right": share(THANKS, THANKS)}


def _fit(features: Sequence[dict[str, float]], labels: Sequence[str],
         rows: Sequence[int]) -> Model:
    """Fit stays against moves_on on these rows (thanks aside)."""
    kept = [i for i in rows if labels[i] != THANKS]
    return fit([features[i] for i in kept], [labels[i] for i in kept], seed=SEED,
               **FIT)  # type: ignore[arg-type]


def run(out: TextIO = sys.stdout, path: Path = MODEL_PATH) -> dict[str, Any]:
    """Fit, cross-validate, choose the thresholds, write the model file; return it."""
    engine = Engine(knowledge_mod.load(ROOT / "knowledge.yaml"),
                    intents_mod.load(ROOT / "intents"), safety=SafetyParams.load(),
                    acts=ActParams.load())
    examples = load_examples()
    features = [engine.crisis_features(t, kind, sure) for t, _, _, kind, sure in examples]
    labels = [lab for _, lab, _, _, _ in examples]
    out.write(f"{len(examples)} follow-ups: {dict(Counter(labels))}\n")
    thanked = [engine.acts.classify(t)[0] == THANKS for t, _, _, _, _ in examples]
    oof = [0.0] * len(examples)
    for held in folds(len(examples), K, seed=SEED):
        held_set = set(held)
        model = _fit(features, labels, [i for i in range(len(examples)) if i not in held_set])
        for i in held:
            oof[i] = model.proba(features[i]).get(MOVES_ON, 0.0)
    # Each file (a writer or a source) scored by a model fitted on the others: the closest
    # this data comes to people the model never saw, so the threshold is read off these.
    files = sorted({f for _, _, f, _, _ in examples})
    unseen = [0.0] * len(examples)
    for name in files:
        held = [i for i, (_, _, f, _, _) in enumerate(examples) if f == name]
        held_set = set(held)
        model = _fit(features, labels, [i for i in range(len(examples)) if i not in held_set])
        for i in held:
            unseen[i] = model.proba(features[i]).get(MOVES_ON, 0.0)
    # The stricter of the two: with the played conversations (bot/devtools/crisis_rows.py)
    # the random folds, which share a writer's wording, let more stays leave at the held-out
    # writers' threshold (1.8% at 0.65), and the target holds for both.
    moves_on = max(_threshold([p for p, lab in zip(source, labels, strict=True)
                               if lab == STAYS], STAYS_LEFT_TARGET)
                   for source in ((unseen, oof) if len(files) > 1 else (oof,)))
    figures: dict[str, Any] = {
        "cross_validated": _figures(list(zip(labels, thanked, oof, strict=True)), moves_on)}
    if len(files) > 1:
        figures["writers_held_out"] = _figures(list(zip(labels, thanked, unseen, strict=True)),
                                               moves_on)
        figures["by_file_held_out"] = {
            name: _figures([(labels[i], thanked[i], unseen[i])
                            for i, (_, _, f, _, _) in enumerate(examples) if f == name], moves_on)
            for name in files}
    model = _fit(features, labels, range(len(examples)))
    result = {
        "about": "Written by `python -m bot tune crisis`; do not edit by hand.",
        "data_hash": data_hash(inputs()),
        "examples": len(examples),
        "thresholds": {"moves_on": moves_on},
        "figures": figures,
        "model": model.to_json(),
    }
    write(path, result)
    out.write(f"threshold moves_on {moves_on}; {figures}\n")
    return result


if __name__ == "__main__":
    run()
