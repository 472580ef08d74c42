"""The engine decides a question asked again once, and a knowledge change forgets every decision."""

from __future__ import annotations

import shutil
import weakref
from pathlib import Path

import pytest

from bot.engine.analyzer import Analyzer
from bot.engine.decision import Outcome
from bot.engine.engine import RECENT_QUESTIONS, AnswerEngine, Assessment, build_engine
from bot.engine.live import LiveEngine
from bot.knowledge.edit import Record
from bot.memory import Memory
from bot.settings import Settings

QUESTION = "شناسنامه‌ام گم شده"
#: Words no entry knows: no match until a phrasing says them.
UNKNOWN = "زرافه بنفش پرنده"


def test_a_question_asked_again_is_decided_once_with_the_same_reply(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = engine.ask(QUESTION + " ؟")
    assessed: list[str] = []
    assess = engine.assess

    def counted(question: str) -> Assessment:
        assessed.append(question)
        return assess(question)

    monkeypatch.setattr(engine, "assess", counted)
    again = engine.ask(QUESTION + " ؟")
    assert assessed == []
    assert again.to_json() == first.to_json()
    assert (again.key, again.decision, again.ranked) == (first.key, first.decision, first.ranked)
    assert again.seconds < first.seconds  # its own call's time, not the first one's
    other = engine.ask(QUESTION + " چیکار کنم")
    assert assessed == [QUESTION + " چیکار کنم"]
    assert other.question == QUESTION + " چیکار کنم"


def test_the_memory_is_bounded_and_a_replaced_engine_is_freed_at_once(
    settings: Settings, base_analyzer: Analyzer
) -> None:
    thresholds, weights = settings.engine.thresholds, settings.engine.weights
    engine = build_engine(settings.knowledge_dir, thresholds, weights, base_analyzer)
    for number in range(RECENT_QUESTIONS + 10):
        engine.ask(f"سوال {number}")
    assert len(engine._recent) == RECENT_QUESTIONS
    assert "سوال 0" not in engine._recent and f"سوال {RECENT_QUESTIONS + 9}" in engine._recent
    gone = weakref.ref(engine)
    del engine
    assert gone() is None  # no reference cycle: freed without waiting for a garbage collection


async def test_a_knowledge_change_forgets_the_decisions(tmp_path: Path, settings: Settings) -> None:
    folder = Path(shutil.copytree(settings.knowledge_dir, tmp_path / "knowledge"))
    engine = build_engine(folder, settings.engine.thresholds, settings.engine.weights)
    assert engine.ask(UNKNOWN).outcome is Outcome.NO_MATCH
    live = LiveEngine(engine, folder, settings.engine.thresholds, settings.engine.weights)

    def add(record: Record) -> Record:
        record["questions"] = [*record["questions"], UNKNOWN]
        return record

    await live.change_entry("name-change", add)
    reply = live.engine.ask(UNKNOWN)
    assert reply.outcome.answers and reply.answer_id == "name-change"


def test_remembered_rankings_are_the_computed_ones(
    engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A matcher remembers its recent rankings (a speed-up only): a ranking asked again is the one
    computed, a caller changing its list changes nothing remembered, and the memory starts over
    when full."""
    matcher = engine.matcher
    monkeypatch.setattr(matcher, "_rankings", Memory(2))
    keys = [engine.analyzer.analyze(text) for text in ("کارت ملی گم شده", "شناسنامه", "ثبت ولادت")]
    computed = [matcher._rank(key, 5, None) for key in keys]
    first = matcher.rank(keys[0])
    first.clear()
    assert matcher.rank(keys[0]) == computed[0]
    assert [matcher.rank(key) for key in keys] == computed
    assert matcher.rank(keys[1], 2) == computed[1][:2]
    assert 0 < len(matcher._rankings) <= 2
