"""``/privacy`` and the menu's privacy button: what is kept, for how long, and that identifiers
are masked (the retention period is ``[privacy] retention_days``)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.locale import Catalog
from bot.messenger.callback_data import Privacy, matches
from handlers.common import pressed, quote_id, sender
from handlers.context import BotContext
from handlers.sending import send_text

__all__ = ["handlers", "privacy_notice"]


def privacy_notice(catalog: Catalog, retention_days: int) -> str:
    """The notice in the reader's language, with the configured retention period."""
    if retention_days:
        retention = catalog.text("privacy.retention_days", days=retention_days)
    else:
        retention = catalog.text("privacy.retention_none")
    return catalog.text("privacy.notice", retention=retention)


async def show_privacy(update: Update, context: BotContext) -> None:
    message, _user, chat = sender(update)
    days = context.services.shared.settings.privacy.retention_days
    await send_text(context, chat.id, privacy_notice(context.catalog, days), reply_to=quote_id(message))


async def privacy_button(update: Update, context: BotContext) -> None:
    query, _data, _user = pressed(update, Privacy)
    await query.answer()
    if query.message is not None:
        days = context.services.shared.settings.privacy.retention_days
        await send_text(context, query.message.chat.id, privacy_notice(context.catalog, days))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("privacy", show_privacy),
        CallbackQueryHandler(privacy_button, pattern=matches(Privacy)),
    ]
