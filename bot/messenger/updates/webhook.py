"""The webhook server: aiohttp, with the secret checked before the body is read and the body capped.

python-telegram-bot's own webhook server (tornado) reads bodies of up to 100 MB before it looks
at the secret, answers bad JSON with 500 and logs an update it cannot read in full at CRITICAL.
This one, per request:

1. the secret first: where the platform sends ``X-Telegram-Bot-Api-Secret-Token`` it must equal
   the secret given to ``setWebhook`` (compared in constant time), else 403; where it does not
   (Bale), the secret is the URL path itself (at least 32 random characters, see
   :func:`~bot.messenger.platforms.webhook_problem`): any other path is 404;
2. the body: at most :data:`MAX_BODY` bytes (1 MB; a Bot API update is far smaller), else 413;
3. JSON that is not an object: 400; an object the library cannot read as an update: logged
   with its size only (never its content) and answered 200, so the platform does not retry it
   forever; an update: queued for the Application, 200.

With an ``inbox`` (``bot/store/durable/inbox.py``; ``sabtyar run`` always gives one), the Bot
API's HTTP 200 means what the next ``getUpdates`` offset means in long polling: the update is
recorded. Each update is queued for the handlers at once and answered 200 only once the inbox
has it (in the database, or the spool file while the database cannot take it), so a bot killed
after the 200 handles it at its next start; the handlers never wait for that write. An update
the inbox already holds (the Bot API posts it again when a 200 did not reach it) is answered 200
and not handled again. One that cannot be recorded at all (the database unavailable and the
disk refusing the spool too) is handled all the same and answered 500, logged at ERROR; the Bot
API's next post of it counts as a repeat (handled once, but lost if the process dies first).

Posts are taken one per event-loop turn (:class:`~bot.messenger.updates.admission.Admission`,
as updates begin their handling): the Bot API posts up to 40 at once, and taking them all in
one turn held the loop 30-100 ms under load, in which the answers to replies already sent waited
to be read and marked done (median window 35-65 ms, now 20-25 ms). The Bot API waits a little
longer for its 200s, at the pace the process handles them.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram.ext import Application

from bot.messenger.updates.admission import Admission
from bot.messenger.updates.reading import read_update
from bot.store.durable.inbox import Inbox

__all__ = ["MAX_BODY", "SECRET_HEADER", "WebhookServer"]

_LOG = logging.getLogger("sabtyar.webhook")
#: The largest body read (bytes).
MAX_BODY = 1 << 20
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    """Serves one Application's webhook on ``listen:port`` at ``/path`` until :meth:`stop`."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        listen: str,
        port: int,
        path: str,
        secret: str | None,
        inbox: Inbox | None = None,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._admission = Admission()
        self._listen, self._port = listen, port
        self._path = "/" + path.lstrip("/")
        self._secret = secret.encode() if secret else None
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self._path, self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _authentic(self, request: web.Request) -> bool:
        if self._secret is None:
            return True  # the path is the secret: aiohttp routed only that path here
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        return hmac.compare_digest(given, self._secret)

    async def _handle(self, request: web.Request) -> web.Response:
        if not self._authentic(request):
            return web.Response(status=403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        if not isinstance(data, dict):
            return web.Response(status=400)
        await self._admission.turn()
        written = None
        if self._inbox is not None:
            if not await self._inbox.accept([data]):
                return web.Response(status=200)  # recorded before (or without an update id): not again
            written = self._inbox.writing  # this update's write, however many come meanwhile
        try:
            update = read_update(data, self._application.bot)
        except Exception as error:  # the library's parsing of a known kind failed
            _LOG.warning(
                "webhook: skipped an update that could not be read (%d bytes): %s",
                len(body),
                type(error).__name__,
            )
            update = None
        if update is not None:
            await self._application.update_queue.put(update)
        elif self._inbox is not None and isinstance(data.get("update_id"), int):
            self._inbox.done(data["update_id"])  # nothing will handle it: never replayed
        if written is not None:
            try:
                await asyncio.shield(written)  # the inbox's write, not the request's to cancel
            except OSError as error:
                _LOG.error("webhook: an update could not be recorded (%s): answered 500", error)
                return web.Response(status=500)
        return web.Response(status=200)
