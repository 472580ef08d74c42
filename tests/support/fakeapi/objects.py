"""Records the fake server keeps (users, chats, files, calls, sent messages) and their JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CallRecord", "FakeChat", "FakeUser", "SentMessage", "StoredFile"]

JSON = dict[str, Any]


@dataclass
class FakeUser:
    """A Telegram/Bale account (a citizen, or the bot itself with ``is_bot=True``)."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data


@dataclass
class FakeChat:
    """A private chat, group, supergroup or channel."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    members: set[int] = field(default_factory=set)

    @classmethod
    def private(cls, user: FakeUser) -> FakeChat:
        """The private chat between ``user`` and the bot (its id is the user's id)."""
        return cls(
            user.id,
            "private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
            members={user.id},
        )

    def to_dict(self) -> JSON:
        """The Bot API ``Chat`` object."""
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.type == "supergroup":
            data["is_forum"] = False
        return data

    def full_info(self) -> JSON:
        """The Bot API ``ChatFullInfo`` object returned by getChat."""
        return {
            **self.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


@dataclass
class StoredFile:
    """Bytes known to the server under a file_id, downloadable at ``file_path``."""

    file_id: str
    file_unique_id: str
    data: bytes | None
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    url: str | None = None  # set when a bot sent an HTTP URL instead of bytes

    @property
    def size(self) -> int:
        """Size in bytes (0 for URL-only files)."""
        return len(self.data) if self.data is not None else 0

    def to_file(self) -> JSON:
        """The Bot API ``File`` object (``file_path`` relative, as Telegram returns it)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class CallRecord:
    """One Bot API request as the server saw it.

    ``at`` is ``time.monotonic()`` at arrival (use it for rates), ``wall`` the epoch time.
    ``fault`` names the injected fault, if any; ``processed`` tells whether the call took effect
    (a faulted call can still have sent its message, e.g. after a delay).
    """

    method: str
    params: JSON
    at: float
    wall: float
    status: int | None = None
    ok: bool | None = None
    description: str | None = None
    fault: str | None = None
    processed: bool = False
    result: Any = None

    @property
    def chat_id(self) -> Any:
        """The ``chat_id`` parameter, if any."""
        return self.params.get("chat_id")


@dataclass
class SentMessage:
    """A message the bot sent, kept up to date by later edits.

    ``raw_text`` is the text/caption exactly as the bot sent it, ``text`` what a client shows
    (after parse_mode), ``reply_markup`` the markup as sent (any keyboard type), ``data`` the
    bytes of an uploaded document/photo, ``history`` the earlier versions replaced by edits.
    """

    method: str
    chat_id: int
    message_id: int
    message: JSON
    at: float
    text: str | None = None
    raw_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSON] | None = None
    reply_markup: JSON | None = None
    data: bytes | None = None
    file_name: str | None = None
    mime_type: str | None = None
    file_id: str | None = None
    location: tuple[float, float] | None = None
    history: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def document(self) -> bytes | None:
        """Alias of ``data`` for sendDocument/sendPhoto."""
        return self.data

    @property
    def buttons(self) -> list[JSON]:
        """All buttons of the markup (inline or reply keyboard), row by row flattened."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [{"text": b} if isinstance(b, str) else b for row in rows for b in row]

    @property
    def button_texts(self) -> list[str]:
        """Labels of all buttons."""
        return [b.get("text", "") for b in self.buttons]

    def snapshot(self) -> JSON:
        """The editable state, as stored in ``history`` before an edit."""
        return {
            "text": self.text,
            "raw_text": self.raw_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
        }
