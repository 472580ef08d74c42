"""The error handler: log with the traceback (never the message text), tell the citizen something kind.

The apology goes out only when nothing of the update's replies reached the Bot API (see
``bot/messenger/delivery.py``): an answer delivered, or one whose call timed out after it was
written, is never followed by "I couldn't answer".
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.messenger.updates.application import current_delivery
from handlers.context import BotContext

__all__ = ["on_error"]

_LOG = logging.getLogger("sabtyar.errors")


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure; answer the pressed button or the chat with an apology."""
    update_id = update.update_id if isinstance(update, Update) else None
    _LOG.error("handling update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or context.bot_data.services is None:
        return
    delivery = current_delivery()
    if delivery is not None and delivery.reached:
        _LOG.warning("update %s: a reply reached the Bot API before the failure: no apology", update_id)
        return
    text = context.catalog.text("bot.error")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text[:200], show_alert=True)
        elif update.effective_chat is not None and update.message is not None:
            await context.bot.send_message(update.effective_chat.id, text)
    except TelegramError as error:
        _LOG.warning("could not tell the citizen about the error: %s", error.message)
