"""``[general] workers``: one polling process, N workers; each user's updates in one worker.

Unit level: the shard of every update kind, the poller's hand-on, offsets, throttles and a
rejected token, the worker's feed (a bad line is skipped, not fatal). End to end: ``sabtyar run``
with two workers answers every citizen once, an editor's change made in one worker reaches the
citizens of the other, SIGTERM stops the group cleanly, and a worker that dies stops it loudly.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio
from telegram import Update
from telegram.ext import TypeHandler

from bot.app import ALLOWED_UPDATES, build_application
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.platforms import PlatformSettings, default_platform
from bot.messenger.updates.feed import encode_update, feed_updates, shard_of
from bot.messenger.updates.poller import Poller
from bot.messenger.updates.reports import ANSWERED, FINISHED, RECORDED, Report, read_report
from bot.messenger.updates.workers import feed_to
from bot.secret import Secret
from bot.settings import Settings, StoreSettings
from bot.store import UserHasher
from handlers.context import Shared
from tests.support.fakeapi import FakeBotApi, FakeUser, Fault
from tests.support.live_bot import live_bot

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
NEW_ANSWER = "پاسخ آزمون کارگرها: برای المثنی شناسنامه به دفتر پیشخوان بروید."
EDITOR = 7202  # even: worker 0 of 2


def test_every_update_kind_goes_to_its_senders_worker() -> None:
    user = {"id": 1001, "is_bot": False, "first_name": "x"}
    chat = {"id": -500, "type": "group"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "x"}
    assert shard_of({"update_id": 9, "message": message}, 4) == 1001 % 4
    assert shard_of({"update_id": 9, "edited_message": message}, 4) == 1001 % 4
    press = {"id": "q", "from": {**user, "id": 1003}, "chat_instance": "c", "message": message, "data": "x"}
    assert shard_of({"update_id": 9, "callback_query": press}, 4) == 1003 % 4
    member = {"chat": chat, "from": {**user, "id": 1002}, "date": 0}
    assert shard_of({"update_id": 9, "my_chat_member": member}, 4) == 1002 % 4
    assert (
        shard_of({"update_id": 9, "channel_post": {"message_id": 1, "date": 0, "chat": chat}}, 3) == -500 % 3
    )
    assert shard_of({"update_id": 7, "poll": {"id": "p"}}, 4) == 7 % 4  # no sender: by update
    assert shard_of({"update_id": "garbage", "message": "garbage"}, 4) == 0


async def read_lines(sock: socket.socket, count: int) -> list[bytes]:
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    lines = [await asyncio.wait_for(reader.readline(), 5) for _ in range(count)]
    writer.close()
    return lines


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi("telegram") as server:
        yield server


def platform_for(api: FakeBotApi, token: str | None = None) -> PlatformSettings:
    platform = default_platform("telegram")
    return replace(platform, token=Secret(token or api.token), base_url=api.base_url)


async def test_the_poller_hands_each_users_updates_to_one_worker_and_confirms_them(api: FakeBotApi) -> None:
    pairs = [socket.socketpair() for _ in range(2)]
    outlets = [(await asyncio.open_unix_connection(sock=ours))[1] for ours, _ in pairs]
    poller = Poller(platform_for(api), feed_to(outlets), ALLOWED_UPDATES, poll_timeout=1)
    even, odd = api.create_user("even", user_id=8000), api.create_user("odd", user_id=8001)
    api.inject(Fault.server_error(), "getUpdates")  # waited out, then polled again
    for n in range(3):
        api.user_sends_text(even, f"e{n}")
        api.user_sends_text(odd, f"o{n}")
    stop = asyncio.Event()
    polling = asyncio.create_task(poller.run(stop))
    got_even, got_odd = await asyncio.gather(read_lines(pairs[0][1], 3), read_lines(pairs[1][1], 3))
    stop.set()
    await asyncio.wait_for(polling, 5)
    for outlet in outlets:
        outlet.close()
    assert [b'"text":"e0"' in got_even[0], b'"text":"e2"' in got_even[2]] == [True, True]
    assert all(b'"id":8001' in line for line in got_odd) and b'"text":"o1"' in got_odd[1]
    assert poller.handed_on == 6 and not api.pending_updates  # confirmed on stop: none comes again
    assert any(call.fault == "error 500" for call in api.calls("getUpdates"))


async def test_the_poller_asks_with_a_form_the_bot_api_reads(api: FakeBotApi) -> None:
    """Its ``getUpdates`` form (made by hand, not by aiohttp's ``FormData``): the long-poll
    timeout, the update kinds as a JSON list, the offset after each batch handed on, and on stop
    the confirming call with the next offset."""
    batches: list[list[int]] = []

    async def deliver(batch: list[dict[str, object]]) -> None:
        batches.append([int(str(update["update_id"])) for update in batch])

    poller = Poller(platform_for(api), deliver, ALLOWED_UPDATES, poll_timeout=1)
    user = api.create_user("form")
    first = api.user_sends_text(user, "یک")["update_id"]  # type: ignore[index]
    stop = asyncio.Event()
    polling = asyncio.create_task(poller.run(stop))
    deadline = asyncio.get_running_loop().time() + 5
    while not batches and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    second = api.user_sends_text(user, "دو")["update_id"]  # type: ignore[index]
    while len(batches) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(polling, 5)
    assert batches == [[first], [second]]
    polls = [call.params for call in api.calls("getUpdates")]
    assert polls[0] == {"timeout": 1, "allowed_updates": ALLOWED_UPDATES}
    assert polls[1] == {"timeout": 1, "allowed_updates": ALLOWED_UPDATES, "offset": first + 1}
    assert polls[-1] == {"offset": second + 1, "timeout": 0, "limit": 1} and not api.pending_updates


async def test_a_rejected_token_stops_the_poller(api: FakeBotApi) -> None:
    ours, theirs = socket.socketpair()
    outlet = (await asyncio.open_unix_connection(sock=ours))[1]
    rejected = platform_for(api, "123:not-the-token")
    poller = Poller(rejected, feed_to([outlet]), ALLOWED_UPDATES, poll_timeout=1)
    stop = asyncio.Event()
    await asyncio.wait_for(poller.run(stop), 5)
    assert poller.rejected and stop.is_set()
    outlet.close()
    theirs.close()


# End to end ------------------------------------------------------------------------------------


def workers_config(knowledge: Path, places: int | None = None) -> str:
    """Two workers; ``places``: ``[general] unconfirmed_replies`` (unset: the default)."""
    window = "" if places is None else f"unconfirmed_replies = {places}\n"
    return (
        f'[general]\nworkers = 2\nknowledge_dir = "{knowledge}"\n{window}'
        f'[privacy]\nuser_hash_secret = "workers-test-hash-secret-0123"\n'
        f"[staff.telegram]\neditors = [{EDITOR}]\n"
    )


def children_of(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


async def test_two_workers_answer_everyone_once_share_edits_and_stop_cleanly(
    tmp_path: Path, api: FakeBotApi, locales: Locales
) -> None:
    fa = locales.get("fa")
    shutil.copytree(Settings().knowledge_dir, tmp_path / "knowledge")
    editor = api.create_user("Editor", user_id=EDITOR)
    citizens = [api.create_user(f"C{i}", user_id=9000 + i) for i in range(20)]
    async with live_bot(tmp_path, api, flood=(100, 1.0), extra=workers_config(tmp_path / "knowledge")) as bot:
        assert len(children_of(bot.process.pid)) == 2
        for citizen in citizens:
            api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
        for citizen in citizens:
            [answer] = await api.wait_for_messages(citizen.id, timeout=30)
            assert answer.text.startswith("المثنی") or "شناسنامه" in answer.text
        await asyncio.sleep(0.5)
        assert all(len(api.sent(c.id)) == 1 for c in citizens)  # once each
        assert bot.rows("SELECT count(*), count(DISTINCT update_key) FROM questions") == [(20, 20)]

        api.user_sends_command(editor, "/edit", "birthcert-duplicate")
        await api.wait_for_messages(editor.id, timeout=30)
        api.user_sends_text(editor, NEW_ANSWER)
        [preview] = await api.wait_for_messages(editor.id, timeout=30)
        api.user_presses_button(editor, preview, preview.buttons[0]["callback_data"])
        [saved] = await api.wait_for_messages(editor.id, timeout=30)
        assert saved.text == fa.text("staff.edit_saved", entry="birthcert-duplicate")
        other_worker = citizens[1]  # odd id: not the editor's worker
        for _ in range(20):  # it follows the files within a few seconds
            api.user_sends_text(other_worker, LOST_BIRTH_CERTIFICATE)
            [answer] = await api.wait_for_messages(other_worker.id, timeout=30)
            if NEW_ANSWER in answer.text:
                break
            await asyncio.sleep(0.5)
        assert NEW_ANSWER in answer.text
        workers = children_of(bot.process.pid)
        bot.process.send_signal(signal.SIGTERM)
        started = asyncio.get_running_loop().time()
        assert await bot.wait_exit(15) == 0
        assert asyncio.get_running_loop().time() - started < 10
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    log = bot.stderr()
    assert " ERROR " not in log and "Traceback" not in log and api.token not in log


async def burst(api: FakeBotApi, count: int, prefix: str) -> list[FakeUser]:
    citizens = [api.create_user(f"{prefix}{i}", user_id=90_000 + i) for i in range(count)]
    for citizen in citizens:
        api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
    return citizens


async def everyone_answered(api: FakeBotApi, citizens: list[FakeUser], timeout: float) -> tuple[int, int]:
    """Wait until every citizen got a reply; (citizens without one, replies beyond one each)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and not all(api.sent(c.id) for c in citizens):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # late duplicates
    missing = sum(1 for c in citizens if not api.sent(c.id))
    extra = sum(max(0, len(api.sent(c.id)) - 1) for c in citizens)
    return missing, extra


#: Citizens of the burst a worker is killed in (the issue's 300).
BURST = 300
#: ``[general] unconfirmed_replies`` there: 1% of ``BURST``, the most replies a killed worker can
#: have had out unconfirmed (``bot/messenger/updates/window.py``), so the most repeated.
PLACES = 3
#: Seconds the local Bot API takes for each reply there (a distant Bot API: replies are out when
#: the worker stops; with no bound, 10 to 32 of them were repeated).
ROUND_TRIP = 0.1


@pytest.mark.parametrize("how", ["killed", "frozen"])
async def test_a_worker_killed_or_frozen_mid_burst_is_replaced_and_every_citizen_answered(
    tmp_path: Path, api: FakeBotApi, how: str
) -> None:
    """300 citizens; one worker of two is SIGKILLed (or SIGSTOPped: no heartbeat) mid-burst. It
    is replaced, the updates it had and did not finish are handed to the new one: everyone gets
    an answer; the group keeps running and stops cleanly.

    Answered twice are only replies in flight when the worker stopped: carried out by the Bot API
    before the worker read that they were (a second before the stop at most; a frozen worker's
    requests already written are all carried out, however far behind the Bot API is). The send
    window lets at most ``PLACES`` (1% of the burst) be out, so at most that many are repeated
    (before it: 0-4 of 300 with a local Bot API, and with no bound on a slower one)."""
    shutil.copytree(Settings().knowledge_dir, tmp_path / "knowledge")
    config = workers_config(tmp_path / "knowledge", PLACES)
    async with live_bot(tmp_path, api, flood=(50, 1.0), extra=config) as bot:
        first, _second = children_of(bot.process.pid)
        api.fail_every(1, [Fault.slow(ROUND_TRIP)], ["sendMessage"])
        citizens = await burst(api, BURST, "W")
        await api.wait_for_calls("sendMessage", 40, timeout=60)
        stopped_at = time.monotonic()
        os.kill(first, signal.SIGKILL if how == "killed" else signal.SIGSTOP)
        missing, extra = await everyone_answered(api, citizens, timeout=90)
        firsts = [api.sent(c.id)[0].at - stopped_at for c in citizens if len(api.sent(c.id)) > 1]
        # pytest -s shows the figures
        print(f"figures {how}: unanswered {missing} of {BURST}, answered twice {extra}: {firsts}")
        assert missing == 0, (missing, bot.stderr()[-3000:])
        assert extra <= PLACES, (extra, firsts)
        assert all(first_copy > -1.0 for first_copy in firsts), firsts  # reported replies are not repeated
        assert bot.process.poll() is None
        assert first not in children_of(bot.process.pid) and len(children_of(bot.process.pid)) == 2
        inbox = "SELECT count(done_at), count(*) - count(done_at) FROM inbox"
        for _ in range(150):  # marks written through the spool while the store was busy follow
            if bot.rows(inbox) == [(BURST, 0)]:
                break
            await asyncio.sleep(0.1)
        assert bot.rows(inbox) == [(BURST, 0)]
        assert (await bot.stats())["delivered"] == BURST  # every question's reply, counted once
    log = bot.stderr()
    reason = "ended on its own" if how == "killed" else "frozen"
    assert f"worker {first} {reason}" in log and "replaced by" in log
    assert bot.process.returncode == 0


async def test_the_feed_skips_bad_lines_and_queues_the_rest(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(Settings(), store=StoreSettings(tmp_path / "feed.db"))
    shared = Shared(settings, engine, locales, UserHasher("feed-test-hash-secret-0123"))
    platform = replace(default_platform("telegram"), token=Secret("123:feed-test"))
    application = build_application(shared, platform, with_updater=False)
    assert application.updater is None
    ours, theirs = socket.socketpair()
    chat = {"id": 5, "type": "private"}
    good = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat, "text": "سلام"}}
    with ours:
        ours.sendall(encode_update(good) + b"not json\n" + encode_update({"update_id": 2, "message": 7}))
        ours.sendall(encode_update({**good, "update_id": 3}))
    with caplog.at_level("ERROR", logger="sabtyar.workers"):
        await asyncio.wait_for(feed_updates(application, theirs), 5)
    queued = [application.update_queue.get_nowait() for _ in range(application.update_queue.qsize())]
    assert [update.update_id for update in queued] == [1, 3]
    assert queued[0].message is not None and queued[0].message.text == "سلام"
    assert len([r for r in caplog.records if "could not be read" in r.getMessage()]) == 2


