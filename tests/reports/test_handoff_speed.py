"""Handoff speed: handoffs, the share answered and the median minutes to the first staff reply,
per Jalali month, in ``sabtyar stats --json`` (additive keys) from a real SQLite store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import Store, UserHasher
from bot.store.handoffs import open_handoff, record_staff_reply
from tests.support.cli import run_cli

HASHER = UserHasher("handoff-speed-test-secret")
#: 10:00 Iran time on 1 Mehr 1405 and on 1 Aban 1405.
MEHR = datetime(2026, 9, 23, 6, 30, tzinfo=UTC)
ABAN = datetime(2026, 10, 23, 6, 30, tzinfo=UTC)


async def seed(path: Path) -> None:
    async with await Store.open(path) as store:
        citizen = HASHER("telegram", 1)
        answered = [(MEHR, 17), (MEHR + timedelta(hours=1), 43), (ABAN, 5)]
        for opened, minutes in answered:
            handoff = await open_handoff(store, user_hash=citizen, platform="telegram", at=opened)
            await record_staff_reply(store, handoff, at=opened + timedelta(minutes=minutes))
            await record_staff_reply(
                store, handoff, at=opened + timedelta(minutes=minutes + 60)
            )  # not the first
        await open_handoff(store, user_hash=citizen, platform="bale", at=MEHR + timedelta(hours=2))


def stats(path: Path, capsys: pytest.CaptureFixture[str], *period: str) -> dict[str, object]:
    assert run_cli(["stats", "--json", *period], store_path=path) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_a_known_delay_shows_in_stats_json_per_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "sabtyar.db"
    asyncio.run(seed(path))
    figures = stats(path, capsys)
    assert figures["questions"] == 0  # the fixed keys are still there
    assert figures["handoffs"] == 4 and figures["handoffs_answered"] == 3
    assert figures["handoff_answered_share"] == 0.75
    assert figures["handoff_first_reply_median_min"] == 17.0
    assert figures["handoffs_by_month"] == {
        "1405-07": {"handoffs": 3, "answered": 2, "answered_share": 0.6667, "first_reply_median_min": 30.0},
        "1405-08": {"handoffs": 1, "answered": 1, "answered_share": 1.0, "first_reply_median_min": 5.0},
    }
    aban = stats(path, capsys, "--from", "1405-08")
    assert aban["handoff_first_reply_median_min"] == 5.0 and list(aban["handoffs_by_month"]) == ["1405-08"]  # type: ignore[arg-type]
    empty = stats(path, capsys, "--from", "1405-10")
    assert empty["handoffs"] == 0 and empty["handoff_answered_share"] is None
    assert empty["handoff_first_reply_median_min"] is None and empty["handoffs_by_month"] == {}
