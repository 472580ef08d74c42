"""One python-telegram-bot Application per platform, wired to sabtyar's handlers and services.

``post_init`` opens this platform's store connection, flood gate and store backlog (with its
retry task), loads the staff list (and follows it), sets the command menus, and puts them, with
the shared engine and texts, in ``bot_data``; ``post_shutdown``
stops the retries, makes a last attempt at what still waits and closes the store. PTB calls these
two only from ``run_polling``; :mod:`bot.runner` runs several Applications in one loop and
calls them itself.
"""

from __future__ import annotations

import asyncio
import contextlib

from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

from bot.messenger.flood import FloodGate
from bot.messenger.http_client import AiohttpRequest, RetryingRequest
from bot.messenger.lean_bot import LeanBot
from bot.messenger.monitoring import ObservedRequest
from bot.messenger.platforms import PlatformSettings
from bot.messenger.rate_limit import PlatformRateLimiter
from bot.messenger.updates.application import TrackedApplication
from bot.messenger.updates.window import SendWindow
from bot.store import Store
from bot.store.durable.backlog import Backlog
from bot.store.durable.inbox import UPDATE_KEY_FIELD, Inbox, bot_id_of, key_of
from bot.store.durable.spool import Spool, spool_path
from bot.store.store import KEEP_SECONDS
from handlers import all_handlers, on_error
from handlers.command_menus import set_command_menus
from handlers.context import AppData, Services, Shared, context_types

__all__ = ["ALLOWED_UPDATES", "READ_TIMEOUT", "bot_api_request", "build_application"]

#: The update kinds the bot asks for (Bale has no inline mode; edits are not re-answered).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
#: Seconds to wait for the Bot API's answer to a call: long enough for a slow Bot API, so that a
#: reply it does carry out is not reported as failed (and followed by an apology).
READ_TIMEOUT = 20.0


def bot_api_request(platform: PlatformSettings) -> RetryingRequest:
    """The transport for every call but ``getUpdates``: the configured client, retried."""
    inner: BaseRequest
    if platform.http_client == "aiohttp":
        inner = AiohttpRequest(read_timeout=READ_TIMEOUT, body=platform.request_body)
    else:
        inner = HTTPXRequest(connection_pool_size=256, read_timeout=READ_TIMEOUT, pool_timeout=1.0)
    return RetryingRequest(inner)


def _request(platform: PlatformSettings, *, polling: bool = False) -> BaseRequest:
    """The platform's Bot API transport as :class:`ApplicationBuilder` would make it."""
    if platform.http_client == "aiohttp":
        body = platform.request_body
        return AiohttpRequest(pool_size=1, body=body) if polling else AiohttpRequest(body=body)
    return HTTPXRequest(connection_pool_size=1 if polling else 256)


