"""``sabtyar doctor``: is this server ready to run the bot? One line per check, with what to do.

Examples::

    sabtyar doctor
    sabtyar --config /etc/sabtyar/config.toml doctor

Checks, in order: the configuration file (a missing, unreadable or misspelt one is a failed
check with what to correct), the knowledge folder (every problem is listed by ``sabtyar kb
check``; before the first start, when the staff's copy is not made yet, the knowledge shipped
with sabtyar; the folder must be writable for the staff's edits), the database (its folder
writable, the file sound, its schema known to this version), each enabled platform's token
(``getMe`` on its Bot API) and, for a platform in webhook mode, its webhook settings (an https
URL, a free local port, and the Bot API's ``getWebhookInfo``). A line starts with ``ok``,
``warn`` or ``FAIL``; a failed or doubtful check says what to do after ``->``. The sentences are
in the configured language (``[general] language``, Persian by default; ``doctor.*`` in
``locales/``); the status, the check's name, paths and commands stay as they are, for ``grep``.
Exit status 1 when any check failed.

``doctor`` only looks: it makes no folder and no file (``sabtyar run`` makes the data folder's
knowledge copy and the database on its first start), so running it as root changes nothing the
bot's own user then cannot write.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.cli.command import CliContext, CommandError
from bot.knowledge.loader import check_knowledge
from bot.knowledge.working_copy import NOTICE, UPDATES_DIR, FileChange
from bot.messages import Message, Texts
from bot.messenger.platforms import PlatformSettings
from bot.settings import Settings
from bot.store import MIGRATIONS, is_running

__all__ = ["Finding", "config_advice", "config_failed", "diagnose", "register"]


@dataclass(frozen=True)
class Finding:
    """One check: ``level`` is ``ok``, ``warn`` or ``FAIL``; ``name`` the check's name (both kept
    as they are in every language, for ``grep``); ``detail`` what was found and ``fix`` what to do
    about it, as locale keys (``doctor.*``) worded by :meth:`line` in the reader's language."""

    level: str
    name: str
    detail: Message
    fix: Message | None = None

    def line(self, catalog: Texts) -> str:
        """The check as one line in ``catalog``'s language: ``FAIL store: ... -> ...``."""
        line = f"{self.level:<4} {self.name}: {self.detail.text(catalog)}"
        return f"{line} -> {self.fix.text(catalog)}" if self.fix else line

    def __str__(self) -> str:
        """The line in English (logs, assertion messages)."""
        from bot.locale import bundled_catalog

        return self.line(bundled_catalog("en"))


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "doctor",
        help="check the config, knowledge, database, tokens and webhooks, one line each",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--offline", action="store_true", help="skip the checks that call the Bot API")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, context: CliContext) -> int:
    settings = context.settings
    if settings is None:
        raise CommandError("cli.error.no_settings")
    findings = list(diagnose(settings, context.knowledge_dir, online=not args.offline))
    for finding in findings:
        print(finding.line(context.catalog))
    return 1 if any(f.level == "FAIL" for f in findings) else 0


def diagnose(settings: Settings, knowledge_dir: Path, *, online: bool = True) -> Iterator[Finding]:
    """Every check's finding, in the order of the module's docstring."""
    yield _config(settings)
    yield _knowledge(settings, knowledge_dir)
    yield from _knowledge_updates(knowledge_dir)
    yield _store(settings.store.path)
    active = settings.active_platforms
    if not active:
        yield Finding(
            "warn",
            "platforms",
            Message.of("doctor.platforms_none"),
            Message.of("doctor.platforms_none_fix"),
        )
    for platform in active:
        if online:
            yield from asyncio.run(_platform_online(platform))
        if platform.uses_webhook:
            yield from _webhook_local(platform, settings.store.path)


def _config(settings: Settings) -> Finding:
    if settings.source is None:
        return Finding(
            "warn", "config", Message.of("doctor.config_none"), Message.of("doctor.config_none_fix")
        )
    return Finding("ok", "config", Message.of("doctor.config_ok", file=str(settings.source)))


