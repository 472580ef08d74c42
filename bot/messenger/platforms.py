"""``[platforms.telegram]`` and ``[platforms.bale]``: where each messenger's Bot API is and what it can do.

Keys (a fixed interface, read by outside tools too)::

    [platforms.bale]
    enabled = true                         # run this platform when it has a token
    token = "..."                          # or SABTYAR_BALE_TOKEN / SABTYAR_TELEGRAM_TOKEN
    base_url = "https://tapi.bale.ai/bot"  # PTB appends the token
    base_file_url = "https://tapi.bale.ai/file/bot"
    parse_mode_supported = false           # send HTML formatting, or plain text only
    webhook_secret_supported = false       # the platform sends X-Telegram-Bot-Api-Secret-Token
    rate_limiter = true                    # false only for load benchmarks on a local fake Bot API
    http_client = "aiohttp"                # or "httpx" (python-telegram-bot's own transport)
    request_body = "form"                  # aiohttp's: "json" (Telegram's default) or "form"

    [platforms.bale.webhook]               # optional: webhook instead of long polling
    url = "https://bot.example.ir/<32 or more random characters>"
    listen = "127.0.0.1"
    port = 8444
    secret = "..."                         # used only where webhook_secret_supported

A webhook needs a real secret (:func:`webhook_problem`): where the platform sends the secret
header, ``secret`` (or, if unset, a random one made at each start); where it does not (Bale), the
URL's last path segment, at least 32 random characters (``python -c "import secrets;
print(secrets.token_urlsafe(32))"``). ``secret`` is unused there, and set anyway it is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from bot.config_values import ConfigError, Section
from bot.secret import Secret
from bot.store.records import MESSENGERS

__all__ = [
    "MIN_PATH_SECRET",
    "PLATFORM_NAMES",
    "REQUEST_BODIES",
    "TOKEN_VARIABLES",
    "PlatformSettings",
    "WebhookSettings",
    "default_platform",
    "read_platforms",
    "webhook_problem",
]

PLATFORM_NAMES = MESSENGERS
TOKEN_VARIABLES = {"telegram": "SABTYAR_TELEGRAM_TOKEN", "bale": "SABTYAR_BALE_TOKEN"}
_TOKEN = re.compile(r"[0-9]+:[^\s/?#]+")
_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
#: The shortest URL path segment that may serve as a webhook's secret, and its fewest distinct characters.
MIN_PATH_SECRET = 32
_MIN_DISTINCT = 10
_PATH_SECRET = re.compile(r"[A-Za-z0-9_-]+")
#: Bot API transports: aiohttp (:mod:`bot.messenger.http_client`, the default) or PTB's own httpx one.
HTTP_CLIENTS = ("aiohttp", "httpx")
#: How the aiohttp transport sends a call's parameters: a JSON body or a form body (PTB's own).
REQUEST_BODIES = ("json", "form")


@dataclass(frozen=True)
class WebhookSettings:
    """Webhook mode when ``url`` is set; ``listen``/``port`` is where the local server binds."""

    url: str = ""
    listen: str = "127.0.0.1"
    port: int = 8443
    secret: Secret | None = None

    @property
    def url_path(self) -> str:
        """The path part of ``url``, which the local server serves."""
        return urlsplit(self.url).path.lstrip("/")


@dataclass(frozen=True)
class PlatformSettings:
    """One messenger platform; it runs when ``enabled`` and it has a token."""

    name: str
    base_url: str
    base_file_url: str
    parse_mode_supported: bool
    webhook_secret_supported: bool
    enabled: bool = True
    token: Secret | None = None
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    #: Pace sends (30/s overall) and retry throttles; off only to measure the bot's own capacity.
    rate_limiter: bool = True
    #: One of ``HTTP_CLIENTS``; httpx's connection pool costs several times more CPU per call under load.
    http_client: str = "aiohttp"
    #: One of ``REQUEST_BODIES`` (the aiohttp transport's): a JSON body costs a fifth of the CPU of a
    #: form body of Persian text; Telegram's Bot API takes both, Bale's JSON is unverified (form).
    request_body: str = "json"

    @property
    def active(self) -> bool:
        return self.enabled and bool(self.token)

    @property
    def uses_webhook(self) -> bool:
        return bool(self.webhook.url)


def webhook_problem(platform: PlatformSettings) -> ConfigError | None:
    """Why ``platform``'s webhook would not be protected by a real secret, or ``None``.

    With the secret header the check is the header's. Without it, anyone who knows the URL can
    post forged updates (a staff ``/broadcast``), so the URL's last path segment must be at least
    :data:`MIN_PATH_SECRET` random-looking characters (A-Z, a-z, 0-9, ``_``, ``-``)."""
    if not platform.uses_webhook or platform.webhook_secret_supported:
        return None
    name = f"[platforms.{platform.name}.webhook]"
    if platform.webhook.secret is not None:
        return ConfigError.of(
            "doctor.config.webhook_secret_unused", section=name, platform=platform.name, count=MIN_PATH_SECRET
        )
    segment = platform.webhook.url_path.rsplit("/", 1)[-1]
    if (
        len(segment) < MIN_PATH_SECRET
        or not _PATH_SECRET.fullmatch(segment)
        or len(set(segment)) < _MIN_DISTINCT
    ):
        return ConfigError.of(
            "doctor.config.webhook_path_secret", section=name, platform=platform.name, count=MIN_PATH_SECRET
        )
    return None


def default_platform(name: str) -> PlatformSettings:
    """Telegram's or Bale's own Bot API; Bale's formatting and webhook secret are unverified, so off."""
    if name == "telegram":
        return PlatformSettings(
            "telegram",
            "https://api.telegram.org/bot",
            "https://api.telegram.org/file/bot",
            parse_mode_supported=True,
            webhook_secret_supported=True,
        )
    if name == "bale":
        return PlatformSettings(
            "bale",
            "https://tapi.bale.ai/bot",
            "https://tapi.bale.ai/file/bot",
            parse_mode_supported=False,
            webhook_secret_supported=False,
            webhook=WebhookSettings(port=8444),
            request_body="form",
        )
    raise ValueError(f"unknown platform {name!r}")


