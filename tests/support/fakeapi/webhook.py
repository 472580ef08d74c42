"""Webhook mode: POST each queued update to the registered URL, retrying until it is accepted.

As the real Bot API does, updates go out over up to ``max_connections`` (``setWebhook``, 40 by
default) simultaneous requests, while those of one chat go one at a time, in order (the Bot API
server keeps a queue per chat). An update is forgotten once the webhook answered it with a 2xx;
any other answer, a dropped connection or a timeout leaves it queued, to be posted again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import time
from typing import Any

import aiohttp

from .profiles import Profile
from .state import BotState, WebhookConfig

__all__ = ["SECRET_HEADER", "WebhookDeliverer", "queue_of"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

JSON = dict[str, Any]


def queue_of(update: JSON) -> int:
    """The queue an update is delivered in: its chat (or sender), else its own id."""
    for kind, payload in update.items():
        if kind == "update_id" or not isinstance(payload, dict):
            continue
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or {}
        if isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = payload.get("from") or payload.get("user") or {}
        if isinstance(sender.get("id"), int):
            return int(sender["id"])
    return -int(update["update_id"])


class WebhookDeliverer:
    """Delivers updates while a webhook is set: several chats at once, each chat's in order.

    A delivery counts as accepted on any 2xx reply; otherwise ``last_error_date`` /
    ``last_error_message`` of getWebhookInfo are set and the update is posted again after
    ``retry_delay`` seconds, doubling up to ``max_retry_delay`` while failures follow each other.
    Every attempt is appended to :attr:`deliveries`.
    """

    def __init__(
        self,
        state: BotState,
        profile: Profile,
        *,
        retry_delay: float = 0.1,
        max_retry_delay: float = 2.0,
        request_timeout: float = 5.0,
    ) -> None:
        self.state = state
        self.profile = profile
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.deliveries: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._delay = retry_delay

    def sync(self) -> None:
        """Start the delivery task if a webhook is set and none is running."""
        if self.state.webhook is not None and (self._task is None or self._task.done()):
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop delivering."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        state = self.state
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        posting: dict[int, asyncio.Task[None]] = {}  # per queue (chat): the update being posted
        try:
            async with aiohttp.ClientSession(timeout=timeout) as session:
                while (hook := state.webhook) is not None and not state.closing:
                    current = hook

                    def next_update(current: WebhookConfig = current) -> JSON | None:
                        if len(posting) >= current.max_connections:
                            return None
                        waiting = set()
                        for update in state.deliverable(current.allowed_updates):
                            queue = queue_of(update)
                            if queue not in posting and queue not in waiting:
                                return update
                            waiting.add(queue)  # a chat's later updates wait for its first
                        return None

                    def ready(current: WebhookConfig = current) -> bool:
                        return state.webhook is not current or state.closing or next_update() is not None

                    await state.changed.wait_for(ready, None)
                    if state.webhook is not current or state.closing:
                        continue
                    update = next_update()
                    assert update is not None
                    queue = queue_of(update)
                    posting[queue] = asyncio.create_task(self._deliver(session, current, update))
                    posting[queue].add_done_callback(functools.partial(self._posted, posting, queue))
        finally:
            for task in posting.values():
                task.cancel()
            for task in list(posting.values()):
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    def _posted(self, posting: dict[int, asyncio.Task[None]], queue: int, _task: object) -> None:
        posting.pop(queue, None)
        self.state.changed.notify()

    async def _deliver(self, session: aiohttp.ClientSession, hook: WebhookConfig, update: JSON) -> None:
        """Post ``update`` once; forgotten if accepted, else (after a pause) left to be posted again."""
        state = self.state
        error = await self._post(session, hook, update)
        self.deliveries.append({"update_id": update["update_id"], "error": error, "at": time.monotonic()})
        if error is None:
            state.updates = [u for u in state.updates if u is not update]
            self._delay = self.retry_delay
            return
        hook.last_error_date = state.now()
        hook.last_error_message = error
        delay, self._delay = self._delay, min(self._delay * 2, self.max_retry_delay)
        await asyncio.sleep(delay)

    async def _post(self, session: aiohttp.ClientSession, hook: WebhookConfig, update: JSON) -> str | None:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token and self.profile.webhook_secret_header:
            headers[SECRET_HEADER] = hook.secret_token
        try:
            async with session.post(hook.url, data=json.dumps(update).encode(), headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {exc}"
