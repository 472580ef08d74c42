"""A bounded memory of computed values: the speed-ups that remember a token's words, a word's
columns or a ranking (the engine's ``analyzer``, ``vectors``, ``matcher``), or a citizen's hash
(the store's ``privacy``).

A plain dict owned by the object that computes the values, not an ``lru_cache`` of a bound method
(whose cycle keeps a replaced analyzer or matcher alive until a full garbage collection). When
full it starts over, which costs nothing per call; what is asked again is soon back.
"""

from __future__ import annotations

__all__ = ["Memory"]


class Memory[K, V](dict[K, V]):
    """At most ``size`` remembered values; :meth:`keep` empties it first when it is full."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def keep(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key`` and return it."""
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value
