"""Logging for ``sabtyar run``: to stderr, with every secret replaced by ``***`` wherever it appears,
and personal data masked in every message and traceback.

The Bot API puts the token in every URL, and httpx logs URLs at INFO, so httpx is kept at
WARNING and the formatter also redacts the token from any message or traceback. Any library may
log a citizen's text (python-telegram-bot logs an update it cannot handle in full), so the
formatter masks what ``mask`` finds (the store's :func:`~bot.store.privacy.mask_personal_data`,
passed in by the runner: this base module imports no layer).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable

from bot.secret import Secret

__all__ = ["RedactingFormatter", "configure_logging"]


Mask = Callable[[str], str]


class RedactingFormatter(logging.Formatter):
    """Formats as usual, masking the message, traceback and stack with ``mask``, then replaces
    each secret (and its URL-quoted form) with ``***``. The time and level are not masked."""

    def __init__(self, secrets: Iterable[Secret], fmt: str | None = None, mask: Mask | None = None) -> None:
        super().__init__(fmt)
        values = {secret.reveal() for secret in secrets if secret}
        self._values = sorted(values | {v.replace(":", "%3A") for v in values}, key=len, reverse=True)
        self._mask = mask

    def _clean(self, text: str) -> str:
        """Secrets out first (a token's digits could read as a national code), then personal data."""
        for value in self._values:
            text = text.replace(value, "***")
        return self._mask(text) if self._mask is not None else text

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = self._clean(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: object) -> str:
        return self._clean(super().formatException(ei))  # type: ignore[arg-type]

    def formatStack(self, stack_info: str) -> str:
        return self._clean(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info:
            record.exc_text = None  # another handler's cached, unmasked traceback
        text = super().format(record)
        for value in self._values:
            text = text.replace(value, "***")
        return text


def configure_logging(secrets: Iterable[Secret], level: int = logging.INFO, mask: Mask | None = None) -> None:
    """Log to stderr through the redacting (and, with ``mask``, masking) formatter; quiet the HTTP
    client's request lines."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s", mask=mask)
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
