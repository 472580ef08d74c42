"""The send window (issue 13): at most ``[general] unconfirmed_replies`` updates have a first reply
out whose done mark is not recorded, so a kill repeats at most that many replies.

Unit level: the window's places, in order, a cancelled waiter. Through a real HTTP round trip to
the local Bot API: first replies wait for a place (before: a burst's replies all went out at
once, every one of them repeated by a kill before its answer was read); a place is held until
the update's done mark is recorded, and freed after ``MARK_WAIT_SECONDS`` when it never is;
``build_application`` sizes the window from the settings and lets the inbox's marks free it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from telegram import Update
from telegram.ext import ApplicationBuilder, TypeHandler

from bot.app import bot_api_request, build_application
from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.platforms import PlatformSettings, default_platform
from bot.messenger.updates import application as tracked
from bot.messenger.updates.application import TrackedApplication
from bot.messenger.updates.window import SendWindow
from bot.secret import Secret
from bot.settings import Settings, StoreSettings
from bot.store import UserHasher
from handlers.context import Shared
from tests.support.fakeapi import FakeBotApi, Fault

#: Seconds the local Bot API takes for each reply below (a distant Bot API's round trip).
ROUND_TRIP = 0.1


async def test_a_window_holds_at_most_its_size_and_gives_places_in_order() -> None:
    window = SendWindow(2)
    assert window.take() is None and window.take() is None  # two places at once
    third, fourth = window.take(), window.take()
    assert third is not None and fourth is not None and len(window) == 2 and window.held == 2
    window.give_back()
    assert third.done() and not fourth.done() and window.held == 2  # the longest waiting first
    window.give_back()
    assert fourth.done()
    window.give_back()
    window.give_back()
    assert window.held == 0 and window.most_held == 2
    assert window.take() is None  # free again
    unbounded = SendWindow(None)
    assert all(unbounded.take() is None for _ in range(100)) and unbounded.held == 100
    with pytest.raises(ValueError):
        SendWindow(0)


async def test_a_waiter_cancelled_before_its_turn_never_holds_a_place() -> None:
    window = SendWindow(1)
    assert window.take() is None
    cancelled, next_one = window.take(), window.take()
    assert cancelled is not None and next_one is not None
    cancelled.cancel()
    assert len(window) == 1
    window.give_back()
    assert next_one.done() and not next_one.cancelled() and window.held == 1


async def test_a_place_given_back_while_its_update_waits_is_never_given_back_twice() -> None:
    """An update confirmed (its place given back) while one of its messages still waited, or in
    the moment between its place being given and its wait resuming: the window counts every
    place once, and a message still waiting goes on without one."""
    window = SendWindow(1)
    holder = tracked.Delivery(window=window)
    await holder.reserve()
    late = tracked.Delivery(window=window)
    waiting = asyncio.create_task(late.reserve())
    await asyncio.sleep(0)
    holder.release()  # the place goes to ``late``...
    late.release()  # ...which is confirmed before its wait resumed
    await asyncio.wait_for(waiting, 1)
    late.release()
    assert window.held == 0 and not late.holding
    left_running = tracked.Delivery(window=window)
    await left_running.reserve()
    confirmed = tracked.Delivery(window=window)
    sending = asyncio.create_task(confirmed.reserve())  # a task the update left running sends
    await asyncio.sleep(0)
    confirmed.release()  # the update's mark is recorded meanwhile: its message needs no place
    await asyncio.wait_for(sending, 1)
    left_running.release()
    assert window.held == 0 and len(window) == 0


def platform_for(api: FakeBotApi) -> PlatformSettings:
    return replace(default_platform("telegram"), token=Secret(api.token), base_url=api.base_url)


def application_for(api: FakeBotApi, places: int, replies: int = 1) -> TrackedApplication:
    """A tracked Application on the project's own transport whose handler sends ``replies``
    messages, one after the other, to the update's chat."""
    application = (
        ApplicationBuilder()
        .application_class(TrackedApplication)
        .token(api.token)
        .base_url(api.base_url)
        .request(bot_api_request(platform_for(api)))
        .concurrent_updates(True)
        .updater(None)
        .build()
    )
    assert isinstance(application, TrackedApplication)
    application.window = SendWindow(places)

    async def answer(update: Update, context: object) -> None:
        assert update.effective_chat is not None
        for number in range(replies):
            await application.bot.send_message(update.effective_chat.id, f"reply {number}")

    application.add_handler(TypeHandler(Update, answer))
    return application


def update_of(application: TrackedApplication, update_id: int, chat_id: int) -> Update:
    chat = {"id": chat_id, "type": "private", "first_name": "C"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "C"}
    message = {"message_id": 1, "date": 0, "chat": chat, "from": sender, "text": "x"}
    update = Update.de_json({"update_id": update_id, "message": message}, application.bot)
    assert update is not None
    return update


def most_at_once(arrivals: list[float], lasting: float) -> int:
    """The most calls the Bot API was carrying out at once, each ``lasting`` seconds from its arrival."""
    return max(sum(1 for other in arrivals if other <= start < other + lasting) for start in arrivals)


