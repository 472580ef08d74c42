"""The user-hashing secret: from the config or ``SABTYAR_HASH_SECRET``, else a file beside the database.

The file (``<database>.hash-secret``, mode 0600) is created once with a random secret, so the
same citizen keeps the same pseudonym across restarts. Losing it only breaks the link between
old and new hashes; copying it with the database keeps the link.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from bot.config_values import ConfigError
from bot.secret import Secret
from bot.settings import Settings

__all__ = ["hash_secret_file", "user_hash_secret"]


def hash_secret_file(database: Path) -> Path:
    """Where the generated secret of ``database`` lives."""
    return database.with_name(database.name + ".hash-secret")


def _read(path: Path) -> Secret:
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 16:
        raise ConfigError.of("doctor.config.hash_secret_unusable", file=str(path))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    return Secret(value)


def _create(path: Path) -> None:
    """Write a new secret atomically; a concurrent creator's file wins."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def user_hash_secret(settings: Settings) -> Secret:
    """The configured secret, or the one kept beside the database (created on first use)."""
    if settings.privacy.user_hash_secret:
        return settings.privacy.user_hash_secret
    path = hash_secret_file(settings.store.path)
    if not path.exists():
        try:
            _create(path)
        except OSError as error:
            raise ConfigError.of(
                "doctor.config.hash_secret_create", file=str(path), error=str(error)
            ) from error
    try:
        return _read(path)
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError.of("doctor.config.hash_secret_read", file=str(path), error=str(error)) from error
