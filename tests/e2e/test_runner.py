"""The runner: webhook mode, start-up failures that never show the token, log redaction, throttles."""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from telegram.error import BadRequest, NetworkError

from bot.cli.main import main
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.log_setup import RedactingFormatter
from bot.messenger.platforms import WebhookSettings
from bot.messenger.rate_limit import is_throttle
from bot.runner import StartupError, serve
from bot.secret import Secret
from bot.settings import Settings, StoreSettings
from bot.store import UserHasher, mask_personal_data
from handlers.context import Shared
from tests.support.bot_harness import platform_for
from tests.support.fakeapi import FakeBotApi


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def shared_for(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> Shared:
    settings = replace(Settings(), store=StoreSettings(tmp_path / "bot.db"))
    return Shared(settings, engine, locales, UserHasher("runner-tests-hash-secret"))


PATH_SECRET = "Zq3-x8RkP0vW_4mYtB7nLc2sHd9FgJ5a"


@pytest.mark.parametrize(("profile", "header"), [("telegram", True), ("bale", False)])
async def test_webhook_mode(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str, header: bool
) -> None:
    async with FakeBotApi(profile) as api:
        port = free_port()
        webhook = WebhookSettings(url=f"http://127.0.0.1:{port}/hook/{PATH_SECRET}", port=port)
        platform = replace(platform_for(api), webhook=webhook)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(shared_for(tmp_path, engine, locales), [platform], stop))
        try:
            await api.wait_for_calls("setWebhook", timeout=10)
            citizen = api.create_user()
            api.user_sends_command(citizen, "/start")
            [welcome] = await api.wait_for_messages(citizen.id, timeout=10)
            assert welcome.text == locales.get("fa").text("bot.welcome")
            [call] = api.calls("setWebhook")
            assert call.params["url"] == webhook.url
            assert ("secret_token" in call.params) is header
            await api.wait_until_delivered()  # the 200 follows the inbox's write; the reply may come first
            assert api.webhook_deliveries[-1]["error"] is None
            assert not api.calls("getUpdates")
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


async def test_rejected_token_is_a_startup_error_without_the_token(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with FakeBotApi("bale") as api:
        platform = replace(platform_for(api), token=Secret("999:WRONGTOKEN"))
        with pytest.raises(StartupError) as caught:
            await serve(shared_for(tmp_path, engine, locales), [platform], asyncio.Event())
    assert "bale" in str(caught.value) and "WRONGTOKEN" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_unreachable_api_is_a_startup_error(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with FakeBotApi("telegram") as api:
        platform = platform_for(api)
    platform = replace(platform, base_url=f"http://127.0.0.1:{free_port()}/bot")
    with pytest.raises(StartupError, match="telegram: cannot reach"):
        await serve(shared_for(tmp_path, engine, locales), [platform], asyncio.Event())


def test_run_with_a_malformed_token_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[platforms.bale]\ntoken = "my secret token"\n', encoding="utf-8")
    assert main(["--config", str(config), "run"]) == 2
    err = capsys.readouterr().err
    assert "[platforms.bale] token" in err and "my secret token" not in err


def test_redacting_formatter() -> None:
    token = "7000000001:AAF4keT0kenF0rSabtyarTests_0123456789"
    formatter = RedactingFormatter([Secret(token), Secret("")], "%(message)s")
    try:
        raise RuntimeError(f"POST https://tapi.bale.ai/bot{token}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "url %s", (f"/bot{token}/x",), None)
        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    assert token not in text and text.count("***") >= 2
    quoted = logging.LogRecord("x", logging.INFO, __file__, 1, token.replace(":", "%3A"), (), None)
    assert formatter.format(quoted) == "***"


def test_throttle_detection() -> None:
    assert is_throttle(NetworkError("bot limit exceed (429)"))
    assert is_throttle(NetworkError("local_rate_limited"))
    assert is_throttle(NetworkError("Flood (420)"))
    assert not is_throttle(NetworkError("Bad Gateway"))
    assert not is_throttle(BadRequest("Too Many Requests: flood words in the text"))
    assert not is_throttle(ValueError("bot limit exceed"))


def test_item12_logs_carry_masked_text_only() -> None:
    """Issue 14, item 12: whatever a library logs (an update in full, a traceback), the national
    code, phone and card are masked; the token is still redacted before masking can touch it."""
    token = "7000000001:AAF4keT0kenF0rSabtyarTests_0123456789"
    formatter = RedactingFormatter([Secret(token)], "%(levelname)s %(message)s", mask=mask_personal_data)
    update = {"message": {"text": "کد ملی من 0499370899 و موبایل 09121234567، کارت 6037991234567893"}}
    try:
        raise ValueError(f"cannot read {update!r} from /bot{token}/getUpdates")
    except ValueError:
        record = logging.LogRecord(
            "telegram.ext", logging.CRITICAL, __file__, 1, "received %r", (update,), None
        )
        record.exc_info = sys.exc_info()
    text = formatter.format(record)
    for personal in ("0499370899", "09121234567", "6037991234567893", token, "AAF4keT0ken"):
        assert personal not in text
    assert text.startswith("CRITICAL received") and "[کد ملی]" in text and "[تلفن]" in text
