"""Hostile updates at scale (issue 14): the real Application, and forged posts to the real webhook server.

:func:`run_fuzz` pushes ``count`` generated updates through ``application.process_update`` of the
real Application (:mod:`tests.support.recording_app`: handlers, store, engine; a recording network
layer) and about a tenth as many POSTs through :class:`bot.messenger.updates.webhook.WebhookServer`:
missing fields, odd chats, senders that are not people, lone surrogates, huge texts, forged and
stale buttons, and webhook posts without the secret, with a wrong one, oversized, not JSON, or
authentic but unreadable. It records, per update, whether the bot replied (any Bot API call) or
stayed silent, whether that was expected, and every log record that is an error or carries a
traceback. ``benchmarks/fuzz_updates.py`` runs 10,000 on demand; ``tests/e2e/test_fuzz.py`` a few
hundred in the suite.
"""

from __future__ import annotations

import io
import itertools
import json
import logging
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.engine.engine import AnswerEngine
from bot.locale import Locales
from bot.messenger.updates.webhook import MAX_BODY, SECRET_HEADER, WebhookServer
from tests.support.recording_app import BOT_ID, RecordingApp, recording_app

__all__ = ["FuzzReport", "run_fuzz"]

JSON = dict[str, Any]
WEBHOOK_SECRET = "fuzz_webhook_secret_0123456789abcdef"

TEXTS = [
    "شناسنامه‌ام گم شده",
    "کارت ملی هوشمند کی آماده میشه؟",
    "هوای فردا تهران چطوره",
    "کد ملی من 0499370899 و موبایل 09121234567",
    "'; DROP TABLE questions; --",
    "<b>bold</b> <script>alert(1)</script>",
    "",
    "   ",
    "\u200c\u200f\u202e",
    "\x00\x07\x1b",
    "🙂🙂🙂",
    "shenasname gom shode",
    "/start",
    "/menu",
    "/stats",
    "/edit birthcert-duplicate",
    "/broadcast",
    "/unknowncommand arg",
    "/start@other_bot",
]
SURROGATES = ["\ud800", "\udfff", "\udbff\udbff", "a\udc00b"]


