"""Shared fixtures: the real curated content, loaded once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine built from the real knowledge.yaml and intents/."""
    return Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
