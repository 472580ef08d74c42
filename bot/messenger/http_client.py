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
not have been carried out. :mod:`bot.messenger.retrying` decides what to send again.
"""

from __future__ import annotations

import asyncio

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.messenger.send_errors import ConnectTimedOut, NotSent, PoolExhausted

__all__ = ["AiohttpRequest"]


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to ``pool_size`` requests (and connections) at once."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_read", "_session", "_slots", "_write")

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        write_timeout: float | None = 60.0,
    ) -> None:
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
        timeout = aiohttp.ClientTimeout(
            total=total,
            connect=None,
            sock_connect=self._chosen(connect_timeout, self._connect),
            sock_read=read,
        )
        try:
            async with asyncio.timeout(self._chosen(pool_timeout, self._pool)):
                await slots.acquire()
        except TimeoutError:
            raise PoolExhausted from None
        try:
            async with session.request(
                method,
                url,
                data=_body(request_data),
                headers={"User-Agent": self.USER_AGENT},
                timeout=timeout,
            ) as response:
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


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """A form body as PTB's own transport sends it; multipart when files are attached."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData(fields, quote_fields=False)  # UTF-8 file names as they are, as httpx sends them
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
