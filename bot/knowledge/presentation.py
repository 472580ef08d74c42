"""Plain-text renderings of answers and choices, shared by the terminal chat and the bots."""

from __future__ import annotations

from bot.knowledge.model import Entry, KnowledgeBase
from bot.locale import Catalog

__all__ = ["answer_text", "choices_text"]


def answer_text(entry: Entry, knowledge: KnowledgeBase, catalog: Catalog, *, full: bool = True) -> str:
    """The entry's title, answer (or only its short answer), official links and related topics."""
    parts = [entry.title, entry.answer if full else entry.short_answer]
    if entry.links:
        links = "\n".join(f"• {link.title}: {link.url}" for link in entry.links)
        parts.append(f"{catalog.text('answer.links')}\n{links}")
    related = [knowledge.entry(i).title for i in entry.follow_ups if i in knowledge]
    if full and related:
        parts.append(f"{catalog.text('answer.related')}\n" + "\n".join(f"• {title}" for title in related))
    return "\n\n".join(parts)


def choices_text(entries: list[Entry], catalog: Catalog) -> str:
    """A numbered "did you mean" list, with the way out last."""
    lines = [catalog.text("chat.did_you_mean")]
    lines += [f"{number}. {entry.title}" for number, entry in enumerate(entries, start=1)]
    lines.append(f"0. {catalog.text('chat.none_of_these')}")
    return "\n".join(lines)
