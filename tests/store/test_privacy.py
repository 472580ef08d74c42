"""Masking of national codes and phone numbers, keyed user hashes, report days."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from bot.calendar import bounds as day_bounds
from bot.calendar import parse_day
from bot.store.privacy import (
    CARD_MASK,
    NATIONAL_CODE_MASK,
    PHONE_MASK,
    UserHasher,
    is_user_hash,
    is_valid_card_number,
    is_valid_national_code,
    mask_personal_data,
    update_key,
)

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def check_digit(first_nine: str) -> int:
    remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(first_nine)) % 11
    return remainder if remainder < 2 else 11 - remainder


def valid_codes(count: int, seed: int = 1405) -> list[str]:
    rng = random.Random(seed)
    codes: list[str] = []
    while len(codes) < count:
        first = "".join(rng.choice("0123456789") for _ in range(9))
        code = first + str(check_digit(first))
        if len(set(code)) > 1:
            codes.append(code)
    return codes


def test_known_codes() -> None:
    assert is_valid_national_code("0499370899")
    assert is_valid_national_code("۰۴۹۹۳۷۰۸۹۹")
    assert is_valid_national_code("049-937089-9")
    assert not is_valid_national_code("0499370898")
    assert not is_valid_national_code("1111111111")
    assert not is_valid_national_code("0000000000")
    assert not is_valid_national_code("049937089")


@pytest.mark.parametrize("alphabet", [None, PERSIAN, ARABIC], ids=["latin", "persian", "arabic-indic"])
@pytest.mark.parametrize(
    "layout",
    [lambda c: c, lambda c: f"{c[:3]}-{c[3:9]}-{c[9]}", lambda c: f"{c[:3]} {c[3:6]} {c[6:]}"],
    ids=["plain", "dashed", "spaced"],
)
def test_thousand_valid_codes_are_masked(alphabet: dict[int, int] | None, layout) -> None:
    for code in valid_codes(1000):
        shown = layout(code).translate(alphabet) if alphabet else layout(code)
        text = f"سلام، کد ملی من {shown} است."
        assert mask_personal_data(text) == f"سلام، کد ملی من {NATIONAL_CODE_MASK} است.", shown


def test_invalid_codes_and_other_numbers_stay() -> None:
    for code in valid_codes(200, seed=7):
        wrong = code[:9] + str((int(code[9]) + 1) % 10)
        if not is_valid_national_code(wrong) and not wrong.startswith("9"):
            assert mask_personal_data(f"شماره {wrong}") == f"شماره {wrong}"
    for text in ["کد رهگیری 12345", "سال ۱۴۰۵", "1111111111", "12345678901234", "قیمت ۲۵۰۰۰ تومان"]:
        assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "phone",
    [
        "09121234567",
        "0912 123 4567",
        "0912-123-4567",
        "+989121234567",
        "+98 912 123 4567",
        "00989121234567",
        "0098 912 123 4567",
        "9121234567",
        "021-88776655",
        "02188776655",
        "021 8877 6655",
        "(021) 88776655",
        "+98 21 8877 6655",
        "0098-21-88776655",
        "031-32221100",
    ],
)
@pytest.mark.parametrize("alphabet", [None, PERSIAN, ARABIC], ids=["latin", "persian", "arabic-indic"])
def test_phone_formats_are_masked(phone: str, alphabet: dict[int, int] | None) -> None:
    shown = phone.translate(alphabet) if alphabet else phone
    assert mask_personal_data(f"با شماره {shown} تماس بگیرید") == f"با شماره {PHONE_MASK} تماس بگیرید"


def test_mixed_text_keeps_everything_else_verbatim() -> None:
    text = "کد ملی ۰۴۹۹۳۷۰۸۹۹ و موبایل ۰۹۱۲۱۲۳۴۵۶۷؛ '; DROP TABLE questions; -- \u202eabc\u200c"
    assert mask_personal_data(text) == (
        f"کد ملی {NATIONAL_CODE_MASK} و موبایل {PHONE_MASK}؛ '; DROP TABLE questions; -- \u202eabc\u200c"
    )


def test_user_hasher_is_keyed_and_stable() -> None:
    hasher = UserHasher("a-secret-of-enough-length")
    first = hasher("telegram", 123456789)
    assert first == hasher("telegram", "123456789")
    assert is_user_hash(first)
    assert first != hasher("bale", 123456789)
    assert first != UserHasher("another-secret-value-xx")("telegram", 123456789)
    assert "a-secret-of-enough-length" not in repr(hasher) + str(hasher)
    assert not is_user_hash("123456789")
    with pytest.raises(ValueError):
        UserHasher("short")


def test_update_key_depends_on_platform() -> None:
    assert update_key("telegram", 5) != update_key("bale", 5)
    assert update_key("telegram", 5) == update_key("telegram", 5)


def test_days_gregorian_and_jalali() -> None:
    assert parse_day("1405-07-01") == date(2026, 9, 23)
    assert parse_day("۱۴۰۵-۰۷-۰۱") == date(2026, 9, 23)
    assert parse_day("2026-09-23") == date(2026, 9, 23)
    start, end = day_bounds("1405-07-01", "1405-07-01")
    assert start == datetime(2026, 9, 22, 20, 30, tzinfo=UTC)
    assert end == datetime(2026, 9, 23, 20, 30, tzinfo=UTC)
    assert day_bounds(None, None) == (None, None)
    for bad in ["1405-13-01", "2026-02-30", "yesterday", "1405/7"]:
        with pytest.raises(ValueError):
            parse_day(bad)
    with pytest.raises(ValueError):
        day_bounds("2026-09-24", "2026-09-23")


# Issue 14, item 11: spellings the trial found unmasked, and numbers that must stay ------------------

CODE = "0499370899"  # a valid national code
CARD = "6037991234567893"  # sixteen digits that pass the Luhn check
MASKED = [
    ("989121234567", PHONE_MASK),
    ("+989121234567", PHONE_MASK),
    ("0912.123.4567", PHONE_MASK),
    ("0912.123.45.67", PHONE_MASK),
    ("(0912) 123 4567", PHONE_MASK),
    ("0912   123   4567", PHONE_MASK),
    ("0912 - 123 - 4567", PHONE_MASK),
    ("۰۹۱۲.۱۲۳.۴۵۶۷", PHONE_MASK),
    ("٠٩١٢ ١٢٣ ٤٥٦٧", PHONE_MASK),
    ("0912\u200c123\u200c4567", PHONE_MASK),
    ("0912\u200b1234567", PHONE_MASK),
    ("98 912 123 4567", PHONE_MASK),
    ("0098.912.123.4567", PHONE_MASK),
    ("021.8877.6655", PHONE_MASK),
    ("(021)88776655", PHONE_MASK),
    ("98 21 8877 6655", PHONE_MASK),
    ("049 937 0899", NATIONAL_CODE_MASK),
    ("049.937.089.9", NATIONAL_CODE_MASK),
    ("049-937089-9", NATIONAL_CODE_MASK),
    ("0499\u200c370899", NATIONAL_CODE_MASK),
    ("04993\u200d70899", NATIONAL_CODE_MASK),
    ("049\u200f9370899", NATIONAL_CODE_MASK),
    ("049\u2066937\u20690899", NATIONAL_CODE_MASK),
    ("0 4 9 9 3 7 0 8 9 9", NATIONAL_CODE_MASK),
    ("۰۴۹۹ ۳۷۰ ۸۹۹", NATIONAL_CODE_MASK),
    (CARD, CARD_MASK),
    ("6037 9912 3456 7893", CARD_MASK),
    ("6037-9912-3456-7893", CARD_MASK),
    ("6037.9912.3456.7893", CARD_MASK),
    ("۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳", CARD_MASK),
    ("6037\u200c9912\u200c3456\u200c7893", CARD_MASK),
    ("4111 1111 1111 1111", CARD_MASK),
]
#: Ten digits after «کد ملی» (and its spellings) are masked whatever their check digit.
AFTER_WORDS = [
    "کد ملی 1234567890",
    "کدملی: 1234567891",
    "كد ملي ۱۲۳۴۵۶۷۸۹۲",
    "شماره ملی من 12345 67893 است",
    "national code 1234567894",
    "code meli 1234567895",
]
KEPT = [
    "1402/05/12",
    "۱۴۰۲/۰۵/۱۲",
    "1402-05-12",
    "2023.08.03",
    "۱۴۰۳-۰۱-۱۵ ساعت ۱۰:۳۰",
    "کد رهگیری 140212345678",
    "کد رهگیری ۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸۹۰",
    "کد پیگیری " + CODE,
    "شماره پیگیری 6037991234567893",
    "کد رهگیری 1234 5678 9012",
    "سریال شناسنامه ۱۲/۳۴۵۶۷۸",
    "هزینه ۲۵۰۰۰۰ تومان",
    "۲۵۰٬۰۰۰ ریال",
    "1,500,000 rials",
    "سال ۱۴۰۵",
    "1234567890",
    "0000000000",
    "1111111111111111",
    "6037991234567890",
    "12345678901234",
    "12345678901234567890",
    "0499370898",
    "پلاک ۱۲۳",
    "کدپستی 1234567890",
    "ساعت 08:00 تا 13:30",
    "3.14",
    "ساعت ۸ تا ۱۴",
    "۱۲ فروردین",
    "ردیف 1 2 3 4",
    "۰۲۱",
    "نسخه 2.0.1",
]


@pytest.mark.parametrize(("number", "mask"), MASKED)
def test_item11_more_spellings_are_masked(number: str, mask: str) -> None:
    text = f"سلام، {number} لطفا"
    assert mask_personal_data(text) == f"سلام، {mask} لطفا"


@pytest.mark.parametrize("text", AFTER_WORDS)
def test_item11_ten_digits_after_national_code_words_are_masked(text: str) -> None:
    masked = mask_personal_data(text)
    assert NATIONAL_CODE_MASK in masked and not any(d.isdigit() for d in masked)


@pytest.mark.parametrize("text", KEPT)
def test_item11_dates_amounts_and_tracking_codes_stay(text: str) -> None:
    assert mask_personal_data(text) == text


def test_item11_a_card_and_a_phone_side_by_side_are_both_masked() -> None:
    assert mask_personal_data(f"کارت {CARD} و 09121234567") == f"کارت {CARD_MASK} و {PHONE_MASK}"
    assert is_valid_card_number(CARD) and not is_valid_card_number(CARD[:-1] + "0")
