"""What handlers reach through ``context``: the shared engine and texts, this platform's store.

``Shared`` is built once per process (the engine takes seconds to load) and used by every
platform's Application. ``Services`` is one Application's: its platform settings, its store
connection (opened in ``post_init``, closed in ``post_shutdown``) and its flood gate.
``BotContext`` is the typed ``CallbackContext`` every handler receives.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import User
from telegram.ext import CallbackContext, ContextTypes

from bot.engine.engine import AnswerEngine
from bot.engine.live import LiveEngine
from bot.knowledge.directory.holidays import Holidays
from bot.knowledge.directory.live import LiveOffices
from bot.knowledge.directory.offices import OfficeBook
from bot.knowledge.model import Entry, KnowledgeBase
from bot.locale import Catalog, Locales
from bot.messenger.flood import FloodGate
from bot.messenger.lean_bot import LeanBot
from bot.messenger.monitoring import Metrics
from bot.messenger.platforms import PlatformSettings
from bot.messenger.staff_roster import StaffRoster
from bot.settings import Settings
from bot.store import Store, UserHasher
from bot.store.durable.backlog import Backlog
from bot.store.durable.inbox import Inbox

__all__ = [
    "AppData",
    "BotContext",
    "Services",
    "Shared",
    "StaffDraft",
    "UserState",
    "context_types",
    "entry_title",
]

#: How long a low rating waits for its optional comment.
COMMENT_SECONDS = 600.0
#: How long a staff command waits for its text (the new answer, the announcement) and confirm.
DRAFT_SECONDS = 900.0


@dataclass(frozen=True)
class StaffDraft:
    """A staff task in progress: ``text`` is ``None`` while the next message is awaited,
    then the text previewed for confirmation. ``entry_id`` is the entry an edit changes;
    ``id`` (random, in the confirm and cancel buttons) tells this draft's preview from older ones."""

    task: str
    until: float
    entry_id: str = ""
    text: str | None = None
    id: int = field(default_factory=lambda: secrets.randbelow(2**48) + 1)


@dataclass(frozen=True)
class Shared:
    """Built once per process and shared by every platform.

    ``metrics`` are the process's Prometheus counters (served when ``[monitoring]`` is on).
    ``engine`` is the engine the process started with; ``live.engine`` the one in use now
    (staff edits and ``/reload`` swap it), which is what handlers get as ``context.engine``.
    ``offices`` are the offices the process started with; ``live_offices.current()`` the ones
    ``offices.yaml`` holds now (a workbook import replaces them), which handlers answer with.
    """

    settings: Settings
    engine: AnswerEngine
    locales: Locales
    hasher: UserHasher
    offices: OfficeBook = field(default_factory=OfficeBook)
    holidays: Holidays = field(default_factory=Holidays)
    metrics: Metrics = field(default_factory=Metrics, repr=False, compare=False)
    live: LiveEngine = field(init=False, repr=False, compare=False)
    live_offices: LiveOffices = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        thresholds, weights = self.engine.thresholds, self.settings.engine.weights
        live = LiveEngine(self.engine, self.settings.knowledge_dir, thresholds, weights)
        object.__setattr__(self, "live", live)
        object.__setattr__(self, "live_offices", LiveOffices(self.settings.knowledge_dir, self.offices))


@dataclass(frozen=True)
class Services:
    """One platform's Application: the shared parts plus its store, its backlog, flood gate and staff."""

    shared: Shared
    platform: PlatformSettings
    store: Store
    flood: FloodGate
    backlog: Backlog = field(default_factory=Backlog)
    inbox: Inbox | None = None
    """Updates received and not yet handled (``bot/messenger/inbox.py``); ``None`` in tests that
    build the services by hand."""
    roster: StaffRoster = field(init=False, repr=False, compare=False)
    """Who is staff now on this platform (the config's lists until ``roster.load`` ran)."""

    def __post_init__(self) -> None:
        staff, hasher = self.shared.settings.staff, self.shared.hasher
        object.__setattr__(self, "roster", StaffRoster(self.platform.name, staff, hasher))


class AppData:
    """``bot_data``: the services, present between ``post_init`` and ``post_shutdown``."""

    __slots__ = ("services",)

    def __init__(self) -> None:
        self.services: Services | None = None


class UserState:
    """``user_data``: the chosen language and a low rating waiting for its comment (in memory)."""

    __slots__ = ("comment_event", "comment_until", "draft", "language")

    def __init__(self) -> None:
        self.language: str | None = None
        self.comment_event: int | None = None
        self.comment_until = 0.0
        self.draft: StaffDraft | None = None

    def start_draft(self, task: str, entry_id: str = "", now: float | None = None) -> None:
        """Wait for a staff member's text for ``task``."""
        until = (time.monotonic() if now is None else now) + DRAFT_SECONDS
        self.draft = StaffDraft(task, until, entry_id)

    def pending_draft(self, now: float | None = None) -> StaffDraft | None:
        """The staff task in progress, if it has not expired."""
        if self.draft is not None and (time.monotonic() if now is None else now) >= self.draft.until:
            self.draft = None
        return self.draft

    def await_comment(self, event_id: int, now: float | None = None) -> None:
        self.comment_event = event_id
        self.comment_until = (time.monotonic() if now is None else now) + COMMENT_SECONDS

    def pending_comment(self, now: float | None = None) -> int | None:
        """The answer event a comment is awaited for, if it has not expired."""
        if self.comment_event is not None and (time.monotonic() if now is None else now) < self.comment_until:
            return self.comment_event
        self.comment_event = None
        return None

    def clear_comment(self) -> None:
        self.comment_event = None


class BotContext(CallbackContext[LeanBot, UserState, dict[Any, Any], AppData]):
    """The context every sabtyar handler receives (its bot: :class:`bot.messenger.lean_bot.LeanBot`)."""

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("sabtyar services are not set up (post_init has not run)")
        return services

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def backlog(self) -> Backlog:
        """Writes waiting for the store to work again."""
        return self.services.backlog

    @property
    def engine(self) -> AnswerEngine:
        """The engine in use now (see ``Shared.live``)."""
        return self.services.shared.live.engine

    @property
    def knowledge(self) -> KnowledgeBase:
        return self.engine.knowledge

    @property
    def platform(self) -> PlatformSettings:
        return self.services.platform

    @property
    def handoff_group(self) -> int | None:
        """This platform's staff group for handoffs, if configured."""
        return self.services.shared.settings.handoff.group(self.platform.name)

    @property
    def state(self) -> UserState:
        """This user's state (a fresh one for updates without a user)."""
        return self.user_data if self.user_data is not None else UserState()

    @property
    def catalog(self) -> Catalog:
        """The texts in the user's chosen language, else the configured default."""
        return self.services.shared.locales.get(self.state.language)

    def user_hash(self, user: User) -> str:
        """The pseudonymous id the store keeps for ``user`` on this platform."""
        return self.services.shared.hasher(self.platform.name, user.id)


def entry_title(entry: Entry, catalog: Catalog) -> str:
    """The title in the reader's language where the knowledge base has one."""
    return entry.title_en if catalog.language == "en" and entry.title_en else entry.title


def context_types() -> ContextTypes[BotContext, UserState, dict[Any, Any], AppData]:
    """The ``ContextTypes`` for ``ApplicationBuilder.context_types``."""
    return ContextTypes(context=BotContext, user_data=UserState, bot_data=AppData)
