"""The learned numbers of matching, read from bot/models/matching.json; reads one file.

`python -m bot tune` writes the file: the ranker's and the confidence model's weights, the
decision thresholds, the hash of the data they were fitted on and the cross-validated figures
they got. Nothing in it is set by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import KnowledgeError
from bot.learn import Model
from bot.settings import Thresholds
from bot.wording import WordModel

MODEL_PATH = Path(__file__).resolve().parent / "models" / "matching.json"


@dataclass(frozen=True, slots=True)
class MatchingModel:
    """The word model, the ranker, the confidence model and the thresholds chosen on it."""

    ranker: Model | None  # None: untrained (while tuning), an even blend of the features
    confidence: Model | None  # None: untrained, every probability 0
    thresholds: Thresholds
    data_sha256: str = ""
    words: WordModel | None = None  # None: no word model (while tuning, before it is fitted)


# What tuning starts from: features are measured before any weight is fitted.
UNTRAINED = MatchingModel(None, None, Thresholds(answer=1.0, clarify=1.0, margin=0.0))


def from_json(data: dict[str, Any]) -> MatchingModel:
    """Return the model in a dict written by tune (KeyError or ValueError if malformed)."""
    t = data["thresholds"]
    later = t.get("later")
    return MatchingModel(
        ranker=Model.from_json(data["ranker"]),
        confidence=Model.from_json(data["confidence"]),
        thresholds=Thresholds(
            answer=float(t["answer"]), clarify=float(t["clarify"]), margin=float(t["margin"]),
            later=None if later is None else Thresholds(
                answer=float(later["answer"]), clarify=float(later["clarify"]),
                margin=float(later["margin"]))),
        data_sha256=str(data.get("data_sha256", "")),
        words=WordModel.from_json(data["words"]),
    )


def load(path: Path = MODEL_PATH) -> MatchingModel:
    """Read the tuned matching model, or raise KnowledgeError naming the file."""
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise KnowledgeError(str(path), None, "missing: run `python -m bot tune`") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise KnowledgeError(str(path), None, f"malformed ({exc}); run `python -m bot tune`"
                             ) from None
