"""Drive the real Telegram Application against the fake Bot API from synchronous tests.

The fake API and the bot run on an event loop in a background thread; a test pushes an update
and gets back the API calls the bot made for it (errbot's testbot). The bot reaches the fake
through FakeRequest, inside the process: no socket is opened, and the base URL is one that
cannot resolve. Also: running `python -m bot` as a subprocess against the fake over HTTP on
127.0.0.1, and helpers to pick questions that the core routes to a given kind of reply.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from fake_bot_api import Call, FakeBotApi, FakeRequest, callback_update, text_update

from bot.engine import Engine
from bot.settings import Settings
from bot.telegram.app import App, build_application, running
from bot.telegram.delivery import Backoff, Outbox
from bot.telegram.limits import PacedRateLimiter
from bot.telegram.services import services

# PTB 22 warns about its own use of RetryAfter.retry_after on every 429 unless the program opts
# into the coming timedelta behaviour (the Dockerfile sets it too).
os.environ.setdefault("PTB_TIMEDELTA", "1")
T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "4242424242:AAEsecret-token-never-to-be-logged_x9Z"
WAIT = 30.0  # seconds any single step may take before the test fails: a hang, not a margin
NOWHERE = "https://api.telegram.invalid/bot"  # the in-process bot's base URL: never reached
DISCLAIMER = "not medical advice"

# Candidate questions per kind of reply; tests take the first one the current core routes
# there, so tuning the matcher does not break the Telegram tests.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "answer": ("is nac safe in pregnancy", "what is cysteine", "nac for hair and skin"),
    "clarify": ("nac benefits", "nac lungs or liver", "nac pills", "research", "can it help",
                "benefits"),
    "fallback": ("what is the price of bitcoin", "who won the football game yesterday",
                 "what about kids"),
    "emergency": ("my toddler swallowed a bunch of my nac pills",),
}


def question_of_kind(engine: Engine, kind: str) -> str:
    """Return a candidate question that the core answers with a reply of this kind."""
    for question in CANDIDATES[kind]:
        if engine.respond(question).reply.kind == kind:
            return question
    raise AssertionError(f"no candidate question gets a {kind} reply: {CANDIDATES[kind]}")


QUICK = Backoff(first=0.01, most=0.05)  # waits between failed sends, cut short for tests


def unpaced() -> PacedRateLimiter:
    """A limiter without per-chat pacing (tests send faster than people), quick retries."""
    return PacedRateLimiter(private=None, group=None, backoff=0.05)


class LoopThread:
    """An asyncio event loop running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT) -> T:
        """Run a coroutine on the loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT)
        self.loop.close()


class FakeServer:
    """The fake Bot API on its own loop thread: over HTTP for subprocesses, or in process.

    data_dir: a fresh folder for the delivery store of the bots run against this server.
    """

    def __init__(self, token: str = TOKEN, http: bool = True) -> None:
        self.thread = LoopThread()
        self.api = FakeBotApi(token)
        self.data_dir = Path(tempfile.mkdtemp(prefix="bot-data-"))
        if http:
            self.thread.run(self.api.start())

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = WAIT) -> T:
        """Run a coroutine on the server's loop."""
        return self.thread.run(coro, timeout)

    def call(self, fn: Any, *args: Any) -> Any:
        """Call a function of the server on its loop thread."""
        async def go() -> Any:
            return fn(*args)
        return self.run(go())

    def wait_until(self, condition: Any, timeout: float = WAIT) -> None:
        """Wait until condition() holds on the server."""
        self.run(self.api.wait_until(condition, timeout), timeout + 1)

    def close(self) -> None:
        """Stop the server and its loop."""
        try:
            self.run(self.api.stop())
            self.thread.close()
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)