class _Errors(logging.Handler):
    """Every record at ERROR or above, or with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


@dataclass
class FuzzReport:
    """What happened: per kind of update, replies and silences; the unexpected; the errors."""

    updates: int = 0
    webhook_posts: int = 0
    replies: Counter[str] = field(default_factory=Counter)
    silences: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        lines = [
            f"{self.updates} updates and {self.webhook_posts} webhook posts in {self.seconds:.1f} s",
            f"replied {sum(self.replies.values())}, silent {sum(self.silences.values())}, "
            f"unexpected {len(self.unexpected)}, errors or tracebacks in the log {len(self.errors)}",
            "replied by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(self.replies.items())),
            "silent by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(self.silences.items())),
            "webhook statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items())),
        ]
        return "\n".join(lines + [f"unexpected: {u}" for u in self.unexpected[:10]] + self.errors[:10])


class _Generator:
    """Hostile updates, each with its kind and whether it deserves a reply."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = itertools.count(1)
        self.users = [3_000_000 + n for n in range(50)]

    def text(self) -> str:
        rng = self.rng
        base = rng.choice(TEXTS)
        roll = rng.random()
        if roll < 0.15:
            base = base + rng.choice(SURROGATES)
        elif roll < 0.2:
            base = (base or "x") * rng.randint(1000, 3000)  # huge, beyond 4,096
        elif roll < 0.3:
            base = "".join(chr(rng.randint(0x20, 0x10FFFF)) for _ in range(rng.randint(1, 30)))
            base = "".join(c for c in base if not 0xD800 <= ord(c) <= 0xDFFF) or "x"
        return base

    def message(self, user_id: int | None, text: str, chat: JSON | None = None, **extra: Any) -> JSON:
        message: JSON = {
            "message_id": next(self.ids),
            "date": 0,
            "chat": chat or {"id": user_id or 1, "type": "private"},
            "text": text,
            **extra,
        }
        if user_id is not None:
            message["from"] = {"id": user_id, "is_bot": False, "first_name": "F"}
        if text.startswith("/"):
            word = text.split()[0]
            message["entities"] = [
                {
                    "type": "bot_command",
                    "offset": 0,
                    "length": len(word.encode("utf-16-le", "surrogatepass")) // 2,
                }
            ]
        return message

    def data(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                "r:1:5",
                f"r:{rng.randint(1, 2**62)}:{rng.randint(1, 5)}",
                "r:0:3",
                "r:1:9",
                "c:1:0",
                "x:99",
                "sc:edit",
                "sc:edit:12345",
                "sx:broadcast:1",
                "ua:1:birthcert-duplicate",
                "ud:1",
                "h:",
                "h:424242",
                "more:7",
                "k:3",
                "m:",
                "t:no-such-topic",
                "lang:xx",
                "\ud800",
                "r:1:\udfff",
                "x" * 80,
                "",
                "💥" * 20,
            ]
        )

    def update(self) -> tuple[str, JSON, bool]:
        """``(kind, update without update_id, deserves a reply)``."""
        rng = self.rng
        user = rng.choice(self.users)
        roll = rng.randrange(14)
        if roll <= 3:
            return "private text", {"message": self.message(user, self.text())}, True
        if roll == 4:
            return "no sender", {"message": self.message(None, self.text())}, False
        if roll == 5:
            chat = {"id": -100_000 - user, "type": "channel", "title": "c"}
            return "channel post", {"channel_post": self.message(None, self.text(), chat)}, False
        if roll == 6:
            chat = {"id": -500, "type": "supergroup", "title": "g"}
            anonymous = self.message(None, "/start", chat, sender_chat=chat)
            anonymous["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
            return "anonymous admin", {"message": anonymous}, False
        if roll == 7:
            chat = {"id": -600, "type": "group", "title": "g"}
            return (
                "group, not addressed",
                {"message": self.message(user, self.text().lstrip("/") or "x", chat)},
                False,
            )
        if roll == 8:
            chat = {"id": -601, "type": "supergroup", "title": "g", "username": "public"}
            text = "@sabtyar_test_bot " + self.text().lstrip("/")
            return "group, mentioned", {"message": self.message(user, text, chat)}, True
        if roll == 9:
            return "edited", {"edited_message": self.message(user, self.text())}, False  # not re-answered
        if roll <= 11:
            query: JSON = {
                "id": str(next(self.ids)),
                "from": {"id": user, "is_bot": False, "first_name": "F"},
            }
            query["chat_instance"] = "1"
            query["data"] = self.data()
            if rng.random() < 0.8:
                query["message"] = self.message(BOT_ID, "…", {"id": user, "type": "private"})
            return "button", {"callback_query": query}, True
        if roll == 12:
            bot_sender = self.message(user, self.text())
            bot_sender["from"]["is_bot"] = True
            return "from a bot", {"message": bot_sender}, False
        location = self.message(user, "x")
        del location["text"]
        location["location"] = {"latitude": rng.uniform(-90, 90), "longitude": rng.uniform(-180, 180)}
        return "location", {"message": location}, True

    def webhook_post(self, update: JSON) -> tuple[str, dict[str, str], bytes, int]:
        """``(kind, headers, body, expected status)`` of one post to the webhook."""
        rng = self.rng
        good = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
        body = json.dumps(update, ensure_ascii=False).encode("utf-8", "surrogatepass")
        choices: list[tuple[str, dict[str, str], bytes, int]] = [
            ("no secret", {"Content-Type": "application/json"}, body, 403),
            ("wrong secret", {**good, SECRET_HEADER: WEBHOOK_SECRET[:-1] + "x"}, body, 403),
            ("oversized", good, b" " * (MAX_BODY + 1), 413),
            ("not JSON", good, body[: len(body) // 2] or b"{", 400),
            ("not an object", good, b"[1, 2, 3]", 400),
            ("unreadable update", good, json.dumps({"update_id": 1, "message": {"chat": 5}}).encode(), 200),
            ("authentic", good, body, 200),
        ]
        return rng.choice(choices)


async def _posts(
    app: RecordingApp, generator: _Generator, count: int, report: FuzzReport, port: int
) -> list[JSON]:
    """Post ``count`` webhook requests; the authentic updates accepted, to be handled like the rest."""
    server = WebhookServer(app.application, listen="127.0.0.1", port=port, path="hook", secret=WEBHOOK_SECRET)
    await server.start()
    accepted: list[JSON] = []
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(count):
                _kind, payload, _reply = generator.update()
                update = {"update_id": app.next_update_id(), **payload}
                kind, headers, body, expected = generator.webhook_post(update)
                url = f"http://127.0.0.1:{port}/hook"
                async with session.post(url, data=io.BytesIO(body), headers=headers) as response:
                    report.statuses[f"{kind} {response.status}"] += 1
                    if response.status != expected:
                        report.unexpected.append(f"webhook {kind}: {response.status}, not {expected}")
                report.webhook_posts += 1
        queue = app.application.update_queue
        while not queue.empty():
            accepted.append(queue.get_nowait())
    finally:
        await server.stop()
    return accepted


def _described(record: logging.LogRecord) -> str:
    """A log record's level, logger and message, with the end of its traceback if any."""
    text = f"{record.levelname} {record.name}: {record.getMessage()[:200]}"
    if record.exc_info and record.exc_info[0] is not None:
        text += "\n" + "".join(traceback.format_exception(*record.exc_info)[-4:])
    return text


def run_fuzz(
    tmp_path: Path,
    engine: AnswerEngine,
    locales: Locales,
    count: int,
    *,
    seed: int = 14,
    webhook_port: int = 0,
    progress: Callable[[int], None] | None = None,
) -> FuzzReport:
    """Run ``count`` hostile updates (and ``count // 10`` webhook posts when ``webhook_port``)."""
    report, generator = FuzzReport(), _Generator(random.Random(seed))
    errors = _Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    started = time.perf_counter()
    try:
        with recording_app(tmp_path, engine, locales) as app:
            if webhook_port:
                for update in app.loop.run_until_complete(
                    _posts(app, generator, max(1, count // 10), report, webhook_port)
                ):
                    app.loop.run_until_complete(app.application.process_update(update))
            for number in range(count):
                kind, payload, deserves = generator.update()
                before = len(app.request.calls)
                app.process(payload)
                report.updates += 1
                replied = len(app.request.calls) > before
                (report.replies if replied else report.silences)[kind] += 1
                if replied != deserves:
                    report.unexpected.append(
                        f"{kind}: {'replied' if replied else 'silent'} to {payload!r:.200}"
                    )
                if progress is not None and number % 1000 == 999:
                    progress(number + 1)
            report.errors += [f"handler error: {error!r}" for error in app.errors]
    finally:
        root.removeHandler(errors)
    report.errors += [_described(record) for record in errors.records]
    report.seconds = time.perf_counter() - started
    return report
