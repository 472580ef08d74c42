"""The embedded event store (SQLite, WAL, versioned migrations): questions, answers shown,
choices, ratings, subscriptions, handoffs, announcements, staff changes.

``store.py`` holds the connection, the transactions and the citizen-side SQL; one module per
noun holds the rest through the store's public ``transaction``/``rows``/``scalar``: ``handoffs``,
``announcements``, ``curation`` (staff changes and unanswered questions), ``reporting`` (the
report's events), ``staff_members`` (the staff list managed with ``/staff``) and ``pack_events``
(the monthly pack's comments and per-entry counts). ``migrations`` is the schema, ``privacy``
the masking and keyed user hashes, ``stats`` the figures, ``records`` the typed records,
``backlog`` the writes deferred while the database is unavailable, ``inbox`` the updates
received and not yet handled, ``spool`` the append-only file beside the database while it
cannot take writes, ``ids`` generated row ids.

May import: the base modules of ``bot``. Never: the engine, the knowledge layer, ``telegram``,
the messenger, the reports, the CLI or ``handlers``; every SQLite error of the offline commands
becomes a ``StoreError``.
"""

from bot.store.migrations import MIGRATIONS, Migration
from bot.store.privacy import UserHasher, is_valid_national_code, mask_personal_data, update_key
from bot.store.records import (
    MESSENGERS,
    PLATFORMS,
    Messenger,
    Platform,
    Purpose,
    QuestionEvent,
    Subscriber,
    Via,
)
from bot.store.stats import Stats
from bot.store.store import (
    NoDatabase,
    Refused,
    SchemaError,
    Store,
    StoreError,
    StoreUnavailable,
    run_on_existing_store,
)

__all__ = [
    "MESSENGERS",
    "MIGRATIONS",
    "PLATFORMS",
    "Messenger",
    "Migration",
    "NoDatabase",
    "Platform",
    "Purpose",
    "QuestionEvent",
    "Refused",
    "SchemaError",
    "Stats",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Subscriber",
    "UserHasher",
    "Via",
    "is_valid_national_code",
    "mask_personal_data",
    "run_on_existing_store",
    "update_key",
]
