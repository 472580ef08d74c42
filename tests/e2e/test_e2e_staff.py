"""End to end for staff: the real ``sabtyar run`` process on the fake Bot API (Telegram profile).

A non-staff ``/stats`` is refused (answered as a citizen's question, logged without the id); an
editor's ``/edit`` changes the answer citizens get, survives a restart of the process, and
``/undo`` restores it (on a temporary copy of the knowledge folder); a broadcast to 1,000
subscribers stays under 30 messages a second, unsubscribes the ones answering 403 and reports
correctly; a handoff reaches the staff group and the staff reply reaches the citizen.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
import yaml

from bot.locale import Catalog, Locales
from bot.messenger.callback_data import Handoff, encode
from bot.settings import Settings
from bot.store import UserHasher
from tests.support.fakeapi import FakeBotApi, FakeUser, Fault, SentMessage
from tests.support.live_bot import LiveBot, live_bot
from tests.support.trials import trial_size

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

EDITOR, VIEWER, STAFF_GROUP = 7101, 7102, -7100
NEW_ANSWER = "پاسخ آزمون سرتاسری: برای المثنی شناسنامه به دفتر پیشخوان بروید."
HASH_SECRET = "e2e-staff-hash-secret-0123456789"
ENTRY = "birthcert-duplicate"
LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OUT_OF_SCOPE = "هوای تهران چطوره"
#: A thousand subscribers in a full run (``make trials``), 300 in CI: 20 sends a second either way.
SUBSCRIBERS = trial_size(1000, 300)
BLOCKED = SUBSCRIBERS // 25


def extra_config(knowledge: Path) -> str:
    return (
        f'[general]\nknowledge_dir = "{knowledge}"\n'
        f'[privacy]\nuser_hash_secret = "{HASH_SECRET}"\n'
        f"[staff.telegram]\neditors = [{EDITOR}]\nviewers = [{VIEWER}]\n"
        f"[handoff.telegram]\ngroup_chat_id = {STAFF_GROUP}\n"
    )


@pytest.fixture(scope="module")
def fa(locales: Locales) -> Catalog:
    return locales.get("fa")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("staff")
    shutil.copytree(Settings().knowledge_dir, folder / "knowledge")
    return folder


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi("telegram") as api:
        api.create_user("Editor", user_id=EDITOR)
        api.create_user("Viewer", user_id=VIEWER)
        yield api


@contextlib.asynccontextmanager
async def running(folder: Path, api: FakeBotApi) -> AsyncIterator[LiveBot]:
    """``sabtyar run`` on ``folder``'s config; it has started when it answered ``/help``."""
    polls = len(api.calls("getUpdates"))
    async with live_bot(folder, api, flood=(100, 1.0), extra=extra_config(folder / "knowledge")) as bot:
        for _ in range(1200):  # this process's first poll, not the previous process's last one
            if len(api.calls("getUpdates")) > polls or bot.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        assert bot.process.poll() is None, bot.stderr()
        yield bot
    assert bot.process.returncode == 0, bot.stderr()
    assert api.token not in bot.stderr()


@dataclass(frozen=True)
class EditRun:
    """What the first process showed: a citizen's ``/stats`` refused, then an editor's ``/edit``."""

    citizen: FakeUser
    refused: SentMessage
    photos: int
    saved: SentMessage
    answer: SentMessage
    log: str


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def edited(api: FakeBotApi, folder: Path) -> EditRun:
    """The first ``sabtyar run`` process: a non-staff ``/stats``, then the editor changes the
    answer of ``ENTRY`` and a citizen asks it; stopped before the tests that restart it run."""
    editor, citizen = api.state.users[EDITOR], api.create_user("شهروند", user_id=765_432_198)
    async with running(folder, api) as bot:
        [refused] = await ask(api, citizen, "/stats")
        photos = len([m for m in api.sent(citizen.id) if m.method == "sendPhoto"])
        await ask(api, editor, f"/edit {ENTRY}")
        [preview] = await ask(api, editor, NEW_ANSWER)
        await press(api, editor, preview, data_of(preview)[0])
        [saved] = await api.wait_for_messages(editor.id, timeout=20)
        [answer] = await ask(api, citizen, LOST_BIRTH_CERTIFICATE)
        log = bot.stderr()
    return EditRun(citizen, refused, photos, saved, answer, log)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def restarted(api: FakeBotApi, folder: Path, edited: EditRun) -> AsyncIterator[LiveBot]:
    """The second ``sabtyar run`` process, after the edit's process has stopped."""
    async with running(folder, api) as bot:
        yield bot


