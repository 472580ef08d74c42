"""Scripted faults: errors, delays and dropped connections injected into Bot API calls.

Two kinds of rules: scripted ones (:meth:`FaultPlan.add`: the next ``times`` matching calls) and
periodic ones (:meth:`FaultPlan.every`: one matching call in ``n`` fails, the faults taken in
turn), for a Bot API that fails now and then under load (``benchmarks/load_benchmark.py
--fail-every 7``). A scripted rule that matches wins over a periodic one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["FAULTS_BY_NAME", "Fault", "FaultPlan"]

FaultKind = Literal["error", "raw", "delay", "disconnect"]

_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class Fault:
    """One scripted misbehaviour of the server for one call.

    ``kind``: ``error`` (a JSON error envelope), ``raw`` (a non-JSON body such as nginx's 502
    page), ``delay`` (sleep ``delay`` seconds, then handle the call normally: the client has
    usually timed out by then, yet the message *is* sent) or ``disconnect`` (close the connection
    without a response; with ``process=True`` the call takes effect first).
    """

    kind: FaultKind
    status: int = 500
    description: str = "Internal Server Error"
    parameters: dict[str, Any] | None = None
    body: str | None = None
    delay: float = 0.0
    process: bool = False

    @property
    def label(self) -> str:
        """Short name recorded on faulted calls, e.g. ``error 429`` or ``delay 3.0s``."""
        if self.kind in ("error", "raw"):
            return f"{self.kind} {self.status}"
        if self.kind == "delay":
            return f"delay {self.delay}s"
        return "disconnect+processed" if self.process else "disconnect"

    @classmethod
    def error(cls, status: int, description: str, parameters: dict[str, Any] | None = None) -> Fault:
        """Any JSON error reply."""
        return cls("error", status=status, description=description, parameters=parameters)

    @classmethod
    def server_error(cls) -> Fault:
        """HTTP 500 with a JSON envelope."""
        return cls.error(500, "Internal Server Error")

    @classmethod
    def bad_gateway(cls) -> Fault:
        """HTTP 502 with nginx's HTML page (not JSON)."""
        return cls("raw", status=502, description="Bad Gateway", body=_BAD_GATEWAY_HTML)

    @classmethod
    def slow(cls, seconds: float) -> Fault:
        """Answer only after ``seconds`` (the call still takes effect)."""
        return cls("delay", delay=seconds)

    @classmethod
    def disconnect(cls, *, process: bool = False) -> Fault:
        """Drop the connection; with ``process=True`` after the call took effect."""
        return cls("disconnect", process=process)

    @classmethod
    def retry_after(cls, seconds: int) -> Fault:
        """Telegram flood control: 429 with ``parameters.retry_after``."""
        return cls.error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})

    @classmethod
    def bale_throttle(cls, description: str = "bot limit exceed") -> Fault:
        """Bale-style throttling: 429 without ``retry_after`` (PTB raises NetworkError)."""
        return cls.error(429, description)

    @classmethod
    def blocked(cls) -> Fault:
        """403 as for a user who blocked the bot."""
        return cls.error(403, "Forbidden: bot was blocked by the user")


#: Faults by a short name, for command lines (``--faults 500,disconnect``).
FAULTS_BY_NAME: dict[str, Fault] = {
    "500": Fault.server_error(),
    "502": Fault.bad_gateway(),
    "disconnect": Fault.disconnect(),
    "disconnect-processed": Fault.disconnect(process=True),
}


@dataclass
class _Periodic:
    """Every ``n``-th call matching ``methods`` (all if ``None``) gets the next of ``faults``."""

    n: int
    faults: tuple[Fault, ...]
    methods: frozenset[str] | None
    seen: int = 0
    given: int = 0

    def take(self, method: str) -> Fault | None:
        if self.methods is not None and method.lower() not in self.methods:
            return None
        self.seen += 1
        if self.seen % self.n:
            return None
        fault = self.faults[self.given % len(self.faults)]
        self.given += 1
        return fault


@dataclass
class _Rule:
    fault: Fault
    method: str | None
    chat_ids: frozenset[int | str] | None
    remaining: int | None

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.method is not None and self.method != method.lower():
            return False
        return self.chat_ids is None or params.get("chat_id") in self.chat_ids


@dataclass
class FaultPlan:
    """Queue of fault rules; method-specific rules win over global ones, oldest first."""

    rules: list[_Rule] = field(default_factory=list)
    periodic: list[_Periodic] = field(default_factory=list)

    def add(
        self,
        fault: Fault,
        method: str | None = None,
        *,
        chat_ids: int | str | list[int | str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Apply ``fault`` to the next ``times`` matching calls (``None``: until cleared)."""
        ids: frozenset[int | str] | None
        if chat_ids is None:
            ids = None
        elif isinstance(chat_ids, (int, str)):
            ids = frozenset({chat_ids})
        else:
            ids = frozenset(chat_ids)
        self.rules.append(_Rule(fault, method.lower() if method else None, ids, times))

    def every(self, n: int, faults: Sequence[Fault], methods: Sequence[str] | None = None) -> None:
        """Fail one call in ``n`` (the ``n``-th, ``2n``-th, ... call of ``methods``, all methods
        if ``None``) until cleared, with ``faults`` in turn."""
        if n < 1 or not faults:
            raise ValueError("every: n >= 1 and at least one fault")
        names = None if methods is None else frozenset(m.lower() for m in methods)
        self.periodic.append(_Periodic(n, tuple(faults), names))

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault for this call, consuming one use of its rule, or ``None``."""
        candidates = [r for r in self.rules if r.matches(method, params)]
        if not candidates:
            periodic = [rule.take(method) for rule in self.periodic]
            return next((fault for fault in periodic if fault is not None), None)
        rule = next((r for r in candidates if r.method is not None), candidates[0])
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                self.rules.remove(rule)
        return rule.fault

    def clear(self) -> None:
        """Forget every rule."""
        self.rules.clear()
        self.periodic.clear()

    def __len__(self) -> int:
        return len(self.rules) + len(self.periodic)
