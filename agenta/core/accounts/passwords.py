"""Passwords and e-mail addresses: argon2 hashing, strength rules and normalisation.

Argon2id with the library's current parameters; ``verify_password`` says whether a stored hash
should be upgraded after a successful check, so parameter changes reach users as they log in.
An unknown e-mail is checked against a fixed dummy hash, so a login for an unknown address costs
as long as a wrong password and does not reveal which addresses have accounts.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from agenta.errors import AppError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-used-for-timing")


def normalise_email(raw: str) -> str:
    """Lower-case and trim an address; raise ``AppError`` when it is not an address."""
    email = (raw or "").strip().lower()
    if len(email) > 320 or not EMAIL_PATTERN.match(email):
        raise AppError(f"{raw!r} is not a valid e-mail address", status_code=422)
    return email


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or absurdly long, saying which."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AppError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters long",
            status_code=422,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AppError(
            f"The password must be at most {MAX_PASSWORD_LENGTH} characters long",
            status_code=422,
        )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (checks its strength first)."""
    check_password_strength(password)
    return _hasher().hash(password)


@dataclass(frozen=True)
class PasswordCheck:
    valid: bool
    needs_rehash: bool = False


def verify_password(stored_hash: str | None, password: str) -> PasswordCheck:
    """Check ``password`` against ``stored_hash`` (None: an account without a password)."""
    if stored_hash is None or len(password) > MAX_PASSWORD_LENGTH:
        _burn_time(password)
        return PasswordCheck(valid=False)
    try:
        _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return PasswordCheck(valid=False)
    return PasswordCheck(valid=True, needs_rehash=_hasher().check_needs_rehash(stored_hash))


def burn_time_for_unknown_user(password: str) -> None:
    """Spend as long as a real verification would, for an address without an account."""
    _burn_time(password)


def _burn_time(password: str) -> None:
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher().verify(_dummy_hash(), password[:MAX_PASSWORD_LENGTH])
