"""The store's errors, and the checks every write makes on what it is given::

StoreError
├── SchemaError       the migration list is invalid, or the database is newer than this code
├── StoreUnavailable  locked past the busy timeout, read-only, disk full, I/O error, not open:
│                     nothing was written; the same call may succeed later (``durable/``)
└── Refused           a forged, foreign or stale request; nothing was written
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.privacy import is_user_hash
from bot.store.records import PLATFORMS

__all__ = [
    "Refused",
    "SchemaError",
    "StoreError",
    "StoreUnavailable",
    "check_user",
    "row_id",
    "utc_text",
]


class StoreError(Exception):
    """The store could not do what was asked."""


class SchemaError(StoreError):
    """The migration list is invalid, or the database has migrations this code does not know."""


class StoreUnavailable(StoreError):
    """The database could not be used just now (locked, read-only, full, I/O); nothing was written."""


class Refused(StoreError):
    """A forged, foreign or stale request (someone else's answer, an unknown id, a bad score)."""


def utc_text(at: datetime | None) -> str:
    """A timezone-aware time (default now) as sortable UTC text."""
    if at is None:
        at = datetime.now(UTC)
    elif at.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    if at.tzinfo is not UTC:
        at = at.astimezone(UTC)
    if at.year < 1000:  # strftime leaves such a year unpadded
        return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # strftime's text, made by isoformat (faster; several times per update)
    return at.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def row_id(value: object) -> int:
    """A row id from outside (button data): a positive 64-bit integer, else ``Refused``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise Refused(f"not a valid id: {value!r}")
    return value


def check_user(user_hash: str, platform: str | None = None) -> None:
    """``ValueError`` unless ``user_hash`` is a keyed hash (never a raw id) and the platform known."""
    if not is_user_hash(user_hash):
        raise ValueError("user_hash must be a UserHasher hash, never a raw messenger id")
    if platform is not None and platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
