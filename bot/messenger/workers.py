"""``[general] workers = N``: one polling process and N worker processes, to use every core.

One Python process handles updates on one core (the Bot API calls, PTB's objects and the engine
cost about 3 ms of CPU per update). With ``workers`` above 1, ``sabtyar run`` builds the engine
once, forks the workers (which share its memory copy-on-write), and stays as the parent: it polls
``getUpdates`` for every platform (``bot/messenger/poller.py``) and hands each update to the worker that
owns its user (``bot/messenger/update_feed.py``). Each worker is an ordinary sabtyar process without
PTB's updater: its own Applications, store connection (SQLite in WAL mode takes writers from
several processes), backlog and flood gate, and it reloads the knowledge when another worker
changed it (``LiveEngine.follow``).

Stopping: SIGTERM or SIGINT to the parent stops polling (confirming the updates handed on),
closes the feeds and sends SIGTERM to the workers, which finish their updates in flight and
close their stores; any worker still running after ``STOP_SECONDS`` is killed. A worker that
dies on its own stops the whole group with exit status 1, for the service manager to restart.
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

from bot.messenger.platforms import PlatformSettings
from bot.messenger.poller import Poller

__all__ = ["STOP_SECONDS", "run_workers"]

_LOG = logging.getLogger("sabtyar.workers")
#: Seconds the workers get to finish after SIGTERM before they are killed.
STOP_SECONDS = 8.0

ServeWorker = Callable[[Mapping[str, socket.socket]], int]


def _fork(
    index: int, pairs: dict[tuple[str, int], tuple[socket.socket, socket.socket]], serve: ServeWorker
) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        feeds = {}
        for (name, owner), (parent_end, child_end) in pairs.items():
            parent_end.close()
            if owner == index:
                feeds[name] = child_end
            else:
                child_end.close()
        code = serve(feeds)
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
    allowed_updates: Sequence[str],
    poll_timeout: int,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> int:
    """Fork ``count`` workers running ``serve(feeds)``, poll for them until stopped; the exit status."""
    pairs = {(p.name, i): socket.socketpair() for p in platforms for i in range(count)}
    children = [_fork(i, pairs, serve) for i in range(count)]
    for _, child_end in pairs.values():
        child_end.close()
    _LOG.info("polling for %d workers: %s", count, ", ".join(map(str, children)))
    return asyncio.run(
        _supervise(platforms, count, pairs, children, allowed_updates, poll_timeout),
        loop_factory=loop_factory,
    )


async def _supervise(
    platforms: Sequence[PlatformSettings],
    count: int,
    pairs: dict[tuple[str, int], tuple[socket.socket, socket.socket]],
    children: list[int],
    allowed_updates: Sequence[str],
    poll_timeout: int,
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    writers: list[asyncio.StreamWriter] = []
    pollers = []
    for platform in platforms:
        outlets = []
        for index in range(count):
            _, writer = await asyncio.open_unix_connection(sock=pairs[(platform.name, index)][0])
            outlets.append(writer)
        writers += outlets
        pollers.append(Poller(platform, outlets, allowed_updates, poll_timeout))
    exited: dict[int, int] = {}
    watching = asyncio.create_task(_watch(children, exited, stop))
    polling = [asyncio.create_task(_poll(poller, stop)) for poller in pollers]
    await stop.wait()
    polled_well = all(await asyncio.gather(*polling))
    watching.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watching
    for writer in writers:  # the workers see the end of their feeds
        writer.close()
    failed = bool(exited) or not polled_well or any(poller.rejected for poller in pollers)
    await asyncio.to_thread(_stop_children, [pid for pid in children if pid not in exited], exited)
    failed = failed or any(code != 0 for code in exited.values())
    return 1 if failed else 0


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


async def _watch(children: list[int], exited: dict[int, int], stop: asyncio.Event) -> None:
    """Notice a worker that ends on its own: log it and stop the group."""
    while True:
        await asyncio.sleep(0.2)
        for pid in children:
            if pid in exited:
                continue
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exited[pid] = os.waitstatus_to_exitcode(status)
                _LOG.error("worker %d ended on its own (status %d): stopping", pid, exited[pid])
                stop.set()


def _stop_children(running: list[int], exited: dict[int, int]) -> None:
    for pid in running:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    waiting = list(running)
    while waiting and time.monotonic() < deadline:
        for pid in list(waiting):
            done, status = os.waitpid(pid, os.WNOHANG)
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
