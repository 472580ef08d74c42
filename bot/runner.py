"""``sabtyar run``: every enabled platform's Application in one process and one event loop.

PTB's ``run_polling`` owns the loop, so each Application goes through the manual sequence:
``initialize``, ``post_init``, ``start``, then the updates the inbox holds from before
(``bot/store/durable/inbox.py``: recorded, not done when the last run ended), then the project's
own :class:`Poller` (which records each batch in the inbox before confirming it) or its
:class:`WebhookServer` (which records each update before its HTTP 200), and on SIGINT/SIGTERM the
same in reverse, ``shutdown``, ``post_shutdown``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import secrets
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.config_values import ConfigError
from bot.engine.engine import AnswerEngine
from bot.hash_secret import user_hash_secret
from bot.knowledge.directory.holidays import load_holidays
from bot.knowledge.directory.offices import load_offices
from bot.knowledge.loader import KnowledgeError
from bot.locale import Locales
from bot.log_setup import configure_logging
from bot.messenger.monitoring import Check, MonitoringServer
from bot.messenger.platforms import PlatformSettings, webhook_problem
from bot.messenger.updates.feed import feed_updates, queue_updates
from bot.messenger.updates.poller import Poller
from bot.messenger.updates.webhook import WebhookServer
from bot.messenger.updates.workers import run_workers
from bot.settings import Settings
from bot.store import BackupError, UserHasher, mask_personal_data, run_lock
from bot.store.retention import purge_periodically
from handlers.context import Shared

__all__ = ["POLL_TIMEOUT", "RUN_LOCK_WAIT", "StartupError", "run_bots", "run_platforms", "serve"]

_LOG = logging.getLogger("sabtyar.runner")
#: Seconds a long poll waits for updates.
POLL_TIMEOUT = 20
#: Seconds ``sabtyar run`` waits for the run lock: the workers of a killed group finishing.
RUN_LOCK_WAIT = 30.0

App = Application[Any, Any, Any, Any, Any, Any]


class StartupError(Exception):
    """A platform could not start (rejected token, unreachable Bot API); names the platform only."""


async def _start_webhook(application: App, platform: PlatformSettings) -> WebhookServer:
    """The webhook server and ``setWebhook`` (the server, to stop it later)."""
    problem = webhook_problem(platform)
    if problem is not None:
        raise StartupError(str(problem))
    webhook = platform.webhook
    secret = None
    if platform.webhook_secret_supported:
        secret = webhook.secret.reveal() if webhook.secret else secrets.token_urlsafe(32)
    inbox = application.bot_data.services.inbox
    await _replay(application)  # what was recorded before a crash, before anything new comes
    server = WebhookServer(
        application,
        listen=webhook.listen,
        port=webhook.port,
        path=webhook.url_path,
        secret=secret,
        inbox=inbox,
    )
    try:
        await server.start()
    except OSError as error:
        raise StartupError(
            f"{platform.name}: cannot listen on {webhook.listen}:{webhook.port} ({error})"
        ) from None
    try:
        await application.bot.set_webhook(webhook.url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    except TelegramError as error:
        await server.stop()
        raise StartupError(f"{platform.name}: setWebhook failed ({error.message})") from None
    return server


async def _stop(application: App) -> None:
    """Undo whatever part of the start sequence ran."""
    with contextlib.suppress(Exception):
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
    with contextlib.suppress(Exception):
        if application.running:
            await application.stop()
    try:
        await application.shutdown()
        await application.bot.shutdown()  # closes the HTTP client also after a failed initialize
    finally:
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(
    shared: Shared,
    platforms: Sequence[PlatformSettings],
    stop: asyncio.Event,
    feeds: Mapping[str, socket.socket] | None = None,
) -> None:
    """Run ``platforms`` until ``stop`` is set; ``StartupError`` if one cannot start.

    ``feeds`` (in a worker process, ``bot/messenger/updates/workers.py``): per platform name, the socket the
    polling process hands this worker's updates on, instead of PTB's own polling. The worker
    stops when a feed ends. Every process follows knowledge changes made by other processes
    (another worker's ``/edit``, ``sabtyar kb import``) within 2 s.
    """
    started: list[App] = []
    servers: list[WebhookServer] = []
    background: list[asyncio.Task[None]] = []
    monitor: MonitoringServer | None = None
    purging: asyncio.Task[None] | None = None
    try:
        if shared.settings.monitoring.enabled:
            monitor = MonitoringServer(
                shared.settings.monitoring, shared.metrics, lambda: readiness(shared, platforms, started)
            )
            await monitor.start()
        # every process follows the knowledge files: another worker's /edit, or a `kb import`
        background.append(asyncio.create_task(shared.live.follow(), name="follow-knowledge"))
        for platform in platforms:
            feed = (feeds or {}).get(platform.name)
            # polling runs on the project's own poller (the inbox), webhooks on its own server
            application = build_application(shared, platform, with_updater=False)
            started.append(application)
            try:
                await application.initialize()
            except InvalidToken:
                raise StartupError(f"{platform.name}: the Bot API rejected the token") from None
            except TelegramError as error:
                raise StartupError(f"{platform.name}: cannot reach the Bot API ({error.message})") from None
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            if feed is None and platform.uses_webhook:
                servers.append(await _start_webhook(application, platform))
                mode = "webhook"
            elif feed is None:
                poller = await _polling(application, platform)
                background.append(asyncio.create_task(_polled(poller, stop), name=f"poll-{platform.name}"))
                mode = "long polling"
            else:
                background.append(
                    asyncio.create_task(_fed(application, feed, stop), name=f"feed-{platform.name}")
                )
                mode = f"worker {os.getpid()}"
            _LOG.info("%s: running as @%s (%s)", platform.name, application.bot.username, mode)
        services = started[0].bot_data.services if started else None
        if (days := shared.settings.privacy.retention_days) and services is not None:
            purge = purge_periodically(services.store, days, stop)  # on a running store's connection
            purging = asyncio.create_task(purge, name="retention-purge")
        await stop.wait()
    finally:
        _LOG.info("stopping")
        if purging is not None:  # ends at once when idle; a purge under way finishes first
            stop.set()
            with contextlib.suppress(Exception):
                await purging
        if monitor is not None:
            await monitor.stop()
        for server in servers:
            await server.stop()
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for application in reversed(started):
            try:
                await _stop(application)
            except Exception:
                _LOG.exception("stopping an application failed")


async def _replay(application: App) -> None:
    """Hand on every update the inbox holds from before and that is not done (none on a first start)."""
    inbox = application.bot_data.services.inbox
    assert inbox is not None
    for update_id in await queue_updates(application, await inbox.start()):
        inbox.done(update_id)


async def _polling(application: App, platform: PlatformSettings) -> Poller:
    """Hand on what the inbox holds from before; the poller for what comes next."""
    inbox = application.bot_data.services.inbox
    assert inbox is not None

    async def deliver(batch: list[dict[str, Any]]) -> None:
        for update_id in await queue_updates(application, await inbox.accept(batch, at_once=True)):
            inbox.done(update_id)
        await inbox.settle()

    await _replay(application)
    metrics = application.bot_data.services.shared.metrics
    return Poller(platform, deliver, ALLOWED_UPDATES, POLL_TIMEOUT, lambda: metrics.polled(platform.name))


async def _polled(poller: Poller, stop: asyncio.Event) -> None:
    """Poll until stopped; a rejected token or a failure stops the process."""
    try:
        await poller.run(stop)
    except Exception:
        _LOG.exception("%s: polling failed: stopping", poller.platform.name)
        raise
    finally:
        stop.set()


def _store_takes_writes(path: Path) -> str:
    """Empty when a write transaction on the database opens within 2 s, else why not (a connection
    of its own, rolled back, so the store's own connection is never left mid-transaction)."""
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=2.0, isolation_level=None)) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
    except sqlite3.Error as error:
        return f"the database does not take writes ({error})"
    return ""


