"""Read and validate the knowledge folder, reporting every problem with file and line.

The folder holds one YAML file per category, plus ``synonyms.yaml``,
``language.yaml`` and ``official_domains.yaml`` (see :mod:`bot.engine.lexicon`).
Validation is all-or-nothing: :func:`load_knowledge` raises
:class:`KnowledgeError` listing every problem found, never a partial base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jdatetime
import yaml

from bot.calendar import iran_day, jalali_text
from bot.knowledge.links import addresses_in, is_official, link_host
from bot.knowledge.model import Category, Entry, KnowledgeBase, Link
from bot.messages import Message
from bot.yaml_text import SAFE_LOADER

__all__ = [
    "DATA_FILES",
    "FIRST_VERIFIED_ON",
    "MAX_ANSWER_CHARS",
    "MIN_QUESTIONS",
    "KnowledgeError",
    "Problem",
    "YamlNode",
    "check_knowledge",
    "load_knowledge",
    "official_domains",
    "read_yaml",
    "unofficial_links",
    "verified_on_problem",
]

#: Files of the knowledge folder that are not categories.
DATA_FILES = frozenset(
    {"synonyms.yaml", "language.yaml", "official_domains.yaml", "offices.yaml", "holidays.yaml"}
)
MAX_ANSWER_CHARS = 4096
MIN_QUESTIONS = 5
#: The earliest ``verified_on`` accepted: 1 Farvardin 1300 (an earlier date is a Jalali date
#: stored as if it were Gregorian).
FIRST_VERIFIED_ON: date = jdatetime.date(1300, 1, 1).togregorian()

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_ENTRY_FIELDS = {
    "id": True,
    "category": True,
    "title": True,
    "questions": True,
    "answer": True,
    "links": True,
    "follow_ups": True,
    "keywords": False,
    "title_en": False,
    "source": False,
    "verified_on": False,
    "needs_review": False,
}


@dataclass(frozen=True, order=True)
class Problem:
    """A problem at a line of a file; ``note`` is its text's key (``kb.problem.*``) and values."""

    file: str
    line: int
    note: Message

    @classmethod
    def of(cls, file: str, line: int, key: str, /, **values: str | int | float) -> Problem:
        """``Problem.of("a.yaml", 3, "missing_field", entry="x", field="answer")``."""
        return cls(file, line, Message.of(f"kb.problem.{key}", **values))

    @property
    def key(self) -> str:
        """The key under ``kb.problem.``."""
        return self.note.key.removeprefix("kb.problem.")

    @property
    def message(self) -> str:
        """The problem in English (logs; the command line words it in the configured language)."""
        return str(self.note)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge folder has problems; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class _Node:
    """A YAML value with the line it starts on (1-based)."""

    value: Any
    line: int
    children: dict[str, _Node] | list[_Node] | None = None


#: A YAML value with its line, as :func:`read_yaml` gives it (for the data files' own checks).
YamlNode = _Node


def _wrap(node: yaml.Node, loader: yaml.SafeLoader) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        children = {
            str(loader.construct_object(key, deep=True)): _wrap(value, loader) for key, value in node.value
        }
        return _Node({key: child.value for key, child in children.items()}, line, children)
    if isinstance(node, yaml.SequenceNode):
        items = [_wrap(item, loader) for item in node.value]
        return _Node([item.value for item in items], line, items)
    return _Node(loader.construct_object(node, deep=True), line)


def _parse(text: str, loader_class: type[yaml.SafeLoader]) -> _Node | None:
    """The file's single document with its lines, or None when it holds none; raises YAMLError."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _wrap(node, loader)
    finally:
        loader.dispose()


def read_yaml(path: Path) -> tuple[_Node | None, list[Problem]]:
    """Parse one YAML file, keeping line numbers; a syntax error becomes a problem.

    A file the fast parser refuses is parsed again by PyYAML's own, whose error names the
    offending character (libyaml's words it less precisely), so the problem reads the same
    with or without libyaml."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem.of(name, 0, "cannot_read", error=str(error))]
    try:
        root = _parse(text, SAFE_LOADER)
    except (yaml.YAMLError, ValueError):
        try:
            root = _parse(text, yaml.SafeLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark else 0
            problem = str(getattr(error, "problem", error))
            return None, [Problem.of(name, line, "yaml_error", error=problem)]
    if root is None:
        return None, [Problem.of(name, 1, "empty_file")]
    return root, []


def unofficial_links(text: str, folder: Path) -> list[str]:
    """The web addresses in ``text`` (also ``www.…`` and bare domains) that do not go to a domain of
    the folder's ``official_domains.yaml``, or that are not valid addresses at all."""
    domains, _problems = _read_domains(folder)
    return [url for url in addresses_in(text) if not is_official(url, domains)]


def _strings(node: _Node | None) -> bool:
    return (
        node is not None
        and isinstance(node.value, list)
        and all(isinstance(item, str) and item.strip() for item in node.value)
    )


class _CategoryReader:
    """Turns one category file's nodes into a Category and Entries, collecting problems."""

    def __init__(self, name: str, domains: frozenset[str]) -> None:
        self.name = name
        self.domains = domains
        self.problems: list[Problem] = []
        self.ids: set[str] = set()  # every entry id read, the rejected entries' too

    def problem(self, line: int, key: str, /, **values: str | int | float) -> None:
        self.problems.append(Problem.of(self.name, line, key, **values))

    def read(self, root: _Node) -> tuple[Category | None, list[Entry]]:
        if not isinstance(root.children, dict):
            self.problem(root.line, "not_mapping")
            return None, []
        category_node = root.children.get("category")
        entries_node = root.children.get("entries")
        if category_node is None or not isinstance(category_node.children, dict):
            self.problem(root.line, "no_category")
            return None, []
        category_id = category_node.value.get("id")
        title = category_node.value.get("title")
        if not isinstance(category_id, str) or not _ID.match(category_id):
            self.problem(category_node.line, "category_id")
            return None, []
        if not isinstance(title, str) or not title.strip():
            self.problem(category_node.line, "category_title")
        if entries_node is None or not isinstance(entries_node.children, list):
            self.problem(root.line, "no_entries")
            return None, []
        entries = [
            entry
            for item in entries_node.children
            if (entry := self.read_entry(item, category_id)) is not None
        ]
        order = category_node.value.get("order", 0)
        category = Category(
            id=category_id,
            title=str(title or category_id),
            title_en=str(category_node.value.get("title_en") or ""),
            order=order if isinstance(order, int) else 0,
            entry_ids=tuple(entry.id for entry in entries),
        )
        return category, entries

    def read_entry(self, node: _Node, category_id: str) -> Entry | None:
        if not isinstance(node.children, dict):
            self.problem(node.line, "entry_not_mapping")
            return None
        fields = node.children
        label = str(fields["id"].value) if "id" in fields else "?"
        self.ids.add(label)
        before = len(self.problems)
        for key, required in _ENTRY_FIELDS.items():
            if required and key not in fields:
                self.problem(node.line, "missing_field", entry=label, field=key)
        for key, child in fields.items():
            if key not in _ENTRY_FIELDS:
                self.problem(child.line, "unknown_field", entry=label, field=key)
        entry_id = fields.get("id")
        if entry_id is not None and not (isinstance(entry_id.value, str) and _ID.match(entry_id.value)):
            self.problem(entry_id.line, "entry_id", entry=label)
        category = fields.get("category")
        if category is not None and category.value != category_id:
            self.problem(
                category.line,
                "wrong_category",
                entry=label,
                category=str(category.value),
                file_category=category_id,
            )
        for key in ("title", "answer"):
            text_node = fields.get(key)
            if text_node is not None and not (isinstance(text_node.value, str) and text_node.value.strip()):
                self.problem(text_node.line, "empty_text", entry=label, field=key)
        answer = fields.get("answer")
        text = answer.value if answer is not None and isinstance(answer.value, str) else ""
        answer_line = answer.line if answer is not None else node.line
        for address in addresses_in(text):
            if link_host(address) is None:
                self.problem(answer_line, "answer_address_invalid", entry=label, url=address)
            elif not is_official(address, self.domains):
                self.problem(answer_line, "answer_address_unofficial", entry=label, url=address)
        answer_length = len(text.strip())
        if answer is not None and answer_length > MAX_ANSWER_CHARS:
            self.problem(
                answer.line, "answer_too_long", entry=label, count=answer_length, limit=MAX_ANSWER_CHARS
            )
        questions = fields.get("questions")
        if questions is not None:
            if not _strings(questions):
                self.problem(questions.line, "list_not_texts", entry=label, field="questions")
            elif len(questions.value) < MIN_QUESTIONS:
                self.problem(
                    questions.line,
                    "too_few_questions",
                    entry=label,
                    count=len(questions.value),
                    minimum=MIN_QUESTIONS,
                )
        for key in ("follow_ups", "keywords"):
            list_node = fields.get(key)
            if list_node is not None and list_node.value is not None and not _strings(list_node):
                self.problem(list_node.line, "list_not_texts", entry=label, field=key)
        links = self.read_links(fields.get("links"), label)
        self.check_verified_on(fields.get("verified_on"), label)
        review = fields.get("needs_review")
        if review is not None and not isinstance(review.value, bool):
            self.problem(review.line, "needs_review_bool", entry=label)
        if len(self.problems) > before or entry_id is None:
            return None
        values = {key: child.value for key, child in fields.items()}
        return Entry(
            id=values["id"],
            category=category_id,
            title=values["title"].strip(),
            questions=tuple(q.strip() for q in values["questions"]),
            answer=values["answer"].strip(),
            links=links,
            follow_ups=tuple(values.get("follow_ups") or ()),
            keywords=tuple(k.strip() for k in values.get("keywords") or ()),
            title_en=str(values.get("title_en") or ""),
            source=str(values.get("source") or ""),
            verified_on=values.get("verified_on"),
            needs_review=bool(values.get("needs_review", False)),
            source_file=self.name,
            source_line=node.line,
        )

    def check_verified_on(self, node: _Node | None, label: str) -> None:
        """A date (or null), from 1 Farvardin 1300 to today (Iran time)."""
        problem = verified_on_problem(self.name, node.line, node.value, label) if node is not None else None
        if problem is not None:
            self.problems.append(problem)

    def read_links(self, node: _Node | None, label: str) -> tuple[Link, ...]:
        if node is None or node.value is None:
            return ()
        if not isinstance(node.children, list):
            self.problem(node.line, "links_not_list", entry=label)
            return ()
        links = []
        for item in node.children:
            value = item.value
            if not isinstance(value, dict) or not isinstance(value.get("url"), str):
                self.problem(item.line, "link_fields", entry=label)
                continue
            url = value["url"].strip()
            if link_host(url) is None or "://" not in url:
                self.problem(item.line, "link_invalid", entry=label, url=url)
            elif not url.lower().startswith("https://"):
                self.problem(item.line, "link_not_https", entry=label, url=url)
            elif not is_official(url, self.domains):
                self.problem(item.line, "link_unofficial", entry=label, url=url)
            links.append(Link(title=str(value.get("title") or url), url=url))
        return tuple(links)


def verified_on_problem(file: str, line: int, value: object, entry: str | None = None) -> Problem | None:
    """The problem of a ``verified_on`` value of an entry (``entry``: its id) or of an office
    (``None``): it must be a date from 1 Farvardin 1300 to today (Iran time), or no date."""
    if value is None:
        return None
    label = {} if entry is None else {"entry": entry}
    answer = entry is not None
    if not isinstance(value, date):
        return Problem.of(
            file, line, "verified_on_not_date" if answer else "office_verified_on_not_date", **label
        )
    day = value.isoformat()
    if value > iran_day(datetime.now(UTC)):  # said as staff wrote it: the Jalali date
        return Problem.of(
            file,
            line,
            "verified_on_future" if answer else "office_verified_on_future",
            date=jalali_text(value),
            **label,
        )
    if value < FIRST_VERIFIED_ON:
        return Problem.of(
            file, line, "verified_on_too_old" if answer else "office_verified_on_too_old", date=day, **label
        )
    return None


def official_domains(folder: Path) -> frozenset[str]:
    """The domains of the folder's ``official_domains.yaml`` (its problems are ``check_knowledge``'s)."""
    return _read_domains(folder)[0]


def _read_domains(folder: Path) -> tuple[frozenset[str], list[Problem]]:
    path = folder / "official_domains.yaml"
    if not path.exists():
        return frozenset(), [Problem.of(path.name, 0, "domains_missing")]
    root, problems = read_yaml(path)
    domains = root.value.get("domains") if root and isinstance(root.value, dict) else None
    if not problems and not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
        problems.append(Problem.of(path.name, root.line if root else 0, "domains_not_list"))
        domains = []
    return frozenset(d.lower().strip() for d in domains or ()), problems


def _cross_checks(entries: list[Entry], ids: set[str]) -> list[Problem]:
    """Duplicate ids, unknown follow-ups and phrasings of two entries. A follow-up to an entry
    rejected for its own problem is not said again (``ids``: every entry id read)."""
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            where = f"{first.source_file}:{first.source_line}"
            problems.append(
                Problem.of(entry.source_file, entry.source_line, "duplicate_id", entry=entry.id, first=where)
            )
        else:
            seen[entry.id] = entry
    owners: dict[str, str] = {}
    for entry in seen.values():
        for follow_up in entry.follow_ups:
            if follow_up not in seen and follow_up not in ids:
                problems.append(
                    Problem.of(
                        entry.source_file,
                        entry.source_line,
                        "unknown_follow_up",
                        entry=entry.id,
                        follow_up=follow_up,
                    )
                )
        for question in entry.questions:
            key = " ".join(question.split())
            owner = owners.setdefault(key, entry.id)
            if owner != entry.id:
                problems.append(
                    Problem.of(
                        entry.source_file,
                        entry.source_line,
                        "duplicate_question",
                        entry=entry.id,
                        question=question,
                        owner=owner,
                    )
                )
    return problems


def check_knowledge(folder: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate the folder; return the knowledge base only when there is no problem."""
    if not folder.is_dir():
        return None, [Problem.of(str(folder), 0, "no_folder")]
    domains, problems = _read_domains(folder)
    categories: list[Category] = []
    entries: list[Entry] = []
    ids: set[str] = set()
    category_files = sorted(p for p in folder.glob("*.yaml") if p.name not in DATA_FILES)
    if not category_files:
        problems.append(Problem.of(str(folder), 0, "no_category_files"))
    for path in category_files:
        root, file_problems = read_yaml(path)
        problems.extend(file_problems)
        if root is None:
            continue
        reader = _CategoryReader(path.name, domains)
        category, file_entries = reader.read(root)
        problems.extend(reader.problems)
        ids |= reader.ids
        if category is not None:
            if any(c.id == category.id for c in categories):
                problems.append(Problem.of(path.name, root.line, "duplicate_category", category=category.id))
            categories.append(category)
            entries.extend(file_entries)
    problems.extend(_cross_checks(entries, ids))
    if problems:
        return None, sorted(problems)
    categories.sort(key=lambda c: (c.order, c.id))
    return KnowledgeBase(tuple(categories), {entry.id: entry for entry in entries}), []


def load_knowledge(folder: Path) -> KnowledgeBase:
    """Load a valid knowledge base or raise :class:`KnowledgeError` with every problem."""
    knowledge, problems = check_knowledge(folder)
    if knowledge is None:
        raise KnowledgeError(problems)
    return knowledge
