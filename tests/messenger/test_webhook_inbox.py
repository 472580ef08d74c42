"""Webhook mode's inbox (issue 13): an update is recorded before its HTTP 200, a repeat is answered
and not handled again, an unreadable one is marked done, and one nothing could record gets 500."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from telegram.ext import Application, ApplicationBuilder

from bot.messenger.updates.webhook import SECRET_HEADER, WebhookServer
from bot.store import Store, UserHasher
from bot.store.durable.inbox import Inbox, bot_id_of
from bot.store.durable.spool import Spool, spool_path

TOKEN = "7000000003:AAWebhookInboxTests_abcdefghijklmnopq"
SECRET = "webhook_inbox_secret_0123456789"
SEALER = UserHasher("webhook-inbox-test-secret-0123").sealer()


def update(update_id: int, chat_id: int = 5) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": "C"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "C"}
    message = {"message_id": update_id, "date": 0, "chat": chat, "from": sender, "text": "سلام"}
    return {"update_id": update_id, "message": message}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def webhook(inbox: Inbox) -> AsyncIterator[tuple[Application, str]]:  # type: ignore[type-arg]
    """A webhook server with ``inbox`` in front of an Application that is never started: what the
    server queued stays in ``update_queue``."""
    application = ApplicationBuilder().token(TOKEN).updater(None).build()
    port = free_port()
    server = WebhookServer(
        application, listen="127.0.0.1", port=port, path="hook", secret=SECRET, inbox=inbox
    )
    await server.start()
    try:
        yield application, f"http://127.0.0.1:{port}/hook"
    finally:
        await server.stop()


async def post(url: str, body: dict[str, Any]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers={SECRET_HEADER: SECRET}) as response,
    ):
        return response.status


def inbox_rows(db: Path) -> list[tuple[int, bool]]:
    """``(update_id, done)`` as another process reads them."""
    with contextlib.closing(sqlite3.connect(db)) as connection:
        rows = connection.execute("SELECT update_id, done_at IS NOT NULL FROM inbox ORDER BY 1").fetchall()
    return [(int(u), bool(d)) for u, d in rows]


async def test_an_update_is_recorded_before_its_200_and_a_repeat_is_answered_and_not_handled_again(
    tmp_path: Path,
) -> None:
    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = Inbox(lambda: store, Spool(spool_path(db)), "telegram", bot_id_of(TOKEN), SEALER)
        await inbox.start()
        async with webhook(inbox) as (application, url):
            assert await post(url, update(41)) == 200
            assert inbox_rows(db) == [(41, False)]  # in the database when the Bot API has its 200
            assert application.update_queue.qsize() == 1
            assert await post(url, update(41)) == 200  # posted again (our 200 did not reach it)
            assert application.update_queue.qsize() == 1
            unreadable = {"update_id": 42, "message": {"text": "x", "chat": 5}}
            assert await post(url, unreadable) == 200
            await inbox.flush()
            assert inbox_rows(db) == [(41, False), (42, True)]  # never handed on again
        await inbox.close()
    async with await Store.open(db) as store:  # a restart: the update recorded is replayed
        again = Inbox(lambda: store, Spool(spool_path(db)), "telegram", bot_id_of(TOKEN), SEALER)
        assert [u["update_id"] for u in await again.start()] == [41]
        async with webhook(again) as (application, url):
            assert await post(url, update(41)) == 200
            assert application.update_queue.qsize() == 0  # replayed from the inbox, not from the post
        await again.close()


class TurnCountingInbox(Inbox):
    """Notes the event-loop turn in which each post was taken."""

    def __init__(self, *args: Any, turn: list[int]) -> None:
        super().__init__(*args)
        self.turn = turn
        self.taken_in: list[int] = []

    async def accept(self, batch: Any) -> list[dict[str, Any]]:
        self.taken_in.append(self.turn[0])
        return await super().accept(batch)


async def test_posts_that_come_together_are_taken_one_per_event_loop_turn(tmp_path: Path) -> None:
    """The Bot API posts up to 40 at once; taken in one turn they held the loop, and the answers to
    replies already sent waited to be read and marked done."""
    loop = asyncio.get_running_loop()
    turn = [0]
    ticking = True

    def tick() -> None:
        turn[0] += 1
        if ticking:
            loop.call_soon(tick)

    db = tmp_path / "s.db"
    async with await Store.open(db) as store:
        inbox = TurnCountingInbox(
            lambda: store, Spool(spool_path(db)), "telegram", bot_id_of(TOKEN), SEALER, turn=turn
        )
        await inbox.start()
        async with webhook(inbox) as (application, url), aiohttp.ClientSession() as session:
            loop.call_soon(tick)

            async def post_one(update_id: int) -> int:
                headers = {SECRET_HEADER: SECRET}
                async with session.post(url, json=update(update_id, update_id), headers=headers) as r:
                    return r.status

            statuses = await asyncio.gather(*(post_one(i) for i in range(1, 11)))
            ticking = False
        await inbox.close()
    assert statuses == [200] * 10 and application.update_queue.qsize() == 10
    taken = inbox.taken_in
    assert len(set(taken)) == len(taken) == 10, taken  # never two in one turn


async def test_an_update_neither_the_database_nor_the_spool_took_is_answered_500(tmp_path: Path) -> None:
    """The Bot API posts it again later; a 200 would have told it the update was safe."""
    unwritable = Spool(tmp_path / "missing" / "s.db.spool")  # its folder does not exist
    inbox = Inbox(lambda: None, unwritable, "telegram", bot_id_of(TOKEN), SEALER)
    async with webhook(inbox) as (_application, url):
        assert await post(url, update(7)) == 500
        (tmp_path / "missing").mkdir()
        assert await post(url, update(8)) == 200  # one failed write does not fail the next
        await asyncio.sleep(0)
    assert unwritable.exists()