def _url(section: Section, key: str, default: str) -> str:
    value = section.string(key, default)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ConfigError.of(
            "doctor.config.not_url", section=section.name, key=key, value=repr(value)
        ) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError.of("doctor.config.not_url", section=section.name, key=key, value=repr(value))
    return value


def _token(value: str | None, source: str) -> Secret | None:
    if value is None or value == "":
        return None
    if not _TOKEN.fullmatch(value):
        raise ConfigError.of("doctor.config.not_token", source=source)
    return Secret(value)


def _webhook(section: Section, default: WebhookSettings) -> WebhookSettings:
    url = section.string("url", "")
    if url:
        _url(section, "url", url)
    secret = section.string("secret", "", secret=True)
    if secret and not _WEBHOOK_SECRET.fullmatch(secret):
        raise section.error("secret", "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
    webhook = WebhookSettings(
        url=url,
        listen=section.string("listen", default.listen) or default.listen,
        port=section.integer("port", default.port, 1, 65535),
        secret=Secret(secret) if secret else None,
    )
    section.finish()
    return webhook


def _http_client(section: Section, default: str) -> str:
    value = section.string("http_client", default)
    if value not in HTTP_CLIENTS:
        raise section.error("http_client", f"must be one of {', '.join(HTTP_CLIENTS)}, got {value!r}")
    return value


def _request_body(section: Section, default: str) -> str:
    value = section.string("request_body", default)
    if value not in REQUEST_BODIES:
        raise section.error("request_body", f"must be one of {', '.join(REQUEST_BODIES)}, got {value!r}")
    return value


def _platform(name: str, section: Section, environ: Mapping[str, str]) -> PlatformSettings:
    base = default_platform(name)
    variable = TOKEN_VARIABLES[name]
    token = _token(section.string("token", "", secret=True), f"[{section.name}] token")
    if environ.get(variable):
        token = _token(environ[variable], variable)
    platform = replace(
        base,
        enabled=section.boolean("enabled", base.enabled),
        token=token,
        base_url=_url(section, "base_url", base.base_url),
        base_file_url=_url(section, "base_file_url", base.base_file_url),
        parse_mode_supported=section.boolean("parse_mode_supported", base.parse_mode_supported),
        webhook_secret_supported=section.boolean("webhook_secret_supported", base.webhook_secret_supported),
        webhook=_webhook(section.table("webhook"), base.webhook),
        rate_limiter=section.boolean("rate_limiter", base.rate_limiter),
        http_client=_http_client(section, base.http_client),
        request_body=_request_body(section, base.request_body),
    )
    section.finish()
    problem = webhook_problem(platform)
    if problem is not None:
        raise problem
    return platform


def read_platforms(data: object, environ: Mapping[str, str]) -> tuple[PlatformSettings, ...]:
    """Both platforms from the ``[platforms]`` table (missing parts are defaults), tokens from env too."""
    platforms = Section("platforms", {} if data is None else data)
    found = tuple(_platform(name, platforms.table(name), environ) for name in PLATFORM_NAMES)
    platforms.finish()
    webhooks = [(p.webhook.listen, p.webhook.port) for p in found if p.active and p.uses_webhook]
    if len(set(webhooks)) < len(webhooks):
        raise ConfigError.of("doctor.config.webhook_same_port")
    return found
