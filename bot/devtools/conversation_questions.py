"""Derive training questions from the tuned-on conversations; reads the conversation files.

`python -m bot.devtools.conversation_questions` rewrites training/questions/conversation-
openers.yaml (each conversation's first message) and conversation-switches.yaml (each later
message whose expected topic differs from the turn before, so it must be understood on its
own words), with the topic the conversation's writer expected ("fallback" -> out of scope),
keeping each file's header comments. A test checks that the committed files hold what this
gives, so a re-tune after a change here follows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from bot.intents import OUT_OF_SCOPE_TOPIC
from bot.settings import ROOT

# The conversation sets tuned on: the dev conversations and the final sets whose other
# messages moved to training once scored. A final set joins here only after it is scored.
TUNED_ON = (*sorted((ROOT / "tests" / "conversations").glob("*.yaml")),
            ROOT / "tests" / "final" / "conversations.yaml",
            *(ROOT / "tests" / f"final{n}" / "conversations.yaml" for n in range(2, 13)))
# The final sets whose misses were read after scoring: tuned on from then on.
READ = tuple(range(13, 31))
# Every conversation the call on the last answer, the act model and the safety model read:
# the ones above, those written for training, and the read final sets.
CONVERSATIONS = (*TUNED_ON, *sorted((ROOT / "training" / "conversations").glob("*.yaml")),
                 *(ROOT / "tests" / f"final{n}" / "conversations.yaml" for n in READ))
# The conversations whose openers and changes of subject are matching questions: the tuned-
# on ones and the read final sets up to the twenty-fourth. With sets 13 to 24 (none before),
# the word model and ranker put sets 25 to 30's conversations, held out, at 1,450 replies
# right of 1,621 (1,434 without), in-scope questions 334 of 345 (332) and the held-out
# questions 226 of 233 (224). With sets 25 to 32 too, the answer threshold rises 0.90 ->
# 0.94: at 0.90 the re-fitted confidence model answers 1.77% of the out-of-scope questions
# out of fold, over the 1.5% limit, 41 of those 60 being intents/ phrasings and one from
# the new sets (with the new sets' near misses left out of the choice it stays 0.94). At
# 0.94 the held-out questions fall to 223 of 233 and sets 1-24's conversations lose 13
# replies, so those sets stay out. The conversations written for training are left out
# too: as matching questions they cost the tuned-on conversations 31 replies of 5,259.
# A conversations file added between matching re-fits is listed here until the next one
# (its questions would change the word model's data): the other models read it already.
NOT_YET: tuple[Path, ...] = ()
MATCHING = (*(p for p in TUNED_ON if p not in NOT_YET),
            *(ROOT / "tests" / f"final{n}" / "conversations.yaml" for n in range(13, 25)))
OUT_DIR = ROOT / "training" / "questions"
# Turns that expect no topic of their own: nothing to learn about topics from them.
NO_TOPIC = {"emergency", "note", "sources", "smalltalk", "more", "any"}
NAMES = ("conversation-openers.yaml", "conversation-switches.yaml")


def _expected(turn: Mapping[str, Any]) -> Any:
    """Return what a turn expects, a note's topic in place of the note."""
    expect = turn["expect"]
    return turn.get("topic", "note") if expect == "note" else expect


def expects(turn: Mapping[str, Any]) -> tuple[str, ...]:
    """Return every kind or topic a turn accepts, as written (one or a list)."""
    expect = turn["expect"]
    return tuple(str(e) for e in (expect if isinstance(expect, list) else [expect]))


def _first(expect: Any) -> str:
    return str(expect[0] if isinstance(expect, list) else expect)


def _label(expect: Any) -> Any:
    return OUT_OF_SCOPE_TOPIC if _first(expect) == "fallback" else expect


def derive(files: Iterable[Path] = MATCHING) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the openers and the changes of subject of these conversation files."""
    conversations = [c for path in files
                     for c in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
    openers = []
    for c in conversations:
        expect = _expected(c["turns"][0])
        if _first(expect) not in NO_TOPIC:
            openers.append({"q": c["turns"][0]["user"], "expect": _label(expect)})
    seen = {o["q"] for o in openers}
    switches = []
    for c in conversations:
        previous = None
        for n, turn in enumerate(c["turns"]):
            expect = _expected(turn)
            current = _first(expect)
            if (n and current not in NO_TOPIC and previous not in (None, current, "emergency")
                    and turn["user"] not in seen):
                switches.append({"q": turn["user"], "expect": _label(expect)})
                seen.add(turn["user"])
            previous = current
    return openers, switches


def main() -> None:
    """Rewrite both training files from the conversations, keeping their header comments."""
    for name, items in zip(NAMES, derive(), strict=True):
        path = OUT_DIR / name
        head = "".join(line + "\n" for line in path.read_text(encoding="utf-8").splitlines()
                       if line.startswith("#")) if path.exists() else ""
        body = yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=100)
        path.write_text(head + body, encoding="utf-8")
        print(f"{name}: {len(items)} questions")


if __name__ == "__main__":
    main()
