"""The terminal chat: answers, numbered "did you mean" choices, kind no-match replies."""

from __future__ import annotations

import io

import pytest

from bot.cli.chat import ChatSession, run_chat
from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Locales


@pytest.fixture
def session(engine: AnswerEngine, locales: Locales) -> ChatSession:
    return ChatSession(engine, locales.get("fa"))


def first_question_with(engine: AnswerEngine, outcome: Outcome, candidates: list[str]) -> str:
    for text in candidates:
        if engine.ask(text).outcome is outcome:
            return text
    raise AssertionError(f"none of {candidates} gives {outcome}")


def test_answer_shows_title_answer_and_official_link(session: ChatSession, engine: AnswerEngine) -> None:
    reply = session.respond("شناسنامه‌ام گم شده")
    entry = engine.entry("birthcert-duplicate")
    assert entry.title in reply and entry.short_answer in reply
    assert "https://" in reply


def test_did_you_mean_then_number_picks_the_entry(session: ChatSession, engine: AnswerEngine) -> None:
    question = first_question_with(engine, Outcome.DID_YOU_MEAN, ["کارت", "شناسنامه", "ثبت", "کارت ملی"])
    offered = engine.ask(question).offered_ids
    listing = session.respond(question)
    assert "1." in listing and engine.entry(offered[0]).title in listing
    second = 1 if len(offered) > 1 else 0
    assert engine.entry(offered[second]).answer in session.respond("۲" if second else "1")


def test_out_of_range_choice_is_explained(
    session: ChatSession, engine: AnswerEngine, locales: Locales
) -> None:
    question = first_question_with(engine, Outcome.DID_YOU_MEAN, ["کارت", "شناسنامه", "ثبت", "کارت ملی"])
    count = len(engine.ask(question).offered_ids)
    session.respond(question)
    assert session.respond("۹") == locales.get("fa").text("chat.choice_invalid", number=9, count=count)


def test_no_match_points_to_the_official_channel(session: ChatSession) -> None:
    reply = session.respond("بهترین دستور پخت کباب چیه")
    assert "sabteahval.ir" in reply


def test_run_chat_reads_until_quit(engine: AnswerEngine, locales: Locales) -> None:
    lines = iter(["سلام", "خروج", "never read"])
    out = io.StringIO()
    run_chat(engine, locales.get("fa"), read=lambda _prompt: next(lines), out=out)
    text = out.getvalue()
    assert engine.entry("greeting").title in text or engine.entry("greeting").short_answer in text
    assert text.rstrip().endswith(locales.get("fa").text("chat.bye"))
