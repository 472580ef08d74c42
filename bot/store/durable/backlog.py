"""A citizen's events (``bot/store/events.py``) on their way to the database, never kept waiting on it.

:meth:`Backlog.write` tries the database, waiting at most ``PATIENCE`` for another process's
write of a moment (a worker of the group; the connection is free meanwhile); when it cannot take
them, the events go to the spool file beside the database (``spool.py``: appended and fsynced,
the events of one loop turn together), so they survive a restart, and whichever process of the
bot finds the database working again writes them, in order, at most once (every event is keyed).
Only when the spool itself is refused (a full disk, or its lock held past a second) do they wait
in memory, bounded, retried, and named at ERROR if dropped or left at shutdown. While events of
this process wait, a new one goes behind them (or they are written first), so a rating never
reaches the database before the answer it rates.

The ids a reply's buttons carry are known before the write (the update's generated key), so the
reply carries its buttons whether the write went to the database or the spool; :meth:`question`
and :meth:`shown` give the handlers an event that waits here (a citizen's press on a button of an
answer not yet written).

Nothing is dropped silently: the first deferral of an outage is logged at ERROR with its cause,
its end at WARNING, a full memory drops its oldest event with an ERROR line each time, and
whatever is still in memory at shutdown is named at ERROR.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Sequence
from enum import Enum
from typing import Any

from bot.store.durable.inbox import apply_spooled
from bot.store.durable.spool import Record, Spool
from bot.store.events import Asked, Chosen, Corrected, Event, Shown, apply_events, event_from_record
from bot.store.store import Refused, Store, StoreError, StoreUnavailable

__all__ = ["PATIENCE", "Backlog", "Kept"]

_LOG = logging.getLogger("sabtyar.store")
#: Seconds a write goes straight behind what waits after the database refused it.
_RETRY_PAUSE = 0.5
#: Seconds an event's write waits for another process's write of a moment (a worker's) before it
#: goes to the spool; a lock held longer is an outage.
PATIENCE = 0.25
#: Seconds a deferral waits for the spool (another process may hold its lock a moment).
_APPEND_SECONDS = 1.0
#: Seconds a closing backlog tries to write what waits while the processes of a group stop.
CLOSE_SECONDS = 2.0


class Kept(Enum):
    """Where :meth:`Backlog.write` put the events."""

    DATABASE = "database"
    SPOOL = "spool"
    """On disk beside the database (fsynced): a citizen may be thanked for it."""
    MEMORY = "memory"
    """Neither the database nor the spool took it: lost if the process ends before they do."""

    @property
    def on_disk(self) -> bool:
        return self is not Kept.MEMORY


class Backlog:
    """One process's way to the database for a citizen's events; ``spool`` is the file shared
    with the inbox (``None``: memory only, as in tests that build the services by hand)."""

    def __init__(
        self,
        capacity: int = 10_000,
        retry_seconds: float = 2.0,
        spool: Spool | None = None,
        close_seconds: float = CLOSE_SECONDS,
    ) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.retry_seconds = retry_seconds
        self.spool = spool
        self.close_seconds = close_seconds
        self._memory: deque[tuple[Event, float]] = deque()
        self._questions: OrderedDict[int, Asked] = OrderedDict()
        self._shown: OrderedDict[int, Shown] = OrderedDict()
        self._batch: list[Record] = []
        self._appending: asyncio.Future[None] | None = None
        self._lock = asyncio.Lock()
        self._outage: str | None = None
        self._refused: str | None = None
        self._in_spool = False
        """Events of this process (or left by a stopped one) are in the spool file."""
        self._retry_at = 0.0
        """A write does not try to catch up before this (the database refused a moment ago: the
        spool is not read again for every citizen of a burst)."""
        """Why the database last refused what waits."""
        self.dropped = 0
        self.written = 0
        self.spooled = 0

    def __len__(self) -> int:
        """Events waiting in memory (those in the spool file are on disk)."""
        return len(self._memory)

    def waiting(self) -> bool:
        """Whether events this process deferred (or a stopped one left, :meth:`load`) wait for
        the database: in memory, or in the spool file until it is replayed (by any process; the
        file is removed then). The inbox's own records in the spool keep nothing waiting here:
        the processes of a group write in turn, and a moment's lock sends those to the spool."""
        if self._memory:
            return True
        if self._in_spool and not (self.spool is not None and self.spool.exists()):
            self._in_spool = False  # replayed (here or by another process)
        return self._in_spool

    async def write(self, store: Store, events: Sequence[Event], *, durable: bool = False) -> Kept:
        """Write ``events`` in one transaction now (``durable``: fsynced), or keep them to write
        later. Another process's write of a moment (a worker of the group) is waited for, up to
        ``PATIENCE``, the connection free meanwhile; a database locked longer, or anything
        already waiting, sends them to the spool at once. ``Refused`` (a forged or foreign press)
        only when the database could say so: with events waiting, those are checked when written."""
        if self.waiting() and time.monotonic() >= self._retry_at:
            await self.catch_up(store)
        if self.waiting():
            cause = self._refused or store.last_refusal or "earlier writes wait for the database"
        else:
            try:
                await store.write_within(lambda db: apply_events(db, events), PATIENCE, durable=durable)
            except StoreUnavailable as error:
                cause = str(error)
            else:
                self._recovered()
                return Kept.DATABASE
        return await self.defer(events, cause)

    async def defer(self, events: Sequence[Event], cause: str) -> Kept:
        """Keep ``events`` to write later: in the spool, else in memory."""
        if self._outage is None:
            self._outage = cause
            where = self.spool.path.name if self.spool is not None else "memory"
            _LOG.error("store unavailable (%s): answering anyway, its writes wait in %s", cause, where)
        for event in events:
            self._index(event)
        if self.spool is not None:
            try:  # bounded: a process frozen while it held the spool's lock must not stop a reply
                await asyncio.wait_for(self._append([event.record() for event in events]), _APPEND_SECONDS)
            except (OSError, TimeoutError) as error:
                why = str(error) or "its lock held by another process"
                _LOG.error("the spool refused %d events too (%s): they wait in memory", len(events), why)
            else:
                self.spooled += len(events)
                self._in_spool = True
                return Kept.SPOOL
        for event in events:
            self._keep_in_memory(event)
        return Kept.MEMORY

    def question(self, question_id: int) -> Asked | None:
        """A question asked here that waits for the database."""
        return self._questions.get(question_id)

    def shown(self, event_id: int) -> Shown | None:
        """An answer shown here that waits for the database."""
        return self._shown.get(event_id)

    async def catch_up(self, store: Store) -> int:
        """Write what waits (the spool, then memory), oldest first, until the database refuses;
        the number of events written from memory (the spool says its own count)."""
        async with self._lock:
            if self.spool is not None and self.spool.exists():

                async def apply(records: list[Record]) -> None:
                    await store.write_now(lambda db: apply_spooled(db, records))

                try:
                    await self.spool.replay(apply)
                except StoreError as error:
                    self._refused = str(error)
                    self._retry_at = time.monotonic() + _RETRY_PAUSE
                    return 0
                if not self.spool.exists():
                    self._in_spool = False
            done = 0
            while self._memory:
                event = self._memory[0][0]
                try:
                    await store.write_now(event.apply)
                except StoreUnavailable as error:
                    self._refused = str(error)
                    self._retry_at = time.monotonic() + _RETRY_PAUSE
                    break
                except (Refused, StoreError, ValueError) as error:
                    self._memory.popleft()
                    self.dropped += 1
                    _LOG.error("a deferred %s can never be written and is dropped: %s", event.label, error)
                    continue
                self._memory.popleft()
                done += 1
            self.written += done
            if done:
                _LOG.warning("store available again: wrote %d deferred writes, %d waiting", done, len(self))
            if not self.waiting():
                self._recovered()
            return done

    async def run(self, store: Store) -> None:
        """Write what waits every ``retry_seconds``; runs until cancelled."""
        while True:
            await asyncio.sleep(self.retry_seconds)
            if self.waiting():
                try:
                    await self.catch_up(store)
                except Exception:
                    _LOG.exception("writing the deferred events failed; trying again")

    async def close(self, store: Store) -> None:
        """A last attempt at shutdown; what memory still holds goes to the spool (for the next
        start), else is named at ERROR (it is lost)."""
        if self._appending is not None:
            with contextlib.suppress(OSError):
                await asyncio.shield(self._appending)
        deadline = time.monotonic() + self.close_seconds
        while self.waiting() and time.monotonic() < deadline:  # the group's processes stop together
            await self.catch_up(store)
            if self.waiting():
                await asyncio.sleep(0.05)
        if self._memory and self.spool is not None:
            events = [event for event, _since in self._memory]
            try:
                await asyncio.to_thread(self.spool.append, [event.record() for event in events])
            except OSError:
                pass
            else:
                self._memory.clear()
        if self._memory:
            labels = ", ".join(event.label for event, _since in list(self._memory)[:20])
            _LOG.error("shutting down with %d writes the store never took: %s", len(self), labels)

    def load(self, records: Sequence[Record]) -> None:
        """Know the events of ``records`` (a spool written before a restart) as waiting."""
        for record in records:
            try:
                self._index(event_from_record(record))
                self._in_spool = True
            except (KeyError, TypeError, ValueError):
                continue

    # ---------------------------------------------------------------------------------------------

    def _recovered(self) -> None:
        self._refused = None
        if self._outage is not None:
            self._outage = None
            _LOG.warning("store available again: the deferred writes are written")

    def _index(self, event: Event) -> None:
        if isinstance(event, Asked) and event.id is not None:
            _bounded(self._questions, event.id, event, self.capacity)
        shown: Any = event
        if isinstance(event, Chosen | Corrected):
            shown = Shown.from_record(event.shown)
        if isinstance(shown, Shown) and shown.id is not None:
            _bounded(self._shown, shown.id, shown, self.capacity)

    def _keep_in_memory(self, event: Event) -> None:
        if len(self._memory) >= self.capacity:
            lost, since = self._memory.popleft()
            self.dropped += 1
            _LOG.error(
                "store backlog full (%d writes): dropped the oldest, %s, waiting %.0f s (%d dropped so far)",
                self.capacity,
                lost.label,
                time.monotonic() - since,
                self.dropped,
            )
        self._memory.append((event, time.monotonic()))

    async def _append(self, records: list[Record]) -> None:
        """Append ``records`` to the spool with the others of this loop turn (one fsync)."""
        self._batch.extend(records)
        if self._appending is None:
            self._appending = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().create_task(self._append_batch(self._appending))
        await asyncio.shield(self._appending)

    async def _append_batch(self, done: asyncio.Future[None]) -> None:
        await asyncio.sleep(0)
        batch, self._batch, self._appending = self._batch, [], None
        assert self.spool is not None
        try:
            await asyncio.to_thread(self.spool.append, batch)
        except OSError as error:
            done.set_exception(error)
        else:
            done.set_result(None)


def _bounded[K, V](table: OrderedDict[K, V], key: K, value: V, capacity: int) -> None:
    table[key] = value
    table.move_to_end(key)
    while len(table) > capacity:
        table.popitem(last=False)
