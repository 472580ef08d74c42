"""The offices as a citizen reads them: per city, with address, phones, hours and services.

Used by the ``offices`` and ``office-hours`` answers and by the shared-location reply. With no
office listed, the text says so plainly and gives the provincial office's channels and the
province's cities: never an empty reply. Hours are grouped (``شنبه تا چهارشنبه ۷:۳۰ تا ۱۴``).
"""

from __future__ import annotations

from datetime import time

from bot.knowledge.directory.offices import WEEKDAYS, Office, OfficeBook
from bot.locale import Catalog

__all__ = ["directory_text", "hours_line", "office_text", "province_text", "today_line"]

#: Python weekday numbers in the order of Iran's week (Saturday first).
_WEEK = tuple(WEEKDAYS.values())
_DAY_NAMES = tuple(WEEKDAYS)


def _clock(value: time) -> str:
    return f"{value.hour}:{value.minute:02d}" if value.minute else str(value.hour)


def hours_line(office: Office, catalog: Catalog) -> str:
    """«شنبه تا چهارشنبه ۷:۳۰ تا ۱۴؛ پنجشنبه ۸ تا ۱۲», or that the hours are not listed."""
    if not office.hours:
        return catalog.text("offices.hours_unknown")
    groups: list[tuple[int, int, tuple[time, time]]] = []
    for position, weekday in enumerate(_WEEK):
        span = office.hours.get(weekday)
        if span is None:
            continue
        if groups and groups[-1][1] == position - 1 and groups[-1][2] == span:
            groups[-1] = (groups[-1][0], position, span)
        else:
            groups.append((position, position, span))
    parts = []
    for first, last, (opens, closes) in groups:
        days = catalog.text(f"offices.day.{_DAY_NAMES[first]}")
        if last != first:
            days = catalog.text(
                "offices.days", first=days, last=catalog.text(f"offices.day.{_DAY_NAMES[last]}")
            )
        shown_span = catalog.text("offices.span", opens=_clock(opens), closes=_clock(closes))
        parts.append(f"{days} {shown_span}")
    shown = catalog.text("offices.separator").join(parts)
    return catalog.shown_digits(shown)


def today_line(office: Office, weekday: int, catalog: Catalog) -> str:
    """Today's hours of an office («ساعت کاری امروز: ۷:۳۰ تا ۱۴»), closed, or not listed."""
    if not office.hours:
        return catalog.text("offices.hours", hours=catalog.text("offices.hours_unknown"))
    span = office.hours.get(weekday)
    if span is None:
        return catalog.text("location.closed_today")
    shown = catalog.text("offices.span", opens=_clock(span[0]), closes=_clock(span[1]))
    return catalog.text("location.today", hours=catalog.shown_digits(shown))


def office_text(office: Office, catalog: Catalog) -> str:
    """One office: name (and city), address, phones, hours, services, and the review note."""
    lines = [catalog.text("offices.item", name=office.name, address=office.address)]
    if office.city:
        lines[0] = catalog.text(
            "offices.item_in_city", name=office.name, city=office.city, address=office.address
        )
    if office.phones:
        lines.append(
            catalog.text("offices.phones", phones=catalog.text("offices.separator").join(office.phones))
        )
    lines.append(catalog.text("offices.hours", hours=hours_line(office, catalog)))
    if office.services:
        lines.append(
            catalog.text("offices.services", services=catalog.text("offices.separator").join(office.services))
        )
    if office.url:
        lines.append(office.url)
    return "\n".join(lines)


def province_text(book: OfficeBook, catalog: Catalog) -> str:
    """The provincial office's channels and the cities: what to say when no office is listed."""
    province = book.province
    lines = []
    if province.office and province.site:
        lines.append(catalog.text("offices.province", office=province.office, site=province.site))
    if province.cities:
        cities = catalog.text("offices.separator").join(province.cities)
        lines.append(catalog.text("offices.cities", province=province.title, cities=cities))
    return "\n".join(lines)


def directory_text(book: OfficeBook, catalog: Catalog) -> str:
    """Every listed office grouped by city, or (none listed) the plain statement and the channels."""
    if not book:
        return "\n\n".join(
            part for part in (catalog.text("offices.none"), province_text(book, catalog)) if part
        )
    cities = [*book.province.cities, *sorted({o.city for o in book if o.city not in book.province.cities})]
    blocks = [office_text(office, catalog) for city in cities for office in book.in_city(city)]
    if any(office.needs_review for office in book):
        blocks.append(catalog.text("offices.review_note"))
    return "\n\n".join([catalog.text("offices.title", count=len(book)), *blocks])
