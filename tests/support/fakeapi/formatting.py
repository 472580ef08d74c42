"""Message text formatting as the Bot API does it: parse modes, UTF-16 offsets, auto-entities.

``render(text, parse_mode)`` turns what a bot sent into what a client shows: the plain text and
its MessageEntity list (offsets and lengths in UTF-16 code units). Malformed markup raises
:class:`FormattingError`, whose message follows Telegram's "can't parse entities: ..." wording.
The parsers are deliberately small: they accept what Telegram accepts in the common cases and
reject the frequent mistakes (unbalanced or unknown HTML tags, unescaped MarkdownV2 characters).
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = [
    "FormattingError",
    "auto_entities",
    "render",
    "utf16_len",
]

Entity = dict[str, Any]

_HTML_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*(/?)>")
_ATTR_RE = re.compile(r"""([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_CHAR_REF_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?!\w)")
_PRE_LANGUAGE_RE = re.compile(r"([A-Za-z0-9_+#-]+)\n")
_URL_RE = re.compile(r"(?<!\w)https?://[^\s<>\"]+")


class FormattingError(ValueError):
    """Markup that the Bot API would refuse with "Bad Request: can't parse entities: ..."."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def render(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Return ``(plain_text, entities)`` for ``text`` sent with ``parse_mode``."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown(text, v2=True)
    if mode == "markdown":
        return _render_markdown(text, v2=False)
    raise FormattingError(f"Unsupported parse_mode {parse_mode!r}")


class _Builder:
    """Accumulates plain text and open/closed entities with UTF-16 offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def close(self, entity: Entity, start: int) -> None:
        length = self.offset - start
        if length > 0:
            self.entities.append({**entity, "offset": start, "length": length})

    def result(self) -> tuple[str, list[Entity]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities


def _decode_text(raw: str, b: _Builder) -> None:
    pos = 0
    for match in _CHAR_REF_RE.finditer(raw):
        b.add(raw[pos : match.start()])
        b.add(html.unescape(match.group(0)))
        pos = match.end()
    b.add(raw[pos:])


def _html_entity(name: str, attrs: dict[str, str], source: str, at: int) -> Entity:
    kind = _HTML_TAGS[name]
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise FormattingError(
            f'can\'t parse entities: Tag "span" must have class "tg-spoiler" '
            f"at byte offset {_byte_offset(source, at)}"
        )
    if kind == "text_link":
        return {"type": "text_link", "url": attrs.get("href", "")}
    if kind == "custom_emoji":
        return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id", "")}
    if kind == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


def _render_html(source: str) -> tuple[str, list[Entity]]:
    b = _Builder()
    stack: list[tuple[str, Entity, int, int]] = []  # tag, entity, start offset, source index
    pos = 0
    while pos < len(source):
        lt = source.find("<", pos)
        if lt < 0:
            _decode_text(source[pos:], b)
            break
        _decode_text(source[pos:lt], b)
        match = _TAG_RE.match(source, lt)
        at = _byte_offset(source, lt)
        if match is None:
            raise FormattingError(f"can't parse entities: Unsupported start tag at byte offset {at}")
        closing, name, attr_text, _self_closing = match.groups()
        name = name.lower()
        if name not in _HTML_TAGS:
            kind = "end" if closing else "start"
            raise FormattingError(
                f'can\'t parse entities: Unsupported {kind} tag "{name}" at byte offset {at}'
            )
        if closing:
            if not stack:
                raise FormattingError(
                    f'can\'t parse entities: Unexpected end tag "{name}" at byte offset {at}'
                )
            open_name, entity, start, _ = stack.pop()
            if open_name != name:
                raise FormattingError(
                    f"can't parse entities: Can't find end tag corresponding to start tag \"{open_name}\""
                )
            if open_name == "code" and stack and stack[-1][0] == "pre" and "language" in entity:
                # <pre><code class="language-x">...</code></pre> is one pre entity with a language
                stack[-1][1]["language"] = entity["language"]
            else:
                entity.pop("language", None)
                b.close(entity, start)
        else:
            attrs = {
                m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
                for m in _ATTR_RE.finditer(attr_text)
            }
            entity = _html_entity(name, attrs, source, lt)
            if name == "code" and attrs.get("class", "").startswith("language-"):
                entity["language"] = attrs["class"].removeprefix("language-")
            stack.append((name, entity, b.offset, lt))
        pos = match.end()
    if stack:
        raise FormattingError(
            f"can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1][0]}\""
        )
    return b.result()


_MD_MARKERS_V2: dict[str, str] = {
    "```": "pre",
    "`": "code",
    "||": "spoiler",
    "__": "underline",
    "*": "bold",
    "_": "italic",
    "~": "strikethrough",
}
_MD_MARKERS_V1: dict[str, str] = {"```": "pre", "`": "code", "*": "bold", "_": "italic"}


def _render_markdown(source: str, *, v2: bool) -> tuple[str, list[Entity]]:
    """Parse Markdown (legacy) or MarkdownV2 into text and entities."""
    markers = _MD_MARKERS_V2 if v2 else _MD_MARKERS_V1
    b = _Builder()
    stack: list[tuple[str, int, int]] = []  # marker, start offset, source index
    link: tuple[int, int] | None = None  # start offset, source index
    language = ""
    i = 0
    n = len(source)
    while i < n:
        ch = source[i]
        in_code = bool(stack) and stack[-1][0] in ("`", "```")
        if ch == "\\" and (v2 or not stack) and i + 1 < n:
            nxt = source[i + 1]
            if v2 or nxt in "_*`[":
                b.add(nxt)
                i += 2
                continue
        marker = next((m for m in markers if source.startswith(m, i)), None)
        if in_code and marker not in ("`", "```"):
            marker = None
        if marker is not None and not v2 and stack and stack[-1][0] != marker:
            marker = None  # legacy Markdown does not nest: other markers are literal inside
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                entity: Entity = {"type": markers[marker]}
                if marker == "```" and language:
                    entity["language"] = language
                b.close(entity, start)
            elif any(m == marker for m, _, _ in stack):
                at = _byte_offset(source, stack[-1][2])
                raise FormattingError(
                    f"can't parse entities: Can't find end of the entity starting at byte offset {at}"
                )
            else:
                stack.append((marker, b.offset, i))
                if marker == "```" and (lang := _PRE_LANGUAGE_RE.match(source, i + 3)):
                    language = lang.group(1)  # ```python\n...``` : the first line names the language
                    i = lang.end() - len(marker)
            i += len(marker)
            continue
        if not in_code and ch == "[" and link is None:
            link = (b.offset, i)
            i += 1
            continue
        if not in_code and ch == "]" and link is not None:
            close = source.find(")", i)
            if not source.startswith("(", i + 1) or close < 0:
                at = _byte_offset(source, link[1])
                raise FormattingError(
                    f"can't parse entities: Can't find end of the entity starting at byte offset {at}"
                )
            b.close({"type": "text_link", "url": source[i + 2 : close]}, link[0])
            link = None
            i = close + 1
            continue
        if v2 and not in_code and ch in _MDV2_RESERVED and not (ch == ">" and _line_start(source, i)):
            raise FormattingError(
                f"can't parse entities: Character '{ch}' is reserved and must be escaped with the "
                "preceding '\\'"
            )
        if v2 and ch == ">" and not in_code and _line_start(source, i):
            i += 1
            continue
        b.add(ch)
        i += 1
    if stack or link is not None:
        index = stack[-1][2] if stack else link[1]  # type: ignore[index]
        at = _byte_offset(source, index)
        raise FormattingError(
            f"can't parse entities: Can't find end of the entity starting at byte offset {at}"
        )
    return b.result()


def _line_start(source: str, index: int) -> bool:
    return index == 0 or source[index - 1] == "\n"


def auto_entities(text: str) -> list[Entity]:
    """Entities a Telegram client/server adds by itself: bot_command, mention, url."""
    found: list[Entity] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    found.sort(key=lambda e: e["offset"])
    return found
