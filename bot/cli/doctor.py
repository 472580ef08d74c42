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
``warn`` or ``FAIL``; a failed or doubtful check says what to do after ``->``.
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
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.cli.command import CliContext, CommandError
from bot.knowledge.loader import check_knowledge
from bot.knowledge.working_copy import NOTICE, UPDATES_DIR
from bot.messenger.platforms import PlatformSettings
from bot.settings import Settings
from bot.store import MIGRATIONS, is_running

__all__ = ["Finding", "config_advice", "diagnose", "register"]


@dataclass(frozen=True)
class Finding:
    """One check: ``level`` is ``ok``, ``warn`` or ``FAIL``; ``fix`` what to do about it."""

    level: str
    name: str
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{self.level:<4} {self.name}: {self.detail}"
        return f"{line} -> {self.fix}" if self.fix else line


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
        print(finding)
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
            "no platform has a token: `sabtyar run` opens the terminal chat (under systemd it stops)",
            "set SABTYAR_TELEGRAM_TOKEN and/or SABTYAR_BALE_TOKEN in /etc/sabtyar/sabtyar.env"
            " (README, Deploy, step 3)",
        )
    for platform in active:
        if online:
            yield from asyncio.run(_platform_online(platform))
        if platform.uses_webhook:
            yield from _webhook_local(platform, settings.store.path)


def _config(settings: Settings) -> Finding:
    if settings.source is None:
        return Finding(
            "warn",
            "config",
            "no config file: the defaults and the environment apply",
            "copy config.example.toml to /etc/sabtyar/config.toml and set SABTYAR_CONFIG",
        )
    return Finding("ok", "config", f"{settings.source} read and valid")


def config_advice(path: Path) -> str:
    """What to do about a configuration file that is missing or cannot be read."""
    if not path.exists():
        return (
            f"install it (README, Deploy, step 3: install -m 0644 deploy/config.server.toml {path}),"
            " or point SABTYAR_CONFIG or --config at the file you use"
        )
    return (
        f"correct it in {path} (every key, with its default and meaning: config.example.toml),"
        " then run `sabtyar doctor` again"
    )


def _knowledge(settings: Settings, folder: Path) -> Finding:
    if not folder.is_dir() and not settings.knowledge_dir_configured:
        shipped, problems = check_knowledge(settings.shipped_knowledge_dir)
        if shipped is None or problems:
            return Finding(
                "FAIL",
                "knowledge",
                f"{len(problems)} problem(s) in the shipped knowledge {settings.shipped_knowledge_dir}",
                "install sabtyar again (pip install --force-reinstall)",
            )
        return Finding(
            "ok",
            "knowledge",
            f"{len(shipped)} entries shipped; the staff's copy is made in {folder} on the first start",
        )
    if not folder.is_dir():
        return Finding(
            "FAIL",
            "knowledge",
            f"the knowledge folder {folder} does not exist",
            "remove [general] knowledge_dir to use the copy kept beside the database "
            "(made from the shipped knowledge on start), or point it at the folder staff edit",
        )
    knowledge, problems = check_knowledge(folder)
    if knowledge is None or problems:
        return Finding(
            "FAIL",
            "knowledge",
            f"{len(problems)} problem(s) in {folder}",
            "run `sabtyar kb check` for each file and line, fix them, then `/reload` in the bot",
        )
    unwritable = [path for path in (folder, *folder.glob("*.yaml")) if not os.access(path, os.W_OK)]
    if unwritable:
        return Finding(
            "FAIL",
            "knowledge",
            f"{unwritable[0]} is not writable: the staff's edits, imports and /undo cannot be saved",
            f"give the folder to the bot's user: chown -R sabtyar: {folder}",
        )
    return Finding("ok", "knowledge", f"{len(knowledge)} entries in {folder}")


def _knowledge_updates(folder: Path) -> Iterator[Finding]:
    """The shipped changes the last update could not apply because staff had edited the file."""
    notice = folder / UPDATES_DIR / NOTICE
    if not notice.is_file():
        return
    for line in notice.read_text(encoding="utf-8").splitlines():
        if "NOT applied" in line:
            yield Finding(
                "warn",
                "knowledge update",
                line.removeprefix("knowledge update "),
                f"compare with {folder / UPDATES_DIR}, copy what is wanted, then `/reload`",
            )