def build_application(
    shared: Shared, platform: PlatformSettings, *, with_updater: bool = True
) -> Application:  # type: ignore[type-arg]
    """The Application for ``platform`` (which must have a token), not yet initialized.

    ``with_updater=False`` for a worker process, whose updates come from the polling process, and
    for a webhook (served by :class:`bot.messenger.updates.webhook.WebhookServer`)."""
    if platform.token is None:
        raise ValueError(f"{platform.name} has no token")

    retrying: list[asyncio.Task[None]] = []
    bot_id = bot_id_of(platform.token.reveal())

    async def post_init(application: Application) -> None:  # type: ignore[type-arg]
        flood, store_settings = shared.settings.flood, shared.settings.store
        data: AppData = application.bot_data
        # a database that cannot be used now (locked, read-only, full) is opened later: the bot
        # answers meanwhile, its writes waiting in the spool
        store = await Store.open_serving(store_settings.path)
        spool = Spool(spool_path(store.path))  # one per process: the inbox's and the events'
        inbox = Inbox(
            lambda: data.services.store if data.services else None,
            spool,
            platform.name,
            bot_id,
            shared.hasher.sealer(),
        )
        backlog = Backlog(store_settings.backlog, spool=spool)
        backlog.load(spool.read())  # events a stopped bot left waiting: presses on them are checked
        services = Services(
            shared=shared,
            platform=platform,
            store=store,
            flood=FloodGate(flood.messages, flood.window_seconds),
            backlog=backlog,
            inbox=inbox,
        )
        data.services = services
        shared.metrics.watch_backlog(platform.name, lambda: len(services.backlog))
        retrying.append(asyncio.create_task(store.keep(), name="store-file"))
        retrying.append(asyncio.create_task(services.backlog.run(services.store), name="store-backlog"))
        if store.took_writes_at_start:
            await services.roster.load(services.store)
        else:  # seeding the staff list would wait for the database: the config's lists until then
            retrying.append(asyncio.create_task(_load_roster_later(services), name="staff-roster-load"))
        retrying.append(asyncio.create_task(services.roster.follow(services.store), name="staff-roster"))
        await set_command_menus(application.bot, shared, platform)
        retrying.append(asyncio.create_task(inbox.run(), name="inbox-spool"))
        if isinstance(application, TrackedApplication):
            application.finished.append(lambda update, delivery: _finished(inbox, update, delivery.sent))
            inbox.on_recorded.append(application.confirmed)  # a recorded mark frees its update's place
            application.confirms = True
            window = application.window
            shared.metrics.watch_unconfirmed(platform.name, lambda: window.held)

    async def post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
        data: AppData = application.bot_data
        for task in retrying:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        retrying.clear()
        if data.services is not None:
            if data.services.inbox is not None:
                await data.services.inbox.close()
            await data.services.backlog.close(data.services.store)
            await data.services.store.close()
            data.services = None

    calls: BaseRequest = bot_api_request(platform)  # retried where provably unsent or transient
    polls = _request(platform, polling=True)
    if shared.settings.monitoring.enabled:  # the same transports, with their outcomes counted
        calls = ObservedRequest(calls, shared.metrics, platform.name)
        polls = ObservedRequest(polls, shared.metrics, platform.name, polls=True)
    bot = LeanBot(  # PTB's ExtBot, plus replies whose answer is not parsed back
        platform.token.reveal(),
        base_url=platform.base_url,
        base_file_url=platform.base_file_url,
        request=calls,
        get_updates_request=polls,
        rate_limiter=PlatformRateLimiter() if platform.rate_limiter else None,  # type: ignore[arg-type]
    )
    builder = (
        ApplicationBuilder()
        .application_class(TrackedApplication)
        .bot(bot)
        .context_types(context_types())
        .concurrent_updates(True)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if not with_updater:
        builder = builder.updater(None)
    application = builder.build()
    if isinstance(application, TrackedApplication):
        application.window = SendWindow(shared.settings.unconfirmed_replies)
    for group, handler in all_handlers():
        application.add_handler(handler, group)
    application.add_error_handler(on_error)
    return application


async def _load_roster_later(services: Services) -> None:
    """Seed and read the staff list once the database takes writes (a start during an outage)."""
    while not await services.store.takes_writes():
        await asyncio.sleep(KEEP_SECONDS)
    await services.roster.load(services.store)


def _finished(inbox: Inbox, update: object, replies: int) -> None:
    """An update's handling ended, ``replies`` accepted by the Bot API: mark it done in the inbox
    with its key (the one it was handed on with, else derived from it as the handlers do), the
    key its deliveries are counted under."""
    update_id = getattr(update, "update_id", None)
    if not isinstance(update_id, int):
        return
    to_json = getattr(update, "to_json", None)
    attached = (getattr(update, "api_kwargs", None) or {}).get(UPDATE_KEY_FIELD)
    key = key_of(inbox.platform, inbox.bot_id, attached, to_json) if callable(to_json) else None
    inbox.done(update_id, replies, key)
