"""Splitting long replies into messages within the platform limit (4,096 UTF-16 code units)."""

from __future__ import annotations

__all__ = ["MESSAGE_LIMIT", "split_text", "utf16_length"]

MESSAGE_LIMIT = 4096
_BREAKS = ("\n\n", "\n", ". ", "، ", " ")


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (characters outside the BMP, such as emoji, count twice)."""
    return len(text.encode("utf-16-le")) // 2


def _fits(text: str, limit: int) -> int:
    """How many leading characters of ``text`` fit in ``limit`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` units, cut at paragraphs, then lines, then words.

    Only a single word longer than the limit is cut inside. Pieces are stripped; no piece is empty.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    pieces: list[str] = []
    rest = text.strip()
    while rest:
        if len(rest) <= limit // 2 or utf16_length(rest) <= limit:  # all of it (most replies): no walk
            pieces.append(rest)
            break
        size = _fits(rest, limit)
        if size == len(rest):
            pieces.append(rest)
            break
        head = rest[:size]
        cut = next(
            (head.rfind(mark) + len(mark) for mark in _BREAKS if head.rfind(mark) > limit // 4),
            size,
        )
        piece = rest[:cut].strip()
        pieces.append(piece)
        rest = rest[cut:].strip()
    return [piece for piece in pieces if piece]
