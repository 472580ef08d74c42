"""The staff's working copy of the knowledge base, made from the shipped one and kept up to date.

The shipped knowledge (inside the package, or the checkout's ``knowledge/``) is never written.
Staff edit a working copy in the data folder (``[general] knowledge_dir``, by default beside the
database): :func:`prepare_working_copy` makes it on the first start and, on every later start,
brings in what a new version ships, file by file, with a three-way comparison against the
shipped files it last saw (kept in ``<copy>/.shipped/``):

- a file the new version did not change: nothing to do (staff edits stay as they are);
- a new file: copied in;
- a changed file that staff have not edited: replaced by the new one (the old one goes to
  ``.backup/`` as with every replacement);
- a changed file that staff have edited: **kept as staff left it**; the new version is put beside
  it as ``<copy>/.updates/<file>`` and the entries it adds or changes are listed.

What happened is returned as a :class:`SyncReport` (entry ids per file) and written to
``<copy>/.updates/NOTICE.txt``; ``sabtyar run`` logs it and ``sabtyar doctor`` shows it. The
loader reads top-level ``*.yaml`` only, so ``.shipped/`` and ``.updates/`` are never loaded. A
folder that already holds YAML but no ``.shipped/`` (an older installation) is adopted as the
staff's own: nothing in it is replaced.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.files import replace_files
from bot.messages import Texts
from bot.yaml_text import safe_load

__all__ = ["BASE_DIR", "NOTICE", "UPDATES_DIR", "FileChange", "SyncReport", "prepare_working_copy"]

BASE_DIR = ".shipped"
UPDATES_DIR = ".updates"
NOTICE = "NOTICE.txt"


@dataclass(frozen=True)
class FileChange:
    """What a new version changed in one file: entry ids added, changed and removed."""

    file: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __str__(self) -> str:
        """``file: new a, b; changed c`` (the notice file's words, read back by :meth:`read`)."""
        parts = [f"{label} {', '.join(ids)}" for label, ids in self._parts()]
        return f"{self.file}: {'; '.join(parts) or 'wording'}"

    def _parts(self) -> list[tuple[str, tuple[str, ...]]]:
        labelled = (("new", self.added), ("changed", self.changed), ("removed", self.removed))
        return [(label, ids) for label, ids in labelled if ids]

    def text(self, texts: Texts) -> str:
        """The change in ``texts``' language (``cli.knowledge_update.*``)."""
        key = "cli.knowledge_update"
        parts = [texts.text(f"{key}.{label}", ids=", ".join(ids)) for label, ids in self._parts()]
        said = texts.text(f"{key}.separator").join(parts) or texts.text(f"{key}.wording")
        return texts.text(f"{key}.change", file=self.file, parts=said)

    @classmethod
    def read(cls, text: str) -> FileChange | None:
        """The change ``str`` wrote as ``text`` (``None``: not such a text)."""
        file, colon, rest = text.partition(": ")
        if not colon or not file:
            return None
        found: dict[str, tuple[str, ...]] = {}
        for part in [] if rest == "wording" else rest.split("; "):
            label, _, ids = part.partition(" ")
            if label not in ("new", "changed", "removed") or label in found or not ids:
                return None
            found[label] = tuple(ids.split(", "))
        return cls(file, found.get("new", ()), found.get("changed", ()), found.get("removed", ()))


@dataclass
class SyncReport:
    """``seeded``: the copy was made now. ``applied``: shipped changes copied in. ``kept``: shipped
    changes not applied because staff edited the file (the new file is in ``.updates/``)."""

    seeded: bool = False
    applied: list[FileChange] = field(default_factory=list)
    kept: list[FileChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.seeded or bool(self.applied or self.kept)

    def said(self, texts: Texts) -> list[str]:
        """The report in ``texts``' language, one line each (what ``sabtyar`` prints on start)."""
        key = "cli.knowledge_update"
        found = [texts.text(f"{key}.applied", change=change.text(texts)) for change in self.applied]
        for change in self.kept:
            updates = f"{UPDATES_DIR}/{change.file}"
            found.append(
                texts.text(f"{key}.kept", file=change.file, updates=updates, change=change.text(texts))
            )
        return found

    def lines(self) -> list[str]:
        """The report in English words, one line each (the notice file, which ``doctor`` reads)."""
        found = [f"knowledge updated from the new version: {change}" for change in self.applied]
        found += [
            f"knowledge update NOT applied (staff edited {change.file}; the new file is in "
            f"{UPDATES_DIR}/{change.file}): {change}"
            for change in self.kept
        ]
        return found


def _entries(data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        content = safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return {}
    entries = content.get("entries") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        return {}
    return {e["id"]: e for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)}


def _change(name: str, before: bytes | None, after: bytes) -> FileChange:
    old, new = _entries(before), _entries(after)
    return FileChange(
        name,
        added=tuple(sorted(set(new) - set(old))),
        changed=tuple(sorted(i for i in set(new) & set(old) if new[i] != old[i])),
        removed=tuple(sorted(set(old) - set(new))),
    )


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def _remember(shipped: Path, base: Path) -> None:
    """Record the shipped files as the version the working copy now follows."""
    base.mkdir(parents=True, exist_ok=True)
    for old in base.glob("*.yaml"):
        if not (shipped / old.name).exists():
            old.unlink()
    for path in shipped.glob("*.yaml"):
        shutil.copyfile(path, base / path.name)


def _seed(shipped: Path, working: Path) -> bool:
    """Copy the shipped files into a new folder beside ``working``, then rename it into place, so
    no process ever reads a half-made copy; ``False`` when another process made it first."""
    working.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{working.name}.", dir=working.parent))
    try:
        for path in shipped.glob("*.yaml"):
            shutil.copyfile(path, staging / path.name)
        _remember(shipped, staging / BASE_DIR)
        staging.chmod(0o755)
        try:
            os.rename(staging, working)  # replaces an empty folder; fails on a filled one
        except OSError:
            if any(working.glob("*.yaml")):
                return False
            raise
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare_working_copy(shipped: Path, working: Path) -> SyncReport:
    """Make or update the working copy at ``working`` from ``shipped`` (see the module docstring).

    ``OSError`` when the folder cannot be written. Nothing is done when both are the same folder.
    """
    report = SyncReport()
    if working.resolve() == shipped.resolve():
        return report
    base = working / BASE_DIR
    if not working.is_dir() or not any(working.glob("*.yaml")):
        if base.is_dir():  # staff emptied the folder: that is theirs to do; do not refill it
            return report
        report.seeded = _seed(shipped, working)
        return report
    if not base.is_dir():  # an existing folder of the staff's own: adopt it, change nothing
        _remember(shipped, base)
        return report
    replacements: dict[str, bytes] = {}
    updates = working / UPDATES_DIR
    for path in sorted(shipped.glob("*.yaml")):
        new = path.read_bytes()
        before, mine = _read(base / path.name), _read(working / path.name)
        if new in (before, mine):
            continue
        change = _change(path.name, before, new)
        if mine == before or (mine is None and before is None):
            replacements[path.name] = new
            report.applied.append(change)
        else:
            updates.mkdir(exist_ok=True)
            (updates / path.name).write_bytes(new)
            report.kept.append(change)
    replace_files(working, replacements)
    _remember(shipped, base)
    if report.changed:
        updates.mkdir(exist_ok=True)
        (updates / NOTICE).write_text("\n".join(report.lines()) + "\n", encoding="utf-8")
    return report
