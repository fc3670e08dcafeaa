"""Learn the safety model from labelled messages and write bot/models/safety.json; reads files.

Data: training/safety/*/*.yaml, lists of {text, level, kind} written by different writers
(level: emergency, note or none); the first version's stress sets (EARLIER); every example
phrasing of the topics as `none` (people asking ordinary questions), from the snapshot of
intents/ in training/safety-snapshot/ (bot/devtools/safety_snapshot.py), which also gives the
vocabulary the model reads words with, so that editing a topic does not re-fit it; and the tuned-on
conversations' turns before any crisis as `none` (thanks, goodbyes, follow-ups). Nothing
here is tuned by hand but the targets below, which are product decisions: how many harmless
messages may get only the emergency text, how many ordinary questions may get a safety note.
Both thresholds are then read off predictions for messages the model was not fitted on
(seeded), so the figures written next to them are the ones a fresh message can expect, not
training accuracy.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import sys
import zlib
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from bot import intents as intents_mod
from bot.analyzer import english_words
from bot.devtools import safety_snapshot
from bot.devtools.conversation_questions import CONVERSATIONS, expects
from bot.devtools.modelfile import data_hash, write
from bot.emergency import PhraseFinder
from bot.errors import KnowledgeError
from bot.intents import SMALLTALK_TOPICS
from bot.learn import Model, fit, folds
from bot.safety import MODEL_PATH, SIGNS, Safety, level_of, own_analyzer
from bot.settings import ROOT
from bot.stems import load as load_stems

DATA_DIR = ROOT / "training" / "safety"
LEVELS = ("emergency", "note", "none")
# The writers' kinds and the guidance each gets (bot/knowledge.py EMERGENCY_KINDS).
KINDS = {"overdose": "overdose", "breathing": "breathing", "heart": "chest", "chest": "chest",
         "stroke": "stroke", "suicide": "suicide", "other": "general", "general": "general"}
SEED = 7
K = 5
# Targets, read on predictions for messages whose writer the model never saw (each writer
# held out in turn; the intents/ phrasings k-fold): harmless-but-alarming messages that get
# only the emergency text (the product allows 5%); emergencies caught with guidance or a note
# (the product wants 97% or more: when unsure, a note rather than silence; a higher target
# here bought a few tenths of a point for twice the notes on ordinary questions); plain
# questions (the intents/ phrasings) that get a note (the product allows 2% of ordinary
# questions; a few phrasings there ask about overdoses, where a note is welcome).
HARMLESS_FULL_TARGET = 0.03
# Ordinary messages (the writers' and the phrasings) given only the emergency text: worse than
# a note on a harmless one, so a tighter share.
ORDINARY_FULL_TARGET = 0.005
CAUGHT_TARGET = 0.975
# The floor for emergencies caught: when it and the plain-questions target cannot both
# be met, emergencies win ("when unsure, prefer the safety note to silence").
CAUGHT_MINIMUM = 0.97
PLAIN_FLAGGED_TARGET = 0.02
PLAIN_NOTED_TARGET = round(PLAIN_FLAGGED_TARGET - ORDINARY_FULL_TARGET, 4)
# The product allows 2% of ordinary questions a safety note; the writers' ordinary messages
# (medicines, children, breathing, the heart, figures of speech) are the hard ones. Read at
# half of that, as harmless messages are at 3% against 5%: new writers' ordinary messages got
# notes at twice the held-out writers' share (final set 13: 3/79 against 1.8%), and
# emergencies caught had the room (100% there, 99.2% held out, against 97%). Then 1.5%: with
# a thousand more ordinary phrasings (near misses, other languages) the 1% share left no room
# for the unsure note, and "I mixed bleach and ammonia and now I'm coughing a lot" (emergency
# 0.36, alarm 0.88) got no word of help; new writers' ordinary messages were noted at 1/393
# on the thirteenth to seventeenth sets at 1.5%.
ORDINARY_FLAGGED_TARGET = 0.015
# The notes are budgeted on their own: the ordinary messages they go to, beyond those the
# emergency threshold already gives the emergency text (held within its own, tighter target
# on all ordinary messages). Counted together, a data set whose emergency threshold alone
# flagged more than 1.5% of the writers' ordinary messages left no threshold pair within the
# budget, and the rule fell back to the highest note threshold: the re-fit with sets 41-48
# went from notes at 0.43 to 0.95, and "my dad ... just fainted in the kitchen" lost its note.
# The budgets are the totals' less the emergency text's share.
ORDINARY_NOTED_TARGET = round(ORDINARY_FLAGGED_TARGET - ORDINARY_FULL_TARGET, 4)
# Fitting: L2 keeps a word seen in three messages from carrying a verdict alone; the epochs
# and step are where out-of-fold log-loss stopped improving on this data. L2 went from 1e-4
# to 1e-3 when function words had come to carry verdicts ("don't" and "if you" made "where
# is all this coming from, if you don't mind me asking" an emergency at 0.50): with each
# writer held out, emergencies caught 98.2% -> 98.7%, ordinary messages given only the
# emergency text 0.38% -> 0.27%.
# Share (%) of intents/ phrasings sent with a question mark: the writers' ordinary messages
# (about 63%; counted on training/safety/*/none.yaml).
QMARK_SHARE = 63
FIT = {"l2": 1e-3, "epochs": 12, "rate": 0.2}


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message."""

    text: str
    level: str
    kind: str | None
    source: str


