"""``Secret`` credentials: short-lived tokens that let a service act for a caller.

``GET /api/access/permissions/check`` (called by served workflows) exchanges the caller's own
credential for ``Secret <jwt>``: an HS256 token valid 15 minutes naming the user and the project
(with its workspace and organization, as the official services expect). The services then call
back with it (secrets, references, OTLP export). On use, the caller's membership is checked
again, so a member removed meanwhile loses access even while the token is fresh.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from agenta.core.access.principal import Identity, Principal
from agenta.core.access.tokens import SECRET_AUDIENCE, TokenInvalid, decode_token, encode_token
from agenta.settings import Settings

SECRET_LIFETIME = timedelta(minutes=15)
SCHEME = "Secret"


def mint_secret_credential(
    settings: Settings, principal: Principal, organization_name: str = ""
) -> str:
    """``Secret <jwt>`` standing for ``principal``'s user in ``principal``'s project."""
    if principal.user_id is None:
        raise ValueError("a Secret credential needs a user")
    claims = {
        "sub": str(principal.user_id),
        "user_id": str(principal.user_id),
        "user_email": principal.email,
        "project_id": str(principal.project_id),
        "workspace_id": str(principal.workspace_id),
        "organization_id": str(principal.organization_id),
        "organization_name": organization_name,
    }
    return f"{SCHEME} {encode_token(settings, SECRET_AUDIENCE, claims, SECRET_LIFETIME)}"


def read_secret_credential(settings: Settings, token: str) -> Identity:
    """The identity a ``Secret`` token stands for; ``TokenInvalid`` says why it is refused."""
    claims = decode_token(settings, SECRET_AUDIENCE, token)
    try:
        user_id = UUID(str(claims["sub"]))
        project_id = UUID(str(claims["project_id"]))
    except (KeyError, ValueError):
        raise TokenInvalid("the token does not name a user and a project") from None
    email = claims.get("user_email")
    return Identity(
        user_id=user_id,
        via="secret",
        email=str(email) if email else None,
        project_id=project_id,
    )