class BotHarness:
    """The bot, built by build_application, polling the fake Bot API.

    server: a running FakeServer to talk to (in process; default: a new one, closed with the
    bot). Its delivery store lives in the server's fresh folder unless data_dir is given; the waits
    between failed sends are QUICK unless backoff is given. send_timeout: seconds a send may
    take before the transport gives up on it (TimedOut), as httpx's read timeout would.
    """

    def __init__(self, engine: Engine, limiter: PacedRateLimiter | None = None,
                 slots: int = 8, backoff: Backoff = QUICK, send_timeout: float | None = None,
                 server: FakeServer | None = None, **settings: Any) -> None:
        self._own_server = server is None
        self.server = server or FakeServer(http=False)
        self.api = self.server.api
        settings.setdefault("data_dir", self.server.data_dir)
        # No inbox unless a test asks for one (with its own DATA_DIR): ./data stays untouched.
        self.settings = Settings(token=TOKEN, base_url=NOWHERE, **{"inbox": False, **settings})
        self.engine = engine
        self.limiter = limiter or unpaced()
        self.slots = slots
        self.backoff = backoff
        self.request = FakeRequest(self.api, send_timeout)
        self.app: App = self._build()
        self._running: AbstractAsyncContextManager[App] | None = running(self.app,
                                                                        poll_timeout=2)
        self.server.run(self._running.__aenter__())

    @property
    def outbox(self) -> Outbox:
        """Return the running bot's outbox."""
        return services(self.app).outbox

    def close(self) -> None:
        """Stop the bot (finishing updates in progress), then the server."""
        try:
            self.stop()
        finally:
            if self._own_server:
                self.server.close()

    def stop(self) -> None:
        """Stop the bot as SIGTERM would (the server keeps running)."""
        if self._running is not None:
            running, self._running = self._running, None
            self.server.run(running.__aexit__(None, None, None))

    def start(self, **settings: Any) -> None:
        """Start a new bot on the same server and store (after stop)."""
        self.settings = replace(self.settings, **settings)
        self.app = self._build()
        self._running = running(self.app, poll_timeout=2)
        self.server.run(self._running.__aenter__())

    def _build(self) -> App:
        return build_application(self.settings, self.engine, rate_limiter=self.limiter,
                                 request=self.request, slots=self.slots, backoff=self.backoff)

    def inject(self, update: dict[str, Any]) -> int:
        """Push an update without waiting for the bot; return its update_id."""
        update_id: int = self.server.call(self.api.inject, update)
        return update_id

    def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait until condition() holds on the fake API (checked after every call)."""
        self.server.wait_until(condition)

    def send(self, update: dict[str, Any]) -> list[Call]:
        """Push an update, wait until the bot has dealt with it, return the calls it made."""
        mark = len(self.api.calls)
        update_id = self.server.call(self.api.inject, update)
        self.server.run(self._settle(update_id))
        return [c for c in self.api.calls[mark:] if c.method != "getUpdates"]

    def send_all(self, updates: list[dict[str, Any]]) -> list[Call]:
        """Push updates so that one getUpdates hands them out together; return the calls."""
        mark = len(self.api.calls)

        async def inject_all() -> int:
            return [self.api.inject(u) for u in updates][-1]

        last = self.server.run(inject_all())
        self.server.run(self._settle(last))
        return [c for c in self.api.calls[mark:] if c.method != "getUpdates"]

    async def _settle(self, update_id: int) -> None:
        await self.api.wait_until(lambda: self.api.polled_past(update_id), WAIT)
        await self.app.update_queue.join()
        await self.outbox.drained()

    def drained(self) -> None:
        """Wait until every reply handed to the outbox has been sent or given up."""
        self.server.run(self.outbox.drained())

    def say(self, text: str, **kwargs: Any) -> list[Call]:
        """Send a text message (private chat unless chat= is given); return the bot's calls."""
        return self.send(text_update(text, **kwargs))

    def press(self, data: str, on: Call, **kwargs: Any) -> list[Call]:
        """Press a button with this callback data on the message a call sent."""
        return self.send(callback_update(data, self.api.message_sent(on), **kwargs))

    def restart(self, **settings: Any) -> None:
        """Stop the bot and start a new one on the same server (same state file and store)."""
        self.stop()
        self.start(**settings)


def only(calls: Iterable[Call], method: str = "sendMessage") -> Call:
    """Return the single call of a method, failing if there is not exactly one."""
    found = [c for c in calls if c.method == method]
    assert len(found) == 1, f"expected one {method}, got {[(c.method, c.params) for c in calls]}"
    return found[0]


def sent(calls: Iterable[Call]) -> list[Call]:
    """Return the sendMessage calls."""
    return [c for c in calls if c.method == "sendMessage"]


HANG = 60.0  # seconds after which a process that should have done something counts as hung


def env_for(server: FakeServer, **extra: str) -> dict[str, str]:
    """Return the environment of `python -m bot` against this fake server, with its data dir."""
    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.api.base_url,
            "PTB_TIMEDELTA": "1", "DATA_DIR": str(server.data_dir), "INBOX": "off", **extra}


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class BotProcess:
    """`python -m bot` in a subprocess; stderr goes to a file so a chatty start cannot block."""

    def __init__(self, env: Mapping[str, str], *args: str) -> None:
        full = {"PATH": os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1", **env}
        # Closed in __exit__: the file must outlive this call, as long as the process runs.
        self._stderr = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.popen = subprocess.Popen([sys.executable, "-m", "bot", *args], cwd=ROOT, env=full,
                                      stdout=subprocess.DEVNULL, stderr=self._stderr, text=True)

    def __enter__(self) -> BotProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait()
        self._stderr.close()

    def stderr(self) -> str:
        """Return what the process wrote to stderr so far."""
        self._stderr.seek(0)
        return self._stderr.read()

    def finish(self, timeout: float) -> tuple[int, str]:
        """Wait for the process to end; return its exit code and stderr."""
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"the bot did not exit within {timeout}s: "
                                 f"{self.stderr()[-2000:]}") from None
        return code, self.stderr()
