"""Offices with coordinates (``knowledge/offices.yaml``) and the nearest ones to a shared location.

The file holds ``offices:``, a list of ``{name, address, latitude, longitude}`` with an optional
``url``; an empty list is valid (the bot then says it has no office locations yet).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.loader import Problem, read_yaml

__all__ = ["OFFICES_FILE", "Office", "distance_km", "load_offices", "nearest_offices"]

OFFICES_FILE = "offices.yaml"
_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Office:
    name: str
    address: str
    latitude: float
    longitude: float
    url: str = ""


def _office(item: object, line: int, name: str) -> tuple[Office | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [Problem.of(name, line, "office_mapping")]
    problems = [
        Problem.of(name, line, "office_text", key=key)
        for key in ("name", "address")
        if not isinstance(item.get(key), str) or not item[key].strip()
    ]
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = item.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
            problems.append(Problem.of(name, line, "office_number", key=key, bound=bound))
    unknown = sorted(set(item) - {"name", "address", "latitude", "longitude", "url"})
    if unknown:
        problems.append(Problem.of(name, line, "office_unknown_keys", keys=", ".join(unknown)))
    if problems:
        return None, problems
    url = item.get("url") or ""
    office = Office(item["name"].strip(), item["address"].strip(), item["latitude"], item["longitude"], url)
    return office, []


def load_offices(folder: Path) -> tuple[tuple[Office, ...], list[Problem]]:
    """The offices of the knowledge folder (none if the file is missing) and any problems."""
    path = folder / OFFICES_FILE
    if not path.exists():
        return (), []
    root, problems = read_yaml(path)
    if root is None or not isinstance(root.children, dict):
        return (), problems or [Problem.of(OFFICES_FILE, 1, "offices_expected")]
    node = root.children.get("offices")
    if node is None or node.value is None:
        return (), problems
    if not isinstance(node.children, list):
        return (), [Problem.of(OFFICES_FILE, node.line, "offices_list")]
    offices = []
    for child in node.children:
        office, found = _office(child.value, child.line, OFFICES_FILE)
        problems += found
        if office is not None:
            offices.append(office)
    return tuple(offices), problems


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest_offices(
    offices: tuple[Office, ...], latitude: float, longitude: float, count: int = 3
) -> list[tuple[Office, float]]:
    """The ``count`` closest offices with their distance in kilometres, closest first."""
    ranked = sorted(
        ((office, distance_km(latitude, longitude, office.latitude, office.longitude)) for office in offices),
        key=lambda pair: pair[1],
    )
    return ranked[:count]
