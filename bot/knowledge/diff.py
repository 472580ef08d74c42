"""What a new knowledge base changes against the running one: entries added, changed, removed.

The staff preview of a workbook sent to the bot (``handlers/staff/workbook.py``) shows this
before anything is written::

    diff = knowledge_diff(running, imported)
    diff.added, diff.removed        # entry ids
    diff.changed                    # EntryChange: the fields that differ, and a short answer diff

:func:`short_diff` gives the words taken out and put in (``-…`` / ``+…``), a few lines at most,
so a long answer's one-word fix is visible at a glance. :func:`office_diff` does the same for the
offices (by name) and the province of a workbook's ``offices`` and ``province`` sheets.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, fields

from bot.knowledge.directory.offices import Office, OfficeBook, Province
from bot.knowledge.model import Category, Entry, KnowledgeBase

__all__ = ["EntryChange", "KnowledgeDiff", "OfficeDiff", "knowledge_diff", "office_diff", "short_diff"]

#: Entry fields compared (where an entry is in its file is not a change).
_COMPARED = tuple(f.name for f in fields(Entry) if f.name not in ("source_file", "source_line"))
_CONTEXT_WORDS = 3


@dataclass(frozen=True)
class EntryChange:
    entry_id: str
    title: str
    fields: tuple[str, ...]
    answer_diff: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnowledgeDiff:
    added: tuple[Entry, ...]
    removed: tuple[Entry, ...]
    changed: tuple[EntryChange, ...]
    categories_added: tuple[Category, ...] = ()
    categories_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.removed or self.changed or self.categories_added or self.categories_changed
        )


def short_diff(before: str, after: str, *, limit: int = 4, width: int = 120) -> tuple[str, ...]:
    """The words removed (``- …``) and added (``+ …``), each run with a few words around it."""
    old, new = before.split(), after.split()
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        lead = " ".join(old[max(0, i1 - _CONTEXT_WORDS) : i1])
        prefix = f"…{lead} " if lead else ""
        if i2 > i1:
            lines.append(_clip(f"- {prefix}[{' '.join(old[i1:i2])}]", width))
        if j2 > j1:
            lines.append(_clip(f"+ {prefix}[{' '.join(new[j1:j2])}]", width))
        if len(lines) >= limit:
            lines = [*lines[:limit], "…"]
            break
    return tuple(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _entry_fields(old: Entry, new: Entry) -> tuple[str, ...]:
    return tuple(name for name in _COMPARED if getattr(old, name) != getattr(new, name))


def _shown(category: Category) -> tuple[str, str, int]:
    """What citizens see of a category (its entries are compared one by one)."""
    return category.title, category.title_en, category.order


def knowledge_diff(before: KnowledgeBase, after: KnowledgeBase) -> KnowledgeDiff:
    """Entries by id in ``after``'s order; categories added or retitled/reordered."""
    added = tuple(entry for entry_id, entry in after.entries.items() if entry_id not in before.entries)
    removed = tuple(entry for entry_id, entry in before.entries.items() if entry_id not in after.entries)
    changed = []
    for entry_id, new in after.entries.items():
        old = before.entries.get(entry_id)
        if old is None:
            continue
        names = _entry_fields(old, new)
        if names:
            diff = short_diff(old.answer, new.answer) if "answer" in names else ()
            changed.append(EntryChange(entry_id, new.title, names, diff))
    old_categories = {category.id: category for category in before.categories}
    categories_added = tuple(c for c in after.categories if c.id not in old_categories)
    categories_changed = tuple(
        c.id for c in after.categories if c.id in old_categories and _shown(c) != _shown(old_categories[c.id])
    )
    return KnowledgeDiff(added, removed, tuple(changed), categories_added, categories_changed)


@dataclass(frozen=True)
class OfficeDiff:
    """Offices by name: added, removed, and changed with the fields that differ; the province's
    fields that differ."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[tuple[str, tuple[str, ...]], ...] = ()
    province: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.province)


def office_diff(before: OfficeBook, after: OfficeBook) -> OfficeDiff:
    """What ``after`` changes in ``before``, offices in ``after``'s order."""
    old = {office.name: office for office in before}
    new = {office.name: office for office in after}
    changed = tuple(
        (name, names)
        for name, office in new.items()
        if name in old
        and (names := tuple(f.name for f in fields(Office) if _differs(old[name], office, f.name)))
    )
    return OfficeDiff(
        added=tuple(name for name in new if name not in old),
        removed=tuple(name for name in old if name not in new),
        changed=changed,
        province=tuple(f.name for f in fields(Province) if _differs(before.province, after.province, f.name)),
    )


def _differs(old: object, new: object, name: str) -> bool:
    return bool(getattr(old, name) != getattr(new, name))
