"""A durable write (a rating, a comment) is on disk when it returns, and its fsync never holds the
event loop: other writes and replies go on meanwhile, and writes that come while one fsync runs
share the next."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.store import Store, StoreUnavailable
from bot.store import store as store_module

TABLE = "CREATE TABLE IF NOT EXISTS t (n INTEGER)"


def insert(n: int) -> Callable[[sqlite3.Connection], None]:
    def work(db: sqlite3.Connection) -> None:
        db.execute(TABLE)
        db.execute("INSERT INTO t (n) VALUES (?)", (n,))

    return work


class HeldFsync:
    """``bot.store.store._fsync`` replaced: each call waits until released, and is counted."""

    def __init__(self) -> None:
        self.calls: list[Path] = []
        self.release = threading.Event()
        self.entered = threading.Event()

    def __call__(self, wal: Path, database: Path) -> None:
        self.calls.append(wal)
        self.entered.set()
        assert self.release.wait(10)


async def test_a_durable_write_lets_the_loop_run_during_its_fsync_and_waiting_ones_share_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = HeldFsync()
    monkeypatch.setattr(store_module, "_fsync", held)
    async with await Store.open(tmp_path / "s.db") as store:
        first = asyncio.create_task(store.write_within(insert(1), 1.0, durable=True))
        assert await asyncio.to_thread(held.entered.wait, 5)
        # the fsync runs: the loop and the connection are free for everything else
        await asyncio.wait_for(store.write_within(insert(2), 1.0), 1.0)
        later = [asyncio.create_task(store.write_within(insert(n), 1.0, durable=True)) for n in (3, 4)]
        await asyncio.sleep(0.05)
        assert not first.done() and not any(task.done() for task in later)
        assert len(held.calls) == 1
        held.release.set()
        await asyncio.wait_for(asyncio.gather(first, *later), 5)
        assert len(held.calls) == 2  # the two that waited shared one fsync, begun after both commits
        assert held.calls[0] == tmp_path / "s.db-wal"
    with sqlite3.connect(tmp_path / "s.db") as db:
        assert sorted(n for (n,) in db.execute("SELECT n FROM t")) == [1, 2, 3, 4]


async def test_a_failed_fsync_is_a_store_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(wal: Path, database: Path) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store_module, "_fsync", failing)
    async with await Store.open(tmp_path / "s.db") as store:
        with pytest.raises(StoreUnavailable, match="fsync"):
            await store.write_within(insert(1), 1.0, durable=True)
        await store.write_within(insert(2), 1.0)  # the connection is usable


def test_fsync_falls_back_to_the_database_without_a_wal(tmp_path: Path) -> None:
    database = tmp_path / "s.db"
    database.write_bytes(b"")
    store_module._fsync(tmp_path / "s.db-wal", database)  # no -wal: the database file, no error
    with pytest.raises(FileNotFoundError):
        store_module._fsync(tmp_path / "x-wal", tmp_path / "x")
