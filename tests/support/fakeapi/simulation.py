"""The citizens' side: users and chats, and the updates their actions produce.

:class:`Simulation` is mixed into :class:`~tests.support.fakeapi.server.FakeBotApi`. Every method is a
plain function that may be called from the server's event loop or from any other thread (it then
runs on the loop and waits for it); each action queues an Update and returns its JSON.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import functools
import threading
from collections.abc import Callable, Iterable
from typing import Any

from .formatting import auto_entities, utf16_len
from .objects import FakeChat, FakeUser, SentMessage
from .state import BotState

__all__ = ["TINY_PNG", "Simulation", "threadsafe"]

JSON = dict[str, Any]
MessageRef = SentMessage | JSON | int

#: A valid 1x1 PNG, the default bytes of ``user_sends_photo``.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
_TINY_OGG = b"OggS\x00\x02" + b"\x00" * 58


def threadsafe[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """Run a Simulation method on the server loop when called from another thread."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        loop: asyncio.AbstractEventLoop | None = getattr(self, "_loop", None)
        if loop is None or not loop.is_running() or threading.get_ident() == self._loop_thread:  # type: ignore[attr-defined]
            return func(*args, **kwargs)
        result: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            try:
                result.set_result(func(*args, **kwargs))
            except BaseException as exc:
                result.set_exception(exc)

        loop.call_soon_threadsafe(run)
        return result.result(timeout=30)

    return wrapper


