"""The privacy notice (``/privacy`` and the menu's button) and the retention purge running on its
own, through the real handlers and runner over the fake Bot API."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Privacy, encode
from bot.settings import PrivacySettings
from bot.store import Store
from bot.store.retention import purge_periodically
from tests.store.test_store import question
from tests.support.bot_harness import running_bot


async def test_privacy_answers_in_persian_with_the_retention_period(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    changes = {"privacy": PrivacySettings(retention_days=90)}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        citizen = bot.api.create_user("مریم")
        bot.api.user_sends_command(citizen, "/privacy")
        [notice] = await bot.api.wait_for_messages(citizen.id)
        assert notice.text.startswith("🔒 حریم خصوصی در ثبت‌یار")
        assert "پس از ۹۰ روز پاک می‌شود" in notice.text and "شناسه پیام‌رسان شما ذخیره نمی‌شود" in notice.text
        assert "{" not in notice.text

        bot.api.user_sends_command(citizen, "/menu")
        [menu] = await bot.api.wait_for_messages(citizen.id)
        last = menu.reply_markup["inline_keyboard"][-1]
        assert [(b["text"], b["callback_data"]) for b in last] == [
            (bot.fa.text("privacy.button"), encode(Privacy()))
        ]
        await bot.press(citizen, menu, encode(Privacy()))
        [again] = await bot.api.wait_for_messages(citizen.id)
        assert again.text == notice.text


async def test_without_retention_the_notice_says_texts_stay(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    changes = {"privacy": PrivacySettings(retention_days=0)}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        citizen = bot.api.create_user("Sara")
        bot.api.user_sends_command(citizen, "/lang")
        bot.api.user_sends_command(citizen, "/privacy")
        messages = await bot.api.wait_for_messages(citizen.id, 2)
        assert bot.fa.text("privacy.retention_none") in messages[-1].text


def texts(path: Path) -> list[str | None]:
    with sqlite3.connect(path) as db:
        return [text for (text,) in db.execute("SELECT text FROM questions ORDER BY asked_at")]


async def test_a_short_retention_purges_on_its_own_while_the_bot_runs(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    database = tmp_path / "bot.db"
    async with await Store.open(database) as store:
        old = datetime.now(UTC) - timedelta(days=3)
        await store.record_question(replace(question(update_id=1, text="قدیمی"), asked_at=old))
        await store.record_question(question(update_id=2, text="تازه"))
    changes = {"privacy": PrivacySettings(retention_days=2)}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes):
        for _ in range(100):
            if texts(database) == [None, "تازه"]:
                break
            await asyncio.sleep(0.05)
        assert texts(database) == [None, "تازه"]  # no command was run: the bot purged by itself


async def test_the_purge_repeats(tmp_path: Path) -> None:
    database = tmp_path / "s.db"
    async with await Store.open(database) as store:
        stop = asyncio.Event()
        task = asyncio.create_task(purge_periodically(store, 1, stop, every=0.05))
        try:
            await asyncio.sleep(0.1)
            await store.record_question(  # written after the first purge ran
                question(update_id=1, text="دیروز", asked_at=datetime.now(UTC) - timedelta(days=2))
            )
            for _ in range(100):
                if texts(database) == [None]:
                    break
                await asyncio.sleep(0.05)
            assert texts(database) == [None]
        finally:
            stop.set()
            await task