# The first version's emergency stress and red-team sets, by other writers: an emergency is
# one; everything else there was written as a trap (alarming words, no emergency now).
EARLIER = (*(ROOT / "tests" / "eval" / f"dev{n}.yaml" for n in (3, 4, 5, 6)),
           ROOT / "tests" / "redteam" / "emergencies.yaml")
# Their crisis kind, where unlabelled, is that of the curated phrase list found in them.
SIGN_ORDER = ("suicide", "breathing", "stroke", "chest", "overdose")
# Phrasings of these answers ask about overdoses ("what is the antidote for a paracetamol
# overdose?"): a safety note there is welcome, so they do not count as plain questions.
OVERDOSE_TOPICS = ("acetaminophen-overdose", "too-much-nac")


def _earlier(finder: PhraseFinder) -> list[Example]:
    out = []
    for path in EARLIER:
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            text = str(case["q"]).strip()
            found = finder.find(finder.tokens(text))
            signs = {n.split(":")[0] for n in found if n.split(":")[-1] in SIGNS}
            kind = next((k for k in SIGN_ORDER if k in signs), None)
            level = "emergency" if case["expect"] == "emergency" else "note"
            out.append(Example(text, level, kind, "earlier"))
    return out


def _as_typed(text: str) -> str:
    """Return an intents/ phrasing as a person would send it: most with a question mark."""
    # Curators write phrasings bare, but most people end a question with "?": left bare, the
    # mark alone became evidence of alarm (the writers' notes are questions); a seeded share
    # of the phrasings gets one, as many as the writers' ordinary messages have.
    if text.rstrip().endswith("?") or zlib.crc32(text.encode()) % 100 >= QMARK_SHARE:
        return text
    return text.rstrip() + "?"


# The tuned-on conversations' messages that expect no crisis, as none: closings, thanks and
# follow-ups ("good to know. moving it to the top shelf right now lol", "You have been very
# patient with me. Goodbye now.") are not the questions the writers' ordinary messages are,
# and the model, never shown one, read some as emergencies. Turns once a conversation has had
# an emergency, a note or "any" are left out: "she seems fine now" is that crisis going on. Each
# weighs 0.4 of a labelled message: at full weight, with each writer held out, harmless
# messages noted fell 61.7% -> 58.4% and ordinary ones flagged rose 1.43% -> 1.49%; at 0.4,
# 58.1% and 1.18%, with the turns' own false alarms (a fifth of the files held out in turn)
# the same: 0.17% and 0.19% given the emergency text, against 0.67% of the model never shown
# one.
CONVERSATION_WEIGHT = 0.4
CONVERSATION_GROUPS = 5  # held out in turn, each a fifth of the files
CRISIS_EXPECT = frozenset({"emergency", "note", "any"})


