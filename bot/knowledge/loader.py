"""Read and validate the knowledge folder, reporting every problem with file and line.

The folder holds one YAML file per category, plus ``synonyms.yaml``,
``language.yaml`` and ``official_domains.yaml`` (see :mod:`bot.engine.lexicon`).
Validation is all-or-nothing: :func:`load_knowledge` raises
:class:`KnowledgeError` listing every problem found, never a partial base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.links import addresses_in, is_official, link_host
from bot.knowledge.model import Category, Entry, KnowledgeBase, Link

__all__ = [
    "DATA_FILES",
    "MAX_ANSWER_CHARS",
    "MIN_QUESTIONS",
    "KnowledgeError",
    "Problem",
    "check_knowledge",
    "load_knowledge",
    "read_yaml",
    "unofficial_links",
]

#: Files of the knowledge folder that are not categories.
DATA_FILES = frozenset({"synonyms.yaml", "language.yaml", "official_domains.yaml", "offices.yaml"})
MAX_ANSWER_CHARS = 4096
MIN_QUESTIONS = 5

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
    file: str
    line: int
    message: str

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


def read_yaml(path: Path) -> tuple[_Node | None, list[Problem]]:
    """Parse one YAML file, keeping line numbers; a syntax error becomes a problem."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [Problem(name, 0, f"cannot read file: {error}")]
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, [Problem(name, 1, "file is empty")]
        return _wrap(node, loader), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        return None, [Problem(name, line, f"YAML error: {getattr(error, 'problem', error)}")]
    finally:
        loader.dispose()


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

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, message))

    def read(self, root: _Node) -> tuple[Category | None, list[Entry]]:
        if not isinstance(root.children, dict):
            self.problem(root.line, "the file must be a mapping with 'category' and 'entries'")
            return None, []
        category_node = root.children.get("category")
        entries_node = root.children.get("entries")
        if category_node is None or not isinstance(category_node.children, dict):
            self.problem(root.line, "missing 'category' mapping (id, title)")
            return None, []
        category_id = category_node.value.get("id")
        title = category_node.value.get("title")
        if not isinstance(category_id, str) or not _ID.match(category_id):
            self.problem(category_node.line, "category.id must be a lowercase slug")
            return None, []
        if not isinstance(title, str) or not title.strip():
            self.problem(category_node.line, "category.title is missing")
        if entries_node is None or not isinstance(entries_node.children, list):
            self.problem(root.line, "missing 'entries' list")
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
            self.problem(node.line, "an entry must be a mapping")
            return None
        fields = node.children
        label = f"entry {fields['id'].value}" if "id" in fields else "entry"
        before = len(self.problems)
        for key, required in _ENTRY_FIELDS.items():
            if required and key not in fields:
                self.problem(node.line, f"{label}: missing field '{key}'")
        for key, child in fields.items():
            if key not in _ENTRY_FIELDS:
                self.problem(child.line, f"{label}: unknown field '{key}'")
        entry_id = fields.get("id")
        if entry_id is not None and not (isinstance(entry_id.value, str) and _ID.match(entry_id.value)):
            self.problem(entry_id.line, f"{label}: id must be a lowercase slug like 'smartcard-lost'")
        category = fields.get("category")
        if category is not None and category.value != category_id:
            self.problem(
                category.line, f"{label}: category '{category.value}' is not the file's '{category_id}'"
            )
        for key in ("title", "answer"):
            text_node = fields.get(key)
            if text_node is not None and not (isinstance(text_node.value, str) and text_node.value.strip()):
                self.problem(text_node.line, f"{label}: '{key}' must be non-empty text")
        answer = fields.get("answer")
        text = answer.value if answer is not None and isinstance(answer.value, str) else ""
        answer_line = answer.line if answer is not None else node.line
        for address in addresses_in(text):
            if link_host(address) is None:
                self.problem(answer_line, f"{label}: answer: {address!r} is not a valid web address")
            elif not is_official(address, self.domains):
                self.problem(answer_line, f"{label}: answer: link {address} is not on an official domain")
        answer_length = len(text.strip())
        if answer is not None and answer_length > MAX_ANSWER_CHARS:
            self.problem(
                answer.line, f"{label}: answer has {answer_length} characters, more than {MAX_ANSWER_CHARS}"
            )
        questions = fields.get("questions")
        if questions is not None:
            if not _strings(questions):
                self.problem(questions.line, f"{label}: 'questions' must be a list of texts")
            elif len(questions.value) < MIN_QUESTIONS:
                self.problem(
                    questions.line,
                    f"{label}: {len(questions.value)} questions, at least {MIN_QUESTIONS} needed",
                )
        for key in ("follow_ups", "keywords"):
            list_node = fields.get(key)
            if list_node is not None and list_node.value is not None and not _strings(list_node):
                self.problem(list_node.line, f"{label}: '{key}' must be a list of texts")
        links = self.read_links(fields.get("links"), label)
        verified = fields.get("verified_on")
        if verified is not None and verified.value is not None and not isinstance(verified.value, date):
            self.problem(verified.line, f"{label}: verified_on must be a date YYYY-MM-DD or null")
        review = fields.get("needs_review")
        if review is not None and not isinstance(review.value, bool):
            self.problem(review.line, f"{label}: needs_review must be true or false")
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

    def read_links(self, node: _Node | None, label: str) -> tuple[Link, ...]:
        if node is None or node.value is None:
            return ()
        if not isinstance(node.children, list):
            self.problem(node.line, f"{label}: 'links' must be a list of {{title, url}}")
            return ()
        links = []
        for item in node.children:
            value = item.value
            if not isinstance(value, dict) or not isinstance(value.get("url"), str):
                self.problem(item.line, f"{label}: a link needs 'title' and 'url'")
                continue
            url = value["url"].strip()
            if link_host(url) is None or "://" not in url:
                self.problem(item.line, f"{label}: link {url!r} is not a valid web address")
            elif not url.lower().startswith("https://"):
                self.problem(item.line, f"{label}: link {url} is not https")
            elif not is_official(url, self.domains):
                self.problem(item.line, f"{label}: link {url} is not on an official domain")
            links.append(Link(title=str(value.get("title") or url), url=url))
        return tuple(links)


