"""A learned model and the probability its decision needs, as `tune` writes it; reads a file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from bot.errors import KnowledgeError
from bot.learn import Model


@dataclass(frozen=True, slots=True)
class Thresholded:
    """A model file's model and threshold (the act model's, the context model's)."""

    model: Model
    threshold: float

    @classmethod
    def read(cls, path: Path, what: str, step: str, *more: str) -> Self:
        """Read a model file; a missing or malformed one is a KnowledgeError naming it.

        more: the names of further thresholds the file holds, in the order of cls's fields.
        """
        try:
            data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(Model.from_json(data["model"]), float(data["threshold"]),
                       *(float(data[name]) for name in more))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(str(path), None, f"cannot read the {what} ({exc}); "
                                 f"run `python -m bot tune {step}`") from None
