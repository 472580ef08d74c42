"""Long replies are split cleanly within 4,096 UTF-16 units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.messenger.text_split import MESSAGE_LIMIT, split_text, utf16_length


def test_short_text_is_one_piece() -> None:
    assert split_text("  سلام  ") == ["سلام"]
    assert split_text("") == [] and split_text(" \n ") == []


def test_cuts_at_paragraphs_first() -> None:
    paragraph = "کارت ملی هوشمند " * 100
    text = "\n\n".join([paragraph.strip()] * 5)
    pieces = split_text(text)
    assert all(utf16_length(p) <= MESSAGE_LIMIT for p in pieces)
    assert all(p.endswith("هوشمند") for p in pieces)
    assert " ".join(pieces).split() == text.split()


def test_emoji_count_twice() -> None:
    pieces = split_text("😀" * 3000)
    assert [utf16_length(p) for p in pieces] == [4096, 1904]


@given(st.text(alphabet="اب پ\n😀.،x", min_size=0, max_size=400), st.integers(2, 60))
def test_nothing_lost_and_every_piece_fits(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < utf16_length(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())
