"""Benchmark the Telegram bot end to end: the real Application against a fake Bot API.

The fake Bot API (tests/fake_bot_api.py) and the simulated users run in a child process, so
they do not share the bot's CPU or GIL; the bot runs here, built by build_application and
long polling the fake over HTTP on 127.0.0.1, exactly as in production.

Each of --users users asks --questions questions in its own private chat. Two phases:
  paced: questions arrive at random times, --rate a second on average, users taking turns;
         this measures what the bot adds to one message under a steady load;
  burst: every user asks at once, each next question as soon as the last one is answered;
         this measures throughput (the latency then is mostly queueing).
The time the bot adds to a message runs from the moment the fake server hands the update
out (getUpdates answer) to the moment it receives the reply (sendMessage request). Every
question must get exactly one reply: none lost, none duplicated.

Like is compared with like: in the same run, with the same rate limiter (PacedRateLimiter)
and the same harness, a bare python-telegram-bot echo bot is measured first, then the bot; the
report gives both and the ratio of their added p99 (target: the bot within 1.3x of the echo
bot). The echo bot sends the very replies the bot sends (the core's answer to each question,
with its buttons, composed before the run), so the two differ only in what the bot does per
message: flood control, chat order and state, matching and composing, the log line.
Telegram's own limits (30 messages a second overall, about 1 a second per chat) are left out by
default so that the cost is measured; --telegram-limits paces both bots as in production.

    python benchmarks/telegram_bench.py [--users 100] [--questions 10] [--rate 30]
                                        [--telegram-limits] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("PTB_TIMEDELTA", "1")

TOKEN = "5555555555:AABenchmark-token_not-a-real-one"
TARGET_RATIO = 1.3  # the bot's added p99 against the echo bot's
REPLY_TIMEOUT = 60.0  # seconds a user waits for one reply before counting it lost
GRACE = 1.0  # seconds to wait after a phase for late duplicates
QUESTIONS = (
    "what is cysteine", "is nac safe in pregnancy", "sources?", "what is glutathione",
    "does nac help with hair", "nac vs l-cysteine", "side effects of nac", "hello",
    "how much nac do people take", "can nac help with copd", "is it safe while breastfeeding",
    "what about the liver", "thanks", "can it help", "research", "and in pregnancy?",
    "what forms does it come in", "price of bitcoin", "nac for ocd", "cystic fibrosis",
)


# ---------------------------------------------------------------- child: fake API and users


@dataclass
class Phase:
    """One phase's outcome, measured in the child."""

    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, one per answered question
    lost: int = 0
    duplicates: int = 0
    answered: int = 0
    first: float = 0.0
    last: float = 0.0


