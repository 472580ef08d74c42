"""Platform profiles: what differs between Telegram and Bale behind the same Bot API JSON."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

__all__ = ["BALE", "PROFILES", "TELEGRAM", "Profile", "get_profile"]


@dataclass(frozen=True)
class Profile:
    """Capabilities of one messenger platform's Bot API.

    ``parse_mode_supported=False`` makes every request carrying ``parse_mode`` fail with
    ``parse_mode_error``; ``webhook_secret_header=False`` accepts ``secret_token`` in setWebhook
    but never sends the ``X-Telegram-Bot-Api-Secret-Token`` header.
    """

    name: str
    supports_inline_queries: bool = True
    parse_mode_supported: bool = True
    parse_mode_error: str = "Bad Request: parse_mode is not supported"
    webhook_secret_header: bool = True
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    extra_me_fields: tuple[tuple[str, Any], ...] = ()

    def with_overrides(self, **changes: Any) -> Profile:
        """A copy with some fields changed (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


TELEGRAM = Profile(
    name="telegram",
    extra_me_fields=(("can_connect_to_business", False), ("has_main_web_app", False)),
)
BALE = Profile(
    name="bale",
    supports_inline_queries=False,
    parse_mode_supported=False,
    webhook_secret_header=False,
)
PROFILES: dict[str, Profile] = {p.name: p for p in (TELEGRAM, BALE)}


def get_profile(profile: str | Profile) -> Profile:
    """Resolve a profile name (``telegram`` / ``bale``) or pass a Profile through."""
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile.lower()]
    except KeyError:
        raise ValueError(f"unknown profile {profile!r}; expected one of {sorted(PROFILES)}") from None
