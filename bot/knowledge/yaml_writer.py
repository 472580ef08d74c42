"""Write one category file in the hand-edited format of ``knowledge/*.yaml``.

The canonical format, which the shipped files already follow byte for byte::

    # <header comment lines, kept from the existing file (a new file's: KbWords.header)>
    category:
      id: birth
      title: ولادت، شناسنامه و کد ملی
      title_en: Birth, birth certificate and national code
      order: 2
    entries:
      - id: birth-registration
        category: birth
        title: ...                      # plain when YAML reads it back unchanged, else "double quoted"
        title_en: ...
        questions:                      # a block list, one phrasing a line
          - ...
        keywords: [a, b]                # a flow list ([] when empty)
        answer: |                       # a literal block
          ...
        links:                          # a block list of title/url ([] when empty)
          - title: ...
            url: https://...
        follow_ups: [a, b]              # a flow list ([] when empty)
        source: "..."                   # always double quoted
        verified_on: null               # or 2025-01-31
        needs_review: true
                                        # one blank line between entries

``offices.yaml`` (:func:`write_offices`) follows the same rules, in the shape its top comment shows:
the header comment kept, ``province:`` (cities as a flow list), then ``offices:`` (``[]`` when
empty), one blank line between offices, hours a block mapping of quoted spans, the optional
``latitude``/``longitude``, ``url`` and ``verified_on`` only when given.

Every scalar is checked by reading it back, so a value YAML would misread (``yes``,
``12``, ``a: b``, a leading ``-``) is quoted instead. Writing also returns a map from
each written line to the field it holds, so a loader problem can be traced back to a
workbook cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from bot.knowledge.directory.offices import WEEKDAYS, Office, Province, span_text
from bot.knowledge.model import Category, Entry

__all__ = [
    "ENTRY_KEYS",
    "PROVINCE_RECORD",
    "LineOrigin",
    "category_record",
    "entry_record",
    "office_record",
    "province_record",
    "write_category",
    "write_offices",
]

#: Key order of an entry, as in the shipped files.
ENTRY_KEYS = (
    "id",
    "category",
    "title",
    "title_en",
    "questions",
    "keywords",
    "answer",
    "links",
    "follow_ups",
    "source",
    "verified_on",
    "needs_review",
)
# A conservative fast path: text with no YAML indicator first, no control characters, no
# ': ' or ' #' (':' and '#' are left out) and none of the flow indicators ,[]{}? (PyYAML ends
# a plain scalar at '?' inside a flow list).
_PLAIN_SAFE = re.compile(
    r"[^\s\-?:,\[\]{}#&*!|>'\"%@`~=<][^?:#,\[\]{}\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]*"
)
_WORD = re.compile(r"[A-Za-z]")  # ASCII text starting with a letter is no number or date ...
_WORDS = {"yes", "no", "true", "false", "on", "off", "null"}  # ... unless it is one of YAML 1.1's words


#: The record index of the ``province:`` block in :func:`write_offices`' line map.
PROVINCE_RECORD = -1


@dataclass(frozen=True)
class LineOrigin:
    """Where a written line came from: the record's index (-1 for the category block, or the
    province block; -2 for the header and the ``offices:`` line) and its field."""

    record: int
    field: str


def category_record(category: Category) -> dict[str, Any]:
    return {
        "id": category.id,
        "title": category.title,
        "title_en": category.title_en,
        "order": category.order,
    }


def entry_record(entry: Entry) -> dict[str, Any]:
    """The YAML mapping of an entry, keys in :data:`ENTRY_KEYS` order."""
    return {
        "id": entry.id,
        "category": entry.category,
        "title": entry.title,
        "title_en": entry.title_en,
        "questions": list(entry.questions),
        "keywords": list(entry.keywords),
        "answer": entry.answer,
        "links": [{"title": link.title, "url": link.url} for link in entry.links],
        "follow_ups": list(entry.follow_ups),
        "source": entry.source,
        "verified_on": entry.verified_on,
        "needs_review": entry.needs_review,
    }


def _reads_back(text: str, value: Any) -> bool:
    # PyYAML's own parser, not libyaml's (bot.yaml_text): it is the stricter of the two (libyaml
    # reads ``[1?]``, PyYAML refuses it), so what is written reads back with either.
    try:
        return bool(yaml.safe_load(text) == value)
    except yaml.YAMLError:
        return False


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars


def plain_reads_back(text: str, *, flow: bool = False) -> bool:
    """Whether YAML reads ``text`` written plain (in a flow list when ``flow``) back unchanged."""
    if not text or text != text.strip() or "\n" in text or text[0] == '"':
        return False
    if (
        _PLAIN_SAFE.fullmatch(text)
        and (not text.isascii() or _WORD.match(text))
        and text.lower() not in _WORDS
    ):
        return True  # not a bool, null, number or date either: YAML's implicit types are all ASCII
    return _reads_back(f"[{text}]", [text]) if flow else _reads_back(f"k: {text}\n", {"k": text})


def _scalar(text: str, *, flow: bool = False) -> str:
    """``text`` plain if YAML reads it back unchanged (in a flow list when ``flow``), else quoted."""
    return text if plain_reads_back(text, flow=flow) else _quoted(text)


def _flow_list(items: Sequence[str]) -> str:
    return "[" + ", ".join(_scalar(item, flow=True) for item in items) + "]"


def _literal(text: str, indent: str) -> str | None:
    """``text`` as a ``|`` block (lines after the key line), or None when a block cannot hold it."""
    if not text.strip() or text != text.strip():
        return None
    lines = [f"{indent}{line}" if line else "" for line in text.split("\n")]
    body = "\n".join(lines) + "\n"
    return body if _reads_back("k: |\n" + body, {"k": text + "\n"}) else None


def _date(value: date | None) -> str:
    return "null" if value is None else value.isoformat()


class _Lines:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: dict[int, LineOrigin] = {}

    def add(self, text: str, record: int, field: str) -> None:
        """Append one or more lines (``text`` may hold newlines), all from ``record``'s ``field``."""
        for line in text.split("\n"):
            self.lines.append(line)
            self.origins[len(self.lines)] = LineOrigin(record, field)


