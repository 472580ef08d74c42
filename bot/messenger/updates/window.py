"""The send window: at most N updates whose new message may have reached the citizen unconfirmed.

A process killed (``kill -9``, the OOM killer, a frozen worker replaced) hands its unfinished
updates on again: at the next start from the inbox, or to the worker that replaces it. An update
whose message the Bot API carried out, but whose done mark the process had not yet recorded (in
the database or the spool file) when it died, is then answered a second time. Such a message is
*unconfirmed*: from the moment its request may be written to the Bot API until the update's done
mark is recorded (``bot/store/durable/inbox.py``, ``Inbox.on_recorded``).

:class:`SendWindow` bounds them: an update takes a place before its first new message's request
(``MESSAGE_METHODS`` in ``application.py``: a message sent, copied or forwarded; an edit or a
button's answer made again changes nothing the citizen sees) and gives it back once its mark is
recorded; while ``size`` updates hold one, the next first message waits (in the order they
came). So a killed process repeats at most ``size`` messages (``[general]
unconfirmed_replies``), and never loses one. The rest of an update's replies go out on the place
it holds, and its handling before that (the engine's decision) never waits.

The price is throughput against a distant Bot API: a place is held for about one round trip (a
question's answer), so one process sends at most ``size`` new messages per round trip (10
places: 200/s at 50 ms, 100/s at 100 ms, 33/s at 300 ms; Telegram and Bale allow about 30
messages/s per bot).
"""

from __future__ import annotations

import asyncio
from collections import deque

__all__ = ["SendWindow"]


class SendWindow:
    """At most ``size`` places held at once (``None``: no bound): :meth:`take`, :meth:`give_back`."""

    def __init__(self, size: int | None) -> None:
        if size is not None and size < 1:
            raise ValueError(f"a send window needs at least one place, not {size}")
        self.size = size
        self.held = 0
        self.most_held = 0
        """The most places held at once since start (what a kill could have repeated)."""
        self._waiting: deque[asyncio.Future[None]] = deque()

    def take(self) -> asyncio.Future[None] | None:
        """A place: ``None`` when taken at once, else a future done when it is given (the caller
        holds it from then; a future cancelled before that never holds one)."""
        if self.size is None or (self.held < self.size and not self._waiting):
            self._hold()
            return None
        given: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(given)
        return given

    def give_back(self) -> None:
        """Free a place: the longest waiting taker (not cancelled) holds it now."""
        self.held -= 1
        while self._waiting:
            given = self._waiting.popleft()
            if not given.done():
                self._hold()
                given.set_result(None)
                return

    def _hold(self) -> None:
        self.held += 1
        self.most_held = max(self.most_held, self.held)

    def __len__(self) -> int:
        """Takers waiting for a place."""
        return sum(1 for given in self._waiting if not given.done())
