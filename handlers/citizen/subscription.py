"""``/subscribe`` and ``/unsubscribe``: citizens opt in and out of announcements (private chats)."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import BaseHandler, CommandHandler

from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.sending import send_text

__all__ = ["handlers"]


async def subscribe(update: Update, context: BotContext) -> None:
    """Subscribe the citizen; the chat id is kept only while subscribed."""
    message, user, chat = sender(update)
    catalog = context.catalog
    if chat.type != Chat.PRIVATE:
        await send_text(
            context, chat.id, catalog.text("subscription.private_only"), reply_to=quote_id(message)
        )
        return
    new = await context.store.subscribe(context.user_hash(user), context.platform.name, chat.id)
    await send_text(context, chat.id, catalog.text("subscription.done" if new else "subscription.already"))


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Unsubscribe the citizen; their chat id is deleted unless a handoff still needs it."""
    message, user, chat = sender(update)
    was = await context.store.unsubscribe(context.user_hash(user))
    key = "subscription.removed" if was else "subscription.not_subscribed"
    await send_text(context, chat.id, context.catalog.text(key), reply_to=quote_id(message))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CommandHandler("subscribe", subscribe), CommandHandler("unsubscribe", unsubscribe)]
