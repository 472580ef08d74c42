"""Iran's official holidays: the maintained ``holidays`` library, corrected by staff in
``knowledge/holidays.yaml`` (lunar holidays move by a day when the moon is sighted, and the
government announces extra closures)::

    extra: ["1405-01-25"]            # Jalali or Gregorian days the offices are also closed
    not_holidays: []                 # days the library lists that are working days after all
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from bot.calendar import parse_day
from bot.knowledge.loader import Problem, read_yaml

__all__ = ["HOLIDAYS_FILE", "Holidays", "load_holidays"]

HOLIDAYS_FILE = "holidays.yaml"


@lru_cache(maxsize=8)
def _official(year: int) -> frozenset[date]:
    import holidays as library  # only when a day is looked up

    return frozenset(library.country_holidays("IR", years=[year]))


@dataclass(frozen=True)
class Holidays:
    extra: frozenset[date] = field(default_factory=frozenset)
    not_holidays: frozenset[date] = field(default_factory=frozenset)

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date) or day in self.not_holidays:
            return False
        return day in self.extra or day in _official(day.year)


def _days(node: object, line: int, key: str) -> tuple[frozenset[date], list[Problem]]:
    if node is None:
        return frozenset(), []
    if not isinstance(node, list):
        return frozenset(), [Problem.of(HOLIDAYS_FILE, line, "holidays_list", key=key)]
    days, problems = set(), []
    for item in node:
        try:
            days.add(parse_day(str(item)))
        except ValueError:
            problems.append(Problem.of(HOLIDAYS_FILE, line, "holidays_day", key=key, day=str(item)))
    return frozenset(days), problems


def load_holidays(folder: Path) -> tuple[Holidays, list[Problem]]:
    """The staff's corrections (none if the file is missing) on top of the library's list."""
    path = folder / HOLIDAYS_FILE
    if not path.exists():
        return Holidays(), []
    root, problems = read_yaml(path)
    if root is None or not isinstance(root.children, dict):
        return Holidays(), problems or [Problem.of(HOLIDAYS_FILE, 1, "holidays_expected")]
    found: dict[str, frozenset[date]] = {}
    for key in ("extra", "not_holidays"):
        node = root.children.get(key)
        found[key], more = _days(node.value if node else None, node.line if node else 1, key)
        problems += more
    unknown = sorted(set(root.children) - {"extra", "not_holidays"})
    if unknown:
        problems.append(Problem.of(HOLIDAYS_FILE, 1, "holidays_unknown_keys", keys=", ".join(unknown)))
    return Holidays(found["extra"], found["not_holidays"]), problems
