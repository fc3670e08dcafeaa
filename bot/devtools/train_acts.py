"""Learn the dialogue-act model from intents/ and write bot/models/acts.json; reads files.

Every small-talk and sources phrasing is an example of its act; every topic and out-of-scope
phrasing is a `question`; training/acts/ adds whole messages labelled by other writers, and
the tuned-on conversations their turns (see with_conversations). The threshold is the lowest
probability at which, out of fold, at most QUESTION_TAKEN_TARGET of questions would be taken
for small talk: answering "how does it work?" with "you're welcome"
costs more than missing a "thanks". A message no topic answers is taken for small talk at a
second, lower threshold: the lowest at which, out of fold, at most UNANSWERED_TAKEN_TARGET of
the out-of-scope phrasings (the questions that reach that point) would be. After an answer,
a message with no question mark has a third: the one that reads most of the tuned-on
conversations' later turns with no question mark right, small talk against questions.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot import intents as intents_mod
from bot import knowledge as knowledge_mod
from bot.acts import MODEL_PATH, QUESTION
from bot.devtools.conversation_questions import CONVERSATIONS, expects
from bot.devtools.modelfile import data_hash, write
from bot.engine import Engine
from bot.errors import KnowledgeError
from bot.intents import OUT_OF_SCOPE_TOPIC, SMALLTALK_TOPICS, SOURCES_TOPIC
from bot.learn import Features, fit, folds
from bot.settings import ROOT

SEED = 11
K = 5
QUESTION_TAKEN_TARGET = 0.005
# "what's the weather" answered "you're welcome" is as wrong as "I have no answer" for a
# "gotcha, thanks" and reads worse: kept rarer than the missed small talk it buys.
UNANSWERED_TAKEN_TARGET = 0.01
FIT = {"l2": 1e-3, "epochs": 20, "rate": 0.3}
ACTS = (*SMALLTALK_TOPICS, SOURCES_TOPIC)


DATA_DIR = ROOT / "training" / "acts"


def inputs(intents_dir: Path = ROOT / "intents") -> list[Path]:
    """Return every file the model is learned from."""
    return [*intents_dir.glob("*.yaml"), *DATA_DIR.glob("*.yaml"), *CONVERSATIONS,
            ROOT / "bot" / "acts.py"]


def load_examples(intents: intents_mod.Intents) -> list[tuple[str, str]]:
    """Return (text, act) pairs: the intents/ phrasings and the labelled files."""
    pairs = [(e.text, e.topic if e.topic in ACTS else QUESTION) for e in intents.examples]
    for path in sorted(DATA_DIR.glob("*.yaml")):
        for n, item in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            act = item.get("act") if isinstance(item, dict) else None
            text = item.get("text") if isinstance(item, dict) else None
            if act not in (*ACTS, QUESTION) or not isinstance(text, str):
                raise KnowledgeError(str(path), f"item {n}", "needs text and a known act")
            pairs.append((text, act))
    return pairs


# Turns the conversations expect of one kind: a topic or out of scope is a question, "sources"
# the sources act, small talk one of the small-talk acts. Other turns (emergencies, notes,
# "more", "any") say nothing of the act.
TOPIC_FREE = frozenset({"emergency", "note", "more", "any", "clarify", "smalltalk", "sources"})


def later_plain(files: Sequence[Path]) -> tuple[set[str], set[str]]:
    """Return the conversations' later questions, and small talk, that have no question mark."""
    questions: set[str] = set()
    small: set[str] = set()
    for path in files:
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for turn in conversation["turns"][1:]:
                text = str(turn["user"])
                if "?" in text:
                    continue
                if expects(turn) == ("smalltalk",):
                    small.add(text)
                elif not TOPIC_FREE & set(expects(turn)):
                    questions.add(text)
    return questions, small


def conversation_turns(files: Sequence[Path]) -> tuple[list[str], list[tuple[str, str]]]:
    """Return the conversations' small-talk turns, and their other turns with their act."""
    small: list[str] = []
    pairs: list[tuple[str, str]] = []
    for path in files:
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for turn in conversation["turns"]:
                expect = expects(turn)
                text = str(turn["user"])
                if expect == ("smalltalk",):
                    small.append(text)
                elif expect == ("sources",):
                    pairs.append((text, SOURCES_TOPIC))
                elif not TOPIC_FREE & set(expect):
                    pairs.append((text, QUESTION))
    return small, pairs


def with_conversations(pairs: list[tuple[str, str]], features: Callable[[str], Features],
                       files: Sequence[Path]) -> list[tuple[str, str]]:
    """Return the pairs and the conversations' turns, small talk labelled with its act."""
    # The writers marked a turn as small talk, not which: the act is the one a model fitted
    # on the labelled pairs gives it among the small-talk acts (thanks, bye, ...); what the
    # conversations teach is where small talk ends and a question begins.
    small, more = conversation_turns(files)
    counts = Counter(label for _, label in pairs)
    weights = [(len(pairs) / (len(counts) * counts[label])) ** 0.5 for _, label in pairs]
    model = fit([features(t) for t, _ in pairs], [a for _, a in pairs], seed=SEED,
                sample_weights=weights, **FIT)  # type: ignore[arg-type]
    for text in small:
        probs = model.proba(features(text))
        more.append((text, max((a for a in probs if a != QUESTION), key=lambda a: probs[a])))
    return [*pairs, *more]


