"""The database's files under a running store (issue 13, item 3): a start while the database
cannot be used, a database deleted or replaced while in use, a ``-shm`` cut short by another
process. Real SQLite files; the lock is held by another process."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.settings import ROOT
from bot.store import MIGRATIONS, Store, StoreUnavailable
from tests.store.test_store import question

HOLD = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.read()
"""


def count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM questions").fetchone()[0])


async def test_a_start_while_the_database_cannot_take_its_migrations_serves_and_opens_it_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: ``Store.open`` waited the busy timeout and failed, and ``sabtyar run`` exited 1."""
    path = tmp_path / "s.db"
    async with await Store.open(path, migrations=MIGRATIONS[:-1]):
        pass  # a database one migration behind: opening it needs a write
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        with caplog.at_level(logging.WARNING, logger="sabtyar.store"):
            store = await Store.open_serving(path, busy_timeout_ms=200)
            try:
                assert not store.available
                with pytest.raises(StoreUnavailable):
                    await store.record_question(question(update_id=1))
                await store.check_file()
                assert not store.available  # still held
                holder.communicate(b"")  # the other process ends
                await store.check_file()
                assert store.available, store._down
                await store.record_question(question(update_id=1))
            finally:
                await store.close()
    assert count(path) == 1
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert any(level == "ERROR" and "cannot be used at start" in text for level, text in logged)
    assert any(level == "WARNING" and "s.db opened" in text for level, text in logged)


@pytest.mark.parametrize("how", ["deleted", "replaced"])
async def test_a_database_deleted_or_replaced_while_in_use_is_said_and_opened_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    """Before: every later write went to the deleted (or replaced) file and was lost silently."""
    path = tmp_path / "s.db"
    other = tmp_path / "other.db"
    async with await Store.open(other):
        pass
    with caplog.at_level(logging.WARNING, logger="sabtyar.store"):
        async with await Store.open(path) as store:
            await store.record_question(question(update_id=1))
            if how == "deleted":
                path.unlink()
            else:
                os.replace(other, path)
            with pytest.raises(StoreUnavailable):  # never into the old file
                await store.record_question(question(update_id=2))
            await store.check_file()  # seen: closed, opened again
            assert store.available
            await store.record_question(question(update_id=3))
    assert count(path) == 1  # the new file has the write made after it was opened
    orphaned = sorted(p.name.split(".orphaned-")[0] for p in tmp_path.glob("s.db-*.orphaned-*"))
    assert orphaned == ["s.db-shm", "s.db-wal"]  # the old file's, never read as the new one's
    logged = [(r.levelname, r.getMessage()) for r in caplog.records]
    said = "deleted" if how == "deleted" else "replaced by another file"
    assert any(level == "ERROR" and f"s.db was {said} while in use" in text for level, text in logged)
    again = "recreated with the migrations" if how == "deleted" else "opened"
    assert any(level == "WARNING" and f"s.db {again}" in text for level, text in logged)


SHM_CUT = """
import asyncio, os, sys
from pathlib import Path
from bot.store import QuestionEvent, Store

async def main() -> None:
    path = Path(sys.argv[1])
    async with await Store.open(path) as store:
        for update_id in range(1, 61):
            event = QuestionEvent("telegram", "a" * 64, "fa", "q", "q", "no_match", None, 0.1, (), 1)
            await store.record_question(event)
            if update_id == 59:
                os.truncate(path.with_name(path.name + "-shm"), 0)  # another process cuts it short
        print(await store.rows("SELECT count(*) FROM questions"), flush=True)

asyncio.run(main())
"""


def test_a_shm_cut_short_by_another_process_is_given_its_size_back_not_a_sigbus(tmp_path: Path) -> None:
    """Before: the next write touched the mapped -shm past its new end and the process died of
    SIGBUS (exit status -7) without a log line."""
    path = tmp_path / "s.db"
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SHM_CUT), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == "[(60,)]"
    assert "-shm was cut short by another process" in done.stderr
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
