"""Per-user flood control: a sliding window of messages, one warning, then silence.

A citizen may send ``messages`` messages in any ``window`` seconds. The next one is answered
with one polite "slow down" (``WARN``); everything after it is dropped silently (``DROP``)
until ``window`` seconds have passed since the warning. Each citizen has their own window,
so one citizen's flood never slows another.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["FloodGate", "Verdict"]


class Verdict(StrEnum):
    ALLOW = "allow"
    WARN = "warn"
    DROP = "drop"


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    muted_until: float = 0.0


class FloodGate:
    """Decides per message; ``clock`` is injectable for tests (default ``time.monotonic``)."""

    def __init__(self, messages: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        if messages < 1 or window <= 0:
            raise ValueError("flood control needs messages >= 1 and window > 0")
        self.messages = messages
        self.window = window
        self._clock = clock
        self._users: dict[Hashable, _Window] = {}
        self._checks = 0

    def check(self, user: Hashable) -> Verdict:
        """Count one message from ``user`` and say what to do with it."""
        now = self._clock()
        self._checks += 1
        if self._checks % 1024 == 0:
            self._forget_idle(now)
        state = self._users.setdefault(user, _Window())
        if now < state.muted_until:
            return Verdict.DROP
        if state.muted_until:
            state.muted_until = 0.0
            state.times.clear()
        while state.times and state.times[0] <= now - self.window:
            state.times.popleft()
        if len(state.times) >= self.messages:
            state.muted_until = now + self.window
            return Verdict.WARN
        state.times.append(now)
        return Verdict.ALLOW

    def _forget_idle(self, now: float) -> None:
        idle = [
            user
            for user, state in self._users.items()
            if now >= state.muted_until and (not state.times or state.times[-1] <= now - self.window)
        ]
        for user in idle:
            del self._users[user]

    def __len__(self) -> int:
        return len(self._users)
