"""Typed settings read from TOML (``--config``, ``SABTYAR_CONFIG`` or ``config.toml``).

Every section is optional: a missing file or section means the defaults, which
are the calibrated thresholds and the knowledge folder beside the code.
Unknown keys and wrong types are errors with the key's dotted name.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from bot.decision import Thresholds
from bot.matcher import Weights

__all__ = ["ROOT", "ConfigError", "EngineSettings", "Settings", "config_path", "load_settings"]

#: The repository root: knowledge/ and locales/ live here.
ROOT = Path(__file__).resolve().parent.parent
CONFIG_VARIABLE = "SABTYAR_CONFIG"


class ConfigError(Exception):
    """The configuration file is unreadable or has a wrong key or value."""


@dataclass(frozen=True)
class EngineSettings:
    thresholds: Thresholds = field(default_factory=Thresholds)
    weights: Weights = field(default_factory=Weights)


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = ROOT / "knowledge"
    locales_dir: Path = ROOT / "locales"
    language: str = "fa"
    engine: EngineSettings = field(default_factory=EngineSettings)
    source: Path | None = None


def config_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: the flag, else ``SABTYAR_CONFIG``, else ``config.toml``."""
    return Path(explicit or os.environ.get(CONFIG_VARIABLE) or "config.toml")


def _build[T](cls: type[T], values: dict[str, Any], section: str) -> T:
    known = {f.name: f for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"[{section}] unknown key(s): {', '.join(unknown)}")
    for name, value in values.items():
        default = getattr(cls(), name)
        if isinstance(default, bool) != isinstance(value, bool) or not isinstance(
            value, (type(default), int) if isinstance(default, float) else type(default)
        ):
            raise ConfigError(f"[{section}] {name} must be {type(default).__name__}, got {value!r}")
    try:
        return cls(**values)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"[{section}] {error}") from error


def _resolve(base: Path, value: Any, key: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{key} must be a path")
    path = Path(value)
    return path if path.is_absolute() else base / path


def load_settings(path: Path | None = None, *, required: bool = False) -> Settings:
    """Read and validate the config; a missing file gives the defaults unless ``required``."""
    path = path or config_path()
    if not path.exists():
        if required:
            raise ConfigError(f"config file not found: {path}")
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error
    base = path.resolve().parent
    general = data.get("general", {})
    engine = data.get("engine", {})
    weights = engine.pop("weights", {}) if isinstance(engine, dict) else {}
    known_sections = {"general", "engine", "platforms", "store", "privacy", "staff", "handoff"}
    unknown = sorted(set(data) - known_sections)
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(unknown)}")
    extra = sorted(set(general) - {"knowledge_dir", "locales_dir", "language"})
    if extra:
        raise ConfigError(f"[general] unknown key(s): {', '.join(extra)}")
    language = general.get("language", "fa")
    if language not in ("fa", "en"):
        raise ConfigError("[general] language must be 'fa' or 'en'")
    defaults = Settings()
    return Settings(
        knowledge_dir=_resolve(base, general["knowledge_dir"], "[general] knowledge_dir")
        if "knowledge_dir" in general
        else defaults.knowledge_dir,
        locales_dir=_resolve(base, general["locales_dir"], "[general] locales_dir")
        if "locales_dir" in general
        else defaults.locales_dir,
        language=language,
        engine=EngineSettings(
            thresholds=_build(Thresholds, engine, "engine"),
            weights=_build(Weights, weights, "engine.weights"),
        ),
        source=path,
    )