class Tracker:
    """Match each reply to its question (replies of a chat come in order) and time it."""

    def __init__(self, api: Any, phase: Phase) -> None:
        self.api = api
        self.phase = phase
        self.waiting: dict[int, deque[int]] = defaultdict(deque)  # chat -> update ids
        self.replied: dict[int, asyncio.Event] = defaultdict(asyncio.Event)
        api.on_call = self.on_call

    def ask(self, chat: int, rng: random.Random) -> None:
        """Send one question from a user in their private chat."""
        from fake_bot_api import text_update, user

        update = text_update(rng.choice(QUESTIONS), sender=user(chat, f"User{chat}", None))
        self.replied[chat].clear()
        self.waiting[chat].append(self.api.inject(update))

    def on_call(self, call: Any) -> None:
        """Time a reply against the moment its question was handed to the bot."""
        if call.method != "sendMessage" or call.status != 200:
            return
        chat = call.params["chat_id"]
        if not self.waiting[chat]:
            self.phase.duplicates += 1  # a reply to no question
            return
        handed = self.api.handed_out[self.waiting[chat].popleft()]
        self.phase.latencies.append(call.at - handed)
        self.phase.answered += 1
        self.phase.first = min(self.phase.first or handed, handed)
        self.phase.last = max(self.phase.last, call.at)
        self.replied[chat].set()

    async def settle(self) -> None:
        """Wait for late replies (and duplicates), then count the questions left unanswered."""
        deadline = time.monotonic() + REPLY_TIMEOUT
        while any(self.waiting.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(GRACE)
        self.phase.lost = sum(len(q) for q in self.waiting.values())


async def _paced(api: Any, users: int, questions: int, rate: float, first_chat: int) -> Phase:
    """Questions arrive at random (Poisson) times at `rate` a second, users taking turns."""
    tracker = Tracker(api, Phase("paced"))
    rng = random.Random(first_chat)
    loop = asyncio.get_running_loop()
    at = loop.time()
    for n in range(users * questions):
        at += rng.expovariate(rate)
        await asyncio.sleep(max(0.0, at - loop.time()))
        tracker.ask(first_chat + n % users, rng)
    await tracker.settle()
    return tracker.phase


async def _burst(api: Any, users: int, questions: int, first_chat: int) -> Phase:
    """Every user asks at once, each question as soon as the last one is answered."""
    tracker = Tracker(api, Phase("burst"))

    async def one_user(chat: int) -> None:
        rng = random.Random(chat)
        for _ in range(questions):
            tracker.ask(chat, rng)
            try:
                await asyncio.wait_for(tracker.replied[chat].wait(), REPLY_TIMEOUT)
            except TimeoutError:
                return

    await asyncio.gather(*(one_user(first_chat + u) for u in range(users)))
    await tracker.settle()
    return tracker.phase


async def _serve(users: int, questions: int, rate: float) -> None:
    from fake_bot_api import FakeBotApi

    api = FakeBotApi(TOKEN)
    await api.start()
    print(api.port, flush=True)
    await api.wait_until(lambda: "getUpdates" in api.arrived, timeout=30)
    paced = await _paced(api, users, questions, rate, first_chat=10_000)
    burst = await _burst(api, users, questions, first_chat=20_000)
    print(json.dumps([paced.__dict__, burst.__dict__]), flush=True)
    await api.stop()


# ---------------------------------------------------------------- parent: the bot


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(args: argparse.Namespace, echo: bool) -> list[Phase]:
    """Run one bot against a fresh child (fake API and users); return its phases."""
    from bot.engine import Engine
    from bot.settings import Settings
    from bot.telegram.app import SLOTS, build_application, running
    from bot.telegram.limits import PacedRateLimiter

    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--users", str(args.users), "--questions",
        str(args.questions), "--rate", str(args.rate), stdout=asyncio.subprocess.PIPE)
    assert child.stdout is not None
    port = int((await child.stdout.readline()).decode())
    settings = Settings(token=TOKEN, base_url=f"http://127.0.0.1:{port}/bot",
                        flood_limit=10_000, data_dir=Path(tempfile.mkdtemp(prefix="bench-")))
    limiter = PacedRateLimiter() if args.telegram_limits else PacedRateLimiter(
        overall=None, private=None, group=None)
    engine = Engine.from_paths(settings.knowledge_path, settings.intents_dir)
    app = (_echo_application(settings, engine, limiter, SLOTS) if echo
           else build_application(settings, engine, rate_limiter=limiter))
    try:
        async with running(app, poll_timeout=10):
            output = await child.stdout.readline()
            await child.wait()
    finally:
        shutil.rmtree(settings.data_dir, ignore_errors=True)
    return [Phase(**p) for p in json.loads(output)]


async def _bench(args: argparse.Namespace) -> int:
    runs: dict[str, list[Phase]] = {"echo": [], "bot": []}
    for _ in range(args.rounds):
        for name in runs:  # echo first, then the bot: each round measures both
            runs[name].extend(await _measure(args, echo=name == "echo"))
    return _report(args, runs)


