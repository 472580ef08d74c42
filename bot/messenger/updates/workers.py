"""``[general] workers = N``: one polling process and N worker processes, to use every core.

One Python process handles updates on one core (the Bot API calls, PTB's objects and the engine
cost about 3 ms of CPU per update). With ``workers`` above 1, ``sabtyar run`` builds the engine
once, forks the workers (which share its memory copy-on-write), and stays as the parent: it polls
``getUpdates`` for every platform (``bot/messenger/updates/poller.py``), records each batch in the inbox
(``bot/messenger/inbox.py``, its own store connection) and hands each update to the worker that
owns its user (``bot/messenger/updates/feed.py``). Each worker is an ordinary sabtyar process
without PTB's updater: its own Applications, store connection (SQLite in WAL mode takes writers
from several processes), backlog and flood gate; it marks its updates done in the inbox and
reloads the knowledge when another worker changed it (``LiveEngine.follow``).

A worker that dies is logged at ERROR and replaced by a new fork, and the updates it had been
given and not finished are handed to the new one. Each worker sends a heartbeat byte every
second on its feed; one silent for ``FROZEN_SECONDS`` (its event loop stuck) is logged, killed
and replaced the same way. More than ``MAX_REPLACEMENTS`` replacements within a minute (a worker
that cannot start) stop the group with exit status 1.

Stopping: SIGTERM or SIGINT to the parent stops polling (confirming the updates recorded),
closes the feeds and sends SIGTERM to the workers, which finish their updates in flight and
close their stores; any worker still running after ``STOP_SECONDS`` is killed.
Long polling only: a webhook platform cannot be shared by workers (refused by ``bot/settings.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.messenger.platforms import PlatformSettings
from bot.messenger.updates.feed import encode_update, shard_of
from bot.messenger.updates.poller import Deliver, Poller
from bot.store import Store, StoreError
from bot.store.durable.inbox import Inbox, bot_id_of
from bot.store.durable.spool import Spool, spool_path
from bot.store.privacy import Sealer

__all__ = ["FROZEN_SECONDS", "MAX_REPLACEMENTS", "STOP_SECONDS", "feed_to", "run_workers"]

_LOG = logging.getLogger("sabtyar.workers")
#: Seconds the workers get to finish after SIGTERM before they are killed.
STOP_SECONDS = 8.0
#: Seconds without a heartbeat after which a worker counts as frozen.
FROZEN_SECONDS = 10.0
#: Replacements within a minute after which the group gives up.
MAX_REPLACEMENTS = 5
#: Longest wait for a worker to take a batch; a worker that does not is left to the watchdog.
_HAND_ON_SECONDS = 5.0

ServeWorker = Callable[[Mapping[str, socket.socket]], int]
Pairs = dict[str, tuple[socket.socket, socket.socket]]


def feed_to(outlets: Sequence[asyncio.StreamWriter]) -> Deliver:
    """A poller's ``deliver`` writing each update to the outlet of its user's worker (no inbox)."""

    async def deliver(batch: list[dict[str, Any]]) -> None:
        for update in batch:
            outlets[shard_of(update, len(outlets))].write(encode_update(update))
        await asyncio.wait_for(asyncio.gather(*(o.drain() for o in outlets)), _HAND_ON_SECONDS)

    return deliver


def _fork(index: int, pairs: Pairs, close: Sequence[socket.socket], serve: ServeWorker) -> int:
    """Fork worker ``index`` on ``pairs`` (per platform: parent end, child end)."""
    pid = os.fork()
    if pid:
        for _, child_end in pairs.values():
            child_end.close()
        return pid
    code = 1
    try:
        asyncio.events._set_running_loop(None)  # forked from the parent's running loop: a new one
        for sock in close:
            sock.close()
        for parent_end, _ in pairs.values():
            parent_end.close()
        code = serve({name: child_end for name, (_, child_end) in pairs.items()})
    except BaseException:
        _LOG.exception("worker %d failed", index)
    finally:
        logging.shutdown()
        os._exit(code)


def run_workers(
    platforms: Sequence[PlatformSettings],
    count: int,
    serve: ServeWorker,
    *,
    store_path: Path,
    sealer: Sealer | None = None,
    allowed_updates: Sequence[str],
    poll_timeout: int,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> int:
    """Fork ``count`` workers running ``serve(feeds)``, poll for them until stopped; the exit status."""
    group = _Group(platforms, count, serve, store_path, allowed_updates, poll_timeout)
    group.sealer = sealer
    for index in range(count):
        group.start_worker(index)
    _LOG.info("polling for %d workers: %s", count, ", ".join(map(str, group.pids)))
    return asyncio.run(group.supervise(), loop_factory=loop_factory)


class _Group:
    """The parent's view of its workers: their pids, feeds, heartbeats and the inboxes."""

    def __init__(
        self,
        platforms: Sequence[PlatformSettings],
        count: int,
        serve: ServeWorker,
        store_path: Path,
        allowed_updates: Sequence[str],
        poll_timeout: int,
    ) -> None:
        self.platforms = platforms
        self.count = count
        self.serve = serve
        self.store_path = store_path
        self.allowed_updates = allowed_updates
        self.poll_timeout = poll_timeout
        self.pids = [0] * count
        self.pairs: list[Pairs] = [{} for _ in range(count)]
        self.writers: dict[tuple[str, int], asyncio.StreamWriter] = {}
        self.beats = [time.monotonic()] * count
        self.replaced: list[float] = []
        self.inboxes: dict[str, Inbox] = {}
        self.store: Store | None = None
        self.sealer: Sealer | None = None
        self.stop = asyncio.Event()
        self.failed = False
        self.listening: list[asyncio.Task[None]] = []

    def start_worker(self, index: int) -> None:
        pairs = {p.name: socket.socketpair() for p in self.platforms}
        others = [end for i, old in enumerate(self.pairs) if i != index for end, _ in old.values()]
        self.pairs[index] = pairs
        self.pids[index] = _fork(index, pairs, others, self.serve)
        self.beats[index] = time.monotonic()

    async def connect(self, index: int) -> None:
        for name, (parent_end, _) in self.pairs[index].items():
            reader, writer = await asyncio.open_unix_connection(sock=parent_end)
            self.writers[(name, index)] = writer
            self.listening.append(asyncio.create_task(self._listen(index, reader)))

    async def _listen(self, index: int, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(ConnectionError):
            while await reader.read(256):
                self.beats[index] = time.monotonic()

    def deliver_for(self, platform: str) -> Deliver:
        inbox = self.inboxes[platform]

        async def deliver(batch: list[dict[str, Any]]) -> None:
            self.hand_on(platform, await inbox.accept(batch))
            outlets = [w for (name, _), w in self.writers.items() if name == platform]
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(asyncio.gather(*(o.drain() for o in outlets)), _HAND_ON_SECONDS)
            await inbox.settle()

        return deliver

    def hand_on(self, platform: str, updates: list[dict[str, Any]], only: int | None = None) -> None:
        for update in updates:
            index = shard_of(update, self.count)
            if only is not None and index != only:
                continue
            writer = self.writers[(platform, index)]
            if not writer.is_closing():  # a dead worker's updates wait in the inbox for its successor
                writer.write(encode_update(update))

    async def supervise(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop.set)
        try:
            self.store = await Store.open(self.store_path)
        except StoreError as error:
            _LOG.error("the polling process cannot open the store (%s): the inbox goes to the spool", error)
        spool = Spool(spool_path(self.store_path))
        pollers = []
        for platform in self.platforms:
            assert platform.token is not None
            bot_id = bot_id_of(platform.token.reveal())
            inbox = Inbox(lambda: self.store, spool, platform.name, bot_id, self.sealer)
            self.inboxes[platform.name] = inbox
        for index in range(self.count):
            await self.connect(index)
        for platform in self.platforms:
            self.hand_on(platform.name, await self.inboxes[platform.name].start())
            pollers.append(
                Poller(platform, self.deliver_for(platform.name), self.allowed_updates, self.poll_timeout)
            )
        watching = asyncio.create_task(self._watch())
        spooling = [asyncio.create_task(inbox.run()) for inbox in self.inboxes.values()]
        polling = [asyncio.create_task(_poll(poller, self.stop)) for poller in pollers]
        await self.stop.wait()
        polled_well = all(await asyncio.gather(*polling))
        for task in [watching, *spooling, *self.listening]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for writer in self.writers.values():  # the workers see the end of their feeds
            writer.close()
        exited: dict[int, int] = {}
        await asyncio.to_thread(_stop_children, list(self.pids), exited)
        for inbox in self.inboxes.values():
            await inbox.settle()
        if self.store is not None:
            await self.store.close()
        failed = self.failed or not polled_well or any(poller.rejected for poller in pollers)
        return 1 if failed or any(code != 0 for code in exited.values()) else 0

    async def _watch(self) -> None:
        """Replace a worker that died or froze."""
        while True:
            await asyncio.sleep(0.2)
            for index, pid in enumerate(self.pids):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    code = os.waitstatus_to_exitcode(status)
                    _LOG.error("worker %d ended on its own (status %d): replacing it", pid, code)
                    await self._replace(index)
                elif time.monotonic() - self.beats[index] > FROZEN_SECONDS:
                    _LOG.error(
                        "worker %d frozen (no heartbeat for %.0f s): killing and replacing it",
                        pid,
                        FROZEN_SECONDS,
                    )
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    await self._replace(index)

    async def _replace(self, index: int) -> None:
        now = time.monotonic()
        self.replaced = [t for t in self.replaced if now - t < 60] + [now]
        if len(self.replaced) > MAX_REPLACEMENTS:
            _LOG.error("%d workers replaced within a minute: stopping", len(self.replaced))
            self.failed = True
            self.stop.set()
            self.pids[index] = os.getpid()  # nothing left to wait for
            return
        for platform in self.platforms:
            old = self.writers.pop((platform.name, index), None)
            if old is not None:
                old.close()
        self.start_worker(index)
        await self.connect(index)
        _LOG.warning("worker %d replaced by %d", index, self.pids[index])
        for name, inbox in self.inboxes.items():
            await inbox.settle()
            try:
                updates = await inbox.unfinished()
            except StoreError as error:
                _LOG.error("cannot read the inbox to replay a dead worker's updates: %s", error)
                continue
            self.hand_on(name, updates, only=index)
            if updates:
                _LOG.warning("%s: %d updates of the dead worker handed on again", name, len(updates))


async def _poll(poller: Poller, stop: asyncio.Event) -> bool:
    """Run one poller; whatever ends it (also a bug, a worker's closed socket) stops the group."""
    try:
        await poller.run(stop)
        return True
    except Exception:
        _LOG.exception("%s: polling failed: stopping", poller.platform.name)
        return False
    finally:
        stop.set()


def _stop_children(running: list[int], exited: dict[int, int]) -> None:
    me = os.getpid()
    running = [pid for pid in running if pid != me]
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    waiting = list(running)
    while waiting and time.monotonic() < deadline:
        for pid in list(waiting):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                waiting.remove(pid)
                continue
            if done:
                exited[pid] = os.waitstatus_to_exitcode(status)
                waiting.remove(pid)
        time.sleep(0.05)
    for pid in waiting:
        _LOG.error("worker %d did not stop within %.0f s: killed", pid, STOP_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        exited[pid] = -signal.SIGKILL
