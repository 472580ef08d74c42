"""Typed settings read from TOML (``--config``, ``SABTYAR_CONFIG`` or ``config.toml``).

Every section is optional: a missing file or section means the defaults: the calibrated
thresholds, the database in the data folder (``data/`` of the checkout, else of the current
folder) and the staff's working copy of the knowledge beside the database
(``<data>/knowledge``, made from the shipped copy by :mod:`bot.knowledge.working_copy`).
``[general] knowledge_dir``, when set, is the folder staff edit instead.
Unknown keys and wrong types are errors with the key's dotted name. Bot tokens and the
user-hashing secret may come from the environment (``SABTYAR_TELEGRAM_TOKEN``,
``SABTYAR_BALE_TOKEN``, ``SABTYAR_HASH_SECRET``), which wins over the file; they are
:class:`~bot.secret.Secret` values that never print.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config_values import ConfigError, Section
from bot.engine.decision import Thresholds
from bot.engine.matcher import Weights
from bot.messenger.monitoring import MonitoringSettings, read_monitoring
from bot.messenger.platforms import PLATFORM_NAMES, PlatformSettings, default_platform, read_platforms
from bot.messenger.staff_settings import HandoffSettings, StaffSettings, read_handoff, read_staff
from bot.secret import Secret
from bot.shipped import CHECKOUT, shipped_dir

__all__ = [
    "HASH_SECRET_VARIABLE",
    "ROOT",
    "ConfigError",
    "EngineSettings",
    "FloodSettings",
    "MonitoringSettings",
    "PrivacySettings",
    "Settings",
    "StoreSettings",
    "config_path",
    "load_settings",
]

#: The repository root in a checkout (knowledge/ and locales/ live here), else site-packages.
ROOT = Path(__file__).resolve().parent.parent
#: Where the database (and the staff's knowledge) go by default.
DATA_DIR = (CHECKOUT or Path.cwd()) / "data"
CONFIG_VARIABLE = "SABTYAR_CONFIG"
HASH_SECRET_VARIABLE = "SABTYAR_HASH_SECRET"
_KNOWN_SECTIONS = {
    "general",
    "engine",
    "platforms",
    "store",
    "privacy",
    "flood",
    "staff",
    "handoff",
    "monitoring",
}


@dataclass(frozen=True)
class EngineSettings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class StoreSettings:
    """``[store] path``: the SQLite file (relative paths are relative to the config file);
    ``backlog``: how many writes to keep in memory while the store is unavailable."""

    path: Path = DATA_DIR / "sabtyar.db"
    backlog: int = 10_000


@dataclass(frozen=True)
class PrivacySettings:
    """``[privacy] user_hash_secret``; when absent, one is generated and kept beside the database.
    ``retention_days``: question texts and comments older than this are blanked once a day while
    the bot runs (0: kept until ``sabtyar purge``); the citizens' ``/privacy`` notice says it."""

    user_hash_secret: Secret | None = None
    retention_days: int = 180


@dataclass(frozen=True)
class FloodSettings:
    """``[flood]``: a citizen may send ``messages`` messages per ``window_seconds``."""

    messages: int = 6
    window_seconds: float = 10.0


def _default_platforms() -> tuple[PlatformSettings, ...]:
    return tuple(default_platform(name) for name in PLATFORM_NAMES)