def _entry_lines(out: _Lines, index: int, entry: dict[str, Any]) -> None:
    def add(text: str, field: str) -> None:
        out.add(text, index, field)

    add(f"  - id: {_scalar(entry['id'])}", "id")
    add(f"    category: {_scalar(entry['category'])}", "category")
    add(f"    title: {_scalar(entry['title'])}", "title")
    add(f"    title_en: {_scalar(entry['title_en'])}", "title_en")
    if entry["questions"]:
        add("    questions:", "questions")
        for question in entry["questions"]:
            add(f"      - {_scalar(question)}", "questions")
    else:
        add("    questions: []", "questions")
    add(f"    keywords: {_flow_list(entry['keywords'])}", "keywords")
    block = _literal(entry["answer"], "      ")
    if block is None:
        add(f"    answer: {_quoted(entry['answer'])}", "answer")
    else:
        add("    answer: |", "answer")
        add(block.removesuffix("\n"), "answer")
    if entry["links"]:
        add("    links:", "links")
        for link in entry["links"]:
            add(f"      - title: {_scalar(link['title'])}", "links")
            add(f"        url: {_scalar(link['url'])}", "links")
    else:
        add("    links: []", "links")
    add(f"    follow_ups: {_flow_list(entry['follow_ups'])}", "follow_ups")
    add(f"    source: {_quoted(entry['source'])}", "source")
    add(f"    verified_on: {_date(entry['verified_on'])}", "verified_on")
    add(f"    needs_review: {'true' if entry['needs_review'] else 'false'}", "needs_review")


