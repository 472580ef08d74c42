"""The embedded event store (SQLite, WAL, versioned migrations): questions, answers shown,
choices, ratings, subscriptions, handoffs, announcements, staff changes.

``store.py`` holds the connection and the transactions (``files`` watches the database file and
its ``-shm`` under it), ``events`` a citizen's events as records with their own SQL, ``errors``
the errors and the checks every write makes; one module per
noun holds the rest through the store's public ``transaction``/``rows``/``scalar``: ``handoffs``,
``announcements``, ``curation`` (staff changes and unanswered questions), ``reporting`` (the
report's events), ``staff_members`` (the staff list managed with ``/staff``) and ``pack_events``
(the monthly pack's comments and per-entry counts). ``migrations`` is the schema, ``privacy``
the masking and keyed user hashes, ``stats`` the figures, ``records`` the typed records,
``retention`` the daily purge, ``backup`` consistent copies while the bot runs (and one taken
on its own before a migration changes a database that has data); ``durable/`` the inbox of
updates received and not yet handled, the spool file beside the database while it cannot take
writes, the backlog of events the database did not take at once, and generated keys.

May import: the base modules of ``bot``. Never: the engine, the knowledge layer, ``telegram``,
the messenger, the reports, the CLI or ``handlers``; every SQLite error of the offline commands
becomes a ``StoreError``.
"""

from bot.store.database.backup import (
    BackupError,
    backup_database,
    is_running,
    restore_database,
    run_lock,
    run_lock_file,
)
from bot.store.database.migrations import MIGRATIONS, Migration
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
    "BackupError",
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
    "backup_database",
    "is_running",
    "is_valid_national_code",
    "mask_personal_data",
    "restore_database",
    "run_lock",
    "run_lock_file",
    "run_on_existing_store",
    "update_key",
]
