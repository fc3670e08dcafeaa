"""What the inbox tells a curator: questions grouped by similarity, as text, JSON or drafts; pure.

Grouping is greedy and deterministic: distinct questions, most frequent first, each joins the
first group whose first question it resembles (rapidfuzz token_sort_ratio of GROUP_SCORE or
more, on lower-cased words), else starts a group. Biggest group first. A 👎 whose question was
no longer known (the bot restarted in between) is grouped by its topic.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.inbox import OUTCOMES, Question

# Set by hand: "does nac help with hangovers" and "can nac help a hangover" score 71, "what is
# the price of bitcoin" and "whats the bitcoin price" 86; "nac for hair" and "nac for sleep" 56.
# Groups are for reading, so a near miss costs little.
GROUP_SCORE = 70.0
SHOWN = 5  # distinct questions shown per group in the text listing
UNKNOWN = "(question not kept: 👎 after a restart)"


@dataclass(frozen=True, slots=True)
class Group:
    """Similar questions: how many, an example, and what the bot did with them."""

    example: str
    count: int
    questions: tuple[str, ...]  # distinct texts, most frequent first
    outcomes: tuple[tuple[str, int], ...]  # outcome and count, in OUTCOMES order
    guess: str | None  # the topic the bot most often thought closest
    last: int  # unix time of the latest question

    def to_json(self) -> dict[str, Any]:
        """Return the group as a JSON object."""
        return {"count": self.count, "example": self.example, "questions": list(self.questions),
                "outcomes": dict(self.outcomes), "guess": self.guess,
                "last": _when(self.last)}


def group(questions: Iterable[Question], score: float = GROUP_SCORE) -> list[Group]:
    """Return the questions in groups of similar ones, biggest first."""
    rows = list(questions)
    texts = Counter(_key(q) for q in rows)
    leaders: list[str] = []
    members: dict[str, list[str]] = {}
    of_text: dict[str, str] = {}
    for text, _ in sorted(texts.items(), key=lambda item: (-item[1], item[0])):
        found = process.extractOne(text, leaders, scorer=fuzz.token_sort_ratio,
                                   processor=utils.default_process, score_cutoff=score)
        leader = found[0] if found is not None and not text.startswith(UNKNOWN) else text
        if leader == text:
            leaders.append(text)
            members[text] = []
        members[leader].append(text)
        of_text[text] = leader
    by_leader: dict[str, list[Question]] = {leader: [] for leader in leaders}
    for q in rows:
        by_leader[of_text[_key(q)]].append(q)
    groups = [_group(leader, members[leader], by_leader[leader], texts) for leader in leaders]
    return sorted(groups, key=lambda g: (-g.count, -g.last, g.example))


def _key(q: Question) -> str:
    return q.text.strip() or f"{UNKNOWN} {q.guess or '-'}"


def _group(leader: str, texts: Sequence[str], rows: Sequence[Question],
           counts: Counter[str]) -> Group:
    outcomes = Counter(q.outcome for q in rows)
    guesses = Counter(q.guess for q in rows if q.guess)
    return Group(
        example=leader,
        count=len(rows),
        questions=tuple(sorted(texts, key=lambda t: (-counts[t], t))),
        outcomes=tuple((o, outcomes[o]) for o in OUTCOMES if outcomes[o]),
        guess=guesses.most_common(1)[0][0] if guesses else None,
        last=max(q.at for q in rows),
    )


def _when(at: int) -> str:
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def as_text(groups: Sequence[Group], total: int) -> str:
    """Return the groups as a listing for a person, biggest first."""
    if not groups:
        return "The inbox is empty: no unanswered questions recorded.\n"
    lines = [f"{total} unanswered questions in {len(groups)} groups (biggest first):", ""]
    for n, g in enumerate(groups, 1):
        outcomes = ", ".join(f"{o} {c}" for o, c in g.outcomes)
        guess = f"; closest topic: {g.guess}" if g.guess else ""
        lines.append(f"{n}. {g.count} x \"{g.example}\" ({outcomes}{guess}; last {_when(g.last)})")
        lines.extend(f"     - {t}" for t in g.questions[1:SHOWN])
        if len(g.questions) > SHOWN:
            lines.append(f"     ... and {len(g.questions) - SHOWN} more")
    return "\n".join(lines) + "\n"


def as_json(groups: Sequence[Group], total: int) -> str:
    """Return the groups as one JSON document for tools."""
    return json.dumps({"total": total, "groups": [g.to_json() for g in groups]},
                      ensure_ascii=False, indent=2) + "\n"


DRAFT_HEAD = """\
# Draft phrasings from the unanswered-question inbox (python -m bot unanswered --export).
# Nothing reads this file. For each group: decide the topic (the bot's closest guess is only a
# guess; write a new answer in knowledge.yaml if none fits), copy the phrasings worth keeping
# into that topic in an intents/ file, then run `python -m bot check` and `python -m bot eval`.
# Placeholders such as [number] and [email] stand for what was removed before storing.
"""


def as_drafts(groups: Sequence[Group]) -> str:
    """Return the groups as draft intent phrasings (YAML, the shape of an intents/ file)."""
    lines = [DRAFT_HEAD, "topics:"]
    if not groups:
        lines[-1] = "topics: []"
    for g in groups:
        outcomes = ", ".join(f"{o} {c}" for o, c in g.outcomes)
        lines.append(f"  # {g.count} question(s): {outcomes}")
        # JSON strings are YAML double-quoted scalars: any text is written safely.
        lines.append(f"  - topic: {json.dumps(g.guess or 'TODO')}  # closest guess; check it")
        lines.append("    examples:")
        lines.extend(f"      - {json.dumps(t, ensure_ascii=False)}" for t in g.questions
                     if not t.startswith(UNKNOWN))
        if all(t.startswith(UNKNOWN) for t in g.questions):
            lines[-1] = "    examples: []"
    return "\n".join(lines) + "\n"
