"""The staff's knowledge folder in a backup: packed beside the database copy, put back on restore.

The database holds the questions and figures; the answers staff edit (``/edit``, workbook
imports, ``/undo``) live in the knowledge working copy beside it. ``sabtyar backup OUT.db`` packs
that folder into ``OUT.db.knowledge.tar.gz`` and ``sabtyar restore OUT.db`` unpacks it in its
place, keeping the folder it replaces as ``<folder>.before-restore-<time>``: a server restored
from its backups answers with the staff's answers, not the shipped ones.

Only a working copy made by sabtyar (it holds ``.shipped/``) is packed or replaced, never a
checkout's ``knowledge/`` or another folder ``[general] knowledge_dir`` happens to name.
"""

from __future__ import annotations

import os
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from bot.knowledge.working_copy import BASE_DIR

__all__ = ["NotWorkingCopy", "archive_of", "chown_like", "pack_knowledge", "unpack_knowledge"]


class NotWorkingCopy(ValueError):
    """``folder`` exists but is not a knowledge working copy sabtyar made: it is left as it is."""

    def __init__(self, folder: Path) -> None:
        super().__init__(f"{folder} is not a knowledge copy made by sabtyar: it is left as it is")
        self.folder = folder


def archive_of(backup: Path) -> Path:
    """The knowledge archive that goes with the database backup ``backup``."""
    return backup.with_name(backup.name + ".knowledge.tar.gz")


def is_working_copy(folder: Path) -> bool:
    """Whether ``folder`` is a knowledge working copy sabtyar made (and may pack or replace)."""
    return (folder / BASE_DIR).is_dir()


def pack_knowledge(folder: Path, archive: Path) -> bool:
    """Pack the working copy ``folder`` into ``archive`` (mode 0600); ``False`` when ``folder`` is
    not a working copy. Written beside ``archive`` first, then moved into place."""
    if not is_working_copy(folder):
        return False
    partial = archive.with_name(f".{archive.name}.{os.getpid()}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(folder, arcname=".")
        partial.chmod(0o600)
        os.replace(partial, archive)
    finally:
        partial.unlink(missing_ok=True)
    return True


def unpack_knowledge(archive: Path, folder: Path) -> Path | None:
    """Put the knowledge of ``archive`` in place of ``folder``; the folder it replaces is kept as
    ``<folder>.before-restore-<time>``, whose path returns (``None`` when there was none).

    :class:`NotWorkingCopy` when ``folder`` exists but is not a working copy sabtyar made (nothing
    changed).
    """
    if folder.exists() and not is_working_copy(folder):
        raise NotWorkingCopy(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staged = folder.with_name(f".{folder.name}.{os.getpid()}.restoring")
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(staged, filter="data")
    kept = None
    if folder.exists():
        kept = folder.with_name(f"{folder.name}.before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        folder.rename(kept)
    staged.rename(folder)
    return kept


def chown_like(folder: Path, paths: list[Path]) -> None:
    """Run as root, give ``paths`` (folders: with everything in them) the owner of ``folder``:
    what a restore by root writes into the bot's data folder stays readable by the bot's user."""
    if os.geteuid() != 0:
        return
    owner = folder.stat()
    for path in paths:
        if not path.exists():
            continue
        for item in [path, *(path.rglob("*") if path.is_dir() else ())]:
            os.chown(item, owner.st_uid, owner.st_gid, follow_symlinks=False)
