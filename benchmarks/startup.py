"""Measure how fast `python -m bot` starts polling, and how fast it fails at start.

Runs the bot as a process against the fake Bot API (tests/fake_bot_api.py) over HTTP on
127.0.0.1 and reports, over --runs runs each: seconds from spawning the process to its first
getUpdates; to its exit with a token the API rejects; to its exit with no API listening.
Targets: polling within about 1 s, failing within about 3 s.

    python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from telegram_helpers import TOKEN, FakeServer, free_port  # noqa: E402

WRONG = "1111111111:AAWrong-token-that-the-server-rejects_x"


def _spawn(env: dict[str, str]) -> subprocess.Popen[bytes]:
    full = {"PATH": os.environ.get("PATH", ""), "PTB_TIMEDELTA": "1", "LOG_LEVEL": "WARNING",
            **env}
    return subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def to_polling(server: FakeServer) -> float:
    """Return seconds from spawn to the first getUpdates."""
    server.api.arrived.clear()
    started = time.perf_counter()
    proc = _spawn({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": server.api.base_url})
    try:
        server.wait_until(lambda: "getUpdates" in server.api.arrived, timeout=60)
        return time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait()


def to_exit(env: dict[str, str]) -> float:
    """Return seconds from spawn to exit."""
    started = time.perf_counter()
    _spawn(env).wait(60)
    return time.perf_counter() - started


def main() -> int:
    """Print the median and worst of each measure."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    server = FakeServer()
    try:
        rows = {
            "start to first getUpdates": [to_polling(server) for _ in range(args.runs)],
            "bad token to exit": [to_exit({"TELEGRAM_BOT_TOKEN": WRONG,
                                           "TELEGRAM_BASE_URL": server.api.base_url})
                                  for _ in range(args.runs)],
            "unreachable API to exit": [to_exit({
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_BASE_URL": f"http://127.0.0.1:{free_port()}/bot"})
                for _ in range(args.runs)],
        }
    finally:
        server.close()
    print(f"python -m bot start-up, {args.runs} runs, {os.cpu_count()} CPUs")
    for name, times in rows.items():
        print(f"  {name:<28} median {statistics.median(times):.2f} s, worst {max(times):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
