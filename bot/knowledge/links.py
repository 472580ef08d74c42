"""Web addresses in the knowledge base: which host a link really goes to, and whether it is official.

Hosts are read as a browser reads them, by a WHATWG URL parser (``ada-url``): in
``https://evil.example\\@www.sabteahval.ir/`` the backslash ends the host, so the host is
``evil.example``, not the official domain after the ``@``. An address the parser rejects (a
full-width slash ``／`` in the host, say) is not a link to anything official: it is reported,
never raised. Addresses are found in running text too: ``https://…``, ``www.…`` and bare
domains such as ``example.com/nobat``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ada_url import URL

__all__ = ["addresses_in", "is_official", "link_host"]

_ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>«»()\[\]\"']+"  # with a scheme, or www.
    r"|(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}(?![\w.\-])(?:/[^\s<>«»()\[\]\"']*)?",
    re.IGNORECASE | re.ASCII,
)
_TRAILING = ".,;:!?،؛"


def link_host(url: str) -> str | None:
    """The lower-case host an http(s) ``url`` goes to (a trailing dot dropped), or ``None`` if it is
    not a valid http(s) address. ``www.x`` and bare domains are read as ``https://``."""
    text = url if "://" in url else f"https://{url}"
    try:
        parsed = URL(text)
    except ValueError:
        return None
    if parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return None
    return parsed.hostname.lower().rstrip(".")


def is_official(url: str, domains: Iterable[str]) -> bool:
    """Whether ``url`` goes to one of ``domains`` or a subdomain of one."""
    host = link_host(url)
    return host is not None and any(host == d or host.endswith("." + d) for d in domains)


def addresses_in(text: str) -> list[str]:
    """The web addresses written in ``text`` (with a scheme, ``www.``, or a bare domain)."""
    return [found.group().rstrip(_TRAILING) for found in _ADDRESS.finditer(text)]
