"""The inbox records updates before they are confirmed, drops repeats, replays the unfinished,
and keeps everything in the spool file while the database is locked by another process."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store, UserHasher
from bot.store.durable import inbox as inbox_module
from bot.store.durable.ids import new_key
from bot.store.durable.inbox import UPDATE_KEY_FIELD, Inbox, bot_id_of
from bot.store.durable.spool import Spool, spool_path


def update(update_id: int, text: str = "سلام", chat_id: int = 5) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "text": text}
    return {"update_id": update_id, "message": message}


SEALER = UserHasher("inbox-test-hash-secret-0123").sealer()


def inbox_for(store: Store | None, db: Path) -> Inbox:
    return Inbox(lambda: store, Spool(spool_path(db)), "telegram", bot_id_of("123:abc"), SEALER)


async def test_recorded_once_finished_and_the_unfinished_replayed(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        assert await inbox.start() == []
        fresh = await inbox.accept([update(1), update(2), update(3)])
        assert [u["update_id"] for u in fresh] == [1, 2, 3]
        assert await inbox.accept([update(2), {"no": "id"}]) == []  # a repeat, garbage
        await inbox.settle()
        inbox.done(1)
        await inbox.close()
        rows = await store.rows("SELECT update_id, done_at IS NOT NULL, body IS NULL FROM inbox ORDER BY 1")
        assert rows == [(1, 1, 1), (2, 0, 0), (3, 0, 0)]  # a finished update's text is blanked
    async with await Store.open(db) as store:  # a restart
        again = inbox_for(store, db)
        assert [u["update_id"] for u in await again.start()] == [2, 3]
        # the Bot API sends the unconfirmed ones again: dropped; a new one is taken
        assert [u["update_id"] for u in await again.accept([update(1), update(2), update(4)])] == [4]
        await again.settle()


async def test_a_locked_database_sends_the_inbox_to_the_spool_until_it_is_free(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.start()
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            started = asyncio.get_running_loop().time()
            await inbox.accept([update(10), update(11)])
            await inbox.settle()
            inbox.done(10)
            await inbox.flush()
            assert asyncio.get_running_loop().time() - started < 1  # never waits for the lock
            await inbox.close()  # tries the spool for a moment at the end, then leaves it
            assert inbox.spooled == 2 and spool_path(db).exists()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert await inbox.replay_spool() == 3
        assert not spool_path(db).exists()
        rows = await store.rows("SELECT update_id, done_at IS NOT NULL FROM inbox ORDER BY 1")
        assert rows == [(10, 1), (11, 0)]
        assert await inbox.replay_spool() == 0  # replaying twice changes nothing


async def test_a_done_mark_is_told_once_it_is_in_the_database_or_the_spool(tmp_path: Path) -> None:
    """A worker reports a mark recorded (and the polling process forgets the update) only then."""
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.start()
        told: list[list[int]] = []
        inbox.on_recorded.append(told.append)
        await inbox.accept([update(1), update(2)])
        await inbox.settle()
        inbox.done(1)
        assert told == [[1]]  # written at once
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            inbox.done(2)
            assert told == [[1]]  # not yet written anywhere
            await inbox.flush()
            assert told == [[1], [2]] and spool_path(db).exists()
        finally:
            other.execute("ROLLBACK")
            other.close()


async def test_updates_accepted_together_are_written_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A webhook's concurrent posts (one update each) share a write: 0.13 ms of CPU per update
    alone, 0.05 together."""
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.start()
        writes = 0
        write_now = store.write_now

        async def counted(work: Any) -> Any:
            nonlocal writes
            writes += 1
            return await write_now(work)

        monkeypatch.setattr(store, "write_now", counted)
        waits = []
        for update_id in (1, 2, 3, 4):  # four posts in one event-loop turn
            await inbox.accept([update(update_id)])
            waits.append(inbox.writing)
        assert waits[0] is waits[3]  # each post waits for the write that takes it along
        await inbox.settle()
        assert writes == 1
        await inbox.accept([update(5)])
        await inbox.settle()
        assert writes == 2
        assert await store.rows("SELECT count(*) FROM inbox") == [(5,)]
        await inbox.close()


