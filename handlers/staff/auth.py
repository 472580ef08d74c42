"""Staff commands check the sender's role; anyone else gets the unknown-command reply, and it is logged.

``staff_command("stats", Role.VIEWER, stats)`` is a ``CommandHandler`` whose callback runs only
for staff of that role on this platform (the bot's staff list, seeded from ``[staff.<platform>]``
and managed with ``/staff``). Others get the reply any unknown command gets: the command is not
a question, so it is never stored as one (it would top the unanswered list and could be added as
a phrasing). The refusal is logged with the keyed user hash (its first 12 hex digits), never the
messenger id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Update, User
from telegram.ext import CommandHandler

from bot.messenger.staff_settings import Role
from handlers.citizen.fallback import unknown_command
from handlers.context import BotContext

__all__ = ["role_of", "staff_command"]

_LOG = logging.getLogger("sabtyar.staff")
Callback = Callable[[Update, BotContext], Awaitable[None]]


def role_of(context: BotContext, user: User | None) -> Role | None:
    """The staff role of ``user`` on this platform, or ``None`` for citizens."""
    if user is None or user.is_bot:
        return None
    return context.services.roster.role(context.user_hash(user))


def log_refusal(context: BotContext, user: User, what: str) -> None:
    _LOG.warning("%s refused: user %s is not staff with that role", what, context.user_hash(user)[:12])


def staff_command(name: str, needed: Role, callback: Callback) -> CommandHandler[BotContext, None]:
    """``/name`` for staff with ``needed`` (editors may do what viewers may)."""

    async def guarded(update: Update, context: BotContext) -> None:
        user = update.effective_user
        role = role_of(context, user)
        if role is None or not role.allows(needed):
            if user is not None:
                log_refusal(context, user, f"/{name}")
            await unknown_command(update, context)
            return
        await callback(update, context)

    guarded.__doc__ = callback.__doc__
    return CommandHandler(name, guarded)
