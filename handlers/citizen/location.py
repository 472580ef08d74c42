"""A shared location: the nearest civil-registration offices, where the knowledge base has coordinates."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.calendar import IRAN_TIME, persian_digits
from bot.knowledge.directory.offices import nearest_offices
from bot.knowledge.directory.text import province_text, today_line
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
    book = context.services.shared.live_offices.current()
    markup = (
        buttons([(catalog.text("location.all_offices"), Topic(OFFICES_ENTRY))])
        if OFFICES_ENTRY in context.knowledge
        else None
    )
    located = book.located()
    if not located or message.location is None:
        text = "\n\n".join(
            part for part in (catalog.text("location.none"), province_text(book, catalog)) if part
        )
        await send_text(context, chat.id, text, markup=markup, reply_to=quote_id(message))
        return
    lines = [catalog.text("location.nearest")]
    weekday = datetime.now(UTC).astimezone(IRAN_TIME).weekday()
    for office, km in nearest_offices(located, message.location.latitude, message.location.longitude):
        distance = f"{km:.1f}"
        if catalog.language == "fa":
            distance = persian_digits(distance, decimal_separator=True)
        lines.append(catalog.text("location.office", name=office.name, address=office.address, km=distance))
        lines[-1] += "\n" + today_line(office, weekday, catalog)
        if office.url:
            lines.append(office.url)
    await send_text(context, chat.id, "\n\n".join(lines), markup=markup, reply_to=quote_id(message))


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [MessageHandler(filters.UpdateType.MESSAGE & filters.LOCATION, on_location)]
