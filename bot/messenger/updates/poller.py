"""Long polling: ``getUpdates``, each batch handed on and recorded before the next is asked for.

One :class:`Poller` per platform, in the single process or in the parent of ``[general]
workers``. It asks the Bot API for updates as PTB's own updater does (``deleteWebhook`` once,
then ``getUpdates`` with the offset after the last update, the same ``allowed_updates`` and
long-poll timeout) and gives each batch to ``deliver``, which records it in the inbox
(``bot/messenger/inbox.py``) and hands it to the handlers or the workers; only when ``deliver``
returned is the next offset asked for, so the offset confirms only updates that are recorded.
PTB's own ``Updater`` confirms a batch before it is handled; it is not used for polling.
Network errors and throttles are waited out with a growing pause; a rejected token stops the
poller.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp

from bot.messenger.http_client import FORM_TYPE, JSON_TYPE, form_body, json_body
from bot.messenger.platforms import PlatformSettings

__all__ = ["Deliver", "Poller"]

_LOG = logging.getLogger("sabtyar.polling")
_MAX_PAUSE = 30.0
_FORM_HEADERS = {"Content-Type": FORM_TYPE}
_JSON_HEADERS = {"Content-Type": JSON_TYPE}

#: Takes one batch (the Bot API's update objects) and returns once it is recorded and handed on.
Deliver = Callable[[list[dict[str, Any]]], Awaitable[None]]


class Poller:
    """Polls one platform and gives each batch to ``deliver``."""

    def __init__(
        self,
        platform: PlatformSettings,
        deliver: Deliver,
        allowed_updates: Sequence[str],
        poll_timeout: int,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        if platform.token is None:
            raise ValueError(f"{platform.name} has no token")
        self.platform = platform
        self.deliver = deliver
        self._json = platform.request_body == "json"  # the platform's calls' bodies, as the bot's
        self.allowed_updates: str | list[str] = (
            list(allowed_updates) if self._json else json.dumps(list(allowed_updates))
        )
        self.poll_timeout = poll_timeout
        self._timeout = aiohttp.ClientTimeout(total=poll_timeout + 10, sock_connect=5)
        self.on_answer = on_answer
        """Called each time getUpdates answered (``/healthz`` reads how recent that is)."""
        self.offset: int | None = None
        self.rejected = False
        self.handed_on = 0
        self._pause = 0.0

    def _url(self, method: str) -> str:
        assert self.platform.token is not None
        return f"{self.platform.base_url}{self.platform.token.reveal()}/{method}"

    async def _call(self, session: aiohttp.ClientSession, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of one call; ``None`` after an error (logged, paused)."""
        wait = self._timeout
        if self._json:
            body, headers = json_body(params), _JSON_HEADERS
        else:
            # the form body aiohttp makes of ``data=params``, made directly (its ``FormData`` sets
            # up a multipart writer, with a random boundary, for every poll)
            body, headers = form_body({name: str(value) for name, value in params.items()}), _FORM_HEADERS
        try:
            async with session.post(self._url(method), data=body, headers=headers, timeout=wait) as response:
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            await self._wait(f"{method} failed: {type(error).__name__}")
            return None
        if not isinstance(body, dict):
            await self._wait(f"{method}: not a Bot API answer")
            return None
        if body.get("ok"):
            self._pause = 0.0
            return body.get("result")
        code, description = body.get("error_code"), body.get("description", "")
        if code in (401, 404):
            self.rejected = True
            _LOG.error("%s: the Bot API rejected the token (%s %s)", self.platform.name, code, description)
            return None
        retry_after = (body.get("parameters") or {}).get("retry_after")
        await self._wait(f"{method}: {code} {description}", float(retry_after or 0))
        return None

    async def _wait(self, why: str, at_least: float = 0.0) -> None:
        self._pause = min(_MAX_PAUSE, max(at_least, self._pause * 2 or 1.0))
        _LOG.warning("%s: %s; polling again in %.0f s", self.platform.name, why, self._pause)
        await asyncio.sleep(self._pause)

    async def _hand_on(self, updates: object) -> None:
        batch = [u for u in updates if isinstance(u, dict)] if isinstance(updates, list) else []
        ids = [u["update_id"] for u in batch if isinstance(u.get("update_id"), int)]
        if not ids:
            return
        await self.deliver(batch)
        self.offset = max(ids) + 1
        self.handed_on += len(ids)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set (or the token is rejected), then confirm what was handed on."""
        async with aiohttp.ClientSession() as session:
            while not stop.is_set() and await self._call(session, "deleteWebhook", {}) is None:
                if self.rejected:
                    stop.set()
                    return
            stopping = asyncio.ensure_future(stop.wait())  # one for every poll (not a task each)
            try:
                await self._poll(session, stop, stopping)
            finally:
                stopping.cancel()
            # as PTB does on stop: confirm, so nothing comes twice (not with a rejected token)
            if self.offset is not None and not self.rejected:
                confirm = {"offset": self.offset, "timeout": 0, "limit": 1}
                with contextlib.suppress(Exception):
                    async with session.post(self._url("getUpdates"), data=confirm) as response:
                        await response.read()

    async def _poll(
        self, session: aiohttp.ClientSession, stop: asyncio.Event, stopping: asyncio.Future[Any]
    ) -> None:
        """``getUpdates`` and hand each batch on until ``stop`` is set (``stopping`` its wait) or the
        token is rejected."""
        while not stop.is_set():
            params: dict[str, Any] = {
                "timeout": self.poll_timeout,
                "allowed_updates": self.allowed_updates,
            }
            if self.offset is not None:
                params["offset"] = self.offset
            poll = asyncio.ensure_future(self._call(session, "getUpdates", params))
            await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not poll.done():
                poll.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await poll
                break
            if self.rejected:
                stop.set()
                return
            if poll.result() is not None and self.on_answer is not None:
                self.on_answer()
            await self._hand_on(poll.result() or [])
