"""Counting every update handled, per platform, for ``/metrics`` (the first step of ``door.py``)."""

from __future__ import annotations

from telegram import Update

from handlers.context import BotContext

__all__ = ["count_update"]


async def count_update(update: Update, context: BotContext) -> None:
    metrics = context.services.shared.metrics
    metrics.child(metrics.updates, context.platform.name).inc()
