"""Small pieces every handler module uses: the query being handled, refusals, quoting in groups."""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update, User
from telegram.error import BadRequest

from bot.messenger.callback_data import Button, parse
from bot.messenger.lean_bot import Markup
from handlers.context import BotContext
from handlers.keyboards import pressed_keyboard

__all__ = ["current_markup", "edit_pressed_markup", "pressed", "quote_id", "refuse", "sender", "settle"]

_LOG = logging.getLogger(__name__)


def pressed_query(update: Update) -> tuple[CallbackQuery, User]:
    """The callback query and who pressed, whatever its data."""
    query = update.callback_query
    if query is None:
        raise TypeError("not a callback query update")
    return query, query.from_user


def pressed[B: Button](update: Update, kind: type[B]) -> tuple[CallbackQuery, B, User]:
    """The callback query, its data parsed as ``kind`` and who pressed (the handler's pattern
    already chose ``kind``: anything else is a wiring error, ``TypeError``)."""
    query, user = pressed_query(update)
    data = parse(query.data)
    if not isinstance(data, kind):
        raise TypeError(f"a {kind.__name__} handler got {query.data!r}")
    return query, data, user


def current_markup(query: CallbackQuery) -> InlineKeyboardMarkup | None:
    """The keyboard of the pressed message (``None`` when the message is too old to see)."""
    return pressed_keyboard(query.message) if isinstance(query.message, Message) else None


def sender(update: Update) -> tuple[Message, User, Chat]:
    """The message being handled, its author and its chat."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or user is None or chat is None:
        raise TypeError("not a message from a user")
    return message, user, chat


def quote_id(message: Message) -> int | None:
    """Quote the citizen's message in groups (so they see whom the bot answers), not in private."""
    return None if message.chat.type == Chat.PRIVATE else message.message_id


async def refuse(query: CallbackQuery, context: BotContext) -> None:
    """A forged, stale or foreign button: a kind word, and nothing changes."""
    await query.answer(context.catalog.text("bot.refused"), show_alert=True)


async def edit_pressed_markup(context: BotContext, query: CallbackQuery, markup: Markup | None) -> None:
    """Replace the pressed message's keyboard (``None``: remove it) as :func:`settle` runs an edit;
    nothing for a message too old for the platform to show the bot (``InaccessibleMessage``).
    The edited message is not parsed back (:class:`bot.messenger.lean_bot.LeanBot`)."""
    message = query.message
    if isinstance(message, Message):
        await settle(context.bot.edit_markup(message.chat_id, message.message_id, markup))
    else:
        _LOG.debug("edit skipped: the message is inaccessible")


async def settle(edit: Awaitable[object]) -> None:
    """Run a message edit whose failure changes nothing for the citizen (already edited, deleted,
    or too old for the platform to show the bot: PTB's ``InaccessibleMessage``)."""
    try:
        await edit
    except BadRequest as error:
        _LOG.debug("edit skipped: %s", error.message)
    except TypeError as error:
        if "inaccessible" not in str(error):
            raise
        _LOG.debug("edit skipped: the message is inaccessible")