def run(out: TextIO = sys.stdout, path: Path = MODEL_PATH) -> dict[str, Any]:
    """Fit, cross-validate, choose the threshold, write the model file; return it."""
    intents = intents_mod.load(ROOT / "intents")
    engine = Engine(knowledge_mod.load(ROOT / "knowledge.yaml"), intents)
    pairs = with_conversations(load_examples(intents), engine.acts.features, CONVERSATIONS)
    texts = [t for t, _ in pairs]
    labels = [a for _, a in pairs]
    features = [engine.acts.features(t) for t in texts]
    out.write(f"{len(texts)} examples: {dict(Counter(labels))}\n")
    # Rare acts weigh more (by the square root of how rare they are): 15 ways to say thanks
    # against 1,600 questions would otherwise teach the model that nothing is small talk;
    # full balancing took more questions for small talk at no gain (cross-validated).
    counts = Counter(labels)
    weights = [(len(labels) / (len(counts) * counts[label])) ** 0.5 for label in labels]
    out_of_scope = {e.text for e in intents.examples if e.topic == OUT_OF_SCOPE_TOPIC}
    later, later_small = later_plain(CONVERSATIONS)
    oof: list[tuple[str, str, float]] = []  # (label, best act, its probability)
    unanswered: list[float] = []  # small-talk probability of each out-of-scope phrasing
    # ... and of each later question, and small talk, with no question mark.
    later_questions: list[float] = []
    later_talk: list[float] = []
    for held in folds(len(texts), K, seed=SEED):
        held_set = set(held)
        train = [i for i in range(len(texts)) if i not in held_set]
        model = fit([features[i] for i in train], [labels[i] for i in train], seed=SEED,
                    sample_weights=[weights[i] for i in train], **FIT)  # type: ignore[arg-type]
        for i in held:
            probs = model.proba(features[i])
            act = max((a for a in probs if a != QUESTION), key=lambda a: probs[a])
            # As bot.acts reads it: small talk when every act but a question adds up.
            oof.append((labels[i], act, 1.0 - probs.get(QUESTION, 0.0)))
            if texts[i] in out_of_scope:
                unanswered.append(oof[-1][2])
            if labels[i] == QUESTION and texts[i] in later:
                later_questions.append(oof[-1][2])
            elif labels[i] != QUESTION and texts[i] in later_small:
                later_talk.append(oof[-1][2])
    questions = [p for label, _, p in oof if label == QUESTION]
    grid = [i / 100 for i in range(20, 100)]
    threshold = next(t for t in grid
                     if sum(p >= t for p in questions) <= QUESTION_TAKEN_TARGET * len(questions))
    low = next(t for t in grid if t > threshold or sum(p >= t for p in unanswered)
               <= UNANSWERED_TAKEN_TARGET * len(unanswered))
    low = min(low, threshold)
    # After an answer, the closing taken for "no answer" and the question taken for a
    # closing are both one wrong reply: the bar that gets the most of these turns right (most
    # of the questions a topic answers first, so their count is on the safe side).
    low_later = max((t for t in grid if t <= low),
                    key=lambda t: (sum(p >= t for p in later_talk)
                                   - sum(p >= t for p in later_questions), t))
    acts = [(label, act, p) for label, act, p in oof if label != QUESTION]
    figures = {
        "acts_right": round(sum(a == lab and p >= threshold for lab, a, p in acts)
                            / len(acts), 4),
        "questions_taken_for_acts": round(sum(p >= threshold for p in questions)
                                          / len(questions), 4),
        "acts_right_unanswered": round(sum(a == lab and p >= low for lab, a, p in acts)
                                       / len(acts), 4),
        "out_of_scope_taken_unanswered": round(sum(p >= low for p in unanswered)
                                               / max(1, len(unanswered)), 4),
        "acts_right_unanswered_later": round(sum(a == lab and p >= low_later
                                                 for lab, a, p in acts) / len(acts), 4),
        "later_questions_taken_unanswered": round(
            sum(p >= low_later for p in later_questions) / max(1, len(later_questions)), 4),
        "later_small_talk_kept": round(
            sum(p >= low_later for p in later_talk) / max(1, len(later_talk)), 4),
    }
    model = fit(features, labels, seed=SEED, sample_weights=weights,
                **FIT)  # type: ignore[arg-type]
    result = {
        "about": "Written by `python -m bot tune acts`; do not edit by hand.",
        "data_hash": data_hash(inputs()),
        "examples": len(texts),
        "threshold": threshold,
        "unanswered": low,
        "unanswered_later": low_later,
        "figures": {"cross_validated": figures},
        "model": model.to_json(),
    }
    write(path, result)
    out.write(f"thresholds {threshold}, unanswered {low}, after an answer {low_later}; "
              f"cross-validated {figures}\n")
    return result


if __name__ == "__main__":
    run()