class GatedSpool(Spool):
    """A spool whose appends wait for ``gate`` (an fsync that takes its time)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.gate = threading.Event()

    def append(self, records: Sequence[dict[str, Any]]) -> None:
        self.gate.wait(5)
        super().append(records)


async def test_a_mark_made_while_the_marks_before_it_are_written_is_written_too(tmp_path: Path) -> None:
    """The last marks of a burst, made while the previous ones went to the spool, waited for the
    next update or the stop (the inbox showed them unfinished for as long)."""
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        spool = GatedSpool(spool_path(db))
        inbox = Inbox(lambda: store, spool, "telegram", bot_id_of("123:abc"), SEALER)
        told: list[list[int]] = []
        inbox.on_recorded.append(told.append)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the database is busy: the marks go to the spool
        try:
            inbox.done(1)
            for _ in range(20):  # its write reaches the spool (and waits there)
                await asyncio.sleep(0.01)
            inbox.done(2)  # meanwhile
            spool.gate.set()
            for _ in range(100):
                if len(told) == 2:
                    break
                await asyncio.sleep(0.02)
            assert told == [[1], [2]]
        finally:
            spool.gate.set()
            other.execute("ROLLBACK")
            other.close()
        await inbox.close()


async def test_a_closing_inbox_writes_its_spool_once_the_database_is_free_again(tmp_path: Path) -> None:
    """The processes of a group stopping together hold the database in turn: a worker's last
    marks went to the spool and stayed there until the next start (the inbox showed them
    unfinished meanwhile)."""
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.accept([update(20)])
        await inbox.settle()
        other = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another process closing its store
        release = threading.Timer(0.3, lambda: other.execute("ROLLBACK"))
        release.start()
        try:
            inbox.done(20)
            await inbox.close()
        finally:
            release.join()
            other.close()
        assert not spool_path(db).exists()
        assert await store.rows("SELECT done_at IS NOT NULL FROM inbox WHERE update_id = 20") == [(1,)]


async def test_the_spool_survives_a_restart_during_the_outage(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    inbox = inbox_for(None, db)  # no database at all
    await inbox.accept([update(7)])
    await inbox.settle()
    assert spool_path(db).exists()
    async with await Store.open(db) as store:
        later = inbox_for(store, db)
        assert [u["update_id"] for u in await later.start()] == [7]  # replayed from the file
        assert not spool_path(db).exists()


async def test_update_bodies_are_sealed_at_rest_in_the_database_and_the_spool(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    secret_text = "کد ملی من ۰۰۱۲۳۴۵۶۷۸"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.accept([update(1, secret_text, chat_id=987654321)])
        await inbox.settle()
        assert [u["message"]["text"] for u in await inbox.unfinished()] == [secret_text]
    offline = inbox_for(None, db)
    await offline.accept([update(2, secret_text, chat_id=987654322)])
    await offline.settle()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert secret_text.encode() not in raw and b"987654321" not in raw and b"987654322" not in raw
    other = Inbox(
        lambda: None, Spool(spool_path(db)), "telegram", 123, UserHasher("another-secret-0123456").sealer()
    )
    async with await Store.open(db) as store:
        other._store = lambda: store
        assert await other.unfinished() == []  # another secret cannot read them: skipped, logged


async def test_a_new_update_reusing_an_old_id_is_handled_a_redelivery_is_not(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        await inbox.start()
        await inbox.accept([update(1, "کارت ملی"), update(2, "شناسنامه")])
        await inbox.settle()
        inbox.done(1)
        inbox.done(2)
        await inbox.close()
    async with await Store.open(db) as store:  # a restart; then a Bot API that counts from 1 again
        again = inbox_for(store, db)
        await again.start()
        fresh = await again.accept([update(1, "کارت ملی"), update(2, "پرسش تازه")])
        assert [u["message"]["text"] for u in fresh] == ["پرسش تازه"]  # 1 is a redelivery
        await again.settle()
        rows = await store.rows("SELECT update_id, done_at IS NULL FROM inbox ORDER BY 1")
        assert rows == [(1, 0), (2, 1)]  # the new update 2 waits to be handled


def test_the_keys_of_many_updates_recorded_at_once_never_repeat() -> None:
    """The inbox's ``key`` is unique and a seal's nonce: drawn by the hundred in one millisecond,
    none may repeat (the time-prefixed ``new_id`` repeated 76 times in 200,000 draws; a repeat
    in one batch stopped polling with ``UNIQUE constraint failed: inbox.key``)."""
    keys = [new_key() for _ in range(200_000)]
    assert len(set(keys)) == len(keys) and all(0 < key < 2**63 for key in keys)


async def test_a_question_counts_as_delivered_once_a_reply_to_its_update_was_accepted(tmp_path: Path) -> None:
    """``stats --json`` ``delivered``: questions whose update finished with a reply the Bot API
    accepted, written with the done mark (directly or through the spool), counted once, under the
    update's generated key (the question's ``update_key``)."""
    from bot.cli.stats import stats_main
    from tests.store.test_store import question

    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        handed = await inbox.accept([update(u) for u in (1, 2, 3, 4)])
        await inbox.settle()
        keys = {u["update_id"]: u[UPDATE_KEY_FIELD] for u in handed}
        for update_id, key in keys.items():
            await store.record_question(replace(question(update_id=update_id), key=key))
        inbox.done(1, replies=1, key=keys[1])
        inbox.done(2, replies=0, key=keys[2])  # nothing reached the citizen
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            inbox.done(3, replies=2, key=keys[3])  # to the spool
            await inbox.flush()
            assert spool_path(db).exists()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert await inbox.replay_spool() == 1
        inbox.done(1, replies=1, key=keys[1])  # a replay after a crash adds nothing
        await inbox.close()
        assert await store.rows("SELECT replies FROM deliveries ORDER BY replies") == [(1,), (2,)]
    figures = await asyncio.to_thread(stats_main, db, None, None)
    assert (figures["questions"], figures["answered"], figures["delivered"]) == (4, 4, 2)


async def test_an_update_is_handed_on_with_its_generated_key_the_same_when_replayed(tmp_path: Path) -> None:
    """The key is the update's questions' and answers' row id: known before anything is written,
    the same when the update is handed on again after a restart, and another for a new update that
    reuses the update id (here: the same id, other content, after the first was finished)."""
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = inbox_for(store, db)
        [first, second] = await inbox.accept([update(1), update(2)])
        await inbox.settle()
        inbox.done(1, replies=1, key=first[UPDATE_KEY_FIELD])
        await inbox.close()
        assert await store.rows("SELECT key FROM inbox ORDER BY update_id") == [
            (first[UPDATE_KEY_FIELD],),
            (second[UPDATE_KEY_FIELD],),
        ]
    async with await Store.open(db) as store:  # a restart: update 2 is handed on again, same key
        again = inbox_for(store, db)
        assert [u[UPDATE_KEY_FIELD] for u in await again.start()] == [second[UPDATE_KEY_FIELD]]
        again._highest_before = 2  # as after a start that found update 1 finished
        again._seen.discard(1)
        [reused] = await again.accept([update(1, text="another")])
        assert reused[UPDATE_KEY_FIELD] not in (first[UPDATE_KEY_FIELD], second[UPDATE_KEY_FIELD])
        await again.close()


async def test_finished_updates_are_forgotten_on_start_and_then_daily(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prune`` was never called: the inbox kept a row for every update ever received."""
    db = tmp_path / "s.db"
    old = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def received(db: sqlite3.Connection, update_id: int, at: str, done: bool) -> None:
        db.execute(
            "INSERT INTO inbox (platform, bot_id, update_id, key, body, received_at, done_at)"
            " VALUES ('telegram', ?, ?, ?, NULL, ?, ?)",
            (bot_id_of("123:abc"), update_id, new_key(), at, at if done else None),
        )

    monkeypatch.setattr(inbox_module, "_PRUNE_SECONDS", 0.0)  # a day passes between two attempts
    monkeypatch.setattr(inbox_module, "_REPLAY_SECONDS", 0.01)
    async with await Store.open(db) as store:
        await store.write_now(lambda db: received(db, 1, old, True))
        await store.write_now(lambda db: received(db, 2, old, False))  # waiting: never forgotten
        inbox = inbox_for(store, db)
        await inbox.accept([update(3)])
        await inbox.settle()
        inbox.done(3)  # finished, but recent
        await inbox.start()
        rows = "SELECT update_id FROM inbox ORDER BY 1"
        assert await store.rows(rows) == [(2,), (3,)]

        await store.write_now(lambda db: received(db, 4, old, True))  # arrived, and then "a day later":
        upkeep = asyncio.create_task(inbox.run())
        try:
            for _ in range(100):
                if await store.rows(rows) == [(2,), (3,)]:
                    break
                await asyncio.sleep(0.02)
        finally:
            upkeep.cancel()
        assert await store.rows(rows) == [(2,), (3,)]
        assert await store.rows("SELECT update_id FROM inbox WHERE done_at IS NULL") == [(2,)]


