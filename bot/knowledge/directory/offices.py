"""The province's civil-registration offices (``knowledge/offices.yaml``), as staff fill them in.

The file holds the configured province (its title, the provincial office's official channels
and its cities) and ``offices:``, a list of offices::

    province:
      title: استان بوشهر
      office: اداره کل ثبت احوال استان بوشهر
      site: bocr.ir                  # a domain of official_domains.yaml, or an https page on one
      cities: [بوشهر, برازجان, ...]
    offices:
      - name: اداره ثبت احوال شهرستان ...
        city: برازجان
        address: ...
        phones: ["077 ..."]
        hours: {saturday: "07:30-14:00", sunday: "07:30-14:00", ...}   # days left out: closed
        services: [کارت ملی هوشمند, شناسنامه]
        latitude: 29.27              # optional, both or neither
        longitude: 51.21
        url: https://...             # optional, official domains only
        needs_review: true

An empty office list is valid: the bot then says plainly that no office is listed yet and
points to the provincial office's channels. Nothing here is invented: staff fill it from the
official sources, and every office stays marked for review until they have.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from bot.knowledge.loader import Problem, read_yaml

__all__ = [
    "OFFICES_FILE",
    "WEEKDAYS",
    "Office",
    "OfficeBook",
    "Province",
    "distance_km",
    "load_offices",
    "nearest_offices",
]

OFFICES_FILE = "offices.yaml"
#: The week as the offices' ``hours`` name it, in Iran's order, with Python's weekday numbers.
WEEKDAYS: dict[str, int] = {
    "saturday": 5,
    "sunday": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
}
_EARTH_RADIUS_KM = 6371.0
_SPAN = re.compile(r"([0-2]?\d):([0-5]\d)\s*-\s*([0-2]?\d):([0-5]\d)")
_OFFICE_KEYS = {
    "name",
    "city",
    "address",
    "phones",
    "hours",
    "services",
    "latitude",
    "longitude",
    "url",
    "verified_on",
    "needs_review",
}


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    url: str = ""
    city: str = ""
    phones: tuple[str, ...] = ()
    hours: Mapping[int, tuple[time, time]] = field(default_factory=dict)
    """Opening hours per Python weekday (Monday 0); a day that is absent is a closed day."""
    services: tuple[str, ...] = ()
    needs_review: bool = True

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Province:
    title: str = ""
    office: str = ""
    site: str = ""
    cities: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeBook:
    """The province and its offices; ``bool(book)`` is whether any office is listed."""

    province: Province = field(default_factory=Province)
    offices: tuple[Office, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.offices)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.offices)

    def __len__(self) -> int:
        return len(self.offices)

    def located(self) -> tuple[Office, ...]:
        return tuple(office for office in self.offices if office.located)

    def in_city(self, city: str) -> tuple[Office, ...]:
        return tuple(office for office in self.offices if office.city == city)


def _texts(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None


def _hours(value: object, line: int, problem: list[Problem]) -> dict[int, tuple[time, time]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problem.append(Problem.of(OFFICES_FILE, line, "office_hours_map"))
        return {}
    hours: dict[int, tuple[time, time]] = {}
    for day, span in value.items():
        found = _SPAN.fullmatch(str(span).strip()) if isinstance(span, str) else None
        if day not in WEEKDAYS or found is None:
            problem.append(Problem.of(OFFICES_FILE, line, "office_hours_day", day=str(day), span=str(span)))
            continue
        h1, m1, h2, m2 = (int(part) for part in found.groups())
        if h1 > 23 or h2 > 23 or (h1, m1) >= (h2, m2):
            problem.append(Problem.of(OFFICES_FILE, line, "office_hours_order", day=str(day), span=str(span)))
            continue
        hours[WEEKDAYS[day]] = (time(h1, m1), time(h2, m2))
    return hours


def _office(item: object, line: int) -> tuple[Office | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [Problem.of(OFFICES_FILE, line, "office_mapping")]
    messages: list[Problem] = [
        Problem.of(OFFICES_FILE, line, "office_text", key=key)
        for key in ("name", "address")
        if not isinstance(item.get(key), str) or not item[key].strip()
    ]
    coordinates = [item.get("latitude"), item.get("longitude")]
    if any(value is not None for value in coordinates):
        for key, bound, value in (("latitude", 90, coordinates[0]), ("longitude", 180, coordinates[1])):
            if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                messages.append(Problem.of(OFFICES_FILE, line, "office_number", key=key, bound=bound))
    phones, services = _texts(item.get("phones")), _texts(item.get("services"))
    if phones is None:
        messages.append(Problem.of(OFFICES_FILE, line, "office_list", key="phones"))
    if services is None:
        messages.append(Problem.of(OFFICES_FILE, line, "office_list", key="services"))
    city = item.get("city", "")
    if not isinstance(city, str):
        messages.append(Problem.of(OFFICES_FILE, line, "office_text", key="city"))
    hours = _hours(item.get("hours"), line, messages)
    unknown = sorted(set(item) - _OFFICE_KEYS)
    if unknown:
        messages.append(Problem.of(OFFICES_FILE, line, "office_unknown_keys", keys=", ".join(unknown)))
    if messages:
        return None, messages
    latitude, longitude = coordinates
    office = Office(
        name=item["name"].strip(),
        address=item["address"].strip(),
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
        url=str(item.get("url") or ""),
        city=str(city).strip(),
        phones=phones or (),
        hours=hours,
        services=services or (),
        needs_review=item.get("needs_review") is not False,
    )
    return office, []


def _province(value: object, line: int) -> tuple[Province, list[Problem]]:
    if value is None:
        return Province(), []
    if not isinstance(value, dict):
        return Province(), [Problem.of(OFFICES_FILE, line, "province_mapping")]
    cities = _texts(value.get("cities"))
    texts = {key: value.get(key, "") for key in ("title", "office", "site")}
    problems = [
        Problem.of(OFFICES_FILE, line, "province_text", key=key)
        for key, text in texts.items()
        if not isinstance(text, str)
    ]
    if cities is None:
        problems.append(Problem.of(OFFICES_FILE, line, "province_list", key="cities"))
    unknown = sorted(set(value) - {"title", "office", "site", "cities", "needs_review"})
    if unknown:
        problems.append(Problem.of(OFFICES_FILE, line, "province_unknown_keys", keys=", ".join(unknown)))
    if problems:
        return Province(), problems
    return Province(texts["title"].strip(), texts["office"].strip(), texts["site"].strip(), cities or ()), []


def load_offices(folder: Path) -> tuple[OfficeBook, list[Problem]]:
    """The province and offices of the knowledge folder (empty if the file is missing) and any problems."""
    path = folder / OFFICES_FILE
    if not path.exists():
        return OfficeBook(), []
    root, problems = read_yaml(path)
    if root is None or not isinstance(root.children, dict):
        return OfficeBook(), problems or [Problem.of(OFFICES_FILE, 1, "offices_expected")]
    province_node = root.children.get("province")
    province, found = (
        _province(province_node.value, province_node.line) if province_node is not None else (Province(), [])
    )
    problems += found
    node = root.children.get("offices")
    if node is None or node.value is None:
        return OfficeBook(province), problems
    if not isinstance(node.children, list):
        return OfficeBook(province), [*problems, Problem.of(OFFICES_FILE, node.line, "offices_list")]
    offices = []
    for child in node.children:
        office, found = _office(child.value, child.line)
        problems += found
        if office is not None:
            offices.append(office)
    return OfficeBook(province, tuple(offices)), problems


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest_offices(
    offices: tuple[Office, ...] | OfficeBook, latitude: float, longitude: float, count: int = 3
) -> list[tuple[Office, float]]:
    """The ``count`` closest offices that have coordinates, with their distance in km, closest first."""
    located = [office for office in offices if office.latitude is not None and office.longitude is not None]
    ranked = sorted(
        ((office, distance_km(latitude, longitude, office.latitude, office.longitude)) for office in located),  # type: ignore[arg-type]
        key=lambda pair: pair[1],
    )
    return ranked[:count]
