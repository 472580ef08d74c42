"""The citizen flows through the real handlers and runner, over the fake Bot API (no real network)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path

import pytest

from bot.cli.stats import stats_main
from bot.engine.analyzer import Analyzer
from bot.engine.decision import Decision, Outcome, Thresholds
from bot.engine.engine import AnswerEngine
from bot.engine.matcher import Candidate
from bot.knowledge.model import Category, Entry, KnowledgeBase, Link
from bot.locale import Locales
from bot.messenger.callback_data import Alternative, Choose, Menu, More, Rate, SkipComment, Topic, encode
from bot.settings import FloodSettings
from bot.store import Store
from tests.support.bot_harness import (
    ALTERNATIVES_CANDIDATES,
    DID_YOU_MEAN_CANDIDATES,
    find_question,
    running_bot,
)
from tests.support.fakeapi import Fault, SentMessage

LOST_BIRTH_CERTIFICATE = "شناسنامه‌ام گم شده"
OUT_OF_SCOPE = "هوای تهران چطوره"


def data_of(message: SentMessage) -> list[str]:
    return [b["callback_data"] for b in message.buttons if "callback_data" in b]


def ratings_of(message: SentMessage) -> list[str]:
    return [d for d in data_of(message) if d.startswith("r:")]


@pytest.fixture
def profile() -> str:
    return "telegram"


@pytest.mark.parametrize("profile", ["telegram", "bale"])
async def test_start_menu_topic_answer_rating(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, profile: str
) -> None:
    async with running_bot(tmp_path, engine, locales, profile) as bot:
        api, fa = bot.api, bot.fa
        citizen = api.create_user("مریم")
        api.user_sends_command(citizen, "/start")
        [welcome] = await api.wait_for_messages(citizen.id)
        assert welcome.text == fa.text("bot.welcome")
        assert data_of(welcome)[0] == encode(Menu("smartcard"))

        answer = await bot.press(citizen, welcome, encode(Menu("smartcard")), edits="editMessageText")
        assert answer["text"] is None
        assert welcome.text.startswith(engine.knowledge.category("smartcard").title)
        assert encode(Topic("smartcard-lost")) in data_of(welcome) and data_of(welcome)[-1] == "m:"

        await bot.press(citizen, welcome, encode(Topic("smartcard-lost")))
        [shown] = await api.wait_for_messages(citizen.id)
        entry = engine.knowledge.entry("smartcard-lost")
        assert shown.text.startswith(entry.title) and entry.short_answer in shown.text
        assert shown.parse_mode == ("HTML" if profile == "telegram" else None)
        assert fa.text("rating.prompt") in shown.text
        row = ratings_of(shown)
        assert len(row) == 5 and shown.reply_markup["inline_keyboard"][-1] == [
            b for b in shown.buttons if b.get("callback_data", "").startswith("r:")
        ]
        [[event_id, via]] = bot.rows("SELECT id, via FROM answer_events")
        assert via == "menu" and row[0] == encode(Rate(event_id, 5))

        toast = await bot.press(citizen, shown, encode(Rate(event_id, 4)), edits="editMessageReplyMarkup")
        assert toast["text"] == fa.text("rating.thanks", rating=fa.text("rating.name_4"))
        await api.expect_no_messages(citizen.id)  # thanked in the toast: no extra message
        assert ratings_of(shown) == row  # the row stays, to change the rating, with the choice marked
        marked = fa.text("rating.chosen", label=fa.text("rating.label_4"))
        assert [b["text"] for b in shown.reply_markup["inline_keyboard"][-1]][1] == marked
        assert bot.rows("SELECT answer_event_id, score FROM ratings") == [(event_id, 4)]

        back = await bot.press(citizen, welcome, "m:", edits="editMessageText")
        assert back["text"] is None and data_of(welcome)[0] == encode(Menu("smartcard"))


async def test_direct_answer_more_details_and_second_press(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [shown] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        entry = engine.knowledge.entry("birthcert-duplicate")
        assert entry.short_answer in shown.text and entry.links[0].url in shown.text
        [[question_id, outcome, answer_id, text]] = bot.rows(
            "SELECT id, outcome, answer_id, text FROM questions"
        )
        assert (outcome, answer_id, text) == ("answer", "birthcert-duplicate", LOST_BIRTH_CERTIFICATE)
        [[event_id, via, asked]] = bot.rows("SELECT id, via, question_id FROM answer_events")
        assert (via, asked) == ("direct", question_id)
        related = [f"t:{i}" for i in entry.follow_ups if i in engine.knowledge]
        assert data_of(shown) == [encode(More(event_id)), *related[:4], *ratings_of(shown)]

        await bot.press(citizen, shown, encode(More(event_id)))
        [full] = await bot.api.wait_for_messages(citizen.id)
        assert entry.answer.strip().split("\n\n")[-1].strip()[:40] in full.text
        assert encode(More(event_id)) not in data_of(shown) and len(ratings_of(shown)) == 5

        bot.api.user_presses_button(citizen, shown, encode(Rate(event_id, 5)))
        bot.api.user_presses_button(citizen, shown, encode(Rate(event_id, 3)), strict=False)
        await bot.api.wait_for_callback_answers(2)
        await bot.api.wait_for_calls("editMessageReplyMarkup", 2)
        assert bot.rows("SELECT score FROM ratings") == [(3,)]  # changed, never added


async def test_did_you_mean_choice_is_the_resolution(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    question = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    offered = engine.ask(question).offered_ids
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [choices] = await bot.say(citizen, question)
        assert choices.text == bot.fa.text("bot.did_you_mean")
        [[question_id]] = bot.rows("SELECT id FROM questions WHERE outcome = 'did_you_mean'")
        assert data_of(choices) == [encode(Choose(question_id, i)) for i in range(len(offered))] + [
            f"x:{question_id}"
        ]
        assert choices.button_texts[0] == engine.knowledge.entry(offered[0]).title

        await bot.press(citizen, choices, encode(Choose(question_id, 1)), edits="editMessageText")
        await bot.api.expect_no_messages(citizen.id)  # the "did you mean" message became the answer
        assert choices.text.startswith(engine.knowledge.entry(offered[1]).title)
        assert len(ratings_of(choices)) == 5
        assert bot.rows("SELECT question_id, entry_id FROM resolutions") == [(question_id, offered[1])]
        assert bot.rows("SELECT via, question_id FROM answer_events") == [("choice", question_id)]


async def test_none_of_these_and_no_match(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    question = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [unknown] = await bot.say(citizen, OUT_OF_SCOPE)
        assert unknown.text == bot.fa.text("bot.no_match") and "sabteahval.ir" in unknown.text
        assert data_of(unknown) == ["t:human-agent", "m:"]
        assert bot.rows("SELECT outcome, answer_id FROM questions") == [("no_match", None)]

        [choices] = await bot.say(citizen, question)
        await bot.press(citizen, choices, data_of(choices)[-1])
        [reply] = await bot.api.wait_for_messages(citizen.id)
        assert reply.text == bot.fa.text("bot.none_reply") and choices.reply_markup is None
        assert bot.rows("SELECT count(*) FROM resolutions") == [(0,)]

        await bot.press(citizen, unknown, "t:human-agent")
        [person] = await bot.api.wait_for_messages(citizen.id)
        assert person.text.startswith(engine.knowledge.entry("human-agent").title)


async def test_low_rating_asks_for_a_masked_comment(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        fa, citizen = bot.fa, bot.api.create_user()
        [shown] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        await bot.press(citizen, shown, encode(Rate(event_id, 2)))
        [prompt] = await bot.api.wait_for_messages(citizen.id)
        assert fa.text("rating.comment_prompt", minutes=10) in prompt.text
        assert data_of(prompt) == [encode(SkipComment(event_id))]
        [thanks] = await bot.say(citizen, "هزینه رو ننوشته بود، شماره من 09121234567")
        assert thanks.text == fa.text("rating.comment_thanks")
        assert bot.rows("SELECT score, comment FROM ratings") == [(2, "هزینه رو ننوشته بود، شماره من [تلفن]")]
        assert bot.rows("SELECT count(*) FROM questions") == [(1,)]  # the comment is not a question

        [again] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)  # the next text is a question again
        [[second]] = bot.rows("SELECT id FROM answer_events ORDER BY shown_at DESC LIMIT 1")
        await bot.press(citizen, again, encode(Rate(second, 1)))
        [prompt] = await bot.api.wait_for_messages(citizen.id)
        toast = await bot.press(citizen, prompt, encode(SkipComment(second)), edits="editMessageReplyMarkup")
        assert toast["text"] == fa.text("rating.skipped") and prompt.reply_markup is None
        [answer] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert answer.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
        assert bot.rows("SELECT comment FROM ratings WHERE answer_event_id = ?", second) == [(None,)]


async def test_forged_stale_and_foreign_presses_change_nothing(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    question = find_question(engine, Outcome.DID_YOU_MEAN, DID_YOU_MEAN_CANDIDATES)
    async with running_bot(tmp_path, engine, locales) as bot:
        ali, sara = bot.api.create_user("Ali"), bot.api.create_user("Sara")
        [shown] = await bot.say(ali, LOST_BIRTH_CERTIFICATE)
        [choices] = await bot.say(ali, question)
        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        [[question_id]] = bot.rows("SELECT id FROM questions WHERE outcome = 'did_you_mean'")
        [theirs] = await bot.say(sara, "سلام")
        before = [
            bot.rows(f"SELECT * FROM {t}") for t in ("questions", "answer_events", "ratings", "resolutions")
        ]
        forged = [
            (sara, shown, encode(Rate(event_id, 5))),  # someone else's answer
            (sara, choices, encode(Choose(question_id, 0))),  # someone else's question
            (sara, shown, encode(More(event_id))),
            (ali, shown, encode(Rate(event_id + 1000, 5))),  # unknown id
            (ali, shown, f"r:{event_id}:9"),  # score out of range
            (ali, shown, f"r:{event_id}:0"),
            (ali, choices, encode(Choose(question_id, 7))),  # not an offered option
            (ali, choices, encode(Choose(question_id + 1000, 0))),
            (ali, shown, "x:99999"),
            (ali, shown, encode(SkipComment(event_id))),  # nothing awaits a comment
            (ali, shown, "t:no-such-topic"),
            (ali, shown, "m:no-such-category"),
            (ali, shown, "garbage"),
            (ali, shown, "r:1:5; DROP TABLE ratings"),
            (sara, theirs, "lang:de"),
        ]
        for user, message, data in forged:
            answer = await bot.press(user, message, data, strict=False)
            assert answer["text"] == bot.fa.text("bot.refused") and answer["show_alert"], data
        after = [
            bot.rows(f"SELECT * FROM {t}") for t in ("questions", "answer_events", "ratings", "resolutions")
        ]
        assert after == before
        await bot.api.expect_no_messages(ali.id, within=0.2)
        await bot.api.expect_no_messages(sara.id, within=0.01)
        assert len(ratings_of(shown)) == 5 and len(data_of(choices)) >= 2  # keyboards untouched


async def test_media_location_and_unknown_command(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, "bale") as bot:
        api, fa, citizen = bot.api, bot.fa, bot.api.create_user()
        for send, key in [
            (api.user_sends_sticker, "media.sticker"),
            (api.user_sends_photo, "media.photo"),
            (api.user_sends_voice, "media.voice"),
            (lambda user: api.user_sends_document(user, b"%PDF-1.4"), "media.document"),
            (lambda user: api.user_shares_contact(user, "+989121234567"), "media.other"),
            (lambda user: api.user_sends_location(user, 35.7, 51.4), "location.none"),
            (lambda user: api.user_sends_command(user, "/whatever"), "bot.unknown_command"),
            (lambda user: api.user_sends_command(user, "/help"), "bot.help"),
        ]:
            send(citizen)
            [reply] = await api.wait_for_messages(citizen.id)
            assert reply.text == fa.text(key), key
        assert bot.rows("SELECT count(*) FROM questions") == [(0,)]


async def test_a_photo_whose_caption_asks_is_answered(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    # a citizen photographs the torn certificate and writes the question under it
    async with running_bot(tmp_path, engine, locales, "telegram") as bot:
        citizen = bot.api.create_user()
        question = "کارت ملی هوشمندم گم شده چیکار کنم؟"
        expected = engine.ask(question).answer_id
        assert expected is not None
        bot.api.user_sends_photo(citizen, caption=question)
        [reply] = await bot.api.wait_for_messages(citizen.id)
        assert reply.text != bot.fa.text("media.photo")
        assert engine.entry(expected).title in reply.text
        assert bot.rows("SELECT count(*) FROM questions") == [(1,)]


async def test_location_lists_the_nearest_offices(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    from datetime import time

    from bot.knowledge.directory.offices import Office

    every_day = {day: (time(0, 0), time(23, 59)) for day in range(7)}
    offices = (
        Office("اداره الف", "تهران، خیابان یک", 35.70, 51.40, hours=every_day),
        Office("اداره ب", "اصفهان", 32.65, 51.67),
        Office("اداره بی‌مختصات", "کرج"),
    )
    async with running_bot(tmp_path, engine, locales, offices=offices) as bot:
        citizen = bot.api.create_user()
        bot.api.user_sends_location(citizen, 35.71, 51.41)
        [reply] = await bot.api.wait_for_messages(citizen.id)
        assert reply.text.startswith(bot.fa.text("location.nearest"))
        assert reply.text.index("اداره الف") < reply.text.index("اداره ب") and "۱٫۴" in reply.text
        assert bot.fa.text("location.today", hours="۰ تا ۲۳:۵۹") in reply.text
        assert bot.fa.text("offices.hours", hours=bot.fa.text("offices.hours_unknown")) in reply.text
        assert "بی‌مختصات" not in reply.text


async def test_location_and_offices_answer_without_offices_say_so_plainly(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    from bot.knowledge.directory.offices import OfficeBook, Province

    province = Province("استان بوشهر", "اداره کل ثبت احوال استان بوشهر", "bocr.ir", ("بوشهر", "برازجان"))
    async with running_bot(tmp_path, engine, locales, offices=OfficeBook(province)) as bot:
        citizen = bot.api.create_user()
        bot.api.user_sends_location(citizen, 28.97, 50.84)
        [reply] = await bot.api.wait_for_messages(citizen.id)
        assert reply.text.startswith(bot.fa.text("location.none"))
        assert "bocr.ir" in reply.text and "برازجان" in reply.text
        await bot.press(citizen, reply, encode(Topic("offices")))
        [answer] = await bot.api.wait_for_messages(citizen.id)
        assert bot.fa.text("offices.none") in answer.text and "bocr.ir" in answer.text


async def test_language_switch(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        bot.api.user_sends_command(citizen, "/lang")
        [choose] = await bot.api.wait_for_messages(citizen.id)
        assert data_of(choose) == ["lang:fa", "lang:en"]
        await bot.press(citizen, choose, "lang:en", edits="editMessageText")
        assert choose.text == bot.en.text("bot.language_set")
        bot.api.user_sends_command(citizen, "/start")
        [welcome] = await bot.api.wait_for_messages(citizen.id)
        assert welcome.text == bot.en.text("bot.welcome")
        assert welcome.button_texts[0] == engine.knowledge.categories[0].title_en
        [unknown] = await bot.say(citizen, OUT_OF_SCOPE)
        assert unknown.text == bot.en.text("bot.no_match")
        assert bot.rows("SELECT language FROM questions") == [("en",)]


async def test_groups_answer_only_when_addressed(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, privacy_mode=False) as bot:
        api = bot.api
        ali, sara = api.create_user("Ali"), api.create_user("Sara")
        group = api.create_group("خانواده", [ali, sara])
        api.user_sends_text(ali, LOST_BIRTH_CERTIFICATE, chat=group)  # chatter among people
        api.user_sends_command(ali, "/help@another_bot", chat=group)
        api.user_sends_sticker(sara, chat=group)
        await api.wait_until_delivered()
        await api.expect_no_messages(group.id, within=0.3)

        mention = api.user_mentions_bot(sara, group, LOST_BIRTH_CERTIFICATE)
        assert mention is not None
        [answer] = await api.wait_for_messages(group.id)
        assert answer.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
        assert answer.message["reply_to_message"]["message_id"] == mention["message"]["message_id"]
        assert bot.rows("SELECT text FROM questions") == [(LOST_BIRTH_CERTIFICATE,)]  # mention removed

        [[event_id]] = bot.rows("SELECT id FROM answer_events")
        refused = await bot.press(ali, answer, encode(Rate(event_id, 1)))  # not Ali's answer
        assert refused["text"] == bot.fa.text("bot.refused")

        api.user_sends_text(ali, OUT_OF_SCOPE, chat=group, reply_to=answer)
        [reply] = await api.wait_for_messages(group.id)
        assert reply.text == bot.fa.text("bot.no_match")
        api.user_sends_command(ali, "/help", chat=group, mention_bot=True)
        [helped] = await api.wait_for_messages(group.id)
        assert helped.text == bot.fa.text("bot.help")


async def test_flood_from_one_citizen_does_not_slow_another(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    async with running_bot(tmp_path, engine, locales, flood=FloodSettings(3, 1.5)) as bot:
        api = bot.api
        flooder, calm = api.create_user("Flood"), api.create_user("Calm")
        for _ in range(8):
            api.user_sends_text(flooder, "سلام")
        [shown] = await bot.say(calm, LOST_BIRTH_CERTIFICATE)
        assert shown.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)
        replies = await api.wait_for_messages(flooder.id, 4)
        assert [m.text for m in replies].count(bot.fa.text("bot.slow_down")) == 1
        await api.wait_until_delivered()
        await api.expect_no_messages(flooder.id, within=0.3)
        assert bot.rows("SELECT count(*) FROM questions") == [(4,)]
        await api.expect_no_messages(flooder.id, within=1.3)
        [after] = await bot.say(flooder, LOST_BIRTH_CERTIFICATE)  # the window has passed
        assert after.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)


async def test_send_failures_throttles_and_the_error_handler(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path, engine, locales, "bale") as bot:
        api, citizen = bot.api, bot.api.create_user()
        api.inject(Fault.bale_throttle(), "sendMessage")  # retried after a pause
        [shown] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert shown.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)

        api.inject(Fault.server_error(), "sendMessage")  # sent again: no apology
        [again] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert again.text.startswith(engine.knowledge.entry("birthcert-duplicate").title)

        api.inject(Fault.error(400, "Bad Request: can't parse entities"), "sendMessage")  # not sent
        with caplog.at_level(logging.ERROR, logger="sabtyar.errors"):
            [sorry] = await bot.say(citizen, LOST_BIRTH_CERTIFICATE)
        assert sorry.text == bot.fa.text("bot.error")
        assert any(r.exc_info for r in caplog.records if r.name == "sabtyar.errors")
        assert all(LOST_BIRTH_CERTIFICATE not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("profile", ["telegram", "bale"])
async def test_long_answers_are_split_cleanly(
    tmp_path: Path, base_analyzer: Analyzer, locales: Locales, profile: str
) -> None:
    sentence = "برای دریافت این خدمت <مدارک> را همراه داشته باشید & صبور باشید. "
    entry = Entry(
        id="long-topic",
        category="misc",
        title="موضوع بلند",
        questions=("موضوع بلند", "پاسخ خیلی بلند"),
        answer=sentence * 90 + "\n\n" + sentence * 20,
        links=(Link("درگاه", "https://www.sabteahval.ir"),),
    )
    knowledge = KnowledgeBase((Category("misc", "متفرقه", entry_ids=(entry.id,)),), {entry.id: entry})
    engine = AnswerEngine(knowledge, base_analyzer, Thresholds(answer=0.3, margin=0.0, suggest=0.2))
    async with running_bot(tmp_path, engine, locales, profile) as bot:
        citizen = bot.api.create_user()
        pieces = await bot.say(citizen, "موضوع بلند", count=2)
        assert all(len(p.text) <= 4096 for p in pieces)
        assert pieces[0].reply_markup is None and len(ratings_of(pieces[1])) == 5
        assert pieces[0].text.startswith("موضوع بلند") and "<مدارک>" in pieces[0].text
        assert pieces[0].parse_mode == ("HTML" if profile == "telegram" else None)
        assert pieces[0].text.rstrip().endswith("باشید.") and pieces[1].text.startswith("برای")
        if profile == "telegram":
            assert pieces[0].entities and pieces[0].entities[0]["type"] == "bold"


async def test_blocking_the_bot_unsubscribes(tmp_path: Path, engine: AnswerEngine, locales: Locales) -> None:
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        async with await Store.open(bot.db) as store:
            await store.subscribe(bot.user_hash(citizen), "telegram", citizen.id)
        bot.api.user_blocks_bot(citizen)
        await bot.api.wait_until_delivered()
        for _ in range(50):
            if bot.rows("SELECT subscribed FROM subscriptions") == [(0,)]:
                break
            await asyncio.sleep(0.05)
        assert bot.rows("SELECT subscribed FROM subscriptions") == [(0,)]
        assert bot.rows("SELECT count(*) FROM contacts") == [(0,)]


async def test_answer_with_alternatives_then_a_correction(
    tmp_path: Path, engine: AnswerEngine, locales: Locales
) -> None:
    question = find_question(engine, Outcome.ANSWER_ALTERNATIVES, ALTERNATIVES_CANDIDATES)
    reply = engine.ask(question)
    answered, offered = reply.answer_id, reply.alternatives[:2]
    assert answered and offered
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [shown] = await bot.say(citizen, question)
        [[question_id]] = bot.rows("SELECT id FROM questions")
        assert shown.text.startswith(engine.knowledge.entry(answered).title)
        assert bot.fa.text("answer.alternatives") in shown.text
        buttons = [encode(Alternative(question_id, i)) for i in range(len(offered))]
        assert data_of(shown)[: len(buttons)] == buttons
        assert shown.button_texts[0] == engine.knowledge.entry(offered[0]).title
        assert len(ratings_of(shown)) == 5

        await bot.press(citizen, shown, buttons[-1])
        [alternative] = await bot.api.wait_for_messages(citizen.id)
        assert alternative.text.startswith(engine.knowledge.entry(offered[-1]).title)
        assert len(ratings_of(alternative)) == 5  # the alternative's answer can be rated on its own
        assert bot.rows("SELECT from_entry, to_entry, kind FROM corrections") == [
            (answered, offered[-1], "alternative")
        ]
        assert bot.rows("SELECT count(*) FROM ratings") == [(0,)]  # a correction is not a rating

        bot.api.user_presses_button(citizen, shown, encode(Alternative(question_id, 7)), strict=False)
        other = bot.api.create_user()
        bot.api.user_presses_button(other, shown, buttons[0], strict=False)
        await bot.api.wait_for_callback_answers(3)
        await bot.api.expect_no_messages(citizen.id)
        assert bot.rows("SELECT count(*) FROM corrections") == [(1,)]  # forged and foreign presses refused
        figures = await asyncio.to_thread(stats_main, bot.db, None, None)  # what `stats --json` prints
        assert (figures["corrections"], figures["suggestions"], figures["answered"]) == (1, 1, 1)


async def test_two_part_question_offers_the_other_part(
    tmp_path: Path, engine: AnswerEngine, locales: Locales, monkeypatch: pytest.MonkeyPatch
) -> None:
    question = "کارت ملیم گم شده، شناسنامه‌ام هم پاره شده"
    real = engine.ask(question)
    two_parts = dataclasses.replace(
        real,
        decision=Decision(
            Outcome.ANSWER,
            (Candidate("smartcard-lost", 0.9, "x"),),
            parts=("smartcard-lost", "birthcert-replace"),
        ),
    )
    monkeypatch.setattr(engine, "ask", lambda text: two_parts if text == question else real)
    async with running_bot(tmp_path, engine, locales) as bot:
        citizen = bot.api.create_user()
        [shown] = await bot.say(citizen, question)
        [[question_id, parts]] = bot.rows("SELECT id, parts FROM questions")
        assert parts == '["smartcard-lost", "birthcert-replace"]'
        assert bot.fa.text("answer.other_part") in shown.text
        assert data_of(shown)[0] == encode(Alternative(question_id, 0))
        await bot.press(citizen, shown, encode(Alternative(question_id, 0)))
        [second] = await bot.api.wait_for_messages(citizen.id)
        assert second.text.startswith(engine.knowledge.entry("birthcert-replace").title)
        assert bot.rows("SELECT kind FROM corrections") == [("part",)]
        assert (await bot.stats()).corrections == 0
