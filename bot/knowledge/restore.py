"""Fingerprints of the knowledge folder, and putting back the files a workbook import replaced.

A staff preview is valid only for the folder it was computed on: :func:`folder_fingerprint` is
taken at the preview and compared before applying. An import is undone by copying its backup
(``knowledge/.backup/<stamp>/``, written by :func:`~bot.knowledge.files.replace_files`) back over
the files it wrote, and deleting the files it created, provided none of them changed since
(:func:`file_digests` at the import against now)::

    digests = file_digests(folder, result.changed)     # right after the import
    restore_backup(folder, result.backup, digests)     # /undo; RestoreConflict if edited since
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from bot.knowledge.files import BACKUP_DIR, replace_files

__all__ = ["RestoreConflict", "file_digests", "folder_fingerprint", "restore_backup"]


class RestoreConflict(Exception):
    """A file the import wrote has changed since (or the backup is gone): nothing was restored."""


def _digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def folder_fingerprint(folder: Path) -> str:
    """One digest of every top-level ``*.yaml`` file (names and contents)."""
    total = hashlib.sha256()
    for path in sorted(folder.glob("*.yaml")):
        total.update(path.name.encode() + b"\0" + (_digest(path) or "").encode() + b"\n")
    return total.hexdigest()


def file_digests(folder: Path, names: Iterable[str]) -> dict[str, str]:
    """``{name: sha256}`` of files in ``folder`` (every name must exist)."""
    digests = {}
    for name in names:
        digest = _digest(folder / name)
        if digest is None:
            raise FileNotFoundError(folder / name)
        digests[name] = digest
    return digests


def restore_backup(folder: Path, backup: Path, digests: dict[str, str]) -> None:
    """Put back the backup of the files in ``digests`` (deleting those it has no copy of: the import
    created them), atomically per file; ``RestoreConflict`` if any changed since the import."""
    if not backup.is_dir() or backup.resolve().parent != (folder / BACKUP_DIR).resolve():
        raise RestoreConflict(f"no backup at {backup}")
    if any(_digest(folder / name) != digest for name, digest in digests.items()):
        raise RestoreConflict("changed since the import")
    kept = {name: (backup / name).read_bytes() for name in digests if (backup / name).is_file()}
    replace_files(folder, kept)
    for name in digests:
        if name not in kept:
            (folder / name).unlink(missing_ok=True)
