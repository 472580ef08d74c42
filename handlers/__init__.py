"""The messenger adapters: one module per feature, joined here in one ordered list.

Groups run in order and a handler may stop the rest with ``ApplicationHandlerStop``:

- ``-3`` counting the update for ``/metrics``,
- ``-2`` the group gate (in groups, only messages addressed to the bot go on),
- ``-1`` per-user flood control,
- ``0`` the comment awaited after a low rating,
- ``1`` staff texts: a reply in the staff group to a handoff, an editor's new answer or
  announcement after ``/edit`` or ``/broadcast``,
- ``2`` commands (staff commands check the role and answer others as citizens), buttons, media,
  locations, then unknown commands, and the catch-all free-text question handler last; unknown
  buttons after it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from handlers import flood, groups, membership, monitoring
from handlers.citizen import (
    choices,
    details,
    fallback,
    handoff,
    language,
    location,
    media,
    menu,
    privacy,
    questions,
    ratings,
    subscription,
)
from handlers.context import BotContext
from handlers.errors import on_error
from handlers.staff import broadcast
from handlers.staff import curation as staff_curation
from handlers.staff import input as staff_input
from handlers.staff import kb as staff_kb
from handlers.staff import reports as staff_reports

__all__ = ["all_handlers", "on_error"]


def all_handlers() -> list[tuple[int, BaseHandler[Update, BotContext, None]]]:
    """``(group, handler)`` pairs in the order they are added to an Application."""
    ordered = [
        (-3, monitoring.handlers()),
        (-2, groups.handlers()),
        (-1, flood.handlers()),
        (0, ratings.comment_handlers()),
        (1, staff_input.handlers()),
        (
            2,
            menu.handlers()
            + language.handlers()
            + choices.handlers()
            + ratings.handlers()
            + details.handlers()
            + membership.handlers()
            + subscription.handlers()
            + handoff.handlers()
            + privacy.handlers()
            + staff_reports.handlers()
            + staff_curation.handlers()
            + staff_kb.handlers()
            + broadcast.handlers()
            + media.handlers()
            + location.handlers()
            + fallback.command_handlers()
            + questions.handlers()
            + fallback.button_handlers(),
        ),
    ]
    return [(group, handler) for group, found in ordered for handler in found]
