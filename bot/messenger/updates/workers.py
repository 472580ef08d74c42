"""``[general] workers = N``: one polling process and N worker processes, to use every core.

One Python process handles updates on one core (the Bot API calls, PTB's objects and the engine
cost about 3 ms of CPU per update). With ``workers`` above 1, ``sabtyar run`` builds the engine
once, forks the workers (which share its memory copy-on-write), and stays as the parent: it polls
``getUpdates`` for every platform (``bot/messenger/updates/poller.py``), records each batch in the inbox
(``bot/store/durable/inbox.py``, its own store connection) and hands each update to the worker that
owns its user (``bot/messenger/updates/feed.py``). Each worker is an ordinary sabtyar process
without PTB's updater: its own Applications, store connection (SQLite in WAL mode takes writers
from several processes), backlog and flood gate; it marks its updates done in the inbox and
reloads the knowledge when another worker changed it (``LiveEngine.follow``).

Each worker reports back, on its feed's socket, a heartbeat every second, the id of every
update whose first reply the Bot API accepted, of every update it finished (its replies sent)
and of every done mark it recorded
(``bot/messenger/updates/reports.py``). The parent keeps, in memory, each worker slot's updates
handed on and not yet reported (``outstanding.py``). A worker that dies is logged at ERROR and
replaced by a new fork, which is handed every update not finished, whether it reached the dead
worker, was written into its socket after it died, or was recorded in the spool file rather
than the database (replaying from the database alone missed those); the parent marks done
those finished whose mark the dead worker had not written. A worker silent for
``FROZEN_SECONDS`` (its event loop stuck) is logged, killed (so it can never finish late beside
its replacement) and replaced the same way. An update whose reply the Bot API had carried out
when the worker died, before the worker read the answer, is answered twice; nothing is lost.
More than ``MAX_REPLACEMENTS`` replacements within a minute (a worker that cannot start) stop
the group with exit status 1. The store's migrations run before the first fork, so workers
starting on a new database never race to create its tables.

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.messenger.platforms import PlatformSettings
from bot.messenger.updates.feed import encode_update, shard_of
from bot.messenger.updates.outstanding import Outstanding
from bot.messenger.updates.poller import Deliver, Poller
from bot.messenger.updates.reports import ANSWERED, FINISHED, read_report
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
#: Longest wait for the last reports of a worker that died, before its replacement is handed the rest.
_LAST_REPORTS_SECONDS = 1.0

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
    frozen_seconds: float = FROZEN_SECONDS,
) -> int:
    """Fork ``count`` workers running ``serve(feeds)``, poll for them until stopped; the exit status."""
    asyncio.run(_migrate(store_path))  # before the forks: the workers never race to create tables
    group = _Group(platforms, count, serve, store_path, allowed_updates, poll_timeout)
    group.sealer = sealer
    group.frozen_seconds = frozen_seconds
    for index in range(count):
        group.start_worker(index, Outstanding())
    _LOG.info("polling for %d workers: %s", count, ", ".join(map(str, group.pids)))
    return asyncio.run(group.supervise(), loop_factory=loop_factory)


async def _migrate(store_path: Path) -> None:
    """Open the store once (applying its migrations) and close it; a store that cannot be opened is
    left to the polling process and the workers, which say so."""
    with contextlib.suppress(StoreError):
        store = await Store.open(store_path)
        await store.close()


@dataclass(eq=False)
class _Worker:
    """One worker process as the polling process sees it."""

    index: int
    pid: int
    pairs: Pairs
    outstanding: Outstanding
    """Its slot's updates handed on and not reported finished (carried over to a replacement)."""
    writers: dict[str, asyncio.StreamWriter] = field(default_factory=dict)
    listening: list[asyncio.Task[None]] = field(default_factory=list)
    beat: float = field(default_factory=time.monotonic)


