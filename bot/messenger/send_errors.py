"""What a failed Bot API call tells about the request: never sent, throttled, or unknown.

A request that failed before it was written (no free slot in the pool, the socket could not be
opened) was provably not carried out and can be sent again safely. A 5xx or a dropped connection
may or may not have been carried out; a throttle (HTTP 429, Bale's ``bot limit exceed``,
``local_rate_limited``, 420 "Flood") says it was not.
"""

from __future__ import annotations

from telegram.error import BadRequest, NetworkError, TimedOut

__all__ = ["THROTTLE_MARKS", "ConnectTimedOut", "NotSent", "PoolExhausted", "is_throttle", "was_not_sent"]

#: Words of a throttling reply (Bale's and Telegram's), lower case.
THROTTLE_MARKS = ("bot limit exceed", "local_rate_limited", "too many requests", "flood", "(429)", "(420)")
_NOT_SENT_MARKS = ("was *not* sent", "httpx.connecterror", "httpx.connecttimeout")


class NotSent(NetworkError):
    """The connection could not be opened (refused, unreachable, name not resolved): not sent."""


class PoolExhausted(TimedOut):
    """Every request slot stayed busy for the pool timeout: not sent."""

    def __init__(self) -> None:
        super().__init__(
            "Pool timeout: All connections in the connection pool are occupied. "
            "Request was *not* sent to the Bot API."
        )


class ConnectTimedOut(TimedOut):
    """Opening the socket took longer than the connect timeout: not sent."""

    def __init__(self) -> None:
        super().__init__("Connect timeout: Request was *not* sent to the Bot API.")


def was_not_sent(error: BaseException) -> bool:
    """The request provably never reached the Bot API (also PTB's httpx transport's wording)."""
    if isinstance(error, NotSent | PoolExhausted | ConnectTimedOut):
        return True
    return isinstance(error, NetworkError) and any(m in error.message.lower() for m in _NOT_SENT_MARKS)


def is_throttle(error: Exception) -> bool:
    """A throttling reply that carries no ``retry_after`` (the request was not carried out)."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    message = error.message.lower()
    return any(mark in message for mark in THROTTLE_MARKS)