def conversation_turns(files: Sequence[Path] = CONVERSATIONS) -> list[Example]:
    """Return the conversations' turns before any crisis, as none, grouped by file."""
    out = []
    for n, path in enumerate(files):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for turn in conversation["turns"]:
                if CRISIS_EXPECT & set(expects(turn)):
                    break
                out.append(Example(str(turn["user"]), "none", None,
                                   f"conversations-{n % CONVERSATION_GROUPS}"))
    return out


def load_examples(finder: PhraseFinder, data_dir: Path = DATA_DIR,
                  phrasings: Path = safety_snapshot.PHRASINGS) -> list[Example]:
    """Return every labelled message: the writers' files, the earlier stress sets, and the
    snapshot of the topics' phrasings as none."""
    out: list[Example] = _earlier(finder)
    for path in sorted(data_dir.glob("*/*.yaml")):
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        for n, item in enumerate(items):
            level = item.get("level") if isinstance(item, dict) else None
            text = item.get("text") if isinstance(item, dict) else None
            if level not in LEVELS or not isinstance(text, str) or not text.strip():
                raise KnowledgeError(str(path), f"item {n}", "needs text and a level "
                                     f"({', '.join(LEVELS)})")
            kind = item.get("kind")
            out.append(Example(text, level, KINDS.get(kind) if level != "none" else None,
                               path.parent.name))
    out.extend(conversation_turns())
    out.extend(Example(_as_typed(text), "none", None,
                       "intents-smalltalk" if topic in SMALLTALK_TOPICS
                       else "intents-overdose" if topic in OVERDOSE_TOPICS else "intents")
               for topic, text in safety_snapshot.load_phrasings(phrasings))
    return out


def inputs(data_dir: Path = DATA_DIR, intents_dir: Path = ROOT / "intents") -> list[Path]:
    """Return every file the model is learned from (data, phrase lists, feature code)."""
    # intents/: only the emergency phrase lists; the topics come in through the snapshot.
    return [*data_dir.glob("*/*.yaml"), safety_snapshot.PHRASINGS, safety_snapshot.VOCABULARY,
            intents_dir / "emergency.yaml", *EARLIER, *CONVERSATIONS,
            ROOT / "bot" / "safety.py", ROOT / "bot" / "emergency.py"]


def reader() -> Safety:
    """Return the safety scorer the model is fitted for: the snapshot's vocabulary, no model."""
    rules = intents_mod.load(ROOT / "intents").emergency
    analyzer = own_analyzer(safety_snapshot.load_vocabulary(), rules, load_stems(),
                            english=english_words())
    return Safety(PhraseFinder(rules, analyzer), analyzer, None)


def _chat(example: Example) -> bool:
    """Tell whether an example is a conversation's turn."""
    return example.source.startswith("conversations-")


# The runtime's own rule, so that the figures are those of the bot.
_outcome = level_of


def _rates(rows: Sequence[tuple[Example, float, float]], emergency_at: float,
           note_at: float, unsure_at: float = 1.0) -> dict[str, float]:
    """Return the product's measures for predictions at these thresholds."""
    def share(level: str, outcomes: tuple[str, ...]) -> float:
        chosen = [r for r in rows if r[0].level == level]
        hit = sum(_outcome(pe, pa, emergency_at, note_at, unsure_at) in outcomes
                  for _, pe, pa in chosen)
        return hit / len(chosen) if chosen else 0.0

    return {
        "emergency_caught": share("emergency", ("emergency", "note")),
        "emergency_full": share("emergency", ("emergency",)),
        "harmless_full": share("note", ("emergency",)),
        "harmless_noted": share("note", ("emergency", "note")),
        "ordinary_flagged": share("none", ("emergency", "note")),
        "ordinary_full": share("none", ("emergency",)),
    }


