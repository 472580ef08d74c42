"""A citizen handed off is told at once whether staff are in office hours, until when, and the
measured median time to a first reply; outside office hours, when the office opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.callback_data import Handoff, encode
from bot.messenger.staff_settings import HandoffSettings
from bot.store import Store, UserHasher
from bot.store.handoffs import open_handoff, record_staff_reply
from handlers.citizen import handoff_notice
from tests.support.bot_harness import HASH_SECRET, running_bot

STAFF_GROUP = -4545
OUT_OF_SCOPE = "هوای تهران چطوره"


async def answered_earlier(db: Path, minutes: list[int]) -> None:
    """Handoffs of the last days, answered after ``minutes``."""
    async with await Store.open(db) as store:
        for day, delay in enumerate(minutes, start=1):
            opened = datetime.now(UTC) - timedelta(days=day)
            handoff = await open_handoff(
                store, user_hash=UserHasher(HASH_SECRET)("bale", day), platform="bale", at=opened
            )
            await record_staff_reply(store, handoff, at=opened + timedelta(minutes=delay))


async def told_after_handoff(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> str:
    changes = {"handoff": HandoffSettings({"telegram": STAFF_GROUP})}
    async with running_bot(tmp_path, engine, locales, settings_changes=changes) as bot:
        citizen = bot.api.create_user()
        bot.api.create_group("کارشناسان", [], chat_id=STAFF_GROUP)
        [unknown] = await bot.say(citizen, OUT_OF_SCOPE)
        [[question_id]] = bot.rows("SELECT id FROM questions")
        await bot.press(citizen, unknown, encode(Handoff(question_id)))
        [told] = await bot.api.wait_for_messages(citizen.id, timeout=20)
        return told.text or ""


async def test_in_office_hours_the_citizen_hears_until_when_and_the_median_wait(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff_notice, "is_open", lambda hours, at=None, holidays=(): True)
    await answered_earlier(tmp_path / "bot.db", [10, 17, 45])
    fa = locales.get("fa")
    told = await told_after_handoff(tmp_path, engine, locales)
    assert told == f"{fa.text('handoff.sent_open', closes='۱۴:۰۰')}\n{fa.text('handoff.expect', minutes=17)}"


async def test_without_answered_handoffs_no_figure_is_invented(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff_notice, "is_open", lambda hours, at=None, holidays=(): True)
    told = await told_after_handoff(tmp_path, engine, locales)
    assert told == locales.get("fa").text("handoff.sent_open", closes="۱۴:۰۰")


async def test_outside_office_hours_the_citizen_hears_when_the_office_opens(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handoff_notice, "is_open", lambda hours, at=None, holidays=(): False)
    await answered_earlier(tmp_path / "bot.db", [10])
    told = await told_after_handoff(tmp_path, engine, locales)
    prefix = locales.get("fa").text("handoff.sent_closed", when="").split("{")[0][:40]
    assert told.startswith(prefix) and "sabteahval.ir" in told and "دقیقه" not in told
