"""Who the provider says the user is, in one shape for every provider."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExternalProfile:
    """The provider's stable ``subject`` for the user, their address and whether it is verified."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str = ""