def _store(path: Path) -> Finding:
    folder = path.parent
    if not path.exists():
        existing = next((p for p in (folder, *folder.parents) if p.exists()), folder)
        if not os.access(existing, os.W_OK):
            return Finding(
                "FAIL",
                "store",
                f"{path} cannot be created ({existing} is not writable)",
                f"make the folder for the bot's user: install -d -o sabtyar -g sabtyar -m 0750 {folder}"
                " (systemd's StateDirectory=sabtyar also makes it on the first start), or set [store] path",
            )
        return Finding("ok", "store", f"{path} will be created on the first start")
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK):
        return Finding(
            "FAIL",
            "store",
            f"{path} or its folder is not writable",
            f"chown the folder to the bot's user: chown -R sabtyar: {folder}",
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
        return Finding("FAIL", "store", f"{path}: {error}", "restore the latest backup: sabtyar restore FILE")
    if health != "ok":
        return Finding("FAIL", "store", f"{path} is damaged: {health}", "sabtyar restore the latest backup")
    known = {migration.name for migration in MIGRATIONS}
    if applied - known:
        return Finding(
            "FAIL",
            "store",
            f"{path} was written by a newer sabtyar ({', '.join(sorted(applied - known))})",
            "install that version again, or restore the backup taken before the upgrade",
        )
    state = "in use by sabtyar run" if is_running(path) else "not in use"
    pending = len(known - applied)
    if pending:
        return Finding(
            "ok",
            "store",
            f"{path} sound, {state}; {pending} migration(s) run at the next start (after a copy)",
        )
    return Finding("ok", "store", f"{path} sound, schema current, {state}")


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
        father = "@BotFather" if platform.name == "telegram" else "@botfather in Bale"
        return [
            Finding(
                "FAIL",
                name,
                "the Bot API rejected the token",
                f"get the token from {father}, put it in {variable} (on a server: /etc/sabtyar/sabtyar.env)",
            )
        ]
    except TelegramError as error:
        return [
            Finding(
                "FAIL",
                name,
                f"cannot reach {platform.base_url} ({error.message})",
                f"check that this server resolves and reaches {urlsplit(platform.base_url).hostname}"
                " over HTTPS (DNS, firewall); or the base_url in the config",
            )
        ]
    findings = [Finding("ok", name, f"accepted: @{me.username}")]
    if info is not None:
        if info.url != platform.webhook.url:
            findings.append(
                Finding(
                    "warn",
                    f"{platform.name} webhook",
                    f"the Bot API has {info.url or 'no webhook'!r}, the config {platform.webhook.url!r}",
                    "`sabtyar run` sets it on start; if it stays wrong, check the URL",
                )
            )
        elif info.last_error_message:
            findings.append(
                Finding(
                    "warn",
                    f"{platform.name} webhook",
                    f"last delivery failed: {info.last_error_message}",
                    "check the reverse proxy (deploy/nginx-sabtyar.conf) and the TLS certificate",
                )
            )
    return findings


def _webhook_local(platform: PlatformSettings, database: Path) -> Iterator[Finding]:
    webhook, name = platform.webhook, f"{platform.name} webhook"
    parts = urlsplit(webhook.url)
    if parts.scheme != "https":
        yield Finding("FAIL", name, f"{webhook.url} is not https", "the Bot API posts only to https URLs")
        return
    if is_running(database):
        yield Finding("ok", name, f"{webhook.url} -> {webhook.listen}:{webhook.port} (the bot is running)")
        return
    with socket.socket() as probe:
        try:
            probe.bind((webhook.listen, webhook.port))
        except OSError as error:
            yield Finding(
                "FAIL",
                name,
                f"cannot listen on {webhook.listen}:{webhook.port} ({error.strerror})",
                f"free the port or change [platforms.{platform.name}.webhook] port (and the proxy)",
            )
            return
    yield Finding("ok", name, f"{webhook.url} -> {webhook.listen}:{webhook.port}, port free")
