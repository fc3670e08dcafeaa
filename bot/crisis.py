"""Read a message sent during an emergency: still about it, moving on, or thanks; pure.

After emergency guidance, "she seems fine now", "could it be the NAC?" and "it was the 600mg
ones" are still about the emergency and get guidance that keeps pointing to help; "back from
the ER, does NAC have side effects in general?" and "unrelated, but what is glutathione?" have
moved on and get their ordinary answer; "thanks for listening" gets a warm closing that keeps
help in view. Thanks is the act model's reading (bot/acts.py, which has seen hundreds of
ways to say it); between staying and moving on, a logistic regression decides over the same
words, the kind of emergency and how the message reads alone (its own safety probability, and
whether the topics would answer it), learned from labelled follow-ups by
`python -m bot tune crisis`, which writes
bot/models/crisis.json with the data hash, the cross-validated figures and the probability
moving on needs (staying is the safe side: that probability is read off the data).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.acts import QUESTION
from bot.errors import KnowledgeError
from bot.learn import Features, Model

MODEL_PATH = Path(__file__).resolve().parent / "models" / "crisis.json"
STAYS = "stays"
MOVES_ON = "moves_on"
THANKS = "thanks"
ACK = "ack"  # the act model's nod ("ok", "got it")
LABELS = (STAYS, MOVES_ON, THANKS)  # thanks: labelled in the data, read by the act model
THANKS_WORDS = 3  # words of a message that a word of thanks makes thanks
# A word of thanks, in the languages the bot meets. The act model also reads a plan as thanks
# ("will see the pharmacist saturday"), which ends an ordinary chat well; in an emergency a
# plan is not thanks: "ok. maybe i'll text my sister", with a bottle of pills at hand, got
# "thank you for talking with me". There, thanks must say thanks.
THANKED = re.compile(
    r"\b(?:thanks?|thank\s+(?:you|u)|thx|thnx|tnx|ty|tysm|tyvm|ta|cheers|appreciated?|grateful|"
    r"merci|gracias|grazie|danke|dank|bedankt|obrigad[oa]|valeu|dzi[eę]kuj[eę]|dzieki|spasibo|"
    r"multumesc|mul[tț]umesc|te[sş]ekk[uü]r\w*|sa[gğ]ol|terima\s*kasih|makasih|shukran|shukriya|"
    r"dhanyavaa?d|salamat|asante|cam\s+on|cảm\s+ơn|kamsa\w*|gomawo|arigat[oō]u?)\b"
    r"|спасибо|дякую|благодар|감사|고마|ありがと|谢谢|謝謝|多谢|شكرا|תודה|धन्यवाद|ขอบคุณ",
    re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CrisisParams:
    """The learned follow-up model and the probability moving on needs."""

    model: Model
    moves_on: float

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> CrisisParams:
        """Read the model file; a missing or malformed file is a KnowledgeError."""
        try:
            data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(Model.from_json(data["model"]), float(data["thresholds"]["moves_on"]))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(str(path), None, f"cannot read the crisis follow-up model "
                                 f"({exc}); run `python -m bot tune crisis`") from None


class FollowUps:
    """Classify a message sent during an emergency."""

    def __init__(self, features: Callable[[str, str | None, float | None], Features],
                 act: Callable[[str], str], params: CrisisParams | None) -> None:
        self._features = features
        self._act = act
        self._params = params

    def classify(self, text: str, crisis: str | None = None,
                 certainty: float | None = None) -> tuple[str, float]:
        """Return the message's reading and its probability (still the emergency when unsure).

        crisis: the kind of emergency the chat is in; certainty: how sure its reading was.
        """
        act = self._act(text)
        if THANKED.search(text) and (
                act == THANKS or (act in (QUESTION, ACK) and len(text.split()) <= THANKS_WORDS)):
            # "shukriya", "cảm ơn": a short message with a word of thanks is thanks, in
            # languages the act model has seen little of and reads as a question or a nod
            # (tenth black-box test); "thanks bye" stays the goodbye it is.
            return THANKS, 1.0
        if self._params is None:
            return STAYS, 1.0
        p = self._params.model.proba(self._features(text, crisis, certainty)).get(MOVES_ON, 0.0)
        return (MOVES_ON, p) if p >= self._params.moves_on else (STAYS, 1.0 - p)
