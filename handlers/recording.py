"""Store writes a citizen's reply must not wait on: when the store is unavailable the reply goes
out anyway and the write waits in the backlog (``bot/store/backlog.py``) to be retried."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.store import Store, StoreUnavailable
from handlers.context import BotContext

__all__ = ["recorded"]


async def recorded[T](context: BotContext, label: str, write: Callable[[Store], Awaitable[T]]) -> T | None:
    """``write``'s result, or ``None`` when the store is unavailable and the write was deferred.

    ``write`` must be idempotent (the store's writes are, per update): it may run again later.
    ``label`` names it in the logs and must hold no personal data.
    """
    try:
        return await write(context.store)
    except StoreUnavailable as error:
        context.backlog.defer(label, write, error)
        return None
