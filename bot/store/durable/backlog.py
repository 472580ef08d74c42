"""Writes the store could not take (locked past its timeout, read-only, disk full), kept to retry.

A citizen whose question arrives while the store is unavailable still gets the answer; the
question's event waits here, in memory and in arrival order, and a background task writes it once
the store works again. Every write is idempotent (``update_key``), so a retry after an unclear
failure never counts twice. Nothing is dropped silently: the first failure is logged at ERROR
with its cause, a full backlog drops its oldest write with an ERROR line each time, recovery is
logged with the count written, and whatever is still waiting at shutdown is named at ERROR.

Ratings and comments do not come here: a citizen is thanked only for what is on disk, so a rating
the store refuses is answered with an apology instead (see ``handlers/asking/ratings.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.store.store import Store, StoreUnavailable

__all__ = ["Backlog", "PendingWrite"]

_LOG = logging.getLogger("sabtyar.store")

Write = Callable[[Store], Awaitable[object]]


@dataclass(frozen=True)
class PendingWrite:
    """One deferred write: ``label`` names it in logs (never with personal data)."""

    label: str
    write: Write
    since: float = field(default_factory=time.monotonic)


class Backlog:
    """A bounded FIFO of writes waiting for the store, and the task that retries them."""

    def __init__(self, capacity: int = 10_000, retry_seconds: float = 2.0) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.retry_seconds = retry_seconds
        self._pending: deque[PendingWrite] = deque()
        self._lock = asyncio.Lock()
        self.dropped = 0
        self.written = 0

    def __len__(self) -> int:
        return len(self._pending)

    def defer(self, label: str, write: Write, cause: BaseException) -> None:
        """Keep ``write`` for later; ``cause`` is the store's failure (logged on the first deferral)."""
        if not self._pending:
            _LOG.error("store unavailable (%s): keeping its writes in memory to retry", cause)
        if len(self._pending) >= self.capacity:
            lost = self._pending.popleft()
            self.dropped += 1
            _LOG.error(
                "store backlog full (%d writes): dropped the oldest, %s, waiting %.0f s (%d dropped so far)",
                self.capacity,
                lost.label,
                time.monotonic() - lost.since,
                self.dropped,
            )
        self._pending.append(PendingWrite(label, write))

    async def flush(self, store: Store) -> int:
        """Write what waits, oldest first, until the store fails again; the number written."""
        async with self._lock:
            done = 0
            while self._pending:
                try:
                    await self._pending[0].write(store)
                except StoreUnavailable:
                    break
                except Exception:
                    # Not an availability problem: this write can never succeed; say so, go on.
                    lost = self._pending.popleft()
                    self.dropped += 1
                    _LOG.exception("a deferred write failed for good and is dropped: %s", lost.label)
                    continue
                self._pending.popleft()
                done += 1
            self.written += done
            if done:
                _LOG.warning("store available again: wrote %d deferred writes, %d waiting", done, len(self))
            return done

    async def run(self, store: Store) -> None:
        """Retry every ``retry_seconds`` while anything waits; runs until cancelled."""
        while True:
            await asyncio.sleep(self.retry_seconds)
            if self._pending:
                await self.flush(store)

    async def close(self, store: Store) -> None:
        """A last attempt at shutdown; whatever still waits is named at ERROR (it is lost)."""
        if self._pending:
            await self.flush(store)
        if self._pending:
            labels = ", ".join(write.label for write in list(self._pending)[:20])
            _LOG.error("shutting down with %d writes the store never took: %s", len(self), labels)