def _echo_application(settings: Any, engine: Any, limiter: Any, slots: int) -> Any:
    """Return a bare PTB bot that sends canned replies: the floor this stack allows."""
    from telegram import Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

    from bot.commands import Keeping
    from bot.inbox import Inbox
    from bot.telegram import keyboards
    from bot.telegram.delivery import NO_PREVIEW, Outbox
    from bot.telegram.feedback import AskedMemory
    from bot.telegram.flood import FloodGate
    from bot.telegram.logs import Pseudonyms
    from bot.telegram.send import markup
    from bot.telegram.services import SERVICES_KEY, Content, Services
    from bot.telegram.state import ChatStates

    canned = {}
    for question in QUESTIONS:
        reply = engine.respond(question).reply
        buttons = keyboards.for_reply(reply, engine.title)
        canned[question] = (reply.html, markup(buttons) if buttons else None)

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None and message.text in canned:
            html, buttons = canned[message.text]
            await context.bot.send_message(message.chat_id, html, parse_mode=ParseMode.HTML,
                                           link_preview_options=NO_PREVIEW,
                                           reply_markup=buttons)

    app = (ApplicationBuilder().token(TOKEN).base_url(settings.base_url).rate_limiter(limiter)
           .concurrent_updates(slots).connection_pool_size(slots).build())
    app.add_handler(MessageHandler(filters.TEXT, echo))
    # running() takes the settings and the store from the services (so both bots take updates
    # in the same way, stored first); the echo handler sends at once, with no outbox.
    app.bot_data[SERVICES_KEY] = Services(
        settings=settings, content=Content(engine), keeping=Keeping(), chats=ChatStates(1, 1),
        flood=FloodGate(1), ids=Pseudonyms(bytes(16)), limiter=limiter, inbox=Inbox(None, 1),
        asked=AskedMemory(1, 1), outbox=Outbox(settings.data_dir, 600))
    return app


def _report(args: argparse.Namespace, runs: dict[str, list[Phase]]) -> int:
    expected = args.users * args.questions
    print(f"Telegram benchmark: {args.users} users x {args.questions} questions per phase, "
          f"{args.rounds} round(s), Telegram's limits {'ON' if args.telegram_limits else 'off'}, "
          f"{os.cpu_count()} CPUs")
    print(f"{'bot':<5}{'phase':<7}{'offered':>13}{'answered':>10}{'lost':>6}{'dup':>5}"
          f"{'msg/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    ok = True
    p99: dict[str, float] = {}
    for name, phases in runs.items():
        for kind in ("paced", "burst"):
            ps = [p for p in phases if p.name == kind]
            ms = [x * 1000 for p in ps for x in p.latencies]
            answered = sum(p.answered for p in ps)
            seconds = sum(p.last - p.first for p in ps if p.last > p.first)
            per_second = len(ms) / seconds if seconds else float("nan")
            offered = f"{args.rate:g} msg/s" if kind == "paced" else "all at once"
            print(f"{name:<5}{kind:<7}{offered:>13}{answered:>10}{sum(p.lost for p in ps):>6}"
                  f"{sum(p.duplicates for p in ps):>5}{per_second:>8.0f}"
                  f"{_percentile(ms, 0.5):>9.2f}{_percentile(ms, 0.99):>9.2f}"
                  f"{max(ms, default=float('nan')):>9.2f}")
            ok = ok and all(p.answered == expected and p.lost == 0 and p.duplicates == 0
                            for p in ps)
            if kind == "paced":
                p99[name] = _percentile(ms, 0.99)
    ratio = p99["bot"] / p99["echo"]
    print(f"every question answered exactly once: {'yes' if ok else 'NO'}")
    print(f"added p99 at {args.rate:g} msg/s: bot {p99['bot']:.2f} ms, echo bot "
          f"{p99['echo']:.2f} ms: {ratio:.2f}x (target <= {TARGET_RATIO:g}x: "
          f"{'met' if ratio <= TARGET_RATIO else 'MISSED'})")
    return 0 if ok else 1


def main() -> int:
    """Run the benchmark (or, with --serve, its child: the fake API and the users)."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--questions", type=int, default=10, help="questions per user and phase")
    p.add_argument("--rate", type=float, default=30.0,
                   help="offered messages per second in the paced phase (Telegram lets a bot "
                        "send about 30)")
    p.add_argument("--telegram-limits", action="store_true",
                   help="pace both bots within Telegram's limits, as in production")
    p.add_argument("--rounds", type=int, default=1, help="measure echo bot and bot this often")
    p.add_argument("--log-file", default=os.devnull, help="where the bots' INFO logs go")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.serve:
        asyncio.run(_serve(args.users, args.questions, args.rate))
        return 0
    logging.basicConfig(filename=args.log_file, level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(_bench(args))


if __name__ == "__main__":
    sys.exit(main())
