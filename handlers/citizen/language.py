"""``/lang``: choose the reply language (Persian by default, English selectable)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.messenger.callback_data import Language, matches
from handlers.common import pressed, quote_id, sender, settle
from handlers.context import BotContext
from handlers.keyboards import language_keyboard
from handlers.sending import send_text

__all__ = ["handlers"]


async def choose_language(update: Update, context: BotContext) -> None:
    """The languages as buttons."""
    message, _user, chat = sender(update)
    markup = language_keyboard(context.services.shared.locales)
    await send_text(
        context,
        chat.id,
        context.catalog.text("bot.language_choose"),
        markup=markup,
        reply_to=quote_id(message),
    )


async def set_language(update: Update, context: BotContext) -> None:
    """Remember the language for this citizen and confirm in it."""
    query, data, _user = pressed(update, Language)
    context.state.language = data.code
    await query.answer()
    await settle(query.edit_message_text(context.catalog.text("bot.language_set")))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("lang", choose_language),
        CallbackQueryHandler(set_language, pattern=matches(Language)),
    ]
