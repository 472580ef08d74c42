"""The store backlog: deferred writes are kept in order, bounded, retried, and never lost silently."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.store import QuestionEvent, Store, StoreUnavailable, UserHasher
from bot.store.durable.backlog import Backlog

HASH = UserHasher("a-test-secret-of-some-length")("telegram", 42)


class Flaky:
    """Writes that fail as an unavailable store until ``up`` is set; records what went through."""

    def __init__(self) -> None:
        self.up = False
        self.done: list[str] = []

    def write(self, name: str):  # type: ignore[no-untyped-def]
        async def run(store: Store) -> str:
            if not self.up:
                raise StoreUnavailable("database or disk is full")
            self.done.append(name)
            return name

        return run


def question(update_id: int) -> QuestionEvent:
    return QuestionEvent(
        platform="telegram",
        user_hash=HASH,
        language="fa",
        text="شناسنامه‌ام گم شده",
        match_form="شناسنامه گم",
        outcome="answer",
        answer_id="birthcert-duplicate",
        score=0.9,
        candidates=("birthcert-duplicate",),
        response_ms=2,
        update_id=update_id,
    )


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    async with await Store.open(tmp_path / "b.db") as opened:
        yield opened


async def test_writes_wait_in_order_and_go_through_once_the_store_is_back(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    flaky, backlog = Flaky(), Backlog(capacity=10)
    with caplog.at_level(logging.WARNING, logger="sabtyar.store"):
        for name in ("a", "b", "c"):
            backlog.defer(name, flaky.write(name), StoreUnavailable("database or disk is full"))
        assert await backlog.flush(store) == 0 and len(backlog) == 3
        flaky.up = True
        assert await backlog.flush(store) == 3
    assert flaky.done == ["a", "b", "c"] and len(backlog) == 0 and backlog.written == 3
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "database or disk is full" in errors[0]  # once, not per write
    assert any("wrote 3 deferred" in r.getMessage() for r in caplog.records)


async def test_a_full_backlog_drops_the_oldest_and_says_so_each_time(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    flaky, backlog = Flaky(), Backlog(capacity=2)
    with caplog.at_level(logging.ERROR, logger="sabtyar.store"):
        for name in ("a", "b", "c", "d"):
            backlog.defer(f"write {name}", flaky.write(name), StoreUnavailable("locked"))
    flaky.up = True
    await backlog.flush(store)
    assert flaky.done == ["c", "d"] and backlog.dropped == 2
    dropped = [r.getMessage() for r in caplog.records if "dropped the oldest" in r.getMessage()]
    assert len(dropped) == 2 and "write a" in dropped[0] and "write b" in dropped[1]


async def test_a_write_that_can_never_succeed_is_dropped_loudly_and_the_rest_go_on(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    flaky, backlog = Flaky(), Backlog()

    async def broken(store: Store) -> None:
        raise ValueError("a bug, not an outage")

    backlog.defer("a", flaky.write("a"), StoreUnavailable("locked"))
    backlog.defer("broken one", broken, StoreUnavailable("locked"))
    backlog.defer("c", flaky.write("c"), StoreUnavailable("locked"))
    flaky.up = True
    with caplog.at_level(logging.ERROR, logger="sabtyar.store"):
        assert await backlog.flush(store) == 2
    assert flaky.done == ["a", "c"] and backlog.dropped == 1
    assert any("broken one" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_the_retry_task_writes_real_events_once_even_if_a_write_is_repeated(store: Store) -> None:
    backlog = Backlog(retry_seconds=0.05)
    event = question(update_id=7)
    backlog.defer("question 7", lambda s: s.record_question(event), StoreUnavailable("locked"))
    backlog.defer("question 7 again", lambda s: s.record_question(event), StoreUnavailable("locked"))
    task = asyncio.create_task(backlog.run(store))
    try:
        for _ in range(100):
            if not backlog:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert len(backlog) == 0
    stats_rows = await store.rows("SELECT count(*), min(update_key) FROM questions")
    assert stats_rows[0][0] == 1  # update_key: the replayed write returned the first row


async def test_what_still_waits_at_shutdown_is_named(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    flaky, backlog = Flaky(), Backlog()
    backlog.defer("question of update 11", flaky.write("x"), StoreUnavailable("locked"))
    with caplog.at_level(logging.ERROR, logger="sabtyar.store"):
        await backlog.close(store)
    assert any(
        "1 writes the store never took" in r.getMessage() and "update 11" in r.getMessage()
        for r in caplog.records
    )


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Backlog(capacity=0)
