"""Bot API calls sent again when that is safe or likely to help, until a deadline.

A call is retried with exponential back-off and full jitter while ``deadline`` seconds have not
passed since it started, when it

- provably was not sent (no free pool slot, the socket could not be opened): always safe;
- failed transiently: HTTP 5xx (500, 502 with nginx's HTML page, 503, 504) or a dropped
  connection. The Bot API usually did nothing then, but may have: a retry can show a message
  twice, which the project accepts over a citizen left without an answer;
- was throttled without ``retry_after`` (Bale's ``bot limit exceed`` and ``local_rate_limited``,
  HTTP 429 or 420): not carried out, sent again after a longer pause. A 429 *with*
  ``retry_after`` is returned as it is, for PTB's ``RetryAfter`` and its rate limiter.

A read timeout is not retried: the request was written and may well have been carried out.
``getUpdates`` is never retried here (the pollers pace themselves).

Failures are logged once per burst (the first at WARNING, then a summary when calls succeed
again) and counted in :class:`RetryCounts`. Every accepted reply is noted in the current
update's :class:`bot.messenger.delivery.Delivery`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.messenger.delivery import REPLY_METHODS, current_delivery
from bot.messenger.send_errors import THROTTLE_MARKS, was_not_sent

__all__ = ["RetryCounts", "RetryingRequest"]

_LOG = logging.getLogger("sabtyar.messenger")
#: A quiet time this long ends a burst of failures.
_BURST_QUIET_SECONDS = 10.0


@dataclass
class RetryCounts:
    """Counts since start: ``failed`` calls (each attempt), ``retried``, ``recovered`` (a retry
    succeeded), ``gave_up`` (deadline passed), ``sent`` (replies the Bot API accepted)."""

    failed: int = 0
    retried: int = 0
    recovered: int = 0
    gave_up: int = 0
    sent: int = 0


class RetryingRequest(BaseRequest):
    """Wraps another transport (aiohttp's or PTB's httpx) and retries its calls, see the module."""

    __slots__ = (
        "_burst",
        "_last_failure",
        "_random",
        "base_pause",
        "counts",
        "deadline",
        "inner",
        "max_pause",
    )

    def __init__(
        self, inner: BaseRequest, *, deadline: float = 30.0, base_pause: float = 0.2, max_pause: float = 4.0
    ) -> None:
        self.inner = inner
        self.deadline = deadline
        self.base_pause = base_pause
        self.max_pause = max_pause
        self.counts = RetryCounts()
        self._random = random.Random()
        self._burst = 0
        self._last_failure = 0.0

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """See :meth:`telegram.request.BaseRequest.do_request`; retried as the module says."""
        api_method = url.rsplit("/", 1)[-1].lower()
        retry = api_method != "getupdates"
        started = time.monotonic()
        attempt = 0
        while True:
            answer: tuple[int, bytes] | None = None
            try:
                answer = await self.inner.do_request(
                    url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
                )
            except TimedOut as error:
                if not was_not_sent(error):
                    self._note_unknown(api_method)
                    raise
                failure: NetworkError | None = error
                why = error.message
            except NetworkError as error:
                failure, why = error, error.message
            else:
                failure, transient = None, _transient(*answer)
                if transient is None:
                    self._succeeded(api_method, answer[0], attempt)
                    return answer
                why = transient
            pause = self._pause(attempt, throttled=_is_throttle_text(why))
            if not retry or time.monotonic() - started + pause > self.deadline:
                self._gave_up(api_method, why, attempt)
                if failure is not None:
                    raise failure
                assert answer is not None
                return answer  # PTB turns the error reply into its exception
            self._failed(api_method, why)
            await asyncio.sleep(pause)
            attempt += 1
            self.counts.retried += 1

    def _pause(self, attempt: int, *, throttled: bool) -> float:
        base = self.base_pause * (5 if throttled else 1)
        ceiling = min(self.max_pause * (2 if throttled else 1), base * 2**attempt)
        return self._random.uniform(ceiling / 2, ceiling)

    def _failed(self, api_method: str, why: str) -> None:
        self.counts.failed += 1
        now = time.monotonic()
        if self._burst == 0 or now - self._last_failure > _BURST_QUIET_SECONDS:
            if self._burst:
                _LOG.warning("Bot API: %d failed calls in the last burst", self._burst)
            self._burst = 0
            _LOG.warning(
                "Bot API %s failed (%s): retrying; the rest of this burst is counted", api_method, why
            )
        self._burst += 1
        self._last_failure = now

    def _succeeded(self, api_method: str, status: int, attempt: int) -> None:
        if attempt:
            self.counts.recovered += 1
        if 200 <= status < 300 and api_method in REPLY_METHODS:
            self.counts.sent += 1
            if (delivery := current_delivery()) is not None:
                delivery.sent += 1
        if self._burst and time.monotonic() - self._last_failure > _BURST_QUIET_SECONDS:
            _LOG.warning("Bot API works again: %d failed calls in the burst", self._burst)
            self._burst = 0

    def _note_unknown(self, api_method: str) -> None:
        self.counts.failed += 1
        if api_method in REPLY_METHODS and (delivery := current_delivery()) is not None:
            delivery.unknown += 1

    def _gave_up(self, api_method: str, why: str, attempt: int) -> None:
        self.counts.failed += 1
        if attempt:
            self.counts.gave_up += 1
            _LOG.error(
                "Bot API %s still failing after %d attempts (%s): giving up", api_method, attempt + 1, why
            )


def _is_throttle_text(why: str) -> bool:
    lowered = why.lower()
    return any(mark in lowered for mark in THROTTLE_MARKS)


def _transient(status: int, body: bytes) -> str | None:
    """Why an answer with ``status`` should be retried, or ``None`` to return it as it is."""
    if status >= 500:
        return f"HTTP {status}"
    if status not in (420, 429):
        return None
    try:
        reply = json.loads(body)
    except ValueError:
        return f"HTTP {status} throttled"
    if not isinstance(reply, dict):
        return f"HTTP {status} throttled"
    if (reply.get("parameters") or {}).get("retry_after"):
        return None  # PTB raises RetryAfter; its rate limiter waits it out
    return f"HTTP {status} throttled: {reply.get('description', '')}"