def config_advice(path: Path) -> Message:
    """What to do about a configuration file that is missing or cannot be read."""
    if not path.exists():
        return Message.of("doctor.config_missing_fix", file=str(path))
    return Message.of("doctor.config_invalid_fix", file=str(path))


def config_failed(error: str, path: Path) -> Finding:
    """The failed ``config`` check: the configuration error ``error`` and what to do about ``path``."""
    return Finding("FAIL", "config", Message.of("doctor.config_error", error=error), config_advice(path))


def _knowledge(settings: Settings, folder: Path) -> Finding:
    if not folder.is_dir() and not settings.knowledge_dir_configured:
        shipped, problems = check_knowledge(settings.shipped_knowledge_dir)
        if shipped is None or problems:
            return Finding(
                "FAIL",
                "knowledge",
                Message.of(
                    "doctor.knowledge_shipped_problems",
                    count=len(problems),
                    folder=str(settings.shipped_knowledge_dir),
                ),
                Message.of("doctor.knowledge_shipped_problems_fix"),
            )
        return Finding(
            "ok",
            "knowledge",
            Message.of("doctor.knowledge_shipped_ok", count=len(shipped), folder=str(folder)),
        )
    if not folder.is_dir():
        return Finding(
            "FAIL",
            "knowledge",
            Message.of("doctor.knowledge_no_folder", folder=str(folder)),
            Message.of("doctor.knowledge_no_folder_fix"),
        )
    knowledge, problems = check_knowledge(folder)
    if knowledge is None or problems:
        return Finding(
            "FAIL",
            "knowledge",
            Message.of("doctor.knowledge_problems", count=len(problems), folder=str(folder)),
            Message.of("doctor.knowledge_problems_fix"),
        )
    unwritable = [path for path in (folder, *folder.glob("*.yaml")) if not os.access(path, os.W_OK)]
    if unwritable:
        return Finding(
            "FAIL",
            "knowledge",
            Message.of("doctor.knowledge_unwritable", file=str(unwritable[0])),
            Message.of("doctor.knowledge_unwritable_fix", folder=str(folder)),
        )
    return Finding(
        "ok", "knowledge", Message.of("doctor.knowledge_ok", count=len(knowledge), folder=str(folder))
    )


#: A line of the update notice about shipped changes not applied (bot/knowledge/working_copy.py).
_NOT_APPLIED = re.compile(r"NOT applied \(staff edited (?P<file>[^;]+);.*?\): (?P<change>.*)$")


def _knowledge_updates(folder: Path) -> Iterator[Finding]:
    """The shipped changes the last update could not apply because staff had edited the file."""
    notice = folder / UPDATES_DIR / NOTICE
    if not notice.is_file():
        return
    for line in notice.read_text(encoding="utf-8").splitlines():
        if "NOT applied" not in line:
            continue
        found = _NOT_APPLIED.search(line)
        file, change = (found["file"], found["change"]) if found else ("?", line)
        # the change in the reader's words when it reads as one (the notice file is English)
        told: str | FileChange = FileChange.read(change) or change
        yield Finding(
            "warn",
            "knowledge update",
            Message.of("doctor.knowledge_update", file=file, change=told),
            Message.of("doctor.knowledge_update_fix", folder=str(folder / UPDATES_DIR)),
        )


