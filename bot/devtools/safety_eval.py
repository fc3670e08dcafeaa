"""Score a labelled safety set: emergencies caught, harmless and ordinary messages flagged.

A file is a YAML list of {text, level, kind?}; level is emergency, alarming (crisis words, no
emergency now; `note` in the training files) or ordinary (`none` in the training files).
Each message is sent on its own, as the first message of a chat. Reads files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.engine import Engine
from bot.yamlfile import read_yaml

LEVELS = {"emergency": "emergency", "alarming": "alarming", "note": "alarming",
          "ordinary": "ordinary", "none": "ordinary"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """One message, its label and what the bot gave it: emergency, note or none."""

    text: str
    level: str
    kind: str
    got: str
    got_kind: str | None


def is_safety_file(path: Path) -> bool:
    """Tell whether a YAML file holds labelled safety messages."""
    if path.is_dir():
        return False
    data = read_yaml(path)
    return (isinstance(data, list) and bool(data) and isinstance(data[0], dict)
            and "text" in data[0] and "level" in data[0])


def score(engine: Engine, path: Path) -> list[Outcome]:
    """Answer every message of the file on its own and record the safety outcome."""
    out = []
    for item in read_yaml(path) or []:
        reply = engine.respond(str(item["text"])).reply
        got = "emergency" if reply.kind == "emergency" else "note" if reply.note else "none"
        got_kind = reply.topic if reply.kind == "emergency" else reply.note
        out.append(Outcome(str(item["text"]), LEVELS[str(item["level"])],
                           str(item.get("kind") or "none"), got, got_kind))
    return out


def summary(outcomes: list[Outcome]) -> str:
    """Return the measures the product is held to."""
    def rate(level: str, got: tuple[str, ...]) -> str:
        chosen = [o for o in outcomes if o.level == level]
        hit = sum(o.got in got for o in chosen)
        return f"{hit}/{len(chosen)} ({hit / max(1, len(chosen)):.1%})"

    counts = Counter(o.level for o in outcomes)
    return "\n".join([
        f"messages: {dict(counts)}",
        f"  emergencies caught (guidance or note): {rate('emergency', ('emergency', 'note'))}",
        f"  emergencies given full guidance:       {rate('emergency', ('emergency',))}",
        f"  alarming given only emergency text:    {rate('alarming', ('emergency',))}",
        f"  alarming given a note:                 {rate('alarming', ('note',))}",
        f"  ordinary given a note or emergency:    {rate('ordinary', ('emergency', 'note'))}",
    ])


def run(engine: Engine, path: Path, misses: bool, out: TextIO) -> int:
    """Score a safety file and print the report; return 0."""
    outcomes = score(engine, path)
    out.write(summary(outcomes) + "\n")
    wrong = {"emergency": ("none",), "alarming": ("emergency",), "ordinary": ("emergency", "note")}
    for o in outcomes if misses else ():
        if o.got in wrong[o.level]:
            out.write(f"  {o.level} ({o.kind}) got {o.got} {o.got_kind or ''}: {o.text}\n")
    return 0