def _choose(rows: Sequence[tuple[Example, float, float]]) -> tuple[float, float, float]:
    """Return the thresholds: the lowest emergency threshold that keeps harmless and ordinary
    messages within their targets; then the two note thresholds (on the probability of
    alarm, and on the probability of an emergency below the emergency threshold) that catch
    the most emergencies while their notes go to at most the target share of the writers'
    ordinary messages and of plain questions (the most harmless messages noted breaks ties);
    when no pair keeps within those shares, the highest alarm threshold that still catches
    the target share of emergencies."""
    grid = [i / 100 for i in range(5, 100)]
    harmless = [pe for ex, pe, _ in rows if ex.level == "note"]
    # The conversations' turns teach the model, but the shares stay those of questions: mostly
    # thanks and follow-ups, they would make room for notes on the hard ordinary messages.
    ordinary = [pe for ex, pe, _ in rows if ex.level == "none" and not _chat(ex)]
    emergency_at = next(t for t in grid
                        if sum(p >= t for p in harmless) <= HARMLESS_FULL_TARGET * len(harmless)
                        and sum(p >= t for p in ordinary) <= ORDINARY_FULL_TARGET * len(ordinary))

    def share(chosen: Sequence[tuple[float, float]], note_at: float, unsure_at: float) -> float:
        hit = sum(pe >= emergency_at or pa >= note_at or pe >= unsure_at for pe, pa in chosen)
        return hit / max(1, len(chosen))

    def noted(chosen: Sequence[tuple[float, float]], note_at: float, unsure_at: float) -> float:
        hit = sum(pe < emergency_at and (pa >= note_at or pe >= unsure_at) for pe, pa in chosen)
        return hit / max(1, len(chosen))

    emergencies = [(pe, pa) for ex, pe, pa in rows if ex.level == "emergency"]
    alarming = [(pe, pa) for ex, pe, pa in rows if ex.level == "note"]
    writers_ordinary = [(pe, pa) for ex, pe, pa in rows
                        if ex.level == "none" and not ex.source.startswith("intents")
                        and not _chat(ex)]
    plain = [(pe, pa) for ex, pe, pa in rows if ex.source in ("intents", "intents-smalltalk")]
    # The note threshold may sit above the emergency one: emergencies are caught mostly by
    # the emergency threshold already, and a low alarm threshold bought a tenth of a point
    # of them for notes on one ordinary message in 14. The second threshold gives a note to
    # a message that might be an emergency however its alarm splits ("I mixed bleach and
    # ammonia and I'm coughing a lot": emergency 0.28, alarm 0.90), so that the ordinary
    # budget goes to the messages most likely to be emergencies.
    unsure_grid = [1.0, *(t for t in (i / 20 for i in range(1, 20)) if t < emergency_at)]
    best: tuple[float, float, float, float] | None = None
    for unsure_at in unsure_grid:
        for note_at in grid:
            if (noted(writers_ordinary, note_at, unsure_at) > ORDINARY_NOTED_TARGET
                    or noted(plain, note_at, unsure_at) > PLAIN_NOTED_TARGET):
                continue
            score = (share(emergencies, note_at, unsure_at), share(alarming, note_at, unsure_at))
            if best is None or score > best[:2]:
                best = (*score, note_at, unsure_at)
    if best is not None and best[0] >= CAUGHT_TARGET:
        return emergency_at, best[2], best[3]
    catching = [t for t in grid if share(emergencies, t, 1.0) >= CAUGHT_TARGET] or [
        t for t in grid if share(emergencies, t, 1.0) >= CAUGHT_MINIMUM] or [grid[0]]
    return emergency_at, max(catching), 1.0


def train(examples: Sequence[Example], features: Sequence[dict[str, float]]) -> tuple[
        Model, Model]:
    """Fit the level model on every example and the kind model on the alarming ones."""
    weights = [CONVERSATION_WEIGHT if _chat(e) else 1.0 for e in examples]
    level = fit(features, [e.level for e in examples], seed=SEED, sample_weights=weights,
                **FIT)  # type: ignore[arg-type]
    kinds = [(f, e.kind) for f, e in zip(features, examples, strict=True) if e.kind]
    kind = fit([f for f, _ in kinds], [k for _, k in kinds if k], seed=SEED,
               **FIT)  # type: ignore[arg-type]
    return level, kind


# The examples and features the held-out fits read, set before the worker processes start:
# forked workers share them instead of each being sent 30,000 feature maps.
_SHARED: tuple[Sequence[Example], Sequence[dict[str, float]]] = ((), ())


