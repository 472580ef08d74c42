"""The door every update passes first: counted for ``/metrics``, the intake, the group gate, then
per-user flood control, in that order, in one handler of one group.

Each step used to be a handler of a group of its own; python-telegram-bot then dispatched four
handlers per update before the one that answers it. The steps keep PTB's rules for groups: a
step that raises ``ApplicationHandlerStop`` stops the update there, and any other exception goes
to the error handlers (``Application.process_error``) and the next step runs, unless an error
handler stopped the update.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from handlers.context import BotContext
from handlers.flood import flood_gate
from handlers.groups import group_gate
from handlers.intake import intake
from handlers.monitoring import count_update

__all__ = ["STEPS", "door", "handlers"]

type Step = Callable[[Update, BotContext], Awaitable[None]]
#: The steps in order (formerly groups -4 to -1).
STEPS: tuple[Step, ...] = (count_update, intake, group_gate, flood_gate)


async def door(update: Update, context: BotContext) -> None:
    """Run the steps in order, as PTB runs handler groups."""
    for step in STEPS:
        try:
            await step(update, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            if await context.application.process_error(update=update, error=error):
                raise ApplicationHandlerStop from None


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [TypeHandler(Update, door)]
