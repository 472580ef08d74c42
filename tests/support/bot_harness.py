"""A running sabtyar bot (the real runner and handlers) against the fake Bot API, for handler tests."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.knowledge.directory.offices import Office, OfficeBook
from bot.locale import Catalog, Locales
from bot.messenger.platforms import PlatformSettings, default_platform
from bot.runner import serve
from bot.secret import Secret
from bot.settings import FloodSettings, Settings, StoreSettings
from bot.store import Stats, Store, UserHasher
from handlers.context import Shared
from tests.support.fakeapi import FakeBotApi, FakeUser, SentMessage

__all__ = ["DID_YOU_MEAN_CANDIDATES", "Bot", "find_question", "polling", "running_bot"]

HASH_SECRET = "handler-tests-hash-secret"
DID_YOU_MEAN_CANDIDATES = ("کارت", "شناسنامه", "ثبت", "کارت ملی", "مدارک", "پیگیری", "هزینه")
#: Questions one of which the engine answers with alternatives (not a two-part question).
ALTERNATIVES_CANDIDATES = (
    "پیگیری",
    "تعویض",
    "مدارک لازم",
    "کارت ملی هوشمندم گم شده و میخوام اسمم رو هم عوض کنم",
    "شناسنامه ام پاره شده عوضش می کنن؟",
    "کارتم آماده شده 🎉 تا کی وقت دارم برم بگیرمش؟",
    "پسرم 15 سالشه میتونه کارت ملی بگیره؟",
    "کارت ملیم خراب شده",
)
#: Questions one of which the engine reads as asking two things.
TWO_PART_CANDIDATES = (
    "کارت ملیم گم شده، شناسنامه‌ام هم پاره شده",
    "کارت ملی هوشمندم گم شده. ضمنا ساعت کاری اداره ثبت احوال چنده؟",
    "شناسنامه‌ام گم شده، کد ملی بچه‌ام رو هم از کجا پیدا کنم؟",
    "برای ثبت ولادت نوزاد چه مدارکی لازمه؟ یه سوال دیگه هم داشتم، ساعت کاری اداره چنده؟",
)


def find_question(engine: AnswerEngine, outcome: Outcome, candidates: tuple[str, ...]) -> str:
    """The first candidate the engine decides as ``outcome`` (tests survive matcher tuning)."""
    return next(q for q in candidates if engine.ask(q).outcome is outcome)


@dataclass
class Bot:
    api: FakeBotApi
    db: Path
    shared: Shared
    fa: Catalog
    en: Catalog

    async def stats(self) -> Stats:
        """The store's figures, read through a second connection as ``sabtyar stats`` would."""
        async with await Store.open(self.db) as store:
            return await store.stats()

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db)) as connection:
            return connection.execute(sql, parameters).fetchall()

    def user_hash(self, user: FakeUser) -> str:
        return self.shared.hasher(self.api.profile.name, user.id)

    async def say(self, user: FakeUser, text: str, count: int = 1, **kw: Any) -> list[SentMessage]:
        self.api.user_sends_text(user, text, **kw)
        chat = kw.get("chat")
        return await self.api.wait_for_messages(user.id if chat is None else chat.id, count)

    async def press(
        self, user: FakeUser, message: SentMessage, data: str, *, edits: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        """Press a button and wait until the bot answered the query (and made one ``edits`` call)."""
        done = len(self.api.callback_answers)
        edited = len([c for c in self.api.calls(edits) if c.ok is not None]) if edits else 0
        self.api.user_presses_button(user, message, data, **kw)
        answers = await self.api.wait_for_callback_answers(done + 1)
        if edits:
            await self.api.wait_for_calls(edits, edited + 1)
        return answers[done]


def platform_for(api: FakeBotApi) -> PlatformSettings:
    return replace(
        default_platform(api.profile.name),
        token=Secret(api.token),
        base_url=api.base_url,
        base_file_url=api.base_file_url,
    )


async def polling(api: FakeBotApi, task: asyncio.Task[None], timeout: float = 10.0) -> None:
    """Wait until the bot's first long poll has arrived (the call stays open, so it is not finished)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not api.calls("getUpdates"):
        if task.done():
            task.result()
            raise RuntimeError("the bot stopped before polling")
        if loop.time() > deadline:
            raise TimeoutError("the bot did not start polling")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path,
    engine: AnswerEngine,
    locales: Locales,
    profile: str = "telegram",
    *,
    flood: FloodSettings | None = None,
    offices: tuple[Office, ...] | OfficeBook = (),
    settings_changes: dict[str, Any] | None = None,
    **api_options: Any,
) -> AsyncIterator[Bot]:
    """The fake server and the bot on it (through ``bot.runner.serve``), stopped on exit.

    ``settings_changes`` replaces settings fields (``staff``, ``handoff``, ``knowledge_dir``: a
    copy, never the repository's folder, when a test edits the knowledge).
    """
    async with FakeBotApi(profile, **api_options) as api:
        settings = replace(
            Settings(),
            store=StoreSettings(tmp_path / "bot.db"),
            flood=flood or FloodSettings(50, 1.0),
            **(settings_changes or {}),
        )
        book = offices if isinstance(offices, OfficeBook) else OfficeBook(offices=tuple(offices))
        shared = Shared(settings, engine, locales, UserHasher(HASH_SECRET), book)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(shared, [platform_for(api)], stop))
        try:
            await polling(api, task)
            yield Bot(api, settings.store.path, shared, locales.get("fa"), locales.get("en"))
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)
