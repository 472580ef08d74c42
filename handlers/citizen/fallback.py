"""What no other handler took: unknown commands, and buttons whose data is garbage or outdated."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from handlers.common import pressed_query, quote_id, refuse, sender
from handlers.context import BotContext
from handlers.sending import send_text

__all__ = ["button_handlers", "command_handlers"]


async def unknown_command(update: Update, context: BotContext) -> None:
    """List the commands the bot knows."""
    message, _user, chat = sender(update)
    await send_text(context, chat.id, context.catalog.text("bot.unknown_command"), reply_to=quote_id(message))


async def unknown_button(update: Update, context: BotContext) -> None:
    """A button no handler recognised: refuse kindly, change nothing."""
    query, _user = pressed_query(update)
    await refuse(query, context)


def command_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)]


def button_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CallbackQueryHandler(unknown_button)]
