"""Shared by the tuning steps: hash what a model is learned from, write its file atomically."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.settings import ROOT


def data_hash(paths: Iterable[Path]) -> str:
    """Return a short hash of these files' names (relative to the repository) and bytes."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(path.resolve().relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


# A list of numbers, as json.dumps(indent=1) spreads it over one line per number.
NUMBERS = re.compile(r"\[\s*(-?[0-9][-+.eE0-9]*(?:,\s*-?[0-9][-+.eE0-9]*)*)\s*\]")


def write(path: Path, payload: dict[str, Any]) -> None:
    """Write a model file as JSON, all at once (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    text = json.dumps(payload, indent=1, ensure_ascii=False)
    # One line per feature: a re-fit then changes lines, not ten times as many.
    text = NUMBERS.sub(lambda m: "[" + ", ".join(m[1].replace(",", " ").split()) + "]", text)
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)
