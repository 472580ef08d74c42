"""Offices as staff fill them in: the shipped file, problems with their line, nearest first,
hours grouped as a citizen reads them, and a plain reply when none is listed."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.knowledge.directory.holidays import Holidays, load_holidays
from bot.knowledge.directory.live import LiveOffices
from bot.knowledge.directory.offices import (
    Office,
    OfficeBook,
    Province,
    distance_km,
    load_offices,
    nearest_offices,
)
from bot.knowledge.directory.text import directory_text, hours_line, today_line
from bot.locale import Locales
from bot.settings import ROOT

SAT, SUN, MON, TUE, WED, THU = 5, 6, 0, 1, 2, 3
MORNING = (time(7, 30), time(14, 0))
BORAZJAN = Office(
    "اداره ثبت احوال دشتستان",
    "برازجان، خیابان نمونه",
    29.27,
    51.21,
    city="برازجان",
    phones=("077-00000000",),
    hours={SAT: MORNING, SUN: MORNING, MON: MORNING, TUE: MORNING, WED: MORNING, THU: (time(8), time(12))},
    services=("کارت ملی هوشمند",),
)


def test_shipped_file_names_the_province_and_its_cities() -> None:
    book, problems = load_offices(ROOT / "knowledge")
    assert problems == []
    assert book.province.title == "استان بوشهر" and book.province.site == "bocr.ir"
    assert len(book.province.cities) == 10 and "برازجان" in book.province.cities


def test_problems_name_the_line(tmp_path: Path) -> None:
    (tmp_path / "offices.yaml").write_text(
        "offices:\n"
        "  - name: الف\n    address: خیابان\n    latitude: 35.7\n    longitude: 51.4\n"
        "  - name: ب\n    latitude: 200\n    longitude: 51\n    phone: '021'\n"
        "  - name: پ\n    address: خیابان\n    hours: {saturday: '14:00-08:00', fri: '08:00-12:00'}\n",
        encoding="utf-8",
    )
    book, problems = load_offices(tmp_path)
    assert [o.name for o in book] == ["الف"]
    # each on the line of the value at fault (a missing address: its office's first line)
    assert {p.line for p in problems} == {6, 7, 9, 12}
    messages = " ".join(p.message for p in problems)
    for expected in ("address", "phone", "before they close", "fri"):
        assert expected in messages


def test_kb_check_holds_the_file_to_the_workbooks_rules(tmp_path: Path) -> None:
    """The one validator: a city of the province, an official https page, coordinates inside Iran
    and both or neither, a past date, one name per office, Persian digits in hours."""
    (tmp_path / "official_domains.yaml").write_text("domains: [bocr.ir]\n", encoding="utf-8")
    (tmp_path / "offices.yaml").write_text(
        "province:\n  title: استان بوشهر\n  site: evil.example\n  cities: [بوشهر, برازجان]\n"
        "offices:\n"
        "  - name: الف\n    city: تهران\n    address: خیابان\n    url: https://evil.example/\n"
        "    latitude: 51.2\n    longitude: 29.2\n    verified_on: 2999-01-01\n"
        "  - name: الف\n    city: بوشهر\n    address: خیابان\n    latitude: 28.9\n"
        "  - name: ب\n    city: برازجان\n    address: خیابان\n    url: https://www.bocr.ir/a\n"
        "    hours: {saturday: '۰۷:۳۰-۱۴:۰۰'}\n    latitude: 29.27\n    longitude: 51.21\n"
        "    needs_review: false\n",
        encoding="utf-8",
    )
    book, problems = load_offices(tmp_path)
    assert [(p.line, p.key) for p in problems] == [
        (3, "province_url_unofficial"),
        (7, "office_city"),
        (9, "office_url_unofficial"),
        (10, "office_number"),  # latitude 51.2: swapped with the longitude
        (11, "office_number"),
        (12, "office_verified_on_future"),
        (13, "office_duplicate_name"),
        (16, "office_coordinates_pair"),
    ]
    [office] = book
    assert (
        office.hours == {SAT: MORNING} and not office.needs_review and office.url == "https://www.bocr.ir/a"
    )


def test_a_running_bot_reads_the_offices_again_when_the_file_changes(tmp_path: Path) -> None:
    path = tmp_path / "offices.yaml"
    path.write_text("offices: []\n", encoding="utf-8")
    live = LiveOffices(tmp_path, load_offices(tmp_path)[0])
    assert not live.current()
    path.write_text("offices:\n  - name: الف\n    address: خیابان\n", encoding="utf-8")
    assert [office.name for office in live.current()] == ["الف"]
    path.write_text("offices:\n  - name: الف\n    latitude: 500\n", encoding="utf-8")  # broken
    assert [office.name for office in live.current()] == ["الف"]  # the last good list stays
    path.unlink()
    assert not live.current()  # no file: no office


def test_hours_and_coordinates_are_optional(tmp_path: Path) -> None:
    (tmp_path / "offices.yaml").write_text(
        "offices:\n  - name: الف\n    city: جم\n    address: خیابان\n"
        "    hours: {saturday: '7:30-14:00', sunday: '07:30-14:00'}\n",
        encoding="utf-8",
    )
    book, problems = load_offices(tmp_path)
    assert problems == []
    [office] = book
    assert not office.located and office.hours == {SAT: MORNING, SUN: MORNING} and office.needs_review
    assert book.located() == ()


def test_nearest_first_among_located_offices() -> None:
    tehran = Office("تهران", "-", 35.6892, 51.3890)
    isfahan = Office("اصفهان", "-", 32.6546, 51.6680)
    tabriz = Office("تبریز", "-", 38.0962, 46.2738)
    unlocated = Office("بی‌مختصات", "-")
    found = nearest_offices((tabriz, isfahan, unlocated, tehran), 35.70, 51.40, count=2)
    assert [o.name for o, _ in found] == ["تهران", "اصفهان"]
    assert found[0][1] < 3 and 330 < distance_km(35.6892, 51.3890, 32.6546, 51.6680) < 350


def test_hours_read_like_the_office_wrote_them(locales: Locales) -> None:
    fa, en = locales.get("fa"), locales.get("en")
    assert hours_line(BORAZJAN, fa) == "شنبه تا چهارشنبه ۷:۳۰ تا ۱۴؛ پنجشنبه ۸ تا ۱۲"
    assert hours_line(BORAZJAN, en) == "Saturday to Wednesday 7:30 to 14; Thursday 8 to 12"
    assert today_line(BORAZJAN, THU, fa) == fa.text("location.today", hours="۸ تا ۱۲")
    assert today_line(BORAZJAN, 4, fa) == fa.text("location.closed_today")  # Friday


def test_the_directory_says_plainly_when_no_office_is_listed(locales: Locales) -> None:
    fa = locales.get("fa")
    province = Province("استان بوشهر", "اداره کل ثبت احوال استان بوشهر", "bocr.ir", ("بوشهر", "برازجان"))
    empty = directory_text(OfficeBook(province), fa)
    assert empty.startswith(fa.text("offices.none")) and "bocr.ir" in empty and "برازجان" in empty
    listed = directory_text(OfficeBook(province, (BORAZJAN,)), fa)
    assert "برازجان، خیابان نمونه" in listed and "077-00000000" in listed and "شنبه تا چهارشنبه" in listed
    assert fa.text("offices.review_note") in listed


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2026, 3, 21), True),
        (date(2026, 4, 14), True),
        (date(2026, 12, 6), False),
        (date(2026, 12, 7), True),
    ],
)
def test_holidays_from_the_library_with_staff_corrections(day: date, closed: bool) -> None:
    holidays = Holidays(extra=frozenset({date(2026, 12, 7)}), not_holidays=frozenset())
    assert (day in holidays) is closed  # Nowruz, 25 Farvardin (library), a working day, an added closure
    assert date(2026, 3, 21) not in Holidays(not_holidays=frozenset({date(2026, 3, 21)}))


def test_holiday_file_problems(tmp_path: Path) -> None:
    text = "extra: ['1405-01-25', '1405-13-01']\nnot_holidays: []\n"
    (tmp_path / "holidays.yaml").write_text(text, encoding="utf-8")
    holidays, problems = load_holidays(tmp_path)
    assert date(2026, 4, 14) in holidays.extra
    assert len(problems) == 1 and "1405-13-01" in problems[0].message
