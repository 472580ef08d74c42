"""Iran's calendar and digits, in one place: Iran time, Jalali months, periods, digit folding.

Days are Iran's calendar days (UTC+03:30; Iran has kept no daylight saving time since 2022),
so a day's questions are those a citizen asked between local midnights. A period is typed as
a Jalali year (``1405``), a Jalali month (``1405-09``), a day in either calendar
(``1405-09-15``, ``2026-12-06``; ``/`` and Persian or Arabic-Indic digits too), or a span of
recent days (``30d``)::

    Period.between("1405-07", "1405-08")     # 1 Mehr to 30 Aban 1405
    Period.between("1405-09", None, today)   # 1 Azar 1405 to today
    Period.of_words(["1405"])                # the whole Jalali year
    Period.last("30d", today)                # the 30 days up to today
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

import jdatetime

from bot.messages import MessageError

__all__ = [
    "ALL_DIGITS",
    "IRAN_TIME",
    "LATIN_DIGIT_FOLDS",
    "Period",
    "bounds",
    "iran_day",
    "latin_digits",
    "midnight_utc",
    "month_key",
    "next_month",
    "parse_day",
    "persian_digits",
]

IRAN_TIME = timezone(timedelta(hours=3, minutes=30), "IRST")
#: Years below this are Jalali, years from it on Gregorian.
LAST_JALALI_YEAR = 1700

_PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
_ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
#: Every digit sabtyar reads: ASCII, Persian and Arabic-Indic.
ALL_DIGITS = "0123456789" + _PERSIAN + _ARABIC_INDIC
#: Persian and Arabic-Indic digits to ASCII, as a ``str.maketrans`` mapping.
LATIN_DIGIT_FOLDS = {digit: str(i % 10) for i, digit in enumerate(_PERSIAN + _ARABIC_INDIC)}
_TO_LATIN = str.maketrans(LATIN_DIGIT_FOLDS)
_TO_PERSIAN = str.maketrans("0123456789", _PERSIAN)
_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_RECENT = re.compile(r"(\d{1,4})d")


def latin_digits(text: str) -> str:
    """Persian and Arabic-Indic digits as ASCII digits; everything else unchanged."""
    return text.translate(_TO_LATIN)


def persian_digits(text: object, *, decimal_separator: bool = False) -> str:
    """ASCII digits as Persian digits (and ``.`` as the Persian decimal separator if asked)."""
    shown = str(text).translate(_TO_PERSIAN)
    return shown.replace(".", "٫") if decimal_separator else shown


def iran_day(at: datetime) -> date:
    """The Iran calendar day (as a Gregorian ``date``) of an aware time."""
    return at.astimezone(IRAN_TIME).date()


def midnight_utc(day: date) -> datetime:
    """The start of an Iran calendar day, in UTC."""
    return datetime.combine(day, time(), IRAN_TIME).astimezone(UTC)


def month_key(day: date) -> str:
    """The Jalali month of a day: ``"1405-07"``."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year:04d}-{jalali.month:02d}"


def jalali_text(day: date) -> str:
    """A day as staff write it: ``"1405/10/01"`` (Jalali)."""
    jalali = jdatetime.date.fromgregorian(date=day)
    return f"{jalali.year:04d}/{jalali.month:02d}/{jalali.day:02d}"


