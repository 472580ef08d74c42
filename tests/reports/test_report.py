"""The indicator report on a seeded database: every figure checked against values computed by hand.

The period is 1405-07-30 .. 1405-08-01 (Iran days), crossing the Jalali month boundary from Mehr to
Aban. Iran midnight 1405-08-01 00:00 IRST is 2026-10-22 20:30 UTC, so events on the same UTC date
fall in different Jalali months; the period runs from 2026-10-21 20:30 UTC to 2026-10-23 20:30 UTC.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.calendar import Period
from bot.cli.report import report_period
from bot.knowledge.loader import load_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.locale import load_locales
from bot.reports.charts import FONTS, chart_png, native_shaping, persian_font, render_chart, rtl, visual_order
from bot.reports.figures import Categories, _nearest_rank, build_report
from bot.reports.labels import FIGURES, INDICATORS, KEY_COLUMNS, ReportLabels, period_title
from bot.reports.output import CSV_COLUMNS, PERCENT_KEYS
from bot.settings import ROOT
from bot.store import QuestionEvent, Refused, Store, UserHasher
from bot.store.announcements import finish_announcement, record_announcement
from bot.store.handoffs import open_handoff, record_staff_reply
from tests.support.cli import run_cli

HASHER = UserHasher("test-secret-for-the-report-only")
ALI = HASHER("telegram", 7364918201)
REZA = HASHER("telegram", 7364918202)
NIMA = HASHER("telegram", 7364918203)
SARA = HASHER("bale", 8123456791)
MINA = HASHER("bale", 8123456792)
PLATFORM = {ALI: "telegram", REZA: "telegram", NIMA: "telegram", SARA: "bale", MINA: "bale"}
KNOWLEDGE_DIR = ROOT / "knowledge"
FA = load_locales(ROOT / "locales").get("fa")
LABELS = ReportLabels(FA)
#: The period's title: Jalali days in Persian digits, joined by the locale's wording.
PERIOD_TITLE = FA.text("report.period", first="۳۰ مهر ۱۴۰۵", last="۱ آبان ۱۴۰۵")
PERIOD = Period.parse("1405-07-30", "1405-08-01")
MEHR, ABAN = "1405-07", "1405-08"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def knowledge() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE_DIR)


async def ask(
    store: Store, user: str, at: str, outcome: str, ms: int, entries: tuple[str, ...] = ()
) -> tuple[int, int | None]:
    """Record a question; a direct answer is also shown (answer event). Returns (question, event)."""
    platform = PLATFORM[user]
    question = await store.record_question(
        QuestionEvent(
            platform=platform,  # type: ignore[arg-type]
            user_hash=user,
            language="fa",
            text="پرسش آزمایشی",
            match_form="پرسش",
            outcome=outcome,
            answer_id=entries[0] if outcome == "answer" else None,
            score=0.5,
            candidates=entries,
            response_ms=ms,
            asked_at=utc(at),
        )
    )
    if outcome != "answer":
        return question, None
    event = await store.record_answer_event(
        user_hash=user, platform=platform, entry_id=entries[0], via="direct", question_id=question, at=utc(at)
    )
    return question, event


async def seed(store: Store) -> None:
    """The hand-made data set. Times are UTC; the Iran time (UTC+03:30) is in each comment."""
    dym_smartcard = ("smartcard-register", "smartcard-lost")
    dym_birth = ("birth-registration", "national-code")
    # Outside the period: 1405-07-29 23:59:59 and 1405-08-02 00:00:00.
    _, out_before = await ask(store, ALI, "2026-10-21T20:29:59", "answer", 5, ("birth-registration",))
    await ask(store, SARA, "2026-10-23T20:30:00", "answer", 5, ("smartcard-register",))
    # Mehr 30 (1405-07-30).
    _, e1 = await ask(store, ALI, "2026-10-22T08:00:00", "answer", 100, ("birth-registration",))  # 11:30
    _, e2 = await ask(store, ALI, "2026-10-22T20:29:00", "answer", 300, ("national-code",))  # 23:59
    q3, _ = await ask(store, REZA, "2026-10-22T12:00:00", "did_you_mean", 200, dym_smartcard)  # 15:30
    e3 = await store.record_choice(
        q3, "smartcard-lost", user_hash=REZA, platform="telegram", at=utc("2026-10-22T12:01:00")
    )
    q4, _ = await ask(store, REZA, "2026-10-22T13:00:00", "no_match", 50)  # 16:30
    _, e5 = await ask(store, SARA, "2026-10-22T10:00:00", "answer", 400, ("smartcard-register",))  # 13:30
    # 14:30, choices offered and never chosen
    q6, _ = await ask(store, SARA, "2026-10-22T11:00:00", "did_you_mean", 250, dym_birth)
    # 00:00 sharp: the first instant of the period
    _, e7 = await ask(store, MINA, "2026-10-21T20:30:00", "answer", 120, ("birth-registration",))
    # Aban 1 (1405-08-01).
    await ask(store, ALI, "2026-10-22T20:30:00", "answer", 80, ("birth-registration",))  # 00:00 sharp
    _, e9 = await ask(store, ALI, "2026-10-23T06:00:00", "answer", 90, ("smartcard-register",))
    q10, e10 = await ask(store, REZA, "2026-10-23T07:00:00", "answer", 1000, ("smartcard-lost",))
    _, e11 = await ask(store, REZA, "2026-10-23T08:00:00", "answer", 60, ("smartcard-lost",))
    q12, _ = await ask(store, REZA, "2026-10-23T09:00:00", "no_match", 70)
    q13, _ = await ask(store, SARA, "2026-10-23T10:00:00", "did_you_mean", 500, dym_birth)
    e13 = await store.record_choice(
        q13, "birth-registration", user_hash=SARA, platform="bale", at=utc("2026-10-23T10:01:00")
    )
    _, e14 = await ask(store, MINA, "2026-10-23T20:29:59", "answer", 150, ("national-code",))  # 23:59:59
    e_menu = await store.record_answer_event(
        user_hash=SARA,
        platform="bale",
        entry_id="smartcard-register",
        via="menu",
        at=utc("2026-10-23T10:59:00"),
    )

    # Ratings count in the month they were given (rated_at), under the rated answer's category.
    ratings = [
        (e1, ALI, 5, "2026-10-22T08:01:00"),  # Mehr, telegram, birth
        (e2, ALI, 2, "2026-10-22T20:31:00"),  # Aban 1 00:01: a Mehr answer rated in Aban
        (e3, REZA, 4, "2026-10-22T12:05:00"),  # Mehr, telegram, smartcard (the choice)
        (e5, SARA, 3, "2026-10-22T10:01:00"),  # Mehr, bale, smartcard
        (e7, MINA, 5, "2026-10-21T20:31:00"),  # Mehr 30 00:01, bale, birth
        (e10, REZA, 1, "2026-10-23T07:01:00"),  # Aban, telegram, smartcard
        (e11, REZA, 5, "2026-10-23T08:01:00"),  # Aban, telegram, smartcard
        (e13, SARA, 4, "2026-10-23T10:02:00"),  # Aban, bale, birth (the choice)
        (e_menu, SARA, 5, "2026-10-23T11:00:00"),  # Aban, bale, smartcard (browsed in the menu)
        (e9, ALI, 1, "2026-10-23T06:01:00"),  # Aban, telegram, smartcard: changed to 4 below
        (e9, ALI, 4, "2026-10-23T06:02:00"),
        (e14, MINA, 5, "2026-10-23T20:31:00"),  # Aban 2: outside
        (out_before, ALI, 1, "2026-10-21T20:29:59"),  # Mehr 29: outside
    ]
    for event, user, score, at in ratings:
        assert event is not None
        await store.record_rating(event, user, score, at=utc(at))

    # Handoffs: the month they were opened in, their question's category, minutes to the first reply.
    h1 = await open_handoff(
        store, user_hash=REZA, platform="telegram", question_id=q4, at=utc("2026-10-22T13:01:00")
    )
    await record_staff_reply(store, h1, at=utc("2026-10-22T13:31:00"))  # 30 min
    await record_staff_reply(store, h1, at=utc("2026-10-22T13:40:00"))  # a second reply: still 30 min
    h2 = await open_handoff(
        store, user_hash=SARA, platform="bale", question_id=q6, at=utc("2026-10-22T20:00:00")
    )
    await record_staff_reply(store, h2, at=utc("2026-10-22T21:00:00"))  # 60 min, answered in Aban
    h3 = await open_handoff(
        store, user_hash=REZA, platform="telegram", question_id=q10, at=utc("2026-10-23T07:02:00")
    )
    await record_staff_reply(store, h3, at=utc("2026-10-23T07:12:00"))  # 10 min
    await open_handoff(store, user_hash=MINA, platform="bale", at=utc("2026-10-23T09:00:00"))  # no reply yet
    h5 = await open_handoff(
        store, user_hash=REZA, platform="telegram", question_id=q12, at=utc("2026-10-23T09:01:00")
    )
    await record_staff_reply(store, h5, at=utc("2026-10-23T09:21:00"))  # 20 min
    await open_handoff(store, user_hash=ALI, platform="telegram", at=utc("2026-10-23T20:30:00"))  # outside

    # Announcements: deliveries are the messages sent.
    a1 = await record_announcement(store, platform="bale", text="خبر یک", at=utc("2026-10-22T09:00:00"))
    assert await finish_announcement(store, a1, sent=3, blocked=1, failed=0)  # Mehr, bale
    # Aban 1 00:15, telegram
    await record_announcement(
        store, platform="telegram", text="خبر دو", sent=2, at=utc("2026-10-22T20:45:00")
    )
    await record_announcement(
        store, platform="bale", text="خبر سه", sent=2, failed=1, at=utc("2026-10-23T12:00:00")
    )
    # Mehr 29: outside
    await record_announcement(store, platform="telegram", text="قدیمی", sent=9, at=utc("2026-10-21T10:00:00"))

    # Subscriptions: Mehr ends 2026-10-22 20:30 UTC, the period 2026-10-23 20:30 UTC.
    await store.subscribe(ALI, "telegram", 1, at=utc("2026-10-01T00:00:00"))
    await store.subscribe(REZA, "telegram", 2, at=utc("2026-10-22T15:00:00"))
    await store.subscribe(SARA, "bale", 3, at=utc("2026-10-20T00:00:00"))
    await store.unsubscribe(SARA, at=utc("2026-10-22T21:00:00"))  # Aban 1 00:30: still counted for Mehr
    await store.subscribe(MINA, "bale", 4, at=utc("2026-10-23T12:00:00"))
    await store.subscribe(NIMA, "telegram", 5, at=utc("2026-10-23T21:00:00"))  # after the period


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "sabtyar.db"
    async with await Store.open(path) as store:
        await seed(store)
    return path


def figures(
    q: int, ans: int, dym: int, res: int, unans: int, rate: float | None,
    med: float | None, p95: int | None,
    ho: int, ho_ans: int, ho_med: float | None,
    n: int, mean: float | None, csat: float | None,
    subs: int | None = None, ann: int | None = None, deliv: int | None = None, replied: int = 0,
) -> dict[str, int | float | None]:  # fmt: skip
    """The figures of a row, in the report's key order (floats as rounded to 4 places); the seed's
    questions were not handled by the bot, so none counts as ``delivered`` unless given."""
    return {
        "questions": q,
        "answered": ans,
        "delivered": replied,
        "did_you_mean": dym,
        "resolved": res,
        "unanswered": unans,
        "answer_rate": rate,
        "subscribers": subs,
        "announcements": ann,
        "announcement_deliveries": deliv,
        "response_median_ms": med,
        "response_p95_ms": p95,
        "handoffs": ho,
        "handoffs_answered": ho_ans,
        "handoff_answer_median_min": ho_med,
        "ratings": n,
        "mean_rating": mean,
        "csat": csat,
    }


# Every row, computed by hand. p95 is the nearest rank: the ceil(0.95 n)-th smallest value, which
# for n <= 20 is the largest. Categories in knowledge-base order: smartcard (order 1), birth (2).
EXPECTED_ROWS: list[tuple[str, str, str, dict[str, int | float | None]]] = [
    # Mehr, telegram: q1 birth 100 ms, q2 birth 300, q3 smartcard (chosen) 200, q4 no match 50.
    (
        MEHR,
        "smartcard",
        "telegram",
        # q3: offered, then chosen; median = p95 = 200; rating r3 = 4 -> mean 4, csat 1/1
        figures(1, 0, 1, 1, 0, 1.0, 200.0, 200, 0, 0, None, 1, 4.0, 1.0),
    ),
    (
        MEHR,
        "birth",
        "telegram",
        # q1, q2 answered; median (100 + 300) / 2 = 200; p95 rank ceil(1.9) = 2 -> 300; r1 = 5
        # (r2 on q2 was given in Aban)
        figures(2, 2, 0, 0, 0, 1.0, 200.0, 300, 0, 0, None, 1, 5.0, 1.0),
    ),
    (
        MEHR,
        "unanswered",
        "telegram",
        # q4 no match, 50 ms; handoff h1 answered in 30 min
        figures(1, 0, 0, 0, 1, 0.0, 50.0, 50, 1, 1, 30.0, 0, None, None),
    ),
    (
        MEHR,
        "all",
        "telegram",
        # 4 questions: answered 2, offered 1, resolved 1, unanswered 4 - 2 - 1 = 1; rate 3/4;
        # sorted ms 50 100 200 300 -> median (100 + 200) / 2 = 150, p95 rank 4 -> 300;
        # ratings 5, 4 -> mean 4.5, csat 2/2; subscribers at Mehr's end: ALI, REZA; no announcement
        figures(4, 2, 1, 1, 1, 0.75, 150.0, 300, 1, 1, 30.0, 2, 4.5, 1.0, subs=2, ann=0, deliv=0),
    ),
    # Mehr, bale: q5 smartcard 400, q6 offered and never chosen 250, q7 birth 120 (00:00 Mehr 30).
    (
        MEHR,
        "smartcard",
        "bale",
        # q5; rating r4 = 3 -> mean 3, csat 0/1
        figures(1, 1, 0, 0, 0, 1.0, 400.0, 400, 0, 0, None, 1, 3.0, 0.0),
    ),
    (
        MEHR,
        "birth",
        "bale",
        # q7 answered; q6 offered birth-registration first and never chosen: an unanswered question
        # of its nearest topic, birth (so the category's answer rate 1/2 is real); median
        # (120 + 250) / 2 = 185, p95 rank 2 -> 250; handoff h2 on q6 opened 23:30 Mehr 30, answered
        # 60 min later; rating r5 = 5 (given 00:01 Mehr 30)
        figures(2, 1, 1, 0, 1, 0.5, 185.0, 250, 1, 1, 60.0, 1, 5.0, 1.0),
    ),
    (
        MEHR,
        "all",
        "bale",
        # 3 questions: answered 2, offered 1, resolved 0, unanswered 1; rate 2/3 = 0.6667;
        # sorted ms 120 250 400 -> median 250, p95 rank ceil(2.85) = 3 -> 400;
        # ratings 3, 5 -> mean 4, csat 1/2; subscribers at Mehr's end: SARA (left 00:30 Aban 1);
        # announcement a1 sent 3
        figures(3, 2, 1, 0, 1, 0.6667, 250.0, 400, 1, 1, 60.0, 2, 4.0, 0.5, subs=1, ann=1, deliv=3),
    ),
    # Aban, telegram: q8 birth 80 (00:00 Aban 1), q9 smartcard 90, q10 smartcard 1000,
    # q11 smartcard 60, q12 no match 70.
    (
        ABAN,
        "smartcard",
        "telegram",
        # sorted ms 60 90 1000 -> median 90, p95 1000; handoff h3 10 min;
        # ratings r6 = 1, r7 = 5, r10 = 4 (changed from 1) -> mean 10/3 = 3.3333, csat 2/3 = 0.6667
        figures(3, 3, 0, 0, 0, 1.0, 90.0, 1000, 1, 1, 10.0, 3, 3.3333, 0.6667),
    ),
    (
        ABAN,
        "birth",
        "telegram",
        # q8; rating r2 = 2 (a Mehr answer rated at 00:01 Aban 1) -> csat 0/1
        figures(1, 1, 0, 0, 0, 1.0, 80.0, 80, 0, 0, None, 1, 2.0, 0.0),
    ),
    (
        ABAN,
        "unanswered",
        "telegram",
        # q12 no match; handoff h5 20 min
        figures(1, 0, 0, 0, 1, 0.0, 70.0, 70, 1, 1, 20.0, 0, None, None),
    ),
    (
        ABAN,
        "all",
        "telegram",
        # 5 questions: answered 4, unanswered 1; rate 4/5; sorted ms 60 70 80 90 1000 -> median 80,
        # p95 rank ceil(4.75) = 5 -> 1000; handoffs h3 10, h5 20 -> median 15;
        # ratings 1 5 4 2 -> mean 12/4 = 3, csat 2/4; subscribers at the period's end: ALI, REZA
        # (NIMA came later); announcement a2 (00:15 Aban 1) sent 2
        figures(5, 4, 0, 0, 1, 0.8, 80.0, 1000, 2, 2, 15.0, 4, 3.0, 0.5, subs=2, ann=1, deliv=2),
    ),
    # Aban, bale: q13 offered then chosen birth-registration 500, q14 birth 150 (23:59:59 Aban 1).
    (
        ABAN,
        "smartcard",
        "bale",
        # no question; the menu answer rated 5
        figures(0, 0, 0, 0, 0, None, None, None, 0, 0, None, 1, 5.0, 1.0),
    ),
    (
        ABAN,
        "birth",
        "bale",
        # median (150 + 500) / 2 = 325, p95 rank 2 -> 500; rating r8 = 4 on the choice
        figures(2, 1, 1, 1, 0, 1.0, 325.0, 500, 0, 0, None, 1, 4.0, 1.0),
    ),
    (
        ABAN,
        "other",
        "bale",
        # handoff h4 with no question, no staff reply yet
        figures(0, 0, 0, 0, 0, None, None, None, 1, 0, None, 0, None, None),
    ),
    (
        ABAN,
        "all",
        "bale",
        # 2 questions: answered 1, offered 1, resolved 1; rate 2/2; ratings 4, 5 -> 4.5, csat 2/2;
        # handoff h4 unanswered; subscribers at the end: MINA (SARA left); announcement a3 sent 2
        figures(2, 1, 1, 1, 0, 1.0, 325.0, 500, 1, 0, None, 2, 4.5, 1.0, subs=1, ann=1, deliv=2),
    ),
]

# The whole period: questions 4 + 3 + 5 + 2 = 14, answered 2 + 2 + 4 + 1 = 9, offered 3,
# resolved 2, unanswered 3, rate 11/14 = 0.7857; sorted ms 50 60 70 80 90 100 120 150 200 250
# 300 400 500 1000 -> median (120 + 150) / 2 = 135, p95 rank ceil(13.3) = 14 -> 1000;
# handoffs 5, answered 4 in 30 60 10 20 min -> median (20 + 30) / 2 = 25;
# ratings 5 4 3 5 2 1 5 4 4 5 -> 38 / 10 = 3.8, csat 7/10; subscribers 2 + 1; announcements 3,
# deliveries 3 + 2 + 2 = 7.
EXPECTED_SUMMARY = figures(
    14, 9, 3, 2, 3, 0.7857, 135.0, 1000, 5, 4, 25.0, 10, 3.8, 0.7, subs=3, ann=3, deliv=7
)
EXPECTED_BY_PLATFORM = {
    # telegram: 9 questions, answered 6, offered 1, resolved 1, unanswered 2, rate 7/9 = 0.7778;
    # sorted ms 50 60 70 80 90 100 200 300 1000 -> median 90, p95 rank ceil(8.55) = 9 -> 1000;
    # handoffs 30 10 20 -> median 20; ratings 5 4 2 1 5 4 -> 21/6 = 3.5, csat 4/6 = 0.6667
    "telegram": figures(
        9, 6, 1, 1, 2, 0.7778, 90.0, 1000, 3, 3, 20.0, 6, 3.5, 0.6667, subs=2, ann=1, deliv=2
    ),
    # bale: 5 questions, answered 3, offered 2, resolved 1, unanswered 1, rate 4/5;
    # sorted ms 120 150 250 400 500 -> median 250, p95 rank 5 -> 500; handoffs 2, one answered
    # in 60 min; ratings 3 5 4 5 -> 17/4 = 4.25, csat 3/4; announcements a1 3 + a3 2 = 5
    "bale": figures(5, 3, 2, 1, 1, 0.8, 250.0, 500, 2, 1, 60.0, 4, 4.25, 0.75, subs=1, ann=2, deliv=5),
}


# Figures ----------------------------------------------------------------------------------------


async def test_every_figure_of_every_row_matches_the_hand_computation(
    db: Path, knowledge: KnowledgeBase
) -> None:
    async with await Store.open(db) as store:
        report = await build_report(store, knowledge, PERIOD, FA)
    data = report.to_json()
    got = [(row["month"], row["category"], row["platform"], row) for row in data["rows"]]
    assert [key[:3] for key in got] == [key[:3] for key in EXPECTED_ROWS]
    for (month, category, platform, row), (*_, expected) in zip(got, EXPECTED_ROWS, strict=True):
        assert {key: row[key] for key in expected} == expected, (month, category, platform)
        assert row["month_title"] == {MEHR: "مهر ۱۴۰۵", ABAN: "آبان ۱۴۰۵"}[month]
        assert row["platform_title"] == FA.text(f"report.platform.{platform}")
    titles = {row["category"]: row["category_title"] for row in data["rows"]}
    assert titles == {
        "smartcard": knowledge.category("smartcard").title,
        "birth": knowledge.category("birth").title,
        "unanswered": FA.text("report.category.unanswered"),
        "other": FA.text("report.category.other"),
        "all": FA.text("report.category.all"),
    }
    assert data["summary"]["all"] == EXPECTED_SUMMARY
    assert data["summary"]["by_platform"] == EXPECTED_BY_PLATFORM
    # questions per category over the period: birth 2+2+1+2, smartcard 1+1+3, no topic (no match) 1+1
    assert [(c, n) for c, _, n in report.by_category] == [("birth", 7), ("smartcard", 5), ("unanswered", 2)]
    # Iran days: Mehr 30 has q1..q7 (answered q1 q2 q5 q7, chosen q3, unanswered q4 q6) and the
    # ratings 5 4 3 5 (mean 4.25, csat 3/4); Aban 1 has q8..q14 and the ratings 2 1 5 4 5 4.
    assert [(d.day, d.answered, d.resolved, d.unanswered, d.ratings) for d in report.days] == [
        (date(2026, 10, 22), 4, 1, 2, 4),
        (date(2026, 10, 23), 5, 1, 1, 6),
    ]
    assert report.days[0].mean_rating == 4.25 and report.days[0].csat == 0.75
    assert report.days[1].mean_rating == 3.5 and report.days[1].csat == pytest.approx(4 / 6)


async def test_store_stats_agree_with_the_report_totals(db: Path, knowledge: KnowledgeBase) -> None:
    async with await Store.open(db) as store:
        stats = await store.stats(PERIOD.start, PERIOD.end)
        report = await build_report(store, knowledge, PERIOD, FA)
    assert (stats.questions, stats.answered, stats.did_you_mean, stats.resolutions, stats.ratings) == (
        report.summary.questions,
        report.summary.answered,
        report.summary.did_you_mean,
        report.summary.resolved,
        report.summary.ratings,
    )
    assert stats.mean_rating == pytest.approx(report.summary.mean_rating)
    assert stats.csat == pytest.approx(report.summary.csat)


def test_period_bounds_are_iran_midnights_and_months_are_jalali() -> None:
    assert PERIOD.start == utc("2026-10-21T20:30:00")
    assert PERIOD.end == utc("2026-10-23T20:30:00")
    assert PERIOD.months() == [MEHR, ABAN]
    assert PERIOD.month_end(MEHR) == utc("2026-10-22T20:30:00")
    assert PERIOD.month_end(ABAN) == PERIOD.end
    assert Period.parse("2026-10-22", "2026-10-23") == PERIOD
    assert Period.parse("1404-12-29", "1405-01-01").months() == ["1404-12", "1405-01"]
    assert LABELS.month("1405-12") == "اسفند ۱۴۰۵"
    assert period_title(PERIOD, FA) == PERIOD_TITLE
    with pytest.raises(ValueError, match="before it starts"):
        Period.parse("1405-08-01", "1405-07-30")
    # Without --from, the report starts on the first of --to's Jalali month.
    assert report_period(None, "1405-08-17") == Period.parse("1405-08-01", "1405-08-17")


@pytest.mark.parametrize("language", ["fa", "en"])
def test_every_report_label_is_in_the_locale(language: str) -> None:
    labels = ReportLabels(load_locales(ROOT / "locales").get(language))
    for figure in FIGURES:
        assert labels.title(figure) and labels.definition(figure) and labels.indicator(figure)
    assert all(labels.column(key) for key in KEY_COLUMNS)
    assert all(labels.platform(code) != code for code in ("telegram", "bale", "console", "all"))
    assert all(labels.category(code) != code for code in ("unanswered", "other", "all"))
    assert labels.platform("whatsapp") == "whatsapp"


def test_an_english_report_has_english_dates_and_digits() -> None:
    en = load_locales(ROOT / "locales").get("en")
    assert period_title(PERIOD, en) == "30 Mehr 1405 to 1 Aban 1405"
    assert ReportLabels(en).month("1405-12") == "Esfand 1405"
    assert ReportLabels(en).percent("78.6") == "78.6%"
    assert LABELS.percent("78.6") == FA.text("report.percent", value="۷۸.۶")


def test_nearest_rank_percentile() -> None:
    values = list(range(1, 41))  # 1..40: rank ceil(0.95 x 40) = 38
    assert _nearest_rank(values, 0.95) == 38
    assert _nearest_rank([7, 3, 5], 0.95) == 7  # rank ceil(2.85) = 3
    assert _nearest_rank(list(range(100, 0, -1)), 0.95) == 95
    assert _nearest_rank([], 0.95) is None


def test_category_of_a_question(knowledge: KnowledgeBase) -> None:
    from bot.store.reporting import QuestionRow

    categories = Categories(knowledge)
    at = utc("2026-10-22T08:00:00")
    assert categories.of_question(QuestionRow(at, "bale", "answer", "smartcard-lost", None, 1)) == "smartcard"
    assert categories.of_question(QuestionRow(at, "bale", "did_you_mean", None, "baby-name", 1)) == "birth"
    assert categories.of_question(QuestionRow(at, "bale", "did_you_mean", None, None, 1)) == "unanswered"
    assert categories.of_question(QuestionRow(at, "bale", "no_match", None, None, 1)) == "unanswered"
    assert categories.of_question(QuestionRow(at, "bale", "answer", "retired-entry", None, 1)) == "other"


async def test_empty_period_gives_subtotals_with_no_figures(db: Path, knowledge: KnowledgeBase) -> None:
    async with await Store.open(db) as store:
        report = await build_report(store, knowledge, Period.parse("1405-09-10", "1405-09-11"), FA)
    # Later than every event: only the subscribers still subscribed (ALI, REZA, NIMA; MINA).
    assert [(row.month, row.category, row.platform) for row in report.rows] == [
        ("1405-09", "all", "telegram"),
        ("1405-09", "all", "bale"),
    ]
    assert report.rows[0].figures.subscribers == 3 and report.rows[1].figures.subscribers == 1
    assert report.summary.questions == 0 and report.summary.mean_rating is None
    assert report.summary.response_median_ms is None and report.summary.answer_rate is None


# Recording handoffs and announcements -----------------------------------------------------------


async def test_handoff_and_announcement_recording_checks_its_arguments(tmp_path: Path) -> None:
    async with await Store.open(tmp_path / "s.db") as store:
        question, _ = await ask(store, ALI, "2026-10-22T08:00:00", "no_match", 10)
        with pytest.raises(Refused):
            await open_handoff(store, user_hash=SARA, platform="bale", question_id=question)
        with pytest.raises(Refused):
            await open_handoff(store, user_hash=ALI, platform="telegram", question_id=0)
        with pytest.raises(ValueError, match="UserHasher"):
            await open_handoff(store, user_hash="7364918201", platform="telegram")
        with pytest.raises(ValueError, match="platform"):
            await record_announcement(store, platform="whatsapp", text="خبر")
        with pytest.raises(ValueError, match="count"):
            await record_announcement(store, platform="bale", text="خبر", sent=-1)
        with pytest.raises(ValueError, match="text"):
            await record_announcement(store, platform="bale", text="  ")
        assert not await record_staff_reply(store, 999)
        assert not await finish_announcement(store, 999, sent=1, blocked=0, failed=0)
        handoff = await open_handoff(store, user_hash=ALI, platform="telegram", question_id=question)
        assert await record_staff_reply(store, handoff, at=utc("2026-10-22T09:00:00"))
        assert await record_staff_reply(store, handoff, at=utc("2026-10-22T10:00:00"))
        rows = await store.rows("SELECT answered_at, staff_replies FROM handoffs WHERE id = ?", (handoff,))
    assert rows == [("2026-10-22T09:00:00.000000Z", 2)]


async def test_subscription_history_is_backfilled_for_existing_rows(tmp_path: Path) -> None:
    from bot.store import MIGRATIONS

    path = tmp_path / "old.db"
    before = tuple(m for m in MIGRATIONS if m.name < "0005")
    async with await Store.open(path, migrations=before) as store:
        await store.subscribe(ALI, "telegram", 1, at=utc("2026-10-01T00:00:00"))
        await store.subscribe(SARA, "bale", 2, at=utc("2026-10-02T00:00:00"))
        await store.unsubscribe(SARA, at=utc("2026-10-05T00:00:00"))
    async with await Store.open(path) as store:
        await store.subscribe(SARA, "bale", 2, at=utc("2026-10-06T00:00:00"))  # again, by the trigger
        async with store.transaction() as db:  # a row deleted (say, on request) ends the subscription
            await db.execute("DELETE FROM subscriptions WHERE user_hash = ?", (ALI,))
        events = await store.rows("SELECT user_hash, subscribed, at FROM subscription_events ORDER BY id")
    assert events[:4] == [
        (ALI, 1, "2026-10-01T00:00:00.000000Z"),
        (SARA, 1, "2026-10-02T00:00:00.000000Z"),
        (SARA, 0, "2026-10-05T00:00:00.000000Z"),
        (SARA, 1, "2026-10-06T00:00:00.000000Z"),
    ]
    assert events[4][:2] == (ALI, 0) and re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000Z", events[4][2]
    )


# Output formats ---------------------------------------------------------------------------------


def report(argv: list[str], store_path: Path = Path("unused.db")) -> int:
    return run_cli(argv, knowledge_dir=KNOWLEDGE_DIR, store_path=store_path)


def report_args(db: Path, *extra: str) -> list[str]:
    return ["report", "--from", "1405-07-30", "--to", "2026-10-23", "--db", str(db), *extra]


def test_json_report(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report(report_args(db, "--format", "json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"period", "rows", "summary"}
    assert data["period"]["from"] == "1405-07-30" and data["period"]["to"] == "1405-08-01"
    assert data["period"]["start_utc"] == "2026-10-21T20:30:00+00:00"
    assert set(data["summary"]) == {"all", "by_platform"}
    assert list(data["rows"][0]) == list(CSV_COLUMNS)
    assert data["summary"]["all"] == EXPECTED_SUMMARY
    assert len(data["rows"]) == len(EXPECTED_ROWS)


def test_csv_report_has_a_bom_and_reads_back(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    assert report(report_args(db, "--out", str(out))) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header[:2] == [FA.text("report.column.month"), FA.text("report.column.month_title")]
    assert header[len(KEY_COLUMNS) :] == [LABELS.title(figure) for figure in FIGURES]  # Persian headings
    rows = [dict(zip(CSV_COLUMNS, line, strict=True)) for line in lines]
    assert len(rows) == len(EXPECTED_ROWS)
    for row, (month, category, platform, expected) in zip(rows, EXPECTED_ROWS, strict=True):
        assert (row["month"], row["category"], row["platform"]) == (month, category, platform)
        assert {key: row[key] for key in expected} == {
            key: "" if value is None else f"{value * 100:.1f}%" if key in PERCENT_KEYS else str(value)
            for key, value in expected.items()
        }
    assert rows[3]["category_title"] == FA.text("report.category.all")
    assert any(row["csat"].endswith("%") for row in rows) and {"answer_rate", "csat"} == PERCENT_KEYS


def test_xlsx_report_sheets_rtl_headers_values(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "indicators.xlsx"
    args = report_args(db, "--format", "xlsx", "--out", str(out))
    assert report(args) == 0
    book = load_workbook(out)
    summary_sheet, data_sheet, chart_sheet = (
        LABELS.text(f"report.workbook.{name}_sheet") for name in ("summary", "data", "chart")
    )
    assert book.sheetnames == [summary_sheet, data_sheet, chart_sheet]
    assert all(book[name].sheet_view.rightToLeft for name in book.sheetnames)

    summary = book[summary_sheet]
    assert summary["A2"].value == FA.text("report.workbook.period", period=PERIOD_TITLE)
    header = [cell.value for cell in summary[4]]
    workbook = ["indicator", "figure", "definition", "key"]
    indicator, figure, definition, key = (FA.text(f"report.workbook.{name}") for name in workbook)
    platforms = [FA.text(f"report.platform.{name}") for name in ("all", "telegram", "bale")]
    assert header == [indicator, figure, *platforms, definition, key]
    by_key = {row[6]: row for row in summary.iter_rows(min_row=5, values_only=True)}
    assert list(by_key) == [figure.key for figure in FIGURES]
    indicators = {LABELS.text(f"report.indicator.{key}") for key in INDICATORS}
    assert {row[0] for row in by_key.values()} == indicators

    def named(indicator: str, figure: str) -> tuple[str, str]:
        return FA.text(f"report.indicator.{indicator}"), FA.text(f"report.figure.{figure}.title")

    assert by_key["csat"][:5] == (*named("satisfaction", "csat"), 0.7, 0.6667, 0.75)
    assert by_key["mean_rating"][:2] == named("satisfaction", "mean_rating")
    assert by_key["response_median_ms"][:5] == (*named("speed", "response_median_ms"), 135.0, 90.0, 250.0)
    assert by_key["handoff_answer_median_min"][:5] == (
        *named("speed", "handoff_answer_median_min"),
        25.0,
        20.0,
        60.0,
    )
    assert by_key["questions"][:5] == (*named("informing", "questions"), 14, 9, 5)
    assert by_key["announcements"][2:5] == (3, 1, 2)
    assert by_key["subscribers"][2:5] == (3, 2, 1)

    data = book[data_sheet]
    assert [cell.value for cell in data[1]] == [LABELS.column(key) for key in KEY_COLUMNS] + [
        LABELS.title(f) for f in FIGURES
    ]
    values = list(data.iter_rows(min_row=2, values_only=True))
    assert len(values) == len(EXPECTED_ROWS)
    keys = [*KEY_COLUMNS, *(figure.key for figure in FIGURES)]
    for row, (month, category, platform, expected) in zip(values, EXPECTED_ROWS, strict=True):
        cells = dict(zip(keys, row, strict=True))
        assert (cells["month"], cells["category"], cells["platform"]) == (month, category, platform)
        assert {key: cells[key] for key in expected} == expected
    assert data.freeze_panes == "G2"

    chart = book[chart_sheet]
    assert [(row[0], row[1]) for row in chart.iter_rows(min_row=2, max_col=2, values_only=True)] == [
        ("ولادت، شناسنامه و کد ملی", 7),
        ("کارت ملی هوشمند", 5),
        (FA.text("report.category.unanswered"), 2),
    ]
    assert len(chart._charts) == 1 and len(chart._images) == 1


def test_report_errors(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert report(report_args(db, "--format", "xlsx")) == 2
    assert "--out" in capsys.readouterr().err
    bad = ["report", "--from", "1405-13-01", "--to", "1405-08-01", "--db", str(db)]
    assert report(bad) == 2
    missing = ["report", "--from", "1405-07-01", "--to", "1405-08-01"]
    assert report(missing, tmp_path / "nowhere.db") == 1
    assert "پایگاه داده ثبت‌یار در" in capsys.readouterr().err
    assert not (tmp_path / "nowhere.db").exists()


# The chart --------------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chart_command_writes_a_png(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "chart.png"
    args = ["chart", "--from", "1405-07-30", "--to", "1405-08-01", "--db", str(db), "--out", str(out)]
    assert report(args) == 0
    data = out.read_bytes()
    assert png_size(data) == (1000, 1400)
    assert 30_000 < len(data) < 1_000_000


async def test_render_chart_from_a_report_or_a_database(
    db: Path, tmp_path: Path, knowledge: KnowledgeBase
) -> None:
    async with await Store.open(db) as store:
        report = await build_report(store, knowledge, PERIOD, FA)
    buffer = io.BytesIO()
    render_chart(report, None, None, buffer)
    assert png_size(buffer.getvalue()) == (1000, 1400)
    with pytest.raises(ValueError, match="own period"):
        render_chart(report, "1405-07-30", None, buffer)
    assert png_size(chart_png(report, dpi=50)) == (500, 700)


def test_render_chart_reads_a_database(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.png"
    render_chart(db, "1405-07-30", "1405-08-01", out, knowledge=KNOWLEDGE_DIR, catalog=FA)
    assert png_size(out.read_bytes()) == (1000, 1400)


def test_long_category_labels_wrap_on_the_chart() -> None:
    from bot.reports.charts import LABEL_WIDTH, _category_label

    longest_shipped = max((c.title for c in load_knowledge(KNOWLEDGE_DIR).categories), key=len)
    assert _category_label(longest_shipped) == rtl(longest_shipped)  # today's titles: one line
    long = "خدمات سازمان‌های دیگر و پرسش‌هایی که به ثبت احوال مربوط نیستند"
    lines = _category_label(long).split("\n")
    assert len(lines) == 2 and all(len(line) <= LABEL_WIDTH for line in lines)


def test_persian_text_is_shaped_exactly_once() -> None:
    text = "میانگین امتیاز (از ۵)"
    if native_shaping():  # matplotlib 3.11+: libraqm shapes and orders; reshaping too would reverse it
        assert rtl(text) == text
    else:
        assert rtl(text) == visual_order(text)
    # The fallback for older matplotlib: presentation forms, in visual (left-to-right) order, with
    # the brackets mirrored: «(۵ از) زایتما نیگنایم» read left to right.
    shaped = visual_order(text)
    assert shaped[:3] == "(۵ " and shaped[5] == ")"
    letters = [ch for ch in shaped if ch not in " ()۵"]
    assert letters and all("\ufb50" <= ch <= "\ufeff" for ch in letters)
    assert shaped[-1] == "\ufee3"  # the first letter, meem in its initial form, is drawn rightmost
    assert persian_font() in FONTS


async def test_the_chart_keeps_the_questions_with_no_answer_apart_from_the_topics(
    db: Path, knowledge: KnowledgeBase
) -> None:
    from matplotlib.figure import Figure

    from bot.reports.charts import _questions_per_category

    async with await Store.open(db) as store:
        report = await build_report(store, knowledge, PERIOD, FA)
    axes = Figure().subplots()
    _questions_per_category(axes, report)
    bars = sorted(axes.patches, key=lambda bar: bar.get_y())
    labels = [label.get_text() for label in axes.get_yticklabels()]
    assert labels[-1] == rtl(FA.text("report.category.unanswered"))
    assert [bar.get_width() for bar in bars] == [7, 5, 2]
    centres = [bar.get_y() + bar.get_height() / 2 for bar in bars]
    assert centres[1] - centres[0] == 1 and centres[2] - centres[1] > 1  # set apart, below the topics
    colours = [bar.get_facecolor() for bar in bars]
    assert colours[0] == colours[1] != colours[2]  # grey, never ranked among the topics