def data_of(message: SentMessage) -> list[str]:
    return [b["callback_data"] for b in message.buttons if "callback_data" in b]


async def ask(api: FakeBotApi, user: FakeUser, text: str, count: int = 1) -> list[SentMessage]:
    if text.startswith("/"):
        name, _, args = text.partition(" ")
        api.user_sends_command(user, name, args)
    else:
        api.user_sends_text(user, text)
    return await api.wait_for_messages(user.id, count, timeout=60)


async def press(api: FakeBotApi, user: FakeUser, message: SentMessage, data: str) -> None:
    done = len(api.callback_answers)
    api.user_presses_button(user, message, data)
    await api.wait_for_callback_answers(done + 1, timeout=20)


def answer_on_disk(folder: Path) -> str:
    """The entry's answer in ``folder``'s ``knowledge/birth.yaml``."""
    data = yaml.safe_load((folder / "knowledge" / "birth.yaml").read_text(encoding="utf-8"))
    return next(e for e in data["entries"] if e["id"] == ENTRY)["answer"].strip()


async def test_refusal_and_edit(edited: EditRun, folder: Path, fa: Catalog) -> None:
    assert edited.refused.text == fa.text("bot.unknown_command")
    assert not edited.photos
    assert edited.saved.text == fa.text("staff.edit_saved", entry=ENTRY)
    assert NEW_ANSWER in edited.answer.text
    assert "/stats refused" in edited.log and str(edited.citizen.id) not in edited.log
    assert answer_on_disk(folder) == NEW_ANSWER


async def test_edit_survives_restart_and_undo_restores(
    api: FakeBotApi, folder: Path, fa: Catalog, restarted: LiveBot
) -> None:
    # a citizen of its own: an update the stopped process fetched but could not confirm is
    # delivered again to the new one, and its reply must not be taken for this test's
    editor, citizen = api.state.users[EDITOR], api.create_user("شهروند دیگر")
    original = answer_on_disk(Settings().knowledge_dir.parent)
    [answer] = await ask(api, citizen, LOST_BIRTH_CERTIFICATE)  # a new process reads the changed file
    assert NEW_ANSWER in answer.text
    [undone] = await ask(api, editor, "/undo")
    assert undone.text == fa.text("staff.undone_answer", entry=ENTRY)
    [answer] = await ask(api, citizen, LOST_BIRTH_CERTIFICATE)
    assert NEW_ANSWER not in answer.text and original.split("\n")[0] in answer.text
    assert restarted.rows("SELECT field, undone, undo_of IS NOT NULL FROM staff_changes ORDER BY id") == [
        ("answer", 1, 0),
        ("answer", 0, 1),
    ]
    assert answer_on_disk(folder) == original
    for name in ("birth.yaml", "smartcard.yaml"):
        assert (folder / "knowledge" / name).read_bytes() == (Settings().knowledge_dir / name).read_bytes()


def seed_subscribers(db: Path, users: list[FakeUser]) -> None:
    hasher = UserHasher(HASH_SECRET)
    now = "2026-01-01T00:00:00.000000Z"
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as connection, connection:
        for user in users:
            user_hash = hasher("telegram", user.id)
            connection.execute(
                "INSERT INTO subscriptions VALUES (?, 'telegram', 1, ?, ?)", (user_hash, now, now)
            )
            connection.execute(
                "INSERT INTO contacts (user_hash, platform, chat_id, for_subscription, updated_at)"
                " VALUES (?, 'telegram', ?, 1, ?)",
                (user_hash, user.id, now),
            )


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


