"""Entries offered under an answer: the runners-up of an answer with alternatives, or the other
part of a two-part question. A press sends that entry's answer and is recorded as a correction
(an alternative) or as the other part: never a rating, never part of satisfaction."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot.messenger.callback_data import Alternative, Button, Topic, matches
from bot.store.events import Corrected
from handlers.asking.answers import Offered, send_answer
from handlers.common import pressed
from handlers.context import BotContext
from handlers.recording import Press, offered_beside_answer, recorded_press, update_key_of

__all__ = ["handlers", "offered_buttons"]


def offered_buttons(question_id: int | None, entries: Sequence[str], *, two_parts: bool) -> Offered | None:
    """The buttons for ``entries`` under an answer; without a recorded question (the store was
    unavailable) they open the topics instead, which needs no check."""
    if not entries:
        return None
    buttons: list[tuple[Button, str]] = [
        (Alternative(question_id, index) if question_id is not None else Topic(entry), entry)
        for index, entry in enumerate(entries)
    ]
    return Offered(buttons, "answer.other_part" if two_parts else "answer.alternatives")


async def open_alternative(update: Update, context: BotContext) -> None:
    """Send the pressed entry's answer; only the asker's own question and its offered entries."""
    query, data, user = pressed(update, Alternative)
    key = update_key_of(update, context)
    press = Press("alternative", data.question_id, data.index, context.user_hash(user), update.update_id, key)
    offered = await offered_beside_answer(context, press.question_id, press.user_hash)
    if (pressed_entry := await recorded_press(context, query, press, offered, Corrected)) is None:
        return
    entry_id, event_id = pressed_entry
    await query.answer()
    if query.message is not None:
        await send_answer(context, query.message.chat.id, entry_id, event_id)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(open_alternative, pattern=matches(Alternative))]
