"""The Application class of every platform, and what reached the Bot API while an update was handled.

Each update begins its handling when :class:`~bot.messenger.updates.admission.Admission` lets it
(one per event-loop turn), so the replies already sent are read and marked done between two
updates' engine steps instead of after a whole burst's.

``process_update`` runs once per update in a task of its own (``concurrent_updates``); it starts
the update's :class:`Delivery` in a ``ContextVar``, seen by every Bot API call made for it
however deep: the transport (``bot.messenger.http_client.RetryingRequest``) notes each reply the
Bot API accepted and each call whose fate is unknown (a read timeout after the request was
written), and the error handler apologises only when nothing reached the citizen. When the
handlers and the error handler are through, ``finished`` hooks run (the inbox marks the update
done there). The ``answered`` hooks run earlier, the moment the Bot API accepted the update's first
reply: a worker tells the polling process at once, so a worker frozen or killed right after
does not have that update handed to its replacement and answered twice. An update whose handling
was cancelled (shutdown) is not finished: the inbox replays it at the next start.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import Application

from bot.messenger.updates.admission import Admission

__all__ = [
    "REPLY_METHODS",
    "Delivery",
    "Skipped",
    "TrackedApplication",
    "begin_delivery",
    "current_delivery",
]

#: Bot API methods that show the citizen something (lower case, as they end the URL).
REPLY_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "answercallbackquery",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "sendcontact",
        "copymessage",
        "forwardmessage",
    }
)

_CURRENT: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar("sabtyar_delivery", default=None)


@dataclass
class Delivery:
    """Replies of one update: ``sent`` accepted by the Bot API, ``unknown`` timed out after writing."""

    sent: int = 0
    unknown: int = 0
    on_first_reply: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def accepted(self) -> None:
        """The Bot API accepted one more reply (the first runs ``on_first_reply``)."""
        self.sent += 1
        if self.sent == 1 and self.on_first_reply is not None:
            self.on_first_reply()

    @property
    def reached(self) -> bool:
        """Something (probably) reached the citizen: an apology would follow an answer."""
        return self.sent > 0 or self.unknown > 0


def begin_delivery(on_first_reply: Callable[[], None] | None = None) -> Delivery:
    """Start counting for the update handled in the current task."""
    delivery = Delivery(on_first_reply=on_first_reply)
    _CURRENT.set(delivery)
    return delivery


def current_delivery() -> Delivery | None:
    """The current update's count, if its handling began one."""
    return _CURRENT.get()


Finished = Callable[[object, Delivery], None]
Answered = Callable[[object], None]


@dataclass(frozen=True)
class Skipped:
    """An update that could not be read: only its id is known, and nothing will handle it."""

    update_id: int


class TrackedApplication(Application):  # type: ignore[type-arg]
    """PTB's ``Application`` plus the paced start, the per-update delivery count and the
    ``answered`` and ``finished`` hooks."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.answered: list[Answered] = []
        self.finished: list[Finished] = []
        self.admission = Admission()

    async def process_update(self, update: object) -> None:
        delivery = begin_delivery(lambda: self._answered(update))
        await self.admission.turn()
        await super().process_update(update)
        for hook in self.finished:
            hook(update, delivery)

    def _answered(self, update: object) -> None:
        for hook in self.answered:
            hook(update)

    def skipped(self, update_id: int) -> None:
        """``update_id`` could not be read: the ``finished`` hooks run for it (with nothing sent),
        so it is neither replayed nor handed to another worker again."""
        for hook in self.finished:
            hook(Skipped(update_id), Delivery())
