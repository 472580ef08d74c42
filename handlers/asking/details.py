""" "More details": the full answer of an answer the citizen was shown."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.messenger.callback_data import More, matches
from handlers.asking.answers import send_full_answer
from handlers.common import current_markup, edit_pressed_markup, pressed, refuse
from handlers.context import BotContext
from handlers.keyboards import without
from handlers.recording import shown_entry

__all__ = ["handlers"]


async def more(update: Update, context: BotContext) -> None:
    """Send the whole answer; the short one keeps its rating buttons."""
    query, data, user = pressed(update, More)
    entry_id = await shown_entry(context, data.event_id, context.user_hash(user))
    if entry_id is None or entry_id not in context.knowledge or query.message is None:
        await refuse(query, context)
        return
    await query.answer()
    await edit_pressed_markup(context, query, without(current_markup(query), More))
    await send_full_answer(context, query.message.chat.id, entry_id)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(more, pattern=matches(More))]
