"""Monitoring: the process's Prometheus metrics and, with ``[monitoring]`` on, a local HTTP
endpoint with ``/healthz`` and ``/metrics`` (off by default).

Metrics (``prometheus-client``, one registry per process, all labelled by ``platform``)::

    sabtyar_updates_total                    updates handled
    sabtyar_answers_total{outcome}           free-text questions by outcome (answer, did_you_mean, no_match)
    sabtyar_ratings_total{score}             ratings stored
    sabtyar_reply_seconds                    from the question's arrival to the reply sent (histogram)
    sabtyar_store_backlog                    writes waiting for the database to work again
    sabtyar_unconfirmed_replies              new messages sent whose update is not yet marked done
                                             (at most ``[general] unconfirmed_replies``)
    sabtyar_bot_api_errors_total{kind}       Bot API calls failed: http_4xx, http_5xx, network, throttled
    sabtyar_bot_api_retries_total            throttled calls waited out and sent again
    sabtyar_last_poll_timestamp_seconds      when getUpdates last answered (long polling)

Recording is a dictionary look-up and an addition. :class:`ObservedRequest` wraps the Bot API
transport (aiohttp or httpx) to count failures and polls: a throttle (429, Bale's 420) is also
counted as a retry, since the rate limiter (``rate_limit.py``) waits it out and sends it again.

``/healthz`` answers 200 and one ``ok <check>`` line per check when the process is ready, else
503 with ``fail <check>: <why>`` lines: the engine is loaded, each platform's store takes a write,
and each long-polling platform's ``getUpdates`` answered within ``stale_poll_seconds`` (a
webhook platform: its web server runs); the checks themselves are the runner's. ``/metrics`` is
the registry in the Prometheus text format. The server binds to ``127.0.0.1`` unless configured
otherwise.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from telegram._utils.types import ODVInput
from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

from bot.config_values import Section
from bot.messenger.http_client import WrappedRequest

if TYPE_CHECKING:
    from aiohttp import web

__all__ = ["Check", "Metrics", "MonitoringServer", "MonitoringSettings", "ObservedRequest", "read_monitoring"]

_LOG = logging.getLogger("sabtyar.monitoring")
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The counters of one process, and the last poll per platform (for ``/healthz``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.updates = Counter("sabtyar_updates", "Updates handled", ["platform"], registry=registry)
        self.answers = Counter(
            "sabtyar_answers", "Free-text questions by outcome", ["platform", "outcome"], registry=registry
        )
        self.ratings = Counter("sabtyar_ratings", "Ratings stored", ["platform", "score"], registry=registry)
        self.reply_seconds = Histogram(
            "sabtyar_reply_seconds",
            "Seconds from a question's arrival to its reply",
            ["platform"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.backlog = Gauge(
            "sabtyar_store_backlog", "Writes waiting for the database", ["platform"], registry=registry
        )
        self.unconfirmed = Gauge(
            "sabtyar_unconfirmed_replies",
            "New messages sent whose update is not yet marked done",
            ["platform"],
            registry=registry,
        )
        self.api_errors = Counter(
            "sabtyar_bot_api_errors", "Bot API calls that failed", ["platform", "kind"], registry=registry
        )
        self.api_retries = Counter(
            "sabtyar_bot_api_retries", "Throttled Bot API calls sent again", ["platform"], registry=registry
        )
        self.last_poll = Gauge(
            "sabtyar_last_poll_timestamp_seconds",
            "When getUpdates last answered (Unix time)",
            ["platform"],
            registry=registry,
        )
        self._polled: dict[str, float] = {}
        self._children: dict[tuple[object, ...], Any] = {}

    def child(self, metric: Counter | Gauge | Histogram, *labels: str) -> Any:
        """``metric.labels(*labels)``, made once (prometheus-client checks the labels and takes a
        lock for every ``labels`` call; the counters of every update and poll go through here)."""
        key = (metric, *labels)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*labels)
        return found

    def watch_backlog(self, platform: str, size: Callable[[], int]) -> None:
        """Read ``size()`` as the platform's backlog at each scrape."""
        self.backlog.labels(platform).set_function(lambda: float(size()))

    def watch_unconfirmed(self, platform: str, held: Callable[[], int]) -> None:
        """Read ``held()`` as the platform's places of the send window held, at each scrape."""
        self.unconfirmed.labels(platform).set_function(lambda: float(held()))

    def polled(self, platform: str) -> None:
        """getUpdates answered just now."""
        self._polled[platform] = time.monotonic()
        self.child(self.last_poll, platform).set_to_current_time()

    def seconds_since_poll(self, platform: str) -> float | None:
        """Seconds since getUpdates last answered, ``None`` if it never did."""
        at = self._polled.get(platform)
        return None if at is None else time.monotonic() - at