async def readiness(
    shared: Shared, platforms: Sequence[PlatformSettings], started: Sequence[App]
) -> list[Check]:
    """``/healthz``: the engine loaded, each platform's store writable and its updates flowing."""
    stale = shared.settings.monitoring.stale_poll_seconds
    checks = [Check("engine", len(shared.live.engine.knowledge) > 0, "no knowledge loaded")]
    running = {app.bot_data.services.platform.name: app for app in started if app.bot_data.services}
    for platform in platforms:
        application = running.get(platform.name)
        if application is None or application.bot_data.services is None:
            checks.append(Check(f"store {platform.name}", False, "the platform has not started"))
            checks.append(Check(f"updates {platform.name}", False, "the platform has not started"))
            continue
        services = application.bot_data.services
        problem = await asyncio.to_thread(_store_takes_writes, services.store.path)
        if not problem and services.backlog.waiting():
            problem = "writes wait for the database (in the spool file or in memory)"
        checks.append(Check(f"store {platform.name}", not problem, problem))
        if platform.uses_webhook:
            serving = application.running  # the webhook server feeds a running application
            checks.append(Check(f"updates {platform.name}", serving, "the webhook server is not running"))
            continue
        since = shared.metrics.seconds_since_poll(platform.name)
        recent = since is not None and since <= stale
        detail = "getUpdates never answered" if since is None else f"last getUpdates answer {since:.0f} s ago"
        checks.append(Check(f"updates {platform.name}", recent, detail))
    return checks