async def test_an_inbox_from_before_its_indexes_went_hands_on_the_same_updates(tmp_path: Path) -> None:
    """Migration 0012 drops ``inbox_waiting`` and ``inbox_received`` (pages written per update):
    the updates waiting in a database of the release before are handed on again the same, the
    finished ones still forgotten, and the plans read the primary key's range instead."""
    from bot.store.database.migrations import MIGRATIONS

    db = tmp_path / "s.db"
    before = tuple(m for m in MIGRATIONS if m.name != "0012_inbox_without_indexes")
    async with await Store.open(db, migrations=before) as store:
        inbox = inbox_for(store, db)
        await inbox.start()
        await inbox.accept([update(1), update(2), update(3)])
        await inbox.settle()
        inbox.done(2)
        await inbox.close()
        indexes = (
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'inbox' AND sql IS NOT NULL"
        )
        assert sorted(await store.rows(indexes)) == [("inbox_received",), ("inbox_waiting",)]
    async with await Store.open(db) as store:  # the upgrade
        assert await store.rows(indexes) == []
        plan = await store.rows(
            "EXPLAIN QUERY PLAN SELECT update_id, key, body FROM inbox WHERE platform = ? AND bot_id = ?"
            " AND done_at IS NULL ORDER BY update_id",
            ("telegram", 1),
        )
        assert [row[-1] for row in plan] == [
            "SEARCH inbox USING INDEX sqlite_autoindex_inbox_2 (platform=? AND bot_id=?)"  # the primary key
        ]
        again = inbox_for(store, db)
        assert [u["update_id"] for u in await again.start()] == [1, 3]
        assert [u["message"]["text"] for u in await again.unfinished()] == ["سلام", "سلام"]
        await again.settle()
        assert await store.write_now(lambda c: inbox_module.prune(c, "9999")) == 1  # the finished one
