"""Self-consistency of the knowledge base: every sample question of an entry should come back with
that entry in the first reply (``answer``, or ``answer_alternatives`` with it first)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.engine.engine import AnswerEngine

__all__ = ["Stray", "stray_phrasings"]


@dataclass(frozen=True)
class Stray:
    """A sample question whose first reply is not its own entry's answer."""

    entry_id: str
    phrasing: str
    file: str
    line: int
    outcome: str
    given: str | None


def _line_of(lines: list[str], phrasing: str, start: int) -> int:
    """The 1-based line (at or after ``start``) that holds the phrasing, else ``start``."""
    for number in range(max(start, 1), len(lines) + 1):
        if phrasing in lines[number - 1]:
            return number
    return start


def stray_phrasings(engine: AnswerEngine, folder: Path) -> tuple[int, list[Stray]]:
    """How many sample questions were asked, and those that did not come back as their own answer."""
    files: dict[str, list[str]] = {}
    strays: list[Stray] = []
    asked = 0
    for entry in engine.knowledge.entries.values():
        for phrasing in entry.questions:
            asked += 1
            reply = engine.ask(phrasing)
            if reply.outcome.answers and reply.answer_id == entry.id:
                continue
            if entry.source_file not in files:
                path = folder / entry.source_file
                files[entry.source_file] = (
                    path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
                )
            line = _line_of(files[entry.source_file], phrasing, entry.source_line)
            given = reply.offered_ids[0] if reply.offered_ids else None
            strays.append(Stray(entry.id, phrasing, entry.source_file, line, str(reply.outcome), given))
    return asked, strays