async def test_first_replies_wait_for_a_place_so_a_burst_never_has_more_than_n_out(api: FakeBotApi) -> None:
    """Eight citizens at once, two replies each, the Bot API 100 ms per call, two places: at most
    two replies are out at any moment (before: all eight first replies went out together, and a
    kill in those 100 ms repeated every one of them). Each update's second reply goes out on its
    place, without waiting for another."""
    api.inject(Fault.slow(ROUND_TRIP), "sendMessage", times=None)
    application = application_for(api, places=2, replies=2)
    citizens = [api.create_user(f"W{i}") for i in range(8)]
    async with application:
        updates = [update_of(application, 500 + i, c.id) for i, c in enumerate(citizens)]
        await asyncio.wait_for(asyncio.gather(*map(application.process_update, updates)), 20)
    assert all(len(api.sent(c.id)) == 2 for c in citizens)
    arrivals = [call.at for call in api.calls("sendMessage")]
    assert most_at_once(arrivals, ROUND_TRIP * 0.9) == 2
    assert application.window.most_held == 2 and application.window.held == 0


async def test_edits_and_button_answers_take_no_place(api: FakeBotApi) -> None:
    """Made again after a kill, an edit to the same text or a button's answer changes nothing the
    citizen sees: an update that only edits and answers goes on while every place is held (a
    rating press is not slowed down by the questions' answers out)."""
    application = application_for(api, places=1)
    citizen = api.create_user("R")
    async with application:
        sent = await application.bot.send_message(citizen.id, "the answer")
        assert application.window.take() is None  # the only place, held by another update
        tracked.begin_delivery(window=application.window)  # this update's, as process_update does
        edit = application.bot.edit_message_text("the answer, rated", citizen.id, sent.message_id)
        await asyncio.wait_for(edit, 5)
        waiting = asyncio.create_task(application.bot.send_message(citizen.id, "a new message"))
        await asyncio.sleep(0.2)
        assert not waiting.done()  # a new message waits for the place
        application.window.give_back()
        await asyncio.wait_for(waiting, 5)
    assert [m.text for m in api.sent(citizen.id)] == ["the answer, rated", "a new message"]


async def test_a_place_is_held_until_the_done_mark_is_recorded(
    api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``confirms`` (the inbox tells each recorded mark), an update keeps its place after its
    handling ended, until :meth:`confirmed`: one place, the second citizen's reply waits for the
    first update's mark. A mark never recorded frees its place after ``MARK_WAIT_SECONDS``."""
    monkeypatch.setattr(tracked, "MARK_WAIT_SECONDS", 0.5)
    application = application_for(api, places=1)
    application.confirms = True
    first, second, third = (api.create_user(name) for name in ("A", "B", "C"))
    async with application:
        await application.process_update(update_of(application, 601, first.id))
        assert len(api.sent(first.id)) == 1 and application.window.held == 1
        waiting = asyncio.create_task(application.process_update(update_of(application, 602, second.id)))
        await asyncio.sleep(0.2)
        assert not api.sent(second.id) and not waiting.done()  # no place until 601 is marked
        application.confirmed([601])
        await asyncio.wait_for(waiting, 5)
        assert len(api.sent(second.id)) == 1
        # 602's mark never comes: its place is freed after MARK_WAIT_SECONDS all the same
        started = asyncio.get_running_loop().time()
        await asyncio.wait_for(application.process_update(update_of(application, 603, third.id)), 5)
        waited = asyncio.get_running_loop().time() - started
    assert len(api.sent(third.id)) == 1 and 0.2 < waited < 3


async def test_the_application_sizes_its_window_and_the_inbox_marks_free_it(
    tmp_path: Path, api: FakeBotApi, engine: AnswerEngine, locales: Locales
) -> None:
    """``build_application``: the window has ``[general] unconfirmed_replies`` places, and once
    ``post_init`` opened the inbox, each update's recorded done mark frees its place."""
    settings = replace(Settings(), store=StoreSettings(tmp_path / "window.db"), unconfirmed_replies=3)
    shared = Shared(settings, engine, locales, UserHasher("window-test-hash-secret-0123"))
    application = build_application(shared, platform_for(api), with_updater=False)
    assert isinstance(application, TrackedApplication) and application.window.size == 3
    citizens = [api.create_user(f"Q{i}") for i in range(6)]
    async with application:
        assert application.post_init is not None
        await application.post_init(application)
        assert application.confirms
        updates = [update_of(application, 700 + i, c.id) for i, c in enumerate(citizens)]
        await asyncio.wait_for(asyncio.gather(*map(application.process_update, updates)), 20)
        for _ in range(50):  # a mark the busy connection deferred is written a moment later
            if application.window.held == 0:
                break
            await asyncio.sleep(0.05)
        assert application.window.held == 0 and application.window.most_held <= 3
        assert all(api.sent(c.id) for c in citizens)
        assert application.post_shutdown is not None
        await application.post_shutdown(application)