async def test_broadcast_to_every_subscriber_at_the_platform_rate(
    api: FakeBotApi, fa: Catalog, restarted: LiveBot
) -> None:
    editor = api.state.users[EDITOR]
    users = [api.create_user(f"u{n}") for n in range(SUBSCRIBERS)]
    blocked = users[::25][:BLOCKED]
    for user in blocked:
        api.state.blocked.add(user.id)
    flaky, lost = users[1], users[2]
    api.inject(Fault.server_error(), "sendMessage", chat_ids=flaky.id, times=2)  # retried, then sent
    api.inject(Fault.error(400, "Bad Request: chat not found"), "sendMessage", chat_ids=lost.id, times=None)
    bot = restarted
    seed_subscribers(bot.db, users)
    [prompt] = await ask(api, editor, "/broadcast")
    assert prompt.text == fa.text("staff.broadcast_prompt", count=SUBSCRIBERS)
    news = "اطلاعیه: ادارات ثبت احوال روز پنجشنبه تا ساعت ۱۳ باز است."
    [preview] = await ask(api, editor, news)
    await press(api, editor, preview, data_of(preview)[0])
    [progress, report] = await api.wait_for_messages(editor.id, 2, timeout=120)
    expected = fa.text(
        "staff.broadcast_report",
        total=SUBSCRIBERS,
        sent=SUBSCRIBERS - BLOCKED - 1,
        blocked=BLOCKED,
        failed=1,
    )
    assert report.text == expected
    assert progress.history, "the progress message was edited while sending"
    subscriber_ids = {user.id for user in users}
    sends = [c for c in api.calls("sendMessage") if c.chat_id in subscriber_ids]
    assert len([c for c in sends if c.ok]) == SUBSCRIBERS - BLOCKED - 1
    assert len([c for c in sends if c.chat_id == flaky.id]) == 3
    assert len([c for c in sends if c.chat_id == lost.id]) == 1  # a lasting failure is not retried
    assert len([c for c in sends if c.chat_id == blocked[0].id]) == 1  # nor is a block
    window = [c.at for c in api.calls() if sends[0].at <= c.at <= sends[-1].at]
    assert busiest_second([c.at for c in sends]) < 30 and busiest_second(window) < 30
    assert all(
        api.sent(user.id)[-1].text == news for user in users if user not in blocked and user is not lost
    )
    assert bot.rows("SELECT sent, blocked, failed FROM announcements") == [
        (SUBSCRIBERS - BLOCKED - 1, BLOCKED, 1)
    ]
    assert bot.rows("SELECT count(*) FROM subscriptions WHERE subscribed = 1") == [(SUBSCRIBERS - BLOCKED,)]
    assert bot.rows("SELECT count(*) FROM contacts") == [(SUBSCRIBERS - BLOCKED,)]


async def test_handoff_reaches_the_group_and_the_reply_the_citizen(
    api: FakeBotApi, fa: Catalog, restarted: LiveBot
) -> None:
    editor, bot = api.state.users[EDITOR], restarted
    citizen = api.create_user("مینا")
    group = api.create_group("کارشناسان", [editor], chat_id=STAFF_GROUP)
    [unknown] = await ask(api, citizen, OUT_OF_SCOPE)
    [button] = [d for d in data_of(unknown) if d.startswith("h:")]
    await press(api, citizen, unknown, button)
    [post] = await api.wait_for_messages(STAFF_GROUP, timeout=20)
    assert OUT_OF_SCOPE in post.text and str(citizen.id) not in post.text
    [told] = await api.wait_for_messages(citizen.id, timeout=20)
    assert "sabteahval.ir" in told.text or told.text.startswith(fa.text("handoff.sent_open", closes="۱۴:۰۰"))
    api.user_sends_text(editor, "لطفاً با کد رهگیری به دفتر پیشخوان مراجعه کنید.", chat=group, reply_to=post)
    [reply] = await api.wait_for_messages(citizen.id, timeout=20)
    assert reply.text == fa.text("handoff.staff_reply", text="لطفاً با کد رهگیری به دفتر پیشخوان مراجعه کنید.")
    [delivered] = await api.wait_for_messages(STAFF_GROUP, timeout=20)
    assert delivered.text == fa.text("handoff.delivered")
    assert bot.rows("SELECT staff_replies FROM handoffs") == [(1,)]
    assert encode(Handoff(int(button[2:]))) == button
