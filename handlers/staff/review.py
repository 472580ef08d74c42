"""Review buttons on an entry: "verified today" and "needs review" (editors; audited, undoable).

``/review`` and ``/edit`` show them under an entry (``handlers.keyboards.review_rows``); pressing
one writes ``verified_on`` (today, Iran time) and ``needs_review`` to the entry's file through the
same path as ``/edit``
(validated, atomic, the engine swapped), audited as field ``review`` with the state before and
after (``bot.knowledge.review_marks``), so ``/undo`` puts it back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.calendar import iran_day
from bot.knowledge.edit import Record
from bot.knowledge.review_marks import mark_needs_review, mark_verified, review_state
from bot.knowledge.yaml_writer import entry_record
from bot.messenger.callback_data import Review, matches
from bot.messenger.staff_settings import Role
from handlers.common import pressed, refuse
from handlers.context import BotContext
from handlers.sending import send_text
from handlers.staff.auth import role_of
from handlers.staff.kb import REVIEW, apply_change

__all__ = ["handlers"]


async def review_pressed(update: Update, context: BotContext) -> None:
    """Mark the entry verified today, or as needing review."""
    query, data, user = pressed(update, Review)
    if role_of(context, user) is not Role.EDITOR or data.entry_id not in context.knowledge:
        await refuse(query, context)
        return
    await query.answer()
    chat_id = query.message.chat.id if query.message else user.id
    today = iran_day(datetime.now(UTC))
    mark = mark_verified(today) if data.mark == "v" else mark_needs_review()
    after = review_state(mark(entry_record(context.knowledge.entry(data.entry_id))))
    before: list[str] = []

    def change(record: Record) -> Record:
        before.append(review_state(record))  # the state in the file, which is what changes
        return mark(record)

    if not await apply_change(
        context, user, chat_id, data.entry_id, REVIEW, change, lambda: before[0], after
    ):
        return
    catalog = context.catalog
    if data.mark == "v":
        text = catalog.text("staff.review_verified", entry=data.entry_id, date=today.isoformat())
    else:
        text = catalog.text("staff.review_flagged", entry=data.entry_id)
    await send_text(context, chat_id, text)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(review_pressed, pattern=matches(Review))]