def _held_out(held: list[int]) -> list[tuple[int, float, float, bool | None]]:
    """Fit on all but the held indices; return (index, p_emergency, p_alarm, kind right)."""
    examples, features = _SHARED
    held_set = set(held)
    train_idx = [i for i in range(len(examples)) if i not in held_set]
    level, kind = train([examples[i] for i in train_idx], [features[i] for i in train_idx])
    out = []
    for i in held:
        p = level.proba(features[i])
        right = None
        if examples[i].kind:
            probs = kind.proba(features[i])
            right = max(probs, key=lambda k: probs[k]) == examples[i].kind
        out.append((i, p["emergency"], p["emergency"] + p["note"], right))
    return out


def out_of_fold(examples: Sequence[Example], features: Sequence[dict[str, float]],
                groups: list[list[int]], workers: int | None = None,
                ) -> tuple[list[tuple[Example, float, float]], float]:
    """Return (example, p_emergency, p_alarm) for each example from a model not fitted on it,
    and the share of alarming examples whose kind was right."""
    global _SHARED
    _SHARED = (examples, features)
    workers = workers or os.cpu_count() or 1
    # Each fit is seeded and the results come back in the groups' order, so the figures are
    # the same however many processes ran them; a tune took 85 minutes on one core.
    if workers > 1 and len(groups) > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(min(workers, len(groups)),
                                 mp_context=mp.get_context("fork")) as pool:
            results = list(pool.map(_held_out, groups))
    else:
        results = [_held_out(held) for held in groups]
    rows = [(examples[i], pe, pa) for result in results for i, pe, pa, _ in result]
    kinds = [right for result in results for *_, right in result if right is not None]
    return rows, sum(kinds) / max(1, len(kinds))


def run(out: TextIO = sys.stdout, path: Path = MODEL_PATH) -> dict[str, Any]:
    """Fit, cross-validate, choose thresholds, write the model file; return what it wrote."""
    safety = reader()
    examples = load_examples(safety.finder)
    features = [safety.features(e.text)[0] for e in examples]
    out.write(f"{len(examples)} examples: {dict(Counter(e.level for e in examples))}\n")
    rows, kind_accuracy = out_of_fold(examples, features, folds(len(examples), K, seed=SEED))
    # Each writer's messages scored by a model fitted on the others only: the closest this
    # data gets to wording nobody tuned for. Thresholds are chosen on these.
    writers = sorted({e.source for e in examples if not e.source.startswith("intents")})
    held_out = [[i for i, e in enumerate(examples) if e.source == w] for w in writers]
    rows_w, _ = out_of_fold(examples, features, held_out)
    fresh = [*rows_w, *(r for r in rows if r[0].source.startswith("intents"))]
    emergency_at, note_at, unsure_at = _choose(fresh)

    def rates(chosen: Sequence[tuple[Example, float, float]]) -> dict[str, float]:
        return {k: round(v, 4)
                for k, v in _rates(chosen, emergency_at, note_at, unsure_at).items()}

    figures: dict[str, Any] = {
        "writer_held_out": rates([r for r in rows_w if not _chat(r[0])]),
        "conversation_turns_held_out": rates([r for r in rows_w if _chat(r[0])]),
        "by_writer_held_out": {w: rates([r for r in rows_w if r[0].source == w])
                               for w in writers},
        "plain_questions_noted": rates([r for r in fresh if r[0].source in (
            "intents", "intents-smalltalk")])["ordinary_flagged"],
        "cross_validated": rates(rows),
        "kind_accuracy": round(kind_accuracy, 4),
    }
    level, kind = train(examples, features)
    result = {
        "about": "Written by `python -m bot tune safety`; do not edit by hand.",
        "data_hash": data_hash(inputs()),
        "examples": len(examples),
        "thresholds": {"emergency": emergency_at, "note": note_at, "unsure": unsure_at},
        "figures": figures,
        "level": level.to_json(),
        "kind": kind.to_json(),
        "vocabulary": safety_snapshot.load_vocabulary().to_json(),
    }
    write(path, result)
    out.write(json.dumps({"thresholds": result["thresholds"], "figures": figures}, indent=1)
              + "\n")
    return result


if __name__ == "__main__":
    run()
