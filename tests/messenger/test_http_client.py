"""The aiohttp Bot API transport keeps PTB's contract: bodies, files, timeouts and errors."""

from __future__ import annotations

import asyncio
import io
import json
import socket

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.messenger.http_client import FORM_TYPE, AiohttpRequest, form_body, json_body
from bot.messenger.platforms import REQUEST_BODIES
from tests.support.fakeapi import FakeBotApi
from tests.support.fakeapi.faults import Fault


async def test_a_form_body_is_the_one_aiohttp_makes_of_the_fields() -> None:
    """Made directly (no ``FormData`` per call), the body and its type are aiohttp's own."""
    fields = {
        "chat_id": "12345",
        "text": "<b>شناسنامه</b> + & = %20 ؟\n😀 a~b_c.d-e",
        "reply_markup": '{"inline_keyboard":[[{"text":"بله","callback_data":"r:5:1"}]]}',
    }
    made = aiohttp.FormData(fields)()
    assert form_body(fields) == made._value
    assert made.content_type == FORM_TYPE


async def test_a_json_body_is_utf8_json_of_the_parameters_and_an_unknown_kind_is_refused() -> None:
    text = '<b>شناسنامه</b> "؟"\n😀'
    parameters = {"chat_id": 12345, "text": text, "reply_markup": {"inline_keyboard": []}}
    body = json_body(parameters)
    assert json.loads(body) == parameters
    assert "شناسنامه".encode() in body  # UTF-8 as it is, not \u escapes (a third of the bytes)
    with pytest.raises(ValueError):
        AiohttpRequest(body="xml")


def aiohttp_bot(api: FakeBotApi, body: str = "form", **timeouts: float) -> Bot:
    return Bot(api.token, base_url=api.base_url, request=AiohttpRequest(body=body, **timeouts))


@pytest.mark.parametrize("body", REQUEST_BODIES)
async def test_persian_text_keyboard_and_edits_round_trip(api: FakeBotApi, body: str) -> None:
    user = api.create_user("Sara")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("بله", callback_data="r:5:abc")]])
    async with aiohttp_bot(api, body) as bot:
        assert (await bot.get_me()).username == api.bot.username
        sent = await bot.send_message(user.id, "شناسنامه‌ام گم شده ۱۲۳", reply_markup=markup)
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=None)
    [message] = api.sent(user.id)
    assert message.text == "شناسنامه‌ام گم شده ۱۲۳"
    assert message.buttons == []
    assert [call.method for call in api.calls()][-2:] == ["sendMessage", "editMessageReplyMarkup"]


@pytest.mark.parametrize("body", REQUEST_BODIES)
async def test_a_document_goes_as_multipart_with_its_name_and_bytes(api: FakeBotApi, body: str) -> None:
    user = api.create_user()
    payload = b"PK\x03\x04" + bytes(range(256)) * 40
    async with aiohttp_bot(api, body) as bot:
        message = await bot.send_document(
            user.id, io.BytesIO(payload), filename="گزارش-۱۴۰۵.xlsx", caption="شاخص‌ها"
        )
    assert message.document is not None and message.caption == "شاخص‌ها"
    stored = api.file(message.document.file_id)
    assert stored is not None and stored.data == payload and stored.file_name == "گزارش-۱۴۰۵.xlsx"


@pytest.mark.parametrize("body", REQUEST_BODIES)
async def test_api_errors_map_to_the_same_exceptions_as_ptbs_own_transport(
    api: FakeBotApi, body: str
) -> None:
    alice, bob = api.create_user("Alice"), api.create_user("Bob")
    api.inject(Fault.blocked(), chat_ids=[bob.id], times=None)
    api.inject(Fault.retry_after(3), "sendMessage", chat_ids=alice.id)
    async with aiohttp_bot(api, body) as bot:
        with pytest.raises(RetryAfter) as throttled:
            await bot.send_message(alice.id, "x")
        assert throttled.value.retry_after.total_seconds() == 3
        with pytest.raises(Forbidden):
            await bot.send_message(bob.id, "x")
        with pytest.raises(BadRequest):
            await bot.send_message(alice.id, "")
        for fault in (Fault.server_error(), Fault.bad_gateway(), Fault.disconnect()):
            api.inject(fault, "sendMessage", chat_ids=alice.id)
            with pytest.raises(NetworkError) as failed:
                await bot.send_message(alice.id, "x")
            assert not isinstance(failed.value, TimedOut)
        await bot.send_message(alice.id, "delivered")
    assert [m.text for m in api.sent(alice.id)] == ["delivered"]


async def test_a_slow_answer_is_a_timeout_and_the_next_call_works(api: FakeBotApi) -> None:
    user = api.create_user()
    api.inject(Fault.slow(0.6), "sendMessage", chat_ids=user.id)
    async with aiohttp_bot(api, read_timeout=0.2) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "late")
        await bot.send_message(user.id, "on time")
    texts = [m.text for m in await api.wait_for_messages(user.id, count=2, timeout=3)]
    assert sorted(texts) == ["late", "on time"]  # the slow call still took effect on the server


async def test_an_unreachable_api_is_a_network_error_not_a_crash() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    request = AiohttpRequest(connect_timeout=1.0)
    bot = Bot("123:abc", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await bot.send_message(1, "x")
    finally:
        await request.shutdown()


async def test_long_polling_waits_past_the_plain_read_timeout(api: FakeBotApi) -> None:
    user = api.create_user()
    async with aiohttp_bot(api, read_timeout=0.3) as bot:
        polling = asyncio.create_task(bot.get_updates(timeout=1))
        await asyncio.sleep(0.6)  # longer than read_timeout: PTB adds the poll timeout to it
        api.user_sends_text(user, "سلام")
        updates = await polling
    assert [u.message.text for u in updates if u.message] == ["سلام"]


async def test_requests_before_initialize_and_after_shutdown_are_refused(api: FakeBotApi) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request(f"{api.base_url}{api.token}/getMe", "POST")
    await request.initialize()
    status, body = await request.do_request(f"{api.base_url}{api.token}/getMe", "POST")
    assert status == 200 and b'"ok":true' in body.replace(b" ", b"")
    await request.shutdown()
    await request.shutdown()  # twice is harmless
    with pytest.raises(RuntimeError):
        await request.do_request(f"{api.base_url}{api.token}/getMe", "POST")
