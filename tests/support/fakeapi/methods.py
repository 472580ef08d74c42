"""Bot API methods of the fake server, with Telegram's validation and error descriptions.

Each handler takes the decoded parameters and returns the ``result`` value, or raises
:class:`~tests.support.fakeapi.protocol.ApiError`. :data:`METHOD_NAMES` maps lower-case names to the
canonical spelling (method names are case-insensitive, as on Telegram).
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .formatting import FormattingError, render
from .objects import FakeChat, SentMessage, StoredFile
from .profiles import Profile
from .protocol import ApiError, UploadedFile
from .state import BotState, WebhookConfig

__all__ = ["METHOD_NAMES", "BotMethods"]

JSON = dict[str, Any]
Handler = Callable[["BotMethods", JSON], Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200

_HANDLERS: dict[str, Handler] = {}
#: lower-case method name -> canonical name
METHOD_NAMES: dict[str, str] = {}

_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
_CONTENT_KEYS = (
    "text", "entities", "caption", "caption_entities", "document", "photo", "location", "sticker",
    "voice", "contact", "audio", "video",
)  # fmt: skip
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)  # fmt: skip
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


def api[F: Callable[..., Any]](*names: str) -> Callable[[F], F]:
    """Register a handler under one or more canonical method names."""

    def register(func: F) -> F:
        for name in names:
            _HANDLERS[name.lower()] = func
            METHOD_NAMES[name.lower()] = name
        return func

    return register


def _image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, or a plausible default."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            seg_len = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + seg_len
    return 800, 600


class BotMethods:
    """The Bot API as seen by one bot token; ``on_webhook_change`` is called after (un)setting."""

    def __init__(
        self,
        state: BotState,
        profile: Profile,
        on_webhook_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.state = state
        self.profile = profile
        self.on_webhook_change = on_webhook_change

    # dispatch -----------------------------------------------------------------------------
    @staticmethod
    def canonical(name: str) -> str | None:
        """Canonical spelling of a method name, or ``None`` if unknown."""
        return METHOD_NAMES.get(name.lower())

    async def call(self, name: str, params: JSON) -> Any:
        """Run a method by (case-insensitive) name."""
        handler = _HANDLERS[name.lower()]
        if params.get("parse_mode") and not self.profile.parse_mode_supported:
            raise ApiError(400, self.profile.parse_mode_error)
        result = handler(self, params)
        if isinstance(result, Awaitable):
            result = await result
        return result

    # shared helpers -----------------------------------------------------------------------
    def _chat(self, params: JSON, key: str = "chat_id", *, sending: bool = False) -> FakeChat:
        chat_id = params.get(key)
        if chat_id in (None, ""):
            raise ApiError.bad_request(f"{key} is empty")
        chat = self.state.find_chat(chat_id)
        if chat is None:
            raise ApiError.bad_request("chat not found")
        if sending and chat.type == "private" and chat.id in self.state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _render(
        self, text: str, parse_mode: str | None, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSON]]:
        if entities:
            if not isinstance(entities, list) or not all(
                isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
            ):
                raise ApiError.bad_request("can't parse entities JSON object")
            return text, entities
        try:
            plain, found = render(text, parse_mode)
        except FormattingError as exc:
            raise ApiError.bad_request(str(exc)) from exc
        limit, what = (MAX_CAPTION, "message caption") if caption else (MAX_TEXT, "message")
        if len(plain) > limit:
            raise ApiError.bad_request(f"{what} is too long")
        return plain, found

    def _text(self, params: JSON) -> tuple[str, list[JSON]]:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError.bad_request("message text is empty")
        plain, entities = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not plain.strip():
            raise ApiError.bad_request("message text is empty")
        return plain, entities

    def _caption(self, params: JSON) -> JSON:
        caption = params.get("caption")
        if not caption:
            return {}
        plain, entities = self._render(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        content: JSON = {"caption": plain}
        if entities:
            content["caption_entities"] = entities
        return content

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError.bad_request(
                    'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
                )
            for row in rows:
                for button in row:
                    BotMethods._check_inline_button(button)
        elif "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise ApiError.bad_request('field "keyboard" must be an Array')
        return markup

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise ApiError.bad_request(
                'can\'t parse inline keyboard button: Field "text" must be of type String'
            )
        actions = [k for k in _INLINE_ACTIONS if k in button]
        if not actions:
            raise ApiError.bad_request(
                "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError.bad_request("BUTTON_DATA_INVALID")

    def _reply_to(self, chat: FakeChat, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply"))
            target_chat = reply.get("chat_id", chat.id)
        else:
            message_id = params.get("reply_to_message_id")
            allow = bool(params.get("allow_sending_without_reply"))
            target_chat = chat.id
        if message_id is None:
            return None
        target = self.state.find_chat(target_chat)
        found = self.state.find_message(target.id, int(message_id)) if target else None
        if found is None:
            if allow:
                return None
            raise ApiError.bad_request("message to be replied not found")
        nested = dict(found)
        nested.pop("reply_to_message", None)
        return nested

    def _new_message(self, chat: FakeChat, params: JSON, content: JSON) -> JSON:
        message: JSON = {
            "message_id": self.state.next_message_id(chat.id),
            "from": self.state.bot.to_dict(),
            "chat": chat.to_dict(),
            "date": self.state.now(),
            **content,
        }
        reply_to = self._reply_to(chat, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    def _send(self, method: str, chat: FakeChat, params: JSON, content: JSON, **record: Any) -> JSON:
        """Validate, build, store and record a message the bot sends."""
        message = self._new_message(chat, params, content)
        self.state.store_message(message)
        text = message.get("text", message.get("caption"))
        source = params.get("text", params.get("caption"))
        self.state.record_sent(
            SentMessage(
                method=method,
                chat_id=chat.id,
                message_id=message["message_id"],
                message=message,
                at=time.monotonic(),
                text=text,
                raw_text=source if isinstance(source, str) else text,
                parse_mode=params.get("parse_mode"),
                entities=message.get("entities", message.get("caption_entities")),
                reply_markup=params.get("reply_markup"),
                **record,
            )
        )
        return message

    def _file(self, params: JSON, key: str) -> StoredFile:
        value = params.get(key)
        if isinstance(value, UploadedFile):
            mime = value.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(value.filename or "")[0] or mime
            return self.state.store_file(key, value.data, file_name=value.filename, mime_type=mime)
        if isinstance(value, str) and value:
            if value in self.state.files:
                return self.state.files[value]
            if value.startswith(("http://", "https://")):
                name = value.rsplit("/", 1)[-1] or None
                return self.state.store_file(key, None, file_name=name, url=value)
            raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
        raise ApiError.bad_request(f"there is no {key} in the request")

    def _editable(self, params: JSON) -> tuple[JSON, SentMessage | None]:
        if params.get("inline_message_id"):
            raise ApiError.bad_request("MESSAGE_ID_INVALID")
        chat = self._chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        message = self.state.find_message(chat.id, message_id)
        if message is None:
            raise ApiError.bad_request("message to edit not found")
        if message.get("from", {}).get("id") != self.state.bot.id:
            raise ApiError.bad_request("message can't be edited")
        return message, self.state.sent_index.get((chat.id, message_id))

    def _apply_edit(self, message: JSON, sent: SentMessage | None, changes: JSON, params: JSON) -> JSON:
        markup = self._markup(params)
        inline = markup if markup is not None and "inline_keyboard" in markup else None
        new = {k: v for k, v in message.items() if k not in changes and k != "reply_markup"}
        new.update({k: v for k, v in changes.items() if v})
        if inline is not None:
            new["reply_markup"] = inline
        keys = (*changes, "reply_markup")
        if all(new.get(k) == message.get(k) for k in keys):
            raise ApiError.bad_request(_NOT_MODIFIED)
        new["edit_date"] = self.state.now()
        message.clear()
        message.update(new)
        if sent is not None:
            sent.history.append(sent.snapshot())
            if "text" in changes or "caption" in changes:
                source = params.get("text", params.get("caption"))
                sent.text = new.get("text", new.get("caption"))
                sent.raw_text = source if isinstance(source, str) else sent.text
                sent.parse_mode = params.get("parse_mode")
                sent.entities = new.get("entities", new.get("caption_entities"))
            sent.reply_markup = markup
            self.state.changed.notify()
        return message

    # bot identity -------------------------------------------------------------------------
    @api("getMe")
    def get_me(self, params: JSON) -> JSON:
        """The bot's User with the getMe-only capability fields."""
        return {
            **self.state.bot.to_dict(),
            "can_join_groups": self.profile.can_join_groups,
            "can_read_all_group_messages": self.profile.can_read_all_group_messages,
            "supports_inline_queries": self.profile.supports_inline_queries,
            **dict(self.profile.extra_me_fields),
        }

    @api(
        "logOut",
        "close",
        "setMyDescription",
        "setMyShortDescription",
        "setMyName",
        "setChatMenuButton",
    )
    def accept(self, params: JSON) -> bool:
        """Methods recorded and acknowledged without further effect."""
        return True

    # updates ------------------------------------------------------------------------------
    @api("getUpdates")
    async def get_updates(self, params: JSON) -> list[JSON]:
        """Long polling with offset confirmation, limit, timeout and allowed_updates."""
        state = self.state
        if state.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        state.confirm(params.get("offset"))
        if "allowed_updates" in params:
            allowed = params["allowed_updates"]
            state.allowed_updates = list(allowed) if allowed else None
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        state.poll_generation += 1
        generation = state.poll_generation
        state.changed.notify()  # terminates an older long poll

        def ready() -> bool:
            return bool(
                state.deliverable(state.allowed_updates)
                or state.poll_generation != generation
                or state.closing
                or state.webhook is not None
            )

        await state.changed.wait_for(ready, timeout)
        if state.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure that only one bot "
                "instance is running",
            )
        if state.webhook is not None or state.closing:
            return []
        return copy.deepcopy(state.deliverable(state.allowed_updates)[:limit])

    @api("setWebhook")
    def set_webhook(self, params: JSON) -> bool:
        """Register (or with an empty url remove) the webhook."""
        url = params.get("url") or ""
        if not url:
            return self.delete_webhook(params)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.match(str(secret)):
            raise ApiError.bad_request("secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise ApiError.bad_request("bad webhook: wrong max_connections specified")
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        allowed = params.get("allowed_updates")
        self.state.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=max_connections,
            allowed_updates=list(allowed) if allowed else None,
            ip_address=params.get("ip_address"),
            has_custom_certificate=isinstance(params.get("certificate"), UploadedFile),
        )
        self.state.changed.notify()
        self.on_webhook_change()
        return True

    @api("deleteWebhook")
    def delete_webhook(self, params: JSON) -> bool:
        """Remove the webhook; optionally drop pending updates."""
        if params.get("drop_pending_updates"):
            self.state.updates.clear()
        self.state.webhook = None
        self.state.changed.notify()
        self.on_webhook_change()
        return True

    @api("getWebhookInfo")
    def get_webhook_info(self, params: JSON) -> JSON:
        """WebhookInfo (an empty url in polling mode)."""
        hook = self.state.webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": bool(hook and hook.has_custom_certificate),
            "pending_update_count": len(self.state.updates),
        }
        if hook:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    # sending ------------------------------------------------------------------------------
    @api("sendMessage")
    def send_message(self, params: JSON) -> JSON:
        """Text message with optional entities, markup and reply."""
        chat = self._chat(params, sending=True)
        text, entities = self._text(params)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._send("sendMessage", chat, params, content)

    @api("sendDocument")
    def send_document(self, params: JSON) -> JSON:
        """Document by upload, file_id or URL; uploaded bytes are kept."""
        chat = self._chat(params, sending=True)
        caption = self._caption(params)
        stored = self._file(params, "document")
        document: JSON = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = stored.size
        return self._send(
            "sendDocument",
            chat,
            params,
            {"document": document, **caption},
            data=stored.data,
            file_name=stored.file_name,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    @api("sendPhoto")
    def send_photo(self, params: JSON) -> JSON:
        """Photo by upload, file_id or URL; returns one PhotoSize."""
        chat = self._chat(params, sending=True)
        caption = self._caption(params)
        stored = self._file(params, "photo")
        width, height = _image_size(stored.data or b"")
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": stored.size,
            }
        ]
        return self._send(
            "sendPhoto",
            chat,
            params,
            {"photo": photo, **caption},
            data=stored.data,
            file_name=stored.file_name,
            mime_type=stored.mime_type,
            file_id=stored.file_id,
        )

    @api("sendLocation")
    def send_location(self, params: JSON) -> JSON:
        """A map point."""
        chat = self._chat(params, sending=True)
        lat, lon = params.get("latitude"), params.get("longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            raise ApiError.bad_request("wrong latitude or longitude specified")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ApiError.bad_request("wrong latitude or longitude specified")
        location = {"latitude": float(lat), "longitude": float(lon)}
        return self._send("sendLocation", chat, params, {"location": location}, location=(lat, lon))

    @api("sendContact")
    def send_contact(self, params: JSON) -> JSON:
        """A phone contact card."""
        chat = self._chat(params, sending=True)
        phone, first = params.get("phone_number"), params.get("first_name")
        if not phone or not first:
            raise ApiError.bad_request("phone number or first name is empty")
        contact = {"phone_number": str(phone), "first_name": str(first)}
        if params.get("last_name"):
            contact["last_name"] = params["last_name"]
        return self._send("sendContact", chat, params, {"contact": contact})

    @api("sendChatAction")
    def send_chat_action(self, params: JSON) -> bool:
        """ "typing..." and friends; only validated and recorded."""
        self._chat(params, sending=True)
        if params.get("action") not in _CHAT_ACTIONS:
            raise ApiError.bad_request("wrong parameter action in request")
        return True

    @api("copyMessage")
    def copy_message(self, params: JSON) -> JSON:
        """Copy content into another chat; returns a MessageId."""
        chat = self._chat(params, sending=True)
        source_chat = self._chat(params, "from_chat_id")
        source = self.state.find_message(source_chat.id, params.get("message_id") or 0)
        if source is None:
            raise ApiError.bad_request("message to copy not found")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        if "caption" in params:
            content.pop("caption", None)
            content.pop("caption_entities", None)
            content.update(self._caption(params))
        message = self._send("copyMessage", chat, params, content, **self._file_record(source))
        return {"message_id": message["message_id"]}

    @api("forwardMessage")
    def forward_message(self, params: JSON) -> JSON:
        """Forward with a forward_origin; returns the new Message."""
        chat = self._chat(params, sending=True)
        source_chat = self._chat(params, "from_chat_id")
        source = self.state.find_message(source_chat.id, params.get("message_id") or 0)
        if source is None:
            raise ApiError.bad_request("message to forward not found")
        content = {k: copy.deepcopy(source[k]) for k in _CONTENT_KEYS if k in source}
        origin: JSON = {"type": "user", "sender_user": source["from"], "date": source["date"]}
        if source_chat.type == "channel":
            origin = {
                "type": "channel",
                "chat": source["chat"],
                "date": source["date"],
                "message_id": source["message_id"],
            }
        content["forward_origin"] = origin
        forward_params = {k: v for k, v in params.items() if k != "reply_markup"}
        return self._send("forwardMessage", chat, forward_params, content, **self._file_record(source))

    def _file_record(self, source: JSON) -> JSON:
        file_id = (source.get("document") or (source.get("photo") or [{}])[-1]).get("file_id")
        stored = self.state.files.get(file_id) if file_id else None
        if stored is None:
            return {}
        return {"data": stored.data, "file_name": stored.file_name, "file_id": stored.file_id}

    # editing ------------------------------------------------------------------------------
    @api("editMessageText")
    def edit_message_text(self, params: JSON) -> JSON:
        """New text (and inline markup; omitted markup removes the keyboard)."""
        message, sent = self._editable(params)
        if "text" not in message:
            raise ApiError.bad_request("there is no text in the message to edit")
        text, entities = self._text(params)
        return self._apply_edit(message, sent, {"text": text, "entities": entities}, params)

    @api("editMessageCaption")
    def edit_message_caption(self, params: JSON) -> JSON:
        """New caption of a media message."""
        message, sent = self._editable(params)
        if not any(k in message for k in ("document", "photo", "video", "audio", "voice")):
            raise ApiError.bad_request("there is no caption in the message to edit")
        caption = self._caption(params)
        changes = {"caption": caption.get("caption"), "caption_entities": caption.get("caption_entities")}
        return self._apply_edit(message, sent, changes, params)

    @api("editMessageReplyMarkup")
    def edit_message_reply_markup(self, params: JSON) -> JSON:
        """Replace or (without reply_markup) remove the inline keyboard."""
        message, sent = self._editable(params)
        return self._apply_edit(message, sent, {}, params)

    @api("deleteMessage")
    def delete_message(self, params: JSON) -> bool:
        """Delete a stored message (the bot's or a user's)."""
        chat = self._chat(params)
        message_id = int(params.get("message_id") or 0)
        if self.state.messages.get(chat.id, {}).pop(message_id, None) is None:
            raise ApiError.bad_request("message to delete not found")
        sent = self.state.sent_index.get((chat.id, message_id))
        if sent is not None:
            sent.deleted = True
        self.state.changed.notify()
        return True

    # callback queries ---------------------------------------------------------------------
    @api("answerCallbackQuery")
    def answer_callback_query(self, params: JSON) -> bool:
        """Answer a pending callback query exactly once."""
        query_id = str(params.get("callback_query_id") or "")
        query = self.state.callback_queries.get(query_id)
        text = params.get("text")
        if query is None:
            raise ApiError.bad_request(_QUERY_INVALID)
        if text and len(text) > MAX_CALLBACK_ANSWER:
            raise ApiError.bad_request("MESSAGE_TOO_LONG")
        del self.state.callback_queries[query_id]
        self.state.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": bool(params.get("show_alert")),
                "url": params.get("url"),
                "cache_time": params.get("cache_time"),
                "data": query.get("data"),
                "user_id": query["from"]["id"],
                "at": time.monotonic(),
            }
        )
        self.state.changed.notify()
        return True

    # commands, chats, files ---------------------------------------------------------------
    @staticmethod
    def _commands_key(params: JSON) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")

    @api("setMyCommands")
    def set_my_commands(self, params: JSON) -> bool:
        """Store the command list for a scope and language."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError.bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(str(command.get("command"))):
                raise ApiError.bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description") or "")) <= 256:
                raise ApiError.bad_request("command description is empty")
        self.state.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    @api("getMyCommands")
    def get_my_commands(self, params: JSON) -> list[JSON]:
        """The command list of a scope and language."""
        return list(self.state.commands.get(self._commands_key(params), []))

    @api("deleteMyCommands")
    def delete_my_commands(self, params: JSON) -> bool:
        """Forget the command list of a scope and language."""
        self.state.commands.pop(self._commands_key(params), None)
        return True

    @api("getChat")
    def get_chat(self, params: JSON) -> JSON:
        """ChatFullInfo of a known chat."""
        return self._chat(params).full_info()

    @api("getFile")
    def get_file(self, params: JSON) -> JSON:
        """File with a file_path to download from /file/bot<token>/<file_path>."""
        stored = self.state.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError.bad_request("invalid file_id")
        return stored.to_file()
