"""Per-user flood control over a sliding window."""

from __future__ import annotations

import pytest

from bot.telegram.flood import FloodGate, Verdict

ALLOW, NOTICE, DROP = Verdict.ALLOW, Verdict.NOTICE, Verdict.DROP


def verdicts(gate: FloodGate, user: int, times: list[float]) -> list[Verdict]:
    return [gate.check(user, t) for t in times]


def test_up_to_the_limit_is_allowed() -> None:
    assert verdicts(FloodGate(3), 1, [0, 1, 2]) == [ALLOW] * 3


def test_over_the_limit_gets_one_notice_then_silence() -> None:
    assert verdicts(FloodGate(3), 1, [0, 1, 2, 3, 4, 5]) == [ALLOW] * 3 + [NOTICE, DROP, DROP]


def test_the_window_slides() -> None:
    assert verdicts(FloodGate(2, window=60), 1, [0, 10, 20, 60, 61]) == [
        ALLOW, ALLOW, NOTICE, ALLOW, NOTICE]


def test_dropped_messages_do_not_extend_the_block() -> None:
    gate = FloodGate(1, window=60)
    verdicts(gate, 1, [0, 1, 30, 59])
    assert gate.check(1, 60) == ALLOW


def test_users_are_counted_apart() -> None:
    gate = FloodGate(1)
    assert (verdicts(gate, 1, [0, 1]), gate.check(2, 1)) == ([ALLOW, NOTICE], ALLOW)


def test_idle_users_are_forgotten() -> None:
    gate = FloodGate(5, window=60)
    for user in range(100):
        gate.check(user, 0.0)
    gate.check(1000, 61.0)
    assert len(gate) == 1


def test_users_are_capped() -> None:
    gate = FloodGate(5, window=60, max_users=10)
    for user in range(50):
        gate.check(user, float(user) / 100)
    assert len(gate) == 10


@pytest.mark.parametrize(("limit", "window", "users"), [(0, 60, 1), (1, 0, 1), (1, 60, 0)],
                         ids=["limit", "window", "users"])
def test_parameters_must_be_positive(limit: int, window: float, users: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        FloodGate(limit, window, users)
