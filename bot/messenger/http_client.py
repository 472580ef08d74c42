"""The Bot API's HTTP transport on aiohttp: python-telegram-bot's ``BaseRequest`` contract.

PTB's default transport (``HTTPXRequest``) spends most of the bot's CPU under load in
httpcore's connection-pool bookkeeping, which scans every pooled connection for every request
(measured by ``benchmarks/load_benchmark.py``). aiohttp's connector keeps idle connections in a
queue. The contract is PTB's: ``do_request`` returns the status code and the raw body, and maps
failures to PTB's errors (``TimedOut`` for timeouts, ``NetworkError`` for the rest), so the
Bot class, the rate limiter and the error handlers behave exactly as with httpx. Parameters are
sent as PTB sends them: a form body, multipart when there are files.

Each timeout has its own meaning and its own bound (PTB's meanings):

- ``pool``: waiting for one of the ``pool_size`` request slots (a semaphore of this class, so
  the wait is never confused with opening a socket): :class:`PoolExhausted`, *not sent*;
- ``connect``: opening the socket (aiohttp's ``sock_connect``): :class:`ConnectTimedOut`,
  *not sent*; a refused or unresolvable connection is :class:`NotSent`;
- ``read``: each read of the answer (``sock_read``): ``TimedOut``, the request *may* have been
  carried out;
- ``write``: aiohttp has no socket write timeout; a request with files (the only large bodies)
  is bounded as a whole by ``write_timeout`` plus ``read_timeout``.

A dropped connection (the server closed it, reset) is a plain ``NetworkError``: it may or may
not have been carried out.

:class:`RetryingRequest` (around this transport or PTB's httpx one) sends a call again with
exponential back-off and full jitter, while ``deadline`` seconds have not passed since it
started or fewer than ``min_attempts`` were made (on a machine so busy that the event loop runs
seconds late, a connection made at once "times out" when the timer's turn comes with it: the
late loop costs time, not chances), when it provably was not sent (always safe); failed
transiently, HTTP 5xx or a dropped connection (the Bot API usually did nothing then, but may
have: a retry can show a message twice, which the project accepts over a citizen left without
an answer); or was throttled without ``retry_after`` (Bale's ``bot limit exceed`` and
``local_rate_limited``, HTTP 429 or 420: not carried out, sent again after a longer pause). A
429 *with* ``retry_after`` is returned as it is, for PTB's ``RetryAfter`` and its rate limiter.
A read timeout is not retried: the request was written and may well have been carried out.
``getUpdates`` is never retried (the pollers pace themselves). Failures are logged once per
burst (the first at WARNING, then a summary when calls succeed again) and counted in
:class:`RetryCounts`; every accepted reply is noted in the current update's
:class:`bot.messenger.updates.application.Delivery`. A new message sent for an update first waits
for that update's place in its send window (:mod:`bot.messenger.updates.window`), held across
the message's retries.

A call given up after one of its attempts lost its connection counts, like a read timeout, as
maybe delivered: the Bot API may have carried that attempt out, and no apology follows. A call
sent again after a failure that may have been carried out (5xx, a dropped connection) can find
its work done: an edit answered "message is not modified", a button's answer "query is too old
/ query ID is invalid" (a query is answered once). That is the earlier attempt's success,
returned as one (``{"ok": true, "result": true}``, as the Bot API answers an edit of an inline
message), never an error: the "did you mean" message edited into the answer was otherwise
followed by the same answer as a new message, and a choice's answered button logged as a failed
update.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.messenger.platforms import REQUEST_BODIES
from bot.messenger.updates.application import MESSAGE_METHODS, REPLY_METHODS, current_delivery

__all__ = [
    "FORM_TYPE",
    "JSON_TYPE",
    "THROTTLE_MARKS",
    "AiohttpRequest",
    "ConnectTimedOut",
    "NotSent",
    "PoolExhausted",
    "RetryCounts",
    "RetryingRequest",
    "WrappedRequest",
    "form_body",
    "is_throttle",
    "json_body",
    "was_not_sent",
]

_LOG = logging.getLogger("sabtyar.messenger")
#: A quiet time this long ends a burst of failures.
_BURST_QUIET_SECONDS = 10.0
#: A form body's content type (what aiohttp sets for ``data=`` a dict).
FORM_TYPE = "application/x-www-form-urlencoded"
#: A JSON body's content type.
JSON_TYPE = "application/json"


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to ``pool_size`` requests (and connections) at once; ``body``,
    one of :data:`~bot.messenger.platforms.REQUEST_BODIES`: how the parameters are sent."""

    __slots__ = ("_connect", "_json", "_pool", "_pool_size", "_read", "_session", "_slots", "_write")

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        write_timeout: float | None = 60.0,
        body: str = "form",
    ) -> None:
        if body not in REQUEST_BODIES:
            raise ValueError(f"body must be one of {REQUEST_BODIES}, got {body!r}")
        self._json = body == "json"
        self._pool_size = pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._write = write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        """Open the session (inside the running loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            # The pool is this class's semaphore: aiohttp's connector never makes a request wait.
            connector = aiohttp.TCPConnector(limit=0, limit_per_host=0)
            no_overall_limit = aiohttp.ClientTimeout(total=None)  # each request sets its own
            self._session = aiohttp.ClientSession(connector=connector, timeout=no_overall_limit)
            self._slots = asyncio.Semaphore(self._pool_size)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        """See :meth:`telegram.request.BaseRequest.do_request`."""
        session, slots = self._session, self._slots
        if session is None or session.closed or slots is None:
            raise RuntimeError("This AiohttpRequest is not initialized")
        read = self._chosen(read_timeout, self._read)
        total = None
        if request_data is not None and request_data.contains_files:
            write = self._chosen(write_timeout, self._write)
            total = None if write is None else write + (read or 0.0)
        timeout = _timeout(total, self._chosen(connect_timeout, self._connect), read)
        try:
            async with asyncio.timeout(self._chosen(pool_timeout, self._pool)):
                await slots.acquire()
        except TimeoutError:
            raise PoolExhausted from None
        try:
            body = _body(request_data, as_json=self._json)
            headers = {"User-Agent": self.USER_AGENT}
            if isinstance(body, bytes):
                headers["Content-Type"] = JSON_TYPE if self._json else FORM_TYPE
            async with session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as error:
            raise ConnectTimedOut from error
        except aiohttp.ClientConnectorError as error:
            raise NotSent(f"aiohttp.{type(error).__name__}: {error}") from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error
        finally:
            slots.release()

    @staticmethod
    def _chosen(given: object, default: float | None) -> float | None:
        return default if isinstance(given, DefaultValue) else given  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def _timeout(
    total: float | None, sock_connect: float | None, sock_read: float | None
) -> aiohttp.ClientTimeout:
    """aiohttp's (frozen) timeout of these bounds, made once: a request's are nearly always the
    defaults."""
    return aiohttp.ClientTimeout(total=total, connect=None, sock_connect=sock_connect, sock_read=sock_read)


def form_body(fields: Mapping[str, str]) -> bytes:
    """The ``application/x-www-form-urlencoded`` body aiohttp makes of ``fields`` (``data=fields``:
    ``urlencode(..., doseq=True)``), byte for byte, made directly: aiohttp's ``FormData`` sets up
    a multipart writer for every call first (about 20 µs a call)."""
    return urlencode(list(fields.items()), doseq=True, encoding="utf-8").encode()


def json_body(parameters: Mapping[str, object]) -> bytes:
    """The ``application/json`` body of a call's ``parameters`` (PTB's :attr:`RequestData.parameters`:
    nested objects as dicts and lists), UTF-8 as it is."""
    return json.dumps(parameters, ensure_ascii=False, separators=(",", ":")).encode()


def _body(request_data: RequestData | None, *, as_json: bool = False) -> aiohttp.FormData | bytes | None:
    """A JSON body (``as_json``) or a form body as PTB's own transport sends it; multipart when
    files are attached."""
    if request_data is None:
        return None
    if as_json and not request_data.contains_files:
        return json_body(request_data.parameters)
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return form_body(fields)
    form = aiohttp.FormData(fields, quote_fields=False)  # UTF-8 file names as they are, as httpx sends them
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


# What a failure tells about the request ----------------------------------------------------------

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


# Retries ---------------------------------------------------------------------------------------------


@dataclass
class RetryCounts:
    """Counts since start: ``failed`` calls (each attempt), ``retried``, ``recovered`` (a retry
    succeeded), ``gave_up`` (deadline passed), ``sent`` (replies the Bot API accepted)."""

    failed: int = 0
    retried: int = 0
    recovered: int = 0
    gave_up: int = 0
    sent: int = 0


class WrappedRequest(BaseRequest):
    """A transport around another one (``inner``): its start, stop and read timeout are the inner
    one's; a subclass overrides ``do_request``."""

    __slots__ = ("inner",)

    def __init__(self, inner: BaseRequest) -> None:
        self.inner = inner

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