class _Group:
    """The parent's view of its workers: their processes, feeds, heartbeats, outstanding updates
    and the inboxes."""

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
        self.frozen_seconds = FROZEN_SECONDS
        self.workers: list[_Worker] = []
        self.replaced: list[float] = []
        self.inboxes: dict[str, Inbox] = {}
        self.store: Store | None = None
        self.sealer: Sealer | None = None
        self.stop = asyncio.Event()
        self.failed = False

    @property
    def pids(self) -> list[int]:
        """The running workers' process ids (a slot given up on has none)."""
        return [worker.pid for worker in self.workers if worker.pid]

    def start_worker(self, index: int, outstanding: Outstanding) -> _Worker:
        """Fork the worker of slot ``index``; from now on it is the one updates are handed to."""
        pairs = {p.name: socket.socketpair() for p in self.platforms}
        # the child keeps none of the polling process's ends (also those of a worker it replaces)
        others = [end for old in self.workers for end, _ in old.pairs.values()]
        worker = _Worker(index, _fork(index, pairs, others, self.serve), pairs, outstanding)
        if index < len(self.workers):
            self.workers[index] = worker
        else:
            self.workers.append(worker)
        return worker

    async def connect(self, worker: _Worker) -> int:
        """Open ``worker``'s feeds, then hand it every update of its slot still outstanding (none
        for a new group; a dead worker's for its replacement); how many."""
        writers = {}
        readers = {}
        for name, (parent_end, _) in worker.pairs.items():
            readers[name], writers[name] = await asyncio.open_unix_connection(sock=parent_end)
        # no await from here on: an update handed on meanwhile waits in ``outstanding``, once
        worker.writers = writers
        worker.listening = [
            asyncio.create_task(self._listen(worker, name, reader)) for name, reader in readers.items()
        ]
        handed = 0
        for name, writer in writers.items():
            for update in worker.outstanding.of(name):
                writer.write(encode_update(update))
                handed += 1
        return handed

    async def _listen(self, worker: _Worker, platform: str, reader: asyncio.StreamReader) -> None:
        """Read ``worker``'s heartbeats and reports, until its end of the feed closes."""
        with contextlib.suppress(ConnectionError, ValueError):
            while line := await reader.readline():
                worker.beat = time.monotonic()
                report = read_report(line)
                if report is None:
                    continue
                if report.kind in (ANSWERED, FINISHED):
                    worker.outstanding.finish(platform, report.update_id, report.replies)
                else:
                    worker.outstanding.recorded(platform, report.update_id)

    def deliver_for(self, platform: str) -> Deliver:
        inbox = self.inboxes[platform]

        async def deliver(batch: list[dict[str, Any]]) -> None:
            self.hand_on(platform, await inbox.accept(batch, at_once=True))
            outlets = [w.writers[platform] for w in self.workers if platform in w.writers]
            with contextlib.suppress(TimeoutError, ConnectionError):
                await asyncio.wait_for(asyncio.gather(*(o.drain() for o in outlets)), _HAND_ON_SECONDS)
            await inbox.settle()

        return deliver

    def hand_on(self, platform: str, updates: list[dict[str, Any]]) -> None:
        """Give each update to its user's worker; it stays outstanding until the worker reports it."""
        for update in updates:
            worker = self.workers[shard_of(update, self.count)]
            worker.outstanding.add(platform, update)
            writer = worker.writers.get(platform)
            if writer is not None and not writer.is_closing():  # else its replacement gets it
                writer.write(encode_update(update))

    async def supervise(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop.set)
        try:  # a database that cannot be used now is opened later; the inbox goes to the spool
            self.store = await Store.open_serving(self.store_path)
        except StoreError as error:
            _LOG.error("the polling process cannot open the store (%s): the inbox goes to the spool", error)
        spool = Spool(spool_path(self.store_path))
        pollers = []
        for platform in self.platforms:
            assert platform.token is not None
            bot_id = bot_id_of(platform.token.reveal())
            inbox = Inbox(lambda: self.store, spool, platform.name, bot_id, self.sealer)
            self.inboxes[platform.name] = inbox
        for worker in self.workers:
            await self.connect(worker)
        for platform in self.platforms:
            self.hand_on(platform.name, await self.inboxes[platform.name].start())
            pollers.append(
                Poller(platform, self.deliver_for(platform.name), self.allowed_updates, self.poll_timeout)
            )
        watching = asyncio.create_task(self._watch())
        keeping = [asyncio.create_task(self.store.keep())] if self.store is not None else []
        spooling = [asyncio.create_task(inbox.run()) for inbox in self.inboxes.values()]
        polling = [asyncio.create_task(_poll(poller, self.stop)) for poller in pollers]
        await self.stop.wait()
        polled_well = all(await asyncio.gather(*polling))
        listening = [task for worker in self.workers for task in worker.listening]
        for task in [watching, *keeping, *spooling, *listening]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for worker in self.workers:  # the workers see the end of their feeds
            for writer in worker.writers.values():
                writer.close()
        exited: dict[int, int] = {}
        await asyncio.to_thread(_stop_children, self.pids, exited)
        for inbox in self.inboxes.values():
            await inbox.close()  # the batches recorded, the marks written for dead workers
        if self.store is not None:
            await self.store.close()
        stopped_badly = {pid: code for pid, code in exited.items() if code != 0}
        for pid, code in stopped_badly.items():
            _LOG.error("worker %d stopped with status %d", pid, code)
        failed = self.failed or not polled_well or any(poller.rejected for poller in pollers)
        if failed:
            _LOG.error("polling ended with a failure (a poll failed or the platform rejected the token)")
        return 1 if failed or stopped_badly else 0

    async def _watch(self) -> None:
        """Replace a worker that died or froze."""
        while True:
            await asyncio.sleep(0.2)
            for worker in list(self.workers):
                if not worker.pid or self.stop.is_set():
                    continue
                done, status = os.waitpid(worker.pid, os.WNOHANG)
                if done:
                    code = os.waitstatus_to_exitcode(status)
                    _LOG.error("worker %d ended on its own (status %d): replacing it", worker.pid, code)
                    await self._replace(worker)
                elif time.monotonic() - worker.beat > self.frozen_seconds:
                    _LOG.error(
                        "worker %d frozen (no heartbeat for %.0f s): killing and replacing it",
                        worker.pid,
                        self.frozen_seconds,
                    )
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(worker.pid, signal.SIGKILL)
                    await asyncio.to_thread(os.waitpid, worker.pid, 0)
                    await self._replace(worker)

    async def _replace(self, old: _Worker) -> None:
        """Fork a new worker for ``old``'s slot and hand it every update ``old`` had not finished."""
        if old.listening:  # the reports it wrote before it died (its end is closed: they end soon)
            await asyncio.wait(old.listening, timeout=_LAST_REPORTS_SECONDS)
        for task in old.listening:
            task.cancel()
        for writer in old.writers.values():
            writer.close()
        old.writers = {}
        old.pid = 0
        marked = 0
        for name, inbox in self.inboxes.items():  # finished, and the dead worker wrote no mark yet
            for update_id, replies in old.outstanding.take_unmarked(name).items():
                inbox.done(update_id, replies)
                marked += 1
        if marked:
            _LOG.warning("%d updates the replaced worker had finished marked done for it", marked)
        now = time.monotonic()
        self.replaced = [t for t in self.replaced if now - t < 60] + [now]
        if len(self.replaced) > MAX_REPLACEMENTS:
            _LOG.error("%d workers replaced within a minute: stopping", len(self.replaced))
            self.failed = True
            self.stop.set()
            return
        new = self.start_worker(old.index, old.outstanding)
        handed = await self.connect(new)
        _LOG.warning("worker %d replaced by %d", old.index, new.pid)
        if handed:
            _LOG.warning("%d updates the replaced worker had not finished handed to %d", handed, new.pid)


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
