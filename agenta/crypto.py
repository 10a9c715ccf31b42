"""Encryption at rest for secrets the server must read back (webhook secrets, provider keys).

Design: a ``SecretBox`` encrypts text with Fernet (AES-128-CBC + HMAC-SHA256, with a timestamp and
a random IV per token). Its key is derived from the deployment's ``secret_key`` with HKDF-SHA256,
and the ``purpose`` is the HKDF info, so each feature gets its own key from the one secret and a
token of one feature never decrypts as another's. Changing ``secret_key`` makes stored tokens
unreadable: ``decrypt`` then raises ``DecryptionError`` saying so.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_SALT = b"agenta.secret-box.v1"


class DecryptionError(ValueError):
    """A stored secret could not be decrypted (wrong key, other purpose, or damaged token)."""


def derive_key(secret_key: str, purpose: str) -> bytes:
    """The 32-byte key for ``purpose``, derived from ``secret_key`` (HKDF-SHA256)."""
    if not secret_key:
        raise ValueError("the secret key is empty: set AGENTA_SECRET_KEY")
    if not purpose:
        raise ValueError("a purpose is required to derive a key")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=purpose.encode())
    return hkdf.derive(secret_key.encode())


class SecretBox:
    """Encrypts and decrypts text for one purpose with a key derived from the secret key."""

    def __init__(self, secret_key: str, purpose: str) -> None:
        self.purpose = purpose
        self._fernet = Fernet(base64.urlsafe_b64encode(derive_key(secret_key, purpose)))

    def encrypt(self, plaintext: str) -> str:
        """An opaque ASCII token holding ``plaintext``; each call gives a different token."""
        return self._fernet.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """The text inside ``token``; raises ``DecryptionError`` if this box cannot open it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise DecryptionError(
                f"could not decrypt a stored {self.purpose} secret: it was encrypted with "
                "another AGENTA_SECRET_KEY or is damaged"
            ) from exc
