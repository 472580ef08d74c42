"""Outgoing rate limiting: PTB's ``AIORateLimiter`` plus retries on throttles it does not see.

Telegram signals flood control with ``RetryAfter`` (HTTP 429 with ``retry_after``), which
``AIORateLimiter`` already waits out. Bale answers ``bot limit exceed`` or ``local_rate_limited``
(HTTP 429 without ``retry_after``) and sometimes 420 "Flood"; PTB raises those as a plain
``NetworkError``, so this limiter waits and retries them with exponential back-off.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["PlatformRateLimiter", "is_throttle"]

_LOG = logging.getLogger(__name__)
_THROTTLE_MARKS = ("bot limit exceed", "local_rate_limited", "too many requests", "flood", "(429)", "(420)")
JSON = bool | dict[str, Any] | list[dict[str, Any]]


def is_throttle(error: Exception) -> bool:
    """A throttling reply that carries no ``retry_after`` (the request was not carried out)."""
    if not isinstance(error, NetworkError) or isinstance(error, BadRequest):
        return False
    message = error.message.lower()
    return any(mark in message for mark in _THROTTLE_MARKS)


class PlatformRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` (30/s overall, 20/min per group, ``RetryAfter`` retried ``max_retries``
    times) that also retries throttles without ``retry_after``, ``throttle_retries`` times."""

    def __init__(self, *, max_retries: int = 3, throttle_retries: int = 4, pause: float = 1.0) -> None:
        super().__init__(max_retries=max_retries)
        self._throttle_retries = throttle_retries
        self._pause = pause

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSON]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSON:
        for attempt in range(self._throttle_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as error:
                if attempt == self._throttle_retries or not is_throttle(error):
                    raise
                delay = self._pause * 2**attempt
                _LOG.warning("%s throttled (%s); retrying in %.1f s", endpoint, error.message, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