@dataclass(frozen=True)
class Settings:
    #: The folder the engine reads and staff edit (``load_settings``: the working copy).
    knowledge_dir: Path = field(default_factory=lambda: shipped_dir("knowledge"))
    locales_dir: Path = field(default_factory=lambda: shipped_dir("locales"))
    #: The knowledge as shipped with this version (read only): the working copy is made from it.
    shipped_knowledge_dir: Path = field(default_factory=lambda: shipped_dir("knowledge"))
    #: ``[general] knowledge_dir`` was set: that folder must exist (it is never made from scratch).
    knowledge_dir_configured: bool = False
    language: str = "fa"
    engine: EngineSettings = field(default_factory=EngineSettings)
    platforms: tuple[PlatformSettings, ...] = field(default_factory=_default_platforms)
    store: StoreSettings = field(default_factory=StoreSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    flood: FloodSettings = field(default_factory=FloodSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    handoff: HandoffSettings = field(default_factory=HandoffSettings)
    monitoring: MonitoringSettings = field(default_factory=MonitoringSettings)
    source: Path | None = None
    #: ``[general] workers``: processes handling updates (above 1: ``bot/messenger/updates/workers.py``).
    workers: int = 1
    #: ``[general] unconfirmed_replies``: per platform and process, the updates whose new message
    #: may have reached the citizen before their done mark was recorded (a kill repeats at most
    #: this many: ``bot/messenger/updates/window.py``).
    unconfirmed_replies: int = 10

    def platform(self, name: str) -> PlatformSettings:
        return next(p for p in self.platforms if p.name == name)

    @property
    def active_platforms(self) -> tuple[PlatformSettings, ...]:
        """The platforms to run: enabled and with a token."""
        return tuple(p for p in self.platforms if p.active)


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: the flag, else ``SABTYAR_CONFIG``, else ``config.toml``."""
    return Path(explicit or os.environ.get(CONFIG_VARIABLE) or "config.toml")


def _privacy(data: object, environ: Mapping[str, str]) -> PrivacySettings:
    section = Section("privacy", {} if data is None else data)
    secret = section.string("user_hash_secret", "", secret=True)
    retention = section.integer("retention_days", PrivacySettings.retention_days, 0, 36_500)
    section.finish()
    source = "[privacy] user_hash_secret"
    if environ.get(HASH_SECRET_VARIABLE):
        secret, source = environ[HASH_SECRET_VARIABLE], HASH_SECRET_VARIABLE
    if secret and len(secret.encode()) < 16:
        raise ConfigError.of("doctor.config.secret_too_short", source=source)
    return PrivacySettings(Secret(secret) if secret else None, retention)


def _flood(data: object) -> FloodSettings:
    section = Section("flood", {} if data is None else data)
    defaults = FloodSettings()
    flood = FloodSettings(
        messages=section.integer("messages", defaults.messages, 1, 1000),
        window_seconds=section.number("window_seconds", defaults.window_seconds, 0.1, 3600.0),
    )
    section.finish()
    return flood


def _store(data: object, base: Path) -> StoreSettings:
    section = Section("store", {} if data is None else data)
    defaults = StoreSettings()
    path = section.path("path", defaults.path, base)
    backlog = section.integer("backlog", defaults.backlog, 1, 1_000_000)
    section.finish()
    return StoreSettings(path, backlog)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError.of("doctor.config.unreadable", file=str(path), error=str(error)) from error


def load_settings(
    path: Path | None = None, *, required: bool = False, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read and validate the config; a missing file gives the defaults unless ``required``.

    ``environ`` (default ``os.environ``) supplies the tokens and the hash secret, also
    without a file.
    """
    environ = os.environ if environ is None else environ
    path = path or config_path()
    if not path.exists() and required:
        raise ConfigError.of("doctor.config.not_found", file=str(path))
    data = _read(path) if path.exists() else {}
    base = path.resolve().parent
    unknown = sorted(set(data) - _KNOWN_SECTIONS)
    if unknown:
        raise ConfigError.of("doctor.config.unknown_sections", sections=", ".join(unknown))
    defaults = Settings()
    store = _store(data.get("store"), base)
    general = Section("general", data.get("general", {}))
    knowledge_dir_configured = "knowledge_dir" in general
    knowledge_dir = general.path("knowledge_dir", store.path.parent / "knowledge", base)
    locales_dir = general.path("locales_dir", defaults.locales_dir, base)
    language = general.choice("language", "fa", ("fa", "en"))
    workers = general.integer("workers", 1, 1, 32)
    unconfirmed_replies = general.integer("unconfirmed_replies", defaults.unconfirmed_replies, 1, 1000)
    general.finish()
    engine = Section("engine", data.get("engine", {}))
    weights = engine.table("weights").build(Weights)
    thresholds = engine.build(Thresholds)
    platforms = read_platforms(data.get("platforms"), environ)
    monitoring = read_monitoring(data.get("monitoring"))
    if workers > 1 and monitoring.enabled:
        raise ConfigError.of("doctor.config.monitoring_workers")
    if workers > 1 and any(p.active and p.uses_webhook for p in platforms):
        raise ConfigError.of("doctor.config.webhook_workers")
    return Settings(
        knowledge_dir=knowledge_dir,
        knowledge_dir_configured=knowledge_dir_configured,
        locales_dir=locales_dir,
        language=language,
        engine=EngineSettings(thresholds=thresholds, weights=weights),
        platforms=platforms,
        store=store,
        privacy=_privacy(data.get("privacy"), environ),
        flood=_flood(data.get("flood")),
        staff=read_staff(data.get("staff")),
        handoff=read_handoff(data.get("handoff")),
        monitoring=monitoring,
        source=path if path.exists() else None,
        workers=workers,
        unconfirmed_replies=unconfirmed_replies,
    )
