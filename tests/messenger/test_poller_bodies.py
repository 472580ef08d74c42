"""sabtyar's own poller sends ``getUpdates`` with the platform's ``request_body``: JSON or a form."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from bot.messenger.platforms import REQUEST_BODIES, default_platform
from bot.messenger.updates.poller import Poller
from bot.secret import Secret
from tests.support.fakeapi import FakeBotApi


@pytest.mark.parametrize("body", REQUEST_BODIES)
async def test_updates_come_with_either_body_and_allowed_updates_reach_the_api(
    api: FakeBotApi, body: str
) -> None:
    platform = replace(
        default_platform("telegram"), base_url=api.base_url, token=Secret(api.token), request_body=body
    )
    batches: list[list[dict[str, Any]]] = []
    stop = asyncio.Event()

    async def deliver(batch: list[dict[str, Any]]) -> None:
        batches.append(batch)
        stop.set()

    poller = Poller(platform, deliver, ["message"], 1)
    user = api.create_user()
    api.user_sends_text(user, "سلام")
    await asyncio.wait_for(poller.run(stop), 10)
    assert [u["message"]["text"] for batch in batches for u in batch] == ["سلام"]
    assert api.state.allowed_updates == ["message"]
    assert poller.offset == batches[0][0]["update_id"] + 1
