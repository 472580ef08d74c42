"""Personal data kept out of the store and the logs: masking of phone numbers, national codes and
bank cards; keyed user hashes.

Masking keeps every other character verbatim. Digits may be Latin, Persian (``۰-۹``) or
Arabic-Indic (``٠-٩``); a number may be written in groups joined by up to three separators
(spaces, dashes, dots, parentheses, zero-width and bidi marks), so ``0912.123.4567``,
``(0912) 123 4567`` and ``0012‌345679`` (a ZWNJ inside) are one number. Whole groups are
tried together, longest first; a group is never cut, so a 20-digit tracking code stays whole.

- Phone numbers by pattern: Iranian mobiles (``09…``, ``+989…``, ``989…``, ``00989…``, a bare
  ``9…`` of ten digits) and landlines (``021…``, ``+98 21 …``, ``0098 21 …``).
- National codes by their check digit, and any ten digits right after words such as «کد ملی».
- Bank cards: sixteen digits that pass the Luhn check.
- Dates (``1402/05/12``, ``1402-05-12``), amounts and tracking codes (after «کد رهگیری» a
  checksum match is not enough) stay.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator

from bot.calendar import ALL_DIGITS, latin_digits
from bot.memory import Memory

__all__ = [
    "CARD_MASK",
    "NATIONAL_CODE_MASK",
    "PHONE_MASK",
    "Sealer",
    "UserHasher",
    "is_user_hash",
    "is_valid_card_number",
    "is_valid_national_code",
    "mask_personal_data",
    "update_key",
]

# Markers written into the stored text in place of personal data (data in the database, not UI text).
NATIONAL_CODE_MASK = "[کد ملی]"
PHONE_MASK = "[تلفن]"
CARD_MASK = "[کارت بانکی]"

#: How many users' hashes :class:`UserHasher` remembers (then it starts again).
_KNOWN_USERS = 4096
_HASH = re.compile(r"[0-9a-f]{64}")
_GROUP = re.compile(f"[{ALL_DIGITS}]+")
#: What may stand between the digit groups of one number.
_SEPARATOR = re.compile(r"[\s\u00a0.\-\u2010-\u2015()\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]{1,3}")
#: Words after which ten digits are a national code whatever their check digit (Arabic-keyboard
#: letters and Finglish too). Data the masking needs, not text shown to anyone.
_NATIONAL_WORDS = re.compile(
    r"(?:[کك]د|شماره)[\s\u200c]*مل[یي]|national[\s_-]*(?:code|id|number)|(?:code|kode?|cod)[\s_-]*mel+[iy]",
    re.IGNORECASE,
)
_TRACKING_WORDS = re.compile(r"رهگیری|پیگیری|رهگيري|پيگيري|tracking|reference", re.IGNORECASE)
#: How far back (characters) such a word may stand before the number.
_LOOK_BACK = 24
_LONGEST = 16
_MOBILE = re.compile(r"(?:0|98|0098)?9[0-9]{9}")
_LANDLINE = re.compile(r"(?:0|98|0098)[1-8][0-9]{9}")


def is_valid_national_code(code: str) -> bool:
    """True for ten digits (any alphabet, separators ignored) whose check digit is right."""
    digits = re.sub(r"\D", "", latin_digits(code))
    if len(digits) != 10 or not digits.isascii() or len(set(digits)) == 1:
        return False
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    return int(digits[9]) == (remainder if remainder < 2 else 11 - remainder)


def is_valid_card_number(number: str) -> bool:
    """True for sixteen digits (any alphabet, separators ignored) that pass the Luhn check."""
    digits = re.sub(r"\D", "", latin_digits(number))
    if len(digits) != 16 or not digits.isascii() or len(set(digits)) == 1:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _chains(text: str) -> Iterator[list[tuple[int, int]]]:
    """The digit groups of ``text`` as ``(start, end)`` spans, joined into chains of groups that
    only separators stand between."""
    chain: list[tuple[int, int]] = []
    for found in _GROUP.finditer(text):
        if chain and not _SEPARATOR.fullmatch(text, chain[-1][1], found.start()):
            yield chain
            chain = []
        chain.append(found.span())
    if chain:
        yield chain


def _kind(digits: str, before: str, plus: bool) -> str | None:
    """The mask for one candidate number (Latin digits), or ``None`` to keep it."""
    tracking = _TRACKING_WORDS.search(before) is not None
    national = _NATIONAL_WORDS.search(before) is not None
    if len(digits) == 10 and national:
        return NATIONAL_CODE_MASK
    if (_MOBILE.fullmatch(digits) or _LANDLINE.fullmatch(digits)) and (
        plus or digits.startswith("0") or (len(digits) > 10 and not tracking)
    ):
        return PHONE_MASK
    if tracking:
        return None
    if is_valid_national_code(digits):
        return NATIONAL_CODE_MASK
    if len(digits) == 10 and digits.startswith("9"):
        return PHONE_MASK  # a bare mobile number without its leading zero
    if is_valid_card_number(digits):
        return CARD_MASK
    return None


def _masks(text: str, chain: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """``(start, end, mask)`` for the numbers in one chain of digit groups."""
    first = 0
    while first < len(chain):
        for last in range(len(chain) - 1, first - 1, -1):
            start, end = chain[first][0], chain[last][1]
            digits = latin_digits("".join(text[a:b] for a, b in chain[first : last + 1]))
            if len(digits) > _LONGEST:
                continue
            plus = start > 0 and text[start - 1] == "+"
            before = text[max(0, start - _LOOK_BACK) : start]
            before = _GROUP.split(before)[-1]  # only the words after the previous number
            mask = _kind(digits, before, plus)
            if mask is None:
                continue
            if plus:
                start -= 1
            if start > 0 and text[start - 1] == "(" and ")" in text[start:end]:
                start -= 1  # (021) 88776655
            yield start, end, mask
            first = last + 1
            break
        else:
            first += 1


def mask_personal_data(text: str) -> str:
    """``text`` with phone numbers, national codes and bank card numbers replaced by markers."""
    spans = [span for chain in _chains(text) for span in _masks(text, chain)]
    if not spans:
        return text
    pieces, position = [], 0
    for start, end, mask in spans:
        pieces += [text[position:start], mask]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


class UserHasher:
    """Pseudonymous user ids: HMAC-SHA256(secret, ``"platform:user_id"``) in hex.

    The secret comes from the config or the environment; it never appears in ``repr``.
    The same citizen gets the same hash across restarts, and no one without the secret can
    go back from a hash to the messenger id.
    """

    __slots__ = ("_hmac", "_known", "_secret")

    def __init__(self, secret: str | bytes) -> None:
        key = secret.encode() if isinstance(secret, str) else secret
        if len(key) < 16:
            raise ValueError("the user-hashing secret must be at least 16 bytes")
        self._secret = key
        self._hmac = hmac.new(key, digestmod=hashlib.sha256)  # keyed once: each hash a copy
        self._known: Memory[tuple[str, int | str], str] = Memory(_KNOWN_USERS)
        """The hashes of the users seen last (every update of a citizen hashes them again)."""

    def sealer(self) -> Sealer:
        """A :class:`Sealer` keyed by the same secret (derived keys, never the secret itself)."""
        return Sealer(self._secret)

    def __call__(self, platform: str, user_id: int | str) -> str:
        known = self._known.get((platform, user_id))
        if known is not None:
            return known
        # a copy of the keyed HMAC: OpenSSL 3's one-call form looks SHA-256 up by name every call
        mac = self._hmac.copy()
        mac.update(f"{platform}:{user_id}".encode())
        return self._known.keep((platform, user_id), mac.hexdigest())

    def __repr__(self) -> str:
        return "UserHasher(secret=***)"


def is_user_hash(value: str) -> bool:
    """True for what ``UserHasher`` returns (64 lower-case hex digits), never for a raw id."""
    return _HASH.fullmatch(value) is not None


class Sealer:
    """Keeps a text unreadable at rest (the inbox's update bodies, which hold messenger ids and
    what citizens wrote): AES-256-GCM from the maintained ``cryptography`` library, the key
    derived from the secret. ``nonce`` must never be used twice with one secret (the inbox's
    generated key). :meth:`digest` tells two texts apart without storing either."""

    __slots__ = ("_aead", "_digest")

    def __init__(self, secret: bytes) -> None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(hmac.new(secret, b"sabtyar seal", hashlib.sha256).digest())
        digest_key = hmac.new(secret, b"sabtyar digest", hashlib.sha256).digest()
        self._digest = hmac.new(digest_key, digestmod=hashlib.sha256)  # keyed once, copied per text

    @staticmethod
    def _nonce(nonce: int) -> bytes:
        return nonce.to_bytes(12, "big")

    def seal(self, text: str, nonce: int) -> str:
        return base64.b64encode(self._aead.encrypt(self._nonce(nonce), text.encode("utf-8"), None)).decode(
            "ascii"
        )

    def open(self, sealed: str, nonce: int) -> str:
        """The text; ``ValueError`` when it was not sealed with this secret and nonce."""
        from cryptography.exceptions import InvalidTag

        try:
            return self._aead.decrypt(self._nonce(nonce), base64.b64decode(sealed), None).decode("utf-8")
        except (InvalidTag, ValueError) as error:
            raise ValueError("not sealed with this secret") from error

    def digest(self, text: str) -> str:
        """A keyed fingerprint of ``text`` (the same text, the same digest; nothing to read back)."""
        mac = self._digest.copy()
        mac.update(text.encode("utf-8"))
        return mac.hexdigest()[:32]


def update_key(platform: str, update_id: int) -> str:
    """The idempotency key of a messenger update: SHA-256 of ``"platform:update_id"`` in hex."""
    return hashlib.sha256(f"{platform}:{update_id}".encode()).hexdigest()
