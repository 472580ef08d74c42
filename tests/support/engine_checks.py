"""Checks on how the answer engine treats a question, shared by the engine's tests."""

from __future__ import annotations

from bot.engine.engine import AnswerEngine


def assert_theirs(engine: AnswerEngine, text: str) -> None:
    """``text`` asks about another organisation's service: it is doubted so and never answered."""
    assert engine.assess(text).doubts.other_service, text
    assert engine.ask(text).answer_id is None, text


def assert_ours(engine: AnswerEngine, text: str, entry_id: str) -> None:
    """``text`` asks about ``entry_id``, whatever other service it names: answered with it."""
    assert not engine.assess(text).doubts.other_service, text
    assert engine.ask(text).answer_id == entry_id, text
