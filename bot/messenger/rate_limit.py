"""Outgoing rate limiting: PTB's ``AIORateLimiter`` (30/s overall, 20/min per group).

Telegram signals flood control with ``RetryAfter`` (HTTP 429 with ``retry_after``), which
``AIORateLimiter`` waits out, ``max_retries`` times. Bale's throttles without ``retry_after``
(``bot limit exceed``, ``local_rate_limited``, 420 "Flood") are sent again by the transport
(:class:`bot.messenger.http_client.RetryingRequest`), with every other transient failure, until its
deadline.
"""

from __future__ import annotations

from telegram.ext import AIORateLimiter

from bot.messenger.http_client import is_throttle

__all__ = ["PlatformRateLimiter", "is_throttle"]


class PlatformRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` with ``RetryAfter`` retried ``max_retries`` times."""

    def __init__(self, *, max_retries: int = 3) -> None:
        super().__init__(max_retries=max_retries)
