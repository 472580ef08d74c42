"""A shared location: the nearest civil-registration offices, where the knowledge base has coordinates."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.calendar import persian_digits
from bot.knowledge.offices import nearest_offices
from bot.messenger.callback_data import Topic
from handlers.common import quote_id, sender
from handlers.context import BotContext
from handlers.keyboards import buttons
from handlers.sending import send_text

__all__ = ["handlers"]

OFFICES_ENTRY = "offices"


async def on_location(update: Update, context: BotContext) -> None:
    """List the closest offices with their distance, or say kindly that none are known yet."""
    message, _user, chat = sender(update)
    catalog = context.catalog
    offices = context.services.shared.offices
    markup = (
        buttons([(catalog.text("location.all_offices"), Topic(OFFICES_ENTRY))])
        if OFFICES_ENTRY in context.knowledge
        else None
    )
    if not offices or message.location is None:
        await send_text(
            context, chat.id, catalog.text("location.none"), markup=markup, reply_to=quote_id(message)
        )
        return
    lines = [catalog.text("location.nearest")]
    for office, km in nearest_offices(offices, message.location.latitude, message.location.longitude):
        distance = f"{km:.1f}"
        if catalog.language == "fa":
            distance = persian_digits(distance, decimal_separator=True)
        lines.append(catalog.text("location.office", name=office.name, address=office.address, km=distance))
        if office.url:
            lines.append(office.url)
    await send_text(context, chat.id, "\n\n".join(lines), markup=markup, reply_to=quote_id(message))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, on_location)]
