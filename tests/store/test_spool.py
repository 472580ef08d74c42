"""The spool file shared by the polling process and its workers: a replay (in an event loop) never
waits for another process's lock, nor fails when another process replayed the file first."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from bot.settings import ROOT
from bot.store import Store, UserHasher
from bot.store.durable import spool as spool_module
from bot.store.durable.inbox import Inbox, bot_id_of
from bot.store.durable.spool import Record, Spool, spool_path

HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""
#: A polling process that forks a worker while it holds the spool's lock (as in the middle of an
#: append in a thread), then releases it; the worker lives on.
FORK_WHILE_HELD = """
import os, sys, time
from pathlib import Path
from bot.store.durable.spool import Spool
spool = Spool(Path(sys.argv[1]))
with spool._locked(os.O_WRONLY | os.O_APPEND | os.O_CREAT):
    if os.fork() == 0:
        time.sleep(5)
        os._exit(0)
print("released", flush=True)
sys.stdin.read()
"""


class Applied:
    def __init__(self) -> None:
        self.records: list[Record] = []

    async def __call__(self, records: list[Record]) -> None:
        self.records.extend(records)


async def test_a_replay_never_waits_for_a_spool_locked_by_a_frozen_process(tmp_path: Path) -> None:
    """A worker stopped (SIGSTOP) while it held the spool's lock once stopped every other process's
    event loop in ``flock``: no heartbeat, no polling, so nobody replaced the frozen worker."""
    spool = Spool(tmp_path / "s.db.spool")
    spool.append([{"op": "x", "n": 1}])
    applied = Applied()
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(spool.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        os.kill(holder.pid, signal.SIGSTOP)  # frozen with the lock
        rescue = threading.Timer(3.0, holder.kill)  # without it a replay that waits would never end
        rescue.start()
        try:
            started = time.monotonic()
            assert await spool.replay(applied) == 0
            assert time.monotonic() - started < 1.0
            assert applied.records == [] and spool.exists()  # left for the next attempt
        finally:
            rescue.cancel()
            holder.kill()
    assert await spool.replay(applied) == 1
    assert applied.records == [{"op": "x", "n": 1}] and not spool.exists()


async def test_a_spool_another_process_replayed_and_removed_first_is_nothing_to_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool = Spool(tmp_path / "s.db.spool")
    spool.append([{"op": "x"}])
    real_open = os.open

    def removed_meanwhile(path: Any, flags: int, *args: Any) -> int:
        if Path(path) == spool.path:
            Path(path).unlink(missing_ok=True)  # another process replayed it since ``exists``
        return real_open(path, flags, *args)

    assert spool.exists()
    monkeypatch.setattr(spool_module.os, "open", removed_meanwhile)
    applied = Applied()
    assert await spool.replay(applied) == 0 and applied.records == []
    assert not spool.exists()


async def test_a_worker_forked_while_the_spool_was_locked_does_not_keep_the_lock(tmp_path: Path) -> None:
    """With ``flock`` the fork shared the locked file: the worker held the lock for its whole life."""
    spool = Spool(tmp_path / "s.db.spool")
    spool.append([{"op": "x"}])
    with subprocess.Popen(
        [sys.executable, "-c", FORK_WHILE_HELD, str(spool.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    ) as polling:
        try:
            assert polling.stdout is not None and polling.stdout.readline() == b"released\n"
            applied = Applied()
            started = time.monotonic()
            replayed = await spool.replay(applied)
            assert time.monotonic() - started < 2.0  # the worker (alive 5 s) holds no lock
            assert replayed == 1 and applied.records == [{"op": "x"}]
        finally:
            polling.kill()


async def test_a_start_hands_on_what_the_spool_holds_once_another_process_lets_go_of_it(
    tmp_path: Path,
) -> None:
    """At a group's start a worker may be replaying the spool just then: the polling process
    tries again (a replay only tries the lock) rather than miss the updates in it."""
    db = tmp_path / "s.db"
    sealer = UserHasher("spool-test-hash-secret-0123").sealer()
    chat = {"id": 5, "type": "private"}
    update = {"update_id": 7, "message": {"message_id": 7, "date": 0, "chat": chat, "text": "x"}}
    outage = Inbox(lambda: None, Spool(spool_path(db)), "telegram", bot_id_of("123:abc"), sealer)
    await outage.accept([update])
    await outage.settle()  # recorded in the spool only
    hold_briefly = HOLD.replace("sys.stdin.read()", "import time; time.sleep(0.5)")
    async with await Store.open(db) as store:
        with subprocess.Popen(
            [sys.executable, "-c", hold_briefly, str(spool_path(db))], stdout=subprocess.PIPE
        ) as worker:
            assert worker.stdout is not None and worker.stdout.readline() == b"held\n"
            inbox = Inbox(lambda: store, Spool(spool_path(db)), "telegram", bot_id_of("123:abc"), sealer)
            assert [u["update_id"] for u in await inbox.start()] == [7]
