"""Phone numbers (Vietnamese mobile format, normalised to E.164) and argon2id password hashes."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Vietnamese mobile numbers since the 2018 renumbering: 0 + 3/5/7/8/9 + 8 digits.
_MOBILE = re.compile(r"^(?:\+?84|0)([35789]\d{8})$")
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD_LEN = 8


def normalise_phone(text: str) -> str | None:
    """'0912 000 001', '+84-912-000-001', '84912000001' → '+84912000001'; None if not a VN mobile."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    match = _MOBILE.match(digits)
    return f"+84{match.group(1)}" if match else None


def local_phone(e164: str) -> str:
    """'+84912000001' → '0912000001', the form people write."""
    return "0" + e164[3:] if e164.startswith("+84") else e164


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LEN:
        raise ValueError(f"password must have at least {MIN_PASSWORD_LEN} characters")
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the user exists, so timing does not reveal registered phones."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False
