"""The Bot API wire protocol: request parameters in, ``{ok, result}`` envelopes out.

Bot API clients send parameters as a query string, a JSON body, a form-urlencoded body or
``multipart/form-data`` (PTB uses form encoding, with nested objects as JSON strings, and
multipart when a file is attached). :func:`read_params` merges them and coerces the fields the
server knows about to native types, so handlers and recorded calls see ``chat_id=42`` rather than
``"42"`` whatever the encoding was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

__all__ = [
    "ApiError",
    "UploadedFile",
    "error_body",
    "error_response",
    "ok_response",
    "read_params",
]

_INT_FIELDS = frozenset(
    {
        "offset", "limit", "timeout", "message_id", "from_chat_id", "reply_to_message_id",
        "message_thread_id", "cache_time", "max_connections", "duration", "width", "height",
        "live_period", "heading", "proximity_alert_radius", "user_id", "until_date",
    }
)  # fmt: skip
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
_BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "disable_content_type_detection",
        "has_spoiler", "show_caption_above_media", "remove_caption", "allow_paid_broadcast",
    }
)  # fmt: skip
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "reply_parameters", "allowed_updates",
        "commands", "scope", "link_preview_options", "message_ids", "media",
    }
)  # fmt: skip
_CHAT_ID_FIELDS = frozenset({"chat_id", "from_chat_id"})


class ApiError(Exception):
    """A Bot API error reply: ``{"ok": false, "error_code", "description", "parameters"?}``."""

    def __init__(self, error_code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        """400 with Telegram's ``Bad Request: <detail>`` description."""
        return cls(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    data: bytes
    filename: str | None
    content_type: str | None

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


def error_body(error_code: int, description: str, parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON envelope of an error reply."""
    body: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def error_response(error: ApiError) -> web.Response:
    """An aiohttp response carrying ``error``."""
    return web.json_response(
        error_body(error.error_code, error.description, error.parameters), status=error.error_code
    )


def ok_response(result: Any) -> web.Response:
    """An aiohttp response carrying ``{"ok": true, "result": result}``."""
    return web.json_response({"ok": True, "result": result})


def _coerce(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if name in _CHAT_ID_FIELDS:
            return int(value) if value.lstrip("-").isdigit() else value
        if name in _INT_FIELDS:
            return int(float(value))
        if name in _FLOAT_FIELDS:
            return float(value)
        if name in _BOOL_FIELDS:
            lowered = value.lower()
            if lowered not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return lowered in ("true", "1")
        if name in _JSON_FIELDS:
            return json.loads(value)
    except ValueError as exc:
        if name == "reply_markup":
            raise ApiError.bad_request("can't parse reply keyboard markup JSON object") from exc
        if name in _JSON_FIELDS:
            raise ApiError.bad_request(f"can't parse {name} JSON object") from exc
        raise ApiError.bad_request(f"wrong parameter {name} in request") from exc
    return value


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Merge query, JSON, form and multipart parameters; return ``(params, files)``.

    ``attach://name`` references are resolved to the uploaded part, and file parts also appear
    in ``params`` under their field name.
    """
    raw: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError.bad_request("can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError.bad_request("can't parse JSON object")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(value.file.read(), value.filename, value.content_type or None)
                else:
                    raw[key] = value
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value.startswith("attach://"):
            ref = value.removeprefix("attach://")
            if ref in files:
                params[key] = files[ref]
                continue
        params[key] = _coerce(key, value)
    for key, upload in files.items():
        params.setdefault(key, upload)
    return params, files
