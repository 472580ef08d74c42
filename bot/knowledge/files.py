"""The knowledge folder's category files: what is there now, and replacing them safely.

:func:`replace_files` backs up every file about to change into
``<knowledge>/.backup/<timestamp>/``, writes each new file beside its target under a name
the loader never reads (``.<name>.<pid>.tmp``; the loader globs top-level ``*.yaml``
only, so neither the temporary files nor ``.backup/`` are ever loaded) and moves it into
place with ``os.replace``. If a move fails, the files already moved are restored.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.loader import DATA_FILES
from bot.yaml_text import safe_load

__all__ = ["BACKUP_DIR", "CategoryFile", "category_files", "file_header", "replace_files"]

BACKUP_DIR = ".backup"


@dataclass
class CategoryFile:
    """A category file now in the folder: its name, header comment and ``category:`` block."""

    file: str
    header: str
    record: dict[str, Any]


def file_header(content: str) -> str:
    """The comment lines (and blank lines) a category file starts with."""
    lines = content.splitlines(keepends=True)
    count = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    return "".join(lines[:count])


def _category_block(content: str) -> Any:
    """The ``category:`` mapping, read from the lines before ``entries:`` when it comes first (fast)."""
    head = content.split("\nentries:", 1)[0]
    data = safe_load(head) if head != content else None
    if not (isinstance(data, dict) and "category" in data):
        data = safe_load(content)
    return data.get("category") if isinstance(data, dict) else None


def category_files(folder: Path) -> dict[str, CategoryFile]:
    """The category files now in the folder, by category id (unreadable files are left to the loader)."""
    found: dict[str, CategoryFile] = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name in DATA_FILES:
            continue
        try:
            content = path.read_text(encoding="utf-8")
            block = _category_block(content)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(block, dict) and isinstance(block.get("id"), str):
            order = block.get("order", 0)
            record = {
                "id": block["id"],
                "title": str(block.get("title") or ""),
                "title_en": str(block.get("title_en") or ""),
                "order": order if isinstance(order, int) else 0,
            }
            found.setdefault(block["id"], CategoryFile(path.name, file_header(content), record))
    return found


def replace_files(folder: Path, files: dict[str, bytes]) -> Path | None:
    """Back up the files about to change, then move each new file into place (undone on failure)."""
    if not files:
        return None
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = folder / BACKUP_DIR / stamp
    suffix = 1
    while backup.exists():
        suffix += 1
        backup = folder / BACKUP_DIR / f"{stamp}-{suffix}"
    backup.mkdir(parents=True)
    for name in files:
        if (folder / name).exists():
            shutil.copy2(folder / name, backup / name)
    staged: dict[str, Path] = {}
    done: list[str] = []
    try:
        for name, data in files.items():
            temporary = folder / f".{name}.{os.getpid()}.tmp"  # not *.yaml: the loader never reads it
            staged[name] = temporary
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if (folder / name).exists():
                shutil.copymode(folder / name, temporary)
        for name, temporary in staged.items():
            os.replace(temporary, folder / name)
            done.append(name)
    except OSError:
        for name in done:
            if (backup / name).exists():
                shutil.copy2(backup / name, folder / name)
            else:
                (folder / name).unlink(missing_ok=True)
        for temporary in staged.values():
            temporary.unlink(missing_ok=True)
        raise
    return backup
