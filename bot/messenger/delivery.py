"""What reached the Bot API while one update was handled: the apology depends on it.

Each update is handled in a task of its own (``concurrent_updates``), so a ``ContextVar`` set when
its handling starts is seen by every Bot API call made for it, however deep. The transport
(:class:`bot.messenger.retrying.RetryingRequest`) notes each reply the Bot API accepted, and each
call whose fate is unknown (a read timeout after the request was written); the error handler
apologises only when nothing reached the citizen.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["REPLY_METHODS", "Delivery", "begin_delivery", "current_delivery"]

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

_CURRENT: ContextVar[Delivery | None] = ContextVar("sabtyar_delivery", default=None)


@dataclass
class Delivery:
    """Replies of one update: ``sent`` accepted by the Bot API, ``unknown`` timed out after writing."""

    sent: int = 0
    unknown: int = 0

    @property
    def reached(self) -> bool:
        """Something (probably) reached the citizen: an apology would follow an answer."""
        return self.sent > 0 or self.unknown > 0


def begin_delivery() -> Delivery:
    """Start counting for the update handled in the current task."""
    delivery = Delivery()
    _CURRENT.set(delivery)
    return delivery


def current_delivery() -> Delivery | None:
    """The current update's count, if its handling began one."""
    return _CURRENT.get()
