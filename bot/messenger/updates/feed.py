"""Updates passed from the polling process to a worker process: one JSON update per line.

With ``[general] workers`` above 1 (``bot/messenger/updates/workers.py``), one process polls
``getUpdates`` and hands each update to the worker that owns its user, over a Unix socket pair;
the worker feeds it to its Application's update queue, so handlers run exactly as with PTB's own
polling. All of one user's updates go to the same worker, which keeps their order and their
in-memory state (the language chosen, a comment awaited, a staff draft, the flood gate) in one
place. The worker reports back a heartbeat and each update it finished (``reports.py``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from typing import Any

from telegram.ext import Application

from bot.messenger.updates.application import TrackedApplication
from bot.messenger.updates.reading import read_update
from bot.messenger.updates.reports import Reporter
from bot.store.durable.inbox import Inbox

__all__ = ["LINE_LIMIT", "encode_update", "feed_updates", "queue_updates", "shard_of"]

_LOG = logging.getLogger("sabtyar.workers")
#: Longest line a worker accepts (a 4,096-character text with its entities is far below it).
LINE_LIMIT = 1 << 22

_SENDER_KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "channel_post")


def shard_of(update: dict[str, Any], workers: int) -> int:
    """The worker for ``update``: by the sender's user id, else the chat's id, else the update's."""
    key = update.get("update_id", 0)
    for kind in _SENDER_KINDS:
        part = update.get(kind)
        if not isinstance(part, dict):
            continue
        sender = part.get("from")
        chat = part.get("chat") or (part.get("message") or {}).get("chat")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            key = sender["id"]
        elif isinstance(chat, dict) and isinstance(chat.get("id"), int):
            key = chat["id"]
        break
    return key % workers if isinstance(key, int) else 0


def encode_update(update: dict[str, Any]) -> bytes:
    return json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


async def queue_updates(application: Application, updates: list[dict[str, Any]]) -> list[int]:  # type: ignore[type-arg]
    """Put ``updates`` (the Bot API's objects) into the Application's queue; one PTB cannot read
    is logged and skipped. The ids of those skipped (nothing will handle them)."""
    skipped = []
    for data in updates:
        try:
            update = read_update(data, application.bot)
        except Exception:
            _LOG.exception("skipped an update that could not be read (update %s)", data.get("update_id"))
            update = None
        if update is not None:
            await application.update_queue.put(update)
        elif isinstance(data.get("update_id"), int):
            skipped.append(data["update_id"])
    return skipped


async def feed_updates(
    application: Application,  # type: ignore[type-arg]
    connection: socket.socket,
    inbox: Inbox | None = None,
) -> None:
    """Put every update arriving on ``connection`` into the Application's queue, until EOF.

    A line that is not an update (bad JSON, a known kind PTB cannot parse) is logged and skipped;
    it never stops the feed. Each update finished (handled, or skipped with its id known), and
    each done mark ``inbox`` recorded, is reported to the polling process, with a heartbeat, on a
    duplicate of ``connection``.
    """
    reader, writer = await asyncio.open_unix_connection(sock=connection, limit=LINE_LIMIT)
    reporter = Reporter(connection.dup())
    tracked = application if isinstance(application, TrackedApplication) else None
    if tracked is not None:
        tracked.answered.append(lambda update: _report_answered(reporter, update))
        tracked.finished.append(lambda update, delivery: _report(reporter, update, delivery.sent))
    if inbox is not None:
        inbox.on_recorded.append(reporter.recorded)
    beating = asyncio.create_task(reporter.run())
    try:
        while line := await reader.readline():
            data: Any = None
            try:
                data = json.loads(line)
                update = read_update(data, application.bot)
            except Exception:
                _LOG.exception("skipped an update that could not be read (%d bytes)", len(line))
                update_id = data.get("update_id") if isinstance(data, dict) else None
                if tracked is not None and isinstance(update_id, int):
                    tracked.skipped(update_id)  # nothing will handle it: never handed on again
                continue
            if update is not None:
                await application.update_queue.put(update)
    finally:
        beating.cancel()
        writer.close()


def _report_answered(reporter: Reporter, update: object) -> None:
    update_id = getattr(update, "update_id", None)
    if isinstance(update_id, int):
        reporter.answered(update_id)


def _report(reporter: Reporter, update: object, replies: int) -> None:
    update_id = getattr(update, "update_id", None)
    if isinstance(update_id, int):
        reporter.finished(update_id, replies)
