"""Reading one TOML table with typed getters whose errors name the dotted key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any

__all__ = ["ConfigError", "Section"]


class ConfigError(Exception):
    """The configuration file is unreadable or has a wrong key or value."""


class Section:
    """One TOML table being read; :meth:`finish` rejects keys that no getter asked for.

    Error messages name the key (``[platforms.bale] port must be ...``) and quote the value,
    except for secrets, whose values never appear in a message.
    """

    def __init__(self, name: str, data: object) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"[{name}] must be a table")
        self.name = name
        self._data: dict[str, Any] = data
        self._asked: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def _raw(self, key: str) -> Any:
        self._asked.add(key)
        return self._data.get(key)

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"[{self.name}] {key} {message}")

    def boolean(self, key: str, default: bool) -> bool:
        value = self._raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, got {value!r}")
        return value

    def string(self, key: str, default: str, *, secret: bool = False) -> str:
        value = self._raw(key)
        if value is None:
            return default
        if not isinstance(value, str):
            shown = "a non-string value" if secret else repr(value)
            raise self.error(key, f"must be a string, got {shown}")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.error(key, f"must be a number from {low} to {high}, got {value!r}")
        return float(value)

    def integer_list(self, key: str) -> tuple[int, ...]:
        """A list of whole numbers (empty when absent)."""
        value = self._raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise self.error(key, f"must be a list of whole numbers, got {value!r}")
        return tuple(value)

    def optional_integer(self, key: str) -> int | None:
        """A whole number, or ``None`` when absent."""
        value = self._raw(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(key, f"must be a whole number, got {value!r}")
        return value

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in allowed:
            raise self.error(key, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value

    def path(self, key: str, default: Path, base: Path) -> Path:
        """A path; a relative one is taken from ``base`` (the config file's folder)."""
        if key not in self._data:
            self._raw(key)
            return default
        value = self._raw(key)
        if not isinstance(value, str) or not value:
            raise self.error(key, "must be a path")
        path = Path(value)
        return path if path.is_absolute() else base / path

    def build[T](self, cls: type[T]) -> T:
        """A frozen dataclass from this table: each key typed like the field's default, the rest
        checked by the dataclass itself; then :meth:`finish`."""
        defaults = cls()
        values: dict[str, Any] = {}
        for item in fields(cls):  # type: ignore[arg-type]
            if item.name not in self:
                continue
            default = getattr(defaults, item.name)
            if isinstance(default, bool):
                values[item.name] = self.boolean(item.name, default)
            elif isinstance(default, int):
                values[item.name] = self.integer(item.name, default, -(2**31), 2**31)
            elif isinstance(default, float):
                values[item.name] = self.number(item.name, default, float("-inf"), float("inf"))
            else:
                values[item.name] = self.string(item.name, str(default))
        self.finish()
        try:
            return cls(**values)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"[{self.name}] {error}") from error

    def table(self, key: str) -> Section:
        value = self._raw(key)
        return Section(f"{self.name}.{key}", {} if value is None else value)

    def finish(self) -> None:
        """Raise on keys that are not part of this table, with the known key each one is
        probably a misspelling of (``enabeld (did you mean enabled?)``)."""
        unknown = sorted(set(self._data) - self._asked)
        if unknown:
            named = [_with_guess(key, self._asked) for key in unknown]
            raise ConfigError(f"[{self.name}] unknown key(s): {', '.join(named)}")


def _with_guess(key: str, known: Iterable[str]) -> str:
    """``key``, and the known key closest to it when one is close: a misspelling's correction."""
    guess = get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    return f"{key} (did you mean {guess[0]}?)" if guess else key
