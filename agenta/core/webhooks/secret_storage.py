"""The box that keeps webhook signing secrets encrypted at rest."""

from __future__ import annotations

from agenta.crypto import SecretBox
from agenta.settings import Settings

PURPOSE = "webhook-signing-secrets"


def secret_box(settings: Settings) -> SecretBox:
    """Encrypts and decrypts the signing secrets of this deployment."""
    return SecretBox(settings.secret_key, PURPOSE)
