"""Ratings on the five-point scale, and the optional comment after a low one.

A press is stored first (a second press changes the rating); only then is the citizen thanked
and the rating row replaced. A rating of dissatisfied or worse asks once "what was missing?":
the citizen's next text message is the comment, unless they skip, send a command, or wait
longer than ten minutes.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.callback_data import Rate, SkipComment, matches
from bot.store import Refused
from handlers.common import current_markup, pressed, quote_id, refuse, sender, settle
from handlers.context import BotContext
from handlers.keyboards import skip_keyboard, without
from handlers.sending import send_text

__all__ = ["LOW_RATING", "comment_handlers", "handlers"]

#: Ratings at or below this ask for a comment (2 = dissatisfied).
LOW_RATING = 2


async def rate(update: Update, context: BotContext) -> None:
    """Store the rating, then thank the citizen; foreign or forged presses change nothing."""
    query, data, user = pressed(update)
    assert isinstance(data, Rate)
    catalog = context.catalog
    try:
        await context.store.record_rating(data.event_id, context.user_hash(user), data.score)
    except Refused:
        await refuse(query, context)
        return
    await query.answer(catalog.text("rating.saved"))
    if query.message is None:
        return
    chat_id = query.message.chat.id
    await settle(query.edit_message_reply_markup(without(current_markup(query), Rate)))
    label = catalog.text(f"rating.name_{data.score}")
    if data.score <= LOW_RATING:
        context.state.await_comment(data.event_id)
        text = f"{catalog.text('rating.thanks', rating=label)}\n\n{catalog.text('rating.comment_prompt')}"
        markup = skip_keyboard(data.event_id, catalog, handoff=context.handoff_group is not None)
        await send_text(context, chat_id, text, markup=markup)
    else:
        await send_text(context, chat_id, catalog.text("rating.thanks", rating=label))


async def skip_comment(update: Update, context: BotContext) -> None:
    """The citizen does not want to comment."""
    query, data, _user = pressed(update)
    assert isinstance(data, SkipComment)
    if context.state.pending_comment() != data.event_id:
        await refuse(query, context)
        return
    context.state.clear_comment()
    await query.answer(context.catalog.text("rating.skipped"))
    await settle(query.edit_message_reply_markup(None))


async def take_comment(update: Update, context: BotContext) -> None:
    """The text after a low rating is its comment; a command cancels the wait."""
    message, user, chat = sender(update)
    event_id = context.state.pending_comment()
    if event_id is None:
        return
    context.state.clear_comment()
    text = (message.text or "").strip()
    if not text or text.startswith("/"):
        return
    await context.store.record_comment(event_id, context.user_hash(user), text)
    await send_text(
        context, chat.id, context.catalog.text("rating.comment_thanks"), reply_to=quote_id(message)
    )
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CallbackQueryHandler(rate, pattern=matches(Rate)),
        CallbackQueryHandler(skip_comment, pattern=matches(SkipComment)),
    ]


def comment_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Runs before the other handlers: it may consume a text message as a comment."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, take_comment)]
