"""The embedded event store: questions, answers shown, resolutions, ratings, subscriptions.

``Store`` (``store.py``) holds all the SQL; ``migrations.py`` the schema; ``privacy.py`` the
masking and the keyed user hashes; ``stats.py`` the figures; ``periods.py`` report days.
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
from bot.store.store import Refused, SchemaError, Store, StoreError, StoreUnavailable, run_on_existing_store

__all__ = [
    "MESSENGERS",
    "MIGRATIONS",
    "PLATFORMS",
    "Messenger",
    "Migration",
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