class Simulation:
    """User-side actions; needs ``state`` and ``privacy_mode`` from the server."""

    state: BotState
    privacy_mode: bool
    _loop: asyncio.AbstractEventLoop | None
    _loop_thread: int | None
    _next_user_id = 100_000_001
    _next_group_id = 4_000_000_001

    # users and chats ----------------------------------------------------------------------
    @threadsafe
    def create_user(
        self,
        first_name: str = "Citizen",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "fa",
        user_id: int | None = None,
    ) -> FakeUser:
        """A human account (``is_bot=False``) with a private chat with the bot."""
        if user_id is None:
            user_id = Simulation._next_user_id
            Simulation._next_user_id += 1
        user = FakeUser(user_id, first_name, last_name, username, language_code)
        self.state.add_user(user)
        return user

    @threadsafe
    def create_group(
        self,
        title: str = "Group",
        members: Iterable[FakeUser] = (),
        *,
        supergroup: bool = False,
        username: str | None = None,
        chat_id: int | None = None,
    ) -> FakeChat:
        """A group (or supergroup) containing the bot and ``members``."""
        if chat_id is None:
            number = Simulation._next_group_id
            Simulation._next_group_id += 1
            chat_id = -(1_000_000_000_000 + number) if supergroup else -number
        chat = FakeChat(chat_id, "supergroup" if supergroup else "group", title=title, username=username)
        for member in members:
            self.state.add_user(member)
            chat.members.add(member.id)
        self.state.chats[chat.id] = chat
        return chat

    def _chat_for(self, user: FakeUser, chat: FakeChat | int | None) -> FakeChat:
        if user.id not in self.state.users:
            self.state.add_user(user)
        if chat is None:
            return self.state.chats[user.id]
        chat_id = chat if isinstance(chat, int) else chat.id
        found = self.state.chats.get(chat_id)
        if found is None:
            raise ValueError(f"unknown chat {chat_id}; create it with create_group()")
        found.members.add(user.id)
        return found

    def _message_ref(self, user: FakeUser, ref: MessageRef, chat: FakeChat | int | None) -> JSON:
        if isinstance(ref, SentMessage):
            chat_id, message_id = ref.chat_id, ref.message_id
        elif isinstance(ref, dict):
            message = ref.get("message") or ref.get("edited_message") or ref
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        else:
            chat_id, message_id = self._chat_for(user, chat).id, ref
        found = self.state.find_message(chat_id, message_id)
        if found is None:
            raise ValueError(f"no message {message_id} in chat {chat_id} (deleted?)")
        return found

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat | int | None,
        content: JSON,
        reply_to: MessageRef | None = None,
    ) -> JSON | None:
        target = self._chat_for(user, chat)
        message: JSON = {
            "message_id": self.state.next_message_id(target.id),
            "from": user.to_dict(),
            "chat": target.to_dict(),
            "date": self.state.now(),
            **content,
        }
        if reply_to is not None:
            nested = dict(self._message_ref(user, reply_to, target))
            nested.pop("reply_to_message", None)
            message["reply_to_message"] = nested
        self.state.store_message(message)
        if target.type != "private" and self.privacy_mode and not self._visible(message):
            return None
        return self.state.queue_update("message", copy.deepcopy(message))

    def _visible(self, message: JSON) -> bool:
        """Privacy mode: in groups the bot sees commands, mentions of it and replies to it."""
        reply = message.get("reply_to_message") or {}
        if reply.get("from", {}).get("id") == self.state.bot.id:
            return True
        text = message.get("text") or message.get("caption") or ""
        name = f"@{self.state.bot.username}".lower()
        return text.startswith("/") or name in text.lower()

    # messages -----------------------------------------------------------------------------
    @threadsafe
    def user_sends_text(
        self,
        user: FakeUser,
        text: str,
        chat: FakeChat | int | None = None,
        entities: list[JSON] | None = None,
        reply_to: MessageRef | None = None,
    ) -> JSON | None:
        """A text message; commands, @mentions and URLs get entities unless given.

        Returns the Update, or ``None`` for a group message the bot cannot see (privacy mode).
        """
        content: JSON = {"text": text}
        found = auto_entities(text) if entities is None else entities
        if found:
            content["entities"] = found
        return self._user_message(user, chat, content, reply_to)

    @threadsafe
    def user_sends_command(
        self,
        user: FakeUser,
        command: str,
        args: str = "",
        chat: FakeChat | int | None = None,
        *,
        mention_bot: bool = False,
    ) -> JSON | None:
        """``/command[@bot] args`` with a bot_command entity at offset 0."""
        name = command if command.startswith("/") else f"/{command}"
        if mention_bot:
            name += f"@{self.state.bot.username}"
        text = f"{name} {args}".rstrip()
        entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(name)}]
        return self._user_message(user, chat, {"text": text, "entities": entities})

    @threadsafe
    def user_forwards_message(
        self,
        user: FakeUser,
        original: FakeUser | None,
        text: str,
        chat: FakeChat | int | None = None,
        *,
        hidden_name: str = "Hidden",
    ) -> JSON | None:
        """``user`` forwards a text ``original`` wrote: ``forward_origin`` of type ``user``, or
        ``hidden_user`` (only a name) for ``original=None``, as the Bot API's ``MessageOrigin``."""
        origin: JSON = {"date": self.state.now()}
        if original is None:
            origin.update(type="hidden_user", sender_user_name=hidden_name)
        else:
            origin.update(type="user", sender_user=original.to_dict())
        content: JSON = {"text": text, "forward_origin": origin}
        found = auto_entities(text)
        if found:
            content["entities"] = found
        return self._user_message(user, chat, content)

    @threadsafe
    def user_mentions_bot(self, user: FakeUser, chat: FakeChat | int, text: str = "") -> JSON | None:
        """``@bot_username text`` in a group, with a mention entity."""
        mention = f"@{self.state.bot.username}"
        full = f"{mention} {text}".rstrip()
        entities = [{"type": "mention", "offset": 0, "length": utf16_len(mention)}]
        return self._user_message(user, chat, {"text": full, "entities": entities})

    def _user_file(self, kind: str, data: bytes, **meta: Any) -> JSON:
        stored = self.state.store_file(
            kind, data, file_name=meta.get("file_name"), mime_type=meta.get("mime_type")
        )
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            **{k: v for k, v in meta.items() if v is not None},
        }

    @threadsafe
    def user_sends_sticker(
        self, user: FakeUser, emoji: str = "👍", chat: FakeChat | int | None = None
    ) -> JSON | None:
        """A regular static sticker."""
        sticker = self._user_file(
            "sticker",
            b"RIFF\x00\x00\x00\x00WEBP",
            width=512,
            height=512,
            is_animated=False,
            is_video=False,
            type="regular",
            emoji=emoji,
        )
        return self._user_message(user, chat, {"sticker": sticker})

    @threadsafe
    def user_sends_photo(
        self,
        user: FakeUser,
        data: bytes = TINY_PNG,
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        *,
        width: int = 1,
        height: int = 1,
    ) -> JSON | None:
        """A photo (one PhotoSize) whose bytes the bot can download via getFile."""
        size = self._user_file("photo", data, width=width, height=height)
        content: JSON = {"photo": [size]}
        if caption:
            content["caption"] = caption
        return self._user_message(user, chat, content)

    @threadsafe
    def user_sends_voice(
        self,
        user: FakeUser,
        data: bytes = _TINY_OGG,
        duration: int = 2,
        chat: FakeChat | int | None = None,
    ) -> JSON | None:
        """A voice note (audio/ogg)."""
        voice = self._user_file("voice", data, duration=duration, mime_type="audio/ogg")
        return self._user_message(user, chat, {"voice": voice})

    @threadsafe
    def user_sends_document(
        self,
        user: FakeUser,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str | None = "application/pdf",
        caption: str | None = None,
        chat: FakeChat | int | None = None,
        reply_to: MessageRef | None = None,
    ) -> JSON | None:
        """A document whose bytes the bot can download via getFile; a caption's commands, mentions
        and URLs get ``caption_entities``, as the Bot API gives them."""
        document = self._user_file("document", data, file_name=file_name, mime_type=mime_type)
        content: JSON = {"document": document}
        if caption:
            content["caption"] = caption
            found = auto_entities(caption)
            if found:
                content["caption_entities"] = found
        return self._user_message(user, chat, content, reply_to)

    @threadsafe
    def user_sends_location(
        self, user: FakeUser, lat: float, lon: float, chat: FakeChat | int | None = None
    ) -> JSON | None:
        """A location pin."""
        return self._user_message(user, chat, {"location": {"latitude": lat, "longitude": lon}})

    @threadsafe
    def user_shares_contact(
        self, user: FakeUser, phone_number: str, chat: FakeChat | int | None = None
    ) -> JSON | None:
        """The user's own contact, as sent by a ``request_contact`` keyboard button."""
        contact: JSON = {"phone_number": phone_number, "first_name": user.first_name, "user_id": user.id}
        if user.last_name:
            contact["last_name"] = user.last_name
        return self._user_message(user, chat, {"contact": contact})

    @threadsafe
    def user_edits_message(
        self, user: FakeUser, message: MessageRef, text: str, chat: FakeChat | int | None = None
    ) -> JSON:
        """An ``edited_message`` update for one of the user's text messages."""
        stored = self._message_ref(user, message, chat)
        if stored["from"]["id"] != user.id:
            raise ValueError("a user can only edit their own messages")
        stored["text"] = text
        stored.pop("entities", None)
        if found := auto_entities(text):
            stored["entities"] = found
        stored["edit_date"] = self.state.now()
        return self.state.queue_update("edited_message", copy.deepcopy(stored))

    # buttons ------------------------------------------------------------------------------
    @threadsafe
    def user_presses_button(
        self,
        user: FakeUser,
        message: MessageRef,
        callback_data: str | None = None,
        *,
        text: str | None = None,
        chat: FakeChat | int | None = None,
        strict: bool = True,
    ) -> JSON:
        """A CallbackQuery for an inline button, chosen by ``callback_data`` or label ``text``.

        With ``strict`` the button must exist in the message's current inline keyboard.
        """
        stored = self._message_ref(user, message, chat)
        buttons = [b for row in (stored.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        if text is not None:
            match = next((b for b in buttons if b.get("text") == text), None)
            if match is None or "callback_data" not in match:
                raise ValueError(f"no callback button labelled {text!r}: {buttons}")
            callback_data = match["callback_data"]
        if callback_data is None:
            raise ValueError("give callback_data or text")
        if strict and not any(b.get("callback_data") == callback_data for b in buttons):
            raise ValueError(f"no button with callback_data {callback_data!r}: {buttons}")
        query: JSON = {
            "id": self.state.next_callback_id(),
            "from": user.to_dict(),
            "chat_instance": f"{abs(stored['chat']['id']) * 7919 % 10**19}",
            "message": copy.deepcopy(stored),
            "data": callback_data,
        }
        self.state.callback_queries[query["id"]] = query
        return self.state.queue_update("callback_query", copy.deepcopy(query))

    # blocking -----------------------------------------------------------------------------
    @threadsafe
    def user_blocks_bot(self, user: FakeUser) -> JSON:
        """Block the bot: sends to the user fail with 403; a my_chat_member update is queued."""
        self.state.blocked.add(user.id)
        return self._member_update(user, "member", "kicked")

    @threadsafe
    def user_unblocks_bot(self, user: FakeUser) -> JSON:
        """Undo :meth:`user_blocks_bot`."""
        self.state.blocked.discard(user.id)
        return self._member_update(user, "kicked", "member")

    def _member_update(self, user: FakeUser, old: str, new: str) -> JSON:
        def member(status: str) -> JSON:
            data: JSON = {"status": status, "user": self.state.bot.to_dict()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        payload = {
            "chat": self._chat_for(user, None).to_dict(),
            "from": user.to_dict(),
            "date": self.state.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self.state.queue_update("my_chat_member", payload)

    @threadsafe
    def queue_update(self, kind: str, payload: JSON) -> JSON:
        """Queue an arbitrary Update ``{"update_id", kind: payload}``."""
        return self.state.queue_update(kind, payload)