def _read_domains(folder: Path) -> tuple[frozenset[str], list[Problem]]:
    path = folder / "official_domains.yaml"
    if not path.exists():
        return frozenset(), [Problem(path.name, 0, "missing: list the official link domains")]
    root, problems = read_yaml(path)
    domains = root.value.get("domains") if root and isinstance(root.value, dict) else None
    if not problems and not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
        problems.append(Problem(path.name, root.line if root else 0, "'domains' must be a list"))
        domains = []
    return frozenset(d.lower().strip() for d in domains or ()), problems


def _cross_checks(entries: list[Entry]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry.id in seen:
            first = seen[entry.id]
            problems.append(
                Problem(
                    entry.source_file,
                    entry.source_line,
                    f"duplicate id '{entry.id}' (first at {first.source_file}:{first.source_line})",
                )
            )
        else:
            seen[entry.id] = entry
    owners: dict[str, str] = {}
    for entry in seen.values():
        for follow_up in entry.follow_ups:
            if follow_up not in seen:
                problems.append(
                    Problem(
                        entry.source_file,
                        entry.source_line,
                        f"entry {entry.id}: unknown follow-up id '{follow_up}'",
                    )
                )
        for question in entry.questions:
            key = " ".join(question.split())
            owner = owners.setdefault(key, entry.id)
            if owner != entry.id:
                problems.append(
                    Problem(
                        entry.source_file,
                        entry.source_line,
                        f"entry {entry.id}: question «{question}» is also a question of {owner}",
                    )
                )
    return problems


def check_knowledge(folder: Path) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Validate the folder; return the knowledge base only when there is no problem."""
    if not folder.is_dir():
        return None, [Problem(str(folder), 0, "knowledge folder not found")]
    domains, problems = _read_domains(folder)
    categories: list[Category] = []
    entries: list[Entry] = []
    category_files = sorted(p for p in folder.glob("*.yaml") if p.name not in DATA_FILES)
    if not category_files:
        problems.append(Problem(str(folder), 0, "no category files (*.yaml)"))
    for path in category_files:
        root, file_problems = read_yaml(path)
        problems.extend(file_problems)
        if root is None:
            continue
        reader = _CategoryReader(path.name, domains)
        category, file_entries = reader.read(root)
        problems.extend(reader.problems)
        if category is not None:
            if any(c.id == category.id for c in categories):
                problems.append(Problem(path.name, root.line, f"duplicate category id '{category.id}'"))
            categories.append(category)
            entries.extend(file_entries)
    problems.extend(_cross_checks(entries))
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
