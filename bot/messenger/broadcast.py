"""Delivering an announcement to many chats, paced under the platform's overall limit.

No messenger code: ``send(recipient)`` does one delivery and says how it went. The loop starts
one send per ``1 / per_second`` seconds at most (measured from the previous start, so a stall
is never followed by a burst), keeps at most ``in_flight`` sends open, puts a ``RETRY`` back at
the end of the queue until it has had ``attempts`` tries (then it counts as failed), and calls
``on_progress`` every ``progress_every`` seconds and once at the end::

    delivery = await deliver(subscribers, send_one, per_second=20, on_progress=show)
    delivery.sent, delivery.blocked, delivery.failed
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

__all__ = ["PER_SECOND", "Delivery", "Result", "deliver"]

#: Sends per second: under Telegram's 30/s overall, with a third left for citizens' replies (and for
#: requests that arrive bunched at the Bot API when the machine is busy).
PER_SECOND = 20.0


class Result(Enum):
    SENT = "sent"
    BLOCKED = "blocked"
    """The user blocked the bot (403): not retried."""
    RETRY = "retry"
    """A passing failure (network, throttling): tried again later, a bounded number of times."""
    FAILED = "failed"
    """A lasting failure (chat not found, bad request): not retried."""


@dataclass
class Delivery:
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    retries: int = 0
    blocked_recipients: list[object] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


async def deliver[R](
    recipients: Sequence[R],
    send: Callable[[R], Awaitable[Result]],
    *,
    per_second: float = PER_SECOND,
    attempts: int = 3,
    in_flight: int = 20,
    on_progress: Callable[[Delivery], Awaitable[None]] | None = None,
    progress_every: float = 3.0,
) -> Delivery:
    """Send to every recipient; the counts (``sent + blocked + failed == len(recipients)``)."""
    if per_second <= 0 or attempts < 1 or in_flight < 1:
        raise ValueError("per_second, attempts and in_flight must be positive")
    loop = asyncio.get_running_loop()
    interval = 1.0 / per_second
    delivery = Delivery(len(recipients))
    queue: deque[tuple[R, int]] = deque((recipient, 1) for recipient in recipients)
    running: dict[asyncio.Task[Result], tuple[R, int]] = {}
    last_start = -interval
    last_progress = loop.time()

    def settle(finished: set[asyncio.Task[Result]]) -> None:
        for task in finished:
            recipient, attempt = running.pop(task)
            result = task.result() if not task.cancelled() and task.exception() is None else Result.RETRY
            if result is Result.SENT:
                delivery.sent += 1
            elif result is Result.BLOCKED:
                delivery.blocked += 1
                delivery.blocked_recipients.append(recipient)
            elif result is Result.RETRY and attempt < attempts:
                delivery.retries += 1
                queue.append((recipient, attempt + 1))
            else:
                delivery.failed += 1

    while queue or running:
        if queue and len(running) < in_flight:
            wait = last_start + interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            last_start = loop.time()
            recipient, attempt = queue.popleft()
            running[asyncio.ensure_future(send(recipient))] = (recipient, attempt)
            finished = {task for task in running if task.done()}
        else:
            finished, _pending = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
        settle(finished)
        if on_progress is not None and loop.time() - last_progress >= progress_every:
            last_progress = loop.time()
            await on_progress(delivery)
    if on_progress is not None:
        await on_progress(delivery)
    return delivery
