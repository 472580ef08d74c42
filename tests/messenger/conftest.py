"""Fixtures of the messenger tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.support.fakeapi import FakeBotApi


@pytest_asyncio.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A local Telegram Bot API on 127.0.0.1 (a test file may define its own: Bale's)."""
    async with FakeBotApi("telegram") as server:
        yield server
