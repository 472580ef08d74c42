"""The transport's timeouts each bound their own wait, and failed calls are sent again when safe."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, TimedOut
from telegram.request import BaseRequest

from bot.messenger.http_client import (
    AiohttpRequest,
    ConnectTimedOut,
    NotSent,
    PoolExhausted,
    RetryingRequest,
    WrappedRequest,
    was_not_sent,
)
from bot.messenger.updates.application import begin_delivery
from tests.support.fakeapi import FakeBotApi
from tests.support.fakeapi.faults import Fault


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi("bale") as server:
        yield server


@contextlib.contextmanager
def hanging_port() -> Iterator[int]:
    """A port whose accept queue is full: a new connection hangs in the SYN stage."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(0)
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):  # fills the queue
            yield port


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_slow_connect_is_bounded_by_the_connect_timeout_not_the_pool_timeout() -> None:
    """The defect: aiohttp got the 1 s pool timeout as its ``connect``, so opening a socket slower
    than 1 s failed as "Pool timeout" although the connect timeout was 5 s."""
    with hanging_port() as port:
        request = AiohttpRequest(pool_timeout=0.2, connect_timeout=1.0)
        await request.initialize()
        try:
            started = time.monotonic()
            with pytest.raises(ConnectTimedOut) as failed:
                await request.do_request(f"http://127.0.0.1:{port}/bot1:a/getMe", "POST")
            waited = time.monotonic() - started
        finally:
            await request.shutdown()
    assert 0.9 < waited < 3, waited
    assert "Pool" not in failed.value.message and was_not_sent(failed.value)


async def test_the_pool_timeout_bounds_only_the_wait_for_a_free_slot(api: FakeBotApi) -> None:
    user = api.create_user()
    api.inject(Fault.slow(0.8), "sendMessage", chat_ids=user.id)
    request = AiohttpRequest(pool_size=1, pool_timeout=0.2, read_timeout=5)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        slow = asyncio.create_task(bot.send_message(user.id, "slow"))
        await asyncio.sleep(0.2)  # the slow call holds the only slot
        with pytest.raises(PoolExhausted) as failed:
            await bot.send_message(user.id, "no slot")
        assert was_not_sent(failed.value) and isinstance(failed.value, TimedOut)
        await slow  # the slow call itself is not cut short by the pool timeout
    assert [m.text for m in api.sent(user.id)] == ["slow"]