def _store(path: Path) -> Finding:
    folder = path.parent
    if not path.exists():
        existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        if not os.access(existing, os.W_OK):
            return Finding(
                "FAIL",
                "store",
                Message.of("doctor.store_uncreatable", file=str(path), folder=str(existing)),
                Message.of("doctor.store_uncreatable_fix", folder=str(folder)),
            )
        return Finding("ok", "store", Message.of("doctor.store_new", file=str(path)))
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return Finding(
            "FAIL",
            "store",
            Message.of("doctor.store_unwritable", file=str(path)),
            Message.of("doctor.store_unwritable_fix", folder=str(folder)),
        )
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            [(health,)] = db.execute("PRAGMA quick_check").fetchall()
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            applied = (
                {name for (name,) in db.execute("SELECT name FROM schema_migrations")}
                if "schema_migrations" in tables
                else set()
            )
    except sqlite3.Error as error:
        return Finding(
            "FAIL",
            "store",
            Message.of("doctor.store_unreadable", file=str(path), error=str(error)),
            Message.of("doctor.store_restore_fix"),
        )
    if health != "ok":
        return Finding(
            "FAIL",
            "store",
            Message.of("doctor.store_damaged", file=str(path), error=str(health)),
            Message.of("doctor.store_restore_fix"),
        )
    known = {migration.name for migration in MIGRATIONS}
    if applied - known:
        return Finding(
            "FAIL",
            "store",
            Message.of("doctor.store_newer", file=str(path), migrations=", ".join(sorted(applied - known))),
            Message.of("doctor.store_newer_fix"),
        )
    running = is_running(path)
    pending = len(known - applied)
    if pending:
        key = "doctor.store_pending_running" if running else "doctor.store_pending"
        return Finding("ok", "store", Message.of(key, file=str(path), count=pending))
    key = "doctor.store_ok_running" if running else "doctor.store_ok"
    return Finding("ok", "store", Message.of(key, file=str(path)))


async def _platform_online(platform: PlatformSettings) -> list[Finding]:
    from telegram import Bot
    from telegram.error import InvalidToken, TelegramError

    assert platform.token is not None
    name = f"{platform.name} token"
    variable = f"SABTYAR_{platform.name.upper()}_TOKEN"
    bot = Bot(platform.token.reveal(), base_url=platform.base_url, base_file_url=platform.base_file_url)
    try:
        async with bot:
            me = await bot.get_me()
            info = await bot.get_webhook_info() if platform.uses_webhook else None
    except InvalidToken:
        key = (
            "doctor.token_rejected_fix_telegram"
            if platform.name == "telegram"
            else "doctor.token_rejected_fix_bale"
        )
        return [
            Finding("FAIL", name, Message.of("doctor.token_rejected"), Message.of(key, variable=variable))
        ]
    except TelegramError as error:
        return [
            Finding(
                "FAIL",
                name,
                Message.of("doctor.token_unreachable", url=platform.base_url, error=error.message),
                Message.of("doctor.token_unreachable_fix", host=urlsplit(platform.base_url).hostname or ""),
            )
        ]
    findings = [Finding("ok", name, Message.of("doctor.token_ok", username=me.username or ""))]
    if info is not None:
        if info.url != platform.webhook.url:
            key = "doctor.webhook_other" if info.url else "doctor.webhook_unset"
            findings.append(
                Finding(
                    "warn",
                    f"{platform.name} webhook",
                    Message.of(key, url=info.url or "", configured=platform.webhook.url),
                    Message.of("doctor.webhook_other_fix"),
                )
            )
        elif info.last_error_message:
            findings.append(
                Finding(
                    "warn",
                    f"{platform.name} webhook",
                    Message.of("doctor.webhook_failing", error=info.last_error_message),
                    Message.of("doctor.webhook_failing_fix"),
                )
            )
    return findings


def _webhook_local(platform: PlatformSettings, database: Path) -> Iterator[Finding]:
    webhook, name = platform.webhook, f"{platform.name} webhook"
    parts = urlsplit(webhook.url)
    # the port as text: an address is written in Latin digits in every language
    where = {"url": webhook.url, "listen": webhook.listen, "port": str(webhook.port)}
    if parts.scheme != "https":
        yield Finding(
            "FAIL",
            name,
            Message.of("doctor.webhook_not_https", url=webhook.url),
            Message.of("doctor.webhook_not_https_fix"),
        )
        return
    if is_running(database):
        yield Finding("ok", name, Message.of("doctor.webhook_running", **where))
        return
    with socket.socket() as probe:
        try:
            probe.bind((webhook.listen, webhook.port))
        except OSError as error:
            yield Finding(
                "FAIL",
                name,
                Message.of("doctor.webhook_port_taken", error=error.strerror or str(error), **where),
                Message.of("doctor.webhook_port_taken_fix", platform=platform.name),
            )
            return
    yield Finding("ok", name, Message.of("doctor.webhook_port_free", **where))
