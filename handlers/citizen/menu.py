"""The service menu: ``/start`` (welcome) and ``/menu``, categories, a category's topics, a topic's
answer, and back; ``/help``."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.messenger.callback_data import Menu, Topic, matches
from bot.store.events import Shown
from handlers.asking.answers import send_answer
from handlers.common import pressed, quote_id, refuse, sender, settle
from handlers.context import BotContext
from handlers.keyboards import categories_keyboard, topics_keyboard
from handlers.recording import record, update_key_of
from handlers.sending import send_text
from handlers.staff.commands import staff_help

__all__ = ["handlers"]


def menu_command(text_key: str) -> Callable[[Update, BotContext], Coroutine[Any, Any, None]]:
    """A command that sends the categories as buttons under the text ``text_key`` (``/start``
    welcomes, ``/menu`` only opens the menu)."""

    async def command(update: Update, context: BotContext) -> None:
        message, _user, chat = sender(update)
        markup = categories_keyboard(context.knowledge, context.catalog)
        await send_text(
            context, chat.id, context.catalog.text(text_key), markup=markup, reply_to=quote_id(message)
        )

    return command


async def show_help(update: Update, context: BotContext) -> None:
    """What the bot understands and its commands; for staff, also the staff commands they may use."""
    message, user, chat = sender(update)
    text = context.catalog.text("bot.help")
    staff = staff_help(context, user)
    if staff is not None:
        text = f"{text}\n\n{staff}"
    await send_text(context, chat.id, text, reply_to=quote_id(message))


async def browse(update: Update, context: BotContext) -> None:
    """Move within the menu message: categories, or one category's topics."""
    query, data, _user = pressed(update, Menu)
    knowledge, catalog = context.knowledge, context.catalog
    if data.category and data.category not in {c.id for c in knowledge.categories}:
        await refuse(query, context)
        return
    await query.answer()
    if not data.category:
        await settle(
            query.edit_message_text(
                catalog.text("bot.menu"), reply_markup=categories_keyboard(knowledge, catalog)
            )
        )
        return
    category = knowledge.category(data.category)
    title = category.title_en if catalog.language == "en" and category.title_en else category.title
    await settle(
        query.edit_message_text(
            catalog.text("bot.topics", category=title),
            reply_markup=topics_keyboard(knowledge, data.category, catalog),
        )
    )


async def open_topic(update: Update, context: BotContext) -> None:
    """A topic's answer as a new message, recorded as shown from the menu."""
    query, data, user = pressed(update, Topic)
    if data.entry_id not in context.knowledge or query.message is None:
        await refuse(query, context)
        return
    user_hash, platform, entry_id = context.user_hash(user), context.platform.name, data.entry_id
    at, key = datetime.now(UTC), update_key_of(update, context)

    shown = Shown.of(user_hash=user_hash, platform=platform, entry_id=entry_id, via="menu", key=key, at=at)
    await record(context, [shown])
    event_id = key
    await query.answer()
    await send_answer(context, query.message.chat.id, data.entry_id, event_id)


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("start", menu_command("bot.welcome")),
        CommandHandler("menu", menu_command("bot.menu")),
        CommandHandler("help", show_help),
        CallbackQueryHandler(browse, pattern=matches(Menu)),
        CallbackQueryHandler(open_topic, pattern=matches(Topic)),
    ]
