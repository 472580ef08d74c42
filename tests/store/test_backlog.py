"""The backlog: a citizen's events never wait for the database. A lock held by another process
sends them to the spool file at once; they are written later, in order, exactly once, also by a
process started after the one that deferred them; nothing is dropped silently."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import QuestionEvent, Refused, Store, StoreUnavailable, UserHasher
from bot.store.durable.backlog import Backlog, Kept
from bot.store.durable.ids import new_key
from bot.store.durable.spool import Spool, spool_path
from bot.store.events import Asked, Rated, Shown
from tests.support.db_lock import database_locked

HASH = UserHasher("a-test-secret-of-some-length")("telegram", 42)
ENTRY = "birthcert-duplicate"


def asked(key: int) -> list[Asked | Shown]:
    """A question answered directly, as the question handler records it."""
    event = QuestionEvent(
        platform="telegram",
        user_hash=HASH,
        language="fa",
        text="شناسنامه‌ام گم شده",
        match_form="شناسنامه گم",
        outcome="answer",
        answer_id=ENTRY,
        score=0.9,
        candidates=(ENTRY,),
        response_ms=2,
        key=key,
    )
    shown = Shown.of(
        user_hash=HASH, platform="telegram", entry_id=ENTRY, via="direct", question_id=key, key=key
    )
    return [Asked.of(event), shown]


def counts(store_path: Path) -> tuple[int, int, int]:
    import sqlite3

    with sqlite3.connect(store_path) as db:
        return (
            db.execute("SELECT count(*) FROM questions").fetchone()[0],
            db.execute("SELECT count(*) FROM answer_events").fetchone()[0],
            db.execute("SELECT count(*) FROM ratings").fetchone()[0],
        )


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with await Store.open(tmp_path / "b.db") as opened:
        yield opened


async def test_a_lock_held_by_another_process_defers_at_once_and_each_event_is_written_once(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: the question's write waited the 5 s busy timeout (holding the connection, so every
    other citizen waited behind it), and a rating press waited for the lock's end."""
    backlog = Backlog(spool=Spool(spool_path(store.path)))
    key = new_key()
    with caplog.at_level(logging.WARNING, logger="sabtyar.store"), database_locked(store.path):
        started = time.monotonic()
        assert await backlog.write(store, asked(key)) is Kept.SPOOL
        rating = Rated.of(key, HASH, 4)  # a press on the answer that waits too: behind it
        assert await backlog.write(store, [rating], durable=True) is Kept.SPOOL
        assert time.monotonic() - started < 1.0
        assert backlog.question(key) is not None and backlog.shown(key) is not None
        assert await backlog.catch_up(store) == 0 and counts(store.path) == (0, 0, 0)
    await backlog.catch_up(store)
    assert counts(store.path) == (1, 1, 1) and not backlog.waiting()
    assert await backlog.write(store, asked(key)) is Kept.DATABASE  # a replay of the update
    assert counts(store.path) == (1, 1, 1)
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert sum(level == "ERROR" and "store unavailable" in text for level, text in logged) == 1
    assert any(level == "WARNING" and "store available again" in text for level, text in logged)


async def test_events_a_stopped_process_left_in_the_spool_are_known_and_written_by_the_next(
    store: Store,
) -> None:
    """The in-memory backlog was lost on restart (40 of 40 pending events)."""
    key = new_key()
    with database_locked(store.path):
        assert await Backlog(spool=Spool(spool_path(store.path))).write(store, asked(key)) is Kept.SPOOL
    after_restart = Backlog(spool=Spool(spool_path(store.path)))
    after_restart.load(after_restart.spool.read() if after_restart.spool else [])
    assert after_restart.question(key) is not None  # a press on its buttons is checked against it
    await after_restart.catch_up(store)
    assert counts(store.path) == (1, 1, 0)


async def test_a_later_rating_is_never_undone_by_an_earlier_one_written_after_it(store: Store) -> None:
    key = new_key()
    backlog = Backlog(spool=Spool(spool_path(store.path)))
    await backlog.write(store, asked(key))
    earlier = datetime.now(UTC) - timedelta(seconds=5)
    with database_locked(store.path):
        await backlog.write(store, [Rated.of(key, HASH, 1, earlier)], durable=True)  # deferred
    await store.record_rating(key, HASH, 5)  # the citizen changed their mind: written first
    await backlog.catch_up(store)
    assert await store.rating(key, HASH) == 5


