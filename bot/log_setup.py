"""Logging for ``sabtyar run``: to stderr, with every secret replaced by ``***`` wherever it appears.

The Bot API puts the token in every URL, and httpx logs URLs at INFO, so httpx is kept at
WARNING and the formatter also redacts the token from any message or traceback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from bot.secret import Secret

__all__ = ["RedactingFormatter", "configure_logging"]


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces each secret (and its URL-quoted form) with ``***``."""

    def __init__(self, secrets: Iterable[Secret], fmt: str | None = None) -> None:
        super().__init__(fmt)
        values = {secret.reveal() for secret in secrets if secret}
        self._values = sorted(values | {v.replace(":", "%3A") for v in values}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for value in self._values:
            text = text.replace(value, "***")
        return text


def configure_logging(secrets: Iterable[Secret], level: int = logging.INFO) -> None:
    """Log to stderr through the redacting formatter; quiet the HTTP client's request lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
