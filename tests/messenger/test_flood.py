"""Flood control: one warning, then silence until the window passes; other citizens unaffected."""

from __future__ import annotations

from bot.messenger.flood import FloodGate, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_warning_then_silence_until_the_window_passes() -> None:
    clock = Clock()
    gate = FloodGate(3, 10.0, clock)
    assert [gate.check("ali") for _ in range(3)] == [Verdict.ALLOW] * 3
    assert gate.check("ali") is Verdict.WARN
    assert [gate.check("ali") for _ in range(5)] == [Verdict.DROP] * 5
    assert gate.check("sara") is Verdict.ALLOW  # others are not slowed
    clock.now += 9.9
    assert gate.check("ali") is Verdict.DROP
    clock.now += 0.2
    assert gate.check("ali") is Verdict.ALLOW


def test_sliding_window_lets_a_steady_citizen_through() -> None:
    clock = Clock()
    gate = FloodGate(2, 1.0, clock)
    for _ in range(20):
        assert gate.check(7) is Verdict.ALLOW
        clock.now += 0.6


def test_idle_users_are_forgotten() -> None:
    clock = Clock()
    gate = FloodGate(5, 1.0, clock)
    for user in range(1500):
        gate.check(user)
        clock.now += 0.01
    assert len(gate) < 1500
