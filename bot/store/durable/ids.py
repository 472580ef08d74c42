"""Generated row ids that never repeat: made by the bot, not by the database.

An id is known before anything is written, so a reply (with the id in its buttons) never waits
for the database, and a write deferred to the spool keeps its id. It is the milliseconds since
2024 shifted left by 20 bits plus 20 random bits (a collision needs two ids in the same
millisecond with the same 1-in-a-million draw): about 2^61 today, far above the ids SQLite
assigned to older rows (whose buttons keep working) and below 2^63 for centuries.

Those 20 random bits are too few where many ids are drawn at once and must all differ: a batch
of 100 updates recorded in one millisecond repeats one with a chance of 1 in 200, which broke
the inbox's unique ``key`` (and stopped polling) and would reuse a seal's nonce. The inbox's
keys are :func:`new_key`: 63 random bits, no time, a repeat among 3 billion keys being as
likely as not. The same key is the update's questions' and answer events' row id
(``bot/store/events.py``), its ``update_key`` being :func:`key_text`; an update handed to the
handlers without one (no inbox on its path) gets :func:`derived_key` of its own content.
"""

from __future__ import annotations

import hashlib
import secrets
import time

__all__ = ["derived_key", "key_text", "new_id", "new_key"]

_EPOCH_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
_RANDOM_BITS = 20


def new_id() -> int:
    """A fresh positive 63-bit id."""
    return ((time.time_ns() // 1_000_000 - _EPOCH_MS) << _RANDOM_BITS) | secrets.randbits(_RANDOM_BITS)


def new_key() -> int:
    """A fresh positive 63-bit random key: an update's key in the inbox, its seal's nonce."""
    return secrets.randbits(63) or 1


def key_text(key: int) -> str:
    """A generated key as the text of ``update_key`` columns: ``k`` and its digits (never equal to
    the 64 hex digits of an older ``update_key``)."""
    return f"k{key}"


def derived_key(*parts: str) -> int:
    """A positive 63-bit key from ``parts``: the same parts (an update delivered again), the same
    key; any other content (a new update reusing an old id), another."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (int.from_bytes(digest[:8], "big") >> 1) or 1
