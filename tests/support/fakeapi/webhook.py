"""Webhook mode: POST each queued update to the registered URL, retrying until it is accepted."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import aiohttp

from .profiles import Profile
from .state import BotState, WebhookConfig

__all__ = ["SECRET_HEADER", "WebhookDeliverer"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer:
    """Delivers updates one at a time, in order, while a webhook is set.

    A delivery counts as accepted on any 2xx reply; otherwise ``last_error_date`` /
    ``last_error_message`` of getWebhookInfo are set and the update is retried after
    ``retry_delay`` seconds, doubling up to ``max_retry_delay``. Every attempt is appended to
    :attr:`deliveries`.
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
        async with aiohttp.ClientSession(timeout=timeout) as session:
            delay = self.retry_delay
            while (hook := state.webhook) is not None and not state.closing:
                current = hook

                def ready(current: WebhookConfig = current) -> bool:
                    return (
                        state.webhook is not current
                        or state.closing
                        or bool(state.deliverable(current.allowed_updates))
                    )

                await state.changed.wait_for(ready, None)
                if state.webhook is not current or state.closing:
                    continue
                update = state.updates[0]
                error = await self._post(session, current, update)
                self.deliveries.append(
                    {"update_id": update["update_id"], "error": error, "at": time.monotonic()}
                )
                if error is None:
                    state.updates = [u for u in state.updates if u is not update]
                    state.changed.notify()
                    delay = self.retry_delay
                    continue
                current.last_error_date = state.now()
                current.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    async def _post(
        self, session: aiohttp.ClientSession, hook: WebhookConfig, update: dict[str, Any]
    ) -> str | None:
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
