"""The log-in in progress, kept in the browser in an encrypted, short-lived cookie.

Starting a log-in draws a fresh ``state``, a PKCE ``code_verifier`` and (for OpenID Connect) a
``nonce``. The callback must present the same state, the code exchange must present the verifier,
and the ID token must carry the nonce; so all three have to survive the trip to the provider. They
travel in the ``agenta_oauth`` cookie rather than a server table: nothing to clean up, and it works
the same with several server processes. The cookie is sealed with a ``SecretBox`` of its own
purpose (encrypted and authenticated: the verifier stays secret and the cookie cannot be forged),
lives ten minutes, is HttpOnly and SameSite=Lax (the provider's redirect back is a top-level GET,
which Lax allows), and is scoped to ``/auth/oauth``. A missing, expired, forged or foreign cookie
is a state mismatch.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from litestar.datastructures import Cookie

from agenta.core.oauth.errors import state_mismatch
from agenta.crypto import DecryptionError, SecretBox
from agenta.settings import Settings

COOKIE_NAME = "agenta_oauth"
COOKIE_PATH = "/auth/oauth"
LIFETIME = timedelta(minutes=10)
_PURPOSE = "oauth-login"


@dataclass(frozen=True)
class PendingLogin:
    """What the callback needs to finish a log-in this browser started."""

    provider: str
    state: str
    code_verifier: str
    nonce: str
    next_path: str
    expires_at: float


def new_pending_login(provider: str, next_path: str) -> PendingLogin:
    """Fresh random state, PKCE verifier (43+ characters, as RFC 7636 asks) and nonce."""
    return PendingLogin(
        provider=provider,
        state=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        nonce=secrets.token_urlsafe(32),
        next_path=next_path,
        expires_at=time.time() + LIFETIME.total_seconds(),
    )


def seal(settings: Settings, pending: PendingLogin) -> str:
    """The cookie value holding ``pending``."""
    return SecretBox(settings.secret_key, _PURPOSE).encrypt(json.dumps(asdict(pending)))


def unseal(settings: Settings, value: str | None) -> PendingLogin:
    """The log-in a cookie holds; a state mismatch when it is missing, forged or expired."""
    if not value:
        raise state_mismatch("no log-in was started in this browser, or it was already used")
    try:
        pending = PendingLogin(
            **json.loads(SecretBox(settings.secret_key, _PURPOSE).decrypt(value))
        )
    except (DecryptionError, ValueError, TypeError):
        raise state_mismatch("the log-in cookie is not valid") from None
    if pending.expires_at < time.time():
        raise state_mismatch("the log-in took longer than ten minutes")
    return pending


def check_callback(pending: PendingLogin, provider: str, state: str | None) -> None:
    """The provider's redirect must carry this log-in's state, for this provider."""
    if pending.provider != provider:
        raise state_mismatch("the log-in was started with another provider")
    if not state or not hmac.compare_digest(pending.state.encode(), state.encode()):
        raise state_mismatch("the state parameter does not match")


def pending_cookie(settings: Settings, pending: PendingLogin) -> Cookie:
    """The cookie carrying a log-in to its callback."""
    return _cookie(settings, seal(settings, pending), int(LIFETIME.total_seconds()))


def cleared_pending_cookie(settings: Settings) -> Cookie:
    """The cookie that removes a finished (or failed) log-in from the browser."""
    return _cookie(settings, "", 0)


def _cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE_NAME,
        value=value,
        path=COOKIE_PATH,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
