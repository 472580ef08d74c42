"""FakeBotApi: a local Telegram/Bale Bot API server on 127.0.0.1 for end-to-end tests.

Usage::

    async with FakeBotApi(profile="telegram") as api:
        app = (ApplicationBuilder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...
        citizen = api.create_user("Sara")
        api.user_sends_command(citizen, "/start")
        [reply] = await api.wait_for_messages(citizen.id)

Routes: ``/bot<token>/<method>`` (GET or POST; JSON, form or multipart) and
``/file/bot<token>/<file_path>``. The simulation API (``create_user``, ``user_sends_text``, ...)
comes from :class:`~tests.support.fakeapi.simulation.Simulation`; this class adds the HTTP side, the
records (``sent``, ``calls``, ``callback_answers``), waiting helpers and fault injection.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from aiohttp import web

from .faults import Fault, FaultPlan
from .methods import BotMethods
from .objects import CallRecord, FakeUser, SentMessage, StoredFile
from .profiles import Profile, get_profile
from .protocol import ApiError, error_body, error_response, ok_response, read_params
from .simulation import Simulation
from .state import BotState
from .webhook import WebhookDeliverer

__all__ = ["DEFAULT_TOKEN", "FakeBotApi"]

DEFAULT_TOKEN = "7000000001:AAF4keT0kenF0rSabtyarTests_0123456789"
_LOG = logging.getLogger(__name__)
JSON = dict[str, Any]


class FakeBotApi(Simulation):
    """One fake bot account served over HTTP; an async context manager.

    ``profile`` is ``"telegram"``, ``"bale"`` or a :class:`Profile`; ``parse_mode_supported``,
    ``webhook_secret_header`` and ``supports_inline_queries`` override it. ``privacy_mode``
    (default: the profile's ``not can_read_all_group_messages``) hides group messages that are
    not commands, mentions of the bot or replies to it.
    """

    def __init__(
        self,
        profile: str | Profile = "telegram",
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "sabtyar_test_bot",
        bot_first_name: str = "Sabtyar",
        host: str = "127.0.0.1",
        port: int = 0,
        parse_mode_supported: bool | None = None,
        webhook_secret_header: bool | None = None,
        supports_inline_queries: bool | None = None,
        privacy_mode: bool | None = None,
        webhook_retry_delay: float = 0.1,
        first_update_id: int = 100_000_001,
    ) -> None:
        self.profile = get_profile(profile).with_overrides(
            parse_mode_supported=parse_mode_supported,
            webhook_secret_header=webhook_secret_header,
            supports_inline_queries=supports_inline_queries,
        )
        self.token = token
        head = token.split(":", 1)[0]
        bot_id = int(head) if head.isdigit() else 7_000_000_001
        self.bot = FakeUser(bot_id, bot_first_name, username=bot_username, is_bot=True)
        self.state = BotState(token, self.bot, first_update_id)
        self.privacy_mode = (
            not self.profile.can_read_all_group_messages if privacy_mode is None else privacy_mode
        )
        self.faults = FaultPlan()
        self.deliverer = WebhookDeliverer(self.state, self.profile, retry_delay=webhook_retry_delay)
        self.methods = BotMethods(self.state, self.profile, self._webhook_changed)
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._consumed: dict[int, int] = {}

    # lifecycle ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url(...)``."""
        return f"{self.url}/file/bot"

    def make_app(self) -> web.Application:
        """The aiohttp application (routes only; :meth:`start` runs it)."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        return app

    async def start(self) -> FakeBotApi:
        """Bind to ``host:port`` (port 0 picks a free one) and serve."""
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self.state.closing = False
        self._runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery and close the server."""
        self.state.closing = True
        self.state.changed.notify()
        await self.deliverer.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def _webhook_changed(self) -> None:
        self.deliverer.sync()

    # HTTP ---------------------------------------------------------------------------------
    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(error_body(404, "Not Found"), status=404)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(error_body(401, "Unauthorized"), status=401)
        stored = self.state.files_by_path.get(request.match_info["path"])
        if stored is None or stored.data is None:
            return web.json_response(error_body(404, "Not Found"), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(error_body(401, "Unauthorized"), status=401)
        name = self.methods.canonical(request.match_info["method"])
        if name is None:
            return web.json_response(error_body(404, "Not Found: method not found"), status=404)
        try:
            params, _files = await read_params(request)
        except ApiError as exc:
            return error_response(exc)
        record = CallRecord(name, params, at=time.monotonic(), wall=time.time())
        self.state.calls.append(record)
        fault = self.faults.take(name, params)
        if fault is None:
            return await self._execute(record)
        record.fault = fault.label
        return await self._apply_fault(request, record, fault)

    async def _execute(self, record: CallRecord) -> web.Response:
        try:
            result = await self.methods.call(record.method, record.params)
        except ApiError as exc:
            record.status, record.ok, record.description = exc.error_code, False, exc.description
            self.state.changed.notify()
            return error_response(exc)
        except Exception:
            _LOG.exception("fake Bot API crashed in %s", record.method)
            record.status, record.ok = 500, False
            self.state.changed.notify()
            return web.json_response(error_body(500, "Internal Server Error"), status=500)
        record.status, record.ok, record.processed, record.result = 200, True, True, result
        self.state.changed.notify()
        return ok_response(result)

    async def _apply_fault(
        self, request: web.Request, record: CallRecord, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind == "delay":
            await self.state.changed.wait_for(lambda: self.state.closing, fault.delay)
            return await self._execute(record)
        if fault.kind == "disconnect":
            if fault.process:
                await self._execute(record)
            record.status, record.ok = None, False
            self.state.changed.notify()
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # aiohttp drops the connection without a response
        record.status, record.ok, record.description = fault.status, False, fault.description
        self.state.changed.notify()
        if fault.kind == "raw":
            return web.Response(status=fault.status, text=fault.body or "", content_type="text/html")
        return web.json_response(
            error_body(fault.status, fault.description, fault.parameters), status=fault.status
        )

    # fault injection ----------------------------------------------------------------------
    def inject(
        self,
        fault: Fault,
        method: str | None = None,
        *,
        chat_ids: int | str | list[int | str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Fail the next ``times`` calls of ``method`` (all methods if ``None``; ``times=None``
        means until :meth:`clear_faults`), optionally only for some ``chat_id`` values."""
        self.faults.add(fault, method, chat_ids=chat_ids, times=times)

    def fail_every(
        self, n: int, faults: Sequence[Fault] | None = None, methods: Sequence[str] | None = None
    ) -> None:
        """Fail one call in ``n`` of ``methods`` (all if ``None``) until :meth:`clear_faults`:
        ``faults`` in turn (default: HTTP 500, then a dropped connection). The failed calls carry
        the fault's label in :meth:`calls`, as scripted ones do."""
        self.faults.every(n, faults or (Fault.server_error(), Fault.disconnect()), methods)

    def clear_faults(self) -> None:
        """Remove all scripted faults."""
        self.faults.clear()

    # records ------------------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent to ``chat_id`` (all chats if ``None``), oldest first."""
        if chat_id is None:
            return sorted((m for msgs in self.state.sent.values() for m in msgs), key=lambda m: m.at)
        return list(self.state.sent.get(chat_id, []))

    def calls(self, method: str | None = None) -> list[CallRecord]:
        """Recorded requests (all, or of one case-insensitive method), faulted ones included."""
        if method is None:
            return list(self.state.calls)
        wanted = method.lower()
        return [c for c in self.state.calls if c.method.lower() == wanted]

    @property
    def callback_answers(self) -> list[JSON]:
        """answerCallbackQuery calls that succeeded, with the query's ``data`` and ``user_id``."""
        return self.state.callback_answers

    @property
    def webhook_deliveries(self) -> list[JSON]:
        """Webhook POST attempts: ``{update_id, error, at}`` (``error`` ``None`` on success)."""
        return self.deliverer.deliveries

    @property
    def pending_updates(self) -> list[JSON]:
        """Updates queued and not yet confirmed by the bot."""
        return list(self.state.updates)

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file (uploaded by the bot or sent by a user) by file_id."""
        return self.state.files.get(file_id)

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        """The current JSON of a stored message (after edits), ``None`` if unknown/deleted."""
        return self.state.find_message(chat_id, message_id)

    # waiting ------------------------------------------------------------------------------
    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """The next ``count`` bot messages to ``chat_id`` not returned by an earlier call.

        Raises TimeoutError (listing what did arrive) if they do not come within ``timeout``.
        """
        start = self._consumed.get(chat_id, 0)

        def arrived() -> bool:
            return len(self.state.sent.get(chat_id, [])) >= start + count

        if not await self.state.changed.wait_for(arrived, timeout):
            got = [m.text for m in self.state.sent.get(chat_id, [])[start:]]
            raise TimeoutError(f"expected {count} message(s) to chat {chat_id} within {timeout}s, got {got}")
        self._consumed[chat_id] = start + count
        return self.state.sent[chat_id][start : start + count]

    async def expect_no_messages(self, chat_id: int, within: float = 0.3) -> None:
        """Assert that no unconsumed bot message to ``chat_id`` arrives within ``within`` s."""
        start = self._consumed.get(chat_id, 0)
        if await self.state.changed.wait_for(lambda: len(self.state.sent.get(chat_id, [])) > start, within):
            extra = [m.text for m in self.state.sent[chat_id][start:]]
            raise AssertionError(f"unexpected message(s) to chat {chat_id}: {extra}")

    async def wait_for_calls(
        self, method: str, count: int = 1, timeout: float = 5.0, *, ok: bool | None = None
    ) -> list[CallRecord]:
        """Wait until at least ``count`` finished calls of ``method`` (optionally only ``ok``)."""

        def matching() -> list[CallRecord]:
            return [
                c
                for c in self.calls(method)
                if c.ok is not None or c.fault is not None
                if ok is None or c.ok == ok
            ]

        if not await self.state.changed.wait_for(lambda: len(matching()) >= count, timeout):
            raise TimeoutError(f"expected {count} {method} call(s) within {timeout}s")
        return matching()

    async def wait_for_callback_answers(self, count: int = 1, timeout: float = 5.0) -> list[JSON]:
        """Wait until at least ``count`` callback queries were answered."""
        if not await self.state.changed.wait_for(lambda: len(self.state.callback_answers) >= count, timeout):
            raise TimeoutError(f"expected {count} callback answer(s) within {timeout}s")
        return list(self.state.callback_answers)

    async def wait_until_delivered(self, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched and confirmed every queued update."""
        if not await self.state.changed.wait_for(lambda: not self.state.updates, timeout):
            raise TimeoutError(f"{len(self.state.updates)} update(s) still pending")