class ObservedRequest(WrappedRequest):
    """``inner`` with its outcomes counted for ``platform``."""

    __slots__ = ("_metrics", "_platform", "_polls")

    def __init__(self, inner: BaseRequest, metrics: Metrics, platform: str, *, polls: bool = False) -> None:
        super().__init__(inner)
        self._metrics = metrics
        self._platform = platform
        self._polls = polls

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        try:
            status, body = await self.inner.do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        except NetworkError:
            self._metrics.api_errors.labels(self._platform, "network").inc()
            raise
        if status >= 400:
            throttled = status in (420, 429) or b"bot limit exceed" in body or b"rate_limited" in body
            kind = "throttled" if throttled else "http_5xx" if status >= 500 else "http_4xx"
            self._metrics.api_errors.labels(self._platform, kind).inc()
            if throttled:
                self._metrics.api_retries.labels(self._platform).inc()
        elif self._polls:
            self._metrics.polled(self._platform)
        return status, body


@dataclass(frozen=True)
class MonitoringSettings:
    """``[monitoring]``: ``enabled``, ``listen``, ``port``, ``stale_poll_seconds``."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = 9120
    stale_poll_seconds: float = 90.0


def read_monitoring(data: object) -> MonitoringSettings:
    section = Section("monitoring", {} if data is None else data)
    defaults = MonitoringSettings()
    settings = MonitoringSettings(
        enabled=section.boolean("enabled", defaults.enabled),
        listen=section.string("listen", defaults.listen),
        port=section.integer("port", defaults.port, 1, 65535),
        stale_poll_seconds=section.number("stale_poll_seconds", defaults.stale_poll_seconds, 1.0, 3600.0),
    )
    section.finish()
    return settings


@dataclass(frozen=True)
class Check:
    """One readiness check's result; ``detail`` says what is wrong when it fails."""

    name: str
    ok: bool
    detail: str = ""


class MonitoringServer:
    """The aiohttp server of ``/healthz`` and ``/metrics``; ``checks`` runs the readiness checks."""

    def __init__(
        self,
        settings: MonitoringSettings,
        metrics: Metrics,
        checks: Callable[[], Awaitable[Sequence[Check]]],
    ) -> None:
        self._settings = settings
        self._metrics = metrics
        self._checks = checks
        self._runner: web.AppRunner | None = None

    async def _healthz(self, request: web.Request) -> web.Response:
        from aiohttp import web

        results = await self._checks()
        ready = bool(results) and all(check.ok for check in results)
        lines = [f"ok {c.name}" if c.ok else f"fail {c.name}: {c.detail}" for c in results]
        return web.Response(status=200 if ready else 503, text="\n".join(lines) + "\n")

    async def _metrics_page(self, request: web.Request) -> web.Response:
        from aiohttp import web

        body = generate_latest(self._metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def start(self) -> None:
        from aiohttp import web  # only when monitoring is on: the CLI never pays for aiohttp.web

        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/metrics", self._metrics_page)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._settings.listen, self._settings.port)
        await site.start()
        _LOG.info(
            "monitoring on http://%s:%d/healthz and /metrics", self._settings.listen, self._settings.port
        )

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
