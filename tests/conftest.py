"""Shared fixtures: the real curated content, loaded once per test session; no real network.

Every test runs with sockets that can reach loopback only: a connection or a name lookup for any
other host fails the test at once (python-telegram-bot's tests do the same), so no test can talk
to Telegram by mistake.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot import startcache
from bot.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class NetworkForbidden(RuntimeError):
    """A test tried to reach a host other than loopback."""


@pytest.fixture(scope="session", autouse=True)
def _own_start_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Give the test session a start-up cache of its own, empty at first, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(startcache.ENV, str(tmp_path_factory.mktemp("start-cache")))
        yield


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Refuse connections and name lookups for anything but loopback."""
    connect, lookup = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise NetworkForbidden(f"tests may not connect to {address[0]}")
        return connect(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK:
            raise NetworkForbidden(f"tests may not look up {host}")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    yield


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine built from the real knowledge.yaml and intents/."""
    return Engine.from_paths(ROOT / "knowledge.yaml", ROOT / "intents")
