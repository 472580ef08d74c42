"""The real sabtyar Application (``bot.app.build_application``) on a recording in-process network layer.

For tests that push thousands of hand-built updates through ``application.process_update``:
no HTTP server, no long polling, no rate limiter (PTB's ``AIORateLimiter`` would pace 10,000
replies at 30 per second). Every Bot API call is recorded and answered with a plausible result,
so the handlers run exactly as in production up to the network layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

import bot.app
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.lean_bot import LeanBot
from bot.messenger.platforms import default_platform
from bot.secret import Secret
from bot.settings import FloodSettings, Settings, StoreSettings
from bot.store import UserHasher
from bot.store.durable.ids import derived_key, key_text
from handlers.context import BotContext, Shared

__all__ = ["BOT_ID", "TOKEN", "Call", "RecordingApp", "RecordingRequest", "recording_app"]

TOKEN = "7000000002:AAHostileInputTestToken_abcdefghijklmno"
BOT_ID = 7_000_000_002
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Sabtyar", "username": "sabtyar_test_bot"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class RecordingRequest(BaseRequest):
    """A ``BaseRequest`` that records each call and answers like the Bot API would."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._message_ids = itertools.count(1_000)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float:
        return 5.0

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id", 1)
        message: dict[str, Any] = {
            "message_id": params.get("message_id") or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if int(chat_id) > 0 else "group"},
            "from": BOT_USER,
            "text": params.get("text") or "…",
        }
        if isinstance(params.get("reply_markup"), dict):
            message["reply_markup"] = params["reply_markup"]
        return message

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data is not None else {}
        self.calls.append(Call(name, params))
        result: Any = True
        if name == "getMe":
            result = BOT_USER
        elif name in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            result = self._message(params) if "chat_id" in params else True
        elif name == "getUpdates":
            await asyncio.sleep(0.01)
            result = []
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


@dataclass
class RecordingApp:
    application: Application  # type: ignore[type-arg]
    request: RecordingRequest
    db: Path
    shared: Shared
    platform: str
    loop: asyncio.AbstractEventLoop
    #: ``context.error`` of every error-handler invocation (the real ``on_error`` runs too).
    errors: list[BaseException] = field(default_factory=list)
    _update_ids: Iterator[int] = field(default_factory=lambda: itertools.count(500_000_000))

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def process(self, payload: dict[str, Any]) -> Update:
        """Run one update (JSON without ``update_id``, or with it for replays) through the handlers."""
        payload = payload if "update_id" in payload else {"update_id": self.next_update_id(), **payload}
        update = Update.de_json(payload, self.application.bot)
        self.loop.run_until_complete(self.application.process_update(update))
        return update

    def user_hash(self, user_id: int) -> str:
        return self.shared.hasher(self.platform, user_id)

    def key_of(self, update: Update) -> str:
        """The ``update_key`` of what ``update`` wrote: no inbox hands updates on here, so the key
        is the one the handlers derive from the update's content (``handlers.recording``)."""
        return key_text(derived_key(self.platform, str(BOT_ID), update.to_json()))

    def rows(self, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
        with contextlib.closing(sqlite3.connect(self.db)) as connection:
            return connection.execute(sql, parameters).fetchall()

    def tables(self) -> list[str]:
        return [
            name
            for (name,) in self.rows("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and name != "inbox"  # every update received is recorded
        ]

    def snapshot(self) -> dict[str, Any]:
        """Row counts of every table, plus the ratings, resolutions and comments themselves."""
        with contextlib.closing(sqlite3.connect(self.db)) as connection:
            counts = {
                t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in self.tables()
            }
            counts["ratings*"] = connection.execute(
                "SELECT answer_event_id, user_hash, score, comment FROM ratings ORDER BY id"
            ).fetchall()
            counts["resolutions*"] = connection.execute(
                "SELECT question_id, entry_id FROM resolutions ORDER BY question_id"
            ).fetchall()
        return counts


class _RecordingBot(LeanBot):
    """The app's bot on the recording network layer (not the app's own transport), with no rate
    limiter, whatever the app picks."""

    request_layer: RecordingRequest

    def __init__(self, token: str, **options: Any) -> None:
        options.update(request=self.request_layer, get_updates_request=RecordingRequest(), rate_limiter=None)
        super().__init__(token, **options)


@contextlib.contextmanager
def recording_app(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str = "telegram"
) -> Iterator[RecordingApp]:
    """The real Application for ``profile`` on a private event loop (call from sync tests)."""
    loop = asyncio.new_event_loop()
    request = RecordingRequest()
    settings = replace(
        Settings(), store=StoreSettings(tmp_path / "hostile.db"), flood=FloodSettings(1_000_000, 1.0)
    )
    shared = Shared(settings, engine, locales, UserHasher("hostile-input-hash-secret"))
    platform = replace(default_platform(profile), token=Secret(TOKEN))
    recording_bot = type("RecordingBot", (_RecordingBot,), {"request_layer": request})
    original = bot.app.LeanBot
    bot.app.LeanBot = recording_bot  # type: ignore[misc]
    try:
        application = bot.app.build_application(shared, platform)
    finally:
        bot.app.LeanBot = original  # type: ignore[misc]
    app = RecordingApp(application, request, settings.store.path, shared, profile, loop)

    async def record(update: object, context: BotContext) -> None:
        assert context.error is not None
        app.errors.append(context.error)

    application.add_error_handler(record)

    async def start() -> None:
        await application.initialize()
        assert application.post_init is not None
        await application.post_init(application)

    async def stop() -> None:
        await application.shutdown()
        assert application.post_shutdown is not None
        await application.post_shutdown(application)

    loop.run_until_complete(start())
    try:
        yield app
    finally:
        loop.run_until_complete(stop())
        loop.close()
