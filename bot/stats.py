"""The operators' /stats: questions in the last day and week, shares, top topics; pure.

It reads what bot.inbox counted (replies per kind and topic, per hour) and the unanswered
groups of bot.unanswered, and returns Telegram HTML.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.compose import esc
from bot.unanswered import Group

# The kinds of reply that answer a question; small talk and "sources?" are not counted here.
QUESTION_KINDS = ("answer", "clarify", "fallback", "emergency")
LABELS = {"answer": "answered", "clarify": "clarified", "fallback": "fallen back",
          "emergency": "emergency"}
TOP = 5


@dataclass(frozen=True, slots=True)
class Period:
    """Reply counts over one period."""

    name: str
    kinds: Counter[str]

    @property
    def questions(self) -> int:
        """Return how many questions were asked."""
        return sum(self.kinds[k] for k in QUESTION_KINDS)


def period(name: str, counts: Iterable[tuple[str, str, int]]) -> Period:
    """Return a period from (kind, topic, count) rows."""
    kinds: Counter[str] = Counter()
    for kind, _, n in counts:
        kinds[kind] += n
    return Period(name, kinds)


def top_topics(counts: Iterable[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """Return the most answered topics, most first."""
    topics: Counter[str] = Counter()
    for kind, topic, n in counts:
        if kind == "answer" and topic:
            topics[topic] += n
    return sorted(topics.items(), key=lambda item: (-item[1], item[0]))[:TOP]


def stats_html(periods: Sequence[Period], topics: Sequence[tuple[str, int]],
               groups: Sequence[Group], title: Callable[[str], str | None],
               recording: bool) -> str:
    """Return /stats as Telegram HTML."""
    blocks = ["<b>Stats</b>"]
    if not recording:
        blocks.append("Recording is off (INBOX=off, or DATA_DIR cannot be written): "
                      "the figures below stop at that point.")
    for p in periods:
        n = p.questions
        shares = ", ".join(f"{LABELS[k]} {_share(p.kinds[k], n)}" for k in QUESTION_KINDS)
        feedback = f"; 👍 {p.kinds['helpful']}, 👎 {p.kinds['unhelpful']}"
        declined = f"; 'None of these' {p.kinds['declined']}"
        blocks.append(f"<b>{esc(p.name)}</b>: {n} questions ({shares}){declined}{feedback}")
    if topics:
        lines = [f"{k}. {esc(title(t) or t)}: {n}" for k, (t, n) in enumerate(topics, 1)]
        blocks.append("<b>Top topics (week)</b>\n" + "\n".join(lines))
    if groups:
        lines = [f"{k}. {g.count} x <i>{esc(g.example)}</i>"
                 for k, g in enumerate(groups[:TOP], 1)]
        blocks.append("<b>Top unanswered</b> (see <code>python -m bot unanswered</code>)\n"
                      + "\n".join(lines))
    return "\n\n".join(blocks)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"
