"""``sabtyar backup OUT`` and ``sabtyar restore BACKUP``: the database, copied while the bot runs.

Examples::

    sabtyar backup /var/backups/sabtyar/sabtyar-$(date +%F).db
    sabtyar restore /var/backups/sabtyar/sabtyar-2026-01-31.db    # with the bot stopped

``backup`` takes one consistent snapshot (SQLite's online backup API) while the bot keeps
answering, and copies the user-hashing secret file (``OUT.hash-secret``) when the database has
one, since the pseudonyms only link up with it, and packs the staff's knowledge folder
(``OUT.knowledge.tar.gz``, see :mod:`bot.cli.knowledge_backup`). ``restore`` refuses while
``sabtyar run`` holds the database, checks the backup, and keeps the database (and knowledge
folder) it replaces as ``<database>.before-restore-<time>``. Run as root, it gives what it
writes the owner of the data folder, so the bot's own user can open it. With ``--db``, only the
database (and its secret) is copied.
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path
from typing import Any

from bot.cli.command import CliContext, CommandError
from bot.cli.knowledge_backup import (
    NotWorkingCopy,
    archive_of,
    chown_like,
    pack_knowledge,
    unpack_knowledge,
)
from bot.hash_secret import hash_secret_file
from bot.store import BackupError, backup_database, is_running, restore_database, run_lock_file

__all__ = ["register"]


def register(commands: Any) -> None:
    backup: argparse.ArgumentParser = commands.add_parser(
        "backup",
        help="a consistent copy of the database, also while the bot runs: sabtyar backup OUT.db",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="the backup file to write")
    backup.add_argument("--db", type=Path, help="database file (default: the configured store)")
    backup.set_defaults(run=run_backup)
    restore: argparse.ArgumentParser = commands.add_parser(
        "restore",
        help="put a backup back, with the bot stopped: sabtyar restore BACKUP.db",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restore.add_argument("backup", type=Path, metavar="BACKUP", help="a file written by sabtyar backup")
    restore.add_argument("--db", type=Path, help="database file (default: the configured store)")
    restore.set_defaults(run=run_restore)


def _secret_copy(path: Path) -> Path:
    return path.with_name(path.name + ".hash-secret")


def run_backup(args: argparse.Namespace, context: CliContext) -> int:
    database: Path = args.db or context.store_path
    try:
        out = backup_database(database, args.out)
    except BackupError as error:
        raise CommandError("cli.error.backup_failed", error=str(error)) from error
    catalog = context.catalog
    print(catalog.text("backup.done", database=str(database), file=str(out)))
    secret = hash_secret_file(database)
    if secret.is_file():
        shutil.copy2(secret, _secret_copy(out))
        _secret_copy(out).chmod(0o600)
        print(catalog.text("backup.with_secret", file=str(_secret_copy(out))))
    if args.db is None and pack_knowledge(context.knowledge_dir, archive_of(out)):
        print(
            catalog.text(
                "backup.with_knowledge", folder=str(context.knowledge_dir), file=str(archive_of(out))
            )
        )
    return 0


def run_restore(args: argparse.Namespace, context: CliContext) -> int:
    database: Path = args.db or context.store_path
    if is_running(database):
        raise CommandError("cli.error.restore_running", database=str(database))
    try:
        kept = restore_database(args.backup, database)
    except BackupError as error:
        raise CommandError("cli.error.backup_failed", error=str(error)) from error
    catalog = context.catalog
    print(catalog.text("backup.restored", file=str(args.backup), database=str(database)))
    if kept is not None:
        print(catalog.text("backup.kept", file=str(kept)))
    secret = _secret_copy(args.backup)
    if secret.is_file():
        shutil.copy2(secret, hash_secret_file(database))
        print(catalog.text("backup.restored_secret", file=str(hash_secret_file(database))))
    written = [database, hash_secret_file(database), run_lock_file(database), *([kept] if kept else [])]
    archive = archive_of(args.backup)
    if args.db is None and archive.is_file():
        try:
            replaced = unpack_knowledge(archive, context.knowledge_dir)
        except NotWorkingCopy as error:
            print(catalog.text("backup.knowledge_not_restored", folder=str(error.folder)))
        else:
            print(catalog.text("backup.restored_knowledge", folder=str(context.knowledge_dir)))
            if replaced is not None:
                print(catalog.text("backup.knowledge_kept", folder=str(replaced)))
            written += [context.knowledge_dir, *([replaced] if replaced else [])]
    chown_like(database.parent, written)
    if os.geteuid() == 0:
        print(catalog.text("backup.owned", folder=str(database.parent)))
    return 0