def next_month(key: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def month_start(key: str) -> date:
    year, month = (int(part) for part in key.split("-"))
    first: date = jdatetime.date(year, month, 1).togregorian()
    return first


def _clean(text: str) -> str:
    return latin_digits(text.strip()).replace("/", "-")


def _span(text: str) -> tuple[date, date]:
    """The first and last day a typed year, month or day stands for."""
    cleaned = _clean(text)
    try:
        if found := _DAY.fullmatch(cleaned):
            year, month, day = (int(part) for part in found.groups())
            if year < LAST_JALALI_YEAR:
                single = jdatetime.date(year, month, day).togregorian()
            else:
                single = date(year, month, day)
            return single, single
        if found := _MONTH.fullmatch(cleaned):
            year, month = (int(part) for part in found.groups())
            if year >= LAST_JALALI_YEAR:
                raise MessageError("period.error.gregorian_month", value=text)
            if not 1 <= month <= 12:
                raise MessageError("period.error.no_month", value=text)
            key = f"{year:04d}-{month:02d}"
            return month_start(key), month_start(next_month(key)) - timedelta(days=1)
        if found := _YEAR.fullmatch(cleaned):
            year = int(found.group(1))
            if year >= LAST_JALALI_YEAR:
                raise MessageError("period.error.gregorian_year", value=text)
            following = jdatetime.date(year + 1, 1, 1).togregorian()
            return jdatetime.date(year, 1, 1).togregorian(), following - timedelta(days=1)
    except MessageError:
        raise
    except (ValueError, OverflowError) as error:
        raise MessageError("period.error.no_such_day", value=text) from error
    raise MessageError("period.error.not_a_date", value=text)


def parse_day(text: str) -> date:
    """``YYYY-MM-DD`` as a Gregorian date; years before 1700 are read as Jalali (Persian digits too)."""
    if not _DAY.fullmatch(_clean(text)):
        raise MessageError("period.error.not_a_day", value=text)
    return _span(text)[0]


def bounds(first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
    """The half-open UTC interval from the start of ``first``'s span to the end of ``last``'s
    (each optional: open-ended on that side)."""
    start = _span(first)[0] if first else None
    end = _span(last)[1] if last else None
    if start and end and end < start:
        raise MessageError("period.error.reversed", first=str(first), last=str(last))
    return (
        midnight_utc(start) if start else None,
        midnight_utc(end + timedelta(days=1)) if end else None,
    )


@dataclass(frozen=True)
class Period:
    """Iran calendar days ``first_day`` to ``last_day``, both included (Gregorian ``date`` values)."""

    first_day: date
    last_day: date

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise MessageError("period.error.reversed", first=str(self.first_day), last=str(self.last_day))

    @classmethod
    def parse(cls, first: str, last: str) -> Period:
        """From a typed start and end (each a Jalali year, month or a day): ``ValueError`` if wrong."""
        return cls(_span(first)[0], _span(last)[1])

    @classmethod
    def between(cls, first: str | None, last: str | None, today: date | None = None) -> Period:
        """From optional typed bounds: no start is the start of ``last``'s Jalali month, no end today."""
        today = today or iran_day(datetime.now(UTC))
        if first and last:
            return cls.parse(first, last)
        if first:
            return cls(_span(first)[0], today)
        end = _span(last)[1] if last else today
        return cls(month_start(month_key(end)), end)

    @classmethod
    def last(cls, text: str, today: date | None = None) -> Period:
        """``30d``: the 30 Iran days up to and including today."""
        found = _RECENT.fullmatch(_clean(text))
        if not found or int(found.group(1)) < 1:
            raise MessageError("period.error.not_days", value=text)
        today = today or iran_day(datetime.now(UTC))
        return cls(today - timedelta(days=int(found.group(1)) - 1), today)

    @classmethod
    def of_words(cls, words: Sequence[str], today: date | None = None) -> Period:
        """A staff command's arguments: none (this Jalali month to today), one span, or two bounds."""
        if len(words) > 2:
            raise MessageError("period.error.too_many")
        if not words:
            return cls.between(None, None, today)
        if len(words) == 1:
            if _RECENT.fullmatch(_clean(words[0])):
                return cls.last(words[0], today)
            return cls(*_span(words[0]))
        return cls.parse(words[0], words[1])

    @property
    def start(self) -> datetime:
        return midnight_utc(self.first_day)

    @property
    def end(self) -> datetime:
        """The exclusive end: the next day's midnight in Iran, in UTC."""
        return midnight_utc(self.last_day + timedelta(days=1))

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    def months(self) -> list[str]:
        keys = [month_key(self.first_day)]
        while (following := next_month(keys[-1])) <= month_key(self.last_day):
            keys.append(following)
        return keys

    def month_end(self, key: str) -> datetime:
        """The end of month ``key`` within the period (UTC, exclusive)."""
        return min(self.end, midnight_utc(month_start(next_month(key))))

    def to_json(self) -> dict[str, str]:
        first = jdatetime.date.fromgregorian(date=self.first_day)
        last = jdatetime.date.fromgregorian(date=self.last_day)
        return {
            "from": first.strftime("%Y-%m-%d"),
            "to": last.strftime("%Y-%m-%d"),
            "from_gregorian": self.first_day.isoformat(),
            "to_gregorian": self.last_day.isoformat(),
            "start_utc": self.start.isoformat(),
            "end_utc": self.end.isoformat(),
            "timezone": "Asia/Tehran (UTC+03:30)",
        }
