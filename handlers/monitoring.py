"""Counting every update handled, per platform, for ``/metrics`` (a group of its own, first)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, TypeHandler

from handlers.context import BotContext

__all__ = ["handlers"]


async def count_update(update: Update, context: BotContext) -> None:
    context.services.shared.metrics.updates.labels(context.platform.name).inc()


def handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [TypeHandler(Update, count_update)]
