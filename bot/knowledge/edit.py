"""Changing one entry of the knowledge folder: rewrite its category file, validated, atomically.

The category file is rewritten in the canonical format (:mod:`bot.knowledge.yaml_writer`), its header
comment kept, with the entry changed; the whole folder is validated with the new file (in a
temporary copy) before anything on disk changes; then the file is replaced with ``os.replace``
(a temporary file beside it, fsynced first), so a reader sees the old file or the new one, never
half of one::

    knowledge = apply_entry_change(folder, "smartcard-lost", lambda r: {**r, "answer": "..."})

Errors::

    EditError            the entry does not exist, or the change would break the folder
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.knowledge.files import file_header
from bot.knowledge.loader import Problem, check_knowledge
from bot.knowledge.model import KnowledgeBase
from bot.knowledge.yaml_writer import category_record, entry_record, write_category

__all__ = ["EditError", "apply_entry_change", "atomic_write"]

Record = dict[str, Any]


class EditError(Exception):
    """The change was not made; ``problems`` says why (file:line where the loader found them)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        self.problems = problems or []
        super().__init__("\n".join([message, *(str(p) for p in self.problems)]))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``: a fsynced temporary file beside it, then ``os.replace``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # not *.yaml: never loaded
    try:
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            shutil.copymode(path, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _validated(folder: Path, name: str, text: str) -> KnowledgeBase:
    """The knowledge base the folder would hold with ``name`` replaced by ``text``."""
    with tempfile.TemporaryDirectory(prefix="sabtyar-kb-") as scratch:
        copy = Path(scratch)
        for path in folder.glob("*.yaml"):
            shutil.copy2(path, copy / path.name)
        (copy / name).write_text(text, encoding="utf-8")
        knowledge, problems = check_knowledge(copy)
    if knowledge is None:
        raise EditError("the change would make the knowledge base invalid", problems)
    return knowledge


def apply_entry_change(folder: Path, entry_id: str, change: Callable[[Record], Record]) -> KnowledgeBase:
    """Rewrite ``entry_id`` as ``change(record)`` in its file; the new knowledge base on success."""
    current, problems = check_knowledge(folder)
    if current is None:
        raise EditError("the knowledge folder has problems; fix them (or /reload) first", problems)
    if entry_id not in current:
        raise EditError(f"no entry {entry_id!r}")
    entry = current.entry(entry_id)
    name = entry.source_file
    siblings = sorted(
        (e for e in current.entries.values() if e.source_file == name), key=lambda e: e.source_line
    )
    records = [change(entry_record(e)) if e.id == entry_id else entry_record(e) for e in siblings]
    category = current.category(entry.category)
    header = file_header((folder / name).read_text(encoding="utf-8"))
    text, _origins = write_category(header, category_record(category), records)
    knowledge = _validated(folder, name, text)
    atomic_write(folder / name, text.encode("utf-8"))
    return knowledge
