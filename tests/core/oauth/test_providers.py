"""Provider settings, discovery documents and GitHub's address list, read without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agenta.core.oauth.discovery import document_url, parse_metadata
from agenta.core.oauth.errors import OAuthLoginError
from agenta.core.oauth.github import primary_email
from agenta.core.oauth.providers import configured_provider, redirect_uri
from agenta.settings import Settings, SettingsError

ISSUER = "https://sso.example.com"


def settings_from(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path), **env})


def discovery(**changes: Any) -> dict[str, Any]:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
    }
    return {key: value for key, value in {**document, **changes}.items() if value is not None}


def oidc_provider(tmp_path: Path) -> Any:
    env = {
        "AGENTA_OAUTH_OIDC_CLIENT_ID": "client",
        "AGENTA_OAUTH_OIDC_CLIENT_SECRET": "secret",
        "AGENTA_OAUTH_OIDC_DISCOVERY_URL": ISSUER,
        "AGENTA_OAUTH_OIDC_NAME": "Acme SSO",
    }
    return configured_provider(settings_from(tmp_path, **env), "oidc")


def test_github_talks_to_github_com_unless_told_otherwise(tmp_path: Path) -> None:
    env = {"AGENTA_OAUTH_GITHUB_CLIENT_ID": "id", "AGENTA_OAUTH_GITHUB_CLIENT_SECRET": "s"}
    default = configured_provider(settings_from(tmp_path, **env), "github")
    enterprise = configured_provider(
        settings_from(
            tmp_path,
            **env,
            AGENTA_OAUTH_GITHUB_URL="https://ghe.example.com/",
            AGENTA_OAUTH_GITHUB_API_URL="https://ghe.example.com/api/v3",
        ),
        "github",
    )

    assert default.authorize_url == "https://github.com/login/oauth/authorize"
    assert default.token_url == "https://github.com/login/oauth/access_token"
    assert default.api_url == "https://api.github.com"
    assert enterprise.authorize_url == "https://ghe.example.com/login/oauth/authorize"
    assert enterprise.api_url == "https://ghe.example.com/api/v3"


def test_a_github_address_that_is_not_a_url_is_refused_naming_the_variable(
    tmp_path: Path,
) -> None:
    with pytest.raises(SettingsError, match="AGENTA_OAUTH_GITHUB_API_URL must be an http"):
        settings_from(tmp_path, AGENTA_OAUTH_GITHUB_API_URL="api.github.com")


def test_google_uses_its_discovery_document_and_the_name_given(tmp_path: Path) -> None:
    env = {"AGENTA_OAUTH_GOOGLE_CLIENT_ID": "id", "AGENTA_OAUTH_GOOGLE_CLIENT_SECRET": "s"}
    google = configured_provider(settings_from(tmp_path, **env), "google")

    assert google.kind == "oidc" and google.label == "Google"
    assert google.discovery_url == "https://accounts.google.com/.well-known/openid-configuration"
    assert oidc_provider(tmp_path).label == "Acme SSO"


def test_the_redirect_uri_is_under_the_public_url(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        AGENTA_PUBLIC_URL="https://agenta.example.com/",
        AGENTA_OAUTH_GITHUB_CLIENT_ID="id",
        AGENTA_OAUTH_GITHUB_CLIENT_SECRET="s",
    )

    github = configured_provider(settings, "github")

    assert redirect_uri(settings, github) == "https://agenta.example.com/auth/oauth/github/callback"


def test_a_discovery_url_may_be_given_as_the_issuer() -> None:
    assert document_url(ISSUER) == f"{ISSUER}/.well-known/openid-configuration"
    assert document_url(f"{ISSUER}/.well-known/openid-configuration") == (
        f"{ISSUER}/.well-known/openid-configuration"
    )


def test_a_discovery_document_keeps_only_asymmetric_signing_algorithms(tmp_path: Path) -> None:
    document = discovery(id_token_signing_alg_values_supported=["none", "HS256", "RS256", "ES256"])

    metadata = parse_metadata(oidc_provider(tmp_path), document_url(ISSUER), document)

    assert metadata.signing_algorithms == ("RS256", "ES256")
    assert metadata.token_endpoint == f"{ISSUER}/token"


@pytest.mark.parametrize(
    ("document", "why"),
    [
        (discovery(issuer="https://impostor.example.com"), "its issuer is not the address"),
        (discovery(jwks_uri=None, token_endpoint=None), "it lacks token_endpoint, jwks_uri"),
        (discovery(id_token_signing_alg_values_supported=["HS256"]), "no asymmetric"),
        (["not", "an", "object"], "it is not a JSON object"),
    ],
)
def test_an_unusable_discovery_document_is_a_502_saying_why(
    tmp_path: Path, document: Any, why: str
) -> None:
    with pytest.raises(OAuthLoginError) as raised:
        parse_metadata(oidc_provider(tmp_path), document_url(ISSUER), document)

    assert raised.value.status_code == 502
    assert why in raised.value.detail
    assert "Acme SSO" in raised.value.detail


@pytest.mark.parametrize(
    ("emails", "expected"),
    [
        (
            [
                {"email": "a@x.com", "primary": False, "verified": True},
                {"email": "b@x.com", "primary": True, "verified": True},
            ],
            ("b@x.com", True),
        ),
        ([{"email": "b@x.com", "primary": True, "verified": False}], ("b@x.com", False)),
        ([{"email": "b@x.com", "primary": "yes", "verified": "yes"}], (None, False)),
        ([], (None, False)),
        ({"message": "Bad credentials"}, (None, False)),
    ],
)
def test_only_the_primary_github_address_counts_and_only_verified_as_true(
    emails: Any, expected: tuple[str | None, bool]
) -> None:
    assert primary_email(emails) == expected