async def test_the_feed_reports_an_update_answered_the_moment_its_first_reply_is_accepted(
    tmp_path: Path, api: FakeBotApi, engine: AnswerEngine, locales: Locales
) -> None:
    """A worker frozen or killed after its reply went out and before its handling ended must not
    have that update handed to its replacement (answered twice): ``a<id>`` goes to the polling
    process as soon as the Bot API accepted the first reply, ``f<id> <replies>`` at the end."""
    settings = replace(Settings(), store=StoreSettings(tmp_path / "feed.db"))
    shared = Shared(settings, engine, locales, UserHasher("feed-test-hash-secret-0123"))
    application = build_application(shared, platform_for(api), with_updater=False)
    release = asyncio.Event()

    async def answer_then_wait(update: Update, context: object) -> None:
        assert update.effective_chat is not None
        await application.bot.send_message(update.effective_chat.id, "first")
        await release.wait()  # the worker is still busy with this update (or frozen here)
        await application.bot.send_message(update.effective_chat.id, "second")

    application.add_handler(TypeHandler(Update, answer_then_wait), group=-10)
    citizen = api.create_user("A")
    chat = {"id": citizen.id, "type": "private"}
    ours, theirs = socket.socketpair()
    async with application:
        await application.start()
        feeding = asyncio.create_task(feed_updates(application, theirs))
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        message = {"message_id": 1, "date": 0, "chat": chat, "text": "x"}
        writer.write(encode_update({"update_id": 41, "message": message}))

        async def next_report() -> Report:
            while (report := read_report(await asyncio.wait_for(reader.readline(), 10))) is None:
                pass
            return report

        reports = [await next_report()]
        assert not release.is_set() and [m.text for m in api.sent(citizen.id)] == ["first"]
        release.set()
        while (report := await next_report()).kind == RECORDED:
            pass
        reports.append(report)
        writer.close()
        await asyncio.wait_for(feeding, 5)
        await application.stop()
    assert reports == [Report(ANSWERED, 41, 1), Report(FINISHED, 41, 2)]


async def test_a_poller_that_fails_stops_the_group(caplog: pytest.LogCaptureFixture) -> None:
    """A poller that ends on an error (a worker's socket gone, a bug) must not leave the parent
    waiting with nobody polling: the group stops, and the exit status says it failed."""
    from bot.messenger.updates.workers import _poll

    class Broken:
        platform = default_platform("telegram")

        async def run(self, stop: asyncio.Event) -> None:
            raise ConnectionResetError("worker socket closed")

    stop = asyncio.Event()
    with caplog.at_level("ERROR", logger="sabtyar.workers"):
        assert await _poll(Broken(), stop) is False  # type: ignore[arg-type]
    assert stop.is_set() and "polling failed" in caplog.text
