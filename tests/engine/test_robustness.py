"""Any text gives an answer, a choice or no match: never an exception (property-based)."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.engine.decision import Outcome
from bot.engine.engine import AnswerEngine

PERSIAN = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
NOISE = st.sampled_from(
    [
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202b",
        "\u202e",
        "\u2066",
        "\u2069",
        "\ufeff",
        "\x00",
        "\x07",
        "\x1b",
        "\n",
        "\t",
        "🙏",
        "😡",
        "👍",
        "\U0001f3fd",
        "ﷺ",
        "ﻻ",
        "ـ",
        "٪",
        "%",
    ]
)
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.one_of(PERSIAN, NOISE, st.characters(max_codepoint=0x7F)), max_size=300),
    st.text(alphabet=st.sampled_from("0123456789۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩ "), max_size=50),
    st.text(alphabet=st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF), max_size=40),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Mn"]), max_size=60),
)


def check(engine: AnswerEngine, text: str) -> None:
    reply = engine.ask(text)
    assert reply.outcome in set(Outcome)
    assert all(entry_id in engine.knowledge for entry_id in reply.offered_ids)
    record = reply.to_json()
    assert record["question"] == text
    assert (record["answer_id"] is None) == (not reply.outcome.answers)
    assert (record["candidates"] == []) == (reply.outcome is Outcome.NO_MATCH)
    assert isinstance(record["score"], float)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXTS)
@example(text="")
@example(text="ش" * 10_000)
@example(text="کارت ملی " * 1_250)
@example(text="a" * 10_000)
@example(text="shenasname" * 1_000)
@example(text="\u202eکارت ملی\u202c گم شده")
@example(text="۱۲۳۴۵۶۷۸۹۰")
@example(text="🙏🙏🙏")
@example(text="'; DROP TABLE questions; --")
@example(text="kart meli gom shode 😡 كارت ملي ١٤٠٣")
def test_any_text_gets_a_decision(engine: AnswerEngine, text: str) -> None:
    check(engine, text)
