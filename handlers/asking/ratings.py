"""Ratings on the five-point scale, and the optional comment after a low one.

A press is stored first (a second press changes the rating), without waiting for the database:
in it, or, while it cannot take the write, in the spool file beside it (on disk, written later);
only then is the citizen thanked, in the button's toast, and the chosen face marked in the
answer's rating row: two Bot API calls, no extra message. A rating of dissatisfied or worse asks
once "what was missing?" (saying how long the question waits): the citizen's next text message
is the comment, unless they skip, send a command, or wait longer than ten minutes. A next
message that reads as a new question (a question mark or word, or one the engine answers:
:meth:`AnswerEngine.reads_as_question`) is kept as the comment too, but answered as a question,
never swallowed.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.messenger.callback_data import Rate, SkipComment, matches
from bot.store import Refused
from bot.store.events import Commented, Rated
from handlers.common import edit_pressed_markup, pressed, quote_id, refuse, sender
from handlers.context import COMMENT_SECONDS, BotContext
from handlers.keyboards import marked_rating, skip_keyboard
from handlers.recording import record
from handlers.sending import send_text

__all__ = ["LOW_RATING", "comment_handlers", "handlers"]

_LOG = logging.getLogger(__name__)
#: Ratings at or below this ask for a comment (2 = dissatisfied).
LOW_RATING = 2


async def rate(update: Update, context: BotContext) -> None:
    """Store the rating, then thank the citizen (a toast) and mark the chosen face on the answer;
    foreign or forged presses change nothing."""
    query, data, user = pressed(update, Rate)
    catalog = context.catalog
    try:
        kept = await record(
            context, [Rated.of(data.event_id, context.user_hash(user), data.score)], durable=True
        )
    except Refused:
        await refuse(query, context)
        return
    if not kept.on_disk:  # neither the database nor the spool took it: never thanked
        await query.answer(catalog.text("bot.error")[:200], show_alert=True)
        return
    metrics = context.services.shared.metrics
    metrics.child(metrics.ratings, context.platform.name, str(data.score)).inc()
    thanks = catalog.text("rating.thanks", rating=catalog.text(f"rating.name_{data.score}"))
    if query.message is None:
        await query.answer(thanks)
        return
    message = query.message  # an inaccessible one is not edited (edit_pressed_markup)
    marked = (
        marked_rating(message, data.event_id, data.score, catalog) if isinstance(message, Message) else None
    )
    # The rating is on disk: a failure to thank for it is logged, never answered with "error".
    for outcome in await asyncio.gather(
        query.answer(thanks), edit_pressed_markup(context, query, marked), return_exceptions=True
    ):
        if isinstance(outcome, TelegramError):
            _LOG.warning("a stored rating could not be acknowledged: %s", outcome.message)
        elif isinstance(outcome, BaseException):
            raise outcome
    if data.score <= LOW_RATING:
        context.state.await_comment(data.event_id)
        markup = skip_keyboard(data.event_id, catalog, handoff=context.handoff_group is not None)
        minutes = round(COMMENT_SECONDS / 60)
        prompt = catalog.text("rating.comment_prompt", minutes=minutes)
        await send_text(context, query.message.chat.id, prompt, markup=markup)


async def skip_comment(update: Update, context: BotContext) -> None:
    """The citizen does not want to comment."""
    query, data, _user = pressed(update, SkipComment)
    if context.state.pending_comment() != data.event_id:
        await refuse(query, context)
        return
    context.state.clear_comment()
    await query.answer(context.catalog.text("rating.skipped"))
    await edit_pressed_markup(context, query, None)


async def take_comment(update: Update, context: BotContext) -> None:
    """The text after a low rating is its comment; a command cancels the wait; a new question is
    also answered."""
    message, user, chat = sender(update)
    event_id = context.state.pending_comment()
    if event_id is None:
        return
    context.state.clear_comment()
    text = (message.text or "").strip()
    if not text or text.startswith("/"):
        return
    kept = await record(context, [Commented.of(event_id, context.user_hash(user), text)], durable=True)
    if context.engine.reads_as_question(text):
        return  # the question handler answers it
    thanks = "rating.comment_thanks" if kept.on_disk else "bot.error"
    await send_text(context, chat.id, context.catalog.text(thanks), reply_to=quote_id(message))
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CallbackQueryHandler(rate, pattern=matches(Rate)),
        CallbackQueryHandler(skip_comment, pattern=matches(SkipComment)),
    ]


def comment_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    """Runs before the other handlers: it may consume a text message as a comment."""
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, take_comment)]
