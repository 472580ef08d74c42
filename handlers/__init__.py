"""The messenger adapters: one module per feature, joined here in one ordered list.

Groups run in order and a handler may stop the rest with ``ApplicationHandlerStop``:

- ``-2`` the group gate (in groups, only messages addressed to the bot go on),
- ``-1`` per-user flood control,
- ``0`` the comment awaited after a low rating,
- ``1`` commands, buttons, media, locations, then unknown commands, and the catch-all free-text
  question handler last; unknown buttons after it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from handlers import (
    choices,
    details,
    fallback,
    flood,
    groups,
    language,
    location,
    media,
    membership,
    menu,
    questions,
    ratings,
    start,
)
from handlers.context import BotContext
from handlers.errors import on_error

__all__ = ["all_handlers", "on_error"]


def all_handlers() -> list[tuple[int, BaseHandler[Update, BotContext, None]]]:
    """``(group, handler)`` pairs in the order they are added to an Application."""
    ordered = [
        (-2, groups.handlers()),
        (-1, flood.handlers()),
        (0, ratings.comment_handlers()),
        (
            1,
            start.handlers()
            + menu.handlers()
            + language.handlers()
            + choices.handlers()
            + ratings.handlers()
            + details.handlers()
            + membership.handlers()
            + media.handlers()
            + location.handlers()
            + fallback.command_handlers()
            + questions.handlers()
            + fallback.button_handlers(),
        ),
    ]
    return [(group, handler) for group, found in ordered for handler in found]
