"""``/start`` (welcome, what the bot does, the service menu) and ``/help``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.keyboards import categories_keyboard
from handlers.sending import send_text

__all__ = ["handlers"]


async def start(update: Update, context: BotContext) -> None:
    """Welcome the citizen and open the service menu."""
    message, _user, chat = sender(update)
    markup = categories_keyboard(context.knowledge, context.catalog)
    await send_text(
        context, chat.id, context.catalog.text("bot.welcome"), markup=markup, reply_to=quote_id(message)
    )


async def show_help(update: Update, context: BotContext) -> None:
    """What the bot understands and its commands."""
    message, _user, chat = sender(update)
    await send_text(context, chat.id, context.catalog.text("bot.help"), reply_to=quote_id(message))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CommandHandler("start", start), CommandHandler("help", show_help)]