async def _fed(application: App, feed: socket.socket, stop: asyncio.Event) -> None:
    """Feed the worker's updates; when the polling process goes away, stop this worker too."""
    services = application.bot_data.services
    try:
        await feed_updates(application, feed, services.inbox if services is not None else None)
    finally:
        stop.set()


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (Linux, macOS): about a third less CPU per update
    under load than asyncio's own loop (``benchmarks/load_benchmark.py``); asyncio's elsewhere."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_platforms(
    shared: Shared, platforms: Sequence[PlatformSettings], feeds: Mapping[str, socket.socket] | None = None
) -> int:
    """Run until SIGINT or SIGTERM; the exit status (1 if a platform could not start)."""

    async def main() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await serve(shared, platforms, stop, feeds)
        except StartupError as error:
            _LOG.error("cannot start: %s", error)
            return 1
        return 0

    return asyncio.run(main(), loop_factory=event_loop_factory())


def run_bots(settings: Settings, locales: Locales, engine: AnswerEngine) -> int:
    """``sabtyar run`` with at least one platform configured: the exit status.

    Raises ``KnowledgeError`` for a broken ``offices.yaml``; a missing or unusable hash secret
    file is reported (exit 2) without showing any secret.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB's announced behaviour: RetryAfter in timedelta
    try:
        secret = user_hash_secret(settings)
    except ConfigError as error:
        print(f"sabtyar: configuration error: {error}", file=sys.stderr)
        return 2
    offices, problems = load_offices(settings.knowledge_dir)  # the province and its offices
    holidays, more = load_holidays(settings.knowledge_dir)
    if problems or more:
        raise KnowledgeError(problems + more)
    tokens = [p.token for p in settings.platforms if p.token is not None]
    configure_logging([secret, *tokens], mask=mask_personal_data)
    shared = Shared(settings, engine, locales, UserHasher(secret.reveal()), offices, holidays)
    _freeze_start_up_heap()
    try:
        # `sabtyar restore` refuses while it is held; a killed group's workers may still hold it
        with run_lock(settings.store.path, wait=RUN_LOCK_WAIT):
            return _run(shared, settings)
    except BackupError as error:
        print(f"sabtyar: {error}", file=sys.stderr)
        return 1


def _freeze_start_up_heap() -> None:
    """Leave what start-up built (the engine's tables, hazm's: about 180,000 objects) out of the
    garbage collector's full collections from now on (``gc.freeze``; the workers inherit it).

    A full collection over that heap took 140 ms, a pause of the whole event loop: in it the
    replies the Bot API had carried out waited to be read and their updates marked done, and a
    kill then sent them twice (the longest such windows, 240-320 ms, fell to 40-55 ms). Dropping
    an engine after a knowledge reload leaves about 40 objects in cycles: kept, a few kilobytes."""
    gc.collect()  # the start-up garbage is freed, not frozen
    gc.freeze()


def _run(shared: Shared, settings: Settings) -> int:
    platforms = settings.active_platforms
    if settings.workers > 1:
        return run_workers(
            platforms,
            settings.workers,
            lambda feeds: run_platforms(shared, platforms, feeds),
            store_path=settings.store.path,
            sealer=shared.hasher.sealer(),
            allowed_updates=ALLOWED_UPDATES,
            poll_timeout=POLL_TIMEOUT,
            loop_factory=event_loop_factory(),
        )
    return run_platforms(shared, platforms)
