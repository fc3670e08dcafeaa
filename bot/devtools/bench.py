"""Benchmark the core: latency, throughput, start-up time and peak memory; reads files.

Sizes: the real knowledge base (1x) and synthetic ones 10x and 100x larger, made by copying
every topic with part of its vocabulary renamed, so the index grows the way a larger curated
base would: new topics with words of their own, sharing the everyday and generic words.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from bot import startcache
from bot.analyzer import Analysis
from bot.devtools.check import problems
from bot.engine import Engine
from bot.intents import SMALLTALK_TOPICS
from bot.matcher import Matcher
from bot.settings import Settings

QUESTION_FILES = ("tests/eval/dev.yaml", "tests/eval/questions.yaml")
FALLBACK_QUESTIONS = (
    "what is nac", "is cysteine safe while pregnant", "nac side efects", "nac for the flu?",
    "can i take acetylcysteine with my meds", "how much does nac cost", "whats the weather",
)


def _questions(root: Path) -> list[str]:
    import yaml

    out: list[str] = []
    for name in QUESTION_FILES:
        path = root / name
        if path.exists():
            out.extend(str(item["q"]) for item in yaml.safe_load(path.read_text()))
    return out or list(FALLBACK_QUESTIONS)


def _timed(fn: Callable[[str], object], questions: Sequence[str]) -> tuple[list[float], float]:
    latencies = []
    start = time.perf_counter()
    for q in questions:
        t = time.perf_counter()
        fn(q)
        latencies.append((time.perf_counter() - t) * 1000)
    return latencies, time.perf_counter() - start


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def _timing(lat: list[float], n: int, total: float) -> str:
    """Return p50, p99 and throughput, or say that nothing was timed (--questions 0)."""
    if not lat:
        return "no questions timed"
    return (f"p50 {statistics.median(lat):.3f} ms, p99 {_percentile(lat, 99):.3f} ms, "
            f"{n / total:,.0f} questions/s")


def _ranker(matcher: Matcher, engine: Engine, questions: Sequence[str]) -> Callable[[str], object]:
    """Return a function that ranks one question, with analysis done beforehand."""
    analysed = {q: engine.analyzer.analyze(q) for q in questions}
    return lambda q: matcher.rank(analysed[q])


def synthetic_rows(engine: Engine, factor: int, seed: int = 7) -> list[tuple[str, Analysis]]:
    """Return matcher rows for a base `factor` times the real one."""
    rng = random.Random(seed)
    base = [(e.topic, engine.analyzer.analyze(e.text)) for e in engine.intents.examples
            if e.topic not in SMALLTALK_TOPICS]
    rows = list(base)
    for copy in range(1, factor):
        for topic, a in base:
            # Rename about half the content words: a new topic with words of its own.
            terms = tuple(t if rng.random() < 0.5 else f"{t}x{copy}" for t in a.terms)
            rows.append((f"{topic}-{copy}", Analysis(tokens=terms, words=terms, terms=terms,
                                                     unknown=frozenset())))
    return rows


def _build_time(settings: Settings, cache: bool) -> float:
    """Return the seconds one engine takes to load and build, with or without the cache."""
    saved = os.environ.get(startcache.ENV)
    if not cache:
        os.environ[startcache.ENV] = startcache.OFF
    try:
        t0 = time.perf_counter()
        Engine.from_paths(settings.knowledge_path, settings.intents_dir)
        return time.perf_counter() - t0
    finally:
        if saved is None:
            os.environ.pop(startcache.ENV, None)
        else:
            os.environ[startcache.ENV] = saved


def run_bench(settings: Settings, n_questions: int, out: TextIO) -> int:
    """Print the benchmark report; return 0."""
    root = settings.knowledge_path.parent
    cold = _build_time(settings, cache=False)
    _build_time(settings, cache=True)  # fills the start-up cache if it is empty
    t0 = time.perf_counter()
    engine = Engine.from_paths(settings.knowledge_path, settings.intents_dir)
    built = time.perf_counter() - t0
    problems(engine)
    checked = time.perf_counter() - t0
    out.write(f"start-up: load + build {built * 1000:.0f} ms ({cold * 1000:.0f} ms without "
              f"the start-up cache, as after a change); with the full content check "
              f"{checked * 1000:.0f} ms\n")
    pool = _questions(root)
    questions = [pool[i % len(pool)] for i in range(max(0, n_questions))]
    engine.respond("warm up")
    words = engine.model.words
    if words is not None:
        # Each timing starts as after a start: only the known words' letter-run sums (from
        # the model file); the questions repeat from the second pass on, and sums kept from
        # an earlier pass would make unknown words look free.
        words.forget()
    lat, total = _timed(lambda q: engine.respond(q), questions)
    out.write(f"1x  full reply ({len(engine.intents.examples)} examples): "
              f"{_timing(lat, len(questions), total)}\n")
    generic = {engine.analyzer.stem(g) for g in engine.intents.generic}
    for factor in (1, 10, 100):
        rows = synthetic_rows(engine, factor)
        t = time.perf_counter()
        # The tuned ranker and word model, as at runtime: the synthetic copies of the
        # phrasings change the index, not what the models learned.
        matcher = Matcher(rows, generic, ranker=engine.model.ranker, words=engine.model.words)
        index_ms = (time.perf_counter() - t) * 1000
        ranker = _ranker(matcher, engine, questions)
        if words is not None:
            words.forget()
        lat, total = _timed(ranker, questions)
        out.write(f"{factor:<3} matcher ({len(rows):,} examples, index {index_ms:.0f} ms): "
                  f"{_timing(lat, len(questions), total)}\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports KiB, macOS bytes
    out.write(f"peak memory (max RSS): {peak * scale / 2**20:.0f} MiB\n")
    return 0