def write_category(
    header: str, category: dict[str, Any], entries: Sequence[dict[str, Any]]
) -> tuple[str, dict[int, LineOrigin]]:
    """The file text and, for each 1-based line, the record (-1: category block) and field it holds."""
    out = _Lines()
    if header:
        out.add(header.removesuffix("\n"), -1, "")
    out.add("category:", -1, "id")
    out.add(f"  id: {_scalar(category['id'])}", -1, "id")
    out.add(f"  title: {_scalar(category['title'])}", -1, "title")
    out.add(f"  title_en: {_scalar(category['title_en'])}", -1, "title_en")
    out.add(f"  order: {int(category['order'])}", -1, "order")
    if not entries:
        out.add("entries: []", -1, "")
    else:
        out.add("entries:", -1, "")
    for index, entry in enumerate(entries):
        if index:
            out.add("", index, "id")
        _entry_lines(out, index, entry)
    return "\n".join(out.lines) + "\n", out.origins


def province_record(province: Province) -> dict[str, Any] | None:
    """The ``province:`` mapping, or ``None`` when the file has none (nothing in it)."""
    if not (province.title or province.office or province.site or province.cities):
        return None
    return {
        "title": province.title,
        "office": province.office,
        "site": province.site,
        "cities": list(province.cities),
        "needs_review": province.needs_review,
    }


def office_record(office: Office) -> dict[str, Any]:
    """An office's YAML mapping; ``hours`` by day name in the week's order."""
    days = {number: name for name, number in WEEKDAYS.items()}
    return {
        "name": office.name,
        "city": office.city,
        "address": office.address,
        "phones": list(office.phones),
        "hours": {days[n]: span_text(*office.hours[n]) for n in WEEKDAYS.values() if n in office.hours},
        "services": list(office.services),
        "latitude": office.latitude,
        "longitude": office.longitude,
        "url": office.url,
        "verified_on": office.verified_on,
        "needs_review": office.needs_review,
    }


def _value(value: Any) -> str:
    """A coordinate: a number as Python writes it (YAML reads it back the same), anything else as text."""
    if isinstance(value, float | int) and not isinstance(value, bool):
        return repr(float(value))
    return _scalar(str(value))


def _office_lines(out: _Lines, index: int, office: dict[str, Any]) -> None:
    def add(text: str, field: str) -> None:
        out.add(text, index, field)

    add(f"  - name: {_scalar(office['name'])}", "name")
    add(f"    city: {_scalar(office['city'])}", "city")
    add(f"    address: {_scalar(office['address'])}", "address")
    add(f"    phones: {_flow_list(office['phones'])}", "phones")
    if office["hours"]:
        add("    hours:", "hours")
        for day, span in office["hours"].items():
            add(f"      {day}: {_quoted(span)}", day)
    else:
        add("    hours: {}", "hours")
    add(f"    services: {_flow_list(office['services'])}", "services")
    for key in ("latitude", "longitude"):
        if office[key] not in (None, ""):
            add(f"    {key}: {_value(office[key])}", key)
    if office["url"]:
        add(f"    url: {_scalar(office['url'])}", "url")
    if office["verified_on"] is not None:
        add(f"    verified_on: {_date(office['verified_on'])}", "verified_on")
    add(f"    needs_review: {'true' if office['needs_review'] else 'false'}", "needs_review")


def write_offices(
    header: str, province: dict[str, Any] | None, offices: Sequence[dict[str, Any]]
) -> tuple[str, dict[int, LineOrigin]]:
    """``offices.yaml``'s text and, for each 1-based line, the record (:data:`PROVINCE_RECORD`, an
    office's index, or -2) and the field it holds."""
    out = _Lines()
    if header:
        out.add(header.removesuffix("\n"), -2, "")
    if province is not None:
        out.add("province:", PROVINCE_RECORD, "title")
        for key in ("title", "office", "site"):
            out.add(f"  {key}: {_scalar(province[key])}", PROVINCE_RECORD, key)
        out.add(f"  cities: {_flow_list(province['cities'])}", PROVINCE_RECORD, "cities")
        review = "true" if province["needs_review"] else "false"
        out.add(f"  needs_review: {review}", PROVINCE_RECORD, "needs_review")
    out.add("offices:" if offices else "offices: []", -2, "")
    for index, office in enumerate(offices):
        if index:
            out.add("", index, "name")
        _office_lines(out, index, office)
    return "\n".join(out.lines) + "\n", out.origins
