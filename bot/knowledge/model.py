"""The curated knowledge base: categories and entries, as staff write them in YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["Category", "Entry", "KnowledgeBase", "Link"]


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Entry:
    """One answer with the phrasings citizens use to ask for it."""

    id: str
    category: str
    title: str
    questions: tuple[str, ...]
    answer: str
    links: tuple[Link, ...] = ()
    follow_ups: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    title_en: str = ""
    source: str = ""
    verified_on: date | None = None
    needs_review: bool = False
    source_file: str = ""
    source_line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Everything the matcher indexes for this entry: title, questions, keywords."""
        return (self.title, *self.questions, *self.keywords)

    @property
    def short_answer(self) -> str:
        """The first paragraph of the answer: what a citizen reads first."""
        return self.answer.strip().split("\n\n", 1)[0].strip()


@dataclass(frozen=True)
class Category:
    id: str
    title: str
    title_en: str = ""
    order: int = 0
    entry_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeBase:
    """All categories and entries, in menu order."""

    categories: tuple[Category, ...]
    entries: dict[str, Entry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.entries:
            return
        known = {category.id for category in self.categories}
        for entry in self.entries.values():
            if entry.category not in known:
                raise ValueError(f"entry {entry.id} names unknown category {entry.category}")

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def entry(self, entry_id: str) -> Entry:
        return self.entries[entry_id]

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def entries_of(self, category_id: str) -> list[Entry]:
        return [self.entries[entry_id] for entry_id in self.category(category_id).entry_ids]
