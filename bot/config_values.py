"""Reading one TOML table with typed getters whose errors name the dotted key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from bot.messages import Message, Texts

__all__ = ["ConfigError", "Section"]


class ConfigError(Exception):
    """The configuration file is unreadable or has a wrong key or value.

    ``str(error)`` is English; :meth:`text` says it in a catalog's language when the error was
    found by :class:`Section` (``doctor.config.*``: ``note``, and ``listed``, the unknown keys
    joined into its ``{keys}``); an error worded elsewhere has only its English.
    """

    def __init__(self, text: str, note: Message | None = None, listed: tuple[Message, ...] = ()) -> None:
        super().__init__(text)
        self.note = note
        self.listed = listed

    @classmethod
    def of(cls, key: str, /, **values: str | int | float) -> ConfigError:
        """The error ``key`` with ``values``, in English for ``str`` and any language for :meth:`text`."""
        return cls.listing(key, (), **values)

    @classmethod
    def listing(cls, key: str, listed: tuple[Message, ...], /, **values: str | int | float) -> ConfigError:
        """:meth:`of`, with ``listed`` joined into the message's ``{keys}``."""
        from bot.locale import bundled_catalog

        error = cls("", Message.of(key, **values), listed)
        error.args = (error.text(bundled_catalog("en")),)
        return error

    def text(self, catalog: Texts) -> str:
        """The error in ``catalog``'s language (in English when it has no ``note``)."""
        if self.note is None:
            return str(self)
        values = dict(self.note.values)
        if self.listed:
            values["keys"] = catalog.text("doctor.config.separator").join(
                m.text(catalog) for m in self.listed
            )
        return catalog.text(self.note.key, **values)


class Section:
    """One TOML table being read; :meth:`finish` rejects keys that no getter asked for.

    Error messages name the key (``[platforms.bale] port must be ...``) and quote the value,
    except for secrets, whose values never appear in a message.
    """

    def __init__(self, name: str, data: object) -> None:
        if not isinstance(data, dict):
            raise ConfigError.of("doctor.config.not_table", section=name)
        self.name = name
        self._data: dict[str, Any] = data
        self._asked: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def _raw(self, key: str) -> Any:
        self._asked.add(key)
        return self._data.get(key)

    def error(self, key: str, message: str) -> ConfigError:
        """An error about ``key`` worded by the caller, in English only."""
        return ConfigError(f"[{self.name}] {key} {message}")

    def _wrong(self, key: str, value: object, kind: str, /, **values: str) -> ConfigError:
        """``[section] key`` must be what ``doctor.config.<kind>`` says, not ``value`` (its repr)."""
        return ConfigError.of(
            f"doctor.config.{kind}", section=self.name, key=key, value=repr(value), **values
        )

    def boolean(self, key: str, default: bool) -> bool:
        value = self._raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._wrong(key, value, "not_bool")
        return value

    def string(self, key: str, default: str, *, secret: bool = False) -> str:
        value = self._raw(key)
        if value is None:
            return default
        if not isinstance(value, str):
            if secret:  # a secret's value never appears in a message
                raise ConfigError.of("doctor.config.not_string_secret", section=self.name, key=key)
            raise self._wrong(key, value, "not_string")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._wrong(key, value, "not_integer_between", low=str(low), high=str(high))
        return value

    def number(self, key: str, default: float, low: float, high: float) -> float:
        value = self._raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self._wrong(key, value, "not_number_between", low=str(low), high=str(high))
        return float(value)

    def integer_list(self, key: str) -> tuple[int, ...]:
        """A list of whole numbers (empty when absent)."""
        value = self._raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise self._wrong(key, value, "not_integer_list")
        return tuple(value)

    def optional_integer(self, key: str) -> int | None:
        """A whole number, or ``None`` when absent."""
        value = self._raw(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self._wrong(key, value, "not_integer")
        return value

    def choice(self, key: str, default: str, allowed: tuple[str, ...]) -> str:
        value = self.string(key, default)
        if value not in allowed:
            raise self._wrong(key, value, "not_choice", allowed=", ".join(allowed))
        return value

    def path(self, key: str, default: Path, base: Path) -> Path:
        """A path; a relative one is taken from ``base`` (the config file's folder)."""
        if key not in self._data:
            self._raw(key)
            return default
        value = self._raw(key)
        if not isinstance(value, str) or not value:
            raise ConfigError.of("doctor.config.not_path", section=self.name, key=key)
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
            named = tuple(_with_guess(key, self._asked) for key in unknown)
            raise ConfigError.listing("doctor.config.unknown_keys", named, section=self.name)


def _with_guess(key: str, known: Iterable[str]) -> Message:
    """``key``, and the known key closest to it when one is close: a misspelling's correction."""
    guess = get_close_matches(key, sorted(known), n=1, cutoff=0.75)
    if guess:
        return Message.of("doctor.config.unknown_key_guess", key=key, guess=guess[0])
    return Message.of("doctor.config.unknown_key", key=key)
