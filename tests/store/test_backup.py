"""Backups on real SQLite files: a consistent copy during writes, the automatic copy before a
migration, and a restore that refuses while the bot holds the database."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.locale import bundled_catalog
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


async def seed(database: Path) -> None:
    """One question in a new database at ``database``."""
    database.parent.mkdir(parents=True, exist_ok=True)
    async with await Store.open(database) as store:
        await store.record_question(question(update_id=1))


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


def working_copy(folder: Path, answer: str) -> Path:
    """A staff knowledge copy as the bot makes it (``.shipped/`` beside the YAML)."""
    (folder / ".shipped").mkdir(parents=True)
    (folder / "birth.yaml").write_text(f"answer: {answer}\n", encoding="utf-8")
    return folder


def test_backup_and_restore_carry_the_staff_knowledge_to_a_fresh_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    database = old / "sabtyar.db"
    asyncio.run(seed(database))
    knowledge = working_copy(old / "knowledge", "staff edit")
    out = tmp_path / "backups" / "b.db"
    assert run_cli(["backup", str(out)], store_path=database, knowledge_dir=knowledge) == 0
    assert (tmp_path / "backups" / "b.db.knowledge.tar.gz").stat().st_mode & 0o777 == 0o600
    # a fresh server: no data folder yet
    restored = new / "knowledge"
    assert run_cli(["restore", str(out)], store_path=new / "sabtyar.db", knowledge_dir=restored) == 0
    assert count(new / "sabtyar.db") == 1
    assert (restored / "birth.yaml").read_text(encoding="utf-8") == "answer: staff edit\n"
    assert (restored / ".shipped").is_dir()
    # restored again over a copy edited since: the replaced folder is kept
    (restored / "birth.yaml").write_text("answer: later\n", encoding="utf-8")
    assert run_cli(["restore", str(out)], store_path=new / "sabtyar.db", knowledge_dir=restored) == 0
    [kept] = new.glob("knowledge.before-restore-*")
    assert (kept / "birth.yaml").read_text(encoding="utf-8") == "answer: later\n"
    assert (restored / "birth.yaml").read_text(encoding="utf-8") == "answer: staff edit\n"
    capsys.readouterr()


def test_restore_leaves_a_knowledge_folder_sabtyar_did_not_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "sabtyar.db"
    asyncio.run(seed(database))
    out = tmp_path / "b.db"
    assert (
        run_cli(["backup", str(out)], store_path=database, knowledge_dir=working_copy(tmp_path / "k", "x"))
        == 0
    )
    checkout = tmp_path / "checkout-knowledge"
    checkout.mkdir()
    (checkout / "birth.yaml").write_text("answer: shipped\n", encoding="utf-8")
    assert run_cli(["restore", str(out)], store_path=database, knowledge_dir=checkout, language="en") == 0
    assert "is not a knowledge copy made by sabtyar" in capsys.readouterr().out
    assert sorted(p.name for p in checkout.iterdir()) == ["birth.yaml"]
    assert not list(tmp_path.glob("checkout-knowledge.before-restore-*"))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
def test_a_restore_run_as_root_leaves_the_files_to_the_bot_user(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    asyncio.run(seed(state / "sabtyar.db"))
    (state / "sabtyar.db.hash-secret").write_text("a" * 64 + "\n")
    knowledge = working_copy(state / "knowledge", "x")
    out = tmp_path / "b.db"
    assert run_cli(["backup", str(out)], store_path=state / "sabtyar.db", knowledge_dir=knowledge) == 0
    bot_user = 65534  # the data folder belongs to the bot's user, not to root who restores
    for path in [state, *state.rglob("*")]:
        os.chown(path, bot_user, bot_user)
    assert run_cli(["restore", str(out)], store_path=state / "sabtyar.db", knowledge_dir=knowledge) == 0
    owners = {path.relative_to(state).as_posix(): path.stat().st_uid for path in state.rglob("*")}
    assert {name for name, uid in owners.items() if uid != bot_user} == set(), owners
    assert "sabtyar.db.run-lock" in owners and "knowledge/birth.yaml" in owners
    capsys.readouterr()


def test_is_running_makes_no_lock_file(tmp_path: Path) -> None:
    database = tmp_path / "sabtyar.db"
    assert not is_running(database)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("language", ["fa", "en"])
def test_backup_restore_and_purge_report_in_the_configured_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    """Issue 17: the officer reads what was written where in the configured language, Persian by
    default; the paths stay as they are."""
    said = bundled_catalog(language)
    database = tmp_path / "data" / "sabtyar.db"
    asyncio.run(seed(database))
    knowledge = working_copy(tmp_path / "data" / "knowledge", "staff edit")
    out = tmp_path / "b.db"

    def cli(*argv: str) -> int:
        return run_cli(argv, store_path=database, knowledge_dir=knowledge, language=language)

    assert cli("backup", str(out)) == 0
    assert capsys.readouterr().out.splitlines() == [
        said.text("backup.done", database=str(database), file=str(out)),
        said.text("backup.with_knowledge", folder=str(knowledge), file=f"{out}.knowledge.tar.gz"),
    ]
    assert cli("restore", str(out)) == 0
    [kept_db] = tmp_path.glob("data/sabtyar.db.before-restore-*")
    [kept_knowledge] = tmp_path.glob("data/knowledge.before-restore-*")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == [
        said.text("backup.restored", file=str(out), database=str(database)),
        said.text("backup.kept", file=str(kept_db)),
        said.text("backup.restored_knowledge", folder=str(knowledge)),
        said.text("backup.knowledge_kept", folder=str(kept_knowledge)),
    ]
    assert cli("purge", "--older-than", "-1") == 2
    err = capsys.readouterr().err
    assert err == f"sabtyar purge: {said.text('backup.error.negative_days', days=-1)}\n"
    persian = any("\u0600" <= letter <= "\u06ff" for letter in "\n".join(lines) + err)
    assert persian == (language == "fa")
