"""The Bot API's HTTP transport on aiohttp: python-telegram-bot's ``BaseRequest`` contract.

PTB's default transport (``HTTPXRequest``) spends most of the bot's CPU under load in
httpcore's connection-pool bookkeeping, which scans every pooled connection for every request
(measured by ``benchmarks/load_benchmark.py``). aiohttp's connector keeps idle connections in a
queue. The contract is PTB's: ``do_request`` returns the status code and the raw body, and maps
failures to PTB's errors (``TimedOut`` for timeouts, ``NetworkError`` for the rest), so the
Bot class, the rate limiter and the error handlers behave exactly as with httpx. Parameters are
sent as PTB sends them: a form body, multipart when there are files.

Timeouts follow PTB's defaults and meanings: ``connect`` for opening the socket, ``read`` for
each read of the answer, ``pool`` for waiting for a free connection. aiohttp has no write
timeout; an upload is bounded by ``media_total_timeout`` instead.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_POOL_EXHAUSTED = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to the Bot API."
)


class AiohttpRequest(BaseRequest):
    """One aiohttp session with up to ``pool_size`` connections to the Bot API."""

    __slots__ = ("_connect", "_media_total", "_pool", "_pool_size", "_read", "_session")

    def __init__(
        self,
        pool_size: int = 256,
        *,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_total_timeout: float | None = 60.0,
    ) -> None:
        self._pool_size = pool_size
        self._read = read_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_total = media_total_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        """Open the session (inside the running loop, as aiohttp requires)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            no_overall_limit = aiohttp.ClientTimeout(total=None)  # each request sets its own
            self._session = aiohttp.ClientSession(connector=connector, timeout=no_overall_limit)

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
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized")
        has_files = bool(request_data and request_data.contains_files)
        timeout = aiohttp.ClientTimeout(
            total=self._media_total if has_files else None,
            connect=self._chosen(pool_timeout, self._pool),
            sock_connect=self._chosen(connect_timeout, self._connect),
            sock_read=self._chosen(read_timeout, self._read),
        )
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
            raise TimedOut(_POOL_EXHAUSTED) from error
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

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
