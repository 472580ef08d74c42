"""Button data: every form round-trips within 64 bytes; anything else parses to None."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.engine import AnswerEngine
from bot.messenger.callback_data import (
    MAX_BYTES,
    Choose,
    Language,
    Menu,
    More,
    NoneOfThese,
    Rate,
    SkipComment,
    Topic,
    encode,
    matches,
    parse,
)

BIGGEST = 2**63 - 1
ids = st.integers(1, BIGGEST)
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)
values = st.one_of(
    st.builds(Rate, ids, st.integers(1, 5)),
    st.builds(Choose, ids, st.integers(0, 9)),
    st.builds(NoneOfThese, ids),
    st.builds(Menu, st.one_of(st.just(""), slugs)),
    st.builds(Topic, slugs),
    st.builds(More, ids),
    st.builds(SkipComment, ids),
    st.builds(Language, st.sampled_from(["fa", "en"])),
)


@given(values)
def test_round_trip_within_the_limit(value: object) -> None:
    text = encode(value)  # type: ignore[arg-type]
    assert len(text.encode()) <= MAX_BYTES
    assert parse(text) == value


@given(st.text(max_size=80))
def test_parse_never_raises_and_only_accepts_canonical_forms(text: str) -> None:
    value = parse(text)
    assert value is None or encode(value) == text


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "r:1:0",
        "r:1:6",
        "r:0:3",
        "r:-1:3",
        "r:01:3",
        "r:9223372036854775808:3",
        "r:1:3\n",
        "r:۱:۳",
        "c:5:a",
        "t:Smartcard",
        "t:../x",
        "lang:de",
        "m:x:y",
        "x" * 65,
        None,
        42,
    ],
)
def test_garbage_is_none(garbage: object) -> None:
    assert parse(garbage) is None


def test_encode_refuses_what_would_not_parse() -> None:
    for bad in (Rate(1, 9), Rate(0, 3), Topic("Not A Slug"), Topic("a" * 70), Language("de")):
        with pytest.raises(ValueError):
            encode(bad)


def test_pattern_helper() -> None:
    assert matches(Rate)("r:4:5") and not matches(Rate)("t:fees") and not matches(Topic)(None)


def test_every_knowledge_entry_and_category_fits(engine: AnswerEngine) -> None:
    for entry_id in engine.knowledge.entries:
        assert parse(encode(Topic(entry_id))) == Topic(entry_id)
    for category in engine.knowledge.categories:
        assert parse(encode(Menu(category.id))) == Menu(category.id)
