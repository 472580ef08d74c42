"""Backups on real SQLite files: a consistent copy during writes, the automatic copy before a
migration, and a restore that refuses while the bot holds the database."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.store import (
    MIGRATIONS,
    BackupError,
    Migration,
    Store,
    backup_database,
    is_running,
    restore_database,
    run_lock,
)
from tests.store.test_store import question
from tests.support.cli import run_cli

WRITES = 1000


def count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        [(number,)] = db.execute("SELECT count(*) FROM questions").fetchall()
    return int(number)


def test_a_backup_during_1000_writes_holds_every_acknowledged_write(tmp_path: Path) -> None:
    database = tmp_path / "live.db"
    acknowledged = 0
    halfway = threading.Event()

    async def write() -> None:
        nonlocal acknowledged
        async with await Store.open(database) as store:
            for number in range(WRITES):
                await store.record_question(question(update_id=number))
                acknowledged += 1
                if acknowledged == WRITES // 3:
                    halfway.set()
                await asyncio.sleep(0)

    writer = threading.Thread(target=asyncio.run, args=(write(),))
    writer.start()
    assert halfway.wait(60)
    before = acknowledged
    out = backup_database(database, tmp_path / "copies" / "backup.db")
    writer.join(120)
    assert acknowledged == WRITES and count(database) == WRITES
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        keys = {key for (key,) in db.execute("SELECT update_key FROM questions")}
    assert WRITES > len(keys) >= before  # taken mid-way, and nothing acknowledged before it is missing
    assert len(keys) == count(out)
    assert not list((tmp_path / "copies").glob(".*partial"))


async def test_a_migration_first_copies_the_database_beside_it(tmp_path: Path) -> None:
    database = tmp_path / "sabtyar.db"
    async with await Store.open(database) as store:
        await store.record_question(question(update_id=1))
    assert list(tmp_path.glob("sabtyar.db.before-*")) == []  # a fresh database needs no copy
    upgrade = (*MIGRATIONS, Migration("0099_upgrade", ("CREATE TABLE upgraded (id INTEGER PRIMARY KEY)",)))
    async with await Store.open(database, migrations=upgrade):
        pass
    [copy] = tmp_path.glob("sabtyar.db.before-0099_upgrade-*")
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM questions").fetchall() == [(1,)]
        assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'upgraded'").fetchall() == []
    async with await Store.open(database, migrations=upgrade):
        pass
    assert len(list(tmp_path.glob("sabtyar.db.before-*"))) == 1  # nothing pending: no new copy
    # Rolling back: the copy is the old version's database, which the old code opens as it was.
    restore_database(copy, database)
    async with await Store.open(database) as store:
        assert (await store.stats()).questions == 1


async def test_restore_refuses_while_the_bot_runs_and_keeps_what_it_replaces(tmp_path: Path) -> None:
    database, backup = tmp_path / "sabtyar.db", tmp_path / "backup.db"
    async with await Store.open(database) as store:
        await store.record_question(question(update_id=1))
    backup_database(database, backup)
    async with await Store.open(database) as store:
        await store.record_question(question(update_id=2))
    with run_lock(database):
        assert is_running(database)
        with pytest.raises(BackupError, match="running"):
            restore_database(backup, database)
        assert run_cli(["restore", str(backup)], store_path=database) == 1
    assert not is_running(database)
    kept = restore_database(backup, database)
    assert kept is not None and count(kept) == 2 and count(database) == 1
    (tmp_path / "broken.db").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a usable"):
        restore_database(tmp_path / "broken.db", database)
    assert count(database) == 1


def test_backup_command_copies_the_hash_secret_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "sabtyar.db"

    async def seed() -> None:
        async with await Store.open(database) as store:
            await store.record_question(question(update_id=1))

    asyncio.run(seed())
    (tmp_path / "sabtyar.db.hash-secret").write_text("a" * 64 + "\n")
    out = tmp_path / "backups" / "b.db"
    assert run_cli(["backup", str(out)], store_path=database) == 0
    assert count(out) == 1 and (tmp_path / "backups" / "b.db.hash-secret").read_text() == "a" * 64 + "\n"
    assert run_cli(["backup", str(tmp_path / "x.db")], store_path=tmp_path / "none.db") == 1
    assert "no sabtyar database" in capsys.readouterr().err
    assert run_cli(["restore", str(out)], store_path=database) == 0
    assert count(database) == 1


def test_run_waits_for_a_run_lock_released_in_time_and_refuses_one_held_longer(tmp_path: Path) -> None:
    """A killed group's workers hold the run lock while they finish: ``sabtyar run`` waits for it."""
    database = tmp_path / "sabtyar.db"
    held = threading.Event()
    release = threading.Event()

    def orphan() -> None:
        with run_lock(database):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=orphan)
    holder.start()
    held.wait(5)
    try:
        with pytest.raises(BackupError, match="running"), run_lock(database, wait=0.3):
            pass
        threading.Timer(0.5, release.set).start()
        with run_lock(database, wait=10):
            assert is_running(database)
    finally:
        release.set()
        holder.join(5)
    assert not is_running(database)
