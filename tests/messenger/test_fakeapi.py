"""Tests of the fake Bot API server (tests/fakeapi), mostly through python-telegram-bot itself."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import json
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.support.fakeapi import DEFAULT_TOKEN, SECRET_HEADER, TINY_PNG, FakeBotApi, Fault
from tests.support.fakeapi.formatting import render, utf16_len

ROOT = Path(__file__).resolve().parents[2]


# fixtures and helpers ---------------------------------------------------------------------
@pytest_asyncio.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url) as client:
        yield client


def build_app(api: FakeBotApi) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()
    )


@contextlib.asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The manual PTB lifecycle (what a two-platform process does)."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=2)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d)] for d in data])


async def raw_call(api: FakeBotApi, method: str, token: str | None = None, **kw: Any) -> Any:
    async with aiohttp.ClientSession() as session:
        url = f"{api.base_url}{token or api.token}/{method}"
        async with session.post(url, **kw) as response:
            return response.status, await response.json()


# identity and the HTTP envelope ------------------------------------------------------------
async def test_get_me_and_send_message_round_trip(api: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.username == "sabtyar_test_bot" and me.supports_inline_queries
    assert me.can_join_groups is True and me.can_read_all_group_messages is False

    sara = api.create_user("سارا", language_code="fa")
    first = await bot.send_message(sara.id, "سلام", reply_markup=keyboard("yes"))
    second = await bot.send_message(sara.id, "دوم", reply_parameters=ReplyParameters(first.message_id))
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.from_user is not None and first.from_user.id == me.id
    assert first.chat.id == sara.id and first.chat.type == "private"
    assert abs(first.date.timestamp() - time.time()) < 5  # seconds, not milliseconds
    assert first.reply_markup == keyboard("yes")
    assert second.reply_to_message is not None and second.reply_to_message.text == "سلام"

    [sent] = await api.wait_for_messages(sara.id)
    assert sent.text == "سلام" and sent.reply_markup == keyboard("yes").to_dict()
    assert [m.text for m in api.sent(sara.id)] == ["سلام", "دوم"]
    assert api.calls("SENDMESSAGE")[0].params["chat_id"] == sara.id


async def test_envelopes_for_unknown_token_and_method(api: FakeBotApi) -> None:
    assert await raw_call(api, "getMe", token="1:wrong") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw_call(api, "frobnicate") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = await raw_call(api, "GETME")  # case-insensitive
    assert status == 200 and body["ok"] is True and body["result"]["is_bot"] is True
    user = api.create_user()
    status, body = await raw_call(api, "sendMessage", json={"chat_id": user.id, "text": "hi"})
    assert status == 200 and body["result"]["text"] == "hi"
    async with aiohttp.ClientSession() as session:  # GET with a query string
        url = f"{api.base_url}{api.token}/sendMessage?chat_id={user.id}&text=q"
        async with session.get(url) as response:
            assert (await response.json())["result"]["message_id"] == 2


# long polling -----------------------------------------------------------------------------
async def test_long_poll_returns_update_queued_while_waiting(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user("Ali")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    assert not poll.done()
    api.user_sends_text(user, "سلام")
    updates = await poll
    assert time.monotonic() - started < 2
    [update] = updates
    assert update.message is not None and update.message.from_user is not None
    assert update.message.text == "سلام" and update.message.from_user.id == user.id

    started = time.monotonic()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == ()
    assert time.monotonic() - started >= 0.95


async def test_offset_limit_and_allowed_updates(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    ids = [api.user_sends_text(user, f"m{i}")["update_id"] for i in range(3)]  # type: ignore[index]
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates()] == ids  # not confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await bot.get_updates(offset=ids[2] + 1)] == []
    assert api.pending_updates == []

    api.user_sends_text(user, "text")
    sent = await bot.send_message(user.id, "pick", reply_markup=keyboard("a"))
    api.user_presses_button(user, sent.message_id, "a")
    updates = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query is not None for u in updates] == [True]


async def test_second_poller_terminates_the_first(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.2)
    status, body = await raw_call(api, "getUpdates")
    assert (status, body["result"]) == (200, [])
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first


# validation -------------------------------------------------------------------------------
async def test_text_length_and_empty_text(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    assert (await bot.send_message(user.id, "ب" * 4096)).text == "ب" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(user.id, "ب" * 4097)
    status, body = await raw_call(api, "sendMessage", json={"chat_id": user.id, "text": ""})
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw_call(api, "sendMessage", json={"chat_id": 5, "text": "x"})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_callback_data_limit_is_64_bytes(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    await bot.send_message(user.id, "ok", reply_markup=keyboard("ث" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(user.id, "no", reply_markup=keyboard("ث" * 33))  # 66 bytes
    assert len(api.sent(user.id)) == 1


async def test_parse_mode_html_and_markdown_errors(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    message = await bot.send_message(user.id, "<b>ثبت <i>احوال</i></b> &amp; ok", parse_mode="HTML")
    assert message.text == "ثبت احوال & ok"
    assert [(e.type, e.offset, e.length) for e in message.entities] == [
        ("bold", 0, 9),
        ("italic", 4, 5),
    ]
    for bad in ("<b>open", "<b>x</i>", "<foo>x</foo>", "a < b"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(user.id, bad, parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(user.id, "پایان.", parse_mode="MarkdownV2")
    assert (await bot.send_message(user.id, r"*پایان*\.", parse_mode="MarkdownV2")).text == "پایان."


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=50))
def test_html_rendering_round_trips_escaped_text(text: str) -> None:
    plain, entities = render(f"<b>{html.escape(text, quote=False)}</b>", "HTML")
    assert plain == text
    assert entities == ([{"type": "bold", "offset": 0, "length": utf16_len(text)}] if text else [])


async def test_edit_delete_and_not_modified(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    sent = await bot.send_message(user.id, "v1", reply_markup=keyboard("a"))
    edited = await bot.edit_message_text(
        "v2", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard("a")
    )
    assert isinstance(edited, Message) and edited.text == "v2" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "v2", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard("a")
        )
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=keyboard("b"))
    [record] = api.sent(user.id)
    assert record.text == "v2" and record.reply_markup == keyboard("b").to_dict()
    assert [h["text"] for h in record.history] == ["v1", "v2"]
    assert await bot.delete_message(user.id, sent.message_id) is True
    assert record.deleted and api.message(user.id, sent.message_id) is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("v3", chat_id=user.id, message_id=sent.message_id)


async def test_commands_chat_copy_forward_location_action(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user("Reza", username="reza_k")
    commands = [BotCommand("start", "شروع"), BotCommand("help", "راهنما")]
    assert await bot.set_my_commands(commands, language_code="fa")
    assert await bot.get_my_commands(language_code="fa") == tuple(commands)
    assert await bot.get_my_commands() == ()
    assert await bot.delete_my_commands(language_code="fa")
    assert await bot.get_my_commands(language_code="fa") == ()

    chat = await bot.get_chat(user.id)
    assert (chat.id, chat.username, chat.type) == (user.id, "reza_k", "private")
    update = api.user_sends_text(user, "متن اصلی")
    original_id = update["message"]["message_id"]  # type: ignore[index]
    copied = await bot.copy_message(user.id, user.id, original_id)
    forwarded = await bot.forward_message(user.id, user.id, original_id)
    assert copied.message_id == original_id + 1
    assert forwarded.text == "متن اصلی" and forwarded.forward_origin is not None
    location = await bot.send_location(user.id, 35.6892, 51.3890)
    assert location.location is not None and location.location.latitude == pytest.approx(35.6892)
    assert await bot.send_chat_action(user.id, "typing")
    assert [m.method for m in api.sent(user.id)] == ["copyMessage", "forwardMessage", "sendLocation"]


# files ------------------------------------------------------------------------------------
async def test_multipart_document_and_photo_bytes_are_stored(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    payload = "گواهی ولادت\n".encode() * 100
    message = await bot.send_document(user.id, payload, filename="certificate.txt", caption="سند")
    assert message.document is not None and message.document.file_name == "certificate.txt"
    assert message.caption == "سند"
    [sent] = await api.wait_for_messages(user.id)
    assert sent.document == payload and sent.file_name == "certificate.txt"
    assert api.calls("sendDocument")[0].params["document"].data == payload

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == payload
    again = await bot.send_document(user.id, message.document.file_id)  # re-send by file_id
    assert again.document is not None and again.document.file_id == message.document.file_id

    photo = await bot.send_photo(user.id, TINY_PNG)
    assert (photo.photo[-1].width, photo.photo[-1].height) == (1, 1)
    assert api.sent(user.id)[-1].data == TINY_PNG

    update = api.user_sends_document(user, b"%PDF-1.4 fake", file_name="id.pdf")
    file_id = update["message"]["document"]["file_id"]  # type: ignore[index]
    user_file = await bot.get_file(file_id)
    assert bytes(await user_file.download_as_bytearray()) == b"%PDF-1.4 fake"


# errors and faults ------------------------------------------------------------------------
async def test_blocked_user_is_forbidden(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    api.user_blocks_bot(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "سلام")
    status, body = await raw_call(api, "sendMessage", json={"chat_id": user.id, "text": "x"})
    assert (status, body) == (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
    )
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    api.user_unblocks_bot(user)
    await bot.send_message(user.id, "back")


async def test_retry_after_and_bale_throttle(
    api: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PTB 22 warns (an error under filterwarnings=error) when RetryAfter is built without this
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    user = api.create_user()
    api.inject(Fault.retry_after(3), "sendMessage")
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(user.id, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=3)

    api.inject(Fault.bale_throttle())
    with pytest.raises(NetworkError, match="bot limit exceed") as throttled:
        await bot.send_message(user.id, "y")
    assert not isinstance(throttled.value, RetryAfter)

    for fault in (Fault.server_error(), Fault.bad_gateway(), Fault.disconnect()):
        api.inject(fault, "sendMessage")
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "z")
    await bot.send_message(user.id, "delivered")
    assert [m.text for m in api.sent(user.id)] == ["delivered"]
    assert [c.fault for c in api.calls("sendMessage")] == [
        "error 429",
        "error 429",
        "error 500",
        "raw 502",
        "disconnect",
        None,
    ]


async def test_one_call_in_n_fails_in_turn_until_cleared(api: FakeBotApi, bot: Bot) -> None:
    """``fail_every(3)``: the 3rd, 6th, ... call fails, a 500 then a dropped connection; a
    scripted fault still wins; the answers are the official JSON envelopes."""
    user = api.create_user()
    api.fail_every(3)
    outcomes = []
    for number in range(7):
        try:
            await bot.send_message(user.id, f"m{number}")
            outcomes.append("ok")
        except NetworkError as error:
            outcomes.append(type(error).__name__)
    assert outcomes == ["ok", "ok", "NetworkError", "ok", "ok", "NetworkError", "ok"]
    assert [c.fault for c in api.calls("sendMessage")] == [
        None,
        None,
        "error 500",
        None,
        None,
        "disconnect",
        None,
    ]
    assert [m.text for m in api.sent(user.id)] == ["m0", "m1", "m3", "m4", "m6"]
    status, body = await raw_call(api, "getMe")
    assert (status, body["ok"]) == (200, True)  # the 8th call
    status, body = await raw_call(api, "getMe")  # the 9th: the next fault in turn, a 500 again
    assert (status, body) == (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})
    api.inject(Fault.blocked(), "sendMessage")
    api.clear_faults()
    for number in range(4):
        await bot.send_message(user.id, f"after {number}")


async def test_fault_scoped_to_chat_and_delay_beyond_client_timeout(api: FakeBotApi) -> None:
    alice, bob = api.create_user("Alice"), api.create_user("Bob")
    api.inject(Fault.blocked(), chat_ids=[bob.id], times=None)
    api.inject(Fault.slow(0.6), "sendMessage", chat_ids=alice.id)
    request = HTTPXRequest(read_timeout=0.2)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(alice.id, "late")
        with pytest.raises(Forbidden):
            await bot.send_message(bob.id, "never")
    # the slow call still took effect: the citizen got it although the client gave up
    [late] = await api.wait_for_messages(alice.id, timeout=2)
    assert late.text == "late"
    assert api.calls("sendMessage")[0].fault == "delay 0.6s" and api.calls("sendMessage")[0].processed
    api.clear_faults()


# profiles ---------------------------------------------------------------------------------
async def test_bale_profile() -> None:
    async with FakeBotApi("bale") as bale, Bot(bale.token, base_url=bale.base_url) as bot:
        assert (await bot.get_me()).supports_inline_queries is False
        user = bale.create_user()
        with pytest.raises(BadRequest, match=r"(?i)parse_mode"):
            await bot.send_message(user.id, "<b>x</b>", parse_mode="HTML")
        assert (await bot.send_message(user.id, "<b>x</b>")).text == "<b>x</b>"
    lenient = FakeBotApi("bale", parse_mode_supported=True)
    async with lenient, Bot(lenient.token, base_url=lenient.base_url) as bot:
        user = lenient.create_user()
        assert (await bot.send_message(user.id, "<b>x</b>", parse_mode="HTML")).text == "x"


@pytest.mark.parametrize("profile", ["telegram", "bale"])
async def test_application_echo_round_trip(profile: str) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("خوش آمدید")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(
            update.message.text, reply_markup=keyboard("confirm:1"), do_quote=True
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer("ثبت شد")
        await query.edit_message_text(f"pressed {query.data}")

    async with FakeBotApi(profile) as api:
        app = build_app(api)
        app.add_handler(CommandHandler("start", start))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CallbackQueryHandler(pressed, pattern=r"confirm:"))
        async with running(app):
            citizen = api.create_user("مریم")
            api.user_sends_command(citizen, "/start")
            [welcome] = await api.wait_for_messages(citizen.id)
            assert welcome.text == "خوش آمدید"

            api.user_sends_text(citizen, "شناسنامه المثنی")
            [reply] = await api.wait_for_messages(citizen.id)
            assert reply.text == "شناسنامه المثنی"
            assert reply.button_texts == ["confirm:1"]
            assert reply.message["reply_to_message"]["text"] == "شناسنامه المثنی"

            api.user_presses_button(citizen, reply, "confirm:1")
            [answer] = await api.wait_for_callback_answers()
            assert answer["text"] == "ثبت شد" and answer["data"] == "confirm:1"
            await api.wait_for_calls("editMessageText")
            assert reply.text == "pressed confirm:1" and reply.reply_markup is None
            await api.wait_until_delivered()
        await api.expect_no_messages(citizen.id, within=0.1)
    assert api.calls("getUpdates")[-1].params.get("timeout") == 0  # PTB's shutdown confirm


async def test_group_privacy_mode_and_mentions(api: FakeBotApi, bot: Bot) -> None:
    a, b = api.create_user("A"), api.create_user("B")
    group = api.create_group("خانواده", [a, b])
    assert api.user_sends_text(a, "chatter", chat=group) is None  # privacy mode hides it
    mention = api.user_mentions_bot(b, group, "کمک")
    command = api.user_sends_command(a, "help", chat=group, mention_bot=True)
    assert mention is not None and command is not None
    updates = await bot.get_updates()
    texts = [u.message.text for u in updates if u.message]
    assert texts == ["@sabtyar_test_bot کمک", "/help@sabtyar_test_bot"]
    assert updates[0].message is not None and updates[0].message.entities[0].type == "mention"
    assert updates[0].message.chat.type == "group"
    await bot.send_message(group.id, "پاسخ")
    assert [m.text for m in api.sent(group.id)] == ["پاسخ"]


async def test_callback_answer_validation(api: FakeBotApi, bot: Bot) -> None:
    user = api.create_user()
    sent = await bot.send_message(user.id, "q", reply_markup=keyboard("x"))
    update = api.user_presses_button(user, sent.message_id, text="x")
    query_id = update["callback_query"]["id"]
    assert update["callback_query"]["chat_instance"]
    with pytest.raises(BadRequest, match=r"(?i)message_too_long"):
        await bot.answer_callback_query(query_id, "ا" * 201)
    assert await bot.answer_callback_query(query_id, "ok")
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id, "twice")
    with pytest.raises(ValueError, match="no button"):
        api.user_presses_button(user, sent.message_id, "not-there")


async def test_simulation_is_thread_safe(api: FakeBotApi, bot: Bot) -> None:
    results: list[Any] = []

    def worker() -> None:
        user = api.create_user("Thread")
        results.append((user, api.user_sends_text(user, "from a thread")))

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.01)
    [(user, update)] = results
    [got] = await bot.get_updates()
    assert got.update_id == update["update_id"]
    assert got.effective_user is not None and got.effective_user.id == user.id


# webhook ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("profile", "header_sent"), [("telegram", True), ("bale", False)])
async def test_webhook_delivery_with_secret_and_retry(profile: str, header_sent: bool) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []
    attempts = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            return web.Response(status=500)  # the server must retry
        received.append((await request.json(), request.headers.get(SECRET_HEADER)))
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        api = FakeBotApi(profile, webhook_retry_delay=0.05)
        async with api, Bot(api.token, base_url=api.base_url) as bot:
            url = f"http://127.0.0.1:{port}/hook"
            assert await bot.set_webhook(url, secret_token="s3cret_Token-1")
            with pytest.raises(Conflict, match="webhook is active"):
                await bot.get_updates()
            user = api.create_user()
            update = api.user_sends_text(user, "via webhook")
            await api.wait_until_delivered()
            [(body, secret)] = received
            assert body == update
            assert secret == ("s3cret_Token-1" if header_sent else None)
            info = await bot.get_webhook_info()
            assert info.url == url and info.pending_update_count == 0
            assert info.last_error_message is not None and "500" in info.last_error_message
            assert [d["error"] is None for d in api.webhook_deliveries] == [False, True]
            assert await bot.delete_webhook()
            assert await bot.get_updates(timeout=0) == ()
    finally:
        await runner.cleanup()


async def test_webhook_posts_several_chats_at_once_and_each_chat_in_order() -> None:
    """As the real Bot API: up to ``max_connections`` posts at once, one chat's updates one at a time."""
    in_flight: list[int] = []
    most = 0
    order: list[tuple[int, int]] = []
    overlapping_chat = False

    async def receive(request: web.Request) -> web.Response:
        nonlocal most, overlapping_chat
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        overlapping_chat |= chat in in_flight
        in_flight.append(chat)
        most = max(most, len(in_flight))
        await asyncio.sleep(0.05)
        in_flight.remove(chat)
        order.append((chat, update["update_id"]))
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/hook", receive)
    runner = web.AppRunner(receiver, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    try:
        async with FakeBotApi() as api, Bot(api.token, base_url=api.base_url) as bot:
            assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", max_connections=5)
            users = [api.create_user(f"U{i}") for i in range(8)]
            for _ in range(3):
                for user in users:
                    api.user_sends_text(user, "hi")
            await api.wait_until_delivered(timeout=10)
        assert most == 5 and not overlapping_chat and len(order) == 24
        for user in users:
            ids = [update_id for chat, update_id in order if chat == user.id]
            assert ids == sorted(ids) and len(ids) == 3
    finally:
        await runner.cleanup()


# separate process -------------------------------------------------------------------------
async def test_runs_as_a_separate_process() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.support.fakeapi",
        "--port",
        "0",
        "--profile",
        "bale",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        port = int((await asyncio.wait_for(proc.stdout.readline(), 20)).decode())
        url = f"http://127.0.0.1:{port}/bot{DEFAULT_TOKEN}/getMe"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            body = json.loads(await response.text())
        assert body["ok"] and body["result"]["supports_inline_queries"] is False
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0
