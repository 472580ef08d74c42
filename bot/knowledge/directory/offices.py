"""The province's civil-registration offices (``knowledge/offices.yaml``), as staff fill them in.

The file holds the configured province (its title, the provincial office's official channels
and its cities) and ``offices:``, a list of offices::

    province:
      title: استان بوشهر
      office: اداره کل ثبت احوال استان بوشهر
      site: bocr.ir                  # a domain of official_domains.yaml, or an https page on one
      cities: [بوشهر, برازجان, ...]
      needs_review: true
    offices:
      - name: اداره ثبت احوال شهرستان ...
        city: برازجان
        address: ...
        phones: ["077 ..."]
        hours: {saturday: "07:30-14:00", sunday: "07:30-14:00", ...}   # days left out: closed
        services: [کارت ملی هوشمند, شناسنامه]
        latitude: 29.27              # optional, both or neither, inside Iran
        longitude: 51.21
        url: https://...             # optional, official domains only
        verified_on: 2026-01-10      # optional: the day it was checked against an official source
        needs_review: true

An office's city must be one of the province's cities (when the province lists them); each office
has its own name. :func:`check_offices` is the one validator: ``sabtyar kb check``, the bot's start
and the knowledge workbook's ``offices`` sheet (which the import writes as this file and reads back
here) all go through it, and it puts each problem on the line of the value at fault.

An empty office list is valid: the bot then says plainly that no office is listed yet and
points to the provincial office's channels. Nothing here is invented: staff fill it from the
official sources, and every office stays marked for review until they have.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path

from bot.calendar import latin_digits
from bot.knowledge.links import is_official, link_host
from bot.knowledge.loader import Problem, YamlNode, official_domains, read_yaml, verified_on_problem

__all__ = [
    "OFFICES_FILE",
    "WEEKDAYS",
    "Office",
    "OfficeBook",
    "Province",
    "check_offices",
    "distance_km",
    "load_offices",
    "nearest_offices",
    "read_span",
    "span_text",
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
_SPAN = re.compile(r"([0-2]?[0-9]):([0-5][0-9])\s*[-\u2013]\s*([0-2]?[0-9]):([0-5][0-9])")
#: Where an office can be: Iran lies between 24° and 40° north and between 44° and 64° east. A point
#: outside is a typing slip, or latitude and longitude swapped (no Iranian latitude is a longitude).
_BOUNDS: dict[str, tuple[int, int]] = {"latitude": (24, 40), "longitude": (44, 64)}
_PROVINCE_KEYS = frozenset({"title", "office", "site", "cities", "needs_review"})
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
    verified_on: date | None = None
    """The day staff last checked the office against an official source."""

    @property
    def located(self) -> bool:
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Province:
    title: str = ""
    office: str = ""
    site: str = ""
    cities: tuple[str, ...] = ()
    needs_review: bool = True


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


def read_span(text: str) -> tuple[int, int, int, int] | None:
    """The opening and closing hour and minute of ``07:30-14:00`` (Persian digits too), or ``None``
    when the text is not two times joined by a dash; whether they make sense is not checked."""
    found = _SPAN.fullmatch(latin_digits(text).strip())
    if found is None:
        return None
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    return h1, m1, h2, m2


def span_text(opens: time, closes: time) -> str:
    """Opening hours as the file writes them: ``07:30-14:00``."""
    return f"{opens:%H:%M}-{closes:%H:%M}"


def _texts(value: object) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return None


def _number(value: object) -> float | None:
    return None if isinstance(value, bool) or not isinstance(value, int | float) else float(value)


class _Checks:
    """The one validator of offices and the province, for the YAML file and the workbook alike (the
    workbook import writes the file and reads it back here). Each problem is on the line of the
    value at fault, so the import can name the cell it came from."""

    def __init__(self, domains: frozenset[str]) -> None:
        self.domains = domains
        self.problems: list[Problem] = []
        self.names: set[str] = set()
        self.cities: tuple[str, ...] = ()  # the province's, even when another of its values is wrong

    def problem(self, line: int, key: str, /, **values: str | int | float) -> None:
        self.problems.append(Problem.of(OFFICES_FILE, line, key, **values))

    def official(self, node: YamlNode, *, office: bool) -> None:
        """An office's https page, or the province's site (a bare domain too), on an official domain."""
        url = str(node.value).strip()
        if link_host(url) is None or ("://" not in url and office):
            self.problem(node.line, "office_url_invalid" if office else "province_url_invalid", url=url)
        elif "://" in url and not url.lower().startswith("https://"):
            self.problem(node.line, "office_url_not_https" if office else "province_url_not_https", url=url)
        elif not is_official(url, self.domains):
            self.problem(node.line, "office_url_unofficial" if office else "province_url_unofficial", url=url)

    def review(self, fields: dict[str, YamlNode], *, office: bool) -> bool:
        node = fields.get("needs_review")
        if node is not None and not isinstance(node.value, bool):
            self.problem(node.line, "office_needs_review_bool" if office else "province_needs_review_bool")
        return node is None or node.value is not False

    def hours(self, node: YamlNode | None) -> dict[int, tuple[time, time]]:
        if node is None or node.value is None:
            return {}
        if not isinstance(node.children, dict):
            self.problem(node.line, "office_hours_map")
            return {}
        hours: dict[int, tuple[time, time]] = {}
        for day, child in node.children.items():
            span = read_span(child.value) if isinstance(child.value, str) else None
            if day not in WEEKDAYS or span is None:
                self.problem(child.line, "office_hours_day", day=day, span=str(child.value))
                continue
            h1, m1, h2, m2 = span
            if h1 > 23 or h2 > 23 or (h1, m1) >= (h2, m2):
                self.problem(child.line, "office_hours_order", day=day, span=str(child.value))
                continue
            hours[WEEKDAYS[day]] = (time(h1, m1), time(h2, m2))
        return hours

    def coordinates(self, fields: dict[str, YamlNode]) -> tuple[float | None, float | None]:
        """Both or neither, each a number inside Iran (which also catches the two swapped)."""
        given = {key: fields[key] for key in _BOUNDS if key in fields and fields[key].value is not None}
        if len(given) == 1:
            [(present, node)] = given.items()
            missing = next(key for key in _BOUNDS if key != present)
            self.problem(node.line, "office_coordinates_pair", present=present, missing=missing)
        found: dict[str, float] = {}
        for key, node in given.items():
            number, (low, high) = _number(node.value), _BOUNDS[key]
            if number is None or not low <= number <= high:
                self.problem(node.line, "office_number", key=key, value=str(node.value), low=low, high=high)
            else:
                found[key] = number
        if len(found) < len(_BOUNDS):
            return None, None
        return found["latitude"], found["longitude"]

    def office(self, node: YamlNode, cities: tuple[str, ...]) -> Office | None:
        if not isinstance(node.children, dict):
            self.problem(node.line, "office_mapping")
            return None
        before = len(self.problems)
        fields = node.children
        for key in ("name", "address"):
            value = fields[key].value if key in fields else None
            if not isinstance(value, str) or not value.strip():
                self.problem(fields[key].line if key in fields else node.line, "office_text", key=key)
        name = str(fields["name"].value).strip() if "name" in fields else ""
        if name and name in self.names:
            self.problem(fields["name"].line, "office_duplicate_name", name=name)
        self.names.add(name)
        city_node = fields.get("city")
        city = city_node.value if city_node is not None and city_node.value is not None else ""
        if not isinstance(city, str):
            self.problem(city_node.line if city_node else node.line, "office_text", key="city")
        elif cities and city.strip() not in cities:
            where = city_node.line if city_node else node.line
            self.problem(where, "office_city", city=city.strip(), cities="، ".join(cities))
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("phones", "services"):
            list_node = fields.get(key)
            found = _texts(list_node.value if list_node else None)
            if found is None and list_node is not None:
                self.problem(list_node.line, "office_list", key=key)
            lists[key] = found or ()
        hours = self.hours(fields.get("hours"))
        latitude, longitude = self.coordinates(fields)
        url_node = fields.get("url")
        url = str(url_node.value or "").strip() if url_node is not None else ""
        if url_node is not None and url:
            self.official(url_node, office=True)
        checked = fields.get("verified_on")
        problem = verified_on_problem(OFFICES_FILE, checked.line, checked.value) if checked else None
        if problem is not None:
            self.problems.append(problem)
        needs_review = self.review(fields, office=True)
        for key, child in fields.items():
            if key not in _OFFICE_KEYS:
                self.problem(child.line, "office_unknown_keys", keys=key)
        if len(self.problems) > before:
            return None
        return Office(
            name=name,
            address=str(fields["address"].value).strip(),
            latitude=latitude,
            longitude=longitude,
            url=url,
            city=str(city).strip(),
            phones=lists["phones"],
            hours=hours,
            services=lists["services"],
            needs_review=needs_review,
            verified_on=checked.value if checked is not None else None,
        )

    def province(self, node: YamlNode) -> Province:
        if not isinstance(node.children, dict):
            self.problem(node.line, "province_mapping")
            return Province()
        before = len(self.problems)
        fields = node.children
        texts: dict[str, str] = {}
        for key in ("title", "office", "site"):
            value = fields[key].value if key in fields else ""
            if not isinstance(value, str | None):
                self.problem(fields[key].line, "province_text", key=key)
            texts[key] = str(value or "").strip()
        if texts["site"]:
            self.official(fields["site"], office=False)
        cities_node = fields.get("cities")
        cities = _texts(cities_node.value if cities_node else None)
        if cities is None and cities_node is not None:
            self.problem(cities_node.line, "province_list", key="cities")
        self.cities = cities or ()
        needs_review = self.review(fields, office=False)
        for key, child in fields.items():
            if key not in _PROVINCE_KEYS:
                self.problem(child.line, "province_unknown_keys", keys=key)
        if len(self.problems) > before:
            return Province()
        return Province(texts["title"], texts["office"], texts["site"], cities or (), needs_review)


def check_offices(root: YamlNode | None, domains: frozenset[str]) -> tuple[OfficeBook, list[Problem]]:
    """The province and offices of a read ``offices.yaml`` and every problem, each on its line
    (in line order). An office with a problem is left out of the book (so is the province, whose
    cities still check the offices' cities)."""
    if root is None or not isinstance(root.children, dict):
        return OfficeBook(), [Problem.of(OFFICES_FILE, root.line if root else 1, "offices_expected")]
    checks = _Checks(domains)
    province_node = root.children.get("province")
    province = Province() if province_node is None else checks.province(province_node)
    for key, child in root.children.items():
        if key not in ("province", "offices"):
            checks.problem(child.line, "offices_unknown_keys", keys=key)
    node = root.children.get("offices")
    offices: list[Office] = []
    if node is not None and node.value is not None:
        if not isinstance(node.children, list):
            checks.problem(node.line, "offices_list")
        else:
            for child in node.children:
                office = checks.office(child, checks.cities)
                if office is not None:
                    offices.append(office)
    return OfficeBook(province, tuple(offices)), sorted(checks.problems)


def load_offices(folder: Path) -> tuple[OfficeBook, list[Problem]]:
    """The province and offices of the knowledge folder (empty if the file is missing) and any problems."""
    path = folder / OFFICES_FILE
    if not path.exists():
        return OfficeBook(), []
    root, problems = read_yaml(path)
    if root is None:
        return OfficeBook(), problems
    book, found = check_offices(root, official_domains(folder))
    return book, problems + found


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
