"""The Application class of every platform: each update's replies are counted, its end announced.

``process_update`` runs once per update in a task of its own; it starts the update's
:class:`bot.messenger.delivery.Delivery` (what reached the Bot API, for the error handler) and,
when the handlers and the error handler are through, calls ``finished`` (the inbox marks the
update done there). An update whose handling was cancelled (shutdown) is not finished: the inbox
replays it at the next start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from telegram.ext import Application

from bot.messenger.delivery import Delivery, begin_delivery

__all__ = ["TrackedApplication"]

Finished = Callable[[object, Delivery], None]


class TrackedApplication(Application):  # type: ignore[type-arg]
    """PTB's ``Application`` plus the per-update delivery count and the ``finished`` hook."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.finished: list[Finished] = []

    async def process_update(self, update: object) -> None:
        delivery = begin_delivery()
        await super().process_update(update)
        for hook in self.finished:
            hook(update, delivery)
