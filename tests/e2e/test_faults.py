"""Faults of the Bot API, of the store and of the process: the bot keeps serving, nothing twice.

Delivery policy (what "exactly once" means here):

- A throttle (429 with ``retry_after``, Bale's ``bot limit exceed`` without it) says the request
  was *not* carried out: the rate limiter waits and sends again, so the reply arrives once.
- A 500/502 or a dropped connection is sent again until a deadline (rarely, when the dropped
  call had been carried out, the citizen sees the answer twice). A read timeout (20 s) is not
  retried: the message was written and has probably gone out. The apology goes out only when
  no reply of the update reached the Bot API; the question is counted exactly once whatever
  happened on the wire.
- Every update is counted once in the store: ``update_key`` makes a redelivered update (restart
  after SIGKILL before ``getUpdates`` confirmed it) return the row it already wrote.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.settings import Settings
from bot.store import Store, UserHasher, run_lock
from bot.store.durable.spool import spool_path
from handlers.context import Shared
from tests.e2e.test_secrets import free_port
from tests.support.bot_harness import DID_YOU_MEAN_CANDIDATES, Bot, find_question, running_bot
from tests.support.db_lock import DatabaseLock, database_locked
from tests.support.fakeapi import FakeBotApi, FakeUser, Fault, SentMessage
from tests.support.live_bot import live_bot

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OUT_OF_SCOPE = "هوای تهران چطوره"


def questions(bot: Bot) -> int:
    return bot.rows("SELECT count(*) FROM questions")[0][0]


async def say(
    bot: Bot, citizen: FakeUser, text: str, count: int = 1, timeout: float = 10.0
) -> list[SentMessage]:
    bot.api.user_sends_text(citizen, text)
    return await bot.api.wait_for_messages(citizen.id, count, timeout=timeout)


class Failing:
    """A sqlite3 connection whose writes fail as a full disk or a read-only file would."""

    def __init__(self, real: sqlite3.Connection, failure: str) -> None:
        self._real, self._failure = real, failure

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError(self._failure)
        return self._real.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


def running_store(bot: Bot) -> Store:
    """The running Application's store (the harness does not expose the Application)."""
    [store] = [o for o in gc.get_objects() if isinstance(o, Store) and o.path == bot.db and not o._closed]
    return store


async def ask_ok(bot: Bot, name: str) -> None:
    """The bot still serves: a new citizen's question is answered and counted."""
    citizen = bot.api.create_user(name)
    [answer] = await say(bot, citizen, LOST_BIRTH_CERTIFICATE)
    assert answer.text.startswith(bot.shared.engine.knowledge.entry("birthcert-duplicate").title)
    assert bot.rows("SELECT count(*) FROM questions WHERE user_hash = ?", bot.user_hash(citizen)) == [(1,)]


