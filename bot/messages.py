"""A user-facing message as a locale key and its values, to be worded in the reader's language.

Code that finds a problem far from the person who reads it (the loader, the workbook import, the
calendar) describes it as a :class:`Message`; whoever shows it words it with a catalog::

    note = Message.of("kb.problem.missing_field", entry="smartcard-lost", field="answer")
    note.text(catalog)     # in the configured language
    str(note)              # in English, from the bundled locales (logs, exception texts)

:class:`MessageError` is a ``ValueError`` carrying a message, so a bad argument (a date, a file
type) raised deep down reaches ``sabtyar``'s one error path and is said in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["Message", "MessageError", "Texts", "Worded"]


@runtime_checkable
class Worded(Protocol):
    """A value said in the reader's language (a knowledge file's change): it words itself."""

    def text(self, texts: Texts, /) -> str: ...


class Texts(Protocol):
    """What words a message: :class:`bot.locale.Catalog`."""

    def text(self, key: str, /, **values: object) -> str: ...


@dataclass(frozen=True, order=True)
class Message:
    """A locale key and the values of its placeholders."""

    key: str
    values: tuple[tuple[str, str | int | float | Worded], ...] = ()

    @classmethod
    def of(cls, key: str, /, **values: str | int | float | Worded) -> Message:
        return cls(key, tuple(values.items()))

    def text(self, catalog: Texts) -> str:
        """The message in ``catalog``'s language (a :class:`Worded` value worded in it too)."""
        values = {
            name: value.text(catalog) if isinstance(value, Worded) else value for name, value in self.values
        }
        return catalog.text(self.key, **values)

    def __str__(self) -> str:
        """The message in English (the bundled ``locales/en.yaml``)."""
        from bot.locale import bundled_catalog

        return self.text(bundled_catalog("en"))


class MessageError(ValueError):
    """A usage error (exit code 2 on the command line) described by a :class:`Message`."""

    def __init__(self, key: str, /, **values: str | int | float) -> None:
        self.note = Message.of(key, **values)
        super().__init__(str(self.note))
