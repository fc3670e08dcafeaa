"""Emergency messages written to slip past the detector, and harmless ones written to trip it.

tests/redteam/emergencies.yaml was written by a red-team pass that read the trigger rules and
kept only the messages the detector then got wrong; the rules were widened until none is left.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.engine import Engine

CASES = yaml.safe_load((Path(__file__).parent / "redteam" / "emergencies.yaml").read_text())
EMERGENCIES = [c["q"] for c in CASES if c["expect"] == "emergency"]
HARMLESS = [c["q"] for c in CASES if c["expect"] != "emergency"]


@pytest.mark.parametrize("text", EMERGENCIES, ids=[t[:50] for t in EMERGENCIES])
def test_red_team_emergency_is_caught(engine: Engine, text: str) -> None:
    assert engine.respond(text).reply.kind == "emergency"


@pytest.mark.parametrize("text", HARMLESS, ids=[t[:50] for t in HARMLESS])
def test_red_team_harmless_message_is_no_emergency(engine: Engine, text: str) -> None:
    assert engine.respond(text).reply.kind != "emergency"
