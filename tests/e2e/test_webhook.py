"""Webhooks under attack (issue 14, items 4 and 5): a real secret or no start; the secret before the
body; the body capped; bad JSON is 400; an unreadable update is logged without its content."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config_values import ConfigError
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.platforms import PlatformSettings, WebhookSettings
from bot.messenger.staff_settings import StaffSettings
from bot.messenger.updates.webhook import MAX_BODY
from bot.runner import StartupError, serve
from bot.secret import Secret
from bot.settings import Settings, StoreSettings, load_settings
from bot.store import UserHasher
from handlers.context import Shared
from tests.e2e.test_secrets import free_port, listening
from tests.support.bot_harness import platform_for
from tests.support.fakeapi import SECRET_HEADER, FakeBotApi

PATH_SECRET = "Zq3-x8RkP0vW_4mYtB7nLc2sHd9FgJ5a"
HEADER_SECRET = "webhook_Secret-0123456789"
EDITOR = 9001


def shared_for(tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str) -> Shared:
    staff = StaffSettings({profile: frozenset({EDITOR})}, {})
    settings = replace(Settings(), store=StoreSettings(tmp_path / "bot.db"), staff=staff)
    return Shared(settings, engine, locales, UserHasher("webhook-tests-hash-secret"))


@contextlib.asynccontextmanager
async def webhook_bot(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str, path: str, secret: str | None = None
) -> AsyncIterator[tuple[FakeBotApi, str, int]]:
    async with FakeBotApi(profile) as api:
        port = free_port()
        url = f"http://127.0.0.1:{port}/{path}"
        webhook = WebhookSettings(url=url, port=port, secret=Secret(secret) if secret else None)
        platform = replace(platform_for(api), webhook=webhook)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(shared_for(tmp_path, engine, locales, profile), [platform], stop))
        try:
            await api.wait_for_calls("setWebhook", timeout=10)
            await listening(port)
            yield api, url, port
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


def broadcast_from_the_editor(update_id: int = 1) -> dict[str, Any]:
    editor = {"id": EDITOR, "is_bot": False, "first_name": "Forged"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": EDITOR, "type": "private"},
            "from": editor,
            "text": "/broadcast",
            "entities": [{"type": "bot_command", "offset": 0, "length": 10}],
        },
    }


@pytest.mark.parametrize(
    ("url", "secret", "fragment"),
    [
        ("https://bot.example.ir/", None, "random characters"),
        ("https://bot.example.ir/bale", None, "random characters"),
        ("https://bot.example.ir/hook-7f3a", None, "random characters"),
        ("https://bot.example.ir/" + "a" * 40, None, "random characters"),
        ("https://bot.example.ir/" + PATH_SECRET, "a_configured_secret", "secret is unused"),
    ],
)
def test_item4_a_bale_webhook_without_a_real_secret_is_refused(
    tmp_path: Path, url: str, secret: str | None, fragment: str
) -> None:
    config = tmp_path / "config.toml"
    lines = [
        '[platforms.bale]\ntoken = "7000000001:AAF4keT0kenF0rSabtyarTests_0123456789"',
        "[platforms.bale.webhook]",
    ]
    lines += [f'url = "{url}"'] + ([f'secret = "{secret}"'] if secret else [])
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config)
    config.write_text("\n".join(lines[:3]).replace(url, "https://bot.example.ir/x/" + PATH_SECRET) + "\n")
    assert load_settings(config).platform("bale").uses_webhook


async def test_item4_the_runner_refuses_a_weak_webhook_and_forged_posts_reach_no_one(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with FakeBotApi("bale") as api:
        port = free_port()
        weak: PlatformSettings = replace(
            platform_for(api), webhook=WebhookSettings(url=f"http://127.0.0.1:{port}/bale", port=port)
        )
        with pytest.raises(StartupError, match="random characters"):
            await serve(shared_for(tmp_path, engine, locales, "bale"), [weak], asyncio.Event())
        assert not api.calls("setWebhook")
    async with webhook_bot(tmp_path, engine, locales, "bale", f"hook/{PATH_SECRET}") as (api, url, port):
        api.create_user("Editor", user_id=EDITOR)
        async with aiohttp.ClientSession() as session:
            for path in ("", "hook", "hook/", f"hook/{PATH_SECRET[:-1]}", "bale"):
                async with session.post(
                    f"http://127.0.0.1:{port}/{path}", json=broadcast_from_the_editor()
                ) as r:
                    assert r.status in (404, 405), path
            await api.expect_no_messages(EDITOR, within=0.5)
            async with session.post(url, json=broadcast_from_the_editor()) as response:
                assert response.status == 200
        await api.wait_for_messages(EDITOR, timeout=10)  # the real path works


async def raw_post(port: int, headers: dict[str, str], body: bytes = b"") -> int:
    """The status of a POST whose headers may promise a body that never comes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"POST /hook HTTP/1.1\r\nHost: x\r\n{head}\r\n".encode() + body)
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 5)
        return int(status.split()[1])
    finally:
        writer.close()


async def test_item5_the_secret_before_the_body_the_body_capped_bad_json_400(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, caplog: pytest.LogCaptureFixture
) -> None:
    async with webhook_bot(tmp_path, engine, locales, "telegram", "hook", HEADER_SECRET) as (api, url, port):
        huge = {"Content-Type": "application/json", "Content-Length": str(100 * 2**20)}
        assert await raw_post(port, huge) == 403  # answered without waiting for 100 MB
        assert await raw_post(port, {**huge, SECRET_HEADER: "wrong"}) == 403
        assert await raw_post(port, {**huge, SECRET_HEADER: HEADER_SECRET}) == 413
        good = {SECRET_HEADER: HEADER_SECRET}
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=io.BytesIO(b"x" * (MAX_BODY + 1)), headers=good) as response:
                assert response.status == 413
            for body in (b"{not json", b"\xff\xfe", b"[1, 2]", b'"text"', b""):
                async with session.post(url, data=body, headers=good) as response:
                    assert response.status == 400, body
            personal = {"update_id": 7, "message": {"text": "کد ملی 0499370899 تلفن 09121234567", "chat": 5}}
            with caplog.at_level(logging.DEBUG):
                async with session.post(url, data=json.dumps(personal), headers=good) as response:
                    assert response.status == 200
            assert not any(
                "0499370899" in r.getMessage() or "09121234567" in r.getMessage() for r in caplog.records
            )
            assert not [r for r in caplog.records if r.levelno >= logging.CRITICAL]
        await api.expect_no_messages(EDITOR, within=0.2)
