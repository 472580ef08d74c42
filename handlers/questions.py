"""A free-text question: the engine decides; answer, "did you mean" buttons, or a kind no-match."""

from __future__ import annotations

import re

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.decision import Outcome
from bot.store import QuestionEvent
from handlers.answers import send_answer
from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.keyboards import choices_keyboard, no_match_keyboard
from handlers.sending import send_text

__all__ = ["handlers", "question_text"]


def question_text(text: str, bot_username: str | None) -> str:
    """The question without the ``@bot`` mention that addressed it in a group."""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


async def ask(update: Update, context: BotContext) -> None:
    """Record the question and the engine's decision, then reply."""
    message, user, chat = sender(update)
    catalog, store, platform = context.catalog, context.store, context.platform.name
    text = question_text(message.text or "", context.bot.username)
    if not text:
        await send_text(context, chat.id, catalog.text("bot.empty"), reply_to=quote_id(message))
        return
    reply = context.engine.ask(text)  # about a millisecond: no thread needed
    user_hash = context.user_hash(user)
    question_id = await store.record_question(
        QuestionEvent.from_reply(
            reply,
            platform=platform,  # type: ignore[arg-type]
            user_hash=user_hash,
            language=catalog.language,
            update_id=update.update_id,
        )
    )
    if reply.outcome is Outcome.ANSWER and reply.answer_id is not None:
        event_id = await store.record_answer_event(
            user_hash=user_hash,
            platform=platform,
            entry_id=reply.answer_id,
            via="direct",
            question_id=question_id,
            update_id=update.update_id,
        )
        await send_answer(context, chat.id, reply.answer_id, event_id, reply_to=quote_id(message))
    elif reply.outcome is Outcome.DID_YOU_MEAN:
        entries = [context.knowledge.entry(i) for i in reply.offered_ids]
        markup = choices_keyboard(question_id, entries, catalog)
        await send_text(
            context, chat.id, catalog.text("bot.did_you_mean"), markup=markup, reply_to=quote_id(message)
        )
    else:
        handoff = context.handoff_group is not None
        markup = no_match_keyboard(context.knowledge, catalog, handoff=handoff, question_id=question_id)
        await send_text(
            context, chat.id, catalog.text("bot.no_match"), markup=markup, reply_to=quote_id(message)
        )


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """The catch-all text handler: it must come last."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, ask)]
