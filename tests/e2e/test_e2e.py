"""End to end: the real ``sabtyar run`` process on the fake Bot API, Telegram and Bale profiles.

One bot process per profile serves every test of the module (the engine takes seconds to load);
the last test checks that ``sabtyar stats --json`` counts what the others produced.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine
from bot.locale import Catalog, Locales
from bot.messenger.callback_data import Alternative, Choose, Menu, Rate, Topic, encode
from bot.store import mask_personal_data
from tests.support.bot_harness import (
    ALTERNATIVES_CANDIDATES,
    DID_YOU_MEAN_CANDIDATES,
    TWO_PART_CANDIDATES,
    find_question,
)
from tests.support.fakeapi import FakeBotApi, FakeUser, SentMessage
from tests.support.live_bot import LiveBot, live_bot

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OUT_OF_SCOPE = "هوای تهران چطوره"


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["telegram", "bale"])
async def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LiveBot]:
    async with FakeBotApi(request.param, privacy_mode=False) as api:
        async with live_bot(tmp_path_factory.mktemp(request.param), api) as bot:
            yield bot
        assert bot.process.returncode == 0, bot.stderr()
        assert api.token not in bot.stderr()


@pytest.fixture(scope="module")
def fa(locales: Locales) -> Catalog:
    return locales.get("fa")


def data_of(message: SentMessage) -> list[str]:
    return [b["callback_data"] for b in message.buttons if "callback_data" in b]


async def press(live: LiveBot, user: FakeUser, message: SentMessage, data: str, **kw: object) -> dict:
    done = len(live.api.callback_answers)
    live.api.user_presses_button(user, message, data, **kw)  # type: ignore[arg-type]
    return (await live.api.wait_for_callback_answers(done + 1, timeout=10))[done]


async def test_start_menu_topic_answer_rating_stored(
    live: LiveBot, fa: Catalog, engine: AnswerEngine
) -> None:
    api, citizen = live.api, live.api.create_user("مریم")
    api.user_sends_command(citizen, "/start")
    [welcome] = await api.wait_for_messages(citizen.id, timeout=10)
    assert welcome.text == fa.text("bot.welcome") and encode(Menu("birth")) in data_of(welcome)
    await press(live, citizen, welcome, encode(Menu("birth")))
    await api.wait_for_calls("editMessageText", timeout=10)
    await press(live, citizen, welcome, encode(Topic("national-code")))
    [shown] = await api.wait_for_messages(citizen.id, timeout=10)
    assert shown.text.startswith(engine.knowledge.entry("national-code").title)
    assert shown.parse_mode == ("HTML" if api.profile.parse_mode_supported else None)
    rating = next(d for d in data_of(shown) if d.startswith("r:") and d.endswith(":5"))
    thanks = fa.text("rating.thanks", rating=fa.text("rating.name_5"))
    assert (await press(live, citizen, shown, rating))["text"] == thanks
    event_id = int(rating.split(":")[1])
    assert live.rows("SELECT via, entry_id FROM answer_events WHERE id = ?", event_id) == [
        ("menu", "national-code")
    ]
    assert live.rows("SELECT score FROM ratings WHERE answer_event_id = ?", event_id) == [(5,)]
    live.expected.update(ratings=1, satisfied=1)


async def test_free_text_did_you_mean_choice(live: LiveBot, fa: Catalog, engine: AnswerEngine) -> None:
    question = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    offered = engine.ask(question).offered_ids
    api, citizen = live.api, live.api.create_user("علی")
    api.user_sends_text(citizen, question)
    [choices] = await api.wait_for_messages(citizen.id, timeout=10)
    assert choices.text == fa.text("bot.did_you_mean") and len(data_of(choices)) == len(offered) + 1
    question_id = int(data_of(choices)[0].split(":")[1])
    edits = len(api.calls("editMessageText"))
    await press(live, citizen, choices, encode(Choose(question_id, 0)))
    await api.wait_for_calls("editMessageText", edits + 1, timeout=10)
    assert choices.text.startswith(engine.knowledge.entry(offered[0]).title)  # edited into the answer
    assert live.rows("SELECT entry_id FROM resolutions WHERE question_id = ?", question_id) == [(offered[0],)]
    [[text, outcome]] = live.rows("SELECT text, outcome FROM questions WHERE id = ?", question_id)
    assert (text, outcome) == (question, "did_you_mean")
    live.expected.update(questions=1, did_you_mean=1)

    api.user_sends_text(citizen, LOST_BIRTH_CERTIFICATE)
    [direct] = await api.wait_for_messages(citizen.id, timeout=10)
    assert direct.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
    live.expected.update(questions=1, answered=1)


async def test_no_match_is_recorded_unanswered(live: LiveBot, fa: Catalog, engine: AnswerEngine) -> None:
    question = find_question(
        engine, Outcome.NO_MATCH, (f"{OUT_OF_SCOPE} 09121234567", f"{OUT_OF_SCOPE} 0013542419", OUT_OF_SCOPE)
    )
    api, citizen = live.api, live.api.create_user()
    api.user_sends_text(citizen, question)
    [reply] = await api.wait_for_messages(citizen.id, timeout=10)
    assert reply.text == fa.text("bot.no_match") and "t:human-agent" in data_of(reply)
    [[text]] = live.rows(
        "SELECT text FROM questions WHERE outcome = 'no_match' ORDER BY asked_at DESC LIMIT 1"
    )
    assert text == mask_personal_data(question)
    live.expected.update(questions=1, unanswered=1)


async def test_sticker_gets_a_kind_reply(live: LiveBot, fa: Catalog) -> None:
    citizen = live.api.create_user()
    live.api.user_sends_sticker(citizen)
    [reply] = await live.api.wait_for_messages(citizen.id, timeout=10)
    assert reply.text == fa.text("media.sticker")


async def test_group_answers_only_a_mention(live: LiveBot, engine: AnswerEngine) -> None:
    api = live.api
    ali, sara = api.create_user("Ali"), api.create_user("Sara")
    group = api.create_group("همسایه‌ها", [ali, sara])
    api.user_sends_text(ali, LOST_BIRTH_CERTIFICATE, chat=group)
    api.user_mentions_bot(sara, group, LOST_BIRTH_CERTIFICATE)
    [answer] = await api.wait_for_messages(group.id, timeout=10)
    assert answer.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
    await api.wait_until_delivered()
    await api.expect_no_messages(group.id, within=0.5)
    live.expected.update(questions=1, answered=1)


async def test_flood_from_one_citizen_while_another_is_answered(
    live: LiveBot, fa: Catalog, engine: AnswerEngine
) -> None:
    api = live.api
    flooder, calm = api.create_user("Flood"), api.create_user("Calm")
    for _ in range(10):
        api.user_sends_text(flooder, OUT_OF_SCOPE)
    api.user_sends_text(calm, LOST_BIRTH_CERTIFICATE)
    [answer] = await api.wait_for_messages(calm.id, timeout=10)
    assert answer.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
    replies = await api.wait_for_messages(flooder.id, 5, timeout=10)  # four answers, one "slow down"
    assert [m.text for m in replies].count(fa.text("bot.slow_down")) == 1
    await api.wait_until_delivered()
    await api.expect_no_messages(flooder.id, within=0.5)
    live.expected.update(questions=5, answered=1, unanswered=4)


async def test_forged_button_is_refused_and_changes_nothing(live: LiveBot, fa: Catalog) -> None:
    api = live.api
    owner, intruder = api.create_user("Owner"), api.create_user("Intruder")
    api.user_sends_text(owner, LOST_BIRTH_CERTIFICATE)
    [shown] = await api.wait_for_messages(owner.id, timeout=10)
    live.expected.update(questions=1, answered=1)
    event_id = int(next(d for d in data_of(shown) if d.startswith("r:")).split(":")[1])
    before = live.rows("SELECT count(*), coalesce(sum(score), 0) FROM ratings")
    for user, data in [
        (intruder, encode(Rate(event_id, 1))),
        (owner, encode(Rate(event_id + 10_000, 1))),
        (owner, f"r:{event_id}:7"),
        (owner, "\u202e garbage"),
    ]:
        answer = await press(live, user, shown, data, strict=False)
        assert answer["text"] == fa.text("bot.refused")
    assert live.rows("SELECT count(*), coalesce(sum(score), 0) FROM ratings") == before
    await api.expect_no_messages(owner.id, within=0.3)


async def test_answer_with_alternatives_a_press_on_one_and_a_two_part_question(
    live: LiveBot, fa: Catalog, engine: AnswerEngine
) -> None:
    question = next(
        q
        for q in ALTERNATIVES_CANDIDATES
        if engine.ask(q).outcome is Outcome.ANSWER_ALTERNATIVES and not engine.ask(q).parts
    )
    reply = engine.ask(question)
    api, citizen = live.api, live.api.create_user("زهرا")
    api.user_sends_text(citizen, question)
    [shown] = await api.wait_for_messages(citizen.id, timeout=10)
    assert shown.text.startswith(engine.knowledge.entry(reply.answer_id or "").title)
    assert fa.text("answer.alternatives") in shown.text
    question_id = int(next(d for d in data_of(shown) if d.startswith("alt:")).split(":")[1])
    offered = [d for d in data_of(shown) if d.startswith("alt:")]
    assert offered == [encode(Alternative(question_id, i)) for i in range(len(reply.alternatives[:2]))]
    await press(live, citizen, shown, offered[-1])
    [alternative] = await api.wait_for_messages(citizen.id, timeout=10)
    chosen = reply.alternatives[len(offered) - 1]
    assert alternative.text.startswith(engine.knowledge.entry(chosen).title)
    assert live.rows(
        "SELECT from_entry, to_entry, kind FROM corrections WHERE question_id = ?", question_id
    ) == [(reply.answer_id, chosen, "alternative")]
    live.expected.update(questions=1, answered=1, corrections=1)

    two_part = find_question(
        engine, Outcome.ANSWER_ALTERNATIVES, tuple(q for q in TWO_PART_CANDIDATES if engine.ask(q).parts)
    )
    first, second = engine.ask(two_part).parts
    api.user_sends_text(citizen, two_part)
    [both] = await api.wait_for_messages(citizen.id, timeout=10)
    assert both.text.startswith(engine.knowledge.entry(first).title)
    assert fa.text("answer.other_part") in both.text
    assert both.button_texts[0] == engine.knowledge.entry(second).title
    [[parts]] = live.rows("SELECT parts FROM questions ORDER BY asked_at DESC LIMIT 1")
    assert parts is not None and [first, second] == json.loads(parts)
    live.expected.update(questions=1, answered=1)


async def test_stats_json_counts_what_the_suite_did(live: LiveBot) -> None:
    figures = await live.stats()
    expected = live.expected
    counted = ("questions", "answered", "did_you_mean", "unanswered", "ratings", "corrections")
    assert {k: figures[k] for k in counted} == {k: expected[k] for k in counted}
    if expected["ratings"]:
        assert figures["csat"] == round(expected["satisfied"] / expected["ratings"], 4)
    users = [u.id for u in live.api.state.users.values()]
    raw = live.db.read_bytes() + (
        live.db.with_name("sabtyar.db-wal").read_bytes()
        if live.db.with_name("sabtyar.db-wal").exists()
        else b""
    )
    assert not any(str(user).encode() in raw for user in users)  # only keyed hashes are stored
    assert live.db.with_name("sabtyar.db.hash-secret").stat().st_mode & 0o777 == 0o600


async def test_sigkill_during_ratings_loses_no_thanked_rating(
    tmp_path_factory: pytest.TempPathFactory, fa: Catalog
) -> None:
    async with FakeBotApi("telegram") as api, live_bot(tmp_path_factory.mktemp("sigkill"), api) as live:
        citizens = [api.create_user(f"C{i}") for i in range(4)]
        shown: list[tuple[FakeUser, SentMessage]] = []
        for citizen in citizens:
            api.user_sends_command(citizen, "/start")
            [menu] = await api.wait_for_messages(citizen.id, timeout=10)
            for topic in ("national-code", "fees", "offices", "appointment", "tracking", "baby-name"):
                api.user_presses_button(citizen, menu, encode(Topic(topic)), strict=False)
            shown += [(citizen, m) for m in await api.wait_for_messages(citizen.id, 6, timeout=15)]
        done = len(api.callback_answers)
        for number, (citizen, message) in enumerate(shown):
            rating = [d for d in data_of(message) if d.startswith("r:")][number % 5]
            api.user_presses_button(citizen, message, rating)
        await api.wait_for_callback_answers(done + 6, timeout=10)
        os.kill(live.process.pid, signal.SIGKILL)
        await live.wait_exit()
        assert live.process.returncode == -signal.SIGKILL
        thanks = {fa.text("rating.thanks", rating=fa.text(f"rating.name_{score}")) for score in range(1, 6)}
        thanked = [a["data"] for a in api.callback_answers[done:] if a["text"] in thanks]
        assert len(thanked) >= 6
        stored = set(live.rows("SELECT answer_event_id, score FROM ratings"))
        for data in thanked:
            _, event, score = data.split(":")
            assert (int(event), int(score)) in stored
        assert live.rows("PRAGMA integrity_check") == [("ok",)]