async def test_a_deferred_press_refused_when_written_is_logged_and_the_rest_go_on(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    key = new_key()
    backlog = Backlog(spool=Spool(spool_path(store.path)))
    with database_locked(store.path):
        await backlog.write(store, [Rated.of(new_key(), HASH, 5)], durable=True)  # a forged press
        await backlog.write(store, asked(key))
    with caplog.at_level(logging.WARNING, logger="sabtyar.store"):
        await backlog.catch_up(store)
    assert counts(store.path) == (1, 1, 0)
    assert any("rating was not written" in r.getMessage() for r in caplog.records)
    with pytest.raises(Refused):  # with nothing waiting, the database says so at once
        await backlog.write(store, [Rated.of(new_key(), HASH, 5)], durable=True)


async def test_without_a_spool_events_wait_in_memory_bounded_and_named(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The spool refused too (here: its folder is a file): memory, bounded; never silent."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    backlog = Backlog(capacity=2, spool=Spool(blocked / "b.db.spool"), close_seconds=0.1)
    keys = [new_key() for _ in range(3)]
    with caplog.at_level(logging.ERROR, logger="sabtyar.store"):
        with database_locked(store.path):
            for key in keys:
                assert await backlog.write(store, asked(key)[:1]) is Kept.MEMORY
        assert len(backlog) == 2 and backlog.dropped == 1
        await backlog.catch_up(store)
        assert counts(store.path) == (2, 0, 0)
        with database_locked(store.path):
            await backlog.write(store, asked(new_key())[:1])
            await backlog.close(store)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("dropped the oldest" in m for m in messages) == 1
    assert any("1 writes the store never took" in m for m in messages)


async def test_a_full_disk_refused_write_is_kept_like_a_lock(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    backlog = Backlog(spool=Spool(spool_path(store.path)))

    async def full(*args: object, **kw: object) -> None:
        raise StoreUnavailable("database or disk is full")

    monkeypatch.setattr(store, "write_within", full)
    assert await backlog.write(store, asked(new_key())) is Kept.SPOOL
    monkeypatch.undo()
    await asyncio.wait_for(backlog.catch_up(store), 5)
    assert counts(store.path) == (1, 1, 0)


async def test_another_process_s_inbox_records_in_the_spool_keep_no_event_waiting(store: Store) -> None:
    """With workers, the processes of a group write in turn and a moment's lock sends an inbox
    batch to the spool, which another process may be replaying just then: the events of this
    process, which wait for nothing, still go to the database (with the file's existence taken
    as "waiting", 32-33 of 300 citizens were answered twice when a worker was killed, bound 3)."""
    spool = Spool(spool_path(store.path))
    spool.append(
        [{"op": "in", "platform": "telegram", "bot": 1, "update": 1, "key": 1, "body": "{}", "at": "x"}]
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", SPOOL_HOLD, str(spool.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        assert await Backlog(spool=spool).write(store, asked(new_key())) is Kept.DATABASE
    finally:
        holder.communicate(b"")
    assert counts(store.path) == (1, 1, 0)


async def test_a_spool_held_by_a_frozen_process_keeps_a_reply_waiting_a_second_at_most(store: Store) -> None:
    """The database locked and the spool's lock held by a process frozen mid-replay: the events
    wait in memory after a second (the append waited for the lock for ever before)."""
    spool = Spool(spool_path(store.path))
    spool.append([{"op": "noop"}])
    holder = subprocess.Popen(
        [sys.executable, "-c", SPOOL_HOLD, str(spool.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    backlog = Backlog(spool=spool)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with database_locked(store.path):
            started = time.monotonic()
            assert await backlog.write(store, asked(new_key())) is Kept.MEMORY
            assert time.monotonic() - started < 2.0
    finally:
        holder.communicate(b"")
    await backlog.close(store)  # its append went through meanwhile, and memory: written once
    assert counts(store.path) == (1, 1, 0)


#: Another process holding the spool's lock (replaying it).
SPOOL_HOLD = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.read()
"""


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Backlog(capacity=0)
