"""The fake server's world: users, chats, messages, the update queue, files and records.

All mutation happens on the server's event loop; :class:`BotState` itself does no locking.
"""

from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass, field
from typing import Any

from .notify import Notifier
from .objects import CallRecord, FakeChat, FakeUser, SentMessage, StoredFile

__all__ = ["DEFAULT_EXCLUDED_UPDATES", "BotState", "WebhookConfig", "update_type"]

JSON = dict[str, Any]

#: Update types Telegram leaves out unless they are listed in ``allowed_updates``.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_FILE_FOLDERS = {
    "document": "documents",
    "photo": "photos",
    "voice": "voice",
    "sticker": "stickers",
    "audio": "music",
    "video": "videos",
}


def update_type(update: JSON) -> str:
    """The kind of an Update (``message``, ``callback_query``, ...)."""
    return next(k for k in update if k != "update_id")


@dataclass
class WebhookConfig:
    """What setWebhook registered, plus delivery health for getWebhookInfo."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    has_custom_certificate: bool = False
    last_error_date: int | None = None
    last_error_message: str | None = None
    deliveries: list[JSON] = field(default_factory=list)


class BotState:
    """Everything one fake bot account knows and has done."""

    def __init__(self, token: str, bot: FakeUser, first_update_id: int = 100_000_001) -> None:
        self.token = token
        self.bot = bot
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, FakeChat] = {}
        self.messages: dict[int, dict[int, JSON]] = {}
        self.updates: list[JSON] = []
        self.allowed_updates: list[str] | None = None
        self.webhook: WebhookConfig | None = None
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.calls: list[CallRecord] = []
        self.sent: dict[int, list[SentMessage]] = {}
        self.sent_index: dict[tuple[int, int], SentMessage] = {}
        self.callback_queries: dict[str, JSON] = {}
        self.callback_answers: list[JSON] = []
        self.blocked: set[int] = set()
        self.commands: dict[str, list[JSON]] = {}
        self.changed = Notifier()
        self.poll_generation = 0
        self.closing = False
        self._message_counters: dict[int, int] = {}
        self._next_update_id = first_update_id  # a restarted bot's Bot API goes on counting
        self._next_file = 1
        self._next_callback = 1

    # ids and time --------------------------------------------------------------------------
    @staticmethod
    def now() -> int:
        """Current Unix time in seconds, the unit of every ``date`` field."""
        return int(time.time())

    def next_message_id(self, chat_id: int) -> int:
        """Message ids increase per chat and are shared by the bot and the users."""
        value = self._message_counters.get(chat_id, 0) + 1
        self._message_counters[chat_id] = value
        return value

    def next_callback_id(self) -> str:
        """A fresh CallbackQuery id."""
        value = self._next_callback
        self._next_callback += 1
        return f"{self.bot.id}{value:08d}"

    # users and chats ----------------------------------------------------------------------
    def add_user(self, user: FakeUser) -> FakeChat:
        """Register ``user`` and its private chat with the bot."""
        self.users[user.id] = user
        chat = FakeChat.private(user)
        self.chats.setdefault(chat.id, chat)
        return self.chats[chat.id]

    def find_chat(self, chat_id: int | str | None) -> FakeChat | None:
        """A chat by numeric id or ``@username``."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            return next((c for c in self.chats.values() if (c.username or "").lower() == name), None)
        if isinstance(chat_id, int):
            return self.chats.get(chat_id)
        return None

    # messages -----------------------------------------------------------------------------
    def store_message(self, message: JSON) -> None:
        """Remember a message (user's or bot's) so it can be replied to, edited, copied."""
        self.messages.setdefault(message["chat"]["id"], {})[message["message_id"]] = message

    def find_message(self, chat_id: int, message_id: int) -> JSON | None:
        """A stored message, or ``None``."""
        return self.messages.get(chat_id, {}).get(message_id)

    def record_sent(self, sent: SentMessage) -> None:
        """Add a bot message to the per-chat sent list and wake waiters."""
        self.sent.setdefault(sent.chat_id, []).append(sent)
        self.sent_index[(sent.chat_id, sent.message_id)] = sent
        self.changed.notify()

    # updates ------------------------------------------------------------------------------
    def queue_update(self, kind: str, payload: JSON) -> JSON:
        """Append ``{"update_id", kind: payload}`` to the queue and wake pollers."""
        update = {"update_id": self._next_update_id, kind: payload}
        self._next_update_id += 1
        self.updates.append(update)
        self.changed.notify()
        return update

    def is_allowed(self, update: JSON, allowed: list[str] | None) -> bool:
        """Whether ``update`` passes an ``allowed_updates`` setting."""
        kind = update_type(update)
        if allowed:
            return kind in allowed
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def confirm(self, offset: int | None) -> None:
        """getUpdates ``offset`` semantics: forget confirmed updates."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            self.updates = self.updates[offset:]
        else:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable(self, allowed: list[str] | None) -> list[JSON]:
        """Queued updates passing ``allowed``; the others are dropped like Telegram does."""
        self.updates = [u for u in self.updates if self.is_allowed(u, allowed)]
        return self.updates

    # files --------------------------------------------------------------------------------
    def store_file(
        self,
        kind: str,
        data: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        """Keep bytes under a new file_id and a downloadable file_path."""
        n = self._next_file
        self._next_file += 1
        ext = ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1]
        elif mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        elif kind == "photo":
            ext = ".jpg"
        elif kind == "voice":
            ext = ".oga"
        folder = _FILE_FOLDERS.get(kind, "documents")
        stored = StoredFile(
            file_id=f"FAKE{kind.upper()}{n:06d}{self.bot.id}",
            file_unique_id=f"U{n:06d}",
            data=data,
            file_path=f"{folder}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
            url=url,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored
