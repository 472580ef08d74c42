"""The worker pool of ``[general] workers``: what a dead or frozen worker had is handed to its
replacement, from the polling process's own record, whatever the database held.

Unit level: the ledger of outstanding updates, the report lines and their framing. With real
processes (``tests/support/worker_group.py``: sabtyar's polling process and watchdog, fake
workers): a worker that dies or freezes right after taking an update, while another process holds
the database's write lock (so the inbox goes to the spool file), costs no update.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.messenger.updates.outstanding import Outstanding
from bot.messenger.updates.reports import (
    ANSWERED,
    FINISHED,
    HEARTBEAT,
    RECORDED,
    Report,
    Reporter,
    read_report,
)
from bot.settings import ROOT
from bot.store.durable.spool import spool_path
from tests.support.fakeapi import FakeBotApi


def update(update_id: int) -> dict[str, object]:
    return {"update_id": update_id, "message": {"text": str(update_id)}}


def test_outstanding_keeps_an_update_until_it_is_finished_and_its_mark_recorded() -> None:
    ledger = Outstanding()
    for update_id in (12, 10, 11, 13):
        ledger.add("telegram", update(update_id))
    ledger.add("bale", update(10))  # another platform's update 10 is another update
    ledger.finish("telegram", 11, replies=1)  # its first reply accepted: never handed on again
    ledger.finish("telegram", 11, replies=2)  # its handling ended: the replies counted so far
    ledger.finish("telegram", 99)  # one unknown changes nothing
    ledger.recorded("telegram", 13)  # its mark reported first: then finished
    ledger.finish("telegram", 13)
    assert [u["update_id"] for u in ledger.of("telegram")] == [10, 12]  # oldest first
    assert [u["update_id"] for u in ledger.of("bale")] == [10] and ledger.of("none") == []
    assert len(ledger) == 3
    assert ledger.take_unmarked("telegram") == {11: 2}  # finished, no mark recorded: the parent marks it
    assert ledger.take_unmarked("telegram") == {}
    ledger.finish("telegram", 12, replies=1)
    ledger.recorded("telegram", 12)
    assert ledger.take_unmarked("telegram") == {} and [u["update_id"] for u in ledger.of("telegram")] == [10]


def test_a_report_is_a_kind_and_an_update_id_on_a_whole_line() -> None:
    assert read_report(b"f100000007 1\n") == Report(FINISHED, 100000007, 1)
    assert read_report(b"a100000007\n") == Report(ANSWERED, 100000007, 1)  # one reply accepted
    assert read_report(b"r12\n") == Report(RECORDED, 12)
    assert read_report(HEARTBEAT) is None
    assert read_report(b"f1000 1") is None  # cut short by the worker's death: not a report
    assert read_report(b"f12\n") is None and read_report(b"r12 1\n") is None
    assert read_report(b"a12 1\n") is None
    assert read_report(b"f-3 1\n") is None and read_report(b"x12\n") is None and read_report(b"f\n") is None


def test_reports_keep_their_order_and_framing_when_the_socket_is_full() -> None:
    ours, theirs = socket.socketpair()
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reporter = Reporter(ours)
    try:
        for update_id in range(100_000, 110_000):  # far more than the socket holds: partial sends
            reporter.finished(update_id, 1)
        reporter.recorded([7, 8])
        theirs.setblocking(False)
        received = bytearray()
        while len(received) < 10_000 * 10 + 6:
            try:
                chunk = theirs.recv(65536)
            except BlockingIOError:
                reporter.finished(110_000)  # the next try sends what waits, in order
                continue
            received += chunk
        reports = [read_report(line) for line in bytes(received).splitlines(keepends=True)]
        assert reports[:10_000] == [Report(FINISHED, update_id, 1) for update_id in range(100_000, 110_000)]
        assert reports[10_000:10_002] == [Report(RECORDED, 7), Report(RECORDED, 8)]
    finally:
        reporter.close()
        theirs.close()


async def run_group(tmp_path: Path, how: str) -> tuple[list[int], Counter[int], str, int, bool]:
    """A group of two fake workers; 20 citizens write while another connection holds the database's
    write lock. (update ids sent, answers per update id, victim pid, exit status, spool used)."""
    out, db, log = tmp_path / "out", tmp_path / "s.db", tmp_path / "group.log"
    out.mkdir()
    async with FakeBotApi("telegram") as api:
        with log.open("wb") as sink:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.support.worker_group",
                api.base_url,
                api.token,
                str(db),
                str(out),
                how,
                "2",
                cwd=ROOT,
                stdout=sink,
                stderr=sink,
            )
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while not api.calls("getUpdates") and loop.time() < deadline:
                await asyncio.sleep(0.05)
            other = sqlite3.connect(db, isolation_level=None, timeout=10)
            other.execute("BEGIN IMMEDIATE")  # another process writes: the inbox goes to the spool
            try:
                citizens = [api.create_user(f"P{i}", user_id=70_000 + i) for i in range(20)]
                sent = [api.user_sends_text(citizen, "x")["update_id"] for citizen in citizens]
                deadline = loop.time() + 30
                while loop.time() < deadline and not set(sent) <= set(answers(out)):
                    await asyncio.sleep(0.1)
                spooled = spool_path(db).exists()
            finally:
                other.execute("ROLLBACK")
                other.close()
            await asyncio.sleep(0.5)  # late duplicates
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), 30)
    return sent, answers(out), (out / "victim").read_text(), code, spooled


def answers(out: Path) -> Counter[int]:
    path = out / "answered"
    lines = path.read_text().split("\n") if path.exists() else []
    return Counter(int(line.split()[1]) for line in lines if line)


def answerers(out: Path) -> set[str]:
    return {line.split()[0] for line in (out / "answered").read_text().split("\n") if line}


@pytest.mark.slow
@pytest.mark.parametrize("how", ["die", "freeze"])
async def test_a_worker_that_dies_or_freezes_after_taking_an_update_costs_no_update(
    tmp_path: Path, how: str
) -> None:
    sent, answered, victim, code, spooled = await run_group(tmp_path, how)
    log = (tmp_path / "group.log").read_text()
    assert spooled  # the scenario: the inbox was in the spool file, not the database
    missing = [update_id for update_id in sent if not answered[update_id]]
    assert not missing, (missing, log[-3000:])
    assert all(answered[update_id] == 1 for update_id in sent), answered  # the victim answered none
    assert victim not in answerers(tmp_path / "out")
    reason = "ended on its own" if how == "die" else "frozen"
    assert f"worker {victim} {reason}" in log and "replaced by" in log
    assert "10 updates the replaced worker had not finished handed to" in log
    assert code == 0, log[-3000:]
