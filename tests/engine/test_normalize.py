"""Character-level normalization: one form for letters, digits, spacing and noise."""

from __future__ import annotations

import unicodedata

import pytest

from bot.engine import normalize as normalize_module
from bot.engine.normalize import MAX_MATCH_CHARS, TextNormalizer, Translation

ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def normalizer() -> TextNormalizer:
    return TextNormalizer()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("كارت ملي", "کارت ملی"),  # Arabic kaf and yeh
        ("مسئول", "مسیول"),  # hamza seat folded
        ("رئیس", "رییس"),
        ("مؤسسه", "موسسه"),
        ("شناسنامة", "شناسنامه"),  # teh marbuta
        ("ﻻزم", "لازم"),  # lam-alef ligature
        ("آدرس", "ادرس"),
        ("شنــاسنامه", "شناسنامه"),  # tatweel
        ("سلاممممم", "سلام"),
        ("ممنونممممم", "ممنونم"),
        ("١٤٠٣ ۱۴۰۳ 1403", "1403 1403 1403"),  # three digit alphabets, one key
        ("کارت ملی 😡😡؟؟؟", "کارت ملی"),
        ("\u202eکد\u202c ملی\u200f", "کد ملی"),  # bidi overrides and marks
        ("کد\x00ملی\x07", "کد ملی"),  # control characters
        ("Kart MELI", "kart meli"),
    ],
)
def test_folds(normalizer: TextNormalizer, raw: str, expected: str) -> None:
    assert normalizer.normalize(raw) == expected


@pytest.mark.parametrize(
    "variant",
    ["می‌خواهم", "میخواهم", "می خواهم", "می \u200c خواهم"],
)
def test_half_space_variants_meet(normalizer: TextNormalizer, variant: str) -> None:
    assert normalizer.normalize(variant).replace(ZWNJ, " ") == "می خواهم"


def test_long_text_is_clipped_to_head_and_tail(normalizer: TextNormalizer) -> None:
    text = "شروع " + "کلمه " * 5000 + "پایان"
    result = normalizer.normalize(text)
    assert result.startswith("شروع") and result.endswith("پایان")
    assert len(result) <= MAX_MATCH_CHARS + 2


@pytest.mark.parametrize("raw", ["", "   ", "🙏🙏🙏", "\u200c\u200c", "؟!.،"])
def test_noise_only_gives_empty(normalizer: TextNormalizer, raw: str) -> None:
    assert normalizer.normalize(raw) == ""


def _noise_by_category(text: str) -> str:
    """What ``strip_noise`` keeps, decided character by character (its former loop)."""
    text = normalize_module._INVISIBLE.sub("", text)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        kept.append(char if category[0] in "LN" or char == ZWNJ or category == "Mn" else " ")
    return "".join(kept)


def test_noise_table_keeps_what_the_categories_keep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The characters' fates are remembered in a table (a speed-up only): the same text as asking
    each character's category, for every character of the planes citizens type in, remembered or
    not, and the table stops growing when full."""
    monkeypatch.setattr(normalize_module, "_REMEMBERED_CHARACTERS", 500)
    normalizer = TextNormalizer()
    planes = [*range(0x20, 0x2FFF), *range(0xFB00, 0xFFFF), *range(0x1F300, 0x1FAFF)]
    texts = ["".join(chr(code) for code in planes[start : start + 64]) for start in range(0, len(planes), 64)]
    for text in texts * 2:
        assert normalizer.strip_noise(text) == _noise_by_category(text)
    assert len(normalizer._noise) == 500


@pytest.mark.parametrize(
    "text",
    ["", "سلام", "كارت ملي", "کد ۱۲۳", "a]b", "x^y-z\\w", "بدون هيچ", "ی", "plain ascii 42"],
)
def test_a_translation_skips_only_the_texts_it_would_not_change(text: str) -> None:
    """The same text as ``str.translate`` (a mapping, a deletion, characters special in a pattern's
    character class), and the very text when none of the table's characters is in it."""
    table = str.maketrans({"ك": "ک", "ي": "ی", "]": ")", "^": None, "-": "_", "\\": "/", "۱": "1"})
    translated = Translation(table)(text)
    assert translated == text.translate(table)
    if not set(map(ord, text)) & table.keys():
        assert translated is text
    assert Translation({})(text) is text
