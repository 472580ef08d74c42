"""A "did you mean" choice (recorded as the question's resolution) or "none of these"."""

from __future__ import annotations

import asyncio

from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.messenger.callback_data import Choose, NoneOfThese, matches
from bot.store.events import Chosen
from handlers.asking.answers import answer_in_place, send_answer
from handlers.common import edit_pressed_markup, pressed, refuse
from handlers.context import BotContext
from handlers.keyboards import no_match_keyboard
from handlers.recording import Press, offered_choices, recorded_press, update_key_of
from handlers.sending import send_text

__all__ = ["handlers"]


async def choose(update: Update, context: BotContext) -> None:
    """Show the chosen answer; only the asker's own, offered choices are accepted."""
    query, data, user = pressed(update, Choose)
    key = update_key_of(update, context)
    press = Press("choice", data.question_id, data.index, context.user_hash(user), update.update_id, key)
    offered = await offered_choices(context, press.question_id, press.user_hash)
    if (pressed_entry := await recorded_press(context, query, press, offered, Chosen)) is None:
        return
    entry_id, event_id = pressed_entry
    if isinstance(query.message, Message):
        await asyncio.gather(query.answer(), answer_in_place(context, query.message, entry_id, event_id))
    else:  # too old to edit: a new message
        await query.answer()
        if query.message is not None:
            await send_answer(context, query.message.chat.id, entry_id, event_id)


async def none_of_these(update: Update, context: BotContext) -> None:
    """None of the options fit: say how to go on; the question stays unresolved."""
    query, data, user = pressed(update, NoneOfThese)
    if await offered_choices(context, data.question_id, context.user_hash(user)) is None:
        await refuse(query, context)
        return
    await query.answer()
    if query.message is not None:
        await edit_pressed_markup(context, query, None)
        handoff = context.handoff_group is not None
        markup = no_match_keyboard(
            context.knowledge, context.catalog, handoff=handoff, question_id=data.question_id
        )
        await send_text(context, query.message.chat.id, context.catalog.text("bot.none_reply"), markup=markup)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CallbackQueryHandler(choose, pattern=matches(Choose)),
        CallbackQueryHandler(none_of_these, pattern=matches(NoneOfThese)),
    ]
