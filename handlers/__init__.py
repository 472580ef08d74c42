"""The messenger adapters: one module per feature, joined here in one ordered list.

Groups run in order and a handler may stop the rest with ``ApplicationHandlerStop``:

- ``-1`` the door (``door.py``, one handler for four steps in order): counting the update for
  ``/metrics``; intake (updates without a human sender stop here; lone surrogates in texts are
  replaced); the group gate (in groups, only messages addressed to the bot go on); per-user
  flood control,
- ``0`` the comment awaited after a low rating,
- ``1`` staff texts: a reply in the staff group to a handoff, an editor's new answer or
  announcement after ``/edit`` or ``/broadcast``; an editor's knowledge workbook (a document),
- ``2`` commands (staff commands check the role and answer others as citizens), buttons, media,
  locations, then unknown commands, and the catch-all free-text question handler last; unknown
  buttons after it.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler

from handlers import door, membership
from handlers.asking import alternatives, choices, details, questions, ratings
from handlers.citizen import (
    fallback,
    handoff,
    language,
    location,
    media,
    menu,
    privacy,
    subscription,
)
from handlers.context import BotContext
from handlers.errors import on_error
from handlers.staff import broadcast
from handlers.staff import curation as staff_curation
from handlers.staff import input as staff_input
from handlers.staff import kb as staff_kb
from handlers.staff import reports as staff_reports
from handlers.staff import review as staff_review
from handlers.staff import team as staff_team
from handlers.staff import workbook as staff_workbook

__all__ = ["all_handlers", "on_error"]


def all_handlers() -> list[tuple[int, BaseHandler[Update, BotContext, None]]]:
    """``(group, handler)`` pairs in the order they are added to an Application."""
    ordered = [
        (-1, door.handlers()),
        (0, ratings.comment_handlers()),
        (1, staff_input.handlers() + staff_workbook.message_handlers()),
        (
            2,
            menu.handlers()
            + language.handlers()
            + choices.handlers()
            + alternatives.handlers()
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
            + staff_team.handlers()
            + staff_review.handlers()
            + staff_workbook.handlers()
            + media.handlers()
            + location.handlers()
            + fallback.command_handlers()
            + questions.handlers()
            + fallback.button_handlers(),
        ),
    ]
    return [(group, handler) for group, found in ordered for handler in found]
