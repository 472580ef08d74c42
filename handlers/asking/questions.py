"""A free-text question: the engine decides; answer, "did you mean" buttons, or a kind no-match."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.engine.decision import Outcome
from bot.store.events import Asked, Event, Shown
from handlers.asking.alternatives import offered_buttons
from handlers.asking.answers import send_answer
from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.keyboards import choices_keyboard, no_match_keyboard
from handlers.recording import question_event, record, update_key_of
from handlers.sending import send_text

__all__ = ["handlers", "question_text"]


def question_text(text: str, bot_username: str | None) -> str:
    """The question without the ``@bot`` mention that addressed it in a group."""
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


async def ask(update: Update, context: BotContext) -> None:
    """Record the question and the engine's decision, then reply: at once, with every button,
    whether the store takes the write now or keeps it for later."""
    started = time.perf_counter()
    message, user, chat = sender(update)
    catalog, platform = context.catalog, context.platform.name
    text = question_text(message.text or message.caption or "", context.bot.username)
    if not text:
        await send_text(context, chat.id, catalog.text("bot.empty"), reply_to=quote_id(message))
        return
    reply = context.engine.ask(text)  # about a millisecond: no thread needed
    user_hash = context.user_hash(user)
    # Both answer outcomes send the answer; alternatives and a second part go under it as buttons.
    direct = reply.answer_id if reply.outcome.answers else None
    asked_at = datetime.now(UTC)  # kept: a deferred write stores when it was asked, not written
    key = update_key_of(update, context)  # the question's id, and its answer's
    event = question_event(
        reply,
        platform=platform,  # type: ignore[arg-type]
        user_hash=user_hash,
        language=catalog.language,
        update_id=update.update_id,
        key=key,
        asked_at=asked_at,
    )

    events: list[Event] = [Asked.of(event)]
    if direct is not None:
        shown = Shown.of(
            user_hash=user_hash,
            platform=platform,
            entry_id=direct,
            via="direct",
            question_id=key,
            key=key,
            at=asked_at,
        )
        events.append(shown)
    await record(context, events)  # never waits for the database: the ids are the update's key
    question_id, event_id = key, key if direct is not None else None
    if direct is not None:
        offered = offered_buttons(question_id, event.alternatives, two_parts=bool(event.parts))
        await send_answer(context, chat.id, direct, event_id, reply_to=quote_id(message), offered=offered)
    elif reply.outcome is Outcome.DID_YOU_MEAN:
        entries = [context.knowledge.entry(i) for i in reply.offered_ids]
        markup = choices_keyboard(question_id, entries, catalog)
        await send_text(
            context, chat.id, catalog.text("bot.did_you_mean"), markup=markup, reply_to=quote_id(message)
        )
    else:
        handoff = context.handoff_group is not None
        markup = no_match_keyboard(context.knowledge, catalog, handoff=handoff, question_id=question_id or 0)
        await send_text(
            context, chat.id, catalog.text("bot.no_match"), markup=markup, reply_to=quote_id(message)
        )
    metrics = context.services.shared.metrics
    metrics.child(metrics.answers, platform, reply.outcome.value).inc()
    metrics.child(metrics.reply_seconds, platform).observe(time.perf_counter() - started)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """The catch-all text handler: it must come last."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, ask)]