class RetryingRequest(WrappedRequest):
    """Wraps another transport (aiohttp's or PTB's httpx) and retries its calls, see the module."""

    __slots__ = (
        "_burst",
        "_last_failure",
        "_random",
        "base_pause",
        "counts",
        "deadline",
        "max_pause",
        "min_attempts",
    )

    def __init__(
        self,
        inner: BaseRequest,
        *,
        deadline: float = 30.0,
        base_pause: float = 0.2,
        max_pause: float = 4.0,
        min_attempts: int = 6,
    ) -> None:
        super().__init__(inner)
        self.deadline = deadline
        self.min_attempts = min_attempts
        self.base_pause = base_pause
        self.max_pause = max_pause
        self.counts = RetryCounts()
        self._random = random.Random()
        self._burst = 0
        self._last_failure = 0.0

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
        if api_method in MESSAGE_METHODS and (delivery := current_delivery()) is not None:
            await delivery.reserve()  # an update's first new message waits for a place in its window
        started = time.monotonic()
        attempt = 0
        maybe_done = False  # an earlier attempt may have been carried out (5xx, dropped)
        dropped = False  # an earlier attempt was written and its answer lost
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
                dropped = dropped or not was_not_sent(error)
                maybe_done = maybe_done or dropped
            else:
                failure, transient = None, _transient(*answer)
                if transient is None:
                    if maybe_done and _done_before(api_method, *answer):
                        answer = (200, _DONE)
                    self._succeeded(api_method, answer[0], attempt)
                    return answer
                why = transient
                maybe_done = True
            pause = self._pause(attempt, throttled=_is_throttle_text(why))
            late = time.monotonic() - started + pause > self.deadline
            if not retry or (late and attempt + 1 >= self.min_attempts):
                self._gave_up(api_method, why, attempt, maybe_delivered=dropped)
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
                delivery.accepted()
        if self._burst and time.monotonic() - self._last_failure > _BURST_QUIET_SECONDS:
            _LOG.warning("Bot API works again: %d failed calls in the burst", self._burst)
            self._burst = 0

    def _note_unknown(self, api_method: str) -> None:
        self.counts.failed += 1
        if api_method in REPLY_METHODS and (delivery := current_delivery()) is not None:
            delivery.unknown += 1

    def _gave_up(self, api_method: str, why: str, attempt: int, *, maybe_delivered: bool) -> None:
        self.counts.failed += 1
        if maybe_delivered and api_method in REPLY_METHODS and (delivery := current_delivery()) is not None:
            delivery.unknown += 1
        if attempt:
            self.counts.gave_up += 1
            _LOG.error(
                "Bot API %s still failing after %d attempts (%s): giving up", api_method, attempt + 1, why
            )


#: What the Bot API answers a call whose work is already done (see the module).
_DONE = b'{"ok":true,"result":true}'
#: The words of a 400 that says so, by method (lower case).
_DONE_MARKS = {
    "editmessagetext": ("message is not modified",),
    "editmessagereplymarkup": ("message is not modified",),
    "editmessagecaption": ("message is not modified",),
    "answercallbackquery": ("query is too old", "query id is invalid", "query_id_invalid"),
}


def _done_before(api_method: str, status: int, body: bytes) -> bool:
    """A 400 saying the call's work is already done (an earlier attempt of it was carried out)."""
    marks = _DONE_MARKS.get(api_method)
    if status != 400 or marks is None:
        return False
    try:
        reply = json.loads(body)
    except ValueError:
        return False
    description = str(reply.get("description", "")).lower() if isinstance(reply, dict) else ""
    return any(mark in description for mark in marks)


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