# Bot API faults ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.retry_after(1), Fault.bale_throttle(), Fault.bale_throttle("local_rate_limited")],
    ids=["429-retry-after", "bale-bot-limit-exceed", "bale-local-rate-limited"],
)
async def test_throttled_reply_is_sent_again_once(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, fault: Fault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")  # as ``bot.runner.run_bots`` sets it for ``sabtyar run``
    async with running_bot(tmp_path, engine, locales, "bale") as bot:
        citizen = bot.api.create_user()
        bot.api.inject(fault, "sendMessage")
        [answer] = await say(bot, citizen, LOST_BIRTH_CERTIFICATE, timeout=15)
        assert answer.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
        await bot.api.wait_until_delivered()
        await bot.api.expect_no_messages(citizen.id, within=0.5)
        assert [c.fault for c in bot.api.calls("sendMessage")][:2] == [fault.label, None]
        assert questions(bot) == 1
        await ask_ok(bot, "after")


@pytest.mark.parametrize(
    "fault",
    [Fault.server_error(), Fault.bad_gateway(), Fault.disconnect(), Fault.disconnect(process=True)],
    ids=["500", "502-html", "disconnect", "disconnect-after-processing"],
)
async def test_a_failed_reply_is_sent_again_and_never_followed_by_an_apology(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, fault: Fault
) -> None:
    """A 5xx or a dropped connection is retried (``bot/messenger/retrying.py``): the citizen gets
    the answer and no apology; when the dropped call had in fact been carried out, the answer
    comes twice (the price of never leaving a citizen without one)."""
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        bot.api.inject(fault, "sendMessage")
        bot.api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
        await bot.api.wait_for_calls("sendMessage", 2, timeout=10)
        await bot.api.wait_until_delivered()
        await asyncio.sleep(0.3)
        texts = [m.text for m in bot.api.sent(citizen.id)]
        title = engine.knowledge.entry("birthcert-duplicate").title
        answers = [t for t in texts if t.startswith(title)]
        assert bot.fa.text("bot.error") not in texts and len(answers) == (2 if fault.process else 1), texts
        assert questions(bot) == 1
        await ask_ok(bot, "after")


async def test_an_answer_that_never_went_out_gets_the_apology(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        bot.api.inject(Fault.error(400, "Bad Request: message is too long"), "sendMessage")
        [apology] = await say(bot, citizen, LOST_BIRTH_CERTIFICATE)
        assert apology.text == bot.fa.text("bot.error")


async def test_a_stored_rating_whose_thanks_fail_is_never_answered_with_error(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [answer] = await say(bot, citizen, LOST_BIRTH_CERTIFICATE)
        rate = next(b["callback_data"] for b in answer.buttons if b.get("callback_data", "").startswith("r:"))
        bot.api.inject(Fault.error(400, "Bad Request: query is too old"), "answerCallbackQuery", times=None)
        bot.api.user_presses_button(citizen, answer, rate)
        await bot.api.wait_for_calls("answerCallbackQuery", 1)
        await asyncio.sleep(0.5)
        assert bot.rows("SELECT count(*) FROM ratings") == [(1,)]
        assert len(bot.api.calls("answerCallbackQuery")) == 1  # the thanks only, no "error" toast


async def test_polling_survives_errors_and_dropped_connections(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        for fault in (Fault.server_error(), Fault.bad_gateway(), Fault.disconnect()):
            bot.api.inject(fault, "getUpdates")
        citizens = [bot.api.create_user(f"C{i}") for i in range(3)]
        for citizen in citizens:
            bot.api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
        for citizen in citizens:
            await bot.api.wait_for_messages(citizen.id, timeout=20)
        await bot.api.wait_until_delivered(timeout=10)
        for citizen in citizens:
            await bot.api.expect_no_messages(citizen.id, within=0.2)
        assert questions(bot) == 3


async def test_a_bot_api_slower_than_5_s_gets_the_answer_once_and_no_apology(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    """The defect: with PTB's 5 s read timeout a 6 s Bot API sent the answer *and* the apology."""
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        bot.api.inject(Fault.slow(6.0), "sendMessage")
        bot.api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
        await ask_ok(bot, "meanwhile")  # one slow send blocks no one else
        await bot.api.wait_for_messages(citizen.id, 1, timeout=15)
        await bot.api.expect_no_messages(citizen.id, within=1.0)
        texts = [m.text for m in bot.api.sent(citizen.id)]
        title = engine.knowledge.entry("birthcert-duplicate").title
        assert len(texts) == 1 and texts[0].startswith(title), texts
        assert questions(bot) == 2


# Store faults --------------------------------------------------------------------------------------


#: How long the tests hold the database; ``benchmarks/locked_store.py`` holds it the 30 s of the
#: issue's criterion and prints the figures.
LOCK_SECONDS = 6.0


def rate_button(message: SentMessage, score: int) -> str:
    return next(
        b["callback_data"]
        for b in message.buttons
        if b.get("callback_data", "").startswith("r:") and b["callback_data"].endswith(f":{score}")
    )


async def answered_within(
    bot_api: FakeBotApi, citizen: FakeUser, text: str, seconds: float = 2.0
) -> SentMessage:
    """The reply to ``text``, which must come within ``seconds`` of asking (else ``TimeoutError``)."""
    bot_api.user_sends_text(citizen, text)
    [reply] = await bot_api.wait_for_messages(citizen.id, timeout=seconds)
    return reply


async def pressed_within(
    bot_api: FakeBotApi, citizen: FakeUser, message: SentMessage, data: str, seconds: float = 2.0
) -> dict[str, object]:
    """The answer to a button press, which must come within ``seconds``."""
    done = len(bot_api.callback_answers)
    bot_api.user_presses_button(citizen, message, data)
    return (await bot_api.wait_for_callback_answers(done + 1, timeout=seconds))[done]


async def test_a_lock_held_by_another_process_keeps_no_citizen_waiting_and_loses_nothing(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    """Issue 13, item 3: another process holds the database (``BEGIN EXCLUSIVE``) for
    ``LOCK_SECONDS``; every citizen is answered within 2 s of asking, with the answer's buttons,
    and every button press (a rating of an answer from before the lock and of one given during
    it, a "did you mean" choice) within 2 s, the ratings thanked (they are on disk, in the spool);
    once the lock ends every event is in the database exactly once.

    Before: the first question's write waited the 5 s busy timeout holding the store's
    connection, the others behind it: with a 30 s lock 0 of 40 citizens were answered within
    2 s (5.1 to 27.8 s), and a rating waited 15.7 s, for the lock's end."""
    doubt = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    async with running_bot(tmp_path, engine, locales) as bot:
        rater, chooser = bot.api.create_user("rater"), bot.api.create_user("chooser")
        before = await answered_within(bot.api, rater, LOST_BIRTH_CERTIFICATE)
        citizens = [bot.api.create_user(f"L{i}") for i in range(10)]
        thanks = bot.fa.text("rating.thanks", rating=bot.fa.text("rating.name_5"))
        with database_locked(bot.db):
            started = time.monotonic()
            answers = []
            for citizen in citizens:
                answers.append(await answered_within(bot.api, citizen, LOST_BIRTH_CERTIFICATE))
                await asyncio.sleep(LOCK_SECONDS * 0.5 / len(citizens))
            assert all(rate_button(answer, 5) for answer in answers)  # rating buttons, as always
            assert (await pressed_within(bot.api, rater, before, rate_button(before, 5)))["text"] == thanks
            toast = await pressed_within(bot.api, citizens[0], answers[0], rate_button(answers[0], 5))
            assert toast["text"] == thanks
            choices = await answered_within(bot.api, chooser, doubt)
            choose = next(b["callback_data"] for b in choices.buttons if b["callback_data"].startswith("c:"))
            assert (await pressed_within(bot.api, chooser, choices, choose)).get("text") is None
            await bot.api.wait_for_calls("editMessageText", 1, timeout=2.0)  # the answer in its place
            assert questions(bot) == 1  # nothing written while the lock is held
            await asyncio.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - started)))
            assert questions(bot) == 1
        for _ in range(100):  # written within about a second of the lock's end
            if questions(bot) == 12 and bot.rows("SELECT count(*) FROM ratings") == [(2,)]:
                break
            await asyncio.sleep(0.1)
        await bot.api.wait_until_delivered()
        await asyncio.sleep(0.3)
        assert bot.rows("SELECT count(*), count(DISTINCT update_key), count(DISTINCT id) FROM questions") == [
            (12, 12, 12)
        ]
        # the answers shown: the one from before, ten during the lock, the choice's
        assert bot.rows("SELECT count(*), count(DISTINCT update_key) FROM answer_events") == [(12, 12)]
        assert bot.rows("SELECT count(*) FROM ratings") == [(2,)]
        assert bot.rows("SELECT count(*) FROM resolutions") == [(1,)]
        assert bot.rows("SELECT count(*) FROM inbox WHERE done_at IS NULL") == [(0,)]
        assert not spool_path(bot.db).exists()


async def test_a_restart_during_an_outage_answers_at_once_and_the_spool_replays(tmp_path: Path) -> None:
    """The same across a restart: the bot is killed (SIGKILL) while another process holds the
    database, and started again while it still holds it. Before: the events waiting in memory
    were lost with the process (40 of 40), and a start on a locked database waited the busy
    timeout and exited 1. Now the new process starts at once (and says the database does not
    take writes), answers within 2 s, and once the lock ends the spool the killed process wrote
    is in the database, every question once."""
    async with FakeBotApi("telegram") as api:
        rater = api.create_user("rater")
        first = [api.create_user(f"A{i}") for i in range(4)]
        second = [api.create_user(f"B{i}") for i in range(4)]
        async with live_bot(tmp_path, api, flood=(50, 1.0)) as live:
            before = await answered_within(api, rater, LOST_BIRTH_CERTIFICATE, seconds=20)
            lock = DatabaseLock(live.db)
            try:
                for citizen in first:
                    await answered_within(api, citizen, LOST_BIRTH_CERTIFICATE)
                toast = await pressed_within(api, rater, before, rate_button(before, 4))
                assert toast["text"] != live_text("bot.error")
                os.kill(live.process.pid, signal.SIGKILL)
                await live.wait_exit()
            except BaseException:
                lock.release()
                raise
        try:
            async with live_bot(tmp_path, api, flood=(50, 1.0)) as again:  # the lock still held
                for citizen in second:
                    await answered_within(api, citizen, LOST_BIRTH_CERTIFICATE)
                assert "does not take writes at start" in again.stderr()
                lock.release()
                for _ in range(100):
                    if again.rows("SELECT count(*) FROM questions") == [(9,)]:
                        break
                    await asyncio.sleep(0.1)
                assert again.rows("SELECT count(*), count(DISTINCT update_key) FROM questions") == [(9, 9)]
                assert again.rows("SELECT score FROM ratings") == [(4,)]
        finally:
            lock.release()
        assert all(api.sent(c.id) for c in (rater, *first, *second))


def live_text(key: str) -> str:
    from bot.locale import load_locales
    from bot.settings import ROOT

    return load_locales(ROOT / "locales").get("fa").text(key)


@pytest.mark.parametrize(
    "failure", ["database or disk is full", "attempt to write a readonly database", "database is locked"]
)
async def test_a_failing_store_still_answers_and_writes_the_events_once_it_recovers(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Disk full / read-only / locked: the citizen gets the answer as always, with its buttons (its
    ids are the update's key, known before the write), the failure is logged at ERROR, the events
    wait in the spool and are written, once, when the store works again. A rating is thanked
    once it is on disk: in the spool. Before: the whole answer without buttons, the question
    waiting in memory only, and the rating refused with an apology."""
    entry = engine.knowledge.entry("birthcert-duplicate")
    async with running_bot(tmp_path, engine, locales) as bot:
        rated = bot.api.create_user("rated")
        [answered] = await say(bot, rated, LOST_BIRTH_CERTIFICATE)
        live_store = running_store(bot)
        real = live_store._db._connection
        assert real is not None
        live_store._db._connection = Failing(real, failure)  # type: ignore[assignment]
        citizen = bot.api.create_user()
        with caplog.at_level("WARNING", logger="sabtyar"):
            [reply] = await say(bot, citizen, LOST_BIRTH_CERTIFICATE)
            assert reply.text.startswith(entry.title) and bot.fa.text("rating.prompt") in reply.text
            assert rate_button(reply, 5)
            toast = await pressed_within(bot.api, rated, answered, rate_button(answered, 4))
            assert toast["text"] == bot.fa.text("rating.thanks", rating=bot.fa.text("rating.name_4"))
            assert questions(bot) == 1 and spool_path(bot.db).exists()
            live_store._db._connection = real
            for _ in range(100):  # the spool is replayed every second
                if questions(bot) == 2:
                    break
                await asyncio.sleep(0.1)
        assert bot.rows("SELECT count(*) FROM questions WHERE user_hash = ?", bot.user_hash(citizen)) == [
            (1,)
        ]
        assert bot.rows("SELECT count(*) FROM answer_events WHERE user_hash = ?", bot.user_hash(citizen)) == [
            (1,)
        ]
        assert bot.rows("SELECT score FROM ratings") == [(4,)]
        logged = [(r.levelname, r.getMessage(), r.exc_text or "") for r in caplog.records]
        assert any(level == "ERROR" and failure in message for level, message, _ in logged)
        assert any("written to the database" in message for _, message, _ in logged)
        await ask_ok(bot, "recovered")
        assert questions(bot) == 3


# Process faults ------------------------------------------------------------------------------------


async def test_a_fatal_signal_is_said_in_the_log(tmp_path: Path) -> None:
    """A SIGBUS (a -shm another process cut short under SQLite's mapping) killed ``sabtyar run``
    without a line in its log; now the log says which fatal error, and where."""
    async with FakeBotApi("telegram") as api, live_bot(tmp_path, api) as live:
        os.kill(live.process.pid, signal.SIGBUS)
        assert await live.wait_exit() != 0
        assert "Fatal Python error: Bus error" in live.stderr()


#: Citizens of the bursts killed below (``benchmarks/kill_replay.py`` runs 300, several times).
BURST = 100
#: ``[general] unconfirmed_replies`` of the bots killed below: 1% of ``BURST``. A duplicate is a
#: reply the Bot API carried out just before the kill whose done mark was not yet recorded; the
#: send window (``bot/messenger/updates/window.py``) lets at most this many be out per process,
#: so a kill repeats at most this many by construction, whatever the moment.
PLACES = 1
UNCONFIRMED = f"unconfirmed_replies = {PLACES}\n"
#: Seconds the local Bot API takes for each reply until the kill: a distant Bot API, so that
#: replies are out when the kill comes (with no bound, 3 to 13 of them were repeated; after the
#: restart it answers at once again).
ROUND_TRIP = 0.1


def slow_replies(api: FakeBotApi) -> None:
    """From now on every ``sendMessage`` takes ``ROUND_TRIP`` seconds (and is carried out)."""
    api.fail_every(1, [Fault.slow(ROUND_TRIP)], ["sendMessage"])


async def all_answered(api: FakeBotApi, citizens: list[FakeUser], timeout: float = 60.0) -> tuple[int, int]:
    """Once every citizen has a reply (or ``timeout``), and a second for late repeats: how many
    have none, and how many more than one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not all(api.sent(c.id) for c in citizens):
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    missing = sum(1 for c in citizens if not api.sent(c.id))
    return missing, sum(1 for c in citizens if len(api.sent(c.id)) > 1)


@pytest.mark.parametrize(
    "workers",
    [1, 2],
)
async def test_sigkill_mid_burst_restart_then_sigterm(tmp_path: Path, workers: int) -> None:
    """SIGKILL in a burst of 100 citizens, restart on the same store, then SIGTERM in a second
    burst (one test, so the engine is loaded twice, not four times).

    Every update is in the inbox before ``getUpdates`` confirms it, so after the restart every
    citizen of the first burst has an answer, and every question is stored once (``update_key``).
    A reply the Bot API carried out but whose done mark the killed process had not yet written
    is sent again: at most ``PLACES`` (1% of the burst), the replies the send window lets out
    unconfirmed. A single process answered 45 to 62 of 300 twice when it started the handling
    of a whole burst at once (each reply read a second after it went out), and 0 to 4 when
    updates began one per event-loop turn (``bot/messenger/updates/admission.py``) but nothing
    bounded the replies out at the kill. With workers, the killed polling process's workers
    finish what they were given.

    SIGTERM: the process exits with 0 within 10 s; every update it took is finished, or waits in
    the inbox for the next start, or stays queued on the server; the store is closed.
    """
    extra = f"[general]\nworkers = {workers}\n{UNCONFIRMED}"
    async with FakeBotApi("telegram") as api:
        citizens = [api.create_user(f"K{i}") for i in range(BURST)]
        async with live_bot(tmp_path, api, flood=(50, 1.0), extra=extra) as live:
            slow_replies(api)
            for citizen in citizens:
                api.user_sends_text(citizen, OUT_OF_SCOPE)
            await api.wait_for_calls("sendMessage", 30, timeout=30)
            os.kill(live.process.pid, signal.SIGKILL)
            await live.wait_exit()
            api.clear_faults()
        late = [api.create_user(f"T{i}") for i in range(20)]
        async with live_bot(tmp_path, api, flood=(50, 1.0), extra=extra) as again:
            missing, twice = await all_answered(api, citizens)
            print(f"figures workers={workers}: unanswered {missing} of {BURST}, twice {twice}")  # pytest -s
            assert not missing and twice <= PLACES, (missing, twice, again.stderr()[-2000:])
            [(stored, distinct)] = again.rows("SELECT count(*), count(DISTINCT update_key) FROM questions")
            assert stored == distinct == BURST, (stored, distinct)

            for citizen in late:
                api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
            sent = len(api.calls("sendMessage"))
            await api.wait_for_calls("sendMessage", sent + 1, timeout=20)
            started = time.monotonic()
            again.process.send_signal(signal.SIGTERM)
            code = await again.wait_exit(timeout=15)
            elapsed = time.monotonic() - started
        assert code == 0 and elapsed < 10, (code, elapsed, again.stderr())
        stored_late = again.rows("SELECT count(*) FROM questions")[0][0] - stored
        pending = len(api.pending_updates)
        [(kept,)] = again.rows("SELECT count(*) FROM inbox WHERE done_at IS NULL")
        assert stored_late + pending + kept == 20, (stored_late, pending, kept)
        answered = sum(1 for citizen in late if api.sent(citizen.id))
        assert answered == stored_late  # every stored question got its answer before the exit
        assert (await again.stats())["delivered"] == BURST + answered  # each delivered question once
        assert again.rows("PRAGMA integrity_check") == [("ok",)]
        wal = again.db.with_name("sabtyar.db-wal")
        assert not wal.exists() or wal.stat().st_size == 0  # the store was closed (WAL checkpointed)


async def test_webhook_sigkill_after_http_200_then_a_restart_answers_everyone(tmp_path: Path) -> None:
    """Webhook mode: the bot answered HTTP 200 for every update of a burst of 100 citizens, then
    SIGKILL and a restart. Each update was in the inbox before its 200 and is handled at the
    start: everyone is answered (before the inbox, the 200 came first and 70% of 300 were
    lost), at most ``PLACES`` (1%) twice, and every question is stored and counted delivered once."""
    port = free_port()
    extra = (
        f"[general]\n{UNCONFIRMED}"
        f'[platforms.telegram.webhook]\nurl = "http://127.0.0.1:{port}/hook"\nport = {port}\n'
    )
    async with FakeBotApi("telegram") as api:
        citizens = [api.create_user(f"W{i}") for i in range(BURST)]
        settings = {"flood": (50, 1.0), "extra": extra, "started": "setWebhook"}
        async with live_bot(tmp_path, api, **settings) as live:
            slow_replies(api)
            burst = {api.user_sends_text(citizen, OUT_OF_SCOPE)["update_id"] for citizen in citizens}

            def accepted() -> bool:
                return burst <= {d["update_id"] for d in api.webhook_deliveries if d["error"] is None}

            assert await api.state.changed.wait_for(accepted, 30)
            os.kill(live.process.pid, signal.SIGKILL)
            await live.wait_exit()
            api.clear_faults()
        answered_before = sum(1 for citizen in citizens if api.sent(citizen.id))
        assert answered_before < BURST  # the kill left citizens waiting
        async with live_bot(tmp_path, api, **settings) as again:
            missing, twice = await all_answered(api, citizens)
            print(f"figures webhook: unanswered {missing} of {BURST}, twice {twice}")  # pytest -s
            assert not missing and twice <= PLACES, (missing, twice, again.stderr()[-2000:])
            [(stored, distinct)] = again.rows("SELECT count(*), count(DISTINCT update_key) FROM questions")
            assert stored == distinct == BURST, (stored, distinct)
            assert again.rows("SELECT count(*) FROM inbox WHERE done_at IS NULL") == [(0,)]
            assert (await again.stats())["delivered"] == BURST  # each delivered question once


async def test_a_restart_waits_for_the_workers_of_a_killed_group_to_release_the_run_lock(
    tmp_path: Path,
) -> None:
    """The workers of a group whose polling process was SIGKILLed hold the run lock (inherited at
    the fork) while they finish their updates; a restart in that moment exited with "another
    sabtyar process is running", and nobody polled. It waits for the lock and starts."""
    waiting = "another sabtyar process holds sabtyar.db.run-lock: waiting"
    log = tmp_path / "sabtyar.log"
    held, stop = threading.Event(), threading.Event()

    def workers_finishing() -> None:  # hold the lock until the restart says it waits for it
        with run_lock(tmp_path / "sabtyar.db"):
            held.set()
            deadline = time.monotonic() + 60
            while not stop.is_set() and time.monotonic() < deadline:
                if log.exists() and waiting in log.read_text(errors="replace"):
                    time.sleep(0.5)
                    return
                time.sleep(0.05)

    holder = threading.Thread(target=workers_finishing)
    holder.start()
    held.wait(5)
    try:
        extra = "[general]\nworkers = 2\n"
        async with FakeBotApi("telegram") as api, live_bot(tmp_path, api, extra=extra) as bot:
            citizen = api.create_user("after the restart")
            api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
            [answer] = await api.wait_for_messages(citizen.id, timeout=30)
            assert answer.text and waiting in bot.stderr()
    finally:
        stop.set()
        holder.join(5)


def test_rate_limiter_can_be_switched_off_for_benchmarks_only(engine: AnswerEngine, locales: Locales) -> None:
    from bot.app import build_application
    from bot.messenger.platforms import read_platforms
    from bot.messenger.rate_limit import PlatformRateLimiter

    table = {"telegram": {"token": "1:abc", "rate_limiter": False}, "bale": {"token": "2:def"}}
    telegram, bale = read_platforms(table, {})
    assert telegram.rate_limiter is False and bale.rate_limiter is True
    shared = Shared(Settings(), engine, locales, UserHasher("rate-limiter-test-secret"))
    assert build_application(shared, telegram).bot.rate_limiter is None
    assert isinstance(build_application(shared, bale).bot.rate_limiter, PlatformRateLimiter)