@pytest.mark.parametrize(
    "fault",
    [
        Fault.server_error(),
        Fault.bad_gateway(),
        Fault.disconnect(),
        Fault.bale_throttle(),
        Fault.bale_throttle("local_rate_limited"),
        Fault.error(420, "Flood"),
    ],
    ids=["500", "502-html", "dropped", "bot-limit-exceed", "local-rate-limited", "420-flood"],
)
async def test_a_transient_failure_is_sent_again_and_delivered_once(api: FakeBotApi, fault: Fault) -> None:
    user = api.create_user()
    api.inject(fault, "sendMessage", chat_ids=user.id, times=2)
    request = RetryingRequest(AiohttpRequest(), base_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        delivery = begin_delivery()
        await bot.send_message(user.id, "جواب")
    assert [m.text for m in api.sent(user.id)] == ["جواب"]
    assert [c.fault for c in api.calls("sendMessage")] == [fault.label, fault.label, None]
    assert request.counts.retried == 2 and request.counts.recovered == 1 and request.counts.sent == 1
    assert delivery.sent == 1


async def test_a_call_never_sent_is_retried_until_the_deadline_then_fails() -> None:
    request = RetryingRequest(AiohttpRequest(connect_timeout=0.5), deadline=1.0, base_pause=0.05)
    bot = Bot("1:abc", base_url=f"http://127.0.0.1:{closed_port()}/bot", request=request)
    await request.initialize()
    try:
        started = time.monotonic()
        with pytest.raises(NotSent):
            await bot.send_message(1, "x")
        assert time.monotonic() - started < 2
    finally:
        await request.shutdown()
    assert request.counts.retried >= 3 and request.counts.gave_up == 1


async def test_a_read_timeout_is_not_repeated_and_counts_as_maybe_delivered(api: FakeBotApi) -> None:
    user = api.create_user()
    api.inject(Fault.slow(0.6), "sendMessage", chat_ids=user.id)
    request = RetryingRequest(AiohttpRequest(read_timeout=0.2), base_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        delivery = begin_delivery()
        with pytest.raises(TimedOut):
            await bot.send_message(user.id, "late")
        assert delivery.reached and delivery.sent == 0
        await api.wait_for_messages(user.id, 1, timeout=3)
    assert len(api.calls("sendMessage")) == 1


async def test_a_permanent_error_and_get_updates_are_not_retried(api: FakeBotApi) -> None:
    user = api.create_user()
    api.inject(Fault.blocked(), "sendMessage", chat_ids=user.id)
    api.inject(Fault.server_error(), "getUpdates")
    request = RetryingRequest(AiohttpRequest(), base_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        with pytest.raises(Forbidden):
            await bot.send_message(user.id, "x")
        with pytest.raises(NetworkError):
            await bot.get_updates(timeout=0)
    assert len(api.calls("sendMessage")) == 1 and len(api.calls("getUpdates")) == 1
    assert request.counts.retried == 0


async def test_an_edit_the_dropped_attempt_had_made_is_not_an_error_when_sent_again(api: FakeBotApi) -> None:
    """The defect: the connection of an edit dropped after the Bot API had made it; sent again,
    the edit came back "message is not modified" (BadRequest), and the "did you mean" message
    edited into the answer was followed by the same answer as a new message."""
    user = api.create_user()
    request = RetryingRequest(AiohttpRequest(), base_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        message = await bot.send_message(user.id, "منظورتان کدام است؟")
        api.inject(Fault.disconnect(process=True), "editMessageText")
        delivery = begin_delivery()
        await bot.edit_message_text("جواب", chat_id=user.id, message_id=message.message_id)
        assert delivery.sent == 1
        with pytest.raises(BadRequest, match="not modified"):  # without an earlier failure: an error
            await bot.edit_message_text("جواب", chat_id=user.id, message_id=message.message_id)
    assert [c.fault for c in api.calls("editMessageText")] == ["disconnect+processed", None, None]
    assert [m.text for m in api.sent(user.id)] == ["جواب"]


async def test_a_button_answer_the_dropped_attempt_had_made_is_not_an_error_when_sent_again(
    api: FakeBotApi,
) -> None:
    """The defect: sent again after its connection dropped, the answer to a pressed button that
    the Bot API had carried out came back "query is too old" (BadRequest): an ERROR with a
    traceback for a choice whose answer the citizen had, and "not acknowledged" for a rating."""
    user = api.create_user()
    request = RetryingRequest(AiohttpRequest(), base_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("5", callback_data="r:1:5")]])
        message = await bot.send_message(user.id, "جواب", reply_markup=markup)
        api.user_presses_button(user, message.message_id, "r:1:5")
        [update] = await bot.get_updates(timeout=0)
        assert update.callback_query is not None
        api.inject(Fault.disconnect(process=True), "answerCallbackQuery")
        delivery = begin_delivery()
        assert await bot.answer_callback_query(update.callback_query.id, "سپاس") is True
        assert delivery.sent == 1
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # without an earlier failure
            await bot.answer_callback_query(update.callback_query.id, "سپاس")
    assert [a["text"] for a in api.callback_answers] == ["سپاس"]


class LateLoop(WrappedRequest):
    """The first ``failing`` calls take ``seconds`` each and fail as a connect timeout does when
    the event loop runs late (the connection was made; the timer's turn came with it); then the
    calls go through to the inner transport."""

    def __init__(self, inner: BaseRequest, failing: int, seconds: float) -> None:
        super().__init__(inner)
        self.failing, self.seconds = failing, seconds

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if self.failing:
            self.failing -= 1
            await asyncio.sleep(self.seconds)
            raise ConnectTimedOut
        return await self.inner.do_request(*args, **kwargs)


async def test_a_loop_running_late_costs_attempts_not_the_answer(api: FakeBotApi) -> None:
    """The defect: four busy loops beside the bot and a burst of 300 citizens; the bot's event
    loop ran 7-9 s late, so connections the Bot API had accepted at once "timed out" at 5 s,
    three attempts used up the 30 s deadline, and up to 15 of 300 citizens got the apology
    instead of their answer. Here three attempts of 0.2 s fail so, beyond the 0.5 s deadline."""
    user = api.create_user()
    request = RetryingRequest(LateLoop(AiohttpRequest(), 3, 0.2), deadline=0.5, base_pause=0.02)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        await bot.send_message(user.id, "جواب")
    assert [m.text for m in api.sent(user.id)] == ["جواب"]
    assert request.counts.retried == 3 and request.counts.gave_up == 0


async def test_giving_up_after_a_dropped_connection_counts_as_maybe_delivered(api: FakeBotApi) -> None:
    """The defect: the first attempt's connection dropped after the Bot API had sent the answer,
    the next ones failed until the deadline, and the citizen was sent the apology after it. A
    dropped connection is as uncertain as a read timeout: no apology."""
    user = api.create_user()
    api.inject(Fault.disconnect(process=True), "sendMessage")
    api.inject(Fault.server_error(), "sendMessage", times=None)
    request = RetryingRequest(AiohttpRequest(), deadline=0.3, base_pause=0.02, max_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        delivery = begin_delivery()
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "جواب")
        assert delivery.reached and delivery.sent == 0
    assert [m.text for m in api.sent(user.id)] == ["جواب"]


async def test_giving_up_after_failures_that_sent_nothing_leaves_the_apology(api: FakeBotApi) -> None:
    user = api.create_user()
    api.inject(Fault.server_error(), "sendMessage", times=None)
    request = RetryingRequest(AiohttpRequest(), deadline=0.3, base_pause=0.02, max_pause=0.05)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        delivery = begin_delivery()
        with pytest.raises(NetworkError):
            await bot.send_message(user.id, "جواب")
        assert not delivery.reached
    assert not api.sent(user.id) and request.counts.gave_up == 1
