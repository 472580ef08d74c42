"""Personal data kept out of the store: masking of national codes and phone numbers, keyed user hashes.

Masking keeps every other character verbatim. National codes are masked only when their
checksum is valid; phone numbers are the Iranian mobile (``09…``, ``+989…``, ``00989…``, bare
``9…`` of ten digits) and landline (``021-…``, ``+98 21 …``) forms. Digits may be Latin,
Persian (``۰-۹``) or Arabic-Indic (``٠-٩``), with single spaces or dashes between them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from bot.calendar import ALL_DIGITS, latin_digits

__all__ = [
    "NATIONAL_CODE_MASK",
    "PHONE_MASK",
    "Sealer",
    "UserHasher",
    "is_user_hash",
    "is_valid_national_code",
    "mask_personal_data",
    "update_key",
]

# Markers written into the stored text in place of personal data (data in the database, not UI text).
NATIONAL_CODE_MASK = "[کد ملی]"
PHONE_MASK = "[تلفن]"

_DIGIT = "[0-9۰-۹٠-٩]"
_SEP = "[ \u00a0\\-\u2010\u2011\u2013\u2014]?"
_NOT_BEFORE = f"(?<!{_DIGIT})"
_NOT_AFTER = f"(?!{_DIGIT})"
_HASH = re.compile(r"[0-9a-f]{64}")


def _d(latin: str) -> str:
    """One digit in any of the three alphabets: ``_d("9")`` matches 9, ۹ and ٩."""
    return "[" + "".join(c for c in ALL_DIGITS if latin_digits(c) in latin) + "]"


def _run(count: int) -> str:
    """``count`` more digits, each optionally preceded by one separator."""
    return f"(?:{_SEP}{_DIGIT}){{{count}}}"


_COUNTRY = rf"(?:\+|{_d('0')}{_SEP}{_d('0')}){_SEP}{_d('9')}{_SEP}{_d('8')}{_SEP}"
_PREFIXED_PHONE = re.compile(
    _NOT_BEFORE
    + rf"(?:(?:{_COUNTRY}|{_d('0')}{_SEP}){_d('9')}{_run(9)}"  # mobile
    + rf"|\(?(?:{_COUNTRY}|{_d('0')}){_d('12345678')}{_SEP}{_DIGIT}\)?{_SEP}{_DIGIT}{_run(7)})"  # landline
    + _NOT_AFTER
)
_BARE_MOBILE = re.compile(_NOT_BEFORE + _d("9") + _run(9) + _NOT_AFTER)
_TEN_DIGITS = re.compile(_NOT_BEFORE + _DIGIT + _run(9) + _NOT_AFTER)


def is_valid_national_code(code: str) -> bool:
    """True for ten digits (any alphabet, separators ignored) whose check digit is right."""
    digits = re.sub(r"\D", "", latin_digits(code))
    if len(digits) != 10 or not digits.isascii() or len(set(digits)) == 1:
        return False
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    return int(digits[9]) == (remainder if remainder < 2 else 11 - remainder)


def mask_personal_data(text: str) -> str:
    """``text`` with phone numbers replaced by ``[تلفن]`` and national codes by ``[کد ملی]``."""
    text = _PREFIXED_PHONE.sub(PHONE_MASK, text)
    text = _TEN_DIGITS.sub(
        lambda m: NATIONAL_CODE_MASK if is_valid_national_code(m.group()) else m.group(), text
    )
    return _BARE_MOBILE.sub(PHONE_MASK, text)


class UserHasher:
    """Pseudonymous user ids: HMAC-SHA256(secret, ``"platform:user_id"``) in hex.

    The secret comes from the config or the environment; it never appears in ``repr``.
    The same citizen gets the same hash across restarts, and no one without the secret can
    go back from a hash to the messenger id.
    """

    __slots__ = ("_secret",)

    def __init__(self, secret: str | bytes) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < 16:
            raise ValueError("the user-hashing secret must be at least 16 bytes")
        self._secret = key

    def sealer(self) -> Sealer:
        """A :class:`Sealer` keyed by the same secret (derived keys, never the secret itself)."""
        return Sealer(self._secret)

    def __call__(self, platform: str, user_id: int | str) -> str:
        return hmac.new(self._secret, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "UserHasher(secret=***)"


def is_user_hash(value: str) -> bool:
    """True for what ``UserHasher`` returns (64 lower-case hex digits), never for a raw id."""
    return _HASH.fullmatch(value) is not None


class Sealer:
    """Keeps a text unreadable at rest (the inbox's update bodies, which hold messenger ids and
    what citizens wrote): an HMAC-SHA256 keystream (counter mode) XORed with the text, then an
    HMAC-SHA256 tag over nonce and ciphertext (encrypt-then-MAC), keys derived from the secret.
    ``nonce`` must never be used twice with one secret (the inbox's generated key)."""

    __slots__ = ("_mac", "_stream")

    def __init__(self, secret: bytes) -> None:
        self._stream = hmac.new(secret, b"sabtyar seal stream", hashlib.sha256).digest()
        self._mac = hmac.new(secret, b"sabtyar seal tag", hashlib.sha256).digest()

    def _keystream(self, nonce: int, length: int) -> bytes:
        blocks = (length + 31) // 32
        prefix = nonce.to_bytes(8, "big")
        return b"".join(
            hmac.new(self._stream, prefix + n.to_bytes(8, "big"), hashlib.sha256).digest()
            for n in range(blocks)
        )[:length]

    def seal(self, text: str, nonce: int) -> str:
        data = text.encode("utf-8")
        cipher = bytes(a ^ b for a, b in zip(data, self._keystream(nonce, len(data)), strict=True))
        tag = hmac.new(self._mac, nonce.to_bytes(8, "big") + cipher, hashlib.sha256).digest()[:16]
        return base64.b64encode(tag + cipher).decode("ascii")

    def open(self, sealed: str, nonce: int) -> str:
        """The text; ``ValueError`` when it was not sealed with this secret and nonce."""
        raw = base64.b64decode(sealed)
        tag, cipher = raw[:16], raw[16:]
        expected = hmac.new(self._mac, nonce.to_bytes(8, "big") + cipher, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(tag, expected):
            raise ValueError("not sealed with this secret")
        return bytes(a ^ b for a, b in zip(cipher, self._keystream(nonce, len(cipher)), strict=True)).decode(
            "utf-8"
        )


def update_key(platform: str, update_id: int) -> str:
    """The idempotency key of a messenger update: SHA-256 of ``"platform:update_id"`` in hex."""
    return hashlib.sha256(f"{platform}:{update_id}".encode()).hexdigest()
