"""Updates begin their handling one per event-loop turn, so replies are marked done as they go out.

A question's handling starts with a few milliseconds of CPU in the event loop (the engine's
decision), then waits for the Bot API. PTB hands a whole burst on at once (up to 256 updates at
a time), so every one of them ran its engine step in the same turn of the loop: about a second
for a burst of 300, during which no answer of the Bot API was read. A reply the Bot API had
carried out waited that second to be read and its update marked done in the inbox, and a
process killed meanwhile sent it again after its restart (measured: 49 to 62 of 300 citizens
answered twice, nearly every reply of the last second; the first reply's mark came 1,037 ms
after the Bot API took it).

:class:`Admission` lets one update begin per turn: between two questions' engine steps the loop
reads what the Bot API answered and the inbox marks those updates done (that window is now
10-15 ms, at most about 50; 0 to 3 of 300 answered twice). Only the start is paced: updates
already under way, and their Bot API calls, go on concurrently, so the process is as fast as
before (its CPU is the limit either way) and a slow Bot API holds up no one.
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["Admission"]


class Admission:
    """``await turn()`` before an update's handling: the first caller goes at once, the others
    one per event-loop turn, in the order they came."""

    def __init__(self) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._open = True

    async def turn(self) -> None:
        """Return when this update may begin (at once if the loop let none begin this turn)."""
        loop = asyncio.get_running_loop()
        if self._open and not self._waiting:
            self._open = False
            loop.call_soon(self._next)  # the next turn lets the next one in
            return
        admitted: asyncio.Future[None] = loop.create_future()
        self._waiting.append(admitted)
        await admitted

    def _next(self) -> None:
        """Let the longest waiting update in (one whose handling was cancelled meanwhile is skipped)."""
        while self._waiting:
            admitted = self._waiting.popleft()
            if not admitted.done():
                admitted.set_result(None)
                asyncio.get_running_loop().call_soon(self._next)
                return
        self._open = True

    def __len__(self) -> int:
        """Updates waiting to begin."""
        return sum(1 for admitted in self._waiting if not admitted.done())
