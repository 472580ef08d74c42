"""``/broadcast`` (editors): an announcement to this platform's subscribers, previewed, paced, reported.

The editor's next message is the announcement; it is shown back with the number of
subscribers and confirm/cancel buttons. On confirm the delivery runs in the background
(:func:`bot.messenger.broadcast.deliver`, under 30 messages a second overall) and a progress message is
edited every few seconds; the final report gives sent, blocked and failed. Citizens who blocked
the bot (403) are unsubscribed at once and not retried; other failures are retried twice.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.messenger.broadcast import Delivery, Result, deliver
from bot.messenger.callback_data import StaffConfirm
from bot.messenger.lean_bot import Sent
from bot.messenger.staff_settings import Role
from bot.store import Subscriber
from bot.store.announcements import finish_announcement, record_announcement
from handlers.common import pressed, refuse, sender, settle
from handlers.context import BotContext
from handlers.keyboards import confirm_keyboard
from handlers.sending import send_text
from handlers.staff.auth import role_of, staff_command
from handlers.staff.kb import confirms

__all__ = ["handlers", "take_announcement"]

_LOG = logging.getLogger("sabtyar.broadcast")
#: Seconds between edits of the progress message.
PROGRESS_SECONDS = 3.0


async def start(update: Update, context: BotContext) -> None:
    """Wait for the announcement text."""
    _message, _user, chat = sender(update)
    context.state.start_draft("broadcast")
    count = len(await context.store.subscribers(context.platform.name))
    await send_text(context, chat.id, context.catalog.text("staff.broadcast_prompt", count=count))


async def take_announcement(update: Update, context: BotContext, text: str) -> None:
    """The announcement, shown back with the number of subscribers."""
    _message, _user, chat = sender(update)
    draft, catalog = context.state.pending_draft(), context.catalog
    assert draft is not None
    context.state.draft = replace(draft, text=text)
    count = len(await context.store.subscribers(context.platform.name))
    preview = catalog.text("staff.broadcast_preview", count=count, text=text)
    await send_text(context, chat.id, preview, markup=confirm_keyboard("broadcast", draft.id, catalog))


async def _send_one(context: BotContext, text: str, subscriber: Subscriber) -> Result:
    try:
        await context.bot.send_message(subscriber.chat_id, text)
    except Forbidden:
        await context.store.unsubscribe(subscriber.user_hash)
        return Result.BLOCKED
    except BadRequest as error:
        _LOG.warning("announcement not delivered: %s", error.message)
        return Result.FAILED
    except TelegramError as error:
        _LOG.info("announcement delivery will be retried: %s", error.message)
        return Result.RETRY
    return Result.SENT


async def _run(context: BotContext, announcement: int, text: str, progress: Sent) -> None:
    catalog, store = context.catalog, context.store
    subscribers = await store.subscribers(context.platform.name)

    async def show(delivery: Delivery) -> None:
        """Edit the progress message and keep the counts so far (a restart loses none)."""
        await finish_announcement(
            store, announcement, sent=delivery.sent, blocked=delivery.blocked, failed=delivery.failed
        )
        figures = {"done": delivery.done, "total": delivery.total, "sent": delivery.sent}
        line = catalog.text("staff.broadcast_progress", **figures)
        await settle(context.bot.edit_reply(progress.chat_id, progress.message_id, line))

    async def send(subscriber: Subscriber) -> Result:
        return await _send_one(context, text, subscriber)

    delivery = await deliver(subscribers, send, on_progress=show, progress_every=PROGRESS_SECONDS)
    await finish_announcement(
        store, announcement, sent=delivery.sent, blocked=delivery.blocked, failed=delivery.failed
    )
    _LOG.info(
        "announcement %s: %s sent, %s blocked, %s failed",
        announcement,
        delivery.sent,
        delivery.blocked,
        delivery.failed,
    )
    report = catalog.text(
        "staff.broadcast_report",
        total=delivery.total,
        sent=delivery.sent,
        blocked=delivery.blocked,
        failed=delivery.failed,
    )
    await send_text(context, progress.chat_id, report)


async def confirm(update: Update, context: BotContext) -> None:
    """Record the announcement and start the paced delivery in the background."""
    query, data, user = pressed(update, StaffConfirm)
    draft = context.state.pending_draft()
    ok = draft is not None and draft.id == data.draft and draft.task == "broadcast" and draft.text
    if role_of(context, user) is not Role.EDITOR or not ok or query.message is None:
        await refuse(query, context)
        return
    assert draft is not None and draft.text
    context.state.draft = None
    await query.answer()
    await settle(query.edit_message_reply_markup(None))
    announcement = await record_announcement(context.store, platform=context.platform.name, text=draft.text)
    [progress] = await send_text(
        context, query.message.chat.id, context.catalog.text("staff.broadcast_started")
    )
    context.application.create_task(
        _run(context, announcement, draft.text, progress), name=f"broadcast-{announcement}"
    )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        staff_command("broadcast", Role.EDITOR, start),
        CallbackQueryHandler(confirm, pattern=confirms("broadcast")),
    ]
