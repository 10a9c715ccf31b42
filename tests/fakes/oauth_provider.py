"""A fake OAuth 2 / OpenID Connect provider: a real HTTP server on 127.0.0.1, in a thread.

It plays both an OpenID Connect provider (Google, or any issuer) and GitHub, so the whole log-in
runs over real HTTP with real tokens:

- ``GET /.well-known/openid-configuration`` (the issuer is the server's base URL), ``GET /jwks``
  (an RSA key generated at start, with ``cryptography``);
- ``GET /authorize`` (GitHub: ``/login/oauth/authorize``): checks the client, redirect URI and
  PKCE S256 challenge, records the request, then approves ``user`` at once (``consent="auto"``),
  shows a small Allow/Deny form (``"form"``) or refuses (``"deny"``: ``error=access_denied``);
- ``POST /token`` (GitHub: ``/login/oauth/access_token``): checks the client credentials (Basic
  or in the body), the one-time code, the redirect URI and the PKCE verifier (a wrong one is
  ``invalid_grant``); answers an access token and, for ``openid`` scopes, an RS256 ID token;
- ``GET /userinfo``, and GitHub's ``GET /user`` and ``GET /user/emails``, with the access token.

Knobs, all reset by ``reset()``: ``user`` (a ``FakeUser``), ``consent``, ``id_token_claims``
(merged into the ID token; a ``None`` value removes the claim: the way to forge a wrong nonce or
audience), ``sign_with_foreign_key`` and ``token_status`` (e.g. 503: the token endpoint is down).
``rotate_key()`` switches to a new signing key under a new key id.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from agenta.settings import OAuthClient


@dataclass
class FakeUser:
    """The person who logs in at the fake provider (both as OIDC user and GitHub user)."""

    subject: str = "oidc-user-1"
    email: str = "ada@example.com"
    email_verified: bool = True
    name: str = "Ada Lovelace"
    github_id: int = 4242
    github_login: str = "ada"
    github_emails: list[dict[str, Any]] | None = None  # None: the address, primary and verified

    def emails(self) -> list[dict[str, Any]]:
        if self.github_emails is not None:
            return self.github_emails
        entry = {"email": self.email, "primary": True, "verified": self.email_verified}
        return [{**entry, "visibility": "private"}]


@dataclass
class _Grant:
    """An authorization code and what it was issued for."""

    client_id: str
    redirect_uri: str
    challenge: str
    scope: str
    nonce: str | None
    user: FakeUser


@dataclass
class FakeOAuthProvider:
    """The provider's state; ``start()`` serves it on a free port of 127.0.0.1."""

    client_id: str = "agenta-test-client"
    client_secret: str = "agenta-test-secret"
    user: FakeUser = field(default_factory=FakeUser)
    consent: str = "auto"
    id_token_claims: dict[str, Any] = field(default_factory=dict)
    sign_with_foreign_key: bool = False
    token_status: int | None = None
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._key = _new_key()
        self._key_id = "fake-key-1"
        self._foreign_key = _new_key()
        self._grants: dict[str, _Grant] = {}
        self._pending_consents: dict[str, dict[str, str]] = {}
        self._access_tokens: dict[str, FakeUser] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    # --- running -------------------------------------------------------------------------

    def start(self) -> FakeOAuthProvider:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeOAuthProvider:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget codes, tokens and recorded requests; put every knob back to its default."""
        with self._lock:
            self.user = FakeUser()
            self.consent = "auto"
            self.id_token_claims = {}
            self.sign_with_foreign_key = False
            self.token_status = None
            self.authorize_requests.clear()
            self.token_requests.clear()
            self._grants.clear()
            self._pending_consents.clear()
            self._access_tokens.clear()

    def rotate_key(self) -> None:
        """Sign from now on with a new key under a new key id (as providers do now and then)."""
        with self._lock:
            self._key = _new_key()
            self._key_id = f"fake-key-{secrets.token_hex(4)}"

    # --- what tests configure the app with -----------------------------------------------

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def oauth_client(self, name: str | None = None, *, discovery: bool = True) -> OAuthClient:
        """Client settings for this provider (``discovery=False`` for GitHub)."""
        url = self.discovery_url if discovery else None
        return OAuthClient(self.client_id, self.client_secret, url, name)

    def github_settings(self) -> dict[str, Any]:
        """``Settings`` overrides pointing GitHub log-in here."""
        return {
            "oauth_github": self.oauth_client(discovery=False),
            "oauth_github_url": self.url,
            "oauth_github_api_url": self.url,
        }

    def env(self, provider: str = "OIDC", name: str = "Fake SSO") -> dict[str, str]:
        """``AGENTA_*`` variables pointing ``provider`` (OIDC, GOOGLE or GITHUB) here."""
        prefix = f"AGENTA_OAUTH_{provider}"
        env = {f"{prefix}_CLIENT_ID": self.client_id, f"{prefix}_CLIENT_SECRET": self.client_secret}
        if provider == "GITHUB":
            return {
                **env,
                "AGENTA_OAUTH_GITHUB_URL": self.url,
                "AGENTA_OAUTH_GITHUB_API_URL": self.url,
            }
        return {**env, f"{prefix}_DISCOVERY_URL": self.discovery_url, f"{prefix}_NAME": name}

    # --- the protocol ---------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        key = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**key, "kid": self._key_id, "use": "sig", "alg": "RS256"}]}

    def authorize(self, params: dict[str, str]) -> tuple[int, dict[str, str], str]:
        """Status, headers and body answering an authorization request."""
        self.authorize_requests.append(dict(params))
        problem = self._authorize_problem(params)
        if problem is not None:
            return 400, {"content-type": "text/plain"}, problem
        if self.consent == "form":
            ticket = secrets.token_urlsafe(8)
            self._pending_consents[ticket] = dict(params)
            return 200, {"content-type": "text/html"}, _consent_page(ticket, self.user.email)
        return self.decide(params, allow=self.consent == "auto")

    def decide(self, params: dict[str, str], *, allow: bool) -> tuple[int, dict[str, str], str]:
        """Send the browser back to the client with a code, or with ``access_denied``."""
        answer = {"state": params.get("state", "")}
        if allow:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._grants[code] = _Grant(
                    client_id=params["client_id"],
                    redirect_uri=params["redirect_uri"],
                    challenge=params["code_challenge"],
                    scope=params.get("scope", ""),
                    nonce=params.get("nonce"),
                    user=self.user,
                )
            answer["code"] = code
        else:
            answer["error"] = "access_denied"
        return 302, {"location": f"{params['redirect_uri']}?{urlencode(answer)}"}, ""

    def decide_consent(self, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        params = self._pending_consents.pop(form.get("ticket", ""), None)
        if params is None:
            return 400, {"content-type": "text/plain"}, "unknown consent ticket"
        return self.decide(params, allow=form.get("decision") == "allow")

    def token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        """Status and JSON answering a token request."""
        self.token_requests.append(dict(form))
        if self.token_status is not None:
            return self.token_status, {"error": "temporarily_unavailable"}
        client_id, client_secret = _client_credentials(form, authorization)
        if client_id != self.client_id or client_secret != self.client_secret:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        problem = _grant_problem(grant, form)
        if problem is not None or grant is None:
            return 400, {"error": "invalid_grant", "error_description": problem}
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = grant.user
        body: dict[str, Any] = {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": 3600,
            "scope": grant.scope,
        }
        if "openid" in grant.scope.split():
            body["id_token"] = self._id_token(grant)
        return 200, body

    def user_of(self, authorization: str) -> FakeUser | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() not in {"bearer", "token"}:
            return None
        return self._access_tokens.get(token)

    def _authorize_problem(self, params: dict[str, str]) -> str | None:
        if params.get("client_id") != self.client_id:
            return "unknown client_id"
        if params.get("response_type") != "code" or not params.get("redirect_uri"):
            return "response_type=code and a redirect_uri are required"
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return "PKCE with code_challenge_method=S256 is required"
        return None

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": grant.user.subject,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "email": grant.user.email,
            "email_verified": grant.user.email_verified,
            "name": grant.user.name,
        }
        claims.update(self.id_token_claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self._foreign_key if self.sign_with_foreign_key else self._key
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self._key_id})


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of ``verifier``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _grant_problem(grant: _Grant | None, form: dict[str, str]) -> str | None:
    if grant is None:
        return "unknown or already used code"
    if form.get("redirect_uri") != grant.redirect_uri:
        return "redirect_uri differs from the authorization request"
    if s256(form.get("code_verifier", "")) != grant.challenge:
        return "PKCE verification failed"
    return None


def _client_credentials(form: dict[str, str], authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() == "basic":
        decoded = base64.b64decode(encoded).decode()
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


def _consent_page(ticket: str, email: str) -> str:
    return (
        "<!doctype html><title>Fake provider</title><h1>Log in to Agenta?</h1>"
        f"<p>You are {html.escape(email)}.</p><form method='post' action='/authorize/decision'>"
        f"<input type='hidden' name='ticket' value='{ticket}'>"
        "<button name='decision' value='allow'>Allow</button>"
        "<button name='decision' value='deny'>Deny</button></form>"
    )


def _handler_for(fake: FakeOAuthProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = dict(parse_qsl(url.query))
            auth = self.headers.get("authorization", "")
            if url.path == "/.well-known/openid-configuration":
                self._json(200, fake.discovery())
            elif url.path == "/jwks":
                self._json(200, fake.jwks())
            elif url.path in {"/authorize", "/login/oauth/authorize"}:
                self._answer(*fake.authorize(params))
            elif url.path in {"/userinfo", "/user", "/user/emails"}:
                self._profile(url.path, fake.user_of(auth))
            else:
                self._json(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            path = urlsplit(self.path).path
            if path in {"/token", "/login/oauth/access_token"}:
                self._json(*fake.token(form, self.headers.get("authorization", "")))
            elif path == "/authorize/decision":
                self._answer(*fake.decide_consent(form))
            else:
                self._json(404, {"message": "Not Found"})

        def _profile(self, path: str, user: FakeUser | None) -> None:
            if user is None:
                self._json(401, {"message": "Bad credentials"})
            elif path == "/userinfo":
                claims = {"sub": user.subject, "email": user.email, "name": user.name}
                self._json(200, {**claims, "email_verified": user.email_verified})
            elif path == "/user":
                user_body = {"id": user.github_id, "login": user.github_login, "name": user.name}
                self._json(200, {**user_body, "email": None})
            else:
                self._json(200, user.emails())

        def _json(self, status: int, body: Any) -> None:
            self._answer(status, {"content-type": "application/json"}, json.dumps(body))

        def _answer(self, status: int, headers: dict[str, str], body: str) -> None:
            data = body.encode()
            self.send_response(status)
            for name, value in {**headers, "content-length": str(len(data))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Stay quiet: the tests read ``authorize_requests`` and ``token_requests``."""

    return Handler
