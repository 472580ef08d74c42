"""The two reads the bot's buttons need: the options a question offered, the entry an answer showed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import QuestionEvent, Store, UserHasher

HASHER = UserHasher("test-secret-for-the-lookups")
ALI, SARA = HASHER("telegram", 1), HASHER("telegram", 2)


def offered(outcome: str, candidates: tuple[str, ...]) -> QuestionEvent:
    return QuestionEvent(
        platform="telegram",
        user_hash=ALI,
        language="fa",
        text="کارت",
        match_form="کارت",
        outcome=outcome,
        answer_id=candidates[0] if outcome == "answer" else None,
        score=0.4,
        candidates=candidates,
        response_ms=3,
    )


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(tmp_path / "lookups.db") as opened:
        yield opened


async def test_offered_choices_only_for_the_asker(store: Store) -> None:
    question = await store.record_question(offered("did_you_mean", ("a", "b", "c")))
    answered = await store.record_question(offered("answer", ("a",)))
    assert await store.offered_choices(question, ALI) == ("a", "b", "c")
    assert await store.offered_choices(question, SARA) is None
    assert await store.offered_choices(answered, ALI) is None
    for forged in (0, -5, 999, 2**70, "1", True):
        assert await store.offered_choices(forged, ALI) is None  # type: ignore[arg-type]


async def test_shown_entry_only_for_the_viewer(store: Store) -> None:
    event = await store.record_answer_event(user_hash=ALI, platform="telegram", entry_id="fees", via="menu")
    assert await store.shown_entry(event, ALI) == "fees"
    assert await store.shown_entry(event, SARA) is None
    for forged in (0, 999, 2**64, None):
        assert await store.shown_entry(forged, ALI) is None  # type: ignore[arg-type]
