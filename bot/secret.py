"""``Secret``: a string that never prints (tokens, the user-hashing key)."""

from __future__ import annotations

import hmac

__all__ = ["Secret"]


class Secret:
    """Holds a secret value; ``str``, ``repr`` and ``format`` all show ``***``.

    Only :meth:`reveal` gives the value back, so a secret reaches a log or a traceback only
    where code asks for it by name.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a secret must be a string")
        self._value = value

    def reveal(self) -> str:
        """The secret itself: pass it to the library that needs it, never to a log."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not pickled")
